"""Fault injection on the Delta store: each kind of store file damaged in every way, every command run over it, and
a writer killed either side of its commit. Each time: one clear line and an exit code, never a traceback; no version
lost; and `repair` or `rollback` brings the store back, or (a damaged log) says plainly that it cannot."""

from __future__ import annotations

import errno
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import azurite_service
import pandas as pd
import pytest
from store_files import copy_store, newest_file, newest_log

from sendlib.cli import main
from sendlib.domain.catalogue import load_catalogue, new_kpi
from sendlib.domain.commentary import Comment
from sendlib.store.delta import DeltaStore
from sendlib.store.integrity import check_store
from sendlib.store.location import Location
from sendlib.store.versioned import StoreError
from sendlib.workflows.catalogues import add_kpi
from sendlib.workflows.commentary import save_comment
from sendlib.workflows.load import load_file
from sendlib.workflows.repair import repair_store
from sendlib.workflows.stores import open_store

pytestmark = pytest.mark.faults

LONG_FILE = "kpi_id,period,value\ncomplaints,2025-02,9\n"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, built_store: DeltaStore) -> Path:
    """The bundled store plus an upload (version 3), a KPI added on the upload page and two commentary versions."""
    root = tmp_path_factory.mktemp("faults") / "store"
    copy_store(built_store.root, root)
    upload = root.parent / "c.csv"
    upload.write_text(LONG_FILE, encoding="utf-8")
    store = open_store(root)
    load_file(store, upload)
    add_kpi(store, new_kpi(load_catalogue(), name="A measure added on the upload page", theme="statutory-duty",
                           unit="count", polarity="neutral"))
    for text in ("first words", "second words"):
        save_comment(store, Comment(scorecard="board", kpi_id="", period="2024-03", text=text))
    return root


@pytest.fixture
def root(seeded: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    copy_store(seeded, target)
    return target


# Each file a command needs, named by where it sits in the store, and whether `repair` can mend it.
TARGETS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "values log entry": (lambda r: newest_log(r, "values"), "log"),
    "values data file": (lambda r: newest_file(r, "values"), "restored"),
    "commentary log entry": (lambda r: newest_log(r, "commentary"), "log"),
    "commentary data file": (lambda r: newest_file(r, "commentary"), "restored"),
    "DfE data file": (lambda r: newest_file(r, "dfe"), "reloaded"),
    "measures data file": (lambda r: newest_file(r, "measures"), "none intact"),
}


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xffnot what was written\x89PNG" * 7)


def missing(path: Path) -> None:
    path.unlink()


def unreadable(path: Path) -> None:
    """Tests run as root, which reads any file whatever its mode: a folder in the file's place fails every read."""
    path.unlink()
    path.mkdir()


DAMAGE = {"truncated": truncate, "garbage": garbage, "missing": missing, "unreadable": unreadable}

COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "export": lambda r, tmp: ["export", "--store", str(r), "-o", str(tmp / "out.csv")],
    "load": lambda r, tmp: ["load", str(tmp / "upload.csv"), "--store", str(r)],
    "report": lambda r, tmp: ["report", "--store", str(r), "--period", "2024-03", "-o", str(tmp / "r.html")],
    "history": lambda r, tmp: ["history", "--store", str(r)],
    "comment": lambda r, tmp: ["comment", "--store", str(r), "--period", "2024-03", "new words"],
    "benchmarks": lambda r, tmp: ["benchmarks", "--store", str(r), "-o", str(tmp / "b.csv")],
}


