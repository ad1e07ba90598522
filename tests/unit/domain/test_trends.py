"""sendlib.domain.trends: direction, judgement by polarity, RAG, summaries, cumulative series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sendlib.domain.trends import (
    DEFAULT_TOLERANCE,
    assess,
    change_words,
    direction,
    increments,
    moved_most,
    rag,
    rag_words,
    summarise,
    tolerance,
    year_on_year,
)


def missing(value) -> bool:
    """None or NaN: summary columns mix numbers (or text) with gaps, and pandas may store a gap as NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


@pytest.fixture(scope="module")
def summary(table, catalogue) -> pd.DataFrame:
    return summarise(table, catalogue).set_index("kpi_id")


# --- direction and judgement ---------------------------------------------------------------------


@pytest.mark.parametrize(("change", "expected"), [(3.0, "up"), (-0.1, "down"), (0.0, "flat"), (1e-12, "flat"), (None, None), (float("nan"), None)])
def test_direction(change, expected):
    assert direction(change) == expected


@pytest.mark.parametrize(
    ("change", "polarity", "expected"),
    [
        (5, "higher_better", "better"),
        (-5, "higher_better", "worse"),
        (5, "lower_better", "worse"),
        (-5, "lower_better", "better"),
        (5, "neutral", "not judged"),
        (-5, "neutral", "not judged"),
        (0, "higher_better", "no change"),
        (0, "lower_better", "no change"),
        (0, "neutral", "no change"),
        (None, "higher_better", None),
    ],
)
def test_assess_by_polarity(change, polarity, expected):
    assert assess(change, polarity) == expected


# --- RAG ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "expected"),
    [(60, "green"), (50, "green"), (49, "amber"), (48, "amber"), (47.9, "red"), (10, "red")],
)
def test_rag_higher_better_percent(latest, expected):
    # Target 50%, default percent tolerance 2 points: amber from 48 up to (not including) 50.
    assert rag(latest, 50, "higher_better", DEFAULT_TOLERANCE["percent"]) == expected


@pytest.mark.parametrize(
    ("latest", "expected"),
    [(40, "green"), (50, "green"), (51, "amber"), (52, "amber"), (52.1, "red")],
)
def test_rag_lower_better_percent(latest, expected):
    assert rag(latest, 50, "lower_better", 2.0) == expected


def test_rag_boundary_with_binary_fractions():
    # Board measure 4: target 49.1. 49.1 - 2.0 = 47.1 exactly in decimal, not in binary.
    assert rag(47.1, 49.1, "higher_better", 2.0) == "amber"
    assert rag(49.1, 49.1, "higher_better", 2.0) == "green"


@pytest.mark.parametrize(
    ("latest", "target", "polarity"),
    [(10, 50, "neutral"), (None, 50, "higher_better"), (10, None, "higher_better"), (float("nan"), 50, "lower_better")],
)
def test_rag_not_rated(latest, target, polarity):
    assert rag(latest, target, polarity, 2.0) is None


@pytest.mark.parametrize(
    ("kpi_id", "expected"),
    [
        ("ehcps-special-independent-pct", 2.0),  # percent
        ("b05-average-time-to-issue-excl-exceptions", 14.0),  # days
        ("b42-progress-8-ehcp", 0.05),  # score
        ("complaints", 1.0),  # count with no target: at least 1
    ],
)
def test_default_tolerance_per_unit(catalogue, kpi_id, expected):
    assert tolerance(catalogue[kpi_id]) == pytest.approx(expected)


def test_count_tolerance_is_a_share_of_the_target(catalogue):
    kpi = catalogue["complaints"].model_copy(update={"target": 200.0})
    assert tolerance(kpi) == pytest.approx(10.0)  # 5% of 200
    assert rag(190, 200, "higher_better", tolerance(kpi)) == "amber"
    assert rag(189, 200, "higher_better", tolerance(kpi)) == "red"


def test_kpis_own_tolerance_wins(catalogue):
    kpi = catalogue["b04-20-week-rate-excl-exceptions"].model_copy(update={"tolerance": 40.0})
    assert tolerance(kpi) == 40.0
    # 15.9 against 49.1: red with the default 2 points, amber within its own 40.
    assert rag(15.9, 49.1, kpi.polarity, DEFAULT_TOLERANCE["percent"]) == "red"
    assert rag(15.9, 49.1, kpi.polarity, tolerance(kpi)) == "amber"


# --- summarise on the bundled store --------------------------------------------------------------


def test_summary_has_one_row_per_kpi(summary, catalogue):
    assert sorted(summary.index) == sorted(k.id for k in catalogue)


