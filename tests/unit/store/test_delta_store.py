"""sendlib.store.delta: the versioned store's promises kept on Delta Lake, on local disk and on Azurite.

Each scenario of test_store.py runs against both backends (the Azurite ones marked `azurite`): commits, no-op
commits, history, restore as a new version, concurrent writers, a writer killed mid-commit, damaged files named.
Then what Delta adds: an analyst's plain `deltalake` reads the same rows, and a commit that changes one partition
writes files in that partition only.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import azurite_service
import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pytest
from deltalake import DeltaTable

from sendlib.domain.schema import COLUMNS, KEY, VALUES
from sendlib.domain.table_spec import TableSpec
from sendlib.store.delta import DeltaStore, TableDamaged, version_id
from sendlib.store.location import Location, LocationError, store_location
from sendlib.store.versioned import StoreDamaged, StoreError

CONTAINER = azurite_service.CONTAINER


@pytest.fixture(params=["local", pytest.param("azurite", marks=pytest.mark.azurite)])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """A store location no test has used: a temp folder, or a fresh prefix in Azurite's container."""
    if request.param == "local":
        return store_location(tmp_path / "store")
    base: Location = request.getfixturevalue("azurite")
    return base.child(uuid.uuid4().hex)


# --- tables ----------------------------------------------------------------------------------------------------------


def rows(*records: tuple) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLUMNS, r)) for r in records], columns=COLUMNS)


def add_rows(new: pd.DataFrame) -> Callable[[pd.DataFrame], tuple[pd.DataFrame, dict[str, int]]]:
    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        return pd.concat([current, new], ignore_index=True), {"new": len(new)}

    return change


ONE = rows(("scorecard", "complaints", "2025-02", "actual", 9.0, None, None))
TWO = rows(("scorecard", "compliments", "2025-02", "actual", 4.0, None, None))
FIRST = rows(
    ("scorecard", "ehcps", "2025-01", "actual", 3100.0, None, None),
    ("scorecard", "ehcps", "", "target", 3000.0, None, None),
    ("scorecard", "rate_20wk", "2025-01", "actual", 49.2, 10, "read 0.492 as a fraction: 49.2%"),
    ("board", "tribunals", "2023/24 Spring 1", "actual", None, None, "requested"),
)


# The values spec as a table every authority shares (as DfE's releases are): Delta's RESTORE, no partitions.
SHARED = dataclasses.replace(VALUES, name="shared", per_authority=False)


def seeded(root: Location, spec: TableSpec | None = None) -> DeltaStore:
    store = DeltaStore(root, spec, la=LA)
    store.commit(add_rows(FIRST), action="upload", author="first", file_name="send_scorecard.csv", sha256="a" * 64)
    return store


LA_SCHEMA = pa.schema([pa.field("la_code", pa.string()), *VALUES.arrow_schema])


def _normalise_by_la(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "la_code": df["la_code"].astype("string"),
        **{c: df[c].astype("string") for c in ("scorecard", "kpi_id", "series", "note")},
        "period": df["period"].fillna("").astype("string"),
        "value": pd.to_numeric(df["value"]).astype("Float64"),
        "count": pd.to_numeric(df["count"]).astype("Int64"),
    })[LA_SCHEMA.names]
    if out.duplicated(["la_code", *KEY]).any():
        raise ValueError("the table holds the same cell twice")
    return out.sort_values(["la_code", *KEY], kind="stable").reset_index(drop=True)


# The shape the figures take in a later step: every row an authority's, partitioned by it.
LA = "839"  # the values table holds each authority's own rows: these tests write one authority's
BY_LA = TableSpec("figures", LA_SCHEMA, _normalise_by_la, partition_by=("la_code",))


