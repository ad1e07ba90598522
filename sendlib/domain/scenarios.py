"""Forecast scenarios saved by name per authority, the placement mix and unit costs, and the cost projection.

A saved scenario is the rates a manager changed (request growth, conversion, leaving), the share of plans in each
placement and what a place costs a year. They live in a side table (`delta/scenarios/`, each authority's rows its own
partition), one row per (authority, name): each save is a version of that authority's, so an earlier scenario stays
in its history, and figure uploads never touch it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sendlib.domain.forecast import Forecast, Scenario
from sendlib.domain.table_spec import TableSpec

PLACEMENTS = ("mainstream", "special_maintained", "independent", "post16", "eotas")
PLACEMENT_WORDS = {
    "mainstream": "Mainstream (state-funded)",
    "special_maintained": "Special school (state-funded)",
    "independent": "Independent or non-maintained",
    "post16": "Post-16 (further education)",
    "eotas": "Education otherwise than at school",
}
# DfE's caseload indicators (January census, plans by placement) summed into the five placements. Alternative
# provision, early years and placements not known are left out and the five shares scaled to one: the mix is of
# plans in a placement a cost applies to.
DFE_PLACEMENTS: dict[str, tuple[tuple[str, float], ...]] = {
    "mainstream": (("mainstream_total", 1.0), ("mainstream_independent", -1.0)),
    "special_maintained": (("special_la_maintained", 1.0), ("special_academy_free", 1.0)),
    "independent": (("special_independent", 1.0), ("special_non_maintained", 1.0), ("mainstream_independent", 1.0)),
    "post16": (("fe_total", 1.0),),
    "eotas": (("ed_elsewhere", 1.0),),
}
MIX_SOURCES = ("dfe", "own", "entered")
MAX_NAME = 80
SCENARIO_COLUMNS = ["name", "request_growth", "conversion", "leaving",
                    *(f"share_{p}" for p in PLACEMENTS), *(f"cost_{p}" for p in PLACEMENTS),
                    "mix_source", "author", "created_at"]
_TEXT = {"name", "mix_source", "author", "created_at"}
_ARROW = pa.schema([(c, pa.string() if c in _TEXT else pa.float64()) for c in SCENARIO_COLUMNS])


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in SCENARIO_COLUMNS:
        values = df[c] if c in df else pd.Series(pd.NA, index=df.index)
        out[c] = values.astype("string") if c in _TEXT else pd.to_numeric(values).astype("Float64")
    out = out.drop_duplicates("name", keep="last")
    return out.sort_values("name", kind="stable").reset_index(drop=True)


SCENARIOS = TableSpec("scenarios", _ARROW, _normalise, per_authority=True)


class SavedScenario(BaseModel):
    """A named scenario as it crosses into the store: rates (None: the fitted one), the placement mix (shares that
    sum to one) and unit costs (£ a place a year, 0 when not entered)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=MAX_NAME)
    request_growth: float = Field(default=0.0, ge=-50, le=50)
    conversion: float | None = Field(default=None, gt=0, le=3)
    leaving: float | None = Field(default=None, ge=0, le=1)
    mix: dict[str, float] = Field(default_factory=dict)
    costs: dict[str, float] = Field(default_factory=dict)
    mix_source: str = "entered"
    author: str | None = None
    created_at: str = Field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @field_validator("mix", "costs")
    @classmethod
    def _placements(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(PLACEMENTS))
        if unknown:
            raise ValueError(f"not a placement: {', '.join(unknown)} (one of {', '.join(PLACEMENTS)})")
        if any(not math.isfinite(v) or v < 0 for v in value.values()):
            raise ValueError("shares and costs are numbers of at least 0")
        return {p: float(value.get(p, 0.0)) for p in PLACEMENTS}

    @model_validator(mode="after")
    def _mix_sums_to_one(self) -> SavedScenario:
        total = sum(self.mix.values())
        if self.mix and total > 0 and abs(total - 1) > 0.005:
            raise ValueError(f"the placement shares add up to {total:.1%}, not 100%")
        if self.mix_source not in MIX_SOURCES:
            raise ValueError(f"mix source is one of {', '.join(MIX_SOURCES)}")
        return self

    @property
    def scenario(self) -> Scenario:
        return Scenario(self.request_growth, self.conversion, self.leaving)

    def row(self) -> dict[str, object]:
        return {"name": self.name, "request_growth": self.request_growth, "conversion": self.conversion,
                "leaving": self.leaving, **{f"share_{p}": self.mix.get(p) for p in PLACEMENTS},
                **{f"cost_{p}": self.costs.get(p) for p in PLACEMENTS}, "mix_source": self.mix_source,
                "author": self.author, "created_at": self.created_at}


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(str(value))
    return None if math.isnan(number) else number


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value)


