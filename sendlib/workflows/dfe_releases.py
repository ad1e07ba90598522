"""DfE releases in the store: its two side tables (published figures, neighbour groups), loading a newer release
as a new version, the releases bundled with the explorer on first use, and benchmarks from what a store holds."""

from __future__ import annotations

import pandas as pd

from sendlib.domain.benchmarks import DEFAULT_SN_SET, compute, mappings_for
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.dfe import DFE_TABLE, NEIGHBOUR_TABLE
from sendlib.domain.paths import DATA_DIR
from sendlib.domain.table_spec import TableSpec
from sendlib.files.dfe import DfeFile
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo

BUNDLED_DFE = DATA_DIR / "dfe" / "dfe_ehcp.parquet"
BUNDLED_NEIGHBOURS = DATA_DIR / "dfe" / "statistical_neighbours.csv"


def dfe_tables(store: DeltaStore) -> tuple[DeltaStore, DeltaStore]:
    """The store's two DfE side tables: published figures, and neighbour groups."""
    return store.side(DFE_TABLE), store.side(NEIGHBOUR_TABLE)


def load_dfe(store: DeltaStore, read: DfeFile, *, author: str | None = None, sha256: str | None = None) -> VersionInfo | None:
    """Add one DfE file as a new version of its side table. A file replaces what the table held for the same
    dataset (or neighbour set): a release carries its whole series, and the older release stays in history."""
    figures, groups = dfe_tables(store)
    table, key = (groups, "sn_set") if read.kind == "neighbours" else (figures, "dataset")

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        old = current[current[key] == read.dataset]
        kept = current[current[key] != read.dataset]
        merged = pd.concat([kept, read.rows], ignore_index=True) if len(kept) else read.rows
        cols = [c for c in table.spec.columns if c not in ("release", "file_name")]  # a renamed release is no change
        same = old[cols].reset_index(drop=True).equals(read.rows[cols].reset_index(drop=True))
        counts = {"new": 0 if len(old) else len(read.rows), "revised": 0 if same or not len(old) else len(read.rows),
                  "unchanged": len(read.rows) if same else 0}
        return merged, counts

    return table.commit(change, action="dfe", author=author, file_name=read.file_name, sha256=sha256,
                        message=read.summary())


def bundled_tables() -> dict[str, tuple[TableSpec, pd.DataFrame, str]]:
    """The DfE tables bundled with the explorer, by side-table name: spec, rows, file name."""
    figures = DFE_TABLE.normalise(pd.read_parquet(BUNDLED_DFE))
    groups = NEIGHBOUR_TABLE.normalise(pd.read_csv(BUNDLED_NEIGHBOURS, dtype=str))
    return {DFE_TABLE.name: (DFE_TABLE, figures, BUNDLED_DFE.name),
            NEIGHBOUR_TABLE.name: (NEIGHBOUR_TABLE, groups, BUNDLED_NEIGHBOURS.name)}


BUNDLED_MESSAGES = {"dfe": "DfE EHC plan statistics bundled with the explorer",
                    "neighbours": "DfE statistical neighbour groups 2021 and 2025"}


def ensure_dfe(store: DeltaStore) -> tuple[DeltaStore, DeltaStore]:
    """First use: the DfE side tables from the bundled compact files (a store built before they existed too)."""
    figures, groups = dfe_tables(store)
    if figures.exists() and groups.exists():
        return figures, groups
    with store.writing():
        bundled_files = bundled_tables()
        for table in (figures, groups):
            if not table.exists():
                _, rows, file_name = bundled_files[table.spec.name]

                def bundled(_current: pd.DataFrame, rows: pd.DataFrame = rows) -> tuple[pd.DataFrame, dict[str, int]]:
                    return rows, {"new": len(rows)}

                table.commit(bundled, action="dfe",
                             author="bundled data", file_name=file_name, message=BUNDLED_MESSAGES[table.spec.name])
    return figures, groups


def benchmarks_for_store(store: DeltaStore, catalogue: Catalogue, *, la: str, sn_set: str = DEFAULT_SN_SET) -> pd.DataFrame:
    """Every benchmark row for `la` from the DfE releases this store holds (bundled ones on first use)."""
    figures, groups = ensure_dfe(store)
    return compute(figures.read(), groups.read(), catalogue, mappings_for(catalogue), la=la, sn_set=sn_set)
