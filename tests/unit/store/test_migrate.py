"""sendlib.store.migrate: a parquet store made by the current code, moved onto the Delta store with its history.

Every version of every table reads the same rows through `DeltaStore.read(version)` as through `Store.read(version)`,
with the same record; running it again writes nothing; a damaged old version refuses its table with nothing written;
versions written to the old store after a migration are carried over; `finish` removes exactly the old files, and
only once every table agrees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sen2_synthetic as synth
from deltalake import DeltaTable
from store_files import copy_store

from sendlib.domain.catalogue import load_catalogue, new_kpi
from sendlib.domain.commentary import Comment
from sendlib.domain.common_measures import common_measures
from sendlib.domain.schema import VALUES
from sendlib.domain.table_spec import TableSpec
from sendlib.store import migrate as migration
from sendlib.store.delta import DeltaStore
from sendlib.store.integrity import parquet_tables
from sendlib.store.migrate import FIELDS, MigratedTable, migrate, table_specs
from sendlib.store.versioned import ParquetStore
from sendlib.workflows.cases import commit_cases, preview_cases
from sendlib.workflows.catalogues import add_measures, propose, store_catalogue
from sendlib.workflows.commentary import commentary_store, save_comment
from sendlib.workflows.load import load_file, parse_bytes
from sendlib.workflows.sharing import save_sharing

DATA = Path(__file__).resolve().parents[2] / "data"
SIDE_TABLES = ["cases", "commentary", "dfe", "measures", "neighbours", "sharing"]


def _comment(text: str, period: str = "2025-01") -> Comment:
    return Comment(scorecard="board", kpi_id="", period=period, text=text, author="a.manager")


LA = "839"  # a parquet store held one authority's data: the home one's


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, parquet_built_store: ParquetStore) -> Path:
    """A store made by the current code: the bundled documents (init_store), an upload, a restore, commentary
    saved, revised and deleted, case records, a measure set up, a measure shared and a KPI added on the upload
    page."""
    root = tmp_path_factory.mktemp("migrate") / "store"
    copy_store(parquet_built_store.root, root)
    store = ParquetStore(root)
    load_file(store, DATA / "scorecard_new_month.csv", author="an.editor")
    store.restore("000001", author="an.editor")
    for text in ("first words", "second words", ""):
        save_comment(store, _comment(text))
    save_comment(store, _comment("the month", period="2025-02"))
    preview = preview_cases(store, synth.generate(200).xml, "sen2_2025.xml")
    commit_cases(store, preview, author="a.manager")
    unknown = DATA / "board_unknown_measure.csv"
    catalogue = store_catalogue(store)
    proposals = propose(parse_bytes(unknown.read_bytes(), unknown.name, catalogue).unknown, catalogue)
    add_measures(store, proposals, author="a.manager", file_name=unknown.name)
    save_sharing(store, "839", [next(iter(common_measures()))], True, author="a.manager")
    store.add_kpi(new_kpi(load_catalogue(), name="A measure added on the upload page", theme="statutory-duty",
                          unit="count", polarity="neutral").model_dump())
    return root


@pytest.fixture
def root(made: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    copy_store(made, target)
    return target


def files(root: Path, *, delta: bool = False) -> dict[str, bytes]:
    """Every file under root by relative path (the old store's, or with `delta` the Delta tables')."""
    out = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative.startswith("delta/") == delta:
            out[relative] = path.read_bytes()
    return out


def old_tables(root: Path) -> list[ParquetStore]:
    return [ParquetStore(t.root, table_specs()[t.name]) for t in parquet_tables(root) if t.exists()]


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def as_spec(old: ParquetStore, frame: pd.DataFrame) -> pd.DataFrame:
    """An old read in its spec's exact dtypes: `Store.read` hands dates back in parquet's unit (datetime64[ms]),
    `DeltaStore.read` in the spec's (datetime64[s]); the values are the same."""
    return sorted_rows(old.spec.normalise(frame))


