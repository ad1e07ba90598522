"""AppTest runs of the Upload and History pages: a manager's file in, previewed, confirmed, undone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from locations import DATA_DIR
from page_runner import open_page, shown
from registry_nav import switch_to

from sendlib.presentation.tables import counted
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import open_store


def snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_new_month_is_previewed_then_saved_and_shown(store_dir: Path) -> None:
    at = open_page("app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(
        ("scorecard.csv", (DATA_DIR / "scorecard_new_month.csv").read_bytes(), "text/csv")
    ).run()
    assert not at.exception
    values = {shown(m.label): m.value for m in at.metric}
    assert values == {"New figures": "2", "Revised figures": "1", "Unchanged figures": "970"}
    new, revised = (t.value.map(shown) for t in at.table[:2])
    assert new.to_dict("records") == [{"Measure": "No. of complaints", "Month": "March 2025", "Figure": "9"},
                                      {"Measure": "No. of EHCPs", "Month": "March 2025", "Figure": "4,501"}]
    assert revised.to_dict("records") == [{"Measure": "No. of EHCPs", "Month": "January 2025", "Was": "4,453",
                                           "Now": "4,460"}], "names and units, not ids"
    (warnings,) = [e for e in at.expander if "worth a second look" in e.label]
    groups = [shown(m.value).splitlines() for m in warnings.markdown]
    assert [g[0] for g in groups] == ["**Arrows that contradict the figures: 13**", "**Fractions read as percentages: 1**"]
    assert len(groups[0]) == 2 + 10 + 1 and groups[0][-1] == "- … and 3 more", "at most ten of each"
    assert "- No. of Children accessing SEN Funding - Tier 1, April 2024: the arrow ▼ says it went down" in "\n".join(groups[0])
    assert open_store(store_dir).head() == "000001", "nothing is written before Confirm (000002: the board's council's)"

    at.button(key="upload-confirm").click().run()
    assert not at.exception
    assert shown(at.success[0].value) == "Saved: 2 new figures for March 2025, 1 revised. Every page now shows them."
    assert open_store(store_dir).head() == "000003"
    assert not [b for b in at.button if b.key == "upload-confirm"], "Confirm goes quiet once saved"

    at.switch_page("app_pages/overview.py").run()
    tiles = {shown(m.proto.help).split(". Latest")[0]: m.value for m in at.metric}  # by full name
    assert tiles["No. of EHCPs"] == "4,501"  # the new month is the latest everywhere


def test_counts_agree_with_their_nouns() -> None:
    assert [counted(n, "thing") for n in (0, 1, 2, 1204)] == ["0 things", "1 thing", "2 things", "1,204 things"]
    assert counted(1, "authority", "authorities") == "1 authority" and counted(3, "authority", "authorities") == "3 authorities"


def test_refused_file_names_row_column_value_and_writes_nothing(store_dir: Path) -> None:
    before = snapshot(store_dir)
    at = open_page("app_pages/upload.py")
    bad = b"kpi_id,period,value\nehcps,2025-02,4500\ncomplaints,2025-13,3\nehcps-mainstream-pct,2025-02,101%\n"
    at.file_uploader(key="upload-file").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception
    assert "refused: 2 problems." in at.error[0].value
    problems = at.table[0].value.map(lambda v: shown(v) if isinstance(v, str) else v)
    assert problems.iloc[0].tolist() == [3, "period", "2025-13", "'2025-13': there is no month 13"]
    assert problems.iloc[1, :3].tolist() == [4, "value", "101%"]
    assert not at.button, "no Confirm button for a refused file"
    assert snapshot(store_dir) == before


def test_history_lists_versions_and_goes_back_as_a_new_version(store_dir: Path) -> None:
    store = open_store(store_dir)
    load_file(store, DATA_DIR / "scorecard_new_month.csv")
    at = open_page("app_pages/history.py")
    table = at.dataframe[0].value
    assert table["What"].tolist() == ["Upload of scorecard_new_month.csv", "Upload of send_scorecard.csv"], \
        "Bournemouth's own versions: the board report's are its council's"
    assert table["Now showing"].tolist() == ["yes", "no"]
    at.selectbox(key="history-version").select("000001").run()
    restore = at.button(key="history-restore")
    assert restore.label.endswith("save to Bournemouth, Christchurch and Poole's figures")
    restore.click().run()
    assert not at.exception
    assert store.head() == "000004"
    assert store.read().equals(store.read("000001"))
    assert "The figures are back as they were on" in at.success[0].value
    assert len(store.versions()) == 3, "history is never rewritten"


def test_history_undoes_the_latest_upload_only_after_a_confirmation(store_dir: Path) -> None:
    store = open_store(store_dir)
    at = open_page("app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(
        ("feb25_scorecard.csv", (DATA_DIR / "scorecard_new_month.csv").read_bytes(), "text/csv")).run()
    at.button(key="upload-confirm").click().run()
    assert store.head() == "000003"

    at.switch_page("app_pages/history.py").run()
    assert at.dataframe[0].value["What"].iloc[0] == "Upload of feb25_scorecard.csv"
    at.button(key="history-undo").click().run()
    assert not at.exception
    assert store.head() == "000003", "nothing is undone before the confirmation"
    asked = shown(at.warning[0].value)
    assert asked.startswith("This removes the 2 new figures and puts back 1 revised figure from feb25_scorecard.csv, "
                            "uploaded on ") and asked.endswith("Undo it?")
    at.button(key="history-undo-yes").click().run()
    assert not at.exception
    assert store.head() == "000004" and store.read().equals(store.read("000001"))
    assert shown(at.success[0].value) == ("Undone: the figures are back as they were before the upload of "
                                          "feb25_scorecard.csv.")
    assert at.dataframe[0].value["What"].iloc[0] == "Undo of the upload of feb25_scorecard.csv"
    (technical,) = [e for e in at.expander if e.label == "Technical details"]
    assert "000004" in technical.dataframe[0].value["Version"].tolist(), "ids only in the technical details"


def test_unknown_kpi_can_be_added_on_the_page_and_the_file_tried_again(store_dir: Path) -> None:
    at = open_page("app_pages/upload.py")
    file = ("new.csv", b"KPI,Feb 25\nNo. of tribunal hearings attended,4\n", "text/csv")
    at.file_uploader(key="upload-file").set_value(file).run()
    assert not at.error, "a measure new to the explorer is an invitation, not a refusal"
    assert any("1 measure in new.csv is new to the explorer: set it up below." in shown(i.value) for i in at.info)
    form = f"new-kpi-{hashlib.sha1(b'No. of tribunal hearings attended').hexdigest()[:8]}"
    assert at.text_input(key=f"{form}-name").value == "No. of tribunal hearings attended"
    at.selectbox(key=f"{form}-theme").select("tribunals")
    at.selectbox(key=f"{form}-unit").select("count")
    at.radio(key=f"{form}-polarity").set_value("neutral")
    at.button[0].click().run()  # the form's "Add KPI"
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert {shown(m.label): m.value for m in at.metric}["New figures"] == "1"
    at.button(key="upload-confirm").click().run()
    assert shown(at.success[-1].value).startswith("Saved: 1 new figure for February 2025.")
    switch_to(at, "tribunals").run()
    assert not at.exception
    grid = [str(n) for d in at.dataframe if "Measure" in d.value for n in d.value["Measure"]]
    assert "No. of tribunal hearings attended" in grid, "a row of the theme page's grid"
