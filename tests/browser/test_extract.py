"""A manager filters an extract on the real page and downloads it through Chromium: the CSV and the
workbook open with pandas / openpyxl and hold exactly the rows the preview counted."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from actions import download, settle

from sendlib.domain.paths import ROOT

AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _open_extract_page(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/extract")
    page.get_by_role("heading", name="Extract data").wait_for()
    page.locator('[data-testid="stMetricValue"]').first.wait_for()


def _choose_theme(page, name: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Themes")
    box.locator("input").click()
    page.get_by_role("option", name=name, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)


def _rows_in_preview(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", ""))



def test_download_a_filtered_csv_and_workbook(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    _open_extract_page(page, app_url)
    everything = _rows_in_preview(page)
    _choose_theme(page, "SENDIASS")
    page.wait_for_function(
        "n => { const el = document.querySelector('[data-testid=\"stMetricValue\"]');"
        " return el !== null && el.innerText.replace(/,/g, '') != String(n); }",
        arg=everything,
    )
    rows = _rows_in_preview(page)
    assert 0 < rows < everything

    data = download(page, "Download CSV (opens in Excel)", timeout_ms=30_000)[1]
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(frame) == rows
    assert set(frame["theme"]) == {"sendiass"}

    data = download(page, "Download Excel workbook (.xlsx)", timeout_ms=30_000)[1]
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["About", "Data"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Themes"] == "SENDIASS" and about["Data version"] and about["Extracted at (UTC)"]
    sheet = pd.read_excel(io.BytesIO(data), sheet_name="Data")
    assert len(sheet) == rows
    assert set(sheet["theme"]) == {"sendiass"}
    assert sorted(zip(sheet["kpi_id"], sheet["period"].fillna(""))) == sorted(zip(frame["kpi_id"], frame["period"].fillna("")))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_download_the_wide_layout(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    _open_extract_page(page, app_url)
    page.get_by_text("Wide: the scorecard's own layout").click()
    settle(page)
    page.get_by_text("The wide layout holds the monthly scorecard only").wait_for()
    data = download(page, "Download CSV (opens in Excel)", timeout_ms=30_000)[1]
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert frame.columns[0] == "KPI" and list(frame.columns[-4:]) == ["Nat", "SN", "SW", "Target"]
    assert len(frame) == _rows_in_preview(page)
    assert frame.set_index("KPI").loc["% of EHCPs in Mainstream", "Jan 25"] == "49.2%"


def test_a_chart_downloads_as_png_and_svg(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/tribunals")
    page.get_by_role("heading", name="Mediations, tribunals and complaints").wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    png = _download_first(page, "Download PNG")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = _download_first(page, "Download SVG").decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "Source:" in svg


def _download_first(page, label: str) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("button", name=label).first.click()
    with open(info.value.path(), "rb") as fh:
        return fh.read()


def test_extract_page_has_no_axe_violations(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core not installed (make test installs it with npm)")
    _open_extract_page(page, app_url)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    settle(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    found = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]
    assert not found, found
