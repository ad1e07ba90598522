"""`open_store`: a parquet store from before the Delta store is migrated on its first open, history and the KPIs
added on the upload page kept; a migration that is refused stops the open with the reason; `--la` scopes every
read and write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from deltalake import DeltaTable
from locations import DATA_DIR
from store_files import copy_store

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.catalogue import load_catalogue, new_kpi
from sendlib.domain.schema import VALUES
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import ParquetStore, StoreError
from sendlib.workflows.catalogues import store_catalogue
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import legacy_tables, open_store


@pytest.fixture
def old(parquet_built_store: ParquetStore, tmp_path: Path) -> Path:
    """A parquet store made by the code before the Delta store: the bundled documents, an upload, an added KPI."""
    root = tmp_path / "store"
    copy_store(parquet_built_store.root, root)
    store = ParquetStore(root)
    load_file(store, DATA_DIR / "scorecard_new_month.csv", author="an.editor")  # type: ignore[arg-type]
    store.add_kpi(new_kpi(load_catalogue(), name="A measure added on the upload page", theme="statutory-duty",
                          unit="count", polarity="neutral").model_dump())
    return root


def test_the_first_open_migrates_keeping_history_and_added_kpis(old: Path) -> None:
    before = ParquetStore(old)
    history = [(v.id, v.file_name, v.author) for v in before.versions()]
    rows = before.read()
    store = open_store(old)
    moved, *kept = store.versions()
    assert [(v.id, v.file_name, v.author) for v in kept] == history
    assert (moved.action, moved.la_code) == ("migrate", None), "then the board report's rows go to its own council"
    board = store.authority(BOARD_AUTHORITY)
    both = pd.concat([store.read(), board.read()], ignore_index=True)
    assert set(store.read()["scorecard"]) == {"scorecard"} and set(board.read()["scorecard"]) == {"board"}
    assert both.sort_values(list(rows.columns)).reset_index(drop=True).equals(
        rows.sort_values(list(rows.columns)).reset_index(drop=True)), "every row kept, each under its council"
    assert [v.id for v in board.versions()] == [moved.id]
    added = [k for k in store_catalogue(store) if k.name == "A measure added on the upload page"]
    assert len(added) == 1, "the KPI added on the upload page is one of the authority's own measures now"
    assert (old / "HEAD").exists() and (old / "extra_kpis.json").exists(), "the old files stay until --finish"
    again = open_store(old)
    assert [v.id for v in again.versions()] == [v.id for v in store.versions()], "a second open changes nothing"
    assert len([k for k in store_catalogue(again) if k.name == "A measure added on the upload page"]) == 1


def test_a_refused_migration_stops_the_open_with_the_reason(old: Path) -> None:
    head = (old / "HEAD").read_text().strip()
    (old / "versions" / f"{head}.parquet").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match="could not be moved onto it: values: refused"):
        open_store(old)
    assert legacy_tables(old)


def test_each_authority_opens_its_own_rows(tmp_path: Path) -> None:
    root = tmp_path / "store"
    home, other = open_store(root, la="839"), open_store(root, la="Devon")
    assert other.la == "878", "a name or a code: the old code"
    load_file(home, DATA_DIR / "scorecard_new_month.csv")
    assert not home.read().empty and other.read().empty
    assert other.head() is None and home.head() == "000001"


def test_an_analysts_deltalake_reads_the_rows_the_app_shows(built_store: DeltaStore) -> None:
    """Power BI, Fabric or a notebook open `delta/values` with no sendlib: the same rows as the app's own read."""
    plain = DeltaTable(str(built_store.root / "delta" / "values")).to_pandas(filters=[("la_code", "=", "839")])
    assert set(plain["la_code"]) == {"839"}
    pd.testing.assert_frame_equal(VALUES.normalise(plain.drop(columns="la_code")), built_store.read())
