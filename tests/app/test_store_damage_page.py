"""A damaged store is shown as what it is, on every page, never as a traceback: which file, that nothing was changed,
and for an editor a Repair button that makes the newest intact version current again as a new version."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_runner import shown
from registry_nav import switch_to
from store_files import newest_file
from streamlit.testing.v1 import AppTest

from sendlib.domain.authorities import BOARD_AUTHORITY, LOCAL_AUTHORITIES
from sendlib.domain.paths import ROOT
from sendlib.workflows.stores import open_store


@pytest.fixture
def damaged(store_dir: Path) -> Path:
    """The bundled store with the data file its current version added cut short, as a full disk or a killed copy
    leaves it."""
    parquet = newest_file(store_dir, "values")
    parquet.write_bytes(parquet.read_bytes()[:200])
    return parquet


def technical(at: AppTest) -> str:
    """What the page's one "Technical details" expander says."""
    (details,) = [e for e in at.expander if e.label == "Technical details"]
    return " ".join(shown(m.value) for m in details.markdown)


def app() -> AppTest:
    """The app showing the board report's council, whose version (the bundled store's newest) added the file cut
    short: another authority's pages read only their own files."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["authority"] = BOARD_AUTHORITY
    return at


@pytest.mark.parametrize("page", ["app_pages/overview.py", "statutory_duty", "app_pages/board_report.py",
                                  "app_pages/history.py", "app_pages/exceptions.py", "app_pages/extract.py",
                                  "app_pages/how_we_compare.py"])
def test_a_damaged_store_is_an_error_message_not_a_traceback(damaged: Path, page: str) -> None:
    at = app()
    at.run()
    switch_to(at, page).run()
    assert not at.exception, at.exception
    assert "Nothing was changed" in shown(at.error[0].value) and str(damaged) not in shown(at.error[0].value)
    message = technical(at)  # which file, and how to check it, for whoever runs the explorer
    assert str(damaged) in message and "python -m sendlib check --store" in message and "repair" in message
    assert at.button(key="repair-store").proto.label == "Repair the store"


def test_repair_makes_the_newest_intact_version_current_and_the_page_returns(damaged: Path, store_dir: Path) -> None:
    store = open_store(store_dir)
    at = app()
    at.run()
    at.button(key="repair-store").click().run()
    assert not at.exception, at.exception
    assert store.head() == "000003" and store.info("000003").restored_from == "000001"
    assert shown(at.success[0].value).startswith("Repaired: the ") and "000001" not in at.success[0].value
    assert at.title[0].value == f"SEND performance overview — {LOCAL_AUTHORITIES[BOARD_AUTHORITY]}"
    assert not at.error


def test_a_viewer_is_told_to_ask_an_editor(damaged: Path) -> None:
    at = app()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception, at.exception
    assert "Nothing was changed" in shown(at.error[0].value)
    assert not [b for b in at.button if b.key == "repair-store"], "only an editor may repair"
    assert "Ask one of the explorer's editors" in at.info[0].value


def test_an_upload_to_a_damaged_store_is_refused_with_the_message(damaged: Path, store_dir: Path) -> None:
    before = damaged.read_bytes()
    at = app()
    at.run()
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload-file").set_value(
        ("scorecard.csv", (ROOT / "tests" / "data" / "scorecard_new_month.csv").read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert str(damaged) in technical(at)
    assert open_store(store_dir, la=BOARD_AUTHORITY).head() == "000002" and damaged.read_bytes() == before


def test_a_values_table_without_its_log_is_the_damage_page_and_nothing_is_built_over_it(store_dir: Path) -> None:
    """A lost `_delta_log` with the data files left is damage, never a store to build afresh: the app names the
    folder and the way back, and writes nothing (the bundled data are not loaded over the old uploads)."""
    import shutil

    table = store_dir / "delta" / "values"
    shutil.rmtree(table / "_delta_log")
    before = {p: p.read_bytes() for p in store_dir.rglob("*") if p.is_file() and p.name != ".lock"}
    at = app()
    at.run()
    assert not at.exception, at.exception
    assert "Nothing was" in shown(at.error[0].value)
    message = technical(at)  # the folder and the way back, for whoever runs the explorer
    assert str(table) in message and "no _delta_log" in message, message
    assert "from a backup" in message, message
    assert not (table / "_delta_log").exists(), "the bundled data are not rebuilt over it"
    assert {p: p.read_bytes() for p in store_dir.rglob("*") if p.is_file() and p.name != ".lock"} == before


@pytest.mark.parametrize("table", ["values", "commentary"])
def test_a_newest_log_entry_of_braces_is_named_by_file_not_a_traceback(store_dir: Path, table: str) -> None:
    """A newest commit entry of `{}` (issue 21): the app names the entry and writes nothing, where it once showed
    delta-rs's "unexpected DeltaProtocolError" as a traceback."""
    from sendlib.domain.commentary import Comment
    from sendlib.workflows.commentary import save_comment

    if table == "commentary":
        save_comment(open_store(store_dir), Comment(scorecard="board", kpi_id="", period="2024-03", text="words"))
    entry = sorted((store_dir / "delta" / table / "_delta_log").glob("*.json"))[-1]
    entry.write_text("{}", encoding="utf-8")
    before = {p: p.read_bytes() for p in store_dir.rglob("*") if p.is_file() and p.name != ".lock"}
    at = app()
    at.run()
    if table == "commentary":
        switch_to(at, "app_pages/board_report.py").run()
    assert not at.exception, at.exception
    messages = [shown(e.value) for e in at.error] + [technical(at)]
    assert any(str(entry) in m and "not a readable commit" in m for m in messages), messages
    assert not any("unexpected" in m or "DeltaProtocolError" in m for m in messages), messages
    assert {p: p.read_bytes() for p in store_dir.rglob("*") if p.is_file() and p.name != ".lock"} == before
