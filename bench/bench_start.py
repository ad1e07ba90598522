"""What a first-time user and a busy morning cost: start-up against its floors, and many sessions at once.

1. Cold start: server process start → the first chart drawn in Chromium, for the app on the bundled store and
   for a one-chart Streamlit app (the floor: Streamlit + Altair + one chart, nothing of ours), alternated run by
   run on the same machine; the ratio of the medians.
2. CLI start: each `python -m sendlib` command's wall time beside `python -c pass` (the interpreter's floor).
3. Soak (`--soak SECONDS`, default 120; `--sessions N`, default 20): N headless Chromium sessions, each opening
   pages through the app's menu for the whole time; errors, page-time percentiles, server RSS.

A benchmark, not a test: it prints figures beside their floors and never fails on them.

    .venv/bin/python bench/bench_start.py                  # cold start ×3 and CLI, then a 2-minute soak
    .venv/bin/python bench/bench_start.py --soak 0         # no soak
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.serve import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
MENU_LINK = '[data-testid="stSidebarNav"] a'
ONE_CHART_APP = '''
import altair as alt
import pandas as pd
import streamlit as st

st.title("One chart")
frame = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS"), "value": range(24)})
st.altair_chart(alt.Chart(frame).mark_line().encode(x="month:T", y="value:Q"), width="stretch")
'''


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def first_chart_s(browser: object, store: Path, script: Path, timeout: float = 120) -> float:
    """Seconds from starting the server process to the first chart drawn, the browser already running."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(timeout * 1000)
    start = time.perf_counter()
    with running_app(store, timeout=timeout, script=script) as url:
        page.goto(url)
        page.locator(CHART).first.wait_for(state="visible")
        elapsed = time.perf_counter() - start
    page.context.close()
    return elapsed


def cold_start(store: Path, work: Path, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    baseline = work / "one_chart_app.py"
    baseline.write_text(ONE_CHART_APP, encoding="utf-8")
    app, floor = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            first_chart_s(browser, store, baseline)  # warm the disk cache for both: the first run of all is not cold start
            for _ in range(runs):
                floor.append(first_chart_s(browser, store, baseline))
                app.append(first_chart_s(browser, store, ROOT / "streamlit_app.py"))
        finally:
            browser.close()
    print("\nCold start: server start → first chart drawn (median of", runs, "alternated runs)")
    print(f"  {'explorer overview':<34}{median_ms(app):>9,.0f} ms   runs: {', '.join(f'{v * 1000:,.0f}' for v in app)}")
    print(f"  {'one-chart Streamlit app (floor)':<34}{median_ms(floor):>9,.0f} ms   runs: "
          f"{', '.join(f'{v * 1000:,.0f}' for v in floor)}")
    print(f"  {'ratio':<34}{statistics.median(app) / statistics.median(floor):>9.2f} ×   (aim: within 1.2 ×)")


def cli_start(store: Path, out: Path, repeat: int) -> None:
    python = sys.executable

    def wall(args: list[str]) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(args, cwd=ROOT, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    floor = wall([python, "-c", "pass"])
    commands = {
        "history": ["history", "--store", str(store)],
        "check": ["check", "--store", str(store)],
        "export (csv)": ["export", "--store", str(store), "-o", str(out / "all.csv")],
        "load --dry-run": ["load", str(ROOT / "data" / "source" / "send_scorecard.csv"), "--store", str(store),
                           "--dry-run"],
        "report (html)": ["report", "--store", str(store), "--period", "2024-03", "-o", str(out / "r.html")],
    }
    print(f"\nCLI: wall time of `python -m sendlib …` (median of {repeat}) beside `python -c pass`")
    print(f"  {'python -c pass (floor)':<24}{floor * 1000:>8,.0f} ms")
    for name, args in commands.items():
        t = wall([python, "-m", "sendlib", *args])
        budget = "   (aim: under 500 ms)" if name in ("history", "check") else ""
        print(f"  {name:<24}{t * 1000:>8,.0f} ms   {t / floor:>5.1f} × the floor{budget}")


def server_rss_kb(port: str) -> int:
    """The resident memory of the Streamlit server listening on `port` (found by its command line)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(cmdline) and port.encode() in cmdline:
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


async def soak_session(browser: object, url: str, until: float, seed: int, times: list[float],
                       errors: list[str]) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = await context.new_page()
    page.set_default_timeout(60_000)
    try:
        await page.goto(url)
        await page.locator(MENU_LINK).first.wait_for()
        while time.monotonic() < until:
            links = page.locator(MENU_LINK)
            link = links.nth(rng.randrange(await links.count()))
            start = time.perf_counter()
            try:
                await link.click()
                await page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
                await page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')")
                times.append(time.perf_counter() - start)
                if await page.locator('[data-testid="stException"]').count():
                    errors.append(f"exception on {page.url}")
            except Exception as exc:  # a timeout or a closed page is an error of the soak, counted not raised
                errors.append(f"{type(exc).__name__} on {page.url}")
    finally:
        await context.close()


async def soak(store: Path, seconds: float, sessions: int) -> None:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    rss: list[int] = []
    with running_app(store, timeout=120) as url:
        port = url.rsplit(":", 1)[1]
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            until = time.monotonic() + seconds

            async def sample() -> None:
                while time.monotonic() < until:
                    rss.append(server_rss_kb(port))
                    await asyncio.sleep(1)

            await asyncio.gather(sample(), *(soak_session(browser, url, until, i, times, errors)
                                             for i in range(sessions)))
            await browser.close()
    print(f"\nSoak: {sessions} headless sessions opening pages through the menu for {seconds:g} s "
          "(the browsers share the machine's cores with the server)")
    print(f"  page views {len(times):,}; errors {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if times:
        print(f"  page time  p50 {percentile(times, 0.5) * 1000:,.0f} ms   p95 {percentile(times, 0.95) * 1000:,.0f} ms"
              f"   max {max(times) * 1000:,.0f} ms")
    if rss:
        print(f"  server RSS start {rss[0] / 1024:,.0f} MB   max {max(rss) / 1024:,.0f} MB   end {rss[-1] / 1024:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="cold-start runs of each app (default 3)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each CLI command (default 5)")
    parser.add_argument("--soak", type=float, default=120, help="soak seconds (default 120; 0: no soak)")
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no browser at {CHROMIUM}: cold start and soak skipped")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"WARNING: load average {load:.1f} exceeds the {os.cpu_count()} CPUs: every figure is inflated")
    work = Path(tempfile.mkdtemp(prefix="bench-start-"))
    try:
        store = work / "store"
        subprocess.run([sys.executable, "-m", "sendlib", "init", "--store", str(store)], cwd=ROOT, check=True,
                       capture_output=True)
        cli_start(store, work, args.repeat)
        if Path(CHROMIUM).exists():
            cold_start(store, work, args.runs)
            if args.soak > 0:
                asyncio.run(soak(store, args.soak, args.sessions))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