def assert_same_history(root: Path) -> None:
    """Each old table's every version: the same id, record and rows from the Delta table."""
    for old in old_tables(root):
        delta = DeltaStore(root, old.spec, LA)
        chain = list(reversed(old.versions()))
        assert delta.head() == old.head()
        migrated = {v.id: v for v in delta.versions()}
        for info in chain:
            got = migrated[info.id]
            assert {f: getattr(got, f) for f in FIELDS} == {f: getattr(info, f) for f in FIELDS}, (old.name, info.id)
            pd.testing.assert_frame_equal(sorted_rows(delta.read(info.id)), as_spec(old, old.read(info.id)),
                                          obj=f"{old.name} {info.id}")


def lines(outcomes: list[MigratedTable]) -> dict[str, tuple[str, str]]:
    return {o.table: (o.line().split("\t")[1], o.line().split("\t")[2]) for o in outcomes}


def test_every_version_of_every_table_reads_the_same_with_the_same_record(root: Path) -> None:
    before = files(root)
    outcomes = migrate(root, la=LA)
    assert [o.table for o in outcomes] == ["values", *SIDE_TABLES]
    assert lines(outcomes) == {"values": ("4", "migrated"), "cases": ("1", "migrated"),
                               "commentary": ("4", "migrated"), "dfe": ("1", "migrated"),
                               "measures": ("1", "migrated"), "neighbours": ("1", "migrated"),
                               "sharing": ("1", "migrated")}
    assert not any(o.refused for o in outcomes)
    assert_same_history(root)
    # The old files are all still there, byte for byte (the locks aside), and nothing is left half-made.
    assert {k: v for k, v in files(root).items() if not k.endswith(".lock")} == \
        {k: v for k, v in before.items() if not k.endswith(".lock")}
    assert not (root / migration.WORK_DIR).exists()
    assert sorted(p.name for p in (root / "delta").iterdir()) == sorted(["values", *SIDE_TABLES])


def test_the_times_are_the_old_ones_and_a_restore_is_a_delta_restore(root: Path) -> None:
    migrate(root, la=LA)
    old = ParquetStore(root)
    delta = DeltaStore(root, la=LA)
    assert [v.created_at for v in delta.versions()] == [v.created_at for v in old.versions()]
    restore = old.info("000004")
    assert restore.action == "restore" and restore.restored_from == "000001"
    history = {c["version"]: c for c in DeltaTable(delta.uri).history()}
    assert history[3]["operation"] == "RESTORE"
    assert delta.info("000004").restored_from == "000001"
    # An analyst's plain deltalake reads the current figures the old store had current.
    plain = DeltaTable(delta.uri).to_pandas()
    assert len(plain) == len(old.read())


def test_running_it_again_writes_nothing(root: Path) -> None:
    migrate(root, la=LA)
    delta_files = files(root, delta=True)
    again = migrate(root, la=LA)
    assert {t: what for t, (_, what) in lines(again).items()} == dict.fromkeys(["values", *SIDE_TABLES],
                                                                               "already migrated")
    assert files(root, delta=True) == delta_files


def test_versions_written_to_the_old_store_since_are_carried_over(root: Path) -> None:
    migrate(root, la=LA)
    save_comment(ParquetStore(root), _comment("written after the migration"))
    ParquetStore(root).restore("000002")
    outcomes = lines(migrate(root, la=LA))
    assert outcomes["commentary"] == ("5", "migrated 1 newer version")
    assert outcomes["values"] == ("5", "migrated 1 newer version")
    assert outcomes["dfe"] == ("1", "already migrated")
    assert_same_history(root)


def test_a_damaged_old_version_refuses_its_table_and_nothing_is_written_for_it(root: Path) -> None:
    parquet = root / "versions" / "000002.parquet"
    parquet.write_bytes(parquet.read_bytes()[:100])
    before = files(root)
    outcomes = {o.table: o for o in migrate(root, la=LA)}
    values = outcomes["values"]
    assert values.refused
    assert values.what.startswith("refused: ") and "000002.parquet" in values.what
    assert "sha256" in values.what and values.what.endswith("nothing was written for this table")
    assert not (root / "delta" / "values").exists()
    assert not (root / migration.WORK_DIR).exists()
    # The other tables are migrated; the damaged one stays as it was.
    assert not any(o.refused for name, o in outcomes.items() if name != "values")
    assert files(root) == before | {k: v for k, v in files(root).items() if k.endswith(".lock")}
    assert DeltaStore(root, la=LA).side(table_specs()["commentary"]).head() == "000004"


