"""An authority's choice to share some of its monthly figures with the deployment's other authorities.

Off unless an authority's editors opt in, measure by measure. What is shared is a **common definition**
(`data/catalogue/common_measures.csv`), not a KPI id: KPI ids are each authority's own (its set-up names them;
two authorities' `b04` need not mean the same, and the same measure has different ids in different catalogues),
while a common definition is the one thing that says two authorities count the same thing the same way, with one
polarity to rank by. A KPI with no common definition cannot be compared, so cannot be shared.

The choices are a side table (`tables/sharing/`): one row per (authority, definition), the latest choice winning,
with who made it and when; a withdrawal is kept as `shared` false rather than deleted, so the table says who
stopped sharing. Every save is a version (History, restore), and figure uploads never touch it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from sendlib.domain.benchmarks import Mapping
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.common_measures import CommonMeasure
from sendlib.domain.table_spec import TableSpec

SHARING_KEY = ["la_code", "common_measure"]
SHARING_COLUMNS = [*SHARING_KEY, "shared", "author", "created_at"]
_ARROW = pa.schema([("la_code", pa.string()), ("common_measure", pa.string()), ("shared", pa.bool_()),
                    ("author", pa.string()), ("created_at", pa.string())])
COMMON_ID = r"^[a-z0-9][a-z0-9-]{0,47}$"  # common_measures.CommonMeasure.id's pattern


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (authority, definition), the last written winning; a missing choice is not sharing."""
    out = pd.DataFrame({c: df[c] if c in df else pd.Series(dtype="object") for c in SHARING_COLUMNS})
    for c in ("la_code", "common_measure", "author", "created_at"):
        out[c] = out[c].astype("string")
    out["shared"] = out["shared"].fillna(False).astype(bool)
    out = out.drop_duplicates(SHARING_KEY, keep="last")
    return out.sort_values(SHARING_KEY, kind="stable").reset_index(drop=True)


SHARING = TableSpec("sharing", _ARROW, _normalise)


class SharingChange(BaseModel):
    """One authority's choice for one common definition, as it crosses into the store."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    la_code: str = Field(min_length=1)
    common_measure: str = Field(pattern=COMMON_ID)
    shared: bool
    author: str | None = None
    created_at: str = Field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def key(self) -> tuple[str, str]:
        return (self.la_code, self.common_measure)


def changes(la: str, measures: Iterable[str], shared: bool, author: str | None = None) -> list[SharingChange]:
    """One authority's choice for several definitions, all with one time stamp (they are saved as one version)."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return [SharingChange(la_code=la, common_measure=m, shared=shared, author=author, created_at=now)
            for m in dict.fromkeys(measures)]


def shared_kpis(table: pd.DataFrame, la: str) -> set[str]:
    """The common definitions `la` shares now (named for what the page offers: an authority's KPIs, by definition)."""
    rows = table[(table["la_code"] == la) & table["shared"].astype(bool)]
    return set(rows["common_measure"].astype(str))


def sharing_authorities(table: pd.DataFrame, measure: str, *, among: Collection[str] | None = None) -> set[str]:
    """The authorities sharing one definition now; `among` (the deployment's authorities) drops any an old choice
    still names after the deployment stopped serving it."""
    rows = table[(table["common_measure"] == measure) & table["shared"].astype(bool)]
    found = set(rows["la_code"].astype(str))
    return found if among is None else found & set(among)


def common_measure_of(catalogue: Catalogue, mappings: Iterable[Mapping],
                      commons: dict[str, CommonMeasure]) -> dict[str, str]:
    """kpi_id → the common definition it counts: the KPI's own `common_measure` (an authority's set-up), else, for
    the bundled catalogue, the definition whose DfE measure is the KPI's primary, first-priority DfE mapping. A KPI
    with neither is left out: it has nothing to be compared on."""
    by_dfe = {c.dfe_measure: c.id for c in commons.values() if c.dfe_measure}
    primary = {}
    for m in sorted(mappings, key=lambda m: m.priority, reverse=True):
        if m.primary and m.measure in by_dfe:
            primary[m.kpi_id] = by_dfe[m.measure]
    out = {}
    for kpi in catalogue:
        common = kpi.common_measure if kpi.common_measure in commons else primary.get(kpi.id)
        if common:
            out[kpi.id] = common
    return out
