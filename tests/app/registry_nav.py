"""Opening a page of the registry (explorer.menu.pages()) under AppTest, by its URL path or its file.

The theme pages are callables: Streamlit 1.67's `AppTest.switch_page` finds only pages that are files, so a callable
page is chosen by the hash `st.navigation` registered for its URL path (the script hash a real session would send)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from explorer.menu import pages
from sendlib.domain.paths import ROOT


def switch_to(at: AppTest, page: str) -> AppTest:
    """Switch to `page`, an app_pages/ file or a registered URL path ("statutory_duty"). Call at.run() first."""
    files = {p.url_path: p.file for p in pages() if p.file}
    if page.endswith(".py") or page in files:
        return at.switch_page(files.get(page, page))
    registered = at._registered_pages
    hashes = [h for h, info in registered.items() if info.get("url_pathname") == page]
    assert hashes, f"no page registered at /{page}: {sorted(str(i.get('url_pathname')) for i in registered.values())}"
    at._page_hash = hashes[0]
    return at


def open_page(page: str, *, timeout: float = 60, query: dict[str, str] | None = None,
              la: str | None = None) -> AppTest:
    """The app as a user opens it: the entry script, then a switch to `page` (with `query` in its address, as
    `measure?id=ehcps`); no exception on the way. `la`: the authority chosen in the sidebar."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    if la:
        at.session_state["authority"] = la
    at.run()
    for name, value in (query or {}).items():
        at.query_params[name] = value
    switch_to(at, page).run()
    assert not at.exception, at.exception
    return at
