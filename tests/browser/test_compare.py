"""A manager opens How we compare in Chromium: both charts render, the source is named, the home authority is
written on the ranked chart (not told by colour alone)."""

from __future__ import annotations

import re


def test_how_we_compare_renders_the_ranked_chart_with_its_source(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/how_we_compare")
    page.get_by_role("heading", name="How we compare").wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.first.locator("canvas, svg").first.wait_for()
    charts.nth(1).wait_for()
    page.get_by_text("Open Government Licence v3.0").first.wait_for()
    body = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Education, health and care plans, reporting year 2025" in body
    assert "Bournemouth, Christchurch and Poole" in body and "ranked " in body
    assert page.locator('[data-testid="stException"]').count() == 0


def test_choosing_another_home_authority_in_the_sidebar_redraws_the_page(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    page.get_by_role("link", name="How we compare").click()
    page.get_by_role("heading", name="How we compare").wait_for()
    page.get_by_role("heading", name=re.compile(r"^Bournemouth, Christchurch and Poole, (January )?20\d\d$")).wait_for()
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Home local authority").locator("input").click()
    page.keyboard.type("Devon")
    page.get_by_role("option", name="Devon (878)").click()
    page.get_by_role("heading", name=re.compile(r"^Devon, (January )?20\d\d$")).wait_for()
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
