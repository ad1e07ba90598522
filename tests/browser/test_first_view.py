"""The first visitor after a server start sees the app's own menu from the first paint, never Streamlit's list of
the page files ("streamlit app", "board report", …) that its legacy pages-folder mode draws.

This module's server is fresh (the app_url fixture is per module) and this test is its first visitor."""

from __future__ import annotations

CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
# Every link text the sidebar's menu shows, recorded on each change of the page from its first paint.
RECORD_NAV = """
window.__navSeen = [];
const record = () => {
  for (const a of document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stSidebar"] nav a')) {
    const text = a.innerText.trim();
    if (text && !window.__navSeen.includes(text)) window.__navSeen.push(text);
  }
};
new MutationObserver(record).observe(document, {subtree: true, childList: true, characterData: true});
"""
APP_MENU = ["Overview", "Statutory duty", "How we compare", "Upload new figures", "Board report", "Accessibility"]


def test_the_first_visitor_never_sees_streamlit_s_file_list(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.add_init_script(RECORD_NAV)
    page.goto(app_url)
    page.locator(CHART).first.wait_for(timeout=90_000)
    sidebar = page.get_by_test_id("stSidebar")
    for title in APP_MENU:
        sidebar.get_by_role("link", name=title, exact=True).wait_for()
    menu = sidebar.get_by_role("link").all_inner_texts()
    seen = page.evaluate("window.__navSeen")
    assert "streamlit app" not in [t.lower() for t in seen], seen
    assert set(seen) <= {t.strip() for t in menu}, f"links shown before the app's menu: {set(seen) - set(menu)}"
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
