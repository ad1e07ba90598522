"""What a user does in the browser that several tests need: wait for Streamlit to finish, click a download."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from explorer.pages_accessibility import AXE_TAGS

TAGS = list(AXE_TAGS)  # the accessibility statement page names the same tags


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit's running indicator has gone and nothing is left greyed out from the run before: the page
    has finished redrawing."""
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"], [data-stale=\"true\"]')")


def download(page, label: str, *, timeout_ms: int = 60_000) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """Click a download button and return (suggested file name, bytes). A click that lands while Streamlit is still
    redrawing the button can be lost: settle first, and try once more."""
    settle(page)
    try:
        with page.expect_download(timeout=timeout_ms) as info:
            page.get_by_role("button", name=label).click()
    except PlaywrightTimeout:
        settle(page)
        with page.expect_download(timeout=timeout_ms * 3 // 2) as info:
            page.get_by_role("button", name=label).click()
    got = info.value
    assert got.failure() is None
    with open(got.path(), "rb") as fh:
        return got.suggested_filename, fh.read()


def requests_leaving(page, app_url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every request the page makes to anywhere but the app's own host and port, recorded from now on (a locked-down
    council laptop reaches nothing else; a hostile text must not make a viewer's browser fetch anything)."""
    from urllib.parse import urlparse

    app = urlparse(app_url).netloc
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc != app
            and not r.url.startswith(("data:", "blob:")) else None)
    return outside


def axe_violations(page, axe_js: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG A/AA findings on the page as drawn now, one line each (none: an empty list)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} × {v['nodes'][0]['target']}" for v in result["violations"]]


BOARD_COUNCIL = "(X01)"  # the board report's council, as the sidebar's authority picker names it


def choose_authority(page, code_shown: str) -> None:  # type: ignore[no-untyped-def]
    """Choose whose figures the session shows in the sidebar's authority picker (an option ending e.g. "(X01)"); the
    choice lives in the session, so go on by the app's own links, not a fresh address."""
    settle(page)
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Authority").click()
    page.get_by_role("option").filter(has_text=code_shown).first.click()
    settle(page)
