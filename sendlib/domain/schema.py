"""The store's one tidy table: its columns, types and row order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sendlib.domain.periods import sort_key
from sendlib.domain.table_spec import TableSpec
from sendlib.domain.text import safe_series

COLUMNS = ["scorecard", "kpi_id", "period", "series", "value", "count", "note"]
KEY = ["scorecard", "kpi_id", "period", "series"]
# `baseline`: where a measure started from, undated like an undated target (other councils' scorecards carry one).
SERIES = ["actual", "target", "baseline", "national", "statistical_neighbours", "regional"]
# Figures computed from case records: never uploaded or stored as figures (they are made from the `cases` table on
# reading), but shown and extracted beside the typed `actual`.
COMPUTED = "computed"
EXTRACT_SERIES = [*SERIES, COMPUTED]
BENCHMARK_SERIES = ["national", "statistical_neighbours", "regional"]
SERIES_WORDS = {
    "actual": "Actual",
    "target": "Target",
    "baseline": "Baseline",
    "national": "England",
    "statistical_neighbours": "Statistical neighbours",
    "regional": "Region",
    COMPUTED: "Computed from case records",
}
# The one table of series column headings, for every layout that reads or writes them: the first heading of
# each is the one the wide layout writes (the scorecard's own: Nat, SN, SW, Target); the rest are read as
# the same series (case, spaces and underscores aside). In the scorecard's column order, then Baseline, which the
# scorecard does not have (the wide layout writes it only for a measure that has one).
SERIES_HEADINGS: dict[str, tuple[str, ...]] = {
    "national": ("Nat", "National", "England"),
    "statistical_neighbours": ("SN", "Stat neighbours", "Statistical neighbours", "Statistical neighbour"),
    "regional": ("SW", "Region", "Regional"),
    "target": ("Target",),
    "baseline": ("Baseline",),
}


def heading_key(cell: object) -> str:
    """A heading as it is compared: `Statistical_Neighbours ` and `statistical neighbours` are one."""
    return " ".join(str(cell).replace("_", " ").split()).lower() if cell is not None else ""


_SERIES_BY_HEADING = {heading_key(h): s for s, headings in SERIES_HEADINGS.items() for h in (s, *headings)}


def series_for_heading(cell: object) -> str | None:
    """The benchmark or target series a column heading (or a long file's `series` cell) names, else None."""
    return _SERIES_BY_HEADING.get(heading_key(cell))

ARROW_SCHEMA = pa.schema(
    [
        ("scorecard", pa.string()),
        ("kpi_id", pa.string()),
        ("period", pa.string()),
        ("series", pa.string()),
        ("value", pa.float64()),
        ("count", pa.int64()),
        ("note", pa.string()),
    ]
)


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Exact dtypes and a deterministic order, so equal data always writes equal bytes. A note is a file's text:
    `domain.text.safe_text` on the way in and, for notes stored before that rule, on every read."""
    out = pd.DataFrame(
        {
            "scorecard": df["scorecard"].astype("string"),
            "kpi_id": df["kpi_id"].astype("string"),
            "period": df["period"].fillna("").astype("string"),
            "series": df["series"].astype("string"),
            "value": pd.to_numeric(df["value"], errors="raise").astype("Float64"),
            "count": pd.to_numeric(df["count"], errors="raise").astype("Int64"),
            "note": df["note"].astype("string"),
        }
    )
    out["note"] = out["note"].where(out["note"].notna() & (out["note"] != ""), pd.NA)
    out["note"] = safe_series(out["note"])
    if out.duplicated(KEY).any():
        dupes = out[out.duplicated(KEY, keep=False)].head(3).to_dict("records")
        raise ValueError(f"the table holds the same cell twice: {dupes}")
    return sort_rows(out)


def period_rank(periods: pd.Series) -> pd.Series:
    """Chronological rank of each period label, computed once per distinct label."""
    filled = periods.fillna("").astype(str)
    codes, labels = pd.factorize(filled)
    order = sorted(range(len(labels)), key=lambda i: sort_key(str(labels[i]) or None))
    rank = np.empty(len(labels), dtype="int64")
    rank[order] = np.arange(len(labels))
    return pd.Series(rank[codes], index=periods.index, dtype="int64")


def sort_rows(df: pd.DataFrame) -> pd.DataFrame:
    series_rank = {s: i for i, s in enumerate(SERIES)}
    keyed = df.assign(
        _series=df["series"].map(series_rank).fillna(99).astype("int64"),
        _period=period_rank(df["period"]),
    )
    keyed = keyed.sort_values(["scorecard", "kpi_id", "_series", "_period"], kind="stable")
    return keyed.drop(columns=["_series", "_period"]).reset_index(drop=True)


VALUES = TableSpec("values", ARROW_SCHEMA, normalise, per_authority=True)
