"""axe-core's WCAG 2.x A/AA rules on every page of the real app, reached as a user reaches it: the app opened once,
each page opened by its link in the sidebar's menu (charts drawn on the way in differ from a page loaded by URL).
Streamlit's own shell scores zero, so any violation found is ours."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from actions import settle

from explorer.menu import pages
from explorer.pages_accessibility import AXE_TAGS
from sendlib.domain.paths import ROOT

AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = list(AXE_TAGS)  # the accessibility statement page names the same tags
# A menu link's text without its icon's ligature name.
MENU_TEXTS = """() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')].map(a => {
  const copy = a.cloneNode(true);
  copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach(icon => icon.remove());
  return copy.innerText.trim();
})"""
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .every(chart => chart.querySelector('canvas, svg'))"""


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} missing: `make test` installs axe-core from npm")
        pytest.skip("axe-core not installed (make test installs it with npm)")
    return AXE


def _violations(page, axe_js: Path) -> list[str]:  # type: ignore[no-untyped-def]
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} × {v['nodes'][0]['target']}" for v in result["violations"]]


def test_every_page_reached_through_the_menu_has_no_axe_violations(page, app_url: str, axe_js: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
    menu = page.locator('[data-testid="stSidebarNav"] a').first
    menu.wait_for()
    titles = page.evaluate(MENU_TEXTS)
    assert titles == [p.title for p in pages()], "the menu lists every page the registry holds"
    found = {}
    for title in titles:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        settle(page)
        page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
        page.wait_for_function(CHARTS_DRAWN)
        settle(page)
        if violations := _violations(page, axe_js):
            found[title] = violations
    assert not found, found
