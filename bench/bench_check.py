"""`python -m sendlib check` timed as a person runs it (issue 21), beside its floors. Prints figures; asserts nothing.

Usage: .venv/bin/python bench/bench_check.py [--store DIR ...] [--runs 5]

Each store (default: the bundled store, built by `python -m sendlib init` in a temporary folder; give the region's
with `--store`, built by `bench/bench_region.py --only-store DIR`) is timed as `/usr/bin/time -f %e python -m sendlib
check --store DIR`, `--runs` times, beside two floors run the same way and taking turns with it, so a change in the
machine's load falls on all three:

- `python -c pass`: the interpreter's start.
- pyarrow.dataset's read of the same tables: a process that imports pyarrow.dataset and reads every current data
  file of every table in the store whole (the files listed beforehand from each table's log by deltalake, outside
  the timing): what reading the bytes `check` reads costs with no checking at all.

The minimum of the runs is the figure to quote on a shared machine (other work only ever adds time); the median is
printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]

FLOOR_READ = ("import json, sys, pyarrow.dataset as ds\n"
              "for files in json.load(open(sys.argv[1])).values():\n"
              "    ds.dataset(files, format='parquet').to_table()\n")


def current_files(store: Path) -> dict[str, list[str]]:
    """Every table's current data files (absolute paths), as its log names them."""
    from deltalake import DeltaTable

    out = {}
    for table in sorted(p for p in (store / "delta").iterdir() if (p / "_delta_log").is_dir()):
        actions = DeltaTable(str(table)).get_add_actions(flatten=True)
        paths = actions.column("path").to_pylist() if hasattr(actions, "column") else list(actions["path"])
        out[table.name] = [str(table / unquote(p)) for p in paths]
    return out


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds by /usr/bin/time, and the exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["/usr/bin/time", "-f", "%e", *argv], cwd=ROOT, capture_output=True, text=True, env=env)
    return float(done.stderr.strip().splitlines()[-1]), done.returncode


def bench(store: Path, runs: int) -> dict[str, object]:
    listed = Path(tempfile.mkstemp(suffix=".json")[1])
    files = current_files(store)
    listed.write_text(json.dumps(files), encoding="utf-8")
    commands = {"check": [sys.executable, "-m", "sendlib", "check", "--store", str(store)],
                "python -c pass": [sys.executable, "-c", "pass"],
                "pyarrow.dataset read": [sys.executable, "-c", FLOOR_READ, str(listed)]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes = set()
    for _ in range(runs):
        for name, argv in commands.items():
            seconds, code = timed(argv)
            times[name].append(seconds)
            if name == "check":
                codes.add(code)
    listed.unlink()
    size = sum(f.stat().st_size for f in (store / "delta").rglob("*") if f.is_file())
    return {"store": str(store), "tables": len(files), "data_files": sum(len(v) for v in files.values()),
            "bytes": size, "check_exit_codes": sorted(codes), "times": times}


def show(result: dict[str, object]) -> None:
    times = result["times"]
    assert isinstance(times, dict)
    print(f"\n{result['store']}: {result['tables']} tables, {result['data_files']:,} current data files, "
          f"{int(result['bytes']) / 1e6:.1f} MB on disk; check exit {result['check_exit_codes']}")
    floor = min(times["python -c pass"])
    for name, values in times.items():
        print(f"  {name:22} min {min(values):6.2f} s  median {statistics.median(values):6.2f} s  "
              f"({', '.join(f'{v:.2f}' for v in values)})  {min(values) / floor:5.1f}x python -c pass")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, action="append", help="a store to check (repeatable; default: the "
                        "bundled store, built in a temporary folder)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    args = parser.parse_args(argv)
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (a shared machine inflates "
          "every figure; quote the minimum)")
    with tempfile.TemporaryDirectory(prefix="sendlib-check-") as tmp:
        stores = args.store
        if not stores:
            stores = [Path(tmp) / "bundled"]
            subprocess.run([sys.executable, "-m", "sendlib", "init", "--store", str(stores[0])], cwd=ROOT, check=True,
                           capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        for store in stores:
            show(bench(store, args.runs))
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
