"""The store the app opens (`workflows.stores.open_store`, a Delta store for one authority), built from the bundled
documents: versioned, atomic, and safe for concurrent writers."""

from __future__ import annotations

import multiprocessing
import threading

import pandas as pd
import pytest

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.schema import COLUMNS, KEY, normalise
from sendlib.store.versioned import StoreError, table_bytes
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store


def rows(*records: tuple) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLUMNS, r)) for r in records], columns=COLUMNS)


def add_rows(new: pd.DataFrame):
    def change(current: pd.DataFrame):
        merged = pd.concat([current, new], ignore_index=True)
        return merged, {"new": len(new)}

    return change


ONE = rows(("scorecard", "complaints", "2025-02", "actual", 9.0, None, None))
TWO = rows(("scorecard", "compliments", "2025-02", "actual", 4.0, None, None))


def test_init_into_tmp_path(empty_store, catalogue):
    assert not empty_store.exists()
    infos = init_store(empty_store, catalogue)
    assert [i.file_name for i in infos] == ["send_scorecard.csv", "board_report_2024-05.csv"]
    assert empty_store.exists()
    scorecard, _board = infos
    assert empty_store.head() == scorecard.id, "the store opened for 839 is at its own newest version"
    assert (empty_store.root / "delta" / "values" / "la_code=839").is_dir(), "the scorecard is Bournemouth's"
    assert (empty_store.root / "delta" / "values" / f"la_code={BOARD_AUTHORITY}").is_dir(), \
        "the board report is its own council's"
    assert len(empty_store.read()) == scorecard.rows


def test_read_of_an_empty_store_is_a_store_error(empty_store):
    with pytest.raises(StoreError, match="init"):
        empty_store.read()


def test_read_of_unknown_version_is_a_store_error(store):
    with pytest.raises(StoreError, match="999999"):
        store.read("999999")
    with pytest.raises(StoreError):
        store.info("999999")


def test_versions_newest_first(store):
    store.commit(add_rows(ONE), action="edit")
    ids = [v.id for v in store.versions()]
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == store.head()
    assert len(ids) == 2, "839's own: the bundled scorecard, then the edit (the board report's version is X01's)"


def test_version_info_records_the_file(built_store):
    first = built_store.versions()[-1]
    assert first.file_name == "send_scorecard.csv"
    assert len(first.sha256) == 64
    assert first.action == "upload"
    assert first.new == first.rows


def test_read_returns_normalised_dtypes(table):
    assert list(table.columns) == COLUMNS
    for column in ("scorecard", "kpi_id", "period", "series", "note"):
        assert isinstance(table[column].dtype, pd.StringDtype), column
    assert isinstance(table["value"].dtype, pd.Float64Dtype)
    assert isinstance(table["count"].dtype, pd.Int64Dtype)
    assert not table.duplicated(KEY).any()
    # Undated rows (targets, benchmarks) have an empty period, never a missing one.
    assert table["period"].notna().all()


def test_commit_that_changes_nothing_writes_no_version(store, snapshot):
    before = snapshot(store.root)
    info = store.commit(lambda current: (current, {"new": 0, "revised": 0}), action="edit")
    assert info is None
    assert snapshot(store.root) == before


def test_commit_adds_a_version_and_moves_head(store):
    old_head = store.head()
    info = store.commit(add_rows(ONE), action="edit", author="tester", message="one more")
    assert info is not None and info.id != old_head
    assert store.head() == info.id
    assert info.author == "tester" and info.new == 1
    assert len(store.read()) == len(store.read(old_head)) + 1


def test_restore_is_a_new_version_equal_to_the_old_table(store):
    store.commit(add_rows(ONE), action="edit")
    first = store.versions()[-1].id
    head_before = store.head()
    info = store.restore(first, author="tester")
    assert info.id not in (first, head_before)
    assert store.head() == info.id
    assert info.restored_from == first
    pd.testing.assert_frame_equal(store.read(), store.read(first))
    # History is kept: the version before the restore is still readable and still different.
    assert len(store.read(head_before)) > len(store.read())


