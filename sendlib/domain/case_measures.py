"""The statutory measures computed from case records, each rule written once.

Every measure is a population of requests (a boolean mask over the records) placed in a month or year by one of
its dates, or taken at the census: a count is the size of the population, a rate its numerator's share, a mean
the average of its days. The same masks give the figures (`compute`) and the cases behind a figure
(`cases_behind`), so a drill-down always lists exactly the cases a figure counted. Definitions, in words, are in
`data/catalogue/case_measures.csv` and on the Glossary page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from sendlib.domain.cases import case_measures

MEASURE_COLUMNS = ["measure", "period", "value", "numerator", "denominator", "note"]
WITHIN_20_DAYS = 140
OVER_32_DAYS = 224
OVER_52_DAYS = 364
WITHIN_6_DAYS = 42
REVIEW_DAYS = 365
_TENTH = Decimal("0.1")

Masks = dict[str, pd.Series]


def round_half_up(numerator: int, denominator: int, scale: int = 1) -> float:
    """numerator / denominator × scale to one decimal, halves up, computed exactly (no float 0.05 surprises)."""
    exact = Decimal(numerator * scale) / Decimal(denominator)
    return float(exact.quantize(_TENTH, rounding=ROUND_HALF_UP))


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days


def _masks(records: pd.DataFrame, census: dt.date | None) -> Masks:
    """Every population the measures use, by name: the rules themselves."""
    to_plan = _days(records["plan_start"], records["received"])
    to_decision = _days(records["request_outcome_date"], records["received"])
    new_plan = (records["assessment_outcome"] == "Y").fillna(False) & records["plan_start"].notna()
    excluding = new_plan & ~records["week20"].fillna(False).astype(bool)
    dfe = new_plan & ~records["mediation_or_tribunal"].fillna(False).astype(bool)
    decided = records["request_outcome"].isin(["Y", "N"]).fillna(False) & records["request_outcome_date"].notna()
    masks: Masks = {
        "request": pd.Series(True, index=records.index),
        "decided": decided,
        "decided_in_6": decided & (to_decision <= WITHIN_6_DAYS),
        "new_plan": new_plan,
        "new_plan_in_20": new_plan & (to_plan <= WITHIN_20_DAYS),
        "excluding": excluding,
        "excluding_in_20": excluding & (to_plan <= WITHIN_20_DAYS),
        "excluding_over_32": excluding & (to_plan > OVER_32_DAYS),
        "excluding_over_52": excluding & (to_plan > OVER_52_DAYS),
        "dfe": dfe,
        "dfe_in_20": dfe & (to_plan <= WITHIN_20_DAYS),
    }
    if census is not None:
        at = pd.Timestamp(census)
        year_before = pd.Timestamp(_year_before(census))
        in_return = records["census"] == at
        active = in_return & (records["plan_start"] <= at).fillna(False) & ~(records["cease_date"] <= at).fillna(False)
        due = active & (records["plan_start"] <= year_before).fillna(False)
        since_review = _days(pd.Series(at, index=records.index), records["review_meeting"])
        masks.update({
            "active": active,
            "review_due": due,
            "review_in_time": due & since_review.between(0, REVIEW_DAYS).fillna(False),
            "open_assessment": in_return & (records["request_outcome"] == "Y").fillna(False)
            & (records["assessment_outcome"] == "A").fillna(False),
            "awaiting_plan": in_return & (records["assessment_outcome"] == "Y").fillna(False)
            & records["plan_start"].isna(),
            "pending_request": in_return & (records["request_outcome"] == "A").fillna(False),
        })
    masks = {name: mask.fillna(False).astype(bool) for name, mask in masks.items()}
    masks["days_to_plan"] = to_plan.astype("float64")
    return masks


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Rule:
    """How one measure is made from the masks: which population, placed by which date, counted how."""

    placed: str | None  # the date column that puts a case in a month or year; None: at the census
    base: str  # the population counted (a count) or the denominator (a rate or mean)
    hit: str | None = None  # a rate's numerator
    per: int = 0  # a mean's divisor of days (7: weeks, 1: days); 0 when not a mean


_ISSUED, _DECIDED = "plan_start", "request_outcome_date"
RULES: dict[str, Rule] = {
    "requests_received": Rule("received", "request"),
    "decisions": Rule(_DECIDED, "decided"),
    "within_6": Rule(_DECIDED, "decided_in_6"),
    "rate_6": Rule(_DECIDED, "decided", "decided_in_6"),
    "plans_issued": Rule(_ISSUED, "new_plan"),
    "within_20_incl": Rule(_ISSUED, "new_plan_in_20"),
    "rate_incl": Rule(_ISSUED, "new_plan", "new_plan_in_20"),
    "plans_issued_ex": Rule(_ISSUED, "excluding"),
    "within_20_ex": Rule(_ISSUED, "excluding_in_20"),
    "rate_ex": Rule(_ISSUED, "excluding", "excluding_in_20"),
    "mean_weeks_ex": Rule(_ISSUED, "excluding", per=7),
    "mean_days_ex": Rule(_ISSUED, "excluding", per=1),
    "over_32_ex": Rule(_ISSUED, "excluding_over_32"),
    "pct_over_32_ex": Rule(_ISSUED, "excluding", "excluding_over_32"),
    "over_52_ex": Rule(_ISSUED, "excluding_over_52"),
    "pct_over_52_ex": Rule(_ISSUED, "excluding", "excluding_over_52"),
    "plans_issued_dfe": Rule(_ISSUED, "dfe"),
    "within_20_dfe": Rule(_ISSUED, "dfe_in_20"),
    "rate_dfe": Rule(_ISSUED, "dfe", "dfe_in_20"),
    "active_plans": Rule(None, "active"),
    "reviews_due": Rule(None, "review_due"),
    "reviews_in_time": Rule(None, "review_in_time"),
    "review_rate": Rule(None, "review_due", "review_in_time"),
    "open_assessments": Rule(None, "open_assessment"),
    "awaiting_plan": Rule(None, "awaiting_plan"),
    "pending_requests": Rule(None, "pending_request"),
}
_BASE_WORDS = {
    "decided": "decisions on requests",
    "new_plan": "new plans issued",
    "excluding": "new plans issued (excluding exceptions)",
    "dfe": "new plans issued on DfE's basis",
    "review_due": "annual reviews due",
}


def latest_census(records: pd.DataFrame) -> dt.date | None:
    if records.empty or records["census"].isna().all():
        return None
    return pd.Timestamp(records["census"].max()).date()


def periods(records: pd.DataFrame, census: dt.date | None) -> tuple[list[str], list[str]]:
    """Months and calendar years from the first request received to the census (or the last date held)."""
    if records.empty:
        return [], []
    first = pd.Timestamp(records["received"].min())
    last = pd.Timestamp(census) if census else max(
        pd.Timestamp(records[c].max()) for c in ("received", _DECIDED, _ISSUED) if records[c].notna().any())
    months = [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]
    years = [str(y) for y in range(first.year, last.year + 1)]
    return months, years


def _figure(rule: Rule, n: int, top: int) -> tuple[float | None, int | None, int | None, str | None]:
    """(value, numerator, denominator, note) from a period's population size and its numerator (or total days)."""
    if rule.hit is None and not rule.per:
        return float(n), None, None, None
    if n == 0:
        return None, top, 0, f"blank: no {_BASE_WORDS.get(rule.base, rule.base)} in this period"
    value = round_half_up(top, n, 100) if rule.hit else round_half_up(top, n * rule.per)
    return value, top, n, None


