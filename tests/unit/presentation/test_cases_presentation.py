"""sendlib.presentation.cases and the board report's figures switch: computed beside typed, our yearly figures beside
DfE's published ones, each difference in words and each basis named; the report uses typed figures unless asked to
use the computed ones, and says which it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from sen2_synthetic import generate

from sendlib.cli import main
from sendlib.domain.cases import case_measures
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.commentary import COMMENTARY
from sendlib.presentation.cases import (
    COMPARED_COLUMNS,
    RECONCILIATION_COLUMNS,
    computed_lookup,
    computed_vs_typed,
    default_period,
    difference_words,
    figure_periods,
    la_warning,
    period_words,
    reconciliation,
    tile_line,
)
from sendlib.presentation.report import TIMELINESS_BASIS, ReportError, build_report, render_html
from sendlib.presentation.tables import case_glossary_table
from sendlib.store.delta import DeltaStore
from sendlib.workflows.cases import commit_cases, preview_cases

RATE = "b04-20-week-rate-excl-exceptions"
SIX_WEEKS = "b01-6-week-decisions"
REVIEWS = "b08-annual-reviews-within-12-months"


def figures_row(kpi_id: str, period: str, value: float | None, count: int | None, measure: str,
                scorecard: str = "board", blank: str = "") -> dict[str, object]:
    """A row as `computed_figures` makes it."""
    note = f"computed from case records ({measure})" + (f"; blank: {blank}" if blank else "")
    return {"scorecard": scorecard, "kpi_id": kpi_id, "period": period, "series": "computed", "value": value,
            "count": count, "note": note}


@pytest.fixture
def computed() -> pd.DataFrame:
    return pd.DataFrame([
        figures_row(RATE, "2024-02", 40.0, 2, "rate_ex"),
        figures_row(RATE, "2024-03", 75.0, 3, "rate_ex"),
        figures_row(RATE, "2025-01", 66.7, 2, "rate_ex"),  # nothing typed for January 2025
        figures_row(SIX_WEEKS, "2024-03", None, 0, "rate_6", blank="no decisions on requests in this period"),
        figures_row(REVIEWS, "2025-01", 86.8, 33, "review_rate"),
        figures_row("ehcps", "2025-01", 183, None, "active_plans", scorecard="scorecard"),
    ])


def test_difference_words_in_each_unit() -> None:
    assert difference_words(75.0, 15.9, "percent") == "Computed is 59.1 percentage points higher than typed"
    assert difference_words(4, 104, "count") == "Computed is 100 lower than typed"
    assert difference_words(109.5, 270.0, "days") == "Computed is 22 weeks 6 days lower than typed"
    assert difference_words(270.2, 270.0, "days") == "Computed is less than a day higher than typed"
    assert difference_words(15.9, 15.9, "percent") == "Same as typed"
    assert difference_words(77.62, 77.6, "percent", ours="Ours", against="DfE's") == "Same as DfE's"
    assert difference_words(None, 15.9, "percent") == "Not computed for this period"
    assert difference_words(15.9, None, "percent") == "Nothing typed for this period"
    assert difference_words(55.4, 77.6, "percent", ours="Ours", against="DfE's") == (
        "Ours is 22.2 percentage points lower than DfE's")


def test_computed_vs_typed_compares_each_kpi_in_its_latest_month_with_both(
        table: pd.DataFrame, catalogue: Catalogue, computed: pd.DataFrame) -> None:
    out = computed_vs_typed(table, computed, catalogue).set_index("kpi_id")
    rate = out.loc[RATE]
    # January 2025 has a computed figure but nothing typed: March 2024 is the latest month with both.
    assert rate[COMPARED_COLUMNS].tolist() == [
        "EHCP: % of new EHC Plans issued within 20 weeks, excl. exceptions", "March 2024", "75.0%", "15.9%",
        "Computed is 59.1 percentage points higher than typed"]
    assert (rate["period"], rate["measure_id"], rate["computed_value"], rate["typed_value"]) == (
        "2024-03", "rate_ex", 75.0, 15.9)
    # A blank computed figure (no decisions) is not set beside anything.
    assert SIX_WEEKS not in out.index
    assert out.loc[REVIEWS, ["Month", "Computed", "Typed", "Difference"]].tolist() == [
        "January 2025", "86.8%", "not typed", "Nothing typed for this period"]
    assert out.loc["ehcps", ["Computed", "Typed", "Difference"]].tolist() == [
        "183", "4,453", "Computed is 4,270 lower than typed"]


def test_computed_vs_typed_for_one_month_and_one_document(
        table: pd.DataFrame, catalogue: Catalogue, computed: pd.DataFrame) -> None:
    out = computed_vs_typed(table, computed, catalogue, "2024-02", scorecards=["board"])
    assert out[["kpi_id", "Computed", "Typed", "Difference"]].values.tolist() == [
        [RATE, "40.0%", "21.7%", "Computed is 18.3 percentage points higher than typed"]]
    assert computed_vs_typed(table, computed.iloc[0:0], catalogue).empty


def test_tile_line(computed: pd.DataFrame) -> None:
    lookup = computed_lookup(computed)
    assert tile_line(lookup, RATE, "2024-03", 15.9, "percent") == (
        "Computed from case records: 75.0% (59.1 percentage points higher than typed)")
    assert tile_line(lookup, "ehcps", "2025-01", 4453.0, "count") == (
        "Computed from case records: 183 (4,270 lower than typed)")
    assert tile_line(lookup, SIX_WEEKS, "2024-03", 100.0, "percent") == (
        "Computed from case records: blank (no decisions on requests in this period)")
    assert tile_line(lookup, RATE, "2025-01", None, "percent") == (
        "Computed from case records: 66.7% (nothing typed for this month)")
    assert tile_line(lookup, RATE, "2023-12", 20.0, "percent") is None


def measures_frame(rows: list[tuple[str, str, float | None, int | None, int | None, str | None]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["measure", "period", "value", "numerator", "denominator", "note"])
    out["value"] = out["value"].astype("Float64")
    for column in ("numerator", "denominator"):
        out[column] = out[column].astype("Int64")
    return out


def test_figure_periods_and_the_drill_down_default() -> None:
    measures = measures_frame([
        ("rate_ex", "2024-11", 50.0, 1, 2, None),
        ("rate_ex", "2024-12", None, 0, 0, "blank: no new plans issued (excluding exceptions) in this period"),
        ("rate_ex", "2024", 55.4, 36, 65, None),
        ("rate_ex", "2023", 76.7, 23, 30, None),
        ("active_plans", "2025-01-16", 183.0, None, None, None),
        ("requests_received", "2024-12", 0.0, None, None, None),
        ("requests_received", "2024-11", 4.0, None, None, None),
    ])
    assert figure_periods(measures, "rate_ex") == ["2024-12", "2024-11", "2024", "2023"]
    assert default_period(measures, "rate_ex") == "2024-11"  # the latest month with plans
    assert default_period(measures, "active_plans") == "2025-01-16"
    assert default_period(measures, "requests_received") == "2024-11"
    assert default_period(measures, "decisions") is None
    assert period_words("2025-01-16") == "the census on 16 January 2025"
    assert period_words("2024-11") == "November 2024"


def bench_frame(rows: list[tuple[str, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame([{"measure": m, "kpi_id": RATE, "period": p, "series": "home_la", "value": v,
                          "source": f"DfE {m} {p}"} for m, p, v in rows]
                        + [{"measure": "twenty-week-excl", "kpi_id": RATE, "period": "2024", "series": "national",
                            "value": 46.4, "source": "England"}])


def test_reconciliation_sets_like_beside_like_with_each_basis_named() -> None:
    measures = measures_frame([
        ("rate_ex", "2024", 55.4, 36, 65, None),
        ("rate_dfe", "2024", 56.7, 38, 67, None),
        ("rate_incl", "2024", 56.9, 41, 72, None),
        ("rate_ex", "2025", 66.7, 2, 3, None),
        ("rate_dfe", "2025", None, 0, 0, "blank: no new plans issued on DfE's basis in this period"),
        ("rate_incl", "2025", 66.7, 2, 3, None),
        ("rate_ex", "2023", None, 0, 0, "blank: no new plans issued (excluding exceptions) in this period"),
        ("rate_dfe", "2023", None, 0, 0, "blank"),
        ("rate_incl", "2023", None, 0, 0, "blank"),
        ("plans_issued", "2023", 3.0, None, None, None),  # not a rate: no reason to hold 2023
    ])
    bench = bench_frame([("twenty-week-excl", "2024", 77.6), ("twenty-week-incl", "2024", 74.1),
                         ("twenty-week-excl", "2023", 4.8), ("twenty-week-incl", "2025", None)])
    out = reconciliation(measures, bench, full_years={"2024"}, census="2025-01-16")
    assert list(out.columns) == RECONCILIATION_COLUMNS
    assert out[["Year", "Comparison", "Our figure", "DfE's figure", "Difference"]].values.tolist() == [
        ["2024", "20 weeks, excluding exceptions", "55.4% (36 of 65)", "77.6%",
         "Ours is 22.2 percentage points lower than DfE's"],
        ["2024", "20 weeks, including exceptions (DfE basis)", "56.7% (38 of 67)", "74.1%",
         "Ours is 17.4 percentage points lower than DfE's"],
        ["2024", "20 weeks, including exceptions (every case)", "56.9% (41 of 72)", "74.1%",
         "Ours is 17.2 percentage points lower than DfE's"],
        ["2025", "20 weeks, excluding exceptions", "66.7% (2 of 3)", "not published", "Nothing to compare"],
        ["2025", "20 weeks, including exceptions (DfE basis)", "blank", "not published", "Nothing to compare"],
        ["2025", "20 weeks, including exceptions (every case)", "66.7% (2 of 3)", "not published",
         "Nothing to compare"],
    ]
    first = out.iloc[0]
    assert first["Our basis"] == "Board basis: exceptions left out; mediation and tribunal cases kept"
    assert first["DfE's basis"] == "Exceptions left out; mediation and tribunal cases left out"
    assert "DfE leaves out cases that went to mediation or tribunal" in first["Note"]
    assert first["DfE source"] == "DfE twenty-week-excl 2024"
    assert out.iloc[1]["Note"] == "Like with like: the basis of DfE's published figure."
    assert out.iloc[3]["Note"].startswith("Part year: the records run only to the census on 16 January 2025.")
    assert "blank: no new plans issued on DfE's basis in this period." in out.iloc[4]["Note"]


def test_reconciliation_says_when_a_year_is_not_the_return_s_own() -> None:
    measures = measures_frame([("rate_ex", "2023", 76.7, 23, 30, None)])
    out = reconciliation(measures, bench_frame([("twenty-week-excl", "2023", 4.8)]), full_years={"2024"})
    assert out.iloc[0]["Difference"] == "Ours is 71.9 percentage points higher than DfE's"
    assert out.iloc[0]["Note"].startswith("A return reports in full on the calendar year before its census")
    assert reconciliation(measures.iloc[0:0], bench_frame([])).empty


def test_la_warning() -> None:
    assert la_warning(["839", "839", None], "839", "Bournemouth, Christchurch and Poole") is None
    assert la_warning(pd.Series(["201"], dtype="string"), "839", "Bournemouth, Christchurch and Poole") == (
        "The case records are from local authority 201, not the home authority Bournemouth, Christchurch and Poole "
        "(839): DfE's figures here are Bournemouth, Christchurch and Poole's, so the comparison is not like with "
        "like. Choose the records' authority as the home authority in the sidebar to compare it with its own "
        "published figures.")


def test_case_glossary_names_every_measure_its_basis_and_its_kpi(catalogue: Catalogue) -> None:
    glossary = case_glossary_table(catalogue).set_index("ID")
    assert list(glossary.index) == list(case_measures())
    assert glossary.loc["rate_ex", "Sits beside KPI"] == "EHCP: % of new EHC Plans issued within 20 weeks, excl. exceptions"
    assert glossary.loc["rate_ex", "Counted"] == "By the month or year the plan was issued"
    assert glossary.loc["rate_ex", "Definition"] == case_measures()["rate_ex"].definition
    assert glossary.loc["within_20_ex", "Numerator of"] == "% of new plans issued within 20 weeks (excluding exceptions)"
    assert glossary.loc["review_rate", "Counted"] == "At the census date"
    assert glossary.loc["rate_dfe", "Sits beside KPI"] == "none"


def test_the_report_uses_typed_figures_unless_asked(table: pd.DataFrame, catalogue: Catalogue,
                                                    computed: pd.DataFrame) -> None:
    typed = build_report(table, catalogue, COMMENTARY.empty(), "2024-03", charts=False, computed=computed)
    assert typed.figures == "typed"
    assert (typed.row(RATE).latest, typed.row(RATE).previous) == ("15.9%", "21.7%")
    assert [(r.kpi_id, r.computed, r.typed, r.difference, r.used) for r in typed.computed_rows] == [
        (SIX_WEEKS, "blank (no decisions on requests in this period)", "100.0%",
         "Nothing to compare: the computed figure is blank", "As typed"),
        (RATE, "75.0%", "15.9%", "Computed is 59.1 percentage points higher than typed", "As typed"),
        (REVIEWS, "not computed", "35.0%", "Not computed for this period", "As typed"),
    ]
    assert typed.basis[0].startswith("The figures in this report are as typed into the Improvement board report.")
    assert typed.basis[1] == TIMELINESS_BASIS
    html = render_html(typed)
    assert "This report uses the figures as typed." in html
    assert "excluding exceptions (a plan where the 20-week exceptions apply" in html
    assert "DfE&#39;s published timeliness leaves out cases that went to mediation or tribunal" in html

    used = build_report(table, catalogue, COMMENTARY.empty(), "2024-03", charts=False, computed=computed,
                        figures="computed")
    assert used.figures == "computed"
    row = used.row(RATE)
    assert (row.latest, row.previous, row.notes) == ("75.0% (3)", "40.0% (2)", ["computed from case records (rate_ex)"])
    assert row.change.text == "▲ Up, better"
    assert used.row(REVIEWS).latest == "35.0%"
    assert used.row(REVIEWS).notes == ["as typed: nothing computed from case records for this month"]
    assert [r.used for r in used.computed_rows] == ["Computed from case records", "Computed from case records",
                                                    "As typed"]
    assert used.basis[0].startswith("Where the last column below says “Computed from case records”")
    assert "This report uses the figures computed from case records." in render_html(used)
    # The other figures are the typed ones either way.
    assert used.row("b03-ehcps-issued").latest == typed.row("b03-ehcps-issued").latest


def test_without_case_records_the_report_is_unchanged_and_cannot_use_computed_figures(
        table: pd.DataFrame, catalogue: Catalogue) -> None:
    plain = build_report(table, catalogue, COMMENTARY.empty(), "2024-03", charts=False)
    assert (plain.computed_rows, plain.basis) == ([], [])
    assert "Computed from case records" not in render_html(plain)
    with pytest.raises(ReportError, match="no figures computed from case records"):
        build_report(table, catalogue, COMMENTARY.empty(), "2024-03", charts=False, figures="computed")
    with pytest.raises(ReportError, match="figures must be one of typed, computed"):
        build_report(table, catalogue, COMMENTARY.empty(), "2024-03", figures="guessed")  # type: ignore[arg-type]


def test_cli_report_figures_switch(store: DeltaStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    args = ["report", "--store", str(store.root), "--period", "2024-03", "-o", str(out)]
    assert main([*args, "--figures", "computed"]) == 2
    assert "no figures computed from case records" in capsys.readouterr().err

    commit_cases(store, preview_cases(store, generate(60, seed=3, la="839").xml, "sen2.xml"))
    assert main(args) == 0
    assert "This report uses the figures as typed." in out.read_text(encoding="utf-8")
    assert main([*args, "--figures", "computed"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "This report uses the figures computed from case records." in html
    assert re.search(r"computed from case records \(\w+\)", html), "a computed figure in the report, named by its measure"


def test_the_cases_behind_a_rate_read_late_first_with_codes_explained_and_no_none(store: DeltaStore) -> None:
    from sendlib.presentation.cases import REQUEST_OUTCOME_WORDS, cases_behind_table
    from sendlib.workflows.cases import case_list, read_cases

    synthetic = generate(200, seed=5)
    commit_cases(store, preview_cases(store, synthetic.xml, "sen2.xml"))
    expected = synthetic.expected[("rate_ex", "2024")]
    table = cases_behind_table(case_list(read_cases(store), "rate_ex", "2024"), "rate_ex")
    assert len(table) == expected.denominator
    results = table["Result"].tolist()
    assert results.count("in time: issued within 20 weeks") == expected.numerator
    late = [r == "late: issued after 20 weeks" for r in results]
    assert any(late) and late == sorted(late, reverse=True), "the cases that made the rate fail come first"
    assert "Counted in the figure" not in table.columns
    assert set(table["Request outcome"]) <= set(REQUEST_OUTCOME_WORDS.values())
    assert not table.isin(["None", "nan", "<NA>"]).any().any() and not table.isna().any().any()