def test_summary_b04(summary):
    # Board report measure 4: Latest (Mar-24) 15.9%, Previous (Feb-24) 21.7%, target 49.1%, High is good.
    row = summary.loc["b04-20-week-rate-excl-exceptions"]
    assert (row["latest_period"], row["latest"]) == ("2024-03", 15.9)
    assert (row["previous_period"], row["previous"]) == ("2024-02", 21.7)
    assert row["change"] == pytest.approx(-5.8)  # 15.9 - 21.7
    assert row["direction"] == "down"
    assert row["assessment"] == "worse"
    assert row["target"] == 49.1
    assert row["rag"] == "red"


def test_summary_lower_is_better_measure(summary):
    # Board report measure 5: 38 weeks 4 days (270) after 36 weeks 4 days (256); target 20 weeks; Low is good.
    row = summary.loc["b05-average-time-to-issue-excl-exceptions"]
    assert (row["latest"], row["previous"], row["change"]) == (270, 256, 14)
    assert (row["direction"], row["assessment"], row["rag"]) == ("up", "worse", "red")


def test_summary_complaints(summary):
    # Scorecard `No. of complaints`: Dec 24 `12 ▼`, Jan 25 `13 ▲`; fewer is better; no target.
    row = summary.loc["complaints"]
    assert (row["latest_period"], row["latest"], row["previous_period"], row["previous"]) == ("2025-01", 13, "2024-12", 12)
    assert row["change"] == 1
    assert (row["direction"], row["assessment"]) == ("up", "worse")
    assert row["comparison"] == "previous period"
    assert missing(row["rag"])


def test_summary_cumulative_series_compares_same_period_last_year(summary):
    # Scorecard `Total number of mediations (cumulative figure calendar year)`: Jan 24 `23`, Jan 25 `42`
    # (Dec 24 `435` is last year's total and must not be the comparison).
    row = summary.loc["mediations-cumulative"]
    assert (row["latest_period"], row["latest"]) == ("2025-01", 42)
    assert (row["previous_period"], row["previous"]) == ("2024-01", 23)
    assert row["comparison"] == "same period last year"
    assert row["change"] == 19
    assert row["assessment"] == "worse"


def test_summary_neutral_kpi_not_judged(summary):
    # `No. of EHCPs`: 4417 → 4453, neither higher nor lower is better.
    row = summary.loc["ehcps"]
    assert row["change"] == 36
    assert (row["direction"], row["assessment"]) == ("up", "not judged")
    assert missing(row["rag"])


def test_summary_benchmarks_and_target(summary):
    # Scorecard `% of EHCPs in Special: Independent & Non-Maintained`: Nat 5.2%, SN 5.7%, SW 6.2%, Target 5.0%.
    row = summary.loc["ehcps-special-independent-pct"]
    assert (row["national"], row["statistical_neighbours"], row["regional"], row["target"]) == (5.2, 5.7, 6.2, 5.0)
    assert row["rag"] == "red"  # 11.5% against 5.0%, lower is better


def test_summary_kpi_without_values(summary):
    row = summary.loc["case-audits-good-outstanding-pct"]
    assert missing(row["latest"]) and missing(row["change"]) and missing(row["direction"])
    assert row["spark"] == []


def test_as_of_filters_later_periods(table, catalogue):
    # Scorecard `No. of complaints`: May 24 `18 ▲`, Jun 24 `17 ▼`.
    row = summarise(table, catalogue, as_of="2024-06").set_index("kpi_id").loc["complaints"]
    assert (row["latest_period"], row["latest"], row["previous"]) == ("2024-06", 17, 18)
    assert row["assessment"] == "better"
    assert len(row["spark"]) == 7  # Dec 23 … Jun 24


def test_as_of_cumulative_december(table, catalogue):
    # Mediations: Dec 24 `435` compared with Dec 23 `143`.
    row = summarise(table, catalogue, as_of="2024-12").set_index("kpi_id").loc["mediations-cumulative"]
    assert (row["latest"], row["previous_period"], row["previous"]) == (435, "2023-12", 143)


def test_as_of_cumulative_january_without_a_year_earlier_has_no_comparison(table, catalogue):
    # Mediations Jan 24 `23`: there is no Jan 23, and Dec 23's year total is no comparison.
    row = summarise(table, catalogue, as_of="2024-01").set_index("kpi_id").loc["mediations-cumulative"]
    assert row["latest"] == 23
    assert missing(row["previous"]) and missing(row["change"]) and missing(row["direction"])


def test_as_of_hides_later_notes(table, catalogue):
    # `Number of places available in Mainstream Provision` says `requested` only from Jun 24, and
    # `% ... EXPANDED` has its fraction note in Apr 24: neither existed as of Mar 24.
    rows = summarise(table, catalogue, as_of="2024-03").set_index("kpi_id")
    assert missing(rows.loc["places-mainstream", "latest_note"])
    assert rows.loc["eef-2yo-expanded", "latest_note"] != "read 0.316 as a fraction: 31.6%"
    assert "0.316" not in str(rows.loc["eef-2yo-expanded", "latest_note"])