def la_rows(la: str, kpis: int, months: int, value: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame([
        {"la_code": la, "scorecard": "scorecard", "kpi_id": f"kpi_{k:03d}", "period": f"20{15 + m // 12:02d}-"
         f"{m % 12 + 1:02d}", "series": "actual", "value": value + k + m / 100, "count": None, "note": None}
        for k in range(kpis) for m in range(months)
    ])


def replace_la(la: str, new: pd.DataFrame) -> Callable[[pd.DataFrame], tuple[pd.DataFrame, dict[str, int]]]:
    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        kept = current[current["la_code"].ne(la).fillna(True)]
        return pd.concat([kept, new], ignore_index=True), {"revised": len(new)}

    return change


def delta_table(store: DeltaStore, version: int | None = None) -> DeltaTable:
    """The table as an analyst's tool opens it: plain deltalake, the URI and the options."""
    return DeltaTable(store.uri, version=version, storage_options=store.location.storage_options or None)


def fs(store: DeltaStore) -> pafs.FileSystem:
    """The table's folder on either backend, to count the files in it."""
    if store.location.is_local:
        return pafs.SubTreeFileSystem(store.uri, pafs.LocalFileSystem())
    from deltalake.fs import DeltaStorageHandler

    return pafs.PyFileSystem(DeltaStorageHandler(store.uri, store.location.storage_options))


def data_files(store: DeltaStore) -> set[str]:
    """Every parquet file in the table's folder, in a version or not."""
    found = fs(store).get_file_info(pafs.FileSelector("", recursive=True, allow_not_found=True))
    return {i.path for i in found if i.type == pafs.FileType.File and i.path.endswith(".parquet")
            and not i.path.startswith("_delta_log")}


def current_files(store: DeltaStore) -> dict[str, int]:
    """The current version's data files (path in the table's folder → bytes), as the log records them."""
    actions = pa.table(delta_table(store).get_add_actions(flatten=True))
    return {unquote(p): s for p, s in zip(actions.column("path").to_pylist(), actions.column("size_bytes").to_pylist())}


# --- the same promises as the parquet store --------------------------------------------------------------------------


def test_a_table_never_written_is_empty(root: Location) -> None:
    store = DeltaStore(root, la=LA)
    assert not store.exists()
    assert store.head() is None
    assert store.versions() == []
    assert store.read_or_empty().columns.tolist() == COLUMNS
    with pytest.raises(StoreError, match="init"):
        store.read()
    with pytest.raises(StoreError, match="000001"):
        store.read("000001")
    with pytest.raises(StoreError, match="000001"):
        store.info("000001")


def test_commit_adds_a_version_with_its_record(root: Location) -> None:
    store = DeltaStore(root, la=LA)
    first = store.commit(add_rows(FIRST), action="upload", author="tester", file_name="send_scorecard.csv",
                         sha256="a" * 64)
    assert first is not None and first.id == "000001" and first.parent is None
    assert store.exists() and store.head() == "000001"
    second = store.commit(add_rows(ONE), action="edit", author="tester", message="one more")
    assert second is not None and second.id == "000002" and second.parent == "000001"
    assert store.head() == "000002"
    history = store.versions()
    assert [v.id for v in history] == ["000002", "000001"], "newest first"
    assert history == [second, first], "the record read back from the log is the one the commit returned"
    recorded = store.info("000001")
    assert (recorded.action, recorded.author, recorded.file_name, recorded.sha256) == (
        "upload", "tester", "send_scorecard.csv", "a" * 64)
    assert (recorded.rows, recorded.new, recorded.revised) == (4, 4, 0)
    assert store.info("000002").message == "one more"
    pd.testing.assert_frame_equal(store.read(), VALUES.normalise(pd.concat([FIRST, ONE])))
    pd.testing.assert_frame_equal(store.read("000001"), VALUES.normalise(FIRST))


def test_read_returns_the_spec_dtypes_and_order(root: Location) -> None:
    table = seeded(root).read()
    assert list(table.columns) == COLUMNS
    for column in ("scorecard", "kpi_id", "period", "series", "note"):
        assert isinstance(table[column].dtype, pd.StringDtype), column
    assert isinstance(table["value"].dtype, pd.Float64Dtype)
    assert isinstance(table["count"].dtype, pd.Int64Dtype)
    assert table["period"].notna().all()
    pd.testing.assert_frame_equal(table, VALUES.normalise(table.sample(frac=1, random_state=3)))


def test_a_commit_that_changes_nothing_writes_no_version(root: Location) -> None:
    store = seeded(root)
    before = data_files(store)
    assert store.commit(lambda current: (current, {"new": 0, "revised": 0}), action="edit") is None
    assert store.commit(lambda current: (current.iloc[::-1], {"revised": 1}), action="edit") is None, \
        "counts say revised, but no row differs"
    assert store.head() == "000001"
    assert data_files(store) == before


def test_loading_the_same_rows_twice_changes_nothing(root: Location) -> None:
    store = seeded(root)

    def upsert(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        merged = pd.concat([current, FIRST]).drop_duplicates(KEY, keep="last")
        return merged, {"new": 0, "revised": 0, "unchanged": len(FIRST)}

    assert store.commit(upsert, action="upload") is None
    assert [v.id for v in store.versions()] == ["000001"]


def test_a_commit_whose_change_raises_leaves_the_table_untouched(root: Location) -> None:
    store = seeded(root)
    before = data_files(store)

    def broken(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        store.commit(broken, action="edit")
    with pytest.raises(ValueError, match="twice"):
        store.commit(add_rows(pd.concat([ONE, ONE])), action="edit")
    assert store.head() == "000001"
    assert data_files(store) == before
    assert store.commit(add_rows(ONE), action="edit") is not None, "the next commit goes through"


def test_revised_and_removed_rows_are_one_merge(root: Location) -> None:
    store = seeded(root)

    def revise(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        out = current[current["kpi_id"] != "tribunals"].copy()
        out.loc[out["series"] == "target", "value"] = 2900.0
        return out, {"revised": 2}

    info = store.commit(revise, action="upload")
    assert info is not None and info.rows == 3 and info.revised == 2
    table = store.read()
    assert "tribunals" not in set(table["kpi_id"])
    assert table.loc[table["series"] == "target", "value"].tolist() == [2900.0]
    assert delta_table(store).history(1)[0]["operation"] == "MERGE"
    pd.testing.assert_frame_equal(store.read("000001"), VALUES.normalise(FIRST), "the old version is unchanged")


# --- each authority's rows --------------------------------------------------------------------------------------------


def test_each_authority_reads_writes_and_restores_only_its_own_rows(root: Location) -> None:
    home = seeded(root)
    other = home.authority("878")
    assert other.read().empty and other.versions() == [], "another authority starts with nothing, and sees no history"
    other.commit(add_rows(ONE), action="upload", author="devon", file_name="devon.csv")
    home.commit(add_rows(TWO), action="upload", author="bcp")
    assert other.read()["kpi_id"].tolist() == ["complaints"]
    assert set(home.read()["kpi_id"]) == set(FIRST["kpi_id"]) | {"compliments"}
    assert [v.author for v in other.versions()] == ["devon"], "no authority sees another's file names or authors"
    assert [v.author for v in home.versions()] == ["bcp", "first"]
    everyone = home.read_all()
    assert everyone.groupby("la_code").size().to_dict() == {LA: len(FIRST) + 1, "878": 1}
    assert home.read_all(authorities=["878"])["kpi_id"].tolist() == ["complaints"], "only the partitions asked for"
    info = home.restore("000001")
    assert info.la_code == LA and set(home.read()["kpi_id"]) == set(FIRST["kpi_id"])
    assert other.read()["kpi_id"].tolist() == ["complaints"], "a restore takes back its own authority's rows only"
    files = {f.split("/")[0] for f in current_files(home)}
    assert files == {f"la_code={LA}", "la_code=878"}, "each authority's rows are files of its own partition"
    plain = DeltaTable(home.uri, storage_options=dict(root.storage_options) or None).to_pandas()
    assert set(plain["la_code"]) == {LA, "878"}, "an analyst's deltalake sees every authority's rows with la_code"


def test_restore_is_a_new_version_equal_to_the_old_table(root: Location) -> None:
    store = seeded(root, SHARED)
    store.commit(add_rows(ONE), action="edit")
    store.commit(add_rows(TWO), action="edit")
    head_before = store.head()
    files_before = data_files(store)
    info = store.restore("000001", author="tester")
    assert info.id == "000004" and info.parent == head_before and info.restored_from == "000001"
    assert info.author == "tester" and info.action == "restore" and info.rows == len(FIRST)
    assert store.head() == "000004"
    pd.testing.assert_frame_equal(store.read(), store.read("000001"))
    assert len(store.read(head_before)) == len(FIRST) + 2, "history is kept: the version before is still readable"
    assert data_files(store) == files_before, "a restore re-adds the old version's files: no data is written"
    assert store.versions()[0] == info
    again = store.restore("000004")
    assert again.id == "000005" and again.restored_from == "000004", "restoring the current version is a version too"
    pd.testing.assert_frame_equal(store.read(), store.read("000001"))


@pytest.mark.parametrize("version", ["../../other", "3", "000003x", "/etc/passwd", ""])
def test_restore_refuses_anything_but_a_version_id(tmp_path: Path, version: str) -> None:
    store = seeded(store_location(tmp_path / "s"))
    with pytest.raises(StoreError, match="not a version id"):
        store.restore(version)
    with pytest.raises(StoreError, match="not a version id"):
        store.read(version)
    with pytest.raises(StoreError, match="no version"):
        store.restore("000009")
    assert store.head() == "000001"


def test_replace_with_writes_a_whole_table_as_a_version(root: Location) -> None:
    store = DeltaStore(root, la=LA)
    first = store.replace_with(FIRST, action="init", author="bundled data", file_name="send_scorecard.csv")
    assert first.id == "000001" and first.new == len(FIRST)
    second = store.replace_with(ONE, action="repair", message="reloaded")
    assert second.id == "000002" and second.parent == "000001"
    pd.testing.assert_frame_equal(store.read(), VALUES.normalise(ONE))
    pd.testing.assert_frame_equal(store.read("000001"), VALUES.normalise(FIRST))


def test_a_side_table_has_its_own_versions_and_survives_a_values_restore(root: Location) -> None:
    def norm(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"kpi_id": df["kpi_id"].astype("string"), "text": df["text"].astype("string")})

    store = seeded(root)
    notes = store.side(TableSpec("notes", pa.schema([("kpi_id", pa.string()), ("text", pa.string())]), norm))
    assert notes.read_or_empty().columns.tolist() == ["kpi_id", "text"]
    info = notes.commit(lambda cur: (pd.concat([cur, pd.DataFrame({"kpi_id": ["ehcps"], "text": ["why"]})]),
                                     {"new": 1}), action="comment")
    assert info is not None and info.id == "000001"
    assert store.head() == "000001", "a side-table write is not a values version"
    store.commit(add_rows(ONE), action="edit")
    store.restore("000001")
    assert notes.read()["text"].tolist() == ["why"]
    assert notes.uri.endswith("/delta/notes") and store.uri.endswith("/delta/values")
    assert not notes.uri.startswith(store.uri + "/"), "no table's folder holds another's"


# --- concurrency ------------------------------------------------------------------------------------------------------


def _process_writer(location: Location, spec_name: str, batches: list[list[tuple]], barrier: object) -> None:
    spec = BY_LA if spec_name == BY_LA.name else VALUES
    store = DeltaStore(location, spec, LA)
    for records in batches:
        barrier.wait()  # type: ignore[attr-defined]
        frame = pd.DataFrame([dict(zip(spec.columns, r)) for r in records], columns=spec.columns)
        assert store.commit(add_rows(frame), action="upload", author=f"pid {os.getpid()}") is not None


def _run_writers(location: Location, spec_name: str, per_writer: list[list[list[tuple]]]) -> None:
    ctx = multiprocessing.get_context("spawn")  # delta-rs runs threads: never fork it
    barrier = ctx.Barrier(len(per_writer))
    procs = [ctx.Process(target=_process_writer, args=(location, spec_name, batches, barrier))
             for batches in per_writer]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def test_two_processes_committing_at_once_both_land(root: Location) -> None:
    """From a table that does not exist yet (both create it), three commits each, started together each time."""
    per_writer = [
        [[("scorecard", f"kpi_{w}_{n}", "2025-02", "actual", float(n), None, None)] for n in range(3)]
        for w in range(2)
    ]
    _run_writers(root, "values", per_writer)
    store = DeltaStore(root, la=LA)
    history = store.versions()
    assert [v.id for v in history] == [version_id(n) for n in range(5, -1, -1)], "six commits, six versions"
    assert len({v.author for v in history}) == 2
    landed = set(store.read()["kpi_id"])
    assert landed == {f"kpi_{w}_{n}" for w in range(2) for n in range(3)}, "every row of every commit landed"
    assert [v.rows for v in reversed(history)] == list(range(1, 7)), "each commit's count is of the table it made"


def test_two_authorities_committing_at_once_both_land(root: Location) -> None:
    store = DeltaStore(root, BY_LA)
    store.commit(add_rows(la_rows("E06000058", 2, 2)), action="upload")
    per_writer = [
        [[(la, "scorecard", f"kpi_{n}", "2025-02", "actual", float(n), None, None)] for n in range(3)]
        for la in ("E06000058", "E10000008")
    ]
    _run_writers(root, BY_LA.name, per_writer)
    table = store.read()
    assert len(store.versions()) == 7
    assert len(table) == 4 + 6
    assert table.groupby("la_code").size().to_dict() == {"E06000058": 7, "E10000008": 3}


# A writer killed mid-commit: the subprocess hands delta-rs its rows as a stream that never ends (its batches again
# and again, slowly, once all were sent), so the write is still going when the test kills it with SIGKILL, with
# files written and no log entry.
KILLED_WRITER = textwrap.dedent("""
    import itertools, json, sys, time
    from pathlib import Path
    import pyarrow as pa
    from sendlib.store.delta import DeltaStore
    from sendlib.store.location import Location
    sys.path[:0] = [sys.argv[3], str(Path(sys.argv[3]).parents[1])]  # the module, and tests/ for its helpers
    from test_delta_store import BY_LA, add_rows, la_rows

    spec = json.loads(sys.argv[1])
    marker = Path(sys.argv[2])
    location = Location(spec["uri"], spec["options"], spec["is_local"])

    class Endless(DeltaStore):
        target_file_size = 64 * 1024

        def _arrow(self, frame):
            table = super()._arrow(frame)
            batches = table.to_batches(max_chunksize=2000)

            def stream():
                for n in itertools.count():
                    yield batches[n % len(batches)]
                    if n == len(batches):
                        marker.write_text("writing")
                    if n >= len(batches):
                        time.sleep(0.01)

            return pa.RecordBatchReader.from_batches(table.schema, stream())

    Endless(location, BY_LA).commit(add_rows(la_rows("E10000008", 50, 60)), action="upload")
""")


def test_a_writer_killed_mid_commit_leaves_the_last_good_version(root: Location, tmp_path: Path, python: str,
                                                                 paths: dict[str, Path]) -> None:
    import json

    store = DeltaStore(root, BY_LA)
    store.commit(add_rows(la_rows("E06000058", 20, 12)), action="upload")
    history, table, before = store.versions(), store.read(), data_files(store)
    marker = tmp_path / "marker"
    spec = json.dumps({"uri": root.uri, "options": root.storage_options, "is_local": root.is_local})
    proc = subprocess.Popen([python, "-c", KILLED_WRITER, spec, str(marker), str(Path(__file__).parent)],
                            cwd=paths["root"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), proc.stderr.read().decode() if proc.stderr else "no marker"
    while not data_files(store) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    orphans = data_files(store) - before
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert orphans, "the writer was killed with files written: mid-commit"

    assert store.versions() == history, "the killed commit is not in history"
    pd.testing.assert_frame_equal(store.read(), table)
    assert store.damaged_files() == [], "files outside every version are not damage"
    assert store.commit(add_rows(la_rows("E10000008", 2, 2)), action="upload") is not None, "the next write lands"
    assert [v.id for v in store.versions()] == ["000002", "000001"]


# --- damage ----------------------------------------------------------------------------------------------------------


def _blob(store: DeltaStore, path: str) -> object:
    """An Azurite blob of the table, by its path in the table's folder (delta-rs's filesystem handler reads but does
    not take pyarrow's buffers for writing)."""
    from azure.storage.blob import BlobClient

    container, _, prefix = store.uri.removeprefix("az://").partition("/")
    options = store.location.storage_options
    return BlobClient(account_url=options["azure_storage_endpoint"], container_name=container,
                      blob_name=f"{prefix}/{path}", credential={"account_name": options["account_name"],
                                                                 "account_key": options["account_key"]})


def _overwrite(store: DeltaStore, path: str, data: Callable[[bytes], bytes]) -> None:
    if store.location.is_local:
        file = Path(store.uri, path)
        file.write_bytes(data(file.read_bytes()))
        return
    blob = _blob(store, path)
    blob.upload_blob(data(blob.download_blob().readall()), overwrite=True)  # type: ignore[attr-defined]


def _truncate(store: DeltaStore, path: str) -> None:
    _overwrite(store, path, lambda data: data[: len(data) // 2])


def _garbage(store: DeltaStore, path: str) -> None:
    _overwrite(store, path, lambda data: b"\x00\xffnot what was written\x89PNG" * 7)


def _missing(store: DeltaStore, path: str) -> None:
    if store.location.is_local:
        Path(store.uri, path).unlink()
    else:
        _blob(store, path).delete_blob()  # type: ignore[attr-defined]


DAMAGE = {"truncated": _truncate, "garbage": _garbage, "missing": _missing}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_data_file_is_named_and_an_intact_version_restores(root: Location, damage: str) -> None:
    store = seeded(root)
    store.commit(add_rows(ONE), action="edit")
    newest = sorted(set(current_files(store)) - set(pa.table(delta_table(store, 0).get_add_actions()).column(
        "path").to_pylist()))
    assert newest
    DAMAGE[damage](store, newest[0])
    where = store.location.child("delta", "values", *newest[0].split("/")).uri
    with pytest.raises(StoreDamaged, match="check") as caught:
        store.read()
    assert isinstance(caught.value, TableDamaged) and caught.value.where == where, caught.value
    assert [f for f, _ in store.damaged_files()] == [where]
    with pytest.raises(StoreDamaged):
        store.commit(add_rows(TWO), action="edit")
    assert store.head() == "000002", "nothing is written on top of damage"
    info = store.restore("000001", action="repair", message="newest intact version")
    assert info.id == "000003"
    pd.testing.assert_frame_equal(store.read(), VALUES.normalise(FIRST))
    with pytest.raises(StoreDamaged):
        store.restore("000002")  # a version whose files are damaged is not made current


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_log_entry_is_named(root: Location, damage: str) -> None:
    store = seeded(root)
    store.commit(add_rows(ONE), action="edit")
    store.commit(add_rows(TWO), action="edit")
    entry = "_delta_log/00000000000000000001.json" if damage == "missing" else "_delta_log/00000000000000000002.json"
    DAMAGE[damage](store, entry)
    where = store.location.child("delta", "values", *entry.split("/")).uri
    for call in (store.head, store.versions, store.read, lambda: store.commit(add_rows(FIRST), action="x")):
        with pytest.raises(StoreDamaged) as caught:
            call()
        assert isinstance(caught.value, TableDamaged) and caught.value.where == where, (call, caught.value)
    assert store.exists(), "a damaged table exists: it is never built afresh"
    assert store.damaged_files() == [(where, caught.value.what)]


# --- what Delta adds --------------------------------------------------------------------------------------------------


def test_plain_deltalake_reads_the_rows_the_store_gives(root: Location) -> None:
    store = DeltaStore(root, BY_LA)
    store.commit(add_rows(pd.concat([la_rows("E06000058", 5, 3), la_rows("E10000008", 4, 2)])), action="upload",
                 author="analyst@example.gov.uk", file_name="scorecard.xlsx")
    store.commit(replace_la("E10000008", la_rows("E10000008", 4, 2, value=7.0)), action="upload")
    analyst = delta_table(store)
    pd.testing.assert_frame_equal(BY_LA.normalise(analyst.to_pandas()), store.read())
    pd.testing.assert_frame_equal(BY_LA.normalise(delta_table(store, 0).to_pandas()), store.read("000001"))
    last, first = analyst.history()[-1], analyst.history()[0]
    assert last["userName"] == "analyst@example.gov.uk" and last["userMetadata"] == "upload scorecard.xlsx"
    assert first["sendlib"]["revised"] == 8
    assert analyst.metadata().partition_columns == ["la_code"]
    one = store.read(partitions={"la_code": "E10000008"})
    pd.testing.assert_frame_equal(one, store.read().query("la_code == 'E10000008'").reset_index(drop=True))
    with pytest.raises(StoreError, match="not partitioned by kpi_id"):
        store.read(partitions={"kpi_id": "x"})


def test_a_commit_to_one_partition_writes_files_in_that_partition_only(root: Location) -> None:
    store = DeltaStore(root, BY_LA)
    authorities = [f"E0600{n:04d}" for n in range(6)]
    store.commit(add_rows(pd.concat([la_rows(la, 40, 24) for la in authorities])), action="upload")
    whole = sum(current_files(store).values())
    before = current_files(store)
    store.commit(replace_la(authorities[2], la_rows(authorities[2], 40, 24, value=5.0)), action="upload")
    after = current_files(store)
    written = {p: s for p, s in after.items() if p not in before}
    removed = set(before) - set(after)
    assert written and all(p.startswith(f"la_code={authorities[2]}/") for p in written), written
    assert removed and all(p.startswith(f"la_code={authorities[2]}/") for p in removed), removed
    share = sum(written.values()) / whole
    print(f"\none partition of {len(authorities)} changed: {sum(written.values())} bytes written; "
          f"the whole table is {whole} bytes ({share:.0%})")
    assert share < 2 / len(authorities), "bytes written are in proportion to the change"
    metrics = delta_table(store).history(1)[0]["operationMetrics"]
    assert metrics["num_added_rows"] == 40 * 24


@pytest.mark.parametrize("spec", [SHARED, VALUES], ids=["shared", "per-authority"])
def test_a_commit_of_new_rows_appends_only_them(root: Location, spec: TableSpec) -> None:
    store = seeded(root, spec)
    before = current_files(store)
    store.commit(add_rows(ONE), action="edit")
    after = current_files(store)
    assert set(before) <= set(after), "no file rewritten"
    assert delta_table(store).history(1)[0]["operationMetrics"]["num_added_rows"] == 1


def test_tables_keep_every_version_for_time_travel(root: Location) -> None:
    config = delta_table(seeded(root)).metadata().configuration
    assert config["delta.enableExpiredLogCleanup"] == "false"
    assert config["delta.deletedFileRetentionDuration"] == "interval 36500 days"


# --- location ---------------------------------------------------------------------------------------------------------


def test_store_location_of_a_path_is_local(tmp_path: Path) -> None:
    for raw in (tmp_path / "s", str(tmp_path / "s"), f"file://{tmp_path / 's'}"):
        location = store_location(raw, secrets=tmp_path / "none.toml", environ={})
        assert location == Location(str(tmp_path / "s"), {}, True)
    assert store_location("relative/store", environ={}).uri == str(Path("relative/store").absolute())


def test_store_location_of_a_uri_takes_secrets_then_the_environment(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[explorer]\nhome_la = "839"\n[storage]\naccount_name = "fromfile"\naccount_key = "k"\n'
                       'allow_http = true\n', encoding="utf-8")
    location = store_location("abfss://figures@acct.dfs.core.windows.net/region", secrets=secrets,
                              environ={"AZURE_STORAGE_ACCOUNT_NAME": "fromenv", "AWS_ACCESS_KEY_ID": "not azure"})
    assert not location.is_local and location.uri == "abfss://figures@acct.dfs.core.windows.net/region"
    assert location.storage_options == {"account_key": "k", "allow_http": "true",
                                        "azure_storage_account_name": "fromenv"}
    assert "fromenv" not in repr(location) and "k" not in repr(location).replace("Location", "")
    s3 = store_location("s3://bucket/store", secrets=tmp_path / "none.toml", environ={"AWS_REGION": "eu-west-2"})
    assert s3.storage_options == {"aws_region": "eu-west-2"}
    assert s3.child("delta", "values").uri == "s3://bucket/store/delta/values"
    with pytest.raises(LocationError, match="ftp://"):
        store_location("ftp://host/store", environ={})


@pytest.mark.azurite
def test_a_store_reached_with_credentials_from_the_environment(azurite: Location, tmp_path: Path) -> None:
    env = azurite_service.environment(azurite)
    location = store_location(f"az://{CONTAINER}/{uuid.uuid4().hex}", secrets=tmp_path / "none.toml", environ=env)
    seeded(location)
    assert DeltaStore(location, la=LA).head() == "000001"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


# --- a full or read-only disk ----------------------------------------------------------------------------------------


def _mount(target: Path, *commands: list[str]) -> None:
    """A real mount (root in a container may be allowed one); skipped where the system refuses."""
    target.mkdir(parents=True, exist_ok=True)
    for command in commands:
        done = subprocess.run([*command, str(target)], capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
            pytest.skip(f"cannot mount here ({done.stderr.strip()}): needs root with CAP_SYS_ADMIN")


def _fill(disk: Path) -> None:
    try:
        with (disk / "filler").open("wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
    except OSError:
        pass


def test_a_commit_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    """delta-rs reports ENOSPC inside its own message ("... (os error 28)"); the store says it as a person would,
    so the app and the CLI both do, and the table keeps its version."""
    disk = tmp_path / "disk"
    _mount(disk, ["mount", "-t", "tmpfs", "-o", f"size={2 * 1024 * 1024}", "tmpfs"])
    try:
        store = seeded(store_location(disk / "store"))
        before = store.head()
        _fill(disk)
        with pytest.raises(StoreError) as refused:
            store.commit(add_rows(ONE), action="upload", file_name="c.csv")
        assert str(refused.value) == f"cannot write to {store.uri}: the disk is full. Nothing was changed."
        assert DeltaStore(store_location(disk / "store"), la=LA).head() == before
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_commit_on_a_read_only_disk_says_it_is_mounted_read_only(tmp_path: Path) -> None:
    store = seeded(store_location(tmp_path / "store"))
    before = store.head()
    mounted = tmp_path / "read-only"
    _mount(mounted, ["mount", "--bind", str(tmp_path / "store")], ["mount", "-o", "remount,bind,ro"])
    try:
        if subprocess.run(["touch", str(mounted / "probe")], capture_output=True).returncode == 0:
            pytest.skip("this kernel's bind mounts ignore `ro`")
        on_ro = DeltaStore(store_location(mounted), la=LA)
        with pytest.raises(StoreError, match=r"^cannot write to .*: the disk is mounted read-only\. Nothing was "):
            on_ro.commit(add_rows(ONE), action="upload", file_name="c.csv")
        assert on_ro.head() == before == store.head()
    finally:
        subprocess.run(["umount", "-l", str(mounted)], capture_output=True)
