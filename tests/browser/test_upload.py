"""A manager uploads next month's scorecard through the real page: the preview lists the new figures by measure
and month and names the measure of each warning; Confirm puts the outcome at the top; Undo, once confirmed, puts
the figures back as they were."""

from __future__ import annotations

from actions import settle
from locations import DATA_DIR


def test_upload_preview_confirm_then_undo(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/upload")
    page.get_by_role("heading", name="Upload new figures").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(DATA_DIR / "scorecard_new_month.xlsx"))
    page.get_by_text("Check before saving").wait_for()
    new = page.locator('[data-testid="stTable"]').first
    new.get_by_text("March 2025").first.wait_for()
    rows = [r.split("\t") for r in new.locator("tbody tr").all_inner_texts()]
    assert [[c.strip() for c in r][-3:] for r in rows] == [["No. of complaints", "March 2025", "9"],
                                                           ["No. of EHCPs", "March 2025", "4,501"]]
    page.get_by_text("No. of Children accessing SEN Funding - Tier 1, April 2024: the arrow").wait_for()
    page.get_by_role("button", name="Save to Bournemouth, Christchurch and Poole's figures").click()

    outcome = page.get_by_text("Saved: 2 new figures for March 2025, 1 revised.")
    outcome.wait_for()
    title = page.get_by_role("heading", name="Upload new figures").bounding_box()
    uploader = page.locator('[data-testid="stFileUploader"]').first.bounding_box()
    box = outcome.bounding_box()
    assert title and uploader and box and title["y"] < box["y"] < uploader["y"], "the outcome sits at the top"
    assert page.get_by_role("button", name="Save to Bournemouth, Christchurch and Poole's figures").count() == 0, "Confirm goes quiet"

    page.goto(app_url)
    page.locator('[data-testid="stMetricValue"]', has_text="4,501").first.wait_for()

    page.goto(f"{app_url}/history")
    page.get_by_role("heading", name="History", exact=True).wait_for()
    page.get_by_role("button", name="Undo this upload").click()
    page.get_by_text("This removes the 2 new figures and puts back 1 revised figure from scorecard_new_month.xlsx").wait_for()
    page.get_by_role("button", name="Yes, undo this upload").click()
    page.get_by_text("Undone: the figures are back as they were before the upload of scorecard_new_month.xlsx.").wait_for()

    page.goto(app_url)
    page.locator('[data-testid="stMetricValue"]', has_text="4,453").first.wait_for()
    settle(page)
    assert "4,501" not in page.locator('[data-testid="stMetricValue"]').all_inner_texts()