def test_a_damaged_version_written_since_refuses_the_catch_up_with_nothing_written(root: Path) -> None:
    migrate(root, la=LA)
    info = save_comment(ParquetStore(root), _comment("after"))
    assert info is not None
    side = commentary_store(ParquetStore(root))
    (side.versions_dir / f"{info.id}.parquet").write_bytes(b"PAR1 not a table")
    outcome = {o.table: o for o in migrate(root, la=LA)}["commentary"]
    assert outcome.refused and f"{info.id}.parquet" in outcome.what
    assert outcome.what.endswith("nothing was written for this table")
    assert DeltaStore(root, la=LA).side(side.spec).head() == "000004"


def test_an_id_used_outside_history_keeps_the_ids_after_it(root: Path) -> None:
    """A write that stopped after its parquet and before HEAD: the next version took the id after it."""
    old = ParquetStore(root)
    (old.versions_dir / "000005.parquet").write_bytes(b"half a write")
    _, info = load_file(old, DATA / "scorecard_new_month.csv", author="an.editor")
    assert info is not None and info.id == "000006" and info.parent == "000004"
    outcome = {o.table: o for o in migrate(root, la=LA)}["values"]
    assert outcome.line() == "values\t6\tmigrated (000005 never in history: each kept as a copy of the version " \
                             "before it, so ids stay)"
    assert_same_history(root)
    delta = DeltaStore(root, la=LA)
    gap = delta.info("000005")
    assert gap.action == "skipped" and gap.rows == old.info("000004").rows and gap.restored_from == "000004"
    pd.testing.assert_frame_equal(delta.read("000005"), delta.read("000004"))
    assert migrate(root, la=LA, finish=True)[0].what.startswith("removed versions/ (11 files)")


def test_a_repair_after_every_version_was_lost_migrates(tmp_path: Path) -> None:
    """`repair` reloading a table when no record was readable starts a chain at a later id with no parent, and its
    `replace_with` may write an empty table: both are replayed with their records."""
    root = tmp_path / "store"
    side = ParquetStore(root).side(table_specs()["commentary"])
    side.versions_dir.mkdir(parents=True)
    (side.versions_dir / "000001.parquet").write_bytes(b"lost")
    side.replace_with(side.spec.empty(), action="repair", message="reloaded")
    save_comment(ParquetStore(root), _comment("words"))
    side.restore("000002")
    assert [v.id for v in side.versions()] == ["000004", "000003", "000002"]
    assert lines(migrate(root, la=LA)) == {"commentary": ("4", "migrated (000001 never in history: each kept as a copy of "
                                                        "the version before it, so ids stay)")}
    assert_same_history(root)
    delta = DeltaStore(root, la=LA).side(side.spec)
    assert delta.info("000001").action == "skipped" and delta.read("000001").empty


