"""A region on one Delta store (issue #13): N authorities × the bundled catalogue's monthly KPIs × M months, beside
the same store holding one authority. Prints figures beside their floors and aims; asserts nothing.

Usage: .venv/bin/python bench/bench_region.py [--authorities 150] [--months 120] [--uploads-authorities K]
                                             [--uploads 24] [--repeat 3] [--no-pages]
                                             [--page-budget 10] [--page-cap 60] [--timeout 300] [--out FILE]
       .venv/bin/python bench/bench_region.py --only-store DIR   # step 1's region store alone, kept at DIR

1. Build. The bundled documents' rows for authority 839 (`init_store` in a scratch store, `store.read()`), each
   monthly series (scorecard, KPI, series) extended back to M months ending at its own last month (earlier months a
   seeded random walk from its earliest figure; a cumulative KPI its year-to-date rate), is the home authority's
   template. Every other authority's rows are the template perturbed (a factor per authority and KPI, noise per
   cell except cumulative ones, percentages within 0-100, counts whole and >= 0; England's figures kept). The whole
   table goes to `<store>/delta/values` in one `write_deltalake`, partitioned by `la_code`, with the store's table
   configuration and a "sendlib" record in the commit (what `versions()` reads); the DfE side tables come from
   `ensure_dfe`. The "one authority" store is the same template for 839 alone.
2. Pages: 839's overview and every theme page, first run and median rerun under AppTest, in each store.
3. One authority's monthly upload (a long CSV: kpi_id, period, value for the next month of each monthly KPI): preview
   and commit timed apart; the bytes the commit wrote (its log entry's "add" files + the entry, + a checkpoint if it
   made one) beside the authority's partition and the whole table.
4. 8 authorities committing at once, one process each (spawn: delta-rs is never forked), after a barrier.
5. Store size on disk after each of K authorities uploads 24 months, one month at a time, against one zstd parquet
   file of the same rows.
6. Floors: pyarrow.dataset's own read of the table's parquet files (whole table; one partition) beside
   `read_all()` and one authority's `read()`, on the fresh table and after the uploads.
Figures go to stdout and bench/out/region.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import math
import multiprocessing as mp
import os
import platform
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ is sys.path[0] and `bench` would be this folder's bench.py: import from the root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "bench")]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

from bench.bench import (  # noqa: E402
    APP,
    OUT_DIR,
    clear_streamlit_caches,
    expected_charts,
    fmt_ms,
    ms,
    note,
    time_page,
    timed,
    warn,
)
from sendlib.domain.catalogue import Catalogue, load_catalogue  # noqa: E402
from sendlib.domain.own_measures import BUNDLED_AUTHORITY  # noqa: E402
from sendlib.domain.paths import CATALOGUE_DIR, CATALOGUE_ENV, STORE_ENV  # noqa: E402
from sendlib.domain.periods import shift_month  # noqa: E402
from sendlib.domain.schema import VALUES  # noqa: E402
from sendlib.domain.table_spec import AUTHORITY  # noqa: E402
from sendlib.store.delta import LOG_DIR, TABLE_CONFIGURATION, DeltaStore  # noqa: E402
from sendlib.workflows.catalogues import authority_index  # noqa: E402
from sendlib.workflows.dfe_releases import ensure_dfe  # noqa: E402
from sendlib.workflows.load import commit_preview, init_store, preview_bytes  # noqa: E402
from sendlib.workflows.stores import open_store  # noqa: E402

HOME = BUNDLED_AUTHORITY  # the bundled documents' authority: the app's default home authority
HOME_ENV = "SENDLIB_HOME_LA"
SEED = 20261202
MONTH = r"\d{4}-\d{2}"
CONCURRENT = 8
FIRST_RUN_AIM_MS = 2000.0
RERUN_AIM_MS = 500.0
RATIO_AIM = 1.5
UPLOAD_AIM_MS = 1000.0
UNPERTURBED_SERIES = ("national",)  # England's figure is the same for every authority
# The process's own __main__: AppTest leaves a page's module in its place, and a spawned worker must start from this.
_MAIN = sys.modules.get("__main__")


# ---------------------------------------------------------------- 1. the region


@dataclass
class Region:
    """A built store: `root`, its authorities (old codes), rows per authority, and what the uploads need."""

    root: Path
    codes: list[str]
    rows_per_authority: int
    rows: int
    build_ms: float | None = None
    # Per authority: the latest figure of each monthly series with a value (kpi_id, period, value), which the next
    # upload carries forward a month.
    latest: dict[str, pd.DataFrame] = field(default_factory=dict)


def region_codes(n: int) -> list[str]:
    """The first `n` English authorities of DfE's index (old codes, in its order), with HOME among them."""
    index = authority_index()
    english = [str(c) for c, new in zip(index["old_la_code"], index["la_code"]) if str(new).startswith("E")]
    codes = list(dict.fromkeys(english))[:n]
    if HOME not in codes:
        codes[-1:] = [HOME]
    return codes


