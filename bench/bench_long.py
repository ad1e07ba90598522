"""A 100,000-row long file through the upload path, beside pyarrow's own read of the same CSV (the floor).

The file is what an analyst's tool exports for the bundled catalogue: kpi_id, period (monthly), series (actual,
target, national), value in each KPI's unit as people write it (`45.2%`, `45.2% (24)`, `1,234`, `38 weeks 4 days`,
now and then `n/a` or an arrow), and a note on a few rows. Built in a temporary folder with a temporary store
(`init_store`); prints, asserts nothing.

Usage: python bench/bench_long.py [--rows 100000] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv

from sendlib.domain.catalogue import KPI, load_catalogue
from sendlib.domain.periods import shift_month
from sendlib.workflows.load import commit_preview, init_store, preview_bytes
from sendlib.workflows.stores import open_store

SERIES = ("actual", "target", "national")
OUT = Path(__file__).parent / "out"


def level(rng: random.Random, kpi: KPI) -> float:
    """Where a KPI's figures sit: a percentage somewhere in 5-95, a count in the tens to thousands."""
    return {"percent": rng.uniform(5, 95), "days": rng.uniform(100, 300), "score": rng.uniform(1, 9)}.get(
        kpi.unit, 10 ** rng.uniform(1, 3.5))


def figure(rng: random.Random, kpi: KPI, centre: float, month: int) -> str:
    """One value cell as people type it for `kpi`'s unit, near `centre` (a cumulative count grows through the
    year): mostly plain, some with a `%`, a count in brackets, thousands commas or an arrow, now and then `n/a`."""
    roll = rng.random()
    if roll < 0.01:
        return rng.choice(["n/a", "TBC", "requested", ""])
    if kpi.unit == "percent":
        pct = f"{min(100.0, max(0.0, rng.gauss(centre, 2))):.1f}"
        if roll < 0.3:
            return pct
        return f"{pct}% ({rng.randint(0, 400)})" if roll < 0.4 else f"{pct}%"
    if kpi.unit == "days":
        days = max(0, round(rng.gauss(centre, 10)))
        return f"{days // 7} weeks {days % 7} days" if roll < 0.5 else str(days)
    if kpi.unit == "score":
        return f"{max(0.0, rng.gauss(centre, 0.3)):.2f}"
    grown = centre * (month % 12 + 1) / 12 if kpi.cumulative == "calendar-year" else centre
    count = max(0, round(rng.gauss(grown, grown * 0.03)))
    if roll < 0.03:
        return f"{count} {rng.choice('▲▼▶')}"
    return f"{count:,}" if roll < 0.1 else str(count)


def long_csv(rows: int, known: pd.DataFrame | None = None, seed: int = 20261201) -> bytes:
    """`rows` rows over every bundled KPI × SERIES, month after month from 2005-01, each KPI's figures near its
    median in `known` (the bundled store) where it has one, so the outlier check finds what it would in a real file."""
    rng = random.Random(seed)
    kpis = list(load_catalogue())
    medians = {} if known is None else known[known["value"].notna()].groupby(["kpi_id", "series"])["value"].median()
    centres = {(k.id, s): float(medians.get((k.id, s), medians.get((k.id, "actual"), level(rng, k))))
               for k in kpis for s in SERIES}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["kpi_id", "period", "series", "value", "note"])
    n, month = 0, 0
    while n < rows:
        period = shift_month("2005-01", month)
        for kpi in kpis:
            for series in SERIES:
                if n == rows:
                    break
                note = rng.choice(["checked", "provisional", "late return"]) if rng.random() < 0.02 else ""
                w.writerow([kpi.id, period, series, figure(rng, kpi, centres[kpi.id, series], month), note])
                n += 1
        month += 1
    return out.getvalue().encode()


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def profile(label: str, fn: Callable[[], object]) -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"profile-long-{label}.prof"
    cProfile.runctx("fn()", globals(), {"fn": fn}, str(path))
    print(f"\n--- {label}: cumulative, top 25 ({path}) ---")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs per figure")
    ap.add_argument("--profile", action="store_true", help="cProfile preview_bytes and commit_preview once each")
    args = ap.parse_args()
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        built = open_store(Path(tmp) / "store")
        init_store(built, catalogue)
        data = long_csv(args.rows, built.read())
        path = Path(tmp) / "long.csv"
        path.write_bytes(data)
        pacsv.read_csv(path)  # pyarrow's thread pool started, as the app's would be
        floor = best(lambda: pacsv.read_csv(path), args.repeat)
        preview = preview_bytes(data, path.name, built, catalogue)
        if preview.errors:
            raise SystemExit(f"the benchmark file was refused: {preview.errors[:3]}")
        parse = best(lambda: preview_bytes(data, path.name, built, catalogue), args.repeat)
        commits = []
        for i in range(args.repeat):  # each commit into its own fresh copy of the built store
            store = open_store(Path(tmp) / f"store-{i}")
            init_store(store, catalogue)
            start = time.perf_counter()
            commit_preview(store, preview)
            commits.append(time.perf_counter() - start)
        commit = min(commits)
        if args.profile:
            profile("preview", lambda: preview_bytes(data, path.name, built, catalogue))
            scratch = open_store(Path(tmp) / "store-profile")
            init_store(scratch, catalogue)
            profile("commit", lambda: commit_preview(scratch, preview))
    print(f"A long file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB; counts {preview.counts}; best of {args.repeat}")
    print(f"  pyarrow.csv.read_csv (floor)        {floor * 1000:8.0f} ms")
    print(f"  preview_bytes (read, parse, check)  {parse * 1000:8.0f} ms   {parse / floor:6.1f}× the floor")
    print(f"  commit_preview (merge, write)       {commit * 1000:8.0f} ms   {commit / floor:6.1f}× the floor")
    print(f"  validate and load                   {(parse + commit) * 1000:8.0f} ms   "
          f"{(parse + commit) / floor:6.1f}× the floor (aim: within 3×)")
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load > cpus:
        print(f"WARNING: load average {load:.1f} on {cpus} CPUs: other work inflated these figures")


if __name__ == "__main__":
    main()
