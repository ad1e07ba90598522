"""Case records: one row per request for an EHC needs assessment, holding only what the measures need.

A SEN2 return carries names, postcodes, dates of birth, UPNs and ULNs; none of them is kept. A person is a keyed
pseudonymous `case_ref` (see `pseudonym`), and a request is the same request when its `case_ref` and `received`
date are the same, so loading a return again (or the next year's, or the other layout) updates rows instead of
counting them twice. The records are their own side table (`tables/cases/`), so figure uploads and restores
never touch them.
"""

from __future__ import annotations

import csv
from functools import cache
from typing import Literal

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from sendlib.domain.paths import CATALOGUE_DIR
from sendlib.domain.table_spec import TableSpec

CASE_KEY = ["case_ref", "received"]
DATE_COLUMNS = ["received", "request_outcome_date", "assessment_outcome_date", "plan_start", "cease_date",
                "review_meeting"]
_ARROW = pa.schema([
    ("case_ref", pa.string()),
    ("received", pa.date32()),
    ("la", pa.string()),
    ("census", pa.date32()),
    ("request_outcome", pa.string()),
    ("request_outcome_date", pa.date32()),
    ("assessment_outcome", pa.string()),
    ("assessment_outcome_date", pa.date32()),
    ("week20", pa.bool_()),
    ("mediation_or_tribunal", pa.bool_()),
    ("plan_start", pa.date32()),
    ("cease_date", pa.date32()),
    ("review_meeting", pa.date32()),
    ("age", pa.int16()),
    ("need_type", pa.string()),
    ("setting_type", pa.string()),
])
CASE_COLUMNS = list(_ARROW.names)
_STRINGS = ["case_ref", "la", "request_outcome", "assessment_outcome", "need_type", "setting_type"]


def normalise_cases(df: pd.DataFrame) -> pd.DataFrame:
    """Exact dtypes, one row per request (the row from the latest census wins), a stable order."""
    out = pd.DataFrame(index=df.index)
    for column in CASE_COLUMNS:
        values = df[column] if column in df else pd.Series(pd.NA, index=df.index)
        if column in _STRINGS:
            out[column] = values.astype("string")
        elif column in (*DATE_COLUMNS, "census"):
            out[column] = pd.to_datetime(values, errors="raise").astype("datetime64[s]")
        elif column == "age":
            out[column] = pd.to_numeric(values).astype("Int16")
        else:
            out[column] = values.astype("boolean")
    out = out.sort_values([*CASE_KEY, "census"], kind="stable").drop_duplicates(CASE_KEY, keep="last")
    return out.reset_index(drop=True)


CASES = TableSpec("cases", _ARROW, normalise_cases, per_authority=True)

MeasureKind = Literal["count", "rate", "mean"]
MeasureBasis = Literal["received", "decided", "issued", "census"]
BASIS_WORDS: dict[str, str] = {
    "received": "by the month or year the request was received",
    "decided": "by the month or year the request was decided",
    "issued": "by the month or year the plan was issued",
    "census": "at the census date",
}


class CaseMeasure(BaseModel):
    """One statutory measure computed from case records, as `data/catalogue/case_measures.csv` defines it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    kind: MeasureKind
    unit: Literal["count", "percent", "weeks", "days"]
    basis: MeasureBasis
    numerator_of: str | None = None
    feeds: str | None = None
    definition: str


@cache
def case_measures() -> dict[str, CaseMeasure]:
    """Every measure by id, in the file's order (the order of the measures table and the Glossary)."""
    with (CATALOGUE_DIR / "case_measures.csv").open(newline="", encoding="utf-8") as fh:
        rows = [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(fh)]
    return {row["id"]: CaseMeasure.model_validate(row) for row in rows if row["id"]}


def measure(measure_id: str) -> CaseMeasure:
    """The measure, or a KeyError that lists the ids there are."""
    measures = case_measures()
    if measure_id not in measures:
        raise KeyError(f"no measure {measure_id!r}; the measures are {', '.join(measures)}")
    return measures[measure_id]


def fed_kpis() -> dict[str, str]:
    """measure id -> the catalogue KPI its computed figure sits beside."""
    return {m.id: m.feeds for m in case_measures().values() if m.feeds}
