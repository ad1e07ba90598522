"""Latest, previous, change, and whether the change is good news — per KPI, by its polarity.

A change is judged by the KPI's polarity, never by its sign alone: fewer complaints is better,
fewer plans issued on time is worse. RAG compares the latest value with the target, with a
tolerance band for amber (the KPI's own, else DEFAULT_TOLERANCE for its unit):

  higher is better:  green  latest >= target
                     amber  target - tolerance <= latest < target
                     red    latest < target - tolerance
  lower is better:   the mirror image.
  neutral KPIs are never rated.

Cumulative series (calendar-year totals that reset in January) are compared with the same period
a year earlier, because comparing January's fresh count with December's year total says nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from sendlib.domain.catalogue import KPI, Catalogue
from sendlib.domain.periods import PeriodError, parse_period, shift_month, sort_key
from sendlib.domain.schema import BENCHMARK_SERIES

Direction = Literal["up", "down", "flat"]
Assessment = Literal["better", "worse", "no change", "not judged"]
Rag = Literal["green", "amber", "red"]

DEFAULT_TOLERANCE = {"percent": 2.0, "days": 14.0, "weeks": 2.0, "score": 0.05}
DEFAULT_COUNT_TOLERANCE_SHARE = 0.05
SPARK_POINTS = 15

DIRECTION_SYMBOL = {"up": "▲", "down": "▼", "flat": "▶"}
DIRECTION_WORD = {"up": "Up", "down": "Down", "flat": "No change"}
RAG_LABEL = {"green": "On target", "amber": "Near target", "red": "Off target"}
RAG_SYMBOL = {"green": "✔", "amber": "◆", "red": "✖"}
ASSESSMENT_SYMBOL = {"better": "✔", "worse": "✖", "no change": "●", "not judged": ""}

SUMMARY_COLUMNS = [
    "kpi_id", "scorecard", "theme", "name", "unit", "polarity", "frequency", "cumulative",
    "latest_period", "latest", "latest_note", "previous_period", "previous", "change",
    "comparison", "direction", "assessment", "target", "rag", "national",
    "statistical_neighbours", "regional", "spark",
]


def tolerance(kpi: KPI) -> float:
    if kpi.tolerance is not None:
        return kpi.tolerance
    if kpi.unit == "count":
        return max(1.0, abs(kpi.target or 0) * DEFAULT_COUNT_TOLERANCE_SHARE)
    return DEFAULT_TOLERANCE[kpi.unit]


def direction(change: float | None) -> Direction | None:
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return None
    if abs(change) < 1e-9:
        return "flat"
    return "up" if change > 0 else "down"


def assess(change: float | None, polarity: str) -> Assessment | None:
    d = direction(change)
    if d is None:
        return None
    if d == "flat":
        return "no change"
    if polarity == "neutral":
        return "not judged"
    good = (d == "up") == (polarity == "higher_better")
    return "better" if good else "worse"


def rag(latest: float | None, target: float | None, polarity: str, tol: float) -> Rag | None:
    if latest is None or target is None or polarity == "neutral":
        return None
    if any(isinstance(x, float) and math.isnan(x) for x in (latest, target)):
        return None
    gap = latest - target if polarity == "higher_better" else target - latest
    if gap >= -1e-9:
        return "green"
    if gap >= -tol - 1e-9:
        return "amber"
    return "red"


def off_target(latest: float | None, target: float | None, polarity: str) -> float | None:
    """How far a figure falls short of its target on the wrong side, in the measure's own unit (points, days,
    counts): 0 when the target is met; None when there is nothing to judge (no figure, no target, no good direction)."""
    if latest is None or target is None or polarity == "neutral":
        return None
    if any(isinstance(x, float) and math.isnan(x) for x in (latest, target)):
        return None
    return max(0.0, target - latest if polarity == "higher_better" else latest - target)


def off_target_tolerances(latest: float | None, target: float | None, polarity: str, tol: float) -> float | None:
    """How far off target a figure is, counted in its measure's tolerance (the band `rag` calls near target): so a
    rate 33 points short (16.6 tolerances of 2 points) and a wait 18 weeks over (9.3 of 2 weeks) rank on one scale,
    each in its own terms, and anything past 1 is off target."""
    gap = off_target(latest, target, polarity)
    if gap is None:
        return None
    return gap / tol if tol > 0 else (math.inf if gap else 0.0)


def _period_start(label: str) -> dt.date | None:
    try:
        return parse_period(label).start
    except PeriodError:
        return None


def year_earlier(label: str) -> str | None:
    try:
        p = parse_period(label)
    except PeriodError:
        return None
    if p.kind == "month":
        return shift_month(label, -12)
    if p.kind == "calendar-year":
        return f"{int(label) - 1:04d}"
    if p.kind in ("academic-year", "quarter", "term", "half-term"):
        first = int(label[:4]) - 1
        return f"{first:04d}/{(first + 1) % 100:02d}{label[7:]}"
    return None


def actual_series(table: pd.DataFrame, as_of: str | None = None) -> pd.DataFrame:
    """Actual values with a value, ordered in time within each KPI; optionally only up to `as_of`."""
    actual = table[(table["series"] == "actual") & table["value"].notna()][["kpi_id", "period", "value", "count", "note"]]
    periods = sorted(set(actual["period"]), key=sort_key)
    rank = {p: i for i, p in enumerate(periods)}
    actual = actual.assign(_rank=actual["period"].map(rank))
    if as_of:
        cutoff = _period_start(as_of)
        if cutoff is not None:
            keep = {p for p in periods if (s := _period_start(p)) is not None and s <= cutoff}
            actual = actual[actual["period"].isin(keep)]
    return actual.sort_values(["kpi_id", "_rank"], kind="stable")


def summarise(table: pd.DataFrame, catalogue: Catalogue, *, as_of: str | None = None,
              kpis: list[KPI] | None = None) -> pd.DataFrame:
    """One row per KPI (every KPI asked for, with or without data), everything a table or tile shows."""
    kpis = kpis if kpis is not None else list(catalogue)
    actual = actual_series(table, as_of)
    groups = {k: g for k, g in actual.groupby("kpi_id", sort=False)}
    lookup = {(k, p): v for k, p, v in zip(actual["kpi_id"], actual["period"], actual["value"])}
    notes = actual_series(table[table["note"].notna()].assign(value=0.0), as_of)
    latest_note = notes.drop_duplicates("kpi_id", keep="last").set_index("kpi_id")["note"].to_dict()
    undated = table[table["series"] != "actual"]
    undated = undated[undated["value"].notna()].drop_duplicates(["kpi_id", "series"], keep="last")
    bench = {(k, s): v for k, s, v in zip(undated["kpi_id"], undated["series"], undated["value"])}

    rows = []
    for kpi in kpis:
        g = groups.get(kpi.id)
        latest = previous = change = None
        latest_period = previous_period = comparison = None
        spark: list[float] = []
        if g is not None and len(g):
            values = g["value"].to_numpy(dtype=float)
            periods = g["period"].tolist()
            latest, latest_period = float(values[-1]), periods[-1]
            spark = [float(v) for v in values[-SPARK_POINTS:]]
            if kpi.cumulative != "none" and (earlier := year_earlier(latest_period)) and (kpi.id, earlier) in lookup:
                previous, previous_period, comparison = float(lookup[(kpi.id, earlier)]), earlier, "same period last year"
            elif len(values) > 1:
                previous, previous_period, comparison = float(values[-2]), periods[-2], "previous period"
                if kpi.cumulative == "calendar-year" and latest_period.endswith("-01"):
                    previous = previous_period = comparison = None  # the total restarted this month
            if previous is not None:
                change = latest - previous
        target = bench.get((kpi.id, "target"), kpi.target)
        rows.append({
            "kpi_id": kpi.id,
            "scorecard": kpi.scorecard,
            "theme": kpi.theme,
            "name": catalogue.qualified_name(kpi) if kpi.id in catalogue else kpi.name,
            "unit": kpi.unit,
            "polarity": kpi.polarity,
            "frequency": kpi.frequency,
            "cumulative": kpi.cumulative,
            "latest_period": latest_period,
            "latest": latest,
            "latest_note": latest_note.get(kpi.id),
            "previous_period": previous_period,
            "previous": previous,
            "change": change,
            "comparison": comparison,
            "direction": direction(change),
            "assessment": assess(change, kpi.polarity),
            "target": target,
            "rag": rag(latest, target, kpi.polarity, tolerance(kpi.model_copy(update={"target": target}))),
            **{s: bench.get((kpi.id, s)) for s in BENCHMARK_SERIES},
            "spark": spark,
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def moved_most(summary: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The largest relative changes that can be judged better or worse: what a board asks about."""
    judged = summary[summary["assessment"].isin(["better", "worse"])].copy()
    if judged.empty:
        return judged
    base = judged["previous"].abs().replace(0, np.nan)
    judged["relative_change"] = (judged["change"] / base).fillna(np.sign(judged["change"]))
    return judged.reindex(judged["relative_change"].abs().sort_values(ascending=False).index).head(n)