def test_table_bytes_is_deterministic(table):
    shuffled = table.sample(frac=1, random_state=7).reset_index(drop=True)
    as_objects = table.astype(object)
    assert table_bytes(table) == table_bytes(table)
    assert table_bytes(shuffled) == table_bytes(table)
    assert table_bytes(as_objects) == table_bytes(table)


def test_same_data_built_twice_reads_the_same(tmp_path, catalogue, built_store):
    again = open_store(tmp_path / "again")
    init_store(again, catalogue)
    for version in ("000001", "000002"):
        pd.testing.assert_frame_equal(again.read(version), built_store.read(version))


def test_commit_whose_change_raises_leaves_store_untouched(store, snapshot):
    before = snapshot(store.root)
    head = store.head()

    def broken(current):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        store.commit(broken, action="edit")
    assert store.head() == head
    assert snapshot(store.root) == before
    # The lock was released: the next commit works.
    assert store.commit(add_rows(ONE), action="edit") is not None


def test_commit_of_a_table_with_duplicate_cells_is_refused(store, snapshot):
    before = snapshot(store.root)
    with pytest.raises(ValueError, match="twice"):
        store.commit(add_rows(pd.concat([ONE, ONE])), action="edit")
    assert snapshot(store.root) == before


def _landed(store) -> set[tuple]:
    table = store.read()
    return set(map(tuple, table[KEY].to_numpy().tolist()))


def test_two_threads_committing_at_once_both_land(store):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(new: pd.DataFrame) -> None:
        try:
            barrier.wait()
            open_store(store.root).commit(add_rows(new), action="upload")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(df,)) for df in (ONE, TWO)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    landed = _landed(store)
    for df in (ONE, TWO):
        assert tuple(normalise(df)[KEY].iloc[0]) in landed
    assert len(store.versions()) == 3, "839's bundled version and both writers'"


def _process_writer(root: str, records: list[tuple], barrier) -> None:
    barrier.wait()
    open_store(root).commit(add_rows(rows(*records)), action="upload")


def test_two_processes_committing_at_once_both_land(store):
    before = store.head()
    ctx = multiprocessing.get_context("spawn")  # delta-rs runs threads: never fork it
    barrier = ctx.Barrier(2)
    batches = [
        [("scorecard", "complaints", "2025-02", "actual", 9.0, None, None), ("scorecard", "complaints", "2025-03", "actual", 7.0, None, None)],
        [("scorecard", "compliments", "2025-02", "actual", 4.0, None, None)],
    ]
    procs = [ctx.Process(target=_process_writer, args=(str(store.root), b, barrier)) for b in batches]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    landed = _landed(store)
    for batch in batches:
        for record in batch:
            assert tuple(record[:4]) in landed
    assert len(store.versions()) == 3, "839's bundled version and both writers'"
    assert len(store.read()) == len(store.read(before)) + 3


def test_a_side_table_has_its_own_versions_and_survives_values_restore(store):
    import pyarrow as pa

    from sendlib.domain.table_spec import TableSpec

    def norm(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"kpi_id": df["kpi_id"].astype("string"), "text": df["text"].astype("string")})

    notes = store.side(TableSpec("notes", pa.schema([("kpi_id", pa.string()), ("text", pa.string())]), norm))
    assert notes.read_or_empty().columns.tolist() == ["kpi_id", "text"]
    first_values = store.head()
    info = notes.commit(lambda cur: (pd.concat([cur, pd.DataFrame({"kpi_id": ["ehcps"], "text": ["why"]})]), {"new": 1}),
                        action="comment")
    assert info is not None and info.id == "000001"
    assert store.head() == first_values, "a side-table write is not a values version"
    store.commit(add_rows(ONE), action="edit")
    store.restore(first_values)
    assert notes.read()["text"].tolist() == ["why"]
    assert (store.root / "delta" / "notes" / "_delta_log").is_dir()
