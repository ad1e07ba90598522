"""Browser tier: the real app in Debian's headless Chromium, driven by Playwright.

Skipped (with the reason) only when CI is unset and no Chromium is installed; in CI a missing
browser is a failure, because .ci/run installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.serve import CHROMIUM, CHROMIUM_ARGS, running_app
from sendlib.domain.paths import ROOT
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing: .ci/run should have installed Debian's chromium")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium); browser tests need it")
    return CHROMIUM


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("browser") / "store"
    init_store(open_store(store))
    with running_app(store) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def axe_js() -> Path:
    """axe-core, as `make test` installs it from npm; missing in CI is a failure, elsewhere a skip with the reason."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} missing: `make test` installs axe-core from npm")
        pytest.skip("axe-core not installed (make test installs it with npm)")
    return AXE
