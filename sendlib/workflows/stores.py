"""Opening the store: the one place that says where it is, whose rows it reads, and that a parquet store from
before the Delta store is migrated before anything reads it.

`open_store()` is the store at `--store` / `$SENDLIB_STORE` / `data/store/` (a folder or an object-storage URI, see
`store.location`) opened for one authority (`la`: a name, an old or a new code; default the configured home
authority). A folder still holding the old `versions/` + `HEAD` layout is migrated on first open (`store.migrate`,
history kept, the old files left until `python -m sendlib migrate --finish`), and the KPIs once added on the upload
page (`extra_kpis.json`) become that authority's own measures. A table the migration refuses (a damaged old
version) stops the open with the reason, as damage does. A store that filed both bundled documents under
Bournemouth, Christchurch and Poole has the board report's rows moved to that report's own council on open
(`migrate.split_bundled_documents`, one commit per table, once).
"""

from __future__ import annotations

import os
from pathlib import Path

from sendlib.domain.authorities import BUNDLED_DOCUMENTS
from sendlib.domain.catalogue import KPI
from sendlib.domain.paths import store_address
from sendlib.store.delta import DeltaStore
from sendlib.store.location import store_location
from sendlib.store.migrate import split_bundled_documents
from sendlib.store.versioned import ParquetStore, StoreError
from sendlib.workflows.catalogues import add_kpi, authority_code, measures_store

LEGACY_HEAD = "HEAD"
LEGACY_EXTRAS = "extra_kpis.json"


def legacy_tables(root: Path) -> bool:
    """Whether a folder still holds tables in the old parquet layout (a HEAD of the values or of a side table)."""
    return (root / LEGACY_HEAD).exists() or any((root / "tables").glob(f"*/{LEGACY_HEAD}"))


def open_store(where: str | os.PathLike[str] | None = None, *, la: str | None = None,
               migrate_old: bool = True) -> DeltaStore:
    """The store for one authority's rows (see the module docstring). `migrate_old=False` opens it as it is, for
    `check`, `repair` and `migrate` themselves."""
    location = store_location(where if where is not None else store_address())
    store = DeltaStore(location, la=authority_code(la))
    if migrate_old and location.is_local:
        _migrate_old(store)
    if migrate_old and store.la in BUNDLED_DOCUMENTS:
        split_bundled_documents(store)
    return store


def _migrate_old(store: DeltaStore) -> None:
    from sendlib.store.migrate import migrate

    root = store.root
    if legacy_tables(root):
        refused = [o for o in migrate(root, la=authority_code(store.la)) if o.refused]
        if refused:
            raise StoreError(f"{root} is a store from before the Delta store, and could not be moved onto it: "
                             + "; ".join(f"{o.table}: {o.what}" for o in refused))
    if (root / LEGACY_EXTRAS).exists():
        _carry_extra_kpis(store)


def _carry_extra_kpis(store: DeltaStore) -> None:
    """The KPIs added on the upload page before they were kept as the authority's own measures, carried over once
    (the file stays where it was, for whoever wants it)."""
    extras = ParquetStore(store.root).extra_kpis()
    side = measures_store(store)
    have = set(side.read_or_empty()["id"].dropna()) if side.exists() else set()
    for raw in extras:
        kpi = KPI.model_validate(raw)
        if kpi.id not in have:
            add_kpi(store, kpi, author="migrated from extra_kpis.json")
