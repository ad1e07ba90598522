"""Widgets of the Board report and Exceptions pages: which report, and its downloads."""

from __future__ import annotations

import streamlit as st

from sendlib.domain.catalogue import SCORECARDS
from sendlib.domain.periods import long_label
from sendlib.presentation.report import report_months

from . import data
from .components import data_caption
from .menu import end_page

MIME = {"html": "text/html", "pdf": "application/pdf"}


def report_page(title: str, intro: str, *, key: str, empty: str) -> tuple[str, str]:
    """The head both report pages share: title, what the page is for, the data version, which document and month.
    Stops the page, saying why, when the document has no monthly figures."""
    st.title(title)
    st.markdown(intro)
    _, version = data.table()
    data_caption(version)
    scorecard, month = report_choice(key)
    if month is None:
        st.info(empty)
        end_page()
    return scorecard, month


def report_choice(key: str) -> tuple[str, str | None]:
    """Scorecard (the board's by default) and month (its latest by default)."""
    table, _ = data.table()
    left, right = st.columns(2)
    with left:
        scorecard = st.selectbox("Document", list(SCORECARDS), format_func=SCORECARDS.get, key=f"{key}-scorecard",
                                 index=list(SCORECARDS).index("board"))
    months = report_months(table, scorecard)
    with right:
        month = st.selectbox("Month", months, format_func=long_label, key=f"{key}-month",
                             help="Monthly measures show this month against the one before; measures reported less "
                                  "often show their latest period up to this month.")
    return scorecard, month


def report_downloads(scorecard: str, month: str) -> None:
    """HTML and PDF of the report, built on the server only when a button is clicked."""
    with st.container(horizontal=True, gap="small"):
        for fmt, label in (("pdf", "Download PDF (A4, printable)"), ("html", "Download HTML (one self-contained file)")):
            st.download_button(
                label,
                lambda fmt=fmt: data.report_file(scorecard, month, fmt),
                file_name=f"{scorecard}-report-{month}.{fmt}",
                mime=MIME[fmt],
                on_click="ignore",
                key=f"report-{fmt}",
                icon=":material/download:",
                type="primary" if fmt == "pdf" else "secondary",
            )
