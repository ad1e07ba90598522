"""sendlib.domain.commentary: a side table of its own, versioned, that uploads and restores of the values never touch."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sendlib.domain.authorities import BOARD_AUTHORITY, LOCAL_AUTHORITIES
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.commentary import Comment, comment_lookup, latest_comments
from sendlib.presentation.report import build_report
from sendlib.store.delta import DeltaStore
from sendlib.workflows.commentary import commentary_store, read_comments, save_comment
from sendlib.workflows.load import load_file

RATE = "b04-20-week-rate-excl-exceptions"


def test_a_comment_is_saved_as_a_version_of_its_own_table(store: DeltaStore) -> None:
    values_head = store.head()
    info = save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="Mar 24", text="Backlog cleared in April.",
                                       author="jo@example.gov.uk"))
    assert info is not None and info.new == 1 and info.author == "jo@example.gov.uk"
    assert store.head() == values_head  # the values table did not move
    assert (store.root / "delta" / "commentary" / "la_code=839").is_dir(), "the home authority's own comments"
    row = read_comments(store).iloc[0]
    assert (row["scorecard"], row["kpi_id"], row["period"], row["text"]) == ("board", RATE, "2024-03", "Backlog cleared in April.")
    assert row["created_at"]


def test_saving_again_replaces_the_text_and_keeps_the_old_one_in_history(store: DeltaStore) -> None:
    save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="First"))
    info = save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="Second"))
    assert info is not None and info.revised == 1
    assert list(read_comments(store)["text"]) == ["Second"]
    side = commentary_store(store)
    assert [v.id for v in side.versions()] == ["000002", "000001"]
    assert list(side.read("000001")["text"]) == ["First"]


def test_the_same_text_twice_writes_nothing_and_empty_text_deletes(store: DeltaStore) -> None:
    save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="Same"))
    assert save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="  Same ")) is None
    info = save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text=""))
    assert info is not None and info.action == "delete"
    assert read_comments(store).empty


def test_deleting_when_nothing_was_ever_written_writes_nothing(store: DeltaStore) -> None:
    assert save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="")) is None
    assert not commentary_store(store).exists()


def test_overall_and_kpi_comments_are_told_apart(store: DeltaStore) -> None:
    save_comment(store, Comment(scorecard="board", period="2024-03", text="A difficult month."))
    save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="Down again."))
    save_comment(store, Comment(scorecard="scorecard", kpi_id="ehcps", period="2025-01", text="Other document."))
    lookup = comment_lookup(read_comments(store), "board")
    assert lookup[("", "2024-03")]["text"] == "A difficult month."
    assert lookup[(RATE, "2024-03")]["text"] == "Down again."
    assert ("ehcps", "2025-01") not in lookup


def test_a_comment_needs_a_real_period_and_a_sensible_length() -> None:
    with pytest.raises(ValidationError, match="not a period"):
        Comment(scorecard="board", kpi_id=RATE, period="soon", text="x")
    with pytest.raises(ValidationError):
        Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="x" * 5001)


def test_commentary_survives_an_upload_and_a_restore_and_reaches_the_report(store: DeltaStore, tmp_path: Path) -> None:
    store = store.authority(BOARD_AUTHORITY)  # the board report's own council
    before_upload = store.head()
    save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="Recovery plan agreed.", author="jo"))
    save_comment(store, Comment(scorecard="board", period="2024-03", text="Overall, timeliness is the priority."))

    april = tmp_path / "board_april.csv"
    april.write_text(f"kpi_id,period,value\n{RATE},2024-04,21.5\n", encoding="utf-8")
    _, uploaded = load_file(store, april)
    assert uploaded is not None and store.head() != before_upload
    store.restore(before_upload)
    assert store.head() not in (before_upload, uploaded.id)

    comments = read_comments(store)
    assert set(comments["text"]) == {"Recovery plan agreed.", "Overall, timeliness is the priority."}
    report = build_report(store.read(), load_catalogue(), comments, "2024-03", charts=False,
                          council=LOCAL_AUTHORITIES[BOARD_AUTHORITY], matched=False)
    assert report.council == "The council of the board report (not named in its document)"
    assert report.row(RATE).commentary == "Recovery plan agreed."
    assert report.row(RATE).commentary_by.startswith("jo, ")
    assert report.overall_commentary == "Overall, timeliness is the priority."


def test_tables_show_the_commentary_on_each_kpi_s_latest_period(store: DeltaStore) -> None:
    from sendlib.domain.trends import summarise
    from sendlib.presentation.tables import summary_table

    store = store.authority(BOARD_AUTHORITY)
    catalogue = load_catalogue()
    save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="On the latest month"))
    save_comment(store, Comment(scorecard="board", kpi_id="b05-average-time-to-issue-excl-exceptions", period="2024-02",
                                text="On an older month"))
    summary = summarise(store.read(), catalogue)
    summary = summary[summary["scorecard"] == "board"]
    shown = summary_table(summary, catalogue, commentary=latest_comments(read_comments(store), summary)).set_index("KPI")
    assert shown.loc[catalogue.qualified_name(catalogue[RATE]), "Commentary"] == "On the latest month"
    assert shown.loc[catalogue.qualified_name(catalogue["b05-average-time-to-issue-excl-exceptions"]), "Commentary"] == "none yet"
    assert "Commentary" not in summary_table(summary, catalogue).columns
