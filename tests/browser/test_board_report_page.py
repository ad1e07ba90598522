"""A manager opens the Board report page in Chromium, downloads the PDF and the HTML, and both hold the month's
figures; commentary saved on the page is in the next download."""

from __future__ import annotations

import io
import re

import pypdf
from actions import BOARD_COUNCIL, choose_authority, download, settle


def _open(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    """The board report is its own council's (X01): choose that council in the sidebar, then open the page."""
    page.goto(app_url)
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    choose_authority(page, BOARD_COUNCIL)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Board report").click()
    page.get_by_role("heading", name=re.compile(r"^Board report — The council of the board report")).wait_for()
    page.get_by_text("Latest (Mar 24)").first.wait_for(timeout=60_000)


def test_download_the_board_report_as_pdf_and_html(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    _open(page, app_url)
    name, pdf = download(page, "Download PDF (A4, printable)")
    assert name == "board-report-2024-03.pdf" and pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for shown in ("15.9%", "21.7%", "49.1%", "38 weeks 4 days", "Page 1 of", "Glossary"):
        assert shown in text, shown

    name, html = download(page, "Download HTML (one self-contained file)")
    assert name == "board-report-2024-03.html"
    assert b"Latest (Mar 24)" in html and b"https://" not in html
    assert page.locator('[data-testid="stException"]').count() == 0


def test_commentary_saved_on_the_page_is_in_thedownload(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    _open(page, app_url)
    box = page.get_by_role("textbox", name="Overall commentary for March 2024")
    box.fill("Browser-written commentary: timeliness is the board's first question.")
    page.get_by_role("button", name=re.compile(r"^Save to The council of the board report.*'s commentary$")).first.click()
    settle(page)
    page.get_by_text("Browser-written commentary").first.wait_for()
    _, html = download(page, "Download HTML (one self-contained file)")
    assert "Browser-written commentary: timeliness is the board" in html.decode("utf-8")
