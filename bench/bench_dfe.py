"""DfE benchmarks and the board report: how long they take, beside the floor (reading the same bytes with pandas).

    .venv/bin/python bench/bench_dfe.py [--repeat 3]

Prints figures; never fails on them. Uses DfE's originals in ../shared/dfe when present (for the reader), and the
bundled data otherwise. "100×" here is the benchmarks for every authority in England (153), the scale at which a
regional or national team would use the same code.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.benchmarks import compute, la_index, load_mappings, prepare
from sendlib.domain.catalogue import load_catalogue
from sendlib.files.dfe import read_dfe_file
from sendlib.presentation.report import build_report, report_bytes
from sendlib.workflows.commentary import commentary_store
from sendlib.workflows.dfe_releases import ensure_dfe
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "dfe"


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if SHARED.is_dir():
        print("Reading DfE's files (sendlib.dfe.read_dfe_file vs pandas.read_csv of the same bytes)")
        for path in sorted(SHARED.glob("ehcp_*/*.csv")):
            data = path.read_bytes()
            ours = best_ms(lambda d=data, n=path.name: read_dfe_file(d, n), args.repeat)
            floor = best_ms(lambda p=path: pd.read_csv(p, dtype=str, encoding="utf-8-sig", header=None), args.repeat)
            print(f"  {path.name:<44} {len(data) / 1e6:6.1f} MB  read {ours:8.0f} ms   pandas {floor:6.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store")
        start = time.perf_counter()
        init_store(store)
        print(f"\nStore init incl. DfE tables   {(time.perf_counter() - start) * 1000:8.0f} ms")
        figures, groups = ensure_dfe(store)
        dfe, neighbours = figures.read(), groups.read()
        catalogue = load_catalogue()
        mappings = load_mappings(catalogue=catalogue)
        print(f"DfE table: {len(dfe):,} figures; {len(mappings)} mappings")
        for sn in ("2021", "2025"):
            t = best_ms(lambda sn=sn: compute(dfe, neighbours, catalogue, mappings, la="839", sn_set=sn), args.repeat)
            print(f"Benchmarks for one authority ({sn} groups)   {t:8.0f} ms")
        codes = la_index(dfe)["old_la_code"].tolist()
        start = time.perf_counter()
        prepared = prepare(dfe, mappings)
        print(f"The authority-independent part (prepare)     {(time.perf_counter() - start) * 1000:8.0f} ms")
        t = best_ms(lambda: compute(dfe, neighbours, catalogue, mappings, la="839", prepared=prepared), args.repeat)
        print(f"Benchmarks for one authority, prepared       {t:8.0f} ms   (changing authority in the app)")
        start = time.perf_counter()
        rows = sum(len(compute(dfe, neighbours, catalogue, mappings, la=c, prepared=prepared)) for c in codes)
        print(f"Benchmarks for all {len(codes)} authorities   {(time.perf_counter() - start) * 1000:8.0f} ms "
              f"({rows:,} rows)")

        board = store.authority(BOARD_AUTHORITY)  # the board report is its own council's
        table = board.read()
        comments = commentary_store(board).read_or_empty()
        report = None

        def build() -> None:
            nonlocal report
            report = build_report(table, catalogue, comments, "2024-03", scorecard="board", version=board.head() or "")

        print(f"\nBoard report model, March 2024 (charts rendered)  {best_ms(build, args.repeat):8.0f} ms")
        for fmt in ("html", "pdf"):
            t = best_ms(lambda f=fmt: report_bytes(report, f), args.repeat)  # type: ignore[arg-type]
            print(f"Board report {fmt.upper():<4}                               {t:8.0f} ms")


if __name__ == "__main__":
    main()
