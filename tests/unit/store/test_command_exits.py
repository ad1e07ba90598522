"""Every `python -m sendlib` command ends cleanly, run as a real process: exit 0, 1 or 2, never a native abort (134),
a segfault (139) or a hang, and never a Rust panic banner, a traceback or a terminal escape code on stderr. A native
abort at shutdown came about 1 run in 100 (issue 21 saw 1 in 13), so each damaged store goes through `export`
many times and through every other command once; a full or a read-only disk (a real tmpfs, a real read-only bind
mount) is said in one line."""

from __future__ import annotations

import collections
import contextlib
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from store_files import copy_store, newest_file, newest_log

from sendlib.domain.commentary import Comment
from sendlib.store.delta import DeltaStore
from sendlib.workflows.commentary import save_comment
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import open_store

pytestmark = pytest.mark.faults

UPLOAD = "kpi_id,period,value\ncomplaints,2025-03,11\n"
EXPORTS_PER_STORE = 13  # four stores: 52 runs of `export`
WORKERS = 3
TIMEOUT = 120  # seconds a run may take on a busy machine; the hang seen in issue 21 lasted 13 minutes
NATIVE = ("panicked", "RUST_BACKTRACE", "terminate called", "Segmentation fault", "\x1b[", "Traceback")


def _logs(root: Path) -> list[Path]:
    return sorted((root / "delta" / "values" / "_delta_log").glob("*.json"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE: dict[str, Callable[[Path], None]] = {
    "middle log entry emptied": lambda r: _logs(r)[1].write_bytes(b""),
    "newest log entry {}": lambda r: newest_log(r, "values").write_text("{}", encoding="utf-8"),
    "data file truncated": lambda r: _truncate(newest_file(r, "values")),
    "data file removed": lambda r: newest_file(r, "values").unlink(),
}

Command = Callable[[Path, Path], list[str]]
READS: dict[str, Command] = {
    "export": lambda r, out: ["export", "--store", str(r), "-o", str(out / "out.csv")],
    "history": lambda r, out: ["history", "--store", str(r)],
    "check": lambda r, out: ["check", "--store", str(r)],
    "report": lambda r, out: ["report", "--store", str(r), "--period", "2024-03", "-o", str(out / "r.html")],
    "benchmarks": lambda r, out: ["benchmarks", "--store", str(r), "-o", str(out / "b.csv")],
    "cases measures": lambda r, out: ["cases", "measures", "--store", str(r), "--format", "csv", "-o",
                                      str(out / "m.csv")],
    "catalogue list": lambda r, out: ["catalogue", "list", "--store", str(r), "--format", "csv", "-o",
                                      str(out / "k.csv")],
}
# Each write runs on a copy of its own, so what one writes is not what the next one reads.
WRITES: dict[str, Command] = {
    "load": lambda r, out: ["load", str(out / "upload.csv"), "--store", str(r)],
    "comment": lambda r, out: ["comment", "--store", str(r), "--period", "2024-03", "new words"],
    "rollback": lambda r, out: ["rollback", "--store", str(r), "000001"],
    "repair": lambda r, out: ["repair", "--store", str(r)],
    "init": lambda r, out: ["init", "--store", str(r)],
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, built_store: DeltaStore) -> Path:
    """The bundled store plus an upload (three versions of the figures) and commentary."""
    root = copy_store(built_store.root, tmp_path_factory.mktemp("exits") / "store")
    upload = root.parent / "c.csv"
    upload.write_text("kpi_id,period,value\ncomplaints,2025-02,9\n", encoding="utf-8")
    store = open_store(root)
    load_file(store, upload)
    save_comment(store, Comment(scorecard="board", kpi_id="", period="2024-03", text="first words"))
    return root


@pytest.fixture(scope="module")
def damaged(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    stores = {}
    for name, damage in DAMAGE.items():
        root = copy_store(seeded, tmp_path_factory.mktemp("damaged") / "store")
        damage(root)
        stores[name] = root
    return stores


def _run(python: str, cwd: Path, argv: list[str]) -> tuple[int | str, str]:
    try:
        done = subprocess.run([python, "-m", "sendlib", *argv], cwd=cwd, capture_output=True, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "hang", ""
    return done.returncode, done.stdout + done.stderr


def _jobs(damaged: dict[str, Path], tmp: Path) -> list[tuple[str, str, list[str]]]:
    """(store, command, argv) for every run: `export` many times, every other command once, on each store."""
    jobs = []
    for store, root in damaged.items():
        out = tmp / store.replace(" ", "-")
        out.mkdir()
        (out / "upload.csv").write_text(UPLOAD, encoding="utf-8")
        jobs += [(store, "export", READS["export"](root, out))] * (EXPORTS_PER_STORE - 1)
        jobs += [(store, name, command(root, out)) for name, command in READS.items()]
        for name, command in WRITES.items():
            own = copy_store(root, out / f"store-{name}")
            jobs.append((store, name, command(own, out)))
    return jobs


def test_every_command_over_every_damaged_store_ends_cleanly(damaged: dict[str, Path], tmp_path: Path, python: str,
                                                              paths: dict[str, Path]) -> None:
    jobs = _jobs(damaged, tmp_path)
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda job: (job, *_run(python, paths["root"], job[2])), jobs))
    exits = collections.Counter((store, name, code) for (store, name, _), code, _ in results)
    unclean = [(store, name, code, output[-600:]) for (store, name, _), code, output in results
               if code not in (0, 1, 2) or any(mark in output for mark in NATIVE)]
    assert sum(n for (_, name, _), n in exits.items() if name == "export") >= 50
    assert not unclean, (unclean, exits)
    failed = [(store, name, output) for (store, name, _), code, output in results if code != 0]
    many = [f for f in failed if len([line for line in f[2].splitlines() if line.startswith("error:")]) != 1
            and f[1] != "check"]
    assert not many, ("a failure is said in one `error:` line", many)


@contextlib.contextmanager
def _mounted(*commands: list[str], target: Path) -> Iterator[None]:
    """A real mount for the test (root inside a container may be allowed one), unmounted after; skipped where the
    system refuses, as a CI runner without the privilege does."""
    target.mkdir(parents=True, exist_ok=True)
    for command in commands:
        done = subprocess.run([*command, str(target)], capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
            pytest.skip(f"cannot mount here ({done.stderr.strip()}): needs root with CAP_SYS_ADMIN")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _fill(disk: Path) -> None:
    with contextlib.suppress(OSError), (disk / "filler").open("wb") as fh:
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()


def test_a_full_disk_says_so_in_one_line(seeded: Path, tmp_path: Path, python: str, paths: dict[str, Path]) -> None:
    disk = tmp_path / "disk"
    with _mounted(["mount", "-t", "tmpfs", "-o", f"size={4 * 1024 * 1024}", "tmpfs"], target=disk):
        root = copy_store(seeded, disk / "store")
        upload = tmp_path / "upload.csv"
        upload.write_text(UPLOAD, encoding="utf-8")
        _fill(disk)
        for argv in (["load", str(upload), "--store", str(root)],
                     ["comment", "--store", str(root), "--period", "2024-03", "new words"],
                     ["export", "--store", str(seeded), "-o", str(disk / "out.csv")]):
            code, output = _run(python, paths["root"], argv)
            assert code == 1, (argv[0], code, output)
            assert output.count("\n") == 1 and "the disk is full" in output, (argv[0], output)
            assert not any(mark in output for mark in NATIVE), (argv[0], output)


def test_a_read_only_store_says_so_in_one_line(seeded: Path, tmp_path: Path, python: str,
                                                paths: dict[str, Path]) -> None:
    root = copy_store(seeded, tmp_path / "store")
    mounted = tmp_path / "read-only"
    upload = tmp_path / "upload.csv"
    upload.write_text(UPLOAD, encoding="utf-8")
    with _mounted(["mount", "--bind", str(root)], ["mount", "-o", "remount,bind,ro"], target=mounted):
        if subprocess.run(["touch", str(mounted / "probe")], capture_output=True).returncode == 0:
            pytest.skip("this kernel's bind mounts ignore `ro`")
        for argv in (["load", str(upload), "--store", str(mounted)],
                     ["comment", "--store", str(mounted), "--period", "2024-03", "new words"]):
            code, output = _run(python, paths["root"], argv)
            assert code == 1, (argv[0], code, output)
            assert output.count("\n") == 1 and "read-only" in output, (argv[0], output)
            assert not any(mark in output for mark in NATIVE), (argv[0], output)
