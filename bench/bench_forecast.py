"""Forecast accuracy over every authority in England, and how long it takes.

    .venv/bin/python bench/bench_forecast.py [--store DIR]

For each measure (EHC plans, requests, new plans) and each back-test origin: the pooled model's mean absolute
percentage error at 1, 2 and 3 years ahead beside the best of the four simple methods' at that origin and horizon,
and whether the model meets the issue's bar (below the best at 2 and 3 years, within 1.05× at 1); then each method's
80% and 50% interval coverage; then the time for the whole back-test of every authority. Prints figures; never fails
on them. Without --store, uses a fresh store of the bundled DfE release.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import pandas as pd

from sendlib.domain.forecast import MEASURES, MODEL, SIMPLE_METHODS
from sendlib.workflows.forecast import backtest_dfe, current_dfe
from sendlib.workflows.stores import open_store


def _verdict(h: int, model: float, best: float) -> str:
    ok = model <= 1.05 * best if h == 1 else model < best
    return "meets" if ok else "MISSES"


def report(measure: str, record: pd.DataFrame) -> None:
    record = record[record["horizon"] <= 3]
    mape = record.assign(ape=record["error_pct"].abs()).pivot_table(
        index=["origin", "horizon"], columns="method", values="ape", aggfunc="mean")
    print(f"\n{measure}: MAPE % over every authority with a forecast ({record['la_code'].nunique()} authorities)")
    print(f"{'origin':8} {'h':>2} {'model':>7} {'best simple':>24} {'ratio':>6}  bar")
    for (origin, h), row in mape.iterrows():
        best = row[list(SIMPLE_METHODS)].idxmin()
        print(f"{origin:8} {h:>2} {row[MODEL]:7.1f} {best:>17} {row[best]:6.1f} {row[MODEL] / row[best]:6.2f}  "
              f"{_verdict(int(h), row[MODEL], row[best])}")
    cover = record.groupby("method")[["covered80", "covered50"]].mean() * 100
    print("interval coverage (origins with earlier errors to learn from): "
          + "; ".join(f"{m} 80%: {r.covered80:.0f}%, 50%: {r.covered50:.0f}%" for m, r in cover.iterrows()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", help="a store whose current DfE release to use (default: the bundled release)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dfe = current_dfe(open_store(args.store or f"{tmp}/store"))
        total = 0.0
        for measure in MEASURES:
            start = time.perf_counter()
            record = backtest_dfe(dfe, measure)
            took = time.perf_counter() - start
            total += took
            report(measure, record)
            print(f"time: {took:.2f} s for {len(record)} back-test forecasts")
        print(f"\nall three measures, every authority, every origin: {total:.2f} s")


if __name__ == "__main__":
    main()
