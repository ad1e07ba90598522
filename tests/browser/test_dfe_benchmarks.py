"""A manager sees DfE's published benchmarks beside the local figures, marked as DfE's, and picks the authority."""

from __future__ import annotations

CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'


def test_overview_and_a_theme_page_show_dfe_benchmarks_with_their_source(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.get_by_role("heading", name="How we compare: DfE's published figures").wait_for()
    page.get_by_text("The latest figures the Department for Education publishes for Bournemouth, Christchurch and Poole").wait_for()
    page.locator('[data-testid="stDataFrame"]').last.wait_for()
    page.get_by_text("measures with a DfE equivalent", exact=False).wait_for()

    page.goto(f"{app_url}/provision")
    page.get_by_role("heading", name="Provision and placements").wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.get_by_text("or DfE's published figure marked with its period", exact=False).first.wait_for()
    page.goto(f"{app_url}/measure?id=ehcps-mainstream-pct")
    page.locator(CHART).first.wait_for()
    page.get_by_text("Published by DfE: England (DfE Jan", exact=False).first.wait_for()
    page.get_by_text("Published by DfE", exact=True).first.wait_for()  # its row among every source's figures
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_home_authority_selector_changes_the_comparison(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.get_by_role("heading", name="How we compare: DfE's published figures").wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    picker = sidebar.get_by_role("combobox", name="Home local authority")
    assert "Bournemouth, Christchurch and Poole (839)" in (picker.input_value() or "")
    picker.click()
    page.keyboard.type("Leeds")
    page.keyboard.press("Enter")
    page.get_by_text("publishes for Leeds, beside England", exact=False).wait_for()
    sidebar.get_by_text("DfE May 2025 groups").click()
    page.get_by_text("publishes for Leeds, beside England", exact=False).wait_for()
    page.get_by_role("link", name="Provision and placements").click()
    page.get_by_role("heading", name="Provision and placements").wait_for()
    assert "Leeds (383)" in sidebar.get_by_role("combobox", name="Home local authority").input_value()
    assert sidebar.get_by_role("radio", name="DfE May 2025 groups").is_checked()
    assert page.locator('[data-testid="stException"]').count() == 0
