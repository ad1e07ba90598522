"""A manager uploads next month's scorecard through the real page, checks the preview, confirms, and
sees the new month on the overview; then restores the previous version from History."""

from __future__ import annotations

from actions import settle
from locations import DATA_DIR


def test_upload_preview_confirm_then_overview_shows_new_month(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/upload")
    page.get_by_role("heading", name="Upload new figures").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(DATA_DIR / "scorecard_new_month.csv"))
    page.get_by_text("Check before saving").wait_for()
    page.locator('[data-testid="stMetricValue"]').nth(2).wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics == ["2", "1", "970"]
    page.get_by_role("button", name="Confirm and save as a new version").click()
    page.get_by_text("Saved as version 000003").wait_for()

    page.goto(app_url)
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    # The overview draws its tiles as it runs: wait for the new month's figure itself, not the first tile.
    page.locator('[data-testid="stMetricValue"]', has_text="4,501").first.wait_for()
    page.locator('[data-testid="stCaptionContainer"]', has_text="March 2025").first.wait_for()


def test_history_restores_the_previous_version(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/history")
    page.get_by_role("heading", name="History", exact=True).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.get_by_label("View a version").click()
    page.get_by_role("option", name="000001", exact=True).click()
    page.get_by_role("button", name="Restore version 000001").click()
    page.get_by_text("Version 000001 restored as new version").wait_for()

    # Version 000001 held only the monthly scorecard, up to Jan 25.
    page.goto(app_url)
    page.locator('[data-testid="stMetricValue"]', has_text="4,453").first.wait_for()
    settle(page)
    assert "8,317" not in page.locator('[data-testid="stMetricValue"]').all_inner_texts()
