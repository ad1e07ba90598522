"""Upload figures: validate-and-load time for a 100,000-row long file and a 300-row x 60-month wide
file, next to the time pyarrow alone takes to read the same CSV. Prints; asserts nothing.

Usage: python bench/bench_upload.py
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

from sendlib.domain.catalogue import KPI, load_catalogue
from sendlib.domain.periods import MONTH_ABBR, shift_month
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import open_store


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def synthetic_kpis(n: int) -> list[KPI]:
    base = load_catalogue()
    return [
        KPI(id=f"bench-{i:04d}", scorecard="scorecard", order=5000 + i, name=f"Benchmark measure {i:04d}",
            theme="statutory-duty", section="Benchmark", unit="percent" if i % 3 == 0 else "count",
            polarity="higher_better", polarity_source="domain", frequency="month",
            definition="Synthetic measure for bench/.", source="bench/bench_upload.py")
        for i in range(n)
        if f"bench-{i:04d}" not in base
    ]


def value(rng: random.Random, kpi: KPI) -> str:
    return f"{rng.uniform(0, 100):.1f}%" if kpi.unit == "percent" else str(rng.randint(0, 5000))


def long_csv(kpis: list[KPI], rows: int, rng: random.Random) -> bytes:
    months = [shift_month("2020-01", i) for i in range(rows // len(kpis) + 1)]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["kpi_id", "period", "value"])
    n = 0
    for m in months:
        for k in kpis:
            if n == rows:
                break
            w.writerow([k.id, m, value(rng, k)])
            n += 1
    return out.getvalue().encode()


def wide_csv(kpis: list[KPI], months: int, rng: random.Random) -> bytes:
    periods = [shift_month("2020-01", i) for i in range(months)]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["KPI", *[f"{MONTH_ABBR[int(p[5:]) - 1]} {p[2:4]}" for p in periods], "Target"])
    for k in kpis:
        w.writerow([k.name, *[value(rng, k) for _ in periods], ""])
    return out.getvalue().encode()


def run(label: str, data: bytes, name: str, kpis: list[KPI]) -> None:
    catalogue = load_catalogue().with_extra(kpis)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        store = open_store(Path(tmp) / "store")
        arrow = timed(lambda: pacsv.read_csv(path))
        dry = timed(lambda: load_file(store, path, catalogue, dry_run=True))
        load = timed(lambda: load_file(store, path, catalogue))
        again = timed(lambda: load_file(store, path, catalogue))
    print(f"{label:<32} {len(data) / 1e6:6.1f} MB  pyarrow read {arrow * 1000:8.0f} ms  "
          f"validate {dry * 1000:8.0f} ms  validate+commit {load * 1000:8.0f} ms  same file again {again * 1000:8.0f} ms")


def main() -> None:
    rng = random.Random(20261123)
    kpis = synthetic_kpis(300)
    run("long: 100,000 rows", long_csv(kpis, 100_000, rng), "long.csv", kpis)
    run("wide: 300 KPIs x 60 months", wide_csv(kpis, 60, rng), "wide.csv", kpis)


if __name__ == "__main__":
    main()
