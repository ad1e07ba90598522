"""Performance figures for the explorer at the bundled size and at N synthetic scorecards. Prints; asserts nothing.

Usage: .venv/bin/python bench/bench.py [--scale 1,100] [--repeat 5] [--page-budget 10] [--page-cap 30]
                                      [--pages glossary,history] [--no-browser]
                                      [--profile] [--profile-page app_pages/sendiass.py]

Per scale: store build (parse+validate+commit through sendlib.workflows.load, with pyarrow's bare CSV read for
comparison), cold start of the real server to the overview's first chart and table in Chromium, and each
page's AppTest first run and median rerun. Figures go to stdout and bench/out/results.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import logging
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ is sys.path[0] and `bench` would be this file: import bench.synthetic from the root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "bench")]

import pyarrow.csv as pacsv  # noqa: E402

from bench.synthetic import generate  # noqa: E402
from sendlib.domain.catalogue import load_catalogue  # noqa: E402
from sendlib.domain.paths import BOARD_FILE, CATALOGUE_DIR, CATALOGUE_ENV, SCORECARD_FILE, STORE_ENV  # noqa: E402
from sendlib.workflows.load import commit_preview, init_store, load_file, preview_bytes  # noqa: E402
from sendlib.workflows.stores import open_store  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
APP = ROOT / "streamlit_app.py"
OVERVIEW = "overview"
OVERVIEW_BUDGET_MS = 150.0
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
TABLE = '[data-testid="stDataFrame"]'


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def warn(message: str) -> None:
    print(f"WARNING: {message}", flush=True)


def note(message: str) -> None:
    print(f"  … {message}", flush=True)


# ---------------------------------------------------------------- 1. store build


def pyarrow_read(path: Path, repeat: int = 3) -> float:
    """pyarrow.csv.read_csv on the same bytes (column names generated: the files start with a title row)."""
    options = pacsv.ReadOptions(autogenerate_column_names=True)
    return min(timed(lambda: pacsv.read_csv(path, read_options=options))[0] for _ in range(repeat))


def build_store(scale: int, workdir: Path) -> tuple[dict, Path, Path]:
    """Build the store the pages will read, through the real import path. Returns (figures, store, catalogue dir)."""
    figures: dict[str, Any] = {}
    if scale == 1:
        os.environ.pop(CATALOGUE_ENV, None)
        catalogue_dir, files = CATALOGUE_DIR, [SCORECARD_FILE, BOARD_FILE]
    else:
        seconds, syn = timed(lambda: generate(workdir / f"synthetic-{scale}", scale))
        figures["generate_ms"] = ms(seconds)
        catalogue_dir, files = syn.catalogue_dir, [syn.scorecard_csv, syn.board_csv]
        os.environ[CATALOGUE_ENV] = str(catalogue_dir)
    seconds, catalogue = timed(lambda: load_catalogue(catalogue_dir))
    figures["catalogue_load_ms"] = ms(seconds)
    figures["kpis"] = len(catalogue)

    store = open_store(workdir / f"store-{scale}")
    if scale == 1:
        # init_store reads the bundled files (its paths are fixed), so only the bundled scale can use it.
        seconds, _ = timed(lambda: init_store(store, catalogue))
    else:
        seconds, _ = timed(lambda: [load_file(store, path, catalogue, author="bench") for path in files])
    figures["build_ms"] = ms(seconds)
    figures["store_rows"] = len(store.read())

    # The same two files again in a scratch store, split into load_file's halves, next to pyarrow's read.
    scratch = open_store(workdir / f"scratch-{scale}")
    per_file = []
    for path in files:
        data = path.read_bytes()
        parse_s, preview = timed(lambda data=data, path=path: preview_bytes(data, path.name, scratch, catalogue))
        if preview.errors:
            warn(f"{path.name}: {len(preview.errors)} cell errors, e.g. {preview.errors[0]}")
            per_file.append({"file": path.name, "errors": len(preview.errors)})
            continue
        commit_s, _ = timed(lambda preview=preview: commit_preview(scratch, preview, author="bench"))
        per_file.append({
            "file": path.name,
            "bytes": len(data),
            "csv_rows": data.count(b"\n"),
            "records": len(preview.incoming),
            "warnings": len(preview.warnings),
            "parse_validate_ms": ms(parse_s),
            "commit_ms": ms(commit_s),
            "pyarrow_read_csv_ms": ms(pyarrow_read(path)),
        })
    figures["files"] = per_file
    return figures, store.root, catalogue_dir


# ---------------------------------------------------------------- 2. cold start in a browser


def cold_start(store_dir: Path, timeout_s: float) -> dict:
    from explorer.serve import CHROMIUM, CHROMIUM_ARGS, running_app

    if not Path(CHROMIUM).exists():
        return {"skipped": f"no browser at {CHROMIUM} (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return {"skipped": f"playwright is not installed ({exc})"}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(timeout_s * 1000)
            start = time.perf_counter()  # the browser is up already: the clock covers the server only
            with running_app(store_dir, timeout=timeout_s) as url:
                healthy = time.perf_counter() - start
                page.goto(url)
                seen: dict[str, float] = {}
                deadline = start + timeout_s
                while len(seen) < 2 and time.perf_counter() < deadline:
                    for name, selector in (("chart", CHART), ("table", TABLE)):
                        if name not in seen and page.locator(selector).first.is_visible():
                            seen[name] = time.perf_counter() - start
                    page.wait_for_timeout(20)
                exceptions = page.locator('[data-testid="stException"]').count()
        finally:
            browser.close()
    out = {
        "server_healthy_ms": ms(healthy),
        "first_chart_ms": ms(seen.get("chart")),
        "table_ms": ms(seen.get("table")),
        "exceptions": exceptions,
    }
    if len(seen) < 2:
        out["timed_out"] = f"{sorted({'chart', 'table'} - set(seen))} not visible within {timeout_s:g}s"
    return out


# ---------------------------------------------------------------- 3. pages under AppTest


def page_files() -> list[str]:
    from explorer.menu import DEFAULT, pages

    return [p.file for p in pages() if p != DEFAULT and p.file]


def clear_streamlit_caches() -> None:
    import streamlit as st

    quiet = [logging.getLogger(n) for n in ("streamlit.runtime.caching.cache_data_api",
                                             "streamlit.runtime.scriptrunner_utils.script_run_context")]
    levels = [q.level for q in quiet]
    for q in quiet:  # "no runtime found" / "missing ScriptRunContext": expected outside a script run
        q.setLevel(logging.ERROR)
    try:
        st.cache_data.clear()
        st.cache_resource.clear()
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)


def describe(at: Any) -> dict:
    return {
        "charts": len(at.get("vega_lite_chart")),
        "metrics": len(at.metric),
        "dataframes": len(at.dataframe),
    }


def check(at: Any, label: str) -> int:
    if at.exception:
        warn(f"{label}: the page raised: {at.exception[0].value if at.exception else ''}")
    return len(at.exception)


def time_page(at: Any, label: str, first: Callable[[float | None], Any], args: argparse.Namespace,
              expected_charts: int | None) -> dict:
    """First run (stopped after --page-cap seconds), then up to --repeat reruns while they fit in --page-budget."""
    cap = args.page_cap or None
    try:
        first_s, _ = timed(lambda: first(cap))
        stopped = False
    except RuntimeError as exc:
        if "timed out" not in str(exc):
            raise
        first_s, stopped = float(cap or args.timeout), True
    out: dict[str, Any] = {"page": label, "first_ms": ms(first_s), "stopped_at_cap": stopped,
                           "charts_expected": expected_charts}
    reruns: list[float] = []
    if stopped:
        out.update(rerun_median_ms=None, reruns=0, rerun_stopped_at_budget=False, exceptions=0, charts=None,
                   metrics=None, dataframes=None)
    else:
        exceptions = check(at, f"{label} (first run)")
        figures = describe(at)
        rerun_stopped = False
        # Reruns hit the caches the first run filled, so they can be far cheaper: always try one (stopped
        # after --page-budget seconds), then more while they fit in the budget.
        while args.page_budget > 0 and len(reruns) < args.repeat and (
                not reruns or sum(reruns) + reruns[-1] <= args.page_budget):
            try:
                seconds, _ = timed(lambda: at.run(timeout=args.page_budget))
            except RuntimeError as exc:
                if "timed out" not in str(exc):
                    raise
                rerun_stopped = True
                break
            reruns.append(seconds)
            exceptions = max(exceptions, check(at, f"{label} (rerun)"))
        out.update(rerun_median_ms=ms(statistics.median(reruns)) if reruns else None, reruns=len(reruns),
                   rerun_stopped_at_budget=rerun_stopped, exceptions=exceptions, **figures)
    first_text = f">{fmt_ms(out['first_ms'])} (stopped at --page-cap)" if stopped else fmt_ms(out["first_ms"])
    rerun_text = f">{fmt_ms(args.page_budget * 1000)}" if out["rerun_stopped_at_budget"] else fmt_ms(out["rerun_median_ms"])
    print(f"  {label:<40} first {first_text:>8} ms   rerun median {rerun_text:>8} ms"
          f" (n={len(reruns)})   charts {out['charts'] if out['charts'] is not None else '?'}"
          + (f" of {expected_charts}" if expected_charts is not None else ""), flush=True)
    return out


def expected_charts(store_dir: Path, catalogue_dir: Path) -> dict[str, int]:
    """Theme pages draw one chart per KPI with an actual value: how many each page should draw."""
    table = open_store(store_dir).read()
    with_data = set(table.loc[(table["series"] == "actual") & table["value"].notna(), "kpi_id"])
    catalogue = load_catalogue(catalogue_dir)
    counts: dict[str, int] = {}
    for kpi in catalogue:
        if kpi.id in with_data:
            page = "app_pages/" + catalogue.themes[kpi.theme].page.replace("-", "_") + ".py"
            counts[page] = counts.get(page, 0) + 1
    return counts


def app_test(args: argparse.Namespace, charts: dict[str, int]) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    # "missing ScriptRunContext" is logged when Streamlit is used outside a script run: expected here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    clear_streamlit_caches()  # each scale starts cold, as a fresh server process would
    at = AppTest.from_file(str(APP), default_timeout=args.timeout)
    rows = [time_page(at, OVERVIEW + " (entry)", lambda cap: at.run(timeout=cap), args, None)]
    for page in page_files():
        if args.pages and not any(p in page for p in args.pages):
            continue
        rows.append(time_page(at, page, lambda cap, page=page: at.switch_page(page).run(timeout=cap), args,
                              charts.get(page)))
    return rows


# ---------------------------------------------------------------- profiling


@contextlib.contextmanager
def profiling_script_thread(profile: cProfile.Profile) -> Iterator[None]:
    """AppTest runs the page in its own thread: profile inside that thread (patched for this block only)."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    original = LocalScriptRunner._run_script_thread

    def wrapped(self: Any) -> None:
        profile.enable()
        try:
            original(self)
        finally:
            profile.disable()

    LocalScriptRunner._run_script_thread = wrapped  # type: ignore[method-assign]
    try:
        yield
    finally:
        LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]


