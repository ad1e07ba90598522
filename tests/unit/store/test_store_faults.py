"""Fault injection: every kind of store file damaged in every way, every command run over it, and a writer killed
at each step. Each time: one clear line and an exit code, never a traceback; no version lost; and `repair` or
`rollback` brings the store back."""

from __future__ import annotations

import errno
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sendlib.cli import main
from sendlib.domain.catalogue import load_catalogue, new_kpi
from sendlib.domain.commentary import Comment
from sendlib.store.integrity import check_store
from sendlib.store.versioned import Store, StoreDamaged, StoreError
from sendlib.workflows.commentary import commentary_store, save_comment
from sendlib.workflows.load import ensure_store, load_file
from sendlib.workflows.repair import repair_store

pytestmark = pytest.mark.faults

LONG_FILE = "kpi_id,period,value\ncomplaints,2025-02,9\n"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, built_store: Store) -> Path:
    """The bundled store plus an upload (version 3), a KPI added on the upload page and two commentary versions."""
    root = tmp_path_factory.mktemp("faults") / "store"
    shutil.copytree(built_store.root, root, ignore=shutil.ignore_patterns(".lock"))
    upload = root.parent / "c.csv"
    upload.write_text(LONG_FILE, encoding="utf-8")
    store = Store(root)
    load_file(store, upload)
    store.add_kpi(new_kpi(load_catalogue(), name="A measure added on the upload page", theme="statutory-duty",
                          unit="count", polarity="neutral").model_dump())
    for text in ("first words", "second words"):
        save_comment(store, Comment(scorecard="board", kpi_id="", period="2024-03", text=text))
    return root


