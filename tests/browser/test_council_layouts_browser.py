"""Council files as councils keep them, through the real Upload page: three of the twelve layouts
(`tests/council_layouts.py`) chosen in the file input, set up in one table and loaded, then a value each read on the
overview; and a file of common definitions, loaded for an authority with nothing set up, with no set-up at all.
Each runs its own app for its own authority, on a store of its own (which starts empty)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from actions import settle
from council_layouts import BI_EXPORT, NO_RAG, THEMES_XLSX, Layout, write

from explorer.pages_upload import SHEET_WORDS
from explorer.serve import running_app
from sendlib.workflows.load import ALL_SHEETS


@contextmanager
def _page_for(browser, la: str, folder: Path) -> Iterator[tuple[object, str]]:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SENDLIB_HOME_LA", la)
        with running_app(folder / "store") as url:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(30_000)
            try:
                yield page, url
            finally:
                context.close()


def _choose_file(page, url: str, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/upload")
    page.get_by_role("heading", name="Upload new figures").wait_for()
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(path))


def _tiles(page, url: str, first: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(url)
    values = page.locator('[data-testid="stMetricValue"]')
    values.filter(has_text=first).first.wait_for()
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    return values.all_inner_texts()


def _set_up_and_load(page, layout: Layout) -> None:  # type: ignore[no-untyped-def]
    n = len(layout.measures)
    page.get_by_role("heading", name=f"Set up these {n} measures").wait_for()
    page.get_by_text("I have checked every row").click()
    page.get_by_text(f"{n} of {n} rows checked: every row is checked.").wait_for()
    settle(page)
    page.get_by_role("button", name=f"Confirm: set up {n} measures and load the file").click()
    page.get_by_text(f"{n} measures set up").wait_for()
    page.get_by_text(f"{len(layout.rows())} new, 0 revised").wait_for()  # every row the file holds, as the store holds it
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize(("layout", "shown"), [
    (THEMES_XLSX, {"121", "61.5%", "41.2%", "8.1%"}),  # title block, merged year band, date-cell months, a sheet a theme
    (BI_EXPORT, {"59.5%"}),  # long BI export, UK dates, Unit column, March not yet reported
    (NO_RAG, {"72.0%", "4.9%"}),  # No. identifier, RAG and Comments columns, a dated target
], ids=lambda v: v.file if isinstance(v, Layout) else "")
def test_a_council_layout_is_set_up_and_loaded_in_the_browser(browser, tmp_path: Path, layout: Layout,  # type: ignore[no-untyped-def]
                                                               shown: set[str]) -> None:
    path = write(layout, tmp_path / "files")
    with _page_for(browser, layout.la, tmp_path) as (page, url):
        _choose_file(page, url, path)
        if layout.sheet == ALL_SHEETS:
            page.get_by_role("heading", name="Set up these 2 measures").wait_for()  # the first sheet alone
            page.locator('[data-testid="stSelectbox"]').filter(has_text="Worksheet").click()
            page.get_by_role("option", name=SHEET_WORDS[ALL_SHEETS]).click()
            settle(page)
        _set_up_and_load(page, layout)
        tiles = _tiles(page, url, sorted(shown)[0])
        assert shown <= set(tiles), tiles


def test_common_definitions_load_with_no_set_up_for_an_authority_with_nothing(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "common.csv"
    path.write_text("Indicator Name,Month,Actual\nehcps,01/10/2024,1210\n"
                    "% of EHC plans in mainstream schools,01/10/2024,41.5\nNumber of EHCPs,01/11/2024,1224\n",
                    encoding="utf-8")
    with _page_for(browser, "880", tmp_path) as (page, url):
        _choose_file(page, url, path)
        page.get_by_text("Check before saving").wait_for()
        assert page.get_by_role("heading", name="Set up these").count() == 0
        page.get_by_role("button", name="Confirm and save these figures").click()
        page.get_by_text("Saved: 3 new figures").wait_for()
        assert "1,224" in _tiles(page, url, "1,224")
