"""The app on a store in object storage, as a replica serving a region would run it: `$SENDLIB_STORE` an az:// URI on
Azurite (started and stopped by the tests), its credentials in the environment. An upload, the history and a restore,
commentary and a DfE release behave as they do on local disk."""

from __future__ import annotations

import hashlib

import pytest
from locations import DATA_DIR
from page_runner import open_page, shown
from registry_nav import open_page as open_registered

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.workflows.commentary import read_comments
from sendlib.workflows.dfe_releases import dfe_tables
from sendlib.workflows.stores import open_store

pytestmark = pytest.mark.azurite
RATE = "b04-20-week-rate-excl-exceptions"


def test_an_upload_is_saved_then_undone_on_the_history_page(azurite_store: str) -> None:
    store = open_store(azurite_store)
    at = open_page("app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(
        ("scorecard.csv", (DATA_DIR / "scorecard_new_month.csv").read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert {shown(m.label): m.value for m in at.metric} == {"New figures": "2", "Revised figures": "1",
                                                             "Unchanged figures": "970"}
    assert store.head() == "000001", "nothing is written before Confirm (000002 is the board report's council's)"
    at.button(key="upload-confirm").click().run()
    assert shown(at.success[0].value).startswith("Saved: 2 new figures for March 2025, 1 revised.")
    at.switch_page("app_pages/overview.py").run()
    assert {shown(m.label): m.value for m in at.metric}["EHCPs"] == "4,501"

    at.switch_page("app_pages/history.py").run()
    assert at.dataframe[0].value["Now showing"].tolist()[:2] == ["yes", "no"]
    at.selectbox(key="history-version").select("000001").run()
    at.button(key="history-restore").click().run()
    assert not at.exception, at.exception
    assert store.head() == "000004" and store.read().equals(store.read("000001"))
    assert len(store.versions()) == 3, "history is never rewritten"


def test_commentary_on_a_measure_page_is_saved_in_object_storage(azurite_store: str) -> None:
    # The 20-week rate of the board report is its council's; commentary is written on the measure's own page.
    at = open_registered("measure", query={"id": RATE}, la=BOARD_AUTHORITY)
    at.text_area(key=f"comment-{RATE}-text").input("Written on a replica.")
    next(b for b in at.button if b.label.startswith("Save to ") and RATE in str(b.proto.form_id)).click().run()
    assert not at.exception, at.exception
    saved = read_comments(open_store(azurite_store, la=BOARD_AUTHORITY))
    assert saved.loc[saved["kpi_id"] == RATE, "text"].tolist() == ["Written on a replica."]


def test_a_dfe_release_is_saved_as_a_new_version(azurite_store: str) -> None:
    figures, _ = dfe_tables(open_store(azurite_store))
    head = figures.head()
    raw = (DATA_DIR / "dfe_personal_budgets_revised.csv").read_bytes()
    at = open_page("app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(("personal_budgets.csv", raw, "text/csv")).run()
    at.text_input(key="dfe-release").input("Personal budgets, test release").run()
    at.button(key="dfe-confirm").click().run()
    assert not at.exception, at.exception
    assert figures.head() != head and figures.info(figures.head()).sha256 == hashlib.sha256(raw).hexdigest()
    assert head in [v.id for v in figures.versions()], "the older release stays in history"
