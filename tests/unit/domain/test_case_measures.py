"""Every measure, monthly, yearly and at the census, against the generator's own oracle, and the edge days."""

from __future__ import annotations

import pandas as pd
import pytest
import sen2_synthetic as synth

from sendlib.domain.case_measures import RULES, cases_behind, compute, round_half_up
from sendlib.domain.cases import case_measures
from sendlib.files.sen2 import read_sen2
from sendlib.workflows.cases import records_frame

KEY = b"test-key"


def _figures(made: synth.Synthetic) -> pd.DataFrame:
    return compute(records_frame(read_sen2(made.xml, KEY)), made.census)


def _as_tuple(value: object, numerator: object, denominator: object) -> tuple[float | None, ...]:
    return tuple(None if v is None or pd.isna(v) else float(v) for v in (value, numerator, denominator))


def _mismatches(made: synth.Synthetic) -> list[str]:
    figures = _figures(made)
    got = {(m, p): _as_tuple(v, n, d) for m, p, v, n, d in figures[
        ["measure", "period", "value", "numerator", "denominator"]].itertuples(index=False)}
    wrong = [f"{key}: {got.get(key)} != {_as_tuple(e.value, e.numerator, e.denominator)}"
             for key, e in made.expected.items() if got.get(key) != _as_tuple(e.value, e.numerator, e.denominator)]
    wrong += [f"{key} not expected" for key in set(got) - set(made.expected)]
    return wrong


@pytest.mark.parametrize("layout", ["2024", "2025"])
def test_every_measure_matches_the_oracle(layout: str) -> None:
    made = synth.generate(3000, seed=11, layout=layout)
    assert len(made.expected) > 1000
    assert _mismatches(made) == []


def test_the_edge_cases_alone() -> None:
    assert _mismatches(synth.edge_case_return()) == []


def test_every_measure_in_the_catalogue_has_a_rule_and_the_reverse() -> None:
    assert set(case_measures()) == set(RULES)


@pytest.mark.parametrize(("days", "within_20", "over_32", "over_52"), [
    (139, True, False, False), (140, True, False, False), (141, False, False, False),
    (224, False, False, False), (225, False, True, False), (364, False, True, False), (365, False, True, True),
])
def test_the_day_boundaries_of_plans(days: int, within_20: bool, over_32: bool, over_52: bool) -> None:
    made = synth.edge_case_return()
    records = records_frame(read_sen2(made.xml, KEY))
    month = synth.edge_issue_date(made.census).strftime("%Y-%m")
    ref = _ref_of(records, made, f"days_{days}")
    for measure, expected in (("rate_ex", within_20), ("pct_over_32_ex", over_32), ("pct_over_52_ex", over_52)):
        cases = cases_behind(records, measure, month)
        assert bool(cases.loc[cases["case_ref"] == ref, "counted"].item()) is expected, measure
        assert cases.loc[cases["case_ref"] == ref, "days_to_plan"].item() == days


@pytest.mark.parametrize(("days", "in_time"), [(41, True), (42, True), (43, False)])
@pytest.mark.parametrize("outcome", ["Y", "N"])
def test_the_day_boundaries_of_decisions(days: int, in_time: bool, outcome: str) -> None:
    made = synth.edge_case_return()
    records = records_frame(read_sen2(made.xml, KEY))
    cases = cases_behind(records, "rate_6", synth.edge_decision_date(made.census).strftime("%Y-%m"))
    ref = _ref_of(records, made, f"decided_{days}_{outcome}")
    assert bool(cases.loc[cases["case_ref"] == ref, "counted"].item()) is in_time


@pytest.mark.parametrize(("name", "in_time"), [("review_365", True), ("review_366", False),
                                               ("start_year_before", True)])
def test_reviews_365_and_366_days_before_the_census(name: str, in_time: bool) -> None:
    made = synth.edge_case_return()
    records = records_frame(read_sen2(made.xml, KEY))
    cases = cases_behind(records, "review_rate", made.census.isoformat())
    assert bool(cases.loc[cases["case_ref"] == _ref_of(records, made, name), "counted"].item()) is in_time


def test_plans_ceased_on_the_census_are_not_active() -> None:
    made = synth.edge_case_return()
    records = records_frame(read_sen2(made.xml, KEY))
    active = set(cases_behind(records, "active_plans", made.census.isoformat())["case_ref"])
    assert _ref_of(records, made, "ceased_on_census") not in active
    assert _ref_of(records, made, "ceased_after_census") in active


def test_a_blank_rate_says_why() -> None:
    made = synth.edge_case_return()
    figures = _figures(made)
    blank = figures[(figures["measure"] == "rate_ex") & (figures["denominator"] == 0)]
    assert len(blank) and blank["value"].isna().all()
    assert blank["note"].str.contains("no new plans issued").all()


@pytest.mark.parametrize(("num", "den", "scale", "expected"), [
    (1, 8, 100, 12.5), (1, 16, 100, 6.3), (1, 3, 100, 33.3), (2, 3, 100, 66.7), (5, 1000, 100, 0.5),
    (1, 2000, 100, 0.1), (1, 40, 1, 0.0), (3, 40, 1, 0.1),
])
def test_rounding_is_half_up_and_exact(num: int, den: int, scale: int, expected: float) -> None:
    assert round_half_up(num, den, scale) == expected


def test_the_cases_behind_a_figure_are_the_ones_it_counted() -> None:
    made = synth.generate(2000, seed=12)
    records = records_frame(read_sen2(made.xml, KEY))
    figures = compute(records, made.census)
    for measure in ("rate_ex", "rate_6", "plans_issued", "review_rate", "active_plans"):
        rows = figures[(figures["measure"] == measure) & figures["value"].notna()].tail(3)
        for period, value, numerator, denominator in rows[["period", "value", "numerator", "denominator"]].itertuples(
                index=False):
            cases = cases_behind(records, measure, period)
            if pd.isna(denominator):
                assert len(cases) == value
            else:
                assert (len(cases), int(cases["counted"].sum())) == (denominator, numerator)


def _ref_of(records: pd.DataFrame, made: synth.Synthetic, name: str) -> str:
    """The case reference the reader gave an edge person (found by their UPN through the same key)."""
    from sendlib.domain.pseudonym import ref_for_upn

    ref = ref_for_upn(KEY, synth.EDGE_UPNS[name])
    assert ref in set(records["case_ref"])
    return ref