def scenarios_of(table: pd.DataFrame) -> dict[str, SavedScenario]:
    """The table's rows as scenarios, by name."""
    out = {}
    for r in table.to_dict("records"):
        shares = {p: _number(r.get(f"share_{p}")) for p in PLACEMENTS}
        costs = {p: _number(r.get(f"cost_{p}")) for p in PLACEMENTS}
        out[str(r["name"])] = SavedScenario(
            name=str(r["name"]), request_growth=_number(r.get("request_growth")) or 0.0,
            conversion=_number(r.get("conversion")), leaving=_number(r.get("leaving")),
            mix={p: v for p, v in shares.items() if v is not None}, costs={p: v for p, v in costs.items() if v is not None},
            mix_source=_text(r.get("mix_source")) or "entered", author=_text(r.get("author")),
            created_at=_text(r.get("created_at")) or "")
    return out


def dfe_mix(dfe: pd.DataFrame, la: str) -> tuple[dict[str, float], str] | None:
    """The authority's plans by placement at DfE's latest census, as shares of the five placements, and the census;
    None when DfE's release has no placement breakdown for it."""
    rows = dfe[(dfe["dataset"] == "caseload") & (dfe["geographic_level"] == "local_authority")
               & (dfe["old_la_code"].astype(str) == la)]
    if rows.empty:
        return None
    latest = rows[rows["period"] == rows["period"].max()]
    figures = latest.drop_duplicates("indicator", keep="last").set_index("indicator")["value"].astype(float)
    counts = {p: sum(k * float(figures.get(i, math.nan)) for i, k in parts) for p, parts in DFE_PLACEMENTS.items()}
    if not all(math.isfinite(v) and v >= 0 for v in counts.values()) or sum(counts.values()) <= 0:
        return None
    total = sum(counts.values())
    return {p: v / total for p, v in counts.items()}, str(latest["period"].iloc[0])


COST_COLUMNS = ["period", "placement", "plans", "unit_cost", "cost", "lower", "upper", "lower50", "upper50"]


def cost_projection(fc: Forecast, mix: Mapping[str, float], costs: Mapping[str, float]) -> pd.DataFrame:
    """EHC plans forecast × placement share × unit cost, one row per period and placement and a `total` row per
    period; the intervals are the forecast's, scaled the same way (the mix and costs are taken as given)."""
    rows = []
    for p in fc.points:
        total = dict.fromkeys(("cost", "lower", "upper", "lower50", "upper50"), 0.0)
        for place in PLACEMENTS:
            share, unit = mix.get(place, 0.0), costs.get(place, 0.0)
            k = share * unit
            row = {"period": p.period, "placement": place, "plans": p.value * share, "unit_cost": unit,
                   "cost": p.value * k, "lower": p.lower * k, "upper": p.upper * k, "lower50": p.lower50 * k,
                   "upper50": p.upper50 * k}
            rows.append(row)
            for c in total:
                total[c] += float(row[c])  # type: ignore[arg-type]
        rows.append({"period": p.period, "placement": "total", "plans": p.value, "unit_cost": math.nan, **total})
    return pd.DataFrame(rows, columns=COST_COLUMNS)