def files(root: Path) -> dict[str, bytes]:
    """Every log entry and data file, so a test can assert none was lost or changed (new ones may be added)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in (root / "delta").rglob("*")
            if p.is_file() and (p.suffix == ".parquet" or p.parent.name == "_delta_log")}


def kept(before: dict[str, bytes], after: dict[str, bytes]) -> bool:
    return all(after.get(name) == data for name, data in before.items())


def cases() -> list[tuple[str, str]]:
    """The figures' data file each of the four ways, and every other file two ways that reach different code (a
    file that reads wrong, a file that is not there or not a file): each case runs every command, so the whole
    cross product would cost a minute of the suite for no path not already taken. A log entry removed whole is,
    to Delta and every tool that reads it, a commit never made (the table reads as at the version before), so it
    is not damage any reader can see and is not among these."""
    ways = {"values data file": list(DAMAGE), "values log entry": ["truncated", "unreadable"],
            "commentary data file": ["garbage", "missing"], "commentary log entry": ["garbage", "unreadable"],
            "DfE data file": ["truncated", "missing"], "measures data file": ["garbage", "unreadable"]}
    return [(target, damage) for target, damages in ways.items() for damage in damages]


@pytest.mark.parametrize(("target", "damage"), cases())
def test_every_command_fails_cleanly_and_repair_recovers(root: Path, seeded: Path, tmp_path: Path, target: str,
                                                         damage: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    where, mend = TARGETS[target]
    path = where(root)
    DAMAGE[damage](path)
    before = files(root)
    for name, args in COMMANDS.items():
        code = main(args(root, tmp_path))
        err = capsys.readouterr().err
        assert "Traceback" not in err, (name, err)
        if code != 0:
            assert code == 1, (name, code, err)
            assert err.startswith(("error:", "refused:")), (name, err)
            assert err.count("\n") <= 2, (name, err)
    assert kept(before, files(root)), "no log entry or data file is lost or changed"

    assert main(["check", "--store", str(root)]) == 1, "check sees the damage"
    report = capsys.readouterr()
    assert "Traceback" not in report.err and path.name in report.out, report.out
    store = open_store(root, migrate_old=False)
    if mend in ("log", "none intact"):
        with pytest.raises(StoreError, match="backup"):
            repair_store(store, author="tester")
        assert main(["repair", "--store", str(root)]) == 1
        assert "backup" in capsys.readouterr().err
        return
    repaired = repair_store(store, author="tester")
    assert [r.info.action for r in repaired] == ["repair"] and repaired[0].info.message
    assert repair_store(store) == [], "one repair makes every table's current version intact"
    left = check_store(store).damaged
    assert all(Path(f.path) == path for f in left), ("only the damaged file itself is still reported", left)
    values = store.read()
    expected = open_store(seeded).read("000002" if target == "values data file" else None)
    lost = expected.merge(values, how="left", indicator=True).query("_merge == 'left_only'")
    assert lost.empty, ("every value of the newest intact version is current again", lost)
    assert store.versions()[-1].id == "000001", "history still reaches the first version"
    assert main(["export", "--store", str(root), "-o", str(tmp_path / "after.csv")]) == 0


@pytest.mark.xfail(reason="since the bundled documents became two councils, a rollback over a damaged current data "
                          "file is refused by the store's whole-table file check; repair still recovers (left for #21 "
                          "follow-up)", strict=False)
def test_rollback_to_an_intact_version_works_whatever_the_current_one_is(root: Path) -> None:
    truncate(newest_file(root, "values"))
    assert main(["rollback", "--store", str(root), "000001"]) == 0, "839's bundled version (000002 is X01's)"
    store = open_store(root)
    assert len(store.read()) == len(store.read("000001"))
    assert store.versions()[0].restored_from == "000001"


@pytest.mark.parametrize("version", ["../../other/versions/000003", "3", "000003x", "/etc/passwd", ""])
def test_rollback_refuses_anything_but_a_version_id(root: Path, version: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(root)
    assert main(["rollback", "--store", str(root), version]) == 2
    assert "not a version id" in capsys.readouterr().err
    assert files(root) == before


def test_check_names_each_damaged_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values, comments = newest_file(root, "values"), newest_file(root, "commentary")
    truncate(values)
    missing(comments)
    assert main(["check", "--store", str(root)]) == 1
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    damaged = {(r[1], r[3]) for r in rows if r[0] == "damaged"}
    assert ("values", str(values.relative_to(root))) in damaged
    assert ("commentary", str(comments.relative_to(root))) in damaged


def test_an_intact_store_checks_clean(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--store", str(root)]) == 0
    assert "store intact" in capsys.readouterr().err


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"),
                                        (errno.EACCES, "permission denied")])
def test_a_full_or_read_only_disk_is_one_line(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str], code: int, words: str) -> None:
    """Root ignores file modes, so the OS's refusal is injected where delta-rs is handed the rows to write."""
    import deltalake

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, "injected")

    before = files(root)
    monkeypatch.setattr(deltalake, "write_deltalake", refuse)
    upload = tmp_path / "c.csv"
    upload.write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    assert main(["load", str(upload), "--store", str(root)]) == 1
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err
    assert files(root) == before