def bundled_rows(workdir: Path) -> pd.DataFrame:
    """HOME's rows as the bundled documents load them (init_store into a scratch store)."""
    store = open_store(workdir / "bundled", la=HOME)
    init_store(store)
    return store.read()


def _clip(values: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Each figure as its unit allows: a percentage within 0-100 (2 dp), counts and days whole and >= 0."""
    out = values.astype(float).copy()
    pct, whole = units == "percent", np.isin(units, ("count", "days"))
    out[pct] = np.round(np.clip(out[pct], 0, 100), 2)
    out[whole] = np.maximum(0, np.round(out[whole]))
    other = ~(pct | whole)
    out[other] = np.round(out[other], 2)
    return out


def _year_position(period: str, cumulative: str) -> int:
    """Months into the KPI's year (1-12): from January for a calendar year, from September for an academic one."""
    month = int(period[5:7])
    return month if cumulative == "calendar-year" else (month - 9) % 12 + 1


def _walk(known: dict[int, float], size: int, unit: str, rng: np.random.Generator) -> list[float]:
    """Figures for `size` months where `known` (position -> figure) are the real ones: a random walk back from the
    earliest, forward over any gap."""
    out: list[float] = [math.nan] * size
    for i, v in known.items():
        out[i] = v
    first = min(known)
    for i in range(first - 1, -1, -1):
        out[i] = float(_clip(np.array([out[i + 1] * math.exp(rng.normal(0, 0.04))]), np.array([unit]))[0])
    for i in range(first + 1, size):
        if i not in known:
            out[i] = float(_clip(np.array([out[i - 1] * math.exp(rng.normal(0, 0.04))]), np.array([unit]))[0])
    return out


def _series_rows(group: pd.DataFrame, months: int, catalogue: Catalogue, rng: np.random.Generator) -> pd.DataFrame:
    """One monthly series over the `months` months ending at its last month: real rows kept, the rest made."""
    kpi = catalogue[str(group["kpi_id"].iloc[0])]
    last = str(group["period"].max())
    window = [shift_month(last, i - months + 1) for i in range(months)]
    real = group.set_index("period")
    made = pd.DataFrame({"scorecard": group["scorecard"].iloc[0], "kpi_id": kpi.id, "period": window,
                         "series": group["series"].iloc[0]})
    valued = real["value"].dropna()
    if valued.empty:  # a placeholder series: each month says what the real ones say
        made = made.assign(value=pd.NA, count=pd.NA, note=str(real["note"].dropna().iloc[-1]) if real["note"].notna().any() else pd.NA)
    elif kpi.cumulative != "none":
        rate = float(np.median([v / _year_position(p, kpi.cumulative) for p, v in valued.items()]))
        made["value"] = _clip(np.array([rate * _year_position(p, kpi.cumulative) for p in window]),
                              np.array([kpi.unit] * months))
        made = made.assign(count=pd.NA, note=pd.NA)
    else:
        position = {p: i for i, p in enumerate(window)}
        known = {position[p]: float(v) for p, v in valued.items() if p in position}
        if not known:  # every figure is older than the window: its latest starts the walk
            known = {0: float(valued.iloc[-1])}
        made["value"] = _walk(known, months, kpi.unit, rng)
        counts = real["count"].dropna()
        made = made.assign(count=int(counts.median()) if not counts.empty else pd.NA, note=pd.NA)
    inside = real.loc[real.index.isin(window)].reset_index()  # the real rows win where they exist
    return pd.concat([made[~made["period"].isin(inside["period"])], inside[made.columns]], ignore_index=True)


def template_rows(bundled: pd.DataFrame, months: int, catalogue: Catalogue, seed: int = SEED) -> pd.DataFrame:
    """HOME's rows with every monthly series over `months` months; other periods (targets, years, terms) as they are."""
    rng = np.random.default_rng(seed)
    monthly = bundled["period"].str.fullmatch(MONTH).fillna(False).astype(bool)
    parts = [bundled[~monthly]]
    for _key, group in bundled[monthly].groupby(["scorecard", "kpi_id", "series"], sort=True):
        parts.append(_series_rows(group, months, catalogue, rng))
    return VALUES.normalise(pd.concat(parts, ignore_index=True))


def _perturbed(template: pd.DataFrame, catalogue: Catalogue, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One other authority's figures: the template's scaled by a factor per KPI and (except cumulative KPIs, which
    must not fall mid-year) noise per cell; England's figures kept."""
    codes, kpis = pd.factorize(template["kpi_id"])
    units = np.array([catalogue[k].unit for k in kpis])[codes]
    cumulative = np.array([catalogue[k].cumulative != "none" for k in kpis])[codes]
    keep = template["series"].isin(UNPERTURBED_SERIES).to_numpy()
    factor = np.exp(rng.normal(0, 0.35, len(kpis)))[codes]
    noise = np.where(cumulative, 1.0, rng.normal(1, 0.06, len(template)))
    scale = np.where(keep, 1.0, factor * noise)
    values = template["value"].to_numpy(dtype=float, na_value=np.nan)
    counts = template["count"].to_numpy(dtype=float, na_value=np.nan)
    return _clip(values * scale, units), np.round(counts * np.where(keep, 1.0, factor))


def region_table(template: pd.DataFrame, codes: Sequence[str], catalogue: Catalogue, seed: int = SEED) -> pa.Table:
    """Every authority's rows with their la_code: HOME's the template itself, each other's perturbed from it."""
    base = pa.Table.from_pandas(template[VALUES.columns], schema=VALUES.arrow_schema, preserve_index=False)
    value_at, count_at = base.schema.get_field_index("value"), base.schema.get_field_index("count")
    parts = []
    for i, code in enumerate(codes):
        table = base
        if code != HOME:
            values, counts = _perturbed(template, catalogue, np.random.default_rng([seed, i]))
            table = table.set_column(value_at, "value", pa.array(values, pa.float64(), mask=np.isnan(values)))
            table = table.set_column(count_at, "count", pa.array(np.nan_to_num(counts).astype("int64"), pa.int64(),
                                                                 mask=np.isnan(counts)))
        parts.append(table.append_column(AUTHORITY, pa.array([code] * len(table), pa.string())))
    return pa.concat_tables(parts)


def write_values(root: Path, table: pa.Table, message: str) -> None:
    """The whole figures table as one Delta commit, written as the store writes its first version: partitioned by
    la_code, the store's table configuration, and the store's own record (with no la_code: it is every authority's)
    in the commit, so `versions()` lists it."""
    from deltalake import write_deltalake

    probe = DeltaStore(root)  # opened for no authority: the record is made for every authority's rows
    record = probe._record("init", table.num_rows, {"new": table.num_rows}, author="bench", message=message)
    write_deltalake(probe.uri, table, mode="error", partition_by=[AUTHORITY], configuration=TABLE_CONFIGURATION,
                    commit_properties=probe._properties(record))


def latest_figures(template: pd.DataFrame, table: pa.Table, codes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each authority's latest figure of each monthly series with a value: what its next upload carries forward."""
    monthly = template["period"].str.fullmatch(MONTH).fillna(False).astype(bool).to_numpy()
    last = template[monthly].groupby(["scorecard", "kpi_id", "series"])["period"].transform("max")
    at = np.flatnonzero(monthly)[(template.loc[monthly, "period"] == last).to_numpy()]
    at = at[(template["series"].to_numpy()[at] == "actual")]
    values = table.column("value").to_numpy(zero_copy_only=False).reshape(len(codes), len(template))
    out = {}
    for i, code in enumerate(codes):
        frame = pd.DataFrame({"kpi_id": template["kpi_id"].to_numpy()[at], "period": template["period"].to_numpy()[at],
                              "value": values[i, at]})
        out[code] = frame[frame["value"].notna()].reset_index(drop=True)
    return out


def build_region(root: Path, codes: Sequence[str], months: int, *, template: pd.DataFrame | None = None,
                 catalogue: Catalogue | None = None, seed: int = SEED) -> Region:
    """The store at `root`: `codes`' figures over `months` months in one Delta commit, and the DfE side tables."""
    catalogue = catalogue or load_catalogue()
    start = time.perf_counter()
    if template is None:
        with tempfile.TemporaryDirectory(prefix="sendlib-bundled-") as scratch:
            template = template_rows(bundled_rows(Path(scratch)), months, catalogue, seed)
    table = region_table(template, codes, catalogue, seed)
    write_values(root, table, f"synthetic region for bench/bench_region.py: {len(codes)} authorities x "
                              f"{months} months")
    ensure_dfe(open_store(root, la=HOME))
    return Region(root, list(codes), len(template), table.num_rows, ms(time.perf_counter() - start),
                  latest_figures(template, table, codes))


# ---------------------------------------------------------------- sizes and floors


def table_uri(root: Path) -> str:
    return DeltaStore(root).uri


def current_files(root: Path) -> pd.DataFrame:
    """The current version's data files: path (relative), size, la_code."""
    from deltalake import DeltaTable

    actions = pa.table(DeltaTable(table_uri(root)).get_add_actions(flatten=True))
    return pd.DataFrame({"path": [unquote(p) for p in actions.column("path").to_pylist()], "size": actions.column("size_bytes").to_pylist(),
                         AUTHORITY: actions.column(f"partition.{AUTHORITY}").to_pylist()})


def disk_bytes(path: Path) -> int:
    """Every file under `path` (data, removed files kept for time travel, log, checkpoints)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def commit_bytes(root: Path, version: int) -> dict[str, int]:
    """What one commit wrote: the files its log entry adds, the entry, and a checkpoint it made (if any)."""
    log = Path(table_uri(root)) / LOG_DIR
    entry = log / f"{version:020d}.json"
    adds = [json.loads(line)["add"] for line in entry.read_text(encoding="utf-8").splitlines() if '"add"' in line]
    checkpoint = sum(f.stat().st_size for f in log.glob(f"{version:020d}.checkpoint*.parquet"))
    return {"data": sum(int(a["size"]) for a in adds), "log": entry.stat().st_size, "checkpoint": checkpoint,
            "files": len(adds)}


def floors(root: Path, repeat: int) -> dict[str, Any]:
    """pyarrow.dataset's read of the current parquet files (whole table; HOME's partition) beside the store's."""
    import pyarrow.dataset as pads

    base = Path(table_uri(root))
    files = current_files(root)
    every = [str(base / p) for p in files["path"]]
    own = [str(base / p) for p, la in zip(files["path"], files[AUTHORITY]) if la == HOME]

    def best(fn: Callable[[], Any]) -> float | None:
        return ms(min(timed(fn)[0] for _ in range(max(1, repeat))))

    store = open_store(root, la=HOME)
    return {
        "files": len(every), "home_files": len(own),
        "pyarrow_all_ms": best(lambda: pads.dataset(every, format="parquet").to_table()),
        "read_all_ms": best(store.read_all),
        "pyarrow_home_ms": best(lambda: pads.dataset(own, format="parquet").to_table()),
        "read_home_ms": best(store.read),
    }


# ---------------------------------------------------------------- uploads


def _cell(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{value:.2f}%"
    if unit in ("count", "days"):
        return f"{value:.0f}"
    return f"{value:.2f}"


def next_month(region: Region, code: str, catalogue: Catalogue, rng: np.random.Generator) -> bytes:
    """The long CSV of `code`'s next month (each monthly series' last month + 1), each figure a step from its last
    (a cumulative KPI grows through its year and starts again at its year's first month); the region's latest
    figures move on to it."""
    latest = region.latest[code]
    periods = [shift_month(p, 1) for p in latest["period"]]
    units = np.array([catalogue[k].unit for k in latest["kpi_id"]])
    steps = []
    for kpi_id, before, period in zip(latest["kpi_id"], latest["value"], periods):
        kpi = catalogue[kpi_id]
        if kpi.cumulative == "none":
            steps.append(before * math.exp(rng.normal(0, 0.04)))
        else:
            position = _year_position(period, kpi.cumulative)  # a new year starts again from a month's worth
            steps.append(before * position / (12 if position == 1 else position - 1))
    values = _clip(np.array(steps), units)
    region.latest[code] = pd.DataFrame({"kpi_id": latest["kpi_id"], "period": periods, "value": values})
    lines = ["kpi_id,period,value", *(f"{k},{p},{_cell(v, u)}" for k, p, v, u in zip(latest["kpi_id"], periods,
                                                                                       values, units))]
    return ("\n".join(lines) + "\n").encode()


def table_version(root: Path) -> int:
    from deltalake import DeltaTable

    return int(DeltaTable(table_uri(root)).version())


def one_upload(region: Region, code: str, catalogue: Catalogue, rng: np.random.Generator) -> dict[str, Any]:
    """`code`'s next month through load_file's halves (preview_bytes, commit_preview), timed apart."""
    store = open_store(region.root, la=code)
    data = next_month(region, code, catalogue, rng)
    preview_s, preview = timed(lambda: preview_bytes(data, f"{code}-next-month.csv", store, catalogue))
    if preview.errors:
        raise SystemExit(f"the upload for {code} was refused: {preview.errors[:3]}")
    commit_s, info = timed(lambda: commit_preview(store, preview, author="bench"))
    if info is None:
        raise SystemExit(f"the upload for {code} changed nothing: {preview.counts}")
    return {"la": code, "rows": len(preview.incoming), "new": preview.counts.get("new", 0), "warnings": len(preview.warnings),
            "preview_ms": ms(preview_s), "commit_ms": ms(commit_s), "version": int(info.id) - 1}


def upload(region: Region, catalogue: Catalogue, repeat: int, rng: np.random.Generator) -> dict[str, Any]:
    """HOME's monthly upload, `repeat` months one after another: times, and what the first commit wrote beside its
    own partition and the whole table."""
    before = current_files(region.root)
    runs = [one_upload(region, HOME, catalogue, rng) for _ in range(max(1, repeat))]
    first = runs[0]
    return {
        "runs": runs,
        "rows": first["rows"],
        "preview_median_ms": round(statistics.median(r["preview_ms"] for r in runs), 1),
        "commit_median_ms": round(statistics.median(r["commit_ms"] for r in runs), 1),
        "written": commit_bytes(region.root, first["version"]),
        "partition_bytes": int(before.loc[before[AUTHORITY] == HOME, "size"].sum()),
        "partition_rows": region.rows_per_authority,
        "table_bytes": int(before["size"].sum()),
        "table_rows": region.rows,
    }


def _upload_worker(root: str, code: str, data: bytes, barrier: Any, results: Any) -> None:
    """One authority's commit in its own (spawned) process: previewed first, committed once every worker is ready.
    Attempts are counted by wrapping the store's `_open`, which `DeltaStore._retrying` calls once per attempt."""
    out: dict[str, Any] = {"la": code}
    try:
        catalogue = load_catalogue()
        store = open_store(root, la=code)
        preview = preview_bytes(data, f"{code}-concurrent.csv", store, catalogue)
        opened = store._open
        calls = [0]

        def counting(version: int | None = None) -> Any:
            calls[0] += 1
            return opened(version)

        store._open = counting  # type: ignore[method-assign]
        barrier.wait()
        seconds, info = timed(lambda: commit_preview(store, preview, author="bench"))
        out.update(commit_ms=ms(seconds), attempts=calls[0], version=None if info is None else info.id,
                   rows=len(preview.incoming))
    except Exception as exc:  # reported by the parent
        out["error"] = f"{type(exc).__name__}: {exc}"
        barrier.abort()  # the others (and the parent) stop waiting for this one
    results.put(out)


def concurrent(region: Region, catalogue: Catalogue, rng: np.random.Generator, timeout: float) -> dict[str, Any]:
    """CONCURRENT authorities (HOME last, only when there are too few others) committing their next month at once."""
    codes = ([c for c in region.codes if c != HOME] + [HOME])[:CONCURRENT]
    files = {code: next_month(region, code, catalogue, rng) for code in codes}
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(codes) + 1), ctx.Queue()
    version_before = table_version(region.root)
    procs = [ctx.Process(target=_upload_worker, args=(str(region.root), c, files[c], barrier, results)) for c in codes]
    shown, sys.modules["__main__"] = sys.modules.get("__main__"), _MAIN  # type: ignore[assignment]
    try:
        for p in procs:
            p.start()
    finally:
        if shown is not None:
            sys.modules["__main__"] = shown
    try:
        barrier.wait(timeout=timeout)  # every worker has imported, opened the store and previewed its file
    except threading.BrokenBarrierError:
        warn("a concurrent upload failed before committing (its error is below)")
    start = time.perf_counter()
    outs = []
    for _ in codes:
        try:
            outs.append(results.get(timeout=timeout))
        except queue.Empty:
            outs.append({"la": "?", "error": f"a worker reported nothing within {timeout:g} s"})
            warn(f"a concurrent upload (one of {', '.join(codes)}) reported nothing")
    wall = time.perf_counter() - start
    for p in procs:
        p.join(timeout=timeout)
    landed = []
    for out in outs:
        if "error" in out:
            continue
        sent = pd.read_csv(io.BytesIO(files[out["la"]]), dtype=str)
        rows = open_store(region.root, la=out["la"]).read()
        found = rows[rows["series"] == "actual"].merge(sent[["kpi_id", "period"]], on=["kpi_id", "period"])
        out["rows_found"] = len(found)
        landed.append(out["rows_found"] == out["rows"] == len(sent))
    new_versions = table_version(region.root) - version_before
    return {
        "authorities": codes, "wall_ms": ms(wall), "workers": sorted(outs, key=lambda o: o["la"]),
        "new_versions": new_versions,
        "all_landed": len(landed) == len(codes) == new_versions and all(landed),
        "retries": sum(o.get("attempts", 1) - 1 for o in outs),
    }


def many_uploads(region: Region, catalogue: Catalogue, codes: Sequence[str], months: int,
                 rng: np.random.Generator) -> dict[str, Any]:
    """Each of `codes` uploads `months` months, one month at a time (every authority's month 1, then month 2, …);
    then the table on disk against one zstd parquet file of every row."""
    import pyarrow.parquet as pq

    values_dir = Path(table_uri(region.root))
    before = disk_bytes(values_dir)
    commits, previews = [], []
    start = time.perf_counter()
    for step in range(months):
        for code in codes:
            run = one_upload(region, code, catalogue, rng)
            commits.append(run["commit_ms"])
            previews.append(run["preview_ms"])
        note(f"month {step + 1} of {months}: {len(codes)} uploads, {time.perf_counter() - start:,.0f} s so far")
    wall = time.perf_counter() - start
    after = disk_bytes(values_dir)
    every = open_store(region.root, la=HOME).read_all()
    with tempfile.TemporaryDirectory(prefix="sendlib-copy-") as scratch:
        copy = Path(scratch) / "values.parquet"
        pq.write_table(pa.Table.from_pandas(every, preserve_index=False), copy, compression="zstd")
        copy_bytes = copy.stat().st_size
    log = values_dir / LOG_DIR
    return {
        "authorities": len(codes), "months": months, "uploads": len(commits), "wall_s": round(wall, 1),
        "commit_median_ms": statistics.median(commits), "commit_max_ms": max(commits),
        "commit_first_ms": commits[0], "commit_last_ms": commits[-1],
        "preview_median_ms": statistics.median(previews),
        "disk_before": before, "disk_after": after, "rows_after": len(every), "parquet_copy": copy_bytes,
        "log_bytes": disk_bytes(log), "checkpoints": len(list(log.glob("*.checkpoint*.parquet"))),
        "data_files": len(current_files(region.root)), "ratio": round(after / copy_bytes, 2),
    }


# ---------------------------------------------------------------- 2. pages


def switch_to(at: Any, url_path: str) -> Any:
    """A theme page is a callable, which `AppTest.switch_page` cannot find: choose it by the hash st.navigation
    registered for its URL path (as tests/app/registry_nav.py does)."""
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    if not hashes:
        raise RuntimeError(f"no page registered at /{url_path}")
    at._page_hash = hashes[0]
    return at


def quiet() -> None:
    # "missing ScriptRunContext" is logged when Streamlit is used outside a script run: expected here (as bench.py)
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


def time_pages(stores: dict[str, Path], args: argparse.Namespace) -> dict[str, list[dict]]:
    """HOME's overview (cold caches) then each theme page, one AppTest session per store, the stores taking turns
    page by page (and which goes first alternating), so a change in the machine's load falls on both alike."""
    from streamlit.testing.v1 import AppTest

    from explorer.menu import theme_pages

    quiet()
    charts = {name: expected_charts(root, CATALOGUE_DIR) for name, root in stores.items()}
    clear_streamlit_caches()
    sessions = {name: AppTest.from_file(str(APP), default_timeout=args.timeout) for name in stores}
    pages: list[str | None] = [None, *(page.url_path for page in theme_pages())]  # None: the overview
    rows: dict[str, list[dict]] = {name: [] for name in stores}
    for i, url in enumerate(pages):
        for name in list(stores)[:: 1 if i % 2 == 0 else -1]:
            os.environ[STORE_ENV] = str(stores[name])  # read on every run: each session sees its own store
            at = sessions[name]

            def first(cap: float | None, at: Any = at, url: str | None = url) -> Any:
                return (at if url is None else switch_to(at, url)).run(timeout=cap)

            label = url or "overview"
            row = time_page(at, f"{label} [{name}]", first, args,
                            None if url is None else charts[name].get(f"app_pages/{url}.py"))
            rows[name].append({**row, "page": label})
    return rows


def warm_up(root: Path, timeout: float) -> None:
    """One untimed overview run, so neither store's first run pays for importing the app's modules."""
    from streamlit.testing.v1 import AppTest

    quiet()
    os.environ[STORE_ENV] = str(root)
    clear_streamlit_caches()
    AppTest.from_file(str(APP), default_timeout=timeout).run()


def compare_pages(region: list[dict], one: list[dict]) -> list[dict]:
    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or not b else round(a / b, 2)

    out = []
    for r, o in zip(region, one, strict=True):
        first_ratio, rerun_ratio = ratio(r["first_ms"], o["first_ms"]), ratio(r["rerun_median_ms"], o["rerun_median_ms"])
        out.append({
            "page": r["page"], "first_ms": r["first_ms"], "one_first_ms": o["first_ms"], "first_ratio": first_ratio,
            "rerun_ms": r["rerun_median_ms"], "one_rerun_ms": o["rerun_median_ms"], "rerun_ratio": rerun_ratio,
            "first_ok": r["first_ms"] is not None and not r["stopped_at_cap"] and r["first_ms"] <= FIRST_RUN_AIM_MS,
            "rerun_ok": r["rerun_median_ms"] is not None and r["rerun_median_ms"] <= RERUN_AIM_MS,
            "ratio_ok": all(x is not None and x <= RATIO_AIM for x in (first_ratio, rerun_ratio)),
            "exceptions": r["exceptions"] + o["exceptions"],
        })
    return out


# ---------------------------------------------------------------- output


def _kb(n: float) -> str:
    return f"{n / 1e6:,.2f} MB" if n >= 1e6 else f"{n / 1e3:,.1f} kB"


def _ok(flag: bool) -> str:
    return "ok" if flag else "OVER"


def print_build(res: dict) -> None:
    b, one = res["build"], res["one_authority"]
    print(f"\n=== Region: {b['authorities']} authorities × {b['months']} months: {b['rows']:,} rows "
          f"({b['rows_per_authority']:,} per authority) ===")
    print(f"Built in {fmt_ms(b['build_ms'])} ms (template from the bundled store, perturbation, one write_deltalake, "
          f"DfE side tables); one-authority store {one['rows']:,} rows in {fmt_ms(one['build_ms'])} ms")
    print(f"Table on disk {_kb(b['disk_bytes'])} ({b['files']} data files)")


def print_floors(f: dict, label: str) -> None:
    print(f"\nReads ({label}; best of the repeat)     store          pyarrow.dataset (floor)   ratio")
    for what, store, floor in (("whole table (read_all)", "read_all_ms", "pyarrow_all_ms"),
                               (f"one authority ({HOME}, read)", "read_home_ms", "pyarrow_home_ms")):
        ratio = f"{f[store] / f[floor]:.1f}×" if f[floor] else "—"
        print(f"  {what:<32} {fmt_ms(f[store]):>8} ms   {fmt_ms(f[floor]):>8} ms   {ratio:>8}")
    print(f"  ({f['files']} data files in the table, {f['home_files']} in {HOME}'s partition)")


def print_pages(rows: list[dict]) -> None:
    print(f"\nPages of authority {HOME} (AppTest; ms)  aims: first ≤ {FIRST_RUN_AIM_MS:,.0f}, rerun ≤ {RERUN_AIM_MS:,.0f}, "
          f"region within {RATIO_AIM}× of one authority")
    print(f"  {'page':<30} {'first':>7} {'one':>7} {'×':>5}   {'rerun':>6} {'one':>6} {'×':>5}   first rerun ratio")
    for p in rows:
        def x(v: float | None) -> str:
            return "—" if v is None else f"{v:.2f}"

        print(f"  {p['page']:<30} {fmt_ms(p['first_ms']):>7} {fmt_ms(p['one_first_ms']):>7} {x(p['first_ratio']):>5}   "
              f"{fmt_ms(p['rerun_ms']):>6} {fmt_ms(p['one_rerun_ms']):>6} {x(p['rerun_ratio']):>5}   "
              f"{_ok(p['first_ok']):>5} {_ok(p['rerun_ok']):>5} {_ok(p['ratio_ok']):>5}"
              + (f"  {p['exceptions']} exceptions" if p["exceptions"] else ""))


def print_upload(u: dict, one: dict) -> None:
    w = u["written"]
    total = w["data"] + w["log"] + w["checkpoint"]
    print(f"\nOne authority's monthly upload ({HOME}, {u['rows']} rows, {len(u['runs'])} months one after another; ms)")
    print(f"  {'':<22} {'preview':>8} {'commit':>8}   aim: commit ≤ {UPLOAD_AIM_MS:,.0f} ms")
    print(f"  {'region (median)':<22} {fmt_ms(u['preview_median_ms']):>8} {fmt_ms(u['commit_median_ms']):>8}   "
          f"{_ok(u['commit_median_ms'] <= UPLOAD_AIM_MS)}")
    print(f"  {'one authority (median)':<22} {fmt_ms(one['preview_median_ms']):>8} {fmt_ms(one['commit_median_ms']):>8}"
          f"   region/one commit {u['commit_median_ms'] / one['commit_median_ms']:.2f}×")
    print(f"  written by the first commit: {_kb(total)} ({w['files']} data file {_kb(w['data'])}, log entry "
          f"{_kb(w['log'])}" + (f", checkpoint {_kb(w['checkpoint'])}" if w["checkpoint"] else "") + ")")
    print(f"  its partition before: {_kb(u['partition_bytes'])} for {u['partition_rows']:,} rows "
          f"(the commit: {total / u['partition_bytes']:.1%} of it for {u['rows'] / u['partition_rows']:.1%} of its rows); "
          f"whole table {_kb(u['table_bytes'])} for {u['table_rows']:,} rows ({total / u['table_bytes']:.3%})")


def print_concurrent(c: dict) -> None:
    print(f"\n{len(c['authorities'])} authorities committing at once (spawned processes, after a barrier)")
    verdict = "all landed" if c["all_landed"] else "NOT ALL LANDED"
    print(f"  wall {fmt_ms(c['wall_ms'])} ms; {c['new_versions']} new versions; {verdict}; {c['retries']} retries "
          "(commit attempts beyond the first)")
    for w in c["workers"]:
        if "error" in w:
            print(f"  {w['la']}: ERROR {w['error']}")
        else:
            print(f"  {w['la']}: commit {fmt_ms(w['commit_ms'])} ms, {w['attempts']} attempt(s), version {w['version']}, "
                  f"{w.get('rows_found', '?')} of {w['rows']} rows found")


def print_many(m: dict) -> None:
    print(f"\nStore size after {m['months']} monthly uploads by each of {m['authorities']} authorities "
          f"({m['uploads']:,} commits in {m['wall_s']:,.0f} s)")
    print(f"  commit median {fmt_ms(m['commit_median_ms'])} ms (first {fmt_ms(m['commit_first_ms'])}, last "
          f"{fmt_ms(m['commit_last_ms'])}, slowest {fmt_ms(m['commit_max_ms'])}); preview median "
          f"{fmt_ms(m['preview_median_ms'])} ms")
    print(f"  table on disk {_kb(m['disk_before'])} before, {_kb(m['disk_after'])} after ({m['data_files']:,} current "
          f"data files; log {_kb(m['log_bytes'])}, {m['checkpoints']} checkpoints)")
    print(f"  one zstd parquet file of the same {m['rows_after']:,} rows {_kb(m['parquet_copy'])}: "
          f"the store is {m['ratio']:.2f}× it")


# ---------------------------------------------------------------- run


def build(args: argparse.Namespace, workdir: Path, catalogue: Catalogue) -> tuple[Region, Region, dict]:
    codes = region_codes(args.authorities)
    seconds, bundled = timed(lambda: bundled_rows(workdir))
    template = template_rows(bundled, args.months, catalogue)
    note(f"template: {len(template):,} rows per authority (bundled store {len(bundled):,} rows in "
         f"{fmt_ms(ms(seconds))} ms)")
    region = build_region(workdir / "region", codes, args.months, template=template, catalogue=catalogue)
    one = build_region(workdir / "one", [HOME], args.months, template=template, catalogue=catalogue)
    note(f"region built in {fmt_ms(region.build_ms)} ms: {region.rows:,} rows")
    figures = {"authorities": len(codes), "months": args.months, "rows": region.rows,
               "rows_per_authority": region.rows_per_authority, "build_ms": region.build_ms,
               "disk_bytes": disk_bytes(Path(table_uri(region.root))), "files": len(current_files(region.root)),
               "codes": codes}
    return region, one, figures


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    catalogue = load_catalogue()
    region, one, built = build(args, workdir, catalogue)
    res: dict[str, Any] = {"build": built, "one_authority": {"rows": one.rows, "build_ms": one.build_ms}}
    print_build(res)
    res["floors"] = floors(region.root, args.repeat)
    print_floors(res["floors"], "fresh table")
    if not args.no_pages:
        note(f"pages: a warm-up run, then each page in the region's store ({len(region.codes)} authorities) and "
             f"in the one-authority store ({HOME} alone), taking turns")
        warm_up(one.root, args.timeout)
        pages = time_pages({"region": region.root, "one": one.root}, args)
        res["pages"] = {"region": pages["region"], "one_authority": pages["one"],
                        "compared": compare_pages(pages["region"], pages["one"])}
        print_pages(res["pages"]["compared"])
    rng = np.random.default_rng(SEED + 1)
    res["upload"] = upload(region, catalogue, args.repeat, rng)
    res["upload_one_authority"] = upload(one, catalogue, args.repeat, rng)
    print_upload(res["upload"], res["upload_one_authority"])
    res["concurrent"] = concurrent(region, catalogue, rng, args.timeout)
    print_concurrent(res["concurrent"])
    uploaders = region.codes[:args.uploads_authorities] if args.uploads_authorities else region.codes
    res["many_uploads"] = many_uploads(region, catalogue, uploaders, args.uploads, rng)
    print_many(res["many_uploads"])
    res["floors_after_uploads"] = floors(region.root, args.repeat)
    print_floors(res["floors_after_uploads"], f"after the {res['many_uploads']['uploads']:,} uploads")
    return res


def only_store(args: argparse.Namespace) -> None:
    """The region's store alone, built as `run` builds it, at a path that is kept."""
    if args.only_store.exists() and any(args.only_store.iterdir()):
        raise SystemExit(f"{args.only_store} is not empty: give a new folder")
    region = build_region(args.only_store, region_codes(args.authorities), args.months)
    print(f"region store at {region.root}: {len(region.codes)} authorities, {region.rows:,} rows, built in "
          f"{fmt_ms(region.build_ms)} ms")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authorities", type=int, default=150, help="authorities in the region (default 150)")
    parser.add_argument("--months", type=int, default=120, help="months of each monthly series (default 120)")
    parser.add_argument("--uploads-authorities", type=int, default=0,
                        help="authorities making the monthly uploads of the store-size figure (default: all)")
    parser.add_argument("--uploads", type=int, default=24, help="monthly uploads each of them makes (default 24)")
    parser.add_argument("--no-pages", action="store_true", help="skip the AppTest page timings")
    parser.add_argument("--repeat", type=int, default=3,
                        help="reruns per page, uploads of the one-authority figure, reads per floor (default 3)")
    parser.add_argument("--page-budget", type=float, default=10.0, help="seconds of reruns per page (as bench.py)")
    parser.add_argument("--page-cap", type=float, default=60.0,
                        help="stop a page's first run after this many seconds (0 = never; default 60)")
    parser.add_argument("--timeout", type=float, default=300.0, help="AppTest and worker timeout in seconds")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "region.json", help="where to write the JSON")
    parser.add_argument("--only-store", type=Path, metavar="DIR",
                        help="build only the region's store at DIR (kept; no figures) and stop: for timing commands "
                             "such as `check` on it (bench/bench_check.py)")
    args = parser.parse_args(argv)
    if args.authorities < 1 or args.months < 1 or args.uploads < 1 or args.repeat < 1:
        parser.error("--authorities, --months, --uploads and --repeat take whole numbers of 1 or more")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    saved = {k: os.environ.get(k) for k in (STORE_ENV, CATALOGUE_ENV, HOME_ENV)}
    os.environ.pop(CATALOGUE_ENV, None)
    os.environ[HOME_ENV] = HOME
    try:
        if args.only_store:
            only_store(args)
            return
        with tempfile.TemporaryDirectory(prefix="sendlib-region-") as tmp:
            results = {"meta": meta, **run(args, Path(tmp))}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    meta["total_s"] = round(time.perf_counter() - started, 1)
    meta["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    busiest = max(meta["load_average_at_start"][0], meta["load_average_at_end"][0])
    if busiest > (os.cpu_count() or 1):
        warn(f"the machine was busy (1-minute load average up to {busiest:.1f} on {os.cpu_count()} CPUs): "
             "other processes inflate these figures")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"\nWhole run {meta['total_s']:.0f} s. Figures written to {args.out}")


if __name__ == "__main__":
    main()