def _period_keys(placed: pd.Series) -> tuple[pd.Series, pd.Series]:
    return placed.dt.strftime("%Y-%m"), placed.dt.year.astype("Int64").astype("string")


def compute(records: pd.DataFrame, census: dt.date | None = None) -> pd.DataFrame:
    """Every measure × period: months, calendar years and the census date (`MEASURE_COLUMNS`)."""
    census = census or latest_census(records)
    masks = _masks(records, census)
    months, years = periods(records, census)
    keys = {column: _period_keys(records[column]) for column in {r.placed for r in RULES.values() if r.placed}}
    rows: list[tuple[object, ...]] = []
    for measure_id in case_measures():
        rule = RULES[measure_id]
        base = masks[rule.base]
        top = masks[rule.hit] if rule.hit else masks["days_to_plan"].where(base, 0).fillna(0).astype("int64")
        if rule.placed is None:
            if census is not None:
                rows.append((measure_id, census.isoformat(), *_figure(rule, int(base.sum()), int(top[base].sum()))))
            continue
        frame = pd.DataFrame({"n": base.astype("int64"), "top": top.where(base, 0).astype("int64")})
        for labels, key in zip((months, years), keys[rule.placed], strict=True):
            sums = frame.groupby(key, dropna=True).sum().reindex(labels, fill_value=0)
            rows.extend((measure_id, label, *_figure(rule, int(n), int(t)))
                        for label, n, t in zip(labels, sums["n"], sums["top"], strict=True))
    out = pd.DataFrame(rows, columns=MEASURE_COLUMNS)
    out["value"] = out["value"].astype("Float64")
    for column in ("numerator", "denominator"):
        out[column] = out[column].astype("Int64")
    return out


def in_period(placed: pd.Series, period: str) -> pd.Series:
    """Which cases a month (`2024-11`) or calendar year (`2024`) label takes in."""
    months, years = _period_keys(placed)
    inside: pd.Series = ((months if len(period) == 7 else years) == period).fillna(False)
    return inside


CASE_LIST_COLUMNS = ["case_ref", "received", "request_outcome", "request_outcome_date", "days_to_decision",
                     "assessment_outcome", "plan_start", "days_to_plan", "weeks_to_plan", "week20",
                     "mediation_or_tribunal", "cease_date", "review_meeting", "age", "need_type", "setting_type",
                     "counted"]


def cases_behind(records: pd.DataFrame, measure_id: str, period: str, census: dt.date | None = None) -> pd.DataFrame:
    """The requests a figure counted (for a rate or mean: its denominator, `counted` marking the numerator)."""
    rule = RULES[measure_id]
    census = census or latest_census(records)
    masks = _masks(records, census)
    if rule.placed is None:
        at_census = census is not None and period == census.isoformat()
        chosen = masks[rule.base] if at_census else pd.Series(False, index=records.index)
    else:
        chosen = masks[rule.base] & in_period(records[rule.placed], period)
    counted = masks[rule.hit] if rule.hit else masks[rule.base]
    return case_rows(records[chosen], counted[chosen])


def case_rows(records: pd.DataFrame, counted: pd.Series | None = None) -> pd.DataFrame:
    """Records as a case list shows them: with the days and weeks each took, oldest request first."""
    out = records.copy()
    out["days_to_decision"] = _days(out["request_outcome_date"], out["received"]).astype("Int64")
    out["days_to_plan"] = _days(out["plan_start"], out["received"]).astype("Int64")
    out["weeks_to_plan"] = (out["days_to_plan"].astype("Float64") / 7).round(1)
    out["counted"] = counted.astype(bool) if counted is not None else True
    return out[CASE_LIST_COLUMNS].sort_values(["received", "case_ref"], kind="stable").reset_index(drop=True)
