"""Setting up a measure from its own file: each inference rule, and a proposal CSV refused cell by cell."""

from __future__ import annotations

import pytest

from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.measure_setup import (
    PROPOSAL_COLUMNS,
    MeasureProposal,
    infer_cumulative,
    infer_frequency,
    infer_polarity,
    infer_theme,
    infer_unit,
    proposal,
    proposals_csv,
    read_proposals,
    to_kpis,
)


@pytest.mark.parametrize(("name", "cells", "unit"), [
    ("% EHCPs issued within 20 weeks (excl exceptions)", ["45.2%", "48.0%"], "percent"),
    ("% of pupils with an EHCP in mainstream schools", [38.1, 38.4, 40.0], "percent"),
    ("Proportion of plans reviewed", ["71", "80.5"], "percent"),
    ("EHCPs issued within 20 weeks", ["45.2%", None], "percent"),
    ("Average weeks to issue a final EHCP", [24.3, 23.9], "weeks"),
    ("Average time to issue (days)", [170, 181], "days"),
    ("Average time to issue", ["24 weeks 3 days"], "days"),
    ("Number of new EHCNA requests", [101, "95", 120], "count"),
    ("Number of new EHC plans issued within 20 weeks", [12, 15], "count"),
    ("Mean time to issue a plan (weeks)", ["25.5"], "weeks"),
    ("Attainment 8 progress score", [-0.35, 0.12], "score"),
    ("% over 100 is not a percentage", [120, 130], "count"),
])
def test_the_unit_is_read_off_the_name_and_the_values(name: str, cells: list[object], unit: str) -> None:
    assert infer_unit(name, cells) == unit


@pytest.mark.parametrize(("name", "cell", "expected"), [
    ("% EHCPs issued within 20 weeks (excl exceptions)", None, ("higher_better", "domain")),
    ("Attendance of pupils with an EHCP", None, ("higher_better", "domain")),
    ("% of young people with an EHCP in education, employment or training", None, ("higher_better", "domain")),
    ("% of new EHCPs issued late", None, ("lower_better", "domain")),
    ("% of plans issued over 52 weeks", None, ("lower_better", "domain")),
    ("Permanent exclusions of pupils with an EHCP", None, ("lower_better", "domain")),
    ("% of 16-17 year olds with SEND who are NEET", None, ("lower_better", "domain")),
    ("Persistently absent pupils with EHCPs", None, ("lower_better", "domain")),
    ("Number of complaints received", None, ("lower_better", "domain")),
    ("Number of new EHCNA requests", None, ("neutral", "domain")),
    ("Number of new EHCNA requests", "H", ("higher_better", "document")),
    ("% issued late", "High", ("higher_better", "document")),
    ("Anything", "low", ("lower_better", "document")),
])
def test_polarity_from_the_file_else_the_name(name: str, cell: object, expected: tuple[str, str]) -> None:
    assert infer_polarity(name, cell) == expected


def test_frequency_is_the_kind_of_most_columns() -> None:
    assert infer_frequency(["2024-04", "2024-05", "2024"]) == "month"
    assert infer_frequency(["2023/24 Autumn", "2023/24 Spring"]) == "term"
    assert infer_frequency([]) == "month"


def test_a_running_total_that_restarts_in_january_is_cumulative() -> None:
    months = ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
              "2025-01", "2025-02", "2025-03"]
    rising = dict(zip(months, [2, 5, 7, 9, 11, 12, 14, 15, 18, 1, 3, 6], strict=True))
    assert infer_cumulative(rising) == "calendar-year"
    academic = dict(zip(months, [10, 12, 14, 15, 16, 2, 4, 5, 7, 9, 11, 12], strict=True))
    assert infer_cumulative(academic) == "academic-year"
    assert infer_cumulative(dict(zip(months, [101, 95, 120, 88, 60, 140, 132, 118, 97, 125, 110, 121],
                                     strict=True))) == "none"
    assert infer_cumulative({"2024-01": 1, "2024-02": 2}) == "none"


