"""Commentary written as Markdown that would fetch an image from another host (and a KPI, a file name, an author and
a note like it) reads as text in the real app: no image or link to that host in the page, no request leaves the
app, on the pages that show it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from actions import requests_leaving, settle
from hostile_text import HOST, write_hostile_text

from explorer.serve import running_app
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
ALL_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .every(chart => chart.querySelector('canvas, svg'))"""
FOREIGN = f'img[src*="pixel"], img[src*="{HOST}"], a[href*="{HOST}"], [src*="{HOST}"]'


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = open_store(tmp_path_factory.mktemp("hostile") / "store")
    init_store(store)
    write_hostile_text(store)
    with running_app(store.root) as url:
        yield url


def _open_every_expander(page) -> None:  # type: ignore[no-untyped-def]
    """Commentary sits in collapsed expanders: open them, as a reader does, so whatever they hold is drawn."""
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        if summary.is_visible():
            summary.click()
    settle(page)


def test_hostile_commentary_fetches_nothing_and_links_nowhere(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    outside = requests_leaving(page, app_url)
    page.goto(app_url)
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    page.locator(CHART).first.wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    for title, heading in (("Overview", "SEND performance overview"), ("Board report", "Board report")):
        sidebar.get_by_role("link", name=title, exact=True).click()
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        settle(page)
        page.wait_for_function(ALL_DRAWN)  # a theme page's expanders come with its charts, after the heading
        settle(page)
        _open_every_expander(page)
        # Shown as text where a reader sees it (the first copy in the page may sit in an expander still closed).
        page.get_by_text(f"![p](http://{HOST}/pixel.png)", exact=False).filter(visible=True).first.wait_for()
        assert page.locator(FOREIGN).count() == 0, page.locator(FOREIGN).first.evaluate("e => e.outerHTML")
        assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_timeout(500)
    assert outside == []
