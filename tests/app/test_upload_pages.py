"""AppTest runs of the Upload and History pages: a manager's file in, previewed, confirmed, undone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from locations import DATA_DIR
from page_runner import open_page, shown
from registry_nav import switch_to

from sendlib.presentation.tables import counted
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
    assert values == {"New values": "2", "Revised values": "1", "Unchanged values": "970"}
    assert any("revised 4453 → 4460" in shown(md.value) for md in at.markdown)
    revised = at.table[0].value.map(shown)
    assert revised.to_dict("records") == [{"KPI": "No. of EHCPs", "Period": "Jan 25", "Series": "Actual",
                                           "Old value": "4,453", "New value": "4,460"}], "names and units, not ids"
    assert [e.label for e in at.expander] == ["15 things worth a second look (they do not stop the upload)"]
    groups = [shown(m.value).splitlines() for m in at.expander[0].markdown]
    assert [g[0] for g in groups] == ["**Arrows that contradict the figures: 13**", "**Fractions read as percentages: 1**",
                                      "**Revised past values: 1**"], "by kind, with counts"
    assert len(groups[0]) == 2 + 3 + 1 and groups[0][-1] == "- … and 10 more", "at most three examples of each"
    assert open_store(store_dir).head() == "000002", "nothing is written before Confirm"

    at.button(key="upload-confirm").click().run()
    assert not at.exception
    assert "Saved as version 000003" in at.success[0].value
    assert open_store(store_dir).head() == "000003"

    at.switch_page("app_pages/overview.py").run()
    tiles = {shown(m.label): m.value for m in at.metric}
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


def test_history_lists_versions_and_restores_as_a_new_version(store_dir: Path) -> None:
    store = open_store(store_dir)
    at = open_page("app_pages/history.py")
    assert at.dataframe[0].value["Version"].tolist() == ["000002 (current)", "000001"]
    at.selectbox(key="history-version").select("000001").run()
    at.button(key="history-restore").click().run()
    assert not at.exception
    assert store.head() == "000003"
    assert store.read().equals(store.read("000001"))
    assert "restored as new version 000003" in at.success[0].value
    assert len(store.versions()) == 3, "history is never rewritten"


def test_unknown_kpi_can_be_added_on_the_page_and_the_file_tried_again(store_dir: Path) -> None:
    at = open_page("app_pages/upload.py")
    file = ("new.csv", b"KPI,Feb 25\nNo. of tribunal hearings attended,4\n", "text/csv")
    at.file_uploader(key="upload-file").set_value(file).run()
    assert "refused: 1 problem." in at.error[0].value
    form = f"new-kpi-{hashlib.sha1(b'No. of tribunal hearings attended').hexdigest()[:8]}"
    assert at.text_input(key=f"{form}-name").value == "No. of tribunal hearings attended"
    at.selectbox(key=f"{form}-theme").select("tribunals")
    at.selectbox(key=f"{form}-unit").select("count")
    at.radio(key=f"{form}-polarity").set_value("neutral")
    at.button[0].click().run()  # the form's "Add KPI"
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert {shown(m.label): m.value for m in at.metric}["New values"] == "1"
    at.button(key="upload-confirm").click().run()
    assert "Saved as version 000003" in at.success[-1].value
    switch_to(at, "tribunals").run()
    assert not at.exception
    assert "No. of tribunal hearings attended" in [shown(m.label) for m in at.metric]
