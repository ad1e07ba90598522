"""Every source's figure for a measure side by side, and a sentence for each difference, on the bundled data."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib.domain.benchmarks import compute, mappings_for
from sendlib.domain.figure import Figure
from sendlib.domain.trends import summarise
from sendlib.presentation.figures import (
    difference,
    differences,
    measure_sources,
    period_note,
    standing_of,
    suspected_slip,
    typed_figure,
)
from sendlib.workflows.dfe_releases import ensure_dfe

NO_CASES = pd.DataFrame({"measure": pd.Series([], dtype="string"), "period": pd.Series([], dtype="string"),
                         "value": pd.Series([], dtype="float")})


@pytest.fixture(scope="module")
def bench(built_store, catalogue) -> pd.DataFrame:
    figures, groups = ensure_dfe(built_store)
    return compute(figures.read(), groups.read(), catalogue, mappings_for(catalogue), la="839")


def test_ehcps_sets_the_scorecards_january_figure_beside_dfes_census_figure_with_the_reason(table, catalogue, bench):
    kpi = catalogue["ehcps"]
    figures = measure_sources(kpi, table, bench, NO_CASES, as_at=None)
    assert [(f.source, f.period, f.text) for f in figures] == [("typed", "2025-01", "4,453"), ("dfe", "2025-01", "4,432")]
    assert figures[1].standing is not None and figures[1].standing.text == "43 of 153"
    mapping = next(m for m in mappings_for(catalogue) if m.kpi_id == "ehcps")
    [diff] = differences(figures, mapping)
    assert "4,432" in diff.sentence and "4,453" in diff.sentence and "21 lower" in diff.sentence
    assert "January census date" in diff.sentence and "January 2025" in diff.sentence


def test_the_as_at_month_picks_the_typed_figure_and_dfes_latest_by_then(table, catalogue, bench):
    figures = measure_sources(catalogue["ehcps"], table, bench, NO_CASES, as_at="2024-06")
    assert [(f.source, f.period, f.text) for f in figures] == [
        ("typed", "2024-06", "4,223"), ("typed", "2024-01", "3,791"), ("dfe", "2024-01", "3,769")]
    sentences = [d.sentence for d in differences(figures)]
    assert len(sentences) == 2 and "3,791" in sentences[0] and "census" in sentences[0]
    assert "4,223" in sentences[1] and "different periods (June 2024 and January 2024)" in sentences[1]
    assert period_note(figures[2], "2024-06") == "January 2024 — latest available by June 2024"
    assert period_note(figures[0], "2024-06") == ""


def test_a_rate_for_a_month_against_dfes_calendar_year_names_the_different_period(table, catalogue, bench):
    kpi = catalogue["b04-20-week-rate-excl-exceptions"]
    figures = measure_sources(kpi, table, bench, NO_CASES, as_at=None)
    typed, dfe = figures[0], figures[-1]
    assert (typed.text, typed.period, dfe.source, dfe.period) == ("15.9%", "2024-03", "dfe", "2024")
    [diff] = differences(figures)
    assert "different periods" in diff.sentence and "March 2024" in diff.sentence and "calendar year 2024" in diff.sentence
    assert dfe.text in diff.sentence and "15.9%" in diff.sentence


def test_computed_figures_join_on_the_same_month_and_the_calendar_year(table, catalogue, bench):
    from sendlib.domain.cases import case_measures
    kpi = catalogue["b04-20-week-rate-excl-exceptions"]
    cases = pd.DataFrame({"measure": ["rate_ex", "rate_ex"], "period": ["2024-03", "2024"], "value": [50.0, 59.3]})
    figures = measure_sources(kpi, table, bench, cases, as_at=None, measure=case_measures()["rate_ex"])
    assert [(f.source, f.period) for f in figures] == [("typed", "2024-03"), ("computed", "2024-03"),
                                                      ("computed", "2024"), ("dfe", "2024")]
    sentences = [d.sentence for d in differences(figures)]
    assert any("50.0%" in s and "15.9%" in s and "case records" in s for s in sentences)
    assert any("59.3%" in s and "mediation or tribunal" in s for s in sentences), sentences


def test_a_slipped_decimal_point_or_swapped_digits_is_called_a_suspected_typing_slip():
    assert suspected_slip(15.9, 159.0) and suspected_slip(77.6, 76.7) and not suspected_slip(15.9, 77.6)
    a = Figure("k", 77.6, "2024", "dfe", "percent")
    b = Figure("k", 7.76, "2024", "typed", "percent", where="SEND scorecard (monthly)")
    found = difference(a, b)
    assert found is not None and "suspected typing slip" in found.sentence
    assert difference(a, Figure("k", 77.6, "2024", "typed", "percent")) is None


def test_a_summary_row_becomes_a_typed_figure_with_change_rating_and_standing(table, catalogue, bench):
    row = summarise(table, catalogue, kpis=[catalogue["ehcps-special-independent-pct"]]).iloc[0].to_dict()
    standing = standing_of(bench, "ehcps-special-independent-pct", "lower_better")
    f = typed_figure(row, standing=standing)
    assert (f.text, f.rating, f.change) == ("11.5%", "✖ Off target", "▲ Up – worse")
    assert f.standing is not None and f.standing.of > 140 and "1 = best" in f.standing.words
