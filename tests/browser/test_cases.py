"""A manager loads the SEN2 return on the Upload page (case-level records), checks the preview, confirms, and opens
the cases behind the 20-week rate on the Statutory duty page."""

from __future__ import annotations

from pathlib import Path

from actions import settle
from sen2_synthetic import generate

PERSONS = 300


def test_a_return_is_uploaded_confirmed_and_its_20_week_rate_opens_its_cases(page, app_url: str,  # type: ignore[no-untyped-def]
                                                                             tmp_path: Path) -> None:
    synthetic = generate(PERSONS, seed=11)
    path = tmp_path / "sen2-2025.xml"
    path.write_bytes(synthetic.xml)
    rate = synthetic.expected[("rate_ex", "2024")]
    requests = sum(len(p.requests) for p in synthetic.persons)

    page.goto(f"{app_url}/upload")
    page.get_by_role("heading", name="Upload new figures").wait_for()
    page.get_by_text("Case-level records (SEN2 return)", exact=True).click()
    page.get_by_role("heading", name="Case-level records (SEN2 return)").wait_for()
    settle(page)
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Choose a SEN2 return")
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("Check before saving: case-level records").wait_for()
    page.locator('[data-testid="stMetricValue"]').nth(6).wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics == [f"{len(synthetic.persons):,}", f"{requests:,}", metrics[2], f"{rate.value:.1f}%",
                       f"{requests:,}", "0", "0"]
    page.get_by_text(f"{rate.numerator:,} of {rate.denominator:,} plans within 20 weeks").wait_for()
    page.get_by_text("census date 2025-01-16, LA code 201", exact=False).wait_for()
    page.get_by_role("button", name="Confirm and save the case records").click()
    page.get_by_text("Saved as case records version 000001").wait_for()
    page.get_by_text("This return holds nothing new").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    for identity in synthetic.identities[:20]:
        assert identity.get("upn", "\0") not in page.content()

    # The drill-down: the Statutory duty page's case-level section (explorer/components.py) lists the cases behind
    # a computed figure.
    page.goto(f"{app_url}/statutory_duty")
    page.get_by_role("heading", name="Statutory duty").first.wait_for()
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
