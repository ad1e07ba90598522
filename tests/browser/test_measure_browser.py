"""A manager opens the 20-week measure from the Statutory duty grid and finds, on one page, its figure, its trend,
every source's figure with why they differ, and the cases that made the rate fail; and every theme page fits in 2.5
screens of a 1440×900 laptop. Case records (the synthetic SEN2 return) are loaded into the store first."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pytest
from actions import download, settle
from sen2_synthetic import Synthetic, generate

from explorer.components import GRID_ROW_HEIGHT
from explorer.menu import theme_pages
from explorer.serve import running_app
from sendlib.domain.catalogue import SCORECARDS, load_catalogue
from sendlib.workflows.cases import commit_cases, preview_cases
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

RATE = "b04-20-week-rate-excl-exceptions"
SCREEN = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def with_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Synthetic]]:
    path = tmp_path_factory.mktemp("measure") / "store"
    store = open_store(path)
    init_store(store)
    synthetic = generate(300, seed=11)
    commit_cases(store, preview_cases(store, synthetic.xml, "sen2-2025.xml"))
    with running_app(path) as url:
        yield url, synthetic


@pytest.fixture
def laptop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=SCREEN, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def grid_position(kpi_id: str, theme: str) -> tuple[int, int]:
    """The row of a KPI in its theme's grid and the grid's length: documents in order, then the catalogue's order."""
    cat = load_catalogue()
    rows = sorted((k for k in cat if k.theme == theme), key=lambda k: (list(SCORECARDS).index(k.scorecard), k.order))
    return [k.id for k in rows].index(kpi_id), len(rows)


def test_the_20_week_rate_from_its_grid_row_to_its_sources_and_failing_cases(laptop, with_cases) -> None:  # type: ignore[no-untyped-def]
    url, synthetic = with_cases
    page = laptop
    page.goto(f"{url}/statutory_duty")
    page.get_by_role("heading", name="Statutory duty").wait_for()
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    row, rows = grid_position(RATE, "statutory-duty")

    def row_y() -> float:
        # The grid shows every row (its height is (rows + 1) × the row height): count up from its foot to the row.
        box = grid.bounding_box()
        assert box is not None
        return box["y"] + box["height"] - 3 - (rows - row - 0.5) * GRID_ROW_HEIGHT

    page.mouse.move(SCREEN["width"] / 2, SCREEN["height"] / 2)
    page.mouse.wheel(0, row_y() - SCREEN["height"] / 2)  # scroll the row to the middle of the screen
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 14, row_y())  # its row marker, as a person chooses the row
    try:
        page.get_by_role("heading", name="within 20 weeks").first.wait_for()
    finally:
        page.screenshot(path="/tmp/measure-grid-click.png", full_page=True)
    assert f"measure?id={RATE}" in page.url, page.url
    settle(page)

    figure = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert figure == "15.9%", "the board report's March 2024 figure"
    page.locator('[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas').first.wait_for()

    sources = page.locator('[data-testid="stTable"]').first.inner_text()
    computed = synthetic.expected[("rate_ex", "2024-03")].value
    year = synthetic.expected[("rate_ex", "2024")].value
    assert computed is not None and year is not None
    for shown in ("As typed in the document", "15.9%", "Computed from case records", f"{computed:.1f}%",
                  f"{year:.1f}%", "Published by DfE", "calendar year 2024"):
        assert shown in sources, (shown, sources)
    reasons = page.locator('[data-testid="stMarkdownContainer"] li').all_inner_texts()
    assert any("different periods" in r and "15.9%" in r for r in reasons), reasons
    assert any("mediation or tribunal" in r for r in reasons), reasons
    assert any(f"{computed:.1f}%" in r and "15.9%" in r for r in reasons), reasons

    page.get_by_role("heading", name="The cases behind the figure").wait_for()
    page.get_by_text("cases issued after 20 weeks: listed first", exact=False).wait_for()
    _, body = download(page, "Download these cases (CSV)")
    listed = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    late = listed["Result"] == "late: issued after 20 weeks"
    assert late.any() and late.tolist() == sorted(late.tolist(), reverse=True), "the failing cases first"
    assert not listed.isin(["None", "nan", "<NA>"]).any().any()
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("theme", [p.url_path for p in theme_pages()])
def test_every_theme_page_fits_in_two_and_a_half_laptop_screens(laptop, with_cases, theme: str) -> None:  # type: ignore[no-untyped-def]
    url, _ = with_cases
    laptop.goto(f"{url}/{theme}")
    laptop.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
    laptop.locator('[data-testid="stDataFrame"]').first.wait_for()
    settle(laptop)
    height = laptop.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    print(f"{theme}: {height} px")
    assert height <= 2.5 * SCREEN["height"], f"{theme} is {height} px tall"


def test_a_bookmarked_measure_address_opens_on_its_month(laptop, with_cases) -> None:  # type: ignore[no-untyped-def]
    url, _ = with_cases
    laptop.goto(f"{url}/measure?id=ehcps&month=2024-06")
    laptop.get_by_role("heading", name="No. of EHCPs").wait_for()
    settle(laptop)
    assert laptop.locator('[data-testid="stMetricValue"]').first.inner_text() == "4,223"
    assert "January 2024 — latest available by June 2024" in laptop.locator('[data-testid="stTable"]').inner_text()


