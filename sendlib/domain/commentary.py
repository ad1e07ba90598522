"""Managers' commentary on KPIs and on a month as a whole: the model, its table, and looking it up.

Commentary lives in `tables/commentary/` beside the values, so uploading figures or restoring an old values
version never touches what managers wrote (and the reverse). The table holds the current text for each
(scorecard, kpi_id, period); every save is a new version of it, so earlier texts stay in its history.
An empty text deletes. `kpi_id` is "" for the overall commentary of a month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.table_spec import TableSpec
from sendlib.domain.text import one_line, safe_text

COMMENT_KEY = ["scorecard", "kpi_id", "period"]
COMMENT_COLUMNS = [*COMMENT_KEY, "text", "author", "created_at"]
MAX_COMMENT_CHARS = 5000

_ARROW = pa.schema([(c, pa.string()) for c in COMMENT_COLUMNS])


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """String columns, one row per key (the last written wins), in a stable order. The text and its author pass
    `domain.text`'s rule here, which every write and every read runs, so a comment stored before the rule reads
    clean too."""
    out = pd.DataFrame({c: df[c].astype("string") if c in df else pd.Series(dtype="string") for c in COMMENT_COLUMNS})
    for c in ("scorecard", "kpi_id", "period", "text"):
        out[c] = out[c].fillna("")
    out["text"] = out["text"].map(safe_text).astype("string")
    out["author"] = out["author"].map(one_line, na_action="ignore").astype("string")
    out = out.drop_duplicates(COMMENT_KEY, keep="last")
    return out.sort_values(COMMENT_KEY, kind="stable").reset_index(drop=True)


COMMENTARY = TableSpec("commentary", _ARROW, _normalise, per_authority=True)


class Comment(BaseModel):
    """One commentary text as it crosses into the store: a KPI's (or, with `kpi_id` "", the month's)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    scorecard: str = Field(min_length=1)
    kpi_id: str = ""
    period: str
    text: str = Field(default="", max_length=MAX_COMMENT_CHARS)
    author: str | None = None
    created_at: str = Field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @field_validator("text", mode="after")
    @classmethod
    def _safe_text(cls, value: str) -> str:
        return safe_text(value)

    @field_validator("author", mode="after")
    @classmethod
    def _one_line_author(cls, value: str | None) -> str | None:
        return one_line(value) if value is not None else None

    @field_validator("period", mode="before")
    @classmethod
    def _canonical_period(cls, value: object) -> str:
        try:
            return parse_period(value).label
        except PeriodError as exc:
            raise ValueError(str(exc)) from None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scorecard, self.kpi_id, self.period)


def comment_lookup(comments: pd.DataFrame, scorecard: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(kpi_id, period) → the comment's row, for one scorecard."""
    rows = comments[comments["scorecard"] == scorecard]
    # pandas-stubs keys records by Hashable; the commentary table's columns are all named by str.
    records = cast(list[dict[str, Any]], rows.to_dict("records"))
    return {(r["kpi_id"], r["period"]): r for r in records if r["text"]}


def comment_text(lookup: dict[tuple[str, str], dict[str, Any]], kpi_id: str, *periods: str | None) -> str:
    """The first comment found for the KPI among `periods` (its own latest period first, then the report month)."""
    for period in periods:
        if period and (kpi_id, period) in lookup:
            return str(lookup[(kpi_id, period)]["text"])
    return ""


def byline(row: Mapping[str, object]) -> str:
    """`Jo Bloggs, 2024-04-10 09:12 UTC`: who wrote a comment and when, for the report and the pages."""
    when = str(row.get("created_at") or "").replace("T", " ")[:16]
    who = row.get("author") or "author not recorded"
    return f"{who}, {when} UTC" if when else str(who)


def latest_comments(comments: pd.DataFrame, summary: pd.DataFrame) -> dict[str, str]:
    """KPI id → the commentary on its latest period, for the rows of a summary (tables show it beside the figures)."""
    lookups = {sc: comment_lookup(comments, sc) for sc in set(summary["scorecard"])}
    out = {}
    for kpi_id, scorecard, period in zip(summary["kpi_id"], summary["scorecard"], summary["latest_period"]):
        text = comment_text(lookups[scorecard], kpi_id, period if isinstance(period, str) else None)
        if text:
            out[kpi_id] = text
    return out
