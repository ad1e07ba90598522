"""AppTest runs of the Board report and Exceptions pages, and of commentary written through the widgets:
saved to the store's commentary table, shown in tables and the report, kept through an upload and a restore."""

from __future__ import annotations

from pathlib import Path

from page_runner import open_page
from registry_nav import open_page as open_registered
from streamlit.testing.v1 import AppTest

from sendlib.domain.authorities import BOARD_AUTHORITY, NOT_MATCHED
from sendlib.domain.catalogue import load_catalogue
from sendlib.presentation.report import build_report
from sendlib.workflows.commentary import commentary_store, read_comments
from sendlib.workflows.stores import open_store

RATE = "b04-20-week-rate-excl-exceptions"
BOARD = BOARD_AUTHORITY  # the board report's council: the board report's figures and commentary are its own




def save(at: AppTest, key: str, text: str) -> None:
    at.text_area(key=f"{key}-text").input(text)
    form_button = next(b for b in at.button if b.label.startswith("Save to ") and key in str(b.proto.form_id))
    assert form_button.label.endswith("'s commentary"), "the button names whose commentary it saves to"
    form_button.click().run()
    assert not at.exception, at.exception


def test_board_report_page_shows_the_report_and_offers_pdf_and_html(store_dir: Path) -> None:
    at = open_page("app_pages/board_report.py", la=BOARD)
    assert at.title[0].value == "Board report — The council of the board report (not named in its document)"
    assert at.selectbox(key="board-report-scorecard").value == "board"
    assert at.selectbox(key="board-report-month").value == "2024-03"
    html = at.get("html")[0].proto.body
    for shown in ("The council of the board report (not named in its document): Improvement board report, March 2024",
                  "Latest (Mar 24)", "Previous (Feb 24)", "15.9%", "21.7%", "49.1%", "38 weeks 4 days", "England",
                  NOT_MATCHED):
        assert shown in html, shown
    assert "DfE 2023" not in html, "no DfE figure for a council DfE cannot be matched to"
    assert "Glossary" not in html and "TBC" not in html
    assert "<main" not in html, "inside the app the report is a fragment, not a second main landmark"
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels == {"Download PDF (A4, printable)", "Download HTML (one self-contained file)"}

    at.checkbox(key="board-report-glossary").check().run()
    assert "Appendix: glossary" in at.get("html")[0].proto.body
    at.selectbox(key="board-report-month").set_value("2024-02").run()
    assert not at.exception
    assert "Latest (Feb 24)" in at.get("html")[0].proto.body


def test_the_scorecard_s_report_names_its_council_and_dfe_s_figures(store_dir: Path) -> None:
    at = open_page("app_pages/board_report.py")
    assert at.selectbox(key="board-report-scorecard").value == "scorecard", "Bournemouth's own document"
    at.selectbox(key="board-report-month").set_value("2025-01").run()
    assert not at.exception
    html = at.get("html")[0].proto.body
    assert "Bournemouth, Christchurch and Poole: SEND scorecard (monthly), January 2025" in html
    assert "DfE Jan 25" in html, "the January census of the report's month, beside the figures"


def test_commentary_on_a_measure_is_written_from_the_report_page(store_dir: Path) -> None:
    at = open_page("app_pages/board_report.py", la=BOARD)
    measure = at.selectbox(key="board-report-measure")
    assert measure.options[0].endswith("(exception)"), "exceptions first"
    measure.set_value(RATE).run()
    save(at, f"report-comment-{RATE}", "Agency caseworkers start in April.")
    assert read_comments(open_store(store_dir)).empty, "nothing of the board report's is Bournemouth's"
    comments = read_comments(open_store(store_dir, la=BOARD))
    assert list(zip(comments["kpi_id"], comments["period"])) == [(RATE, "2024-03")]
    assert at.get("html")[0].proto.body.count("Agency caseworkers start in April.") == 1


def test_overall_commentary_written_on_the_page_reaches_the_report(store_dir: Path) -> None:
    at = open_page("app_pages/board_report.py", la=BOARD)
    save(at, "overall-board-2024-03", "Timeliness fell again; recovery plan agreed with the panel.")
    row = read_comments(open_store(store_dir, la=BOARD)).iloc[0]
    assert (row["scorecard"], row["kpi_id"], row["period"]) == ("board", "", "2024-03")
    assert "recovery plan agreed with the panel" in at.get("html")[0].proto.body


def test_exceptions_page_lists_red_or_worse_measures_with_a_commentary_box(store_dir: Path) -> None:
    at = open_page("app_pages/exceptions.py", la=BOARD)
    board = open_store(store_dir, la=BOARD)
    report = build_report(board.read(), load_catalogue(), read_comments(board), "2024-03", charts=False)
    assert at.metric[0].value == str(len(report.exceptions))
    assert len([t for t in at.text_area if t.key.startswith("exception-")]) == len(report.exceptions)
    save(at, f"exception-{RATE}", "Caseworker vacancies; 12 agency staff start in April.")
    comments = read_comments(board)
    assert list(zip(comments["kpi_id"], comments["period"])) == [(RATE, "2024-03")]


def test_kpi_commentary_on_its_measure_page_shows_there_and_survives_upload_and_restore(store_dir: Path) -> None:
    at = open_registered("measure", query={"id": RATE}, la=BOARD)
    save(at, f"comment-{RATE}", "Written under the chart.")
    assert "Written under the chart." in [t.value for t in at.text]

    store = open_store(store_dir, la=BOARD)
    before = store.head()
    upload = open_page("app_pages/upload.py", la=BOARD)
    april = f"kpi_id,period,value\n{RATE},2024-04,21.5\n".encode()
    upload.file_uploader(key="upload-file").set_value(("board_april.csv", april, "text/csv")).run()
    upload.button(key="upload-confirm").click().run()
    assert not upload.exception and store.head() != before
    store.restore(before)

    assert len(commentary_store(store).versions()) == 1
    again = open_page("app_pages/board_report.py", la=BOARD)
    assert "Written under the chart." in again.get("html")[0].proto.body


def test_overview_offers_the_month_s_overall_commentary(store_dir: Path) -> None:
    at = open_page("app_pages/overview.py", la=BOARD)
    save(at, "overview-overall-board", "Overview note for March.")
    assert read_comments(open_store(store_dir, la=BOARD)).iloc[0]["period"] == "2024-03"
    assert "Commentary" in at.dataframe[0].value.columns


def test_history_lists_commentary_versions_and_shows_an_earlier_text(store_dir: Path) -> None:
    from sendlib.domain.commentary import Comment
    from sendlib.workflows.commentary import save_comment

    store = open_store(store_dir, la=BOARD)
    first = save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="First thoughts."))
    save_comment(store, Comment(scorecard="board", kpi_id=RATE, period="2024-03", text="Second thoughts."))
    at = open_page("app_pages/history.py", la=BOARD)
    listed = next(d.value for d in at.dataframe if "Table" in d.value.columns and "Commentary" in set(d.value["Table"]))
    assert len(listed) == 2 and listed["What"].str.contains(RATE).all()
    at.selectbox(key="commentary-history-version").set_value(first.id).run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if {"Commentary", "Written by"} <= set(d.value.columns))
    assert shown["Commentary"].tolist() == ["First thoughts."], "an earlier text is never lost"