def test_summarise_selected_kpis_only(table, catalogue):
    kpis = [catalogue["complaints"], catalogue["ehcps"]]
    out = summarise(table, catalogue, kpis=kpis)
    assert out["kpi_id"].tolist() == ["complaints", "ehcps"]


# --- moved_most -----------------------------------------------------------------------------------


def test_moved_most_orders_by_relative_change_and_skips_unjudged():
    frame = pd.DataFrame(
        [
            {"kpi_id": "a", "previous": 100.0, "change": -10.0, "assessment": "worse"},  # 10%
            {"kpi_id": "b", "previous": 10.0, "change": 5.0, "assessment": "better"},  # 50%
            {"kpi_id": "c", "previous": 4.0, "change": 1.0, "assessment": "worse"},  # 25%
            {"kpi_id": "d", "previous": 1.0, "change": 90.0, "assessment": "not judged"},
            {"kpi_id": "e", "previous": 0.0, "change": 3.0, "assessment": "better"},  # from zero: counts as 100%
            {"kpi_id": "f", "previous": 5.0, "change": 0.0, "assessment": "no change"},
        ]
    )
    assert moved_most(frame, n=3)["kpi_id"].tolist() == ["e", "b", "c"]
    assert moved_most(frame, n=10)["kpi_id"].tolist() == ["e", "b", "c", "a"]


def test_moved_most_on_the_bundled_store(summary):
    top = moved_most(summary.reset_index(), n=5)
    assert len(top) == 5
    assert set(top["assessment"]) <= {"better", "worse"}
    relative = (top["change"] / top["previous"].abs()).abs().tolist()
    assert relative == sorted(relative, reverse=True)


# --- increments and year on year -----------------------------------------------------------------


def test_increments_of_a_cumulative_series():
    # Mediations, scorecard seed: Dec 23 143, Jan 24 23, Feb 24 56, Mar 24 97, (no Apr), May 24 175.
    values = pd.Series({"2023-12": 143.0, "2024-01": 23.0, "2024-02": 56.0, "2024-03": 97.0, "2024-05": 175.0})
    out = increments(values)
    assert out["2024-01"] == 23  # January is its own increment
    assert out["2024-02"] == 33
    assert out["2024-03"] == 41
    assert math.isnan(out["2024-05"])  # April missing: no guess
    assert math.isnan(out["2023-12"])  # November missing


def test_increments_across_the_year_end():
    out = increments(pd.Series({"2024-12": 435.0, "2025-01": 42.0}))
    assert out["2025-01"] == 42
    assert math.isnan(out["2024-12"])


def test_increments_academic_year_resets_in_september():
    out = increments(pd.Series({"2024-08": 50.0, "2024-09": 4.0, "2024-10": 9.0}), reset="academic-year")
    assert out["2024-09"] == 4 and out["2024-10"] == 5


def test_year_on_year():
    values = pd.Series({"2024-01": 23.0, "2024-12": 435.0, "2025-01": 42.0})
    out = year_on_year(values)
    assert out["2025-01"] == 19
    assert np.isnan(out["2024-01"]) and np.isnan(out["2024-12"])


def test_year_on_year_for_years_and_terms():
    out = year_on_year(pd.Series({"2022": 11.9, "2023": 13.0, "2022/23 Autumn": 20.0, "2023/24 Autumn": 31.7}))
    assert out["2023"] == pytest.approx(1.1)
    assert out["2023/24 Autumn"] == pytest.approx(11.7)


# --- words, never colour alone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"direction": "down", "assessment": "worse"}, ["Down", "worse"]),
        ({"direction": "up", "assessment": "better"}, ["Up", "better"]),
        ({"direction": "up", "assessment": "not judged"}, ["Up"]),
        ({"direction": "flat", "assessment": "no change"}, ["No change"]),
        ({"direction": None, "assessment": None}, ["No comparison"]),
    ],
)
def test_change_words_say_it_in_words(row, words):
    text = change_words(row)
    for word in words:
        assert word in text


def test_change_words_distinguish_every_case():
    cases = [
        {"direction": d, "assessment": a}
        for d, a in [("up", "better"), ("up", "worse"), ("down", "better"), ("down", "worse"), ("up", "not judged"), ("flat", "no change"), (None, None)]
    ]
    texts = [change_words(c) for c in cases]
    assert len(set(texts)) == len(texts)
    # Stripped of symbols, the words alone still tell them apart.
    words = ["".join(ch for ch in t if ch.isalpha() or ch == " ").strip() for t in texts]
    assert len(set(words)) == len(words)


@pytest.mark.parametrize(("value", "word"), [("green", "On target"), ("amber", "Near target"), ("red", "Off target"), (None, "No target")])
def test_rag_words_say_it_in_words(value, word):
    assert word in rag_words(value)
