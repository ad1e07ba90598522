"""Another council's explorer, in the browser: its scorecard uploaded on the Upload page gets "Set up these 5 measures"
(one table filled in from the file, every guess marked), a person ticks every row as checked and confirms, and the
measures are loaded: the overview's tiles are the council's own figures, and the History page lists the set-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from actions import settle
from other_councils import COUNCILS, HERE

from explorer.serve import running_app

COUNCIL = COUNCILS[0]  # Northshire: a workbook, monthly, with a Good is column


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served for the council's own authority, on a store of its own (which starts empty)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SENDLIB_HOME_LA", COUNCIL.la)
        with running_app(tmp_path_factory.mktemp("measure-setup") / "store") as url:
            yield url


def test_a_councils_scorecard_is_set_up_confirmed_and_loaded(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    n = len(COUNCIL.measures)
    page.goto(f"{app_url}/upload")
    page.get_by_role("heading", name="Upload new figures").wait_for()
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(HERE / COUNCIL.file))
    page.get_by_role("heading", name=f"Set up these {n} measures").wait_for()
    page.get_by_text(f"It names {n} measures the explorer does not know yet").wait_for()
    page.get_by_text(f"0 of {n} rows checked").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    assert page.locator('[data-testid="stTable"]').count() == 0, "no wall of unknown-KPI errors"
    assert page.locator('[data-testid="stException"]').count() == 0

    page.get_by_text("I have checked every row").click()
    page.get_by_text(f"{n} of {n} rows checked: every row is checked.").wait_for()
    settle(page)
    page.get_by_role("button", name=f"Confirm: set up {n} measures and load the file").click()
    page.get_by_text(f"{n} measures set up").wait_for()
    page.get_by_text("loaded as figures version 000002").wait_for()
    page.get_by_text("This file holds nothing new").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0

    # The overview is the council's own: its first measures' latest month (March 2025), as the file gave them.
    page.goto(app_url)
    values = page.locator('[data-testid="stMetricValue"]')
    values.filter(has_text="121").first.wait_for()
    settle(page)
    shown = values.all_inner_texts()
    assert {"121", "64.0%"} <= set(shown), shown
    assert page.locator('[data-testid="stException"]').count() == 0

    page.goto(f"{app_url}/history")
    page.get_by_role("heading", name="Measures set up").wait_for()
    page.get_by_text("The 5 measures as they stand").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
