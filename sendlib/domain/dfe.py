"""DfE's published SEND figures as the explorer holds them: one compact long table (one figure a row) and the
statistical-neighbour groups, with DfE's suppression symbols and what each means.

Suppressed cells hold symbols, not numbers. They are kept as `symbol` beside a missing `value` and are
never read as zero: a board must see "c: suppressed" rather than a comparison with nothing.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from sendlib.domain.table_spec import TableSpec

SUPPRESSION = {
    "x": "not available",
    "c": "confidential: suppressed to protect individuals",
    "z": "not applicable",
    "low": "rounds to zero (fewer than 0.5)",
    "u": "low reliability",
    ":": "not available",
    "..": "not available (the authority did not exist or did not report)",
    "k": "fewer than 3 (suppressed)",
    "~": "suppressed",
}

LEVELS = {"National": "national", "Regional": "regional", "Local authority": "local_authority"}
AREA_COLUMNS = ["geographic_level", "region_code", "region_name", "la_code", "old_la_code", "la_name"]
DFE_COLUMNS = ["release", "dataset", "file_name", "period", "time_period", *AREA_COLUMNS, "indicator", "value", "symbol"]

DFE_SCHEMA = pa.schema(
    [(c, pa.float64() if c == "value" else pa.string()) for c in DFE_COLUMNS]
)

# Which periods an EES file's `time_period` stands for: caseload and personal budgets are counted at the January
# school census (202324 = January 2024); the flows (requests, assessments, plans issued, reviews) are calendar years.
CENSUS_DATASETS = {"caseload", "personal_budgets"}
KNOWN_DATASETS = {
    "caseload", "timeliness_20_week", "requests", "assessments", "annual_reviews", "personal_budgets", "sen2_mi",
    "appeal_rate",
}


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: df[c].astype("string") for c in DFE_COLUMNS if c != "value"})
    out["value"] = pd.to_numeric(df["value"], errors="raise").astype("Float64")
    key = ["dataset", "time_period", "geographic_level", "region_code", "la_code", "old_la_code", "indicator"]
    if out.duplicated(key).any():
        raise ValueError(f"the DfE table holds the same cell twice: {out[out.duplicated(key)].head(3).to_dict('records')}")
    return out[DFE_COLUMNS].sort_values(key, kind="stable").reset_index(drop=True)


DFE_TABLE = TableSpec("dfe", DFE_SCHEMA, _normalise)

NEIGHBOUR_COLUMNS = ["sn_set", "old_la_code", "la_name", "region", "rank", "neighbour_code", "closeness", "file_name"]
NEIGHBOUR_SCHEMA = pa.schema([(c, pa.int64() if c == "rank" else pa.string()) for c in NEIGHBOUR_COLUMNS])


def _normalise_neighbours(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: df[c].astype("string") for c in NEIGHBOUR_COLUMNS if c != "rank"})
    out["rank"] = pd.to_numeric(df["rank"], errors="raise").astype("Int64")
    return out[NEIGHBOUR_COLUMNS].sort_values(["sn_set", "old_la_code", "rank"], kind="stable").reset_index(drop=True)


NEIGHBOUR_TABLE = TableSpec("neighbours", NEIGHBOUR_SCHEMA, _normalise_neighbours)