def hotspots(profile: cProfile.Profile, top: int) -> tuple[list[dict], str]:
    stats = pstats.Stats(profile)
    rows = []
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        path = Path(filename)
        try:
            rel = path.resolve().relative_to(ROOT)
        except ValueError:
            continue
        if rel.parts[0] not in ("sendlib", "explorer", "app_pages") and rel.name != "streamlit_app.py":
            continue
        rows.append({"where": f"{rel}:{line}({func})", "calls": calls, "tottime_ms": ms(tottime), "cumtime_ms": ms(cumtime)})
    rows.sort(key=lambda r: r["cumtime_ms"], reverse=True)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(25)
    return rows[:top], text.getvalue()


def _profiled(fn: Callable[[], Any], scale: int, name: str, what: str, top: int) -> dict:
    profile = cProfile.Profile()
    with profiling_script_thread(profile):
        seconds, _ = timed(fn)
    rows, text = hotspots(profile, top)
    stem = OUT_DIR / f"profile-{scale}x-{name}-{what}"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".txt").write_text(text, encoding="utf-8")
    profile.dump_stats(stem.with_suffix(".pstats"))
    print(f"\nProfile at {scale}×, {name}, {what} run under cProfile: {fmt_ms(ms(seconds))} ms "
          f"(listing: {stem.relative_to(ROOT)}.txt / .pstats). Project code by cumulative time:")
    print(f"  {'cum ms':>9} {'own ms':>9} {'calls':>8}  where")
    for r in rows:
        print(f"  {fmt_ms(r['cumtime_ms']):>9} {fmt_ms(r['tottime_ms']):>9} {r['calls']:>8}  {r['where']}")
    return {"profiled_run_ms": ms(seconds), "hotspots": rows}