# A writer killed either side of its commit: the script runs a real load in a subprocess and dies (os._exit, as a
# SIGKILL would leave it) as delta-rs is handed the rows, or once the commit has landed. (A writer killed while
# delta-rs writes, with files on disk and no log entry, is test_delta_store's.)
KILLER = textwrap.dedent("""
    import os, sys
    from sendlib.store.delta import DeltaStore
    moment = sys.argv[1]
    real = DeltaStore._write_changes

    def write(self, *args, **kwargs):
        if moment == "before":
            os._exit(137)
        done = real(self, *args, **kwargs)
        os._exit(137)

    DeltaStore._write_changes = write
    from sendlib.cli import main
    sys.exit(main(["load", sys.argv[2], "--store", sys.argv[3]]))
""")


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_writer_killed_either_side_of_its_commit_loses_nothing(root: Path, tmp_path: Path, python: str,
                                                                 paths: dict, moment: str) -> None:
    upload = tmp_path / "c.csv"
    upload.write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    store = open_store(root)
    history = [v.id for v in store.versions()]
    table = store.read()
    before = files(root)
    run = subprocess.run([python, "-c", KILLER, moment, str(upload), str(root)], cwd=paths["root"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 137, run.stderr
    assert kept(before, files(root)), "no earlier log entry or data file changed"
    if moment == "before":
        assert [v.id for v in store.versions()] == history, "the killed write is not in history"
        pd.testing.assert_frame_equal(store.read(), table)
    else:
        assert [v.id for v in store.versions()][1:] == history, "the landed commit is a whole version"
    assert check_store(store).ok, check_store(store).damaged
    assert main(["load", str(upload), "--store", str(root)]) == 0, "the next write goes through"
    assert check_store(store).ok


# --- the log: damage is never taken for absence or truth (issue 21) ---------------------------------------------

def log_entry(root: Path, table: str, version: int) -> Path:
    return root / "delta" / table / "_delta_log" / f"{version:020d}.json"


def tables_files(root: Path, table: str) -> set[str]:
    return {str(p.relative_to(root)) for p in (root / "delta" / table).rglob("*")}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "unexpected" not in captured.err, captured.err
    return code, captured.out + captured.err


def refused_by_all(root: Path, tmp_path: Path, table: str, names: str, capsys: pytest.CaptureFixture[str],
                   commands: tuple[str, ...] = ("export", "load", "history", "report")) -> None:
    """Each command that reads or writes `table` exits 1 naming `names`, and nothing is written to the table."""
    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    before = tables_files(root, table)
    for name in commands:
        code, said = run(COMMANDS[name](root, tmp_path), capsys)
        assert code == 1 and names in said, (name, code, said)
    assert tables_files(root, table) == before, "nothing written on top of the damage"
    code, said = run(["check", "--store", str(root)], capsys)
    assert code == 1 and names in said, said


@pytest.mark.parametrize("table", ["values", "commentary"])
def test_a_table_folder_without_its_log_is_damaged_never_new(root: Path, tmp_path: Path, table: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from sendlib.store.delta import TableDamaged
    from sendlib.workflows.load import ensure_store

    shutil.rmtree(root / "delta" / table / "_delta_log")
    commands = ("export", "load", "history") if table == "values" else ("comment",)
    refused_by_all(root, tmp_path, table, f"delta/{table}", capsys, commands)
    if table == "values":
        code, said = run(["init", "--store", str(root)], capsys)
        assert code == 1 and "backup" in said, said
        with pytest.raises(TableDamaged, match="no _delta_log"):
            ensure_store(open_store(root))  # what the app does on first use: never the bundled data over it
    assert not (root / "delta" / table / "_delta_log").exists()
    with pytest.raises(StoreError, match="backup"):
        repair_store(open_store(root, migrate_old=False))


@pytest.mark.parametrize("version", [1, 2], ids=["middle", "newest"])
@pytest.mark.parametrize("damage", ["empty", "braces", "half", "garbage"])
def test_a_damaged_log_entry_is_named_and_every_command_refuses(root: Path, tmp_path: Path, version: int,
                                                                damage: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    entry = log_entry(root, "values", version)
    text = entry.read_bytes()
    entry.write_bytes({"empty": b"", "braces": b"{}\n", "half": text[: len(text) // 2],
                       "garbage": b"\x00\xffnot json"}[damage])
    refused_by_all(root, tmp_path, "values", entry.name, capsys)
    with pytest.raises(StoreError, match="backup"):
        repair_store(open_store(root, migrate_old=False))


@pytest.mark.parametrize("version", [0, -1], ids=["oldest", "newest"])
def test_a_damaged_commentary_log_entry_refuses_a_comment(root: Path, tmp_path: Path, version: int,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    entry = sorted((root / "delta" / "commentary" / "_delta_log").glob("*.json"))[version]
    entry.write_bytes(b"{}")
    refused_by_all(root, tmp_path, "commentary", entry.name, capsys, ("comment", "report"))


def checkpointed(root: Path, table: str = "values") -> int:
    from deltalake import DeltaTable

    delta = DeltaTable(str(root / "delta" / table))
    delta.create_checkpoint()
    return delta.version()


def exported(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> str:
    out = tmp_path / name
    code, said = run(["export", "--store", str(root), "-o", str(out)], capsys)
    assert code == 0, said
    return out.read_text(encoding="utf-8")


def test_log_clean_up_below_a_checkpoint_is_read_the_same_by_every_command(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    intact = exported(root, tmp_path, capsys, "intact.csv")
    newest = checkpointed(root)
    for version in range(newest):  # as Databricks and Fabric clean up: the entries the checkpoint summarises
        log_entry(root, "values", version).unlink()
    assert exported(root, tmp_path, capsys, "cleaned.csv") == intact
    code, said = run(["history", "--store", str(root)], capsys)
    assert code == 0 and f"{newest + 1:06d}" in said, said
    assert run(["check", "--store", str(root)], capsys)[0] == 0
    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    assert run(COMMANDS["load"](root, tmp_path), capsys)[0] == 0


def damaged_checkpoint(root: Path) -> Path:
    newest = checkpointed(root)
    checkpoint = root / "delta" / "values" / "_delta_log" / f"{newest:020d}.checkpoint.parquet"
    garbage(checkpoint)
    return checkpoint


def test_a_damaged_checkpoint_is_named_the_table_read_from_its_entries_and_repair_rebuilds_it(
        root: Path, tmp_path: Path, python: str, paths: dict, capsys: pytest.CaptureFixture[str]) -> None:
    intact = exported(root, tmp_path, capsys, "intact.csv")
    checkpoint = damaged_checkpoint(root)
    out = tmp_path / "x.csv"
    ran = subprocess.run([python, "-m", "sendlib", "export", "--store", str(root), "-o", str(out)],
                         cwd=paths["root"], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert out.read_text(encoding="utf-8") == intact, "the intact table's rows, read from the commit entries"
    note = [line for line in ran.stderr.splitlines() if checkpoint.name in line]
    assert len(note) == 1 and "damaged checkpoint" in note[0] and "repair" in note[0], ran.stderr
    assert "Traceback" not in ran.stderr

    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    before = tables_files(root, "values")
    code, said = run(COMMANDS["load"](root, tmp_path), capsys)
    assert code == 1 and checkpoint.name in said and "damaged checkpoint" in said and "repair" in said, said
    assert tables_files(root, "values") == before, "nothing written past a damaged checkpoint"
    code, said = run(["check", "--store", str(root)], capsys)
    assert code == 1 and checkpoint.name in said and "damaged checkpoint" in said, said
    code, said = run(["repair", "--store", str(root)], capsys)
    assert code == 0 and "checkpoint rebuilt" in said, said
    assert exported(root, tmp_path, capsys, "after.csv") == intact
    assert run(["check", "--store", str(root)], capsys)[0] == 0
    assert list(checkpoint.parent.glob("*.damaged-*")), "the damaged checkpoint is kept aside, never deleted"
    assert run(COMMANDS["load"](root, tmp_path), capsys)[0] == 0, "after repair, load writes again"


def test_a_damaged_checkpoint_with_the_entries_below_it_cleaned_up_is_beyond_the_log(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkpoint = damaged_checkpoint(root)
    newest = int(checkpoint.name.split(".")[0])
    for version in range(newest):
        log_entry(root, "values", version).unlink()
    refused_by_all(root, tmp_path, "values", checkpoint.name, capsys)
    code, said = run(["repair", "--store", str(root)], capsys)
    assert code == 1 and checkpoint.name in said and "backup" in said, said


def test_a_damaged_checkpoint_pointer_is_reported_and_rewritten(root: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    checkpointed(root)
    (root / "delta" / "values" / "_delta_log" / "_last_checkpoint").write_text("garbage", encoding="utf-8")
    exported(root, tmp_path, capsys, "x.csv")
    code, said = run(["check", "--store", str(root)], capsys)
    assert code == 1 and "_last_checkpoint" in said, said
    assert run(["repair", "--store", str(root)], capsys)[0] == 0
    assert run(["check", "--store", str(root)], capsys)[0] == 0


def same_size_change(path: Path) -> None:
    """A value changed inside a data file, the file's size kept: the greatest figure's eight bytes (as parquet
    stores a double, verbatim in the dictionary page) made a thousand times larger."""
    import struct

    import pyarrow.parquet as pq

    greatest = max(v for v in pq.read_table(path, columns=["value"]).column("value").to_pylist() if v is not None)
    data = path.read_bytes()
    old = struct.pack("<d", greatest)
    assert data.count(old) >= 1, "the figure's bytes are in the file"
    path.write_bytes(data.replace(old, struct.pack("<d", greatest * 1000)))
    assert len(path.read_bytes()) == len(data)


def test_a_same_size_change_inside_a_data_file_is_found_and_repaired(root: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = newest_file(root, "values")
    same_size_change(path)
    code, said = run(["export", "--store", str(root), "-o", str(tmp_path / "x.csv")], capsys)
    assert code == 1 and path.name in said and "content changed" in said, said
    code, said = run(["check", "--store", str(root)], capsys)
    assert code == 1 and path.name in said and "content changed" in said, said
    assert run(["repair", "--store", str(root)], capsys)[0] == 0
    assert run(["export", "--store", str(root), "-o", str(tmp_path / "y.csv")], capsys)[0] == 0


def test_data_files_of_a_lost_newest_commit_are_reported_with_the_way_to_their_rows(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    upload = newest_file(root, "values")
    log_entry(root, "values", 2).unlink()
    code, said = run(["check", "--store", str(root)], capsys)
    assert code == 1, "an upload may be lost: the store is not called intact"
    assert "store intact" not in said and "no damaged file found" in said and "1 data file" in said, said
    listed = [line for line in said.splitlines() if upload.name in line]
    assert len(listed) == 1 and "no version names it" in listed[0] and "backup" in listed[0], said


def test_a_killed_writers_files_older_than_the_newest_commit_leave_the_store_intact(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import shutil

    newest = log_entry(root, "values", 2).stat().st_mtime
    leftover = newest_file(root, "values").with_name("part-00000-killed-writer-c000.zstd.parquet")
    shutil.copyfile(newest_file(root, "values"), leftover)
    os.utime(leftover, (newest - 3600, newest - 3600))
    code, said = run(["check", "--store", str(root)], capsys)
    assert code == 0 and "store intact" in said and leftover.name not in said, said


@pytest.fixture(scope="module")
def intact_exports(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The export of each intact version of the figures: the store as it stood after each commit."""
    found = set()
    for newest in range(3):
        copy = copy_store(seeded, tmp_path_factory.mktemp("intact") / "store")
        for later in range(newest + 1, 3):
            log_entry(copy, "values", later).unlink()
        out = copy.parent / "out.csv"
        assert main(["export", "--store", str(copy), "-o", str(out)]) == 0
        found.add(out.read_text(encoding="utf-8"))
    return found


def _damage_ops() -> dict[str, Callable[[Path], None]]:
    import shutil

    def entry(version: int, data: Callable[[bytes], bytes]) -> Callable[[Path], None]:
        return lambda r: (p := log_entry(r, "values", version)).exists() and p.write_bytes(data(p.read_bytes()))

    def delete(version: int) -> Callable[[Path], None]:
        return lambda r: log_entry(r, "values", version).unlink(missing_ok=True)

    def clean_up(r: Path) -> None:
        if (r / "delta" / "values" / "_delta_log").is_dir() and not list((r / "delta" / "values" / "_delta_log")
                                                                             .glob("*.checkpoint.parquet")):
            try:
                newest = checkpointed(r)
            except Exception:  # a log already damaged: delta-rs cannot make a checkpoint of it
                return
            for version in range(newest):
                log_entry(r, "values", version).unlink(missing_ok=True)

    ops: dict[str, Callable[[Path], None]] = {
        "lose the log": lambda r: shutil.rmtree(r / "delta" / "values" / "_delta_log", ignore_errors=True),
        "checkpoint and clean up": clean_up,
        "same-size change": lambda r: same_size_change(newest_file(r, "values")),
    }
    for version in range(3):
        ops[f"empty entry {version}"] = entry(version, lambda b: b"")
        ops[f"braces entry {version}"] = entry(version, lambda b: b"{}")
        ops[f"halve entry {version}"] = entry(version, lambda b: b[: len(b) // 2])
        ops[f"delete entry {version}"] = delete(version)
    return ops


DAMAGE_OPS = _damage_ops()


def test_no_command_shows_rows_that_differ_from_an_intact_version(seeded: Path, intact_exports: set[str],
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    """After any sequence of damage, `export` either refuses (exit 1) or writes exactly some intact version's rows."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(sorted(DAMAGE_OPS)), min_size=1, max_size=3))
    def damaged_then_exported(ops: list[str]) -> None:
        root = copy_store(seeded, tmp_path_factory.mktemp("prop") / "store")
        for op in ops:
            try:
                DAMAGE_OPS[op](root)
            except Exception:  # the op does not apply to a store already damaged that way
                continue
        out = root.parent / "out.csv"
        code = main(["export", "--store", str(root), "-o", str(out)])
        assert code in (0, 1), (ops, code)
        if code == 0:
            assert out.read_text(encoding="utf-8") in intact_exports, ops

    damaged_then_exported()


# --- the same damage on Azurite: every command, `check` and `repair` behave as on local disk (issue 21) ------------

def _container(azurite: Location) -> Any:
    from azure.storage.blob import ContainerClient

    options = azurite.storage_options
    return ContainerClient(account_url=options["azure_storage_endpoint"], container_name=azurite_service.CONTAINER,
                           credential={"account_name": options["account_name"], "account_key": options["account_key"]})


def _blobs(container: Any, prefix: str) -> dict[str, bytes]:
    return {b.name: container.download_blob(b.name).readall() for b in container.list_blobs(name_starts_with=prefix)}


def _lose_the_log(container: Any, log: list[str]) -> str:
    for name in log:
        container.delete_blob(name)
    return "delta/values"


def _braces_newest_entry(container: Any, log: list[str]) -> str:
    newest = max(n for n in log if n.endswith(".json"))
    container.upload_blob(newest, b"{}", overwrite=True)
    return newest.rsplit("/", 1)[-1]


# Each damages the values table's log (its blobs' names given) and returns what every message must name.
AZURITE_DAMAGE: dict[str, Callable[[Any, list[str]], str]] = {"no log": _lose_the_log,
                                                              "braces entry": _braces_newest_entry}


@pytest.mark.azurite
@pytest.mark.parametrize("damage", AZURITE_DAMAGE)
def test_on_azurite_a_damaged_log_is_named_and_refused_by_every_command(
        azurite: Location, azurite_store: str, tmp_path: Path, damage: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sendlib.store.delta import TableDamaged
    from sendlib.workflows.load import ensure_store

    container = _container(azurite)
    table = azurite_store.removeprefix(f"az://{azurite_service.CONTAINER}/") + "/delta/values/"
    names = AZURITE_DAMAGE[damage](container, sorted(_blobs(container, table + "_delta_log/")))
    before = _blobs(container, table)
    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    for name in ("export", "load", "history", "report"):
        code, said = run(COMMANDS[name](azurite_store, tmp_path), capsys)
        assert code == 1 and names in said, (name, code, said)
    assert _blobs(container, table) == before, "nothing written on top of the damage"
    code, said = run(["check", "--store", azurite_store], capsys)
    assert code == 1 and names in said, said
    code, said = run(["repair", "--store", azurite_store], capsys)
    assert code == 1 and names in said and "backup" in said, said
    with pytest.raises(TableDamaged):
        ensure_store(open_store(azurite_store))  # what the app does on first use: never the bundled data over it
    assert _blobs(container, table) == before


@pytest.mark.azurite
def test_on_azurite_a_damaged_checkpoint_is_read_past_and_repair_rebuilds_it(
        azurite: Location, azurite_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from deltalake import DeltaTable

    intact = exported(azurite_store, tmp_path, capsys, "intact.csv")
    table = DeltaTable(f"{azurite_store}/delta/values", storage_options=dict(azurite.storage_options))
    table.create_checkpoint()
    container = _container(azurite)
    prefix = azurite_store.removeprefix(f"az://{azurite_service.CONTAINER}/") + "/delta/values/_delta_log/"
    checkpoint = f"{prefix}{table.version():020d}.checkpoint.parquet"
    container.upload_blob(checkpoint, b"\x00\xffnot a checkpoint", overwrite=True)
    name = checkpoint.rsplit("/", 1)[-1]

    assert exported(azurite_store, tmp_path, capsys, "past.csv") == intact
    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    code, said = run(COMMANDS["load"](azurite_store, tmp_path), capsys)
    assert code == 1 and name in said and "repair" in said, said
    code, said = run(["check", "--store", azurite_store], capsys)
    assert code == 1 and name in said and "damaged checkpoint" in said, said
    code, said = run(["repair", "--store", azurite_store], capsys)
    assert code == 0 and "checkpoint rebuilt" in said, said
    assert run(["check", "--store", azurite_store], capsys)[0] == 0
    assert any(".damaged-" in n for n in _blobs(container, prefix)), "the damaged checkpoint is kept aside"
    assert run(COMMANDS["load"](azurite_store, tmp_path), capsys)[0] == 0
