"""A manager loads the SEN2 return on the Upload page (case-level records), checks the preview, confirms, and opens
the cases behind the 20-week rate on the Statutory duty page: the list and its download are the generator's own
cases for that figure, with no UPN or date of birth in them."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pandas as pd
from actions import axe_violations, download, settle
from sen2_synthetic import generate

from sendlib.domain.cases import case_measures

PERSONS = 300


def test_a_return_is_uploaded_confirmed_and_its_20_week_rate_opens_its_cases(page, app_url: str,  # type: ignore[no-untyped-def]
                                                                             tmp_path: Path, axe_js: Path) -> None:
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
    page.get_by_role("button", name="Save to Bournemouth, Christchurch and Poole's case records").click()
    page.get_by_text("Saved as case records version 000001").wait_for()
    page.get_by_text("This return holds nothing new").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    for identity in synthetic.identities[:20]:
        assert identity.get("upn", "\0") not in page.content()

    # Statutory duty's "Computed from case records" section: the 20-week rate (excluding exceptions) is the figure it
    # opens on; the calendar year 2024 is chosen, and its cases are the oracle's.
    page.goto(f"{app_url}/statutory_duty")
    page.get_by_text("Computed from case records, and the cases behind a figure").click()
    page.get_by_role("heading", name="Computed from case records").wait_for()
    page.get_by_text("The cases behind a figure").wait_for()
    settle(page)
    page.get_by_role("combobox", name="Period", exact=True).click()
    page.keyboard.type("2024")  # the list holds every month first: filter it to the year's options
    page.get_by_role("option", name="2024", exact=True).click()
    name = case_measures()["rate_ex"].name
    page.get_by_text(f"{name}, 2024: {rate.value:.1f}% ({rate.numerator} of {rate.denominator})").wait_for()
    late = rate.denominator - rate.numerator
    page.get_by_text(f"{late} of {rate.denominator} cases issued after 20 weeks: listed first.").wait_for()
    file_name, body = download(page, "Download these cases (CSV)")
    assert file_name == "cases-rate_ex-2024.csv"
    listed = pd.read_csv(io.BytesIO(body), dtype=str)
    expected = synthetic.expected_cases[("rate_ex", "2024")]
    assert len(listed) == rate.denominator == len(expected)
    assert Counter(listed["Request received"]) == Counter(received for _, received in expected)
    assert (listed["Result"] == "in time: issued within 20 weeks").sum() == rate.numerator
    assert {"Case reference", "Request received", "Plan issued", "Days to plan", "Weeks to plan",
            "20-week exception", "Setting type", "Age at census"} <= set(listed.columns)
    text = body.decode("utf-8")
    for identity in synthetic.identities:
        assert identity.get("upn", "\0") not in text and identity.get("birth_date", "\0") not in text
    assert page.locator('[data-testid="stException"]').count() == 0

    # The sections case records add, checked as the menu sweep checks every page (it runs on a store without them).
    found = {}
    for url in ("statutory_duty", "overview", "board_report", "how_we_compare", "glossary", "history"):
        page.goto(f"{app_url}/{url}")
        page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
        settle(page)
        if violations := axe_violations(page, axe_js):
            found[url] = violations
    assert not found, found