def profile_pages(pages: list[str], scale: int, timeout_s: float, top: int = 15) -> dict:
    """cProfile each page's first run and a warm rerun, in one session: the overview first, from cold caches."""
    from streamlit.testing.v1 import AppTest

    clear_streamlit_caches()
    at = AppTest.from_file(str(APP), default_timeout=timeout_s)
    out = {}
    for page in pages:
        name = page.replace("app_pages/", "").replace(".py", "")
        first = at.run if page == OVERVIEW else (lambda page=page: at.switch_page(page).run())
        out[page] = {"first": _profiled(first, scale, name, "first", top),
                     "rerun": _profiled(at.run, scale, name, "rerun", top)}
    return out


# ---------------------------------------------------------------- output


def print_scale(result: dict) -> None:
    scale = result["scale"]
    store = result["store"]
    label = "bundled data" if scale == 1 else f"{scale} synthetic scorecards"
    print(f"\n=== Scale {scale}× ({label}): {store['kpis']:,} KPIs, {store['store_rows']:,} store rows ===")
    if "generate_ms" in store:
        print(f"Synthetic data generated in {fmt_ms(store['generate_ms'])} ms")
    print(f"Catalogue load (pydantic)         {fmt_ms(store['catalogue_load_ms']):>10} ms")
    print(f"DeltaStore build (load_file/init_store) {fmt_ms(store['build_ms']):>9} ms   (parse + validate + commit, all files)")
    print(f"  {'file':<28} {'MB':>6} {'records':>8} {'warnings':>8} {'parse+validate':>15} {'commit':>8} {'pyarrow read':>13}")
    for f in store["files"]:
        if "errors" in f:
            print(f"  {f['file']:<28} refused: {f['errors']} cell errors")
            continue
        print(f"  {f['file']:<28} {f['bytes'] / 1e6:>6.2f} {f['records']:>8,} {f['warnings']:>8,} "
              f"{fmt_ms(f['parse_validate_ms']):>12} ms {fmt_ms(f['commit_ms']):>5} ms {fmt_ms(f['pyarrow_read_csv_ms']):>10} ms")
    cold = result["cold_start"]
    if "skipped" in cold:
        print(f"Cold start to first render: skipped ({cold['skipped']})")
    else:
        print(f"Cold start (server process start → …): healthy {fmt_ms(cold['server_healthy_ms'])} ms, "
              f"first chart drawn {fmt_ms(cold['first_chart_ms'])} ms, table visible {fmt_ms(cold['table_ms'])} ms"
              + (f"  [{cold['timed_out']}]" if "timed_out" in cold else "")
              + (f"  [{cold['exceptions']} exceptions on the page]" if cold["exceptions"] else ""))
    pages = result["pages"]
    print(f"AppTest first run of the overview (cold caches): {fmt_ms(pages[0]['first_ms'])} ms")
    print(f"\n  {'page':<40} {'first ms':>10} {'rerun ms':>9} {'n':>3} {'charts':>11} {'tiles':>6} {'tables':>6}  exc")
    for p in pages:
        first = (">" if p["stopped_at_cap"] else "") + fmt_ms(p["first_ms"])
        drawn = "stopped" if p["charts"] is None else str(p["charts"])
        charts = drawn + (f"/{p['charts_expected']}" if p["charts_expected"] is not None else "")
        rerun = f">{fmt_ms(result['page_budget_s'] * 1000)}" if p["rerun_stopped_at_budget"] else fmt_ms(p["rerun_median_ms"])
        print(f"  {p['page']:<40} {first:>10} {rerun:>9} {p['reruns']:>3} "
              f"{charts:>11} {p['metrics'] if p['metrics'] is not None else '—':>6} "
              f"{p['dataframes'] if p['dataframes'] is not None else '—':>6}  {p['exceptions'] or ''}")
    if any(p["stopped_at_cap"] for p in pages):
        print(f"  >: stopped after {result['page_cap_s'] or result['timeout_s']:g} s, so the real time is longer "
              "(--page-cap 0 times it in full)")
    budget = result["overview_budget"]
    if budget["rerun_ms"] is None:
        print(f"Overview rerun vs {OVERVIEW_BUDGET_MS:g} ms budget: not measured (no rerun fitted the page budget)")
    else:
        verdict = "UNDER" if budget["under"] else "OVER"
        print(f"Overview rerun {fmt_ms(budget['rerun_ms'])} ms: {verdict} the {OVERVIEW_BUDGET_MS:g} ms budget"
              + ("" if scale == 1 else " (the budget is set for the bundled data; shown for information)"))


