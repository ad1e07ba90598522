"""Widgets of the Board report and Exceptions pages: which report, which figures it uses, and its downloads."""

from __future__ import annotations

import streamlit as st

from sendlib.domain.catalogue import SCORECARDS
from sendlib.domain.periods import long_label
from sendlib.presentation.forecast import with_forecasts
from sendlib.presentation.report import FIGURES, Figures, Report, build_report, report_bytes, report_months

from . import data
from .authority import authority
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


def figures_choice(key: str) -> Figures:
    """Typed figures (the default) or the figures computed from case records; offered only when case records are
    held."""
    if not data.cases_head():
        return "typed"
    chosen = st.radio(
        "Figures the report uses", list(FIGURES), format_func=FIGURES.get, horizontal=True, key=f"{key}-figures",
        help="The statutory measures computed from the SEN2 case records can stand in for the typed figures of the "
             "KPIs they feed; either way the report sets the two side by side and says which it uses.")
    return "computed" if chosen == "computed" else "typed"


@st.cache_data(max_entries=8, show_spinner="Building the report…")
def _report(path: str, version: str, stamp: str, head: str, cases_head: str, scorecard: str, month: str,
            charts: bool, figures: Figures) -> Report:
    computed = data.computed() if cases_head else None
    return build_report(data.table_at(path, version), data.catalogue_at(path, stamp), data.comments(), month,
                        scorecard=scorecard, version=version, charts=charts, figures=figures, computed=computed)


def report(scorecard: str, month: str, figures: Figures = "typed", *, charts: bool = True) -> Report:
    """The report model, computed beside typed when case records are held: once per values, commentary and case
    records version."""
    s = data.store()
    return _report(data.key_of(s), s.head() or "", data.catalogue_stamp(), data.comments_head(), data.cases_head(), scorecard,
                   month, charts, figures)


@st.cache_data(max_entries=8, show_spinner=False)
def _report_file(path: str, version: str, stamp: str, head: str, cases_head: str, scorecard: str, month: str,
                 figures: Figures, fmt: str) -> bytes:
    built = _report(path, version, stamp, head, cases_head, scorecard, month, True, figures)
    return report_bytes(built, "pdf" if fmt == "pdf" else "html")


def report_file(scorecard: str, month: str, fmt: str, figures: Figures = "typed", forecast: bool = False) -> bytes:
    if forecast:
        return report_bytes(with_forecast(report(scorecard, month, figures)), "pdf" if fmt == "pdf" else "html")
    s = data.store()
    return _report_file(data.key_of(s), s.head() or "", data.catalogue_stamp(), data.comments_head(), data.cases_head(),
                        scorecard, month, figures, fmt)


def with_forecast(built: Report) -> Report:
    """The report with the board pack's forecast section for the shown authority."""
    from explorer.forecast import board_blocks

    return with_forecasts(built, board_blocks(authority()))


def report_downloads(scorecard: str, month: str, figures: Figures = "typed", forecast: bool = False) -> None:
    """HTML and PDF of the report, built on the server only when a button is clicked."""
    suffix = "-computed" if figures == "computed" else ""
    with st.container(horizontal=True, gap="small"):
        for fmt, label in (("pdf", "Download PDF (A4, printable)"), ("html", "Download HTML (one self-contained file)")):
            st.download_button(
                label,
                lambda fmt=fmt: report_file(scorecard, month, fmt, figures, forecast),
                file_name=f"{scorecard}-report-{month}{suffix}.{fmt}",
                mime=MIME[fmt],
                on_click="ignore",
                key=f"report-{fmt}",
                icon=":material/download:",
                type="primary" if fmt == "pdf" else "secondary",
            )
