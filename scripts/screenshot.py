"""Take the README's screenshots from the real app on the bundled data (run by hand, needs chromium).

Usage: python scripts/screenshot.py [OUTDIR]   (default docs/)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from explorer.serve import CHROMIUM, CHROMIUM_ARGS, ROOT, running_app
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

SHOTS = {"overview.png": "", "statutory-duty.png": "/statutory_duty", "how-we-compare.png": "/how_we_compare"}


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        init_store(open_store(store))
        with running_app(store) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            for name, path in SHOTS.items():
                page.goto(url + path)
                page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for(timeout=30_000)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / name))
                print(f"wrote {out / name}")
            browser.close()


if __name__ == "__main__":
    main()