def test_a_stopped_migration_leaves_no_delta_table_and_the_next_run_tidies_up(root: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    leftover = root / migration.WORK_DIR / "values-0123abcd" / "delta" / "values"
    leftover.mkdir(parents=True)
    (leftover / "part-0.parquet").write_bytes(b"a killed migration's")

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(migration, "_into_place", stop)
        with pytest.raises(KeyboardInterrupt):
            migrate(root, la=LA)
    assert not (root / "delta" / "values").exists()
    assert not (root / migration.WORK_DIR).exists()
    assert lines(migrate(root, la=LA))["values"] == ("4", "migrated")
    assert_same_history(root)


def test_a_delta_table_that_differs_from_the_old_history_is_refused_not_written_over(root: Path) -> None:
    migrate(root, la=LA)
    DeltaStore(root, la=LA).side(table_specs()["commentary"]).restore("000001", author="someone on delta")
    save_comment(ParquetStore(root), _comment("and someone on the old store"))
    outcome = {o.table: o for o in migrate(root, la=LA)}["commentary"]
    assert outcome.refused and "differs from the old store" in outcome.what and "000005" in outcome.what


def test_finish_removes_exactly_the_old_files_and_the_delta_tables_still_read(root: Path) -> None:
    migrate(root, la=LA)
    reads = {(o.name, v.id): o.read(v.id) for o in old_tables(root) for v in o.versions()}
    before, before_delta = files(root), files(root, delta=True)
    outcomes = migrate(root, la=LA, finish=True)
    assert not any(o.refused for o in outcomes)
    folders = ["", *(f"tables/{name}/" for name in SIDE_TABLES)]
    old_files = {k for k in before for folder in folders
                 if k in (f"{folder}HEAD", f"{folder}.lock") or k.startswith(f"{folder}versions/")}
    assert len(old_files) == 2 * 7 + 2 * (4 + 1 + 4 + 1 + 1 + 1 + 1)
    assert set(before) - set(files(root)) == old_files
    assert {p.name for p in root.iterdir()} == {"delta", "extra_kpis.json", "cases.key"}
    assert files(root, delta=True) == before_delta
    what = lines(outcomes)
    assert what["values"] == ("4", "removed versions/ (8 files), HEAD, .lock")
    assert what["commentary"][1] == ("removed tables/commentary/versions/ (8 files), tables/commentary/HEAD, "
                                     "tables/commentary/.lock, tables/commentary/")
    assert what["sharing"][1].endswith(", tables/sharing/, tables/")
    for (name, version), frame in reads.items():
        spec = table_specs()[name]
        pd.testing.assert_frame_equal(sorted_rows(DeltaStore(root, spec, LA).read(version)),
                                      sorted_rows(spec.normalise(frame)))
    # Again: nothing left to remove, and migrating says so.
    assert {o.what for o in migrate(root, la=LA, finish=True)} == {"nothing to remove (the old files were removed before)"}
    assert {o.what for o in migrate(root, la=LA)} == {"already migrated (the old files were removed)"}


def test_finish_before_migrating_refuses_and_removes_nothing(root: Path) -> None:
    before = files(root)
    outcomes = migrate(root, la=LA, finish=True)
    assert all(o.refused for o in outcomes)
    assert all(o.what.startswith("refused: not migrated yet: run `python -m sendlib migrate --store ")
               and o.what.endswith("; nothing was removed") for o in outcomes)
    assert files(root) == before | {k: v for k, v in files(root).items() if k.endswith(".lock")}
    assert not (root / "delta").exists()


def test_finish_removes_nothing_while_any_table_is_behind(root: Path) -> None:
    migrate(root, la=LA)
    save_comment(ParquetStore(root), _comment("written after the migration"))
    before = files(root)
    outcomes = {o.table: o for o in migrate(root, la=LA, finish=True)}
    assert outcomes["commentary"].refused
    assert "holds 000004 where the old store's history reaches 000005" in outcomes["commentary"].what
    assert outcomes["values"].what == "checked; nothing was removed, as another table was refused"
    assert not outcomes["values"].refused
    assert files(root) == before | {k: v for k, v in files(root).items() if k.endswith(".lock")}


def test_finish_refuses_when_a_version_no_longer_reads_the_same(root: Path) -> None:
    """Records alike, but a data file of the Delta table's first version replaced: `finish` reads every version."""
    migrate(root, la=LA)
    delta = DeltaStore(root, VALUES, LA)
    first, = DeltaTable(delta.uri, version=0).file_uris()
    other = next(u for u in DeltaTable(delta.uri, version=1).file_uris() if u != first)
    Path(first.removeprefix("file://")).write_bytes(Path(other.removeprefix("file://")).read_bytes())
    before = files(root)
    outcome = {o.table: o for o in migrate(root, la=LA, finish=True)}["values"]
    assert outcome.refused and outcome.what.endswith("; nothing was removed")
    assert files(root) == before


def test_a_delta_table_gone_on_since_is_migrated_and_finishes(root: Path) -> None:
    """Once the app writes the Delta store, its history runs on past the old one: still migrated, and finishable."""
    migrate(root, la=LA)
    DeltaStore(root, la=LA).restore("000002", author="on delta")
    assert lines(migrate(root, la=LA))["values"] == ("4", "already migrated")
    outcome = {o.table: o for o in migrate(root, la=LA, finish=True)}["values"]
    assert not outcome.refused and outcome.what.startswith("removed versions/")
    assert DeltaStore(root, la=LA).head() == "000005"


def test_every_table_the_domain_defines_is_known() -> None:
    """A side table added later (a TableSpec in sendlib.domain) must be migrated too, not refused as unknown."""
    import importlib
    import pkgutil

    import sendlib.domain

    defined = {value.name for info in pkgutil.iter_modules(sendlib.domain.__path__)
               for value in vars(importlib.import_module(f"sendlib.domain.{info.name}")).values()
               if isinstance(value, TableSpec)}
    assert defined == set(table_specs())


def test_a_table_it_does_not_know_is_refused_and_the_others_migrate(root: Path) -> None:
    shutil.copytree(root / "tables" / "commentary", root / "tables" / "mystery")
    outcomes = {o.table: o for o in migrate(root, la=LA)}
    assert outcomes["mystery"].refused and "no table called 'mystery'" in outcomes["mystery"].what
    assert not outcomes["commentary"].refused


def test_a_folder_with_no_store_has_nothing_to_migrate(tmp_path: Path) -> None:
    assert migrate(tmp_path, la=LA) == []
    assert migrate(tmp_path / "absent", la=LA) == []
    assert migrate(tmp_path, la=LA, finish=True) == []


@pytest.fixture
def both_under_839(tmp_path: Path) -> Path:
    """A Delta store as the code before issue 19 built it: both bundled documents, and commentary on each, filed
    under Bournemouth, Christchurch and Poole (839)."""
    from sendlib.workflows.load import BUNDLED_FILES

    root = tmp_path / "store"
    bcp = DeltaStore(root, la="839")
    for path in BUNDLED_FILES.values():
        load_file(bcp, path, author="bundled data")
    save_comment(bcp, Comment(scorecard="board", kpi_id="b04-20-week-rate-excl-exceptions", period="2024-03",
                              text="The board's words."))
    save_comment(bcp, Comment(scorecard="scorecard", kpi_id="ehcps", period="2025-01", text="Bournemouth's words."))
    return root


def test_the_board_report_s_rows_move_to_its_own_council_in_one_commit_per_table(both_under_839: Path) -> None:
    from sendlib.domain.authorities import BOARD_AUTHORITY
    from sendlib.workflows.commentary import read_comments
    from sendlib.workflows.stores import open_store

    before = DeltaStore(both_under_839, la="839").read()
    versions = len(DeltaTable(str(both_under_839 / "delta" / "values")).history())
    bcp = open_store(both_under_839, la="839")
    board = bcp.authority(BOARD_AUTHORITY)
    assert set(bcp.read()["scorecard"]) == {"scorecard"} and set(board.read()["scorecard"]) == {"board"}
    moved = pd.concat([bcp.read(), board.read()], ignore_index=True)
    assert moved.sort_values(list(moved.columns)).reset_index(drop=True).equals(
        before.sort_values(list(before.columns)).reset_index(drop=True)), "every row kept, each under its council"
    assert len(DeltaTable(str(both_under_839 / "delta" / "values")).history()) == versions + 1, "one commit"
    assert bcp.head() == board.head() and bcp.info(bcp.head()).action == "migrate", "in both councils' histories"
    assert read_comments(bcp)["text"].tolist() == ["Bournemouth's words."]
    assert read_comments(board)["text"].tolist() == ["The board's words."]

    heads = (bcp.head(), commentary_store(bcp).head())
    again = open_store(both_under_839, la=BOARD_AUTHORITY)
    assert (again.authority("839").head(), commentary_store(again.authority("839")).head()) == heads, \
        "a second open moves nothing"