def run_scale(scale: int, args: argparse.Namespace, workdir: Path) -> dict:
    print(f"\n--- scale {scale}× ---", flush=True)
    store, store_dir, catalogue_dir = build_store(scale, workdir)
    note(f"store built in {fmt_ms(store['build_ms'])} ms ({store['store_rows']:,} rows)")
    os.environ[STORE_ENV] = str(store_dir)
    if scale == 1:
        os.environ.pop(CATALOGUE_ENV, None)
    else:
        os.environ[CATALOGUE_ENV] = str(catalogue_dir)
    if args.no_browser:
        cold = {"skipped": "--no-browser"}
    else:
        try:
            cold = cold_start(store_dir, args.timeout)
        except Exception as exc:  # a benchmark reports a broken browser run rather than dying
            cold = {"skipped": f"browser run failed: {type(exc).__name__}: {exc}"}
    note(f"cold start: {cold}")
    pages = app_test(args, expected_charts(store_dir, catalogue_dir))
    rerun = pages[0]["rerun_median_ms"]
    return {
        "scale": scale,
        "store": store,
        "cold_start": cold,
        "apptest_first_run_ms": pages[0]["first_ms"],
        "page_cap_s": args.page_cap,
        "timeout_s": args.timeout,
        "page_budget_s": args.page_budget,
        "pages": pages,
        "overview_budget": {
            "budget_ms": OVERVIEW_BUDGET_MS,
            "rerun_ms": rerun,
            "under": None if rerun is None else rerun < OVERVIEW_BUDGET_MS,
        },
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1,100", help="comma-separated scales (1 = the bundled data); default 1,100")
    parser.add_argument("--repeat", type=int, default=5, help="reruns per page for the median (default 5)")
    parser.add_argument("--page-budget", type=float, default=10.0,
                        help="seconds of reruns per page: one rerun (stopped after this long), then more while "
                             "they fit (default 10)")
    parser.add_argument("--page-cap", type=float, default=30.0,
                        help="stop a page's first run after this many seconds and report it as over (0 = never; "
                             "default 30, which keeps the whole run within ~5 minutes)")
    parser.add_argument("--pages", default="", help="comma-separated parts of page paths to time (default: every page)")
    parser.add_argument("--timeout", type=float, default=120.0, help="AppTest and browser timeout in seconds")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium cold-start figure")
    parser.add_argument("--profile", action="store_true",
                        help="after the run, cProfile the overview and --profile-page at the largest scale")
    parser.add_argument("--profile-page", action="append", default=None,
                        help="page to profile (repeatable; default app_pages/sendiass.py)")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "results.json", help="where to write the JSON")
    args = parser.parse_args(argv)
    try:
        args.scales = [int(s) for s in args.scale.split(",") if s.strip()]
    except ValueError:
        parser.error("--scale takes whole numbers, e.g. 1,100")
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    if not args.scales or min(args.scales) < 1:
        parser.error("--scale takes whole numbers of 1 or more")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    import streamlit

    results: dict[str, Any] = {
        "meta": {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "streamlit": streamlit.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "repeat": args.repeat,
            "page_budget_s": args.page_budget,
            "page_cap_s": args.page_cap,
            "overview_budget_ms": OVERVIEW_BUDGET_MS,
        },
        "scales": {},
    }
    saved_env = {k: os.environ.get(k) for k in (STORE_ENV, CATALOGUE_ENV)}
    try:
        with tempfile.TemporaryDirectory(prefix="sendlib-bench-") as tmp:
            for scale in args.scales:
                results["scales"][str(scale)] = run_scale(scale, args, Path(tmp))
            for scale in args.scales:
                print_scale(results["scales"][str(scale)])
            if args.profile:
                scale = max(args.scales)
                res = results["scales"][str(scale)]
                os.environ[STORE_ENV] = str(Path(tmp) / f"store-{scale}")
                if scale == 1:
                    os.environ.pop(CATALOGUE_ENV, None)
                else:
                    os.environ[CATALOGUE_ENV] = str(Path(tmp) / f"synthetic-{scale}" / "catalogue")
                res["profile"] = profile_pages([OVERVIEW, *(args.profile_page or ["app_pages/sendiass.py"])],
                                               scale, args.timeout)
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    results["meta"]["total_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    busiest = max(results["meta"]["load_average_at_start"][0], results["meta"]["load_average_at_end"][0])
    if busiest > (os.cpu_count() or 1):
        warn(f"the machine was busy (1-minute load average up to {busiest:.1f} on {os.cpu_count()} CPUs): "
             "other processes inflate these figures")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWhole run {results['meta']['total_s']:.0f} s. Figures written to {args.out}")


if __name__ == "__main__":
    main()
