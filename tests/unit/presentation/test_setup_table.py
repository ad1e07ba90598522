"""The set-up table: which fields are still guesses, and an edited table checked row by row."""

from __future__ import annotations

import pytest

from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.measure_setup import MeasureProposal
from sendlib.presentation.setup_table import (
    CHECKED_WORDS,
    NO_COMMON,
    SETUP_HEADINGS,
    check_setup,
    setup_status,
    setup_table,
)

PROPOSALS = [
    MeasureProposal(name="Number of new EHCNA requests", theme="statutory-duty", unit="count", polarity="neutral",
                    polarity_source="domain", frequency="month", common_measure="requests",
                    common_measure_reason="name alike", suggested=("theme", "unit", "polarity", "common_measure")),
    MeasureProposal(name="% issued within 20 weeks", theme="statutory-duty", unit="percent", polarity="higher_better",
                    polarity_source="document", frequency="month", target=60.0, suggested=("unit", "theme")),
]


def test_the_table_lists_each_rows_guesses_in_words() -> None:
    table = setup_table(PROPOSALS)
    assert list(table.index) == [1, 2]
    assert table.loc[1, "suggested"] == "theme, unit, which way is good, common definition"
    assert table.loc[2, "common_measure"] == NO_COMMON and table.loc[2, "target"] == 60.0


def test_an_edited_field_is_no_longer_a_guess_and_a_checked_row_has_none() -> None:
    table = setup_table(PROPOSALS)
    table.loc[1, "unit"] = "score"
    assert setup_status(table, PROPOSALS)[0] == "theme, which way is good, common definition"
    table.loc[1, "checked"] = True
    assert setup_status(table, PROPOSALS)[0] == CHECKED_WORDS


def test_a_checked_table_gives_the_measures_as_edited() -> None:
    table = setup_table(PROPOSALS, checked=True)
    table.loc[1, "polarity"] = "higher_better"
    table.loc[2, "common_measure"] = "twenty-week-excl"
    confirmed, errors = check_setup(table, PROPOSALS, load_catalogue())
    assert errors == []
    assert confirmed[0].polarity == "higher_better" and confirmed[0].suggested == ()
    assert confirmed[1].common_measure == "twenty-week-excl"
    assert confirmed[1].common_measure_reason == "chosen on the set-up table"


@pytest.mark.parametrize(("column", "value", "heading", "says"), [
    ("theme", None, "Theme", "choose a theme"),
    ("unit", "furlongs", "Unit", "should be 'count'"),
    ("common_measure", "no-such-measure", "Common definition", "not a common definition"),
])
def test_a_bad_cell_is_refused_naming_row_and_heading(column: str, value: object, heading: str, says: str) -> None:
    table = setup_table(PROPOSALS, checked=True)
    table.loc[2, column] = value
    confirmed, errors = check_setup(table, PROPOSALS, load_catalogue(), file="upload.csv")
    assert confirmed == []
    assert [(e.row, e.column) for e in errors] == [(2, heading)]
    assert says in errors[0].problem


def test_an_unchecked_row_and_a_measure_already_set_up_are_refused() -> None:
    table = setup_table(PROPOSALS)
    _, errors = check_setup(table, PROPOSALS, load_catalogue())
    assert {e.column for e in errors} == {SETUP_HEADINGS["checked"]} and len(errors) == 2
    taken = [PROPOSALS[0].model_copy(update={"name": "No. of EHCPs"})]
    _, errors = check_setup(setup_table(taken, checked=True), taken, load_catalogue())
    assert [e.column for e in errors] == [SETUP_HEADINGS["name"]]


def test_the_reference_and_short_name_travel_from_the_table_to_the_measure() -> None:
    """The file's identifier and the proposed short name are columns a person can edit; what they leave is saved,
    and a short name over the tile's 40 characters is refused naming its heading."""
    from sendlib.domain.measure_setup import to_kpis

    offered = [p.model_copy(update={"reference": f"PI-{n}", "short_name": f"Short {n}"}) for n, p in enumerate(PROPOSALS)]
    table = setup_table(offered, checked=True)
    assert table["reference"].tolist() == ["PI-0", "PI-1"] and table["short_name"].tolist() == ["Short 0", "Short 1"]
    table.loc[2, "short_name"] = "20-week rate (%)"
    confirmed, errors = check_setup(table, offered, load_catalogue())
    assert not errors
    kpis = to_kpis(confirmed, load_catalogue(), source="a file")
    assert [(k.short_name, k.notes) for k in kpis] == [("Short 0", "Reference: PI-0"), ("20-week rate (%)", "Reference: PI-1")]
    table.loc[1, "short_name"] = "x" * 41
    _, errors = check_setup(table, offered, load_catalogue())
    assert [e.column for e in errors] == [SETUP_HEADINGS["short_name"]]