def test_the_theme_comes_from_the_section_then_the_name() -> None:
    themes = {t.id: t.name for t in load_catalogue().themes.values()}
    assert infer_theme("Early Years", "Number of children", themes) == "early-years"
    assert infer_theme("Mediations and Tribunals", "x", themes) == "tribunals"
    assert infer_theme(None, "% of pupils with an EHCP in mainstream schools", themes) == "provision"
    assert infer_theme("Assessments and Requests", "x", themes) == "statutory-duty"
    assert infer_theme(None, "Something else entirely", themes) == "statutory-duty"


def test_a_proposal_marks_what_it_guessed() -> None:
    themes = {t.id: t.name for t in load_catalogue().themes.values()}
    made = proposal("% EHCPs issued within 20 weeks (excl exceptions)", section="Assessments",
                    values={"2024-04": "45.2%", "2024-05": "48.0%"}, themes=themes, target="60%", polarity_cell="H")
    assert (made.unit, made.polarity, made.polarity_source, made.target) == ("percent", "higher_better", "document",
                                                                            60.0)
    assert "polarity" not in made.suggested and {"unit", "theme", "frequency"} <= set(made.suggested)


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(PROPOSAL_COLUMNS)] + [",".join(r.get(c, "") for c in PROPOSAL_COLUMNS) for r in rows]
    return ("\n".join(lines) + "\n").encode()


GOOD = {"name": "Number of new EHCNA requests", "theme": "statutory-duty", "unit": "count", "polarity": "neutral",
        "polarity_source": "domain", "frequency": "month", "cumulative": "none"}


def test_a_proposal_csv_round_trips() -> None:
    catalogue = load_catalogue()
    made = [MeasureProposal.model_validate(GOOD | {"suggested": "unit;theme"})]
    back, errors = read_proposals(proposals_csv(made), catalogue)
    assert errors == [] and back == made


@pytest.mark.parametrize(("column", "value", "says"), [
    ("unit", "furlongs", "unit"),
    ("theme", "astrology", "not a theme"),
    ("polarity", "sideways", "polarity"),
    ("target", "lots", "target"),
    ("suggested", "colour", "not a field"),
])
def test_a_bad_value_is_refused_naming_row_column_and_value(column: str, value: str, says: str) -> None:
    data = _csv([GOOD, GOOD | {"name": "Second", column: value}])
    _, errors = read_proposals(data, load_catalogue(), file="PROPOSAL.csv")
    assert len(errors) == 1
    text = str(errors[0])
    assert "PROPOSAL.csv" in text and "row 3" in text and f"column '{column}'" in text and value in text, text
    assert says in text


def test_an_unknown_common_measure_is_refused() -> None:
    _, errors = read_proposals(_csv([GOOD | {"common_measure": "no-such-measure"}]), load_catalogue())
    assert [e.column for e in errors] == ["common_measure"]


def test_a_measure_already_set_up_is_refused() -> None:
    _, errors = read_proposals(_csv([GOOD | {"name": "No. of EHCPs"}]), load_catalogue())
    assert [e.column for e in errors] == ["name"]


def test_ids_are_made_from_names_unique_within_the_catalogue() -> None:
    catalogue = load_catalogue()
    made = [MeasureProposal.model_validate(GOOD | {"name": n}) for n in ("Requests", "Requests!", "Plans (new)")]
    kpis = to_kpis(made, catalogue, source="test")
    assert "requests" in catalogue
    assert [k.id for k in kpis] == ["requests-2", "requests-3", "plans-new"]
    assert to_kpis(made, catalogue, source="again") == to_kpis(made, catalogue, source="again")


@pytest.mark.parametrize(("name", "short"), [
    ("No. of SEN Support", "SEN Support"),
    ("% of EHCPs in Mainstream", "EHCPs in Mainstream (%)"),
    ("Number of places available in SEN Resource Provision", "Places available in SEN Resource…"),
    ("No of open cases at L3 (low need/high complexity or high need/low complexity)", "Open cases at L3"),
    ("Young people with an EHCP who are NEET (%)", "Young people with an EHCP who are… (%)"),
    ("Notifications of mediation", "Notifications of mediation"),
    ("No.", "No."),
])
def test_a_short_name_is_proposed_for_tiles_within_40_characters(name: str, short: str) -> None:
    from sendlib.domain.measure_setup import SHORT_NAME_MAX, short_name

    assert short_name(name) == short and len(short) <= SHORT_NAME_MAX