@pytest.fixture
def root(seeded: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(seeded, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def head(root: Path, table: str = "") -> str:
    return (root / table / "HEAD").read_text().strip()


# Each file a command needs, named by where it sits in the store.
TARGETS: dict[str, Callable[[Path], Path]] = {
    "HEAD": lambda r: r / "HEAD",
    "head version record": lambda r: r / "versions" / f"{head(r)}.json",
    "head version parquet": lambda r: r / "versions" / f"{head(r)}.parquet",
    "extra_kpis.json": lambda r: r / "extra_kpis.json",
    "commentary HEAD": lambda r: r / "tables" / "commentary" / "HEAD",
    "commentary parquet": lambda r: r / "tables" / "commentary" / "versions" / f"{head(r, 'tables/commentary')}.parquet",
    "commentary record": lambda r: r / "tables" / "commentary" / "versions" / f"{head(r, 'tables/commentary')}.json",
    "DfE parquet": lambda r: r / "tables" / "dfe" / "versions" / f"{head(r, 'tables/dfe')}.parquet",
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
    "load": lambda r, tmp: ["load", str(r.parent / "upload.csv"), "--store", str(r)],
    "report": lambda r, tmp: ["report", "--store", str(r), "--period", "2024-03", "-o", str(tmp / "r.html")],
    "history": lambda r, tmp: ["history", "--store", str(r)],
    "comment": lambda r, tmp: ["comment", "--store", str(r), "--period", "2024-03", "new words"],
    "benchmarks": lambda r, tmp: ["benchmarks", "--store", str(r), "-o", str(tmp / "b.csv")],
}


def files(root: Path) -> dict[str, bytes]:
    """Every version file, so a test can assert none was lost or changed (new ones may be added)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("versions/*") if p.is_file()}


def kept(before: dict[str, bytes], after: dict[str, bytes]) -> bool:
    return all(after.get(name) == data for name, data in before.items())


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("target", TARGETS)
def test_every_command_fails_cleanly_and_repair_recovers(root: Path, seeded: Path, tmp_path: Path, target: str,
                                                         damage: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "upload.csv").write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    path = TARGETS[target](root)
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
    assert kept(before, files(root)), "no version file is lost or changed"

    assert main(["check", "--store", str(root)]) in (0, 1)
    report = capsys.readouterr()
    assert "Traceback" not in report.err
    repaired = repair_store(root, author="tester")
    assert repair_store(root) == [], "one repair makes every table's current version intact"
    left = check_store(root).damaged
    assert all(f.path == path for f in left), ("only the damaged file itself is still reported", left)
    assert all(r.info.action == "repair" and r.info.message for r in repaired)
    store = Store(root)
    values = store.read()
    expected = Store(seeded).read("000002" if target.startswith("head version") else None)
    lost = expected.merge(values, how="left", indicator=True).query("_merge == 'left_only'")
    assert lost.empty, ("every value of the newest intact version is current again", lost)
    assert store.versions()[-1].id == "000001", "history still reaches the first version"
    assert main(["export", "--store", str(root), "-o", str(tmp_path / "after.csv")]) == 0


def test_a_damaged_head_is_never_rebuilt_from_the_bundled_data(root: Path) -> None:
    """The defect: with HEAD gone, the app rebuilt the store from the bundled documents and every upload vanished."""
    (root / "HEAD").unlink()
    with pytest.raises(StoreDamaged, match="HEAD is missing"):
        ensure_store(Store(root)).read()
    assert not (root / "HEAD").exists(), "nothing was written over the damage"
    with pytest.raises(StoreDamaged):
        Store(root).commit(lambda t: (t, {"new": 1}), action="upload")


def test_load_over_a_missing_head_writes_nothing(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`init; rm HEAD; load c.csv; history` gave a one-row table as the current version."""
    (root / "HEAD").unlink()
    before = files(root)
    upload = tmp_path / "c.csv"
    upload.write_text(LONG_FILE, encoding="utf-8")
    assert main(["load", str(upload), "--store", str(root)]) == 1
    assert "HEAD is missing" in capsys.readouterr().err
    assert files(root) == before


def test_rollback_to_an_intact_version_works_whatever_head_is(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truncate(root / "versions" / f"{head(root)}.parquet")
    assert main(["rollback", "--store", str(root), "000002"]) == 0
    assert len(Store(root).read()) == len(Store(root).read("000002"))
    (root / "HEAD").write_text("garbage\n")
    assert main(["rollback", "--store", str(root), "000001"]) == 0
    assert Store(root).versions()[0].restored_from == "000001"


@pytest.mark.parametrize("version", ["../../other/versions/000003", "3", "000003x", "/etc/passwd", ""])
def test_rollback_refuses_anything_but_a_version_id(root: Path, version: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(root)
    assert main(["rollback", "--store", str(root), version]) == 2
    assert "not a version id" in capsys.readouterr().err
    assert files(root) == before


def test_check_names_each_damaged_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage(root / "versions" / "000001.json")
    truncate(root / "versions" / "000002.parquet")
    assert main(["check", "--store", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    rows = [line.split("\t") for line in out]
    damaged = {(r[1], r[2], r[3]) for r in rows if r[0] == "damaged"}
    assert ("values", "000001", "versions/000001.json") in damaged
    assert ("values", "000002", "versions/000002.parquet") in damaged


def test_an_intact_store_checks_clean(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--store", str(root)]) == 0
    assert "store intact" in capsys.readouterr().err


def test_repair_of_a_store_with_no_intact_version_says_so(tmp_path: Path) -> None:
    root = tmp_path / "s"
    store = Store(root)
    save_comment(store, Comment(scorecard="board", kpi_id="", period="2024-03", text="x"))
    side = commentary_store(store)
    garbage(side.versions_dir / "000001.parquet")
    with pytest.raises(StoreError, match="no version of the commentary table is intact"):
        repair_store(root)


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"),
                                        (errno.EACCES, "permission denied")])
def test_a_full_or_read_only_disk_is_one_line(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str], code: int, words: str) -> None:
    """Root ignores file modes, so the OS's refusal is injected where the store makes its temp file."""
    import sendlib.store.versioned

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, "injected")

    before = files(root)
    monkeypatch.setattr(sendlib.store.versioned.tempfile, "mkstemp", refuse)
    upload = tmp_path / "c.csv"
    upload.write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    assert main(["load", str(upload), "--store", str(root)]) == 1
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err
    assert files(root) == before


def test_a_lock_that_cannot_be_created_is_one_line(root: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from filelock import FileLock

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(root / ".lock"))

    monkeypatch.setattr(FileLock, "acquire", refuse)
    assert main(["comment", "--store", str(root), "--period", "2024-03", "words"]) == 1
    assert "permission denied" in capsys.readouterr().err


# A writer killed at each step of a commit: the script runs a real load in a subprocess and dies (os._exit, as a
# SIGKILL would leave it) at the chosen write, or between a temp file's write and its rename.
KILLER = textwrap.dedent("""
    import os, sys
    import sendlib.store.versioned as store
    step, mode = int(sys.argv[1]), sys.argv[2]
    calls = {"n": 0}
    real_write, real_replace = store.atomic_write, store.os.replace

    def write(path, data):
        calls["n"] += 1
        if calls["n"] == step and mode == "before":
            os._exit(137)
        real_write(path, data)
        if calls["n"] == step and mode == "after":
            os._exit(137)

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == step and mode == "rename":
            os._exit(137)
        real_replace(src, dst)

    store.atomic_write = write
    if mode == "rename":
        store.atomic_write = real_write
        store.os.replace = replace
    from sendlib.cli import main
    sys.exit(main(["load", sys.argv[3], "--store", sys.argv[4]]))
""")


@pytest.mark.parametrize("step,mode", [(1, "before"), (1, "after"), (2, "after"), (3, "before"), (1, "rename"),
                                       (2, "rename"), (3, "rename")])
def test_a_writer_killed_at_each_step_loses_nothing(root: Path, tmp_path: Path, python: str, paths: dict,
                                                    step: int, mode: str) -> None:
    upload = tmp_path / "c.csv"
    upload.write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    store = Store(root)
    history = [v.id for v in store.versions()]
    table = store.read()
    before = files(root)
    run = subprocess.run([python, "-c", KILLER, str(step), mode, str(upload), str(root)], cwd=paths["root"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 137, run.stderr
    assert kept(before, files(root)), "no earlier version file changed"
    assert [v.id for v in store.versions()] == history, "the killed write is not in history"
    pd.testing.assert_frame_equal(store.read(), table)
    assert check_store(root).ok, check_store(root).damaged
    assert main(["load", str(upload), "--store", str(root)]) == 0, "the next write goes through"
    assert not store.orphan_temp_files(), "and clears the temp files the killed writer left"
    assert [v.id for v in store.versions()][1:] == history
    assert check_store(root).ok
