"""A manager opens the explorer: the overview shows its table and a rendered chart."""

from __future__ import annotations

from actions import requests_leaving


def test_overview_shows_the_table_and_a_rendered_chart(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert "4,453" in metrics, "Bournemouth's EHC plans, January 2025"
    assert "15.9%" not in metrics and "8,317" not in metrics, "the board report's figures are its own council's"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_theme_page_is_a_grid_and_its_measures_draw_their_charts(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/tribunals")
    page.get_by_role("heading", name="Mediations, tribunals and complaints").wait_for()
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0, "charts live on the measure pages"
    page.goto(f"{app_url}/measure?id=tribunal-appeals-cumulative")
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_nothing_is_fetched_from_outside_the_app(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    """A locked-down council laptop may reach nothing but the app: no fonts, icons or scripts from elsewhere."""
    outside = requests_leaving(page, app_url)
    page.goto(app_url)
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    page.get_by_role("link", name="How we compare").click()
    page.get_by_role("heading", name="How we compare").wait_for()
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    assert outside == []
