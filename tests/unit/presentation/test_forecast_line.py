"""The forecast line on the EHC plans and requests measure pages, in words: which measures have one, the sentence
and why there is none."""

from __future__ import annotations

from sendlib.domain.benchmarks import load_mappings
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.common_measures import common_measures
from sendlib.domain.forecast import Forecast, ForecastPoint
from sendlib.domain.sharing import common_measure_of
from sendlib.presentation.forecast import about, line_measure, line_sentence, no_line_sentence


def _forecast(measure: str, periods: list[str], values: list[tuple[float, float, float]]) -> Forecast:
    points = tuple(ForecastPoint(p, v, lo, hi, lo, hi, "pooled") for p, (v, lo, hi) in zip(periods, values,
                                                                                             strict=True))
    return Forecast("839", "Somewhere", measure, "pooled", periods[0], points, (("2025-01", 4400.0),), ())


def test_the_ehcp_and_request_measures_have_a_line_and_others_none() -> None:
    catalogue = load_catalogue()
    common_of = common_measure_of(catalogue, load_mappings(), common_measures())
    lines = {k.id: m for k in catalogue if (m := line_measure(k.id, common_of))}
    assert lines["ehcps"] == "ehcps" and lines["requests"] == "requests"
    assert set(lines.values()) == {"ehcps", "requests"}
    assert line_measure("twenty-week-excl", common_of) is None


def test_about_rounds_to_two_significant_figures() -> None:
    assert [about(v) for v in (4873.4, 4651.0, 5149.9, 456.0, 7.2)] == ["4,900", "4,700", "5,100", "460", "7"]


def test_the_sentence_names_the_last_census_and_its_likely_range() -> None:
    fc = _forecast("ehcps", ["2026-01", "2027-01"], [(4650.0, 4550.0, 4750.0), (4873.4, 4651.0, 5149.9)])
    assert line_sentence(fc) == ("DfE's figures suggest about 4,900 plans at the January 2027 census "
                                 "(likely between 4,700 and 5,100).")


def test_requests_are_said_for_a_calendar_year() -> None:
    fc = _forecast("requests", ["2025", "2026"], [(1200.0, 1100.0, 1300.0), (1333.0, 1150.0, 1520.0)])
    assert line_sentence(fc) == ("DfE's figures suggest about 1,300 requests for an EHC needs assessment in 2026 "
                                 "(likely between 1,200 and 1,500).")


def test_no_line_says_why() -> None:
    assert "DfE publishes no figures for Board Council" in no_line_sentence("Board Council")
    assert no_line_sentence("Somewhere", "a forecast needs 3 in a row") == \
        "No forecast for Somewhere: a forecast needs 3 in a row."
