"""axe-core's WCAG 2.x A/AA rules on every page of the real app, reached as a user reaches it: the app opened once,
each page opened by its link in the sidebar's menu (charts drawn on the way in differ from a page loaded by URL).
Streamlit's own shell scores zero, so any violation found is ours."""

from __future__ import annotations

from pathlib import Path

from actions import axe_violations, settle

from explorer.menu import pages

# A menu link's text without its icon's ligature name.
MENU_TEXTS = """() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')].map(a => {
  const copy = a.cloneNode(true);
  copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach(icon => icon.remove());
  return copy.innerText.trim();
})"""
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .every(chart => chart.querySelector('canvas, svg'))"""


def test_every_page_reached_through_the_menu_has_no_axe_violations(page, app_url: str, axe_js: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
    menu = page.locator('[data-testid="stSidebarNav"] a').first
    menu.wait_for()
    titles = page.evaluate(MENU_TEXTS)
    assert titles == [p.title for p in pages() if not p.hidden], "the menu lists every page the registry holds"
    found = {}
    for title in titles:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        settle(page)
        page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
        page.wait_for_function(CHARTS_DRAWN)
        settle(page)
        if violations := axe_violations(page, axe_js):
            found[title] = violations
    assert not found, found
