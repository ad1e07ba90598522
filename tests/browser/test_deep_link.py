"""A bookmark opened first after the server starts: the app's own menu and sidebar, not Streamlit's file list.

This module's server is fresh (the app_url fixture is per module) and this is its first request."""

from __future__ import annotations


def test_a_bookmarked_page_opened_first_gets_the_apps_menu(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/provision")
    page.get_by_role("heading", name="Provision and placements").wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="Authority").wait_for()
    sidebar.get_by_role("combobox", name="As at month").wait_for()
    sidebar.get_by_role("link", name="How we compare").wait_for()
    assert sidebar.get_by_role("link", name="streamlit app").count() == 0, "not Streamlit's list of files"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_bookmark_of_a_theme_page_still_opens_it(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    """The theme pages are callables now, at the URL paths their files had."""
    page.goto(f"{app_url}/statutory_duty")
    page.get_by_role("heading", name="Statutory duty").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
