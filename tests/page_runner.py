"""Opening one page of the real app under AppTest, on a private store: what the page tests share."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from sendlib.domain.paths import ROOT


def open_page(page: str, *, timeout: float = 60, la: str | None = None) -> AppTest:
    """The app as a user opens it: the entry script, then a switch to `page`; no exception on the way. `la`: the
    authority chosen in the sidebar (the bundled deployment serves two: the board report's council is "X01")."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    if la:
        at.session_state["authority"] = la
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def shown(markdown: str) -> str:
    """What a Markdown label or caption reads as: the backslash escapes and word joiners `explorer.text.plain` adds
    resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
