"""Each authority's own measures: the catalogue rows an authority set up from its own file, kept in the store.

The bundled catalogue (`data/catalogue/kpis.csv`) is the bundled documents' authority's (BUNDLED_AUTHORITY).
Another authority starts from the common definitions (`common_measures`), which its measures may point at, and its
own additions, which live here: a side table (`delta/measures/`, each authority's rows its own partition) with one row
per (authority, measure), so each set-up is one version of that authority's (History page, restorable without
touching another's) and figure uploads never touch it.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from sendlib.domain.catalogue import KPI
from sendlib.domain.table_spec import TableSpec

BUNDLED_AUTHORITY = "839"  # Bournemouth, Christchurch and Poole: the authority of the documents in data/source/
MEASURE_KEY = ["la", "id"]
_NUMBERS = {"order": pa.int64(), "target": pa.float64(), "tolerance": pa.float64()}
# A short name is the bundled catalogue's (a measure set up from a file has its own name only); leaving it out
# keeps the table's schema that of the stores already written.
_STORED = [name for name in KPI.model_fields if name != "short_name"]
_ARROW = pa.schema([("la", pa.string()), *((name, _NUMBERS.get(name, pa.string())) for name in _STORED)])
MEASURE_COLUMNS = list(_ARROW.names)


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for column in MEASURE_COLUMNS:
        values = df[column] if column in df else pd.Series(pd.NA, index=df.index)
        if column == "order":
            out[column] = pd.to_numeric(values).astype("Int64")
        elif column in _NUMBERS:
            out[column] = pd.to_numeric(values).astype("Float64")
        else:
            out[column] = values.astype("string")
    out = out.drop_duplicates(MEASURE_KEY, keep="last")
    return out.sort_values(["la", "order", "id"], kind="stable").reset_index(drop=True)


OWN_MEASURES = TableSpec("measures", _ARROW, _normalise, per_authority=True)


def measure_rows(la: str, kpis: list[KPI]) -> pd.DataFrame:
    return _normalise(pd.DataFrame([{"la": la, **k.model_dump()} for k in kpis], columns=MEASURE_COLUMNS))


def kpis_of(table: pd.DataFrame, la: str) -> list[KPI]:
    """The authority's own measures as catalogue KPIs (blank cells as unset fields)."""
    rows = table[table["la"] == la].drop(columns="la")
    return [KPI.model_validate({k: (None if pd.isna(v) else v) for k, v in row.items()})
            for row in rows.to_dict("records")]