def increments(values: pd.Series, reset: str = "calendar-year") -> pd.Series:
    """Monthly increments of a cumulative series indexed by month labels (`2024-03`).

    The first month of each year is its own increment; a month whose predecessor is missing
    has no increment (NaN), rather than a guess.
    """
    reset_month = 1 if reset == "calendar-year" else 9
    out = {}
    for key, value in values.items():
        label = cast(str, key)  # the index holds month labels; pandas-stubs types it as Hashable
        month = int(label[5:7])
        if month == reset_month:
            out[label] = value
        else:
            prior = shift_month(label, -1)
            out[label] = value - values[prior] if prior in values.index else np.nan
    return pd.Series(out, dtype=float)


def year_on_year(values: pd.Series) -> pd.Series:
    """Change on the same period a year earlier, for series indexed by period labels."""
    out = {}
    for key, value in values.items():
        label = cast(str, key)  # the index holds period labels; pandas-stubs types it as Hashable
        earlier = year_earlier(label)
        out[label] = value - values[earlier] if earlier is not None and earlier in values.index else np.nan
    return pd.Series(out, dtype=float)


def change_words(row: pd.Series | Mapping[str, Any]) -> str:
    """`▲ Up – better`: the arrow, the direction and the judgement in words, never colour alone."""
    d = row["direction"]
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "No comparison"
    text = f"{DIRECTION_SYMBOL[d]} {DIRECTION_WORD[d]}"
    a = row["assessment"]
    if a in ("better", "worse"):
        text += f" – {a}"
    return text


def rag_words(value: object) -> str:
    if value in RAG_LABEL:
        return f"{RAG_SYMBOL[value]} {RAG_LABEL[value]}"
    return "No target"
