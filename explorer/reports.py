"""Widgets of the Board report and Exceptions pages: which report, which figures it uses, and its downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.domain.catalogue import SCORECARDS
from sendlib.domain.periods import long_label
from sendlib.presentation.forecast import with_forecasts
from sendlib.presentation.report import (
    FIGURES,
    Figures,
    Report,
    build_report,
    report_bytes,
    report_months,
)

from . import data
from .authority import authority, main_document, matched, name_of
from .components import data_caption, page_title
from .menu import end_page

MIME = {"html": "text/html", "pdf": "application/pdf"}


def report_page(title: str, intro: str, *, key: str, empty: str) -> tuple[str, str]:
    """The head both report pages share: title, what the page is for, the data version, which document and month.
    Stops the page, saying why, when the document has no monthly figures."""
    page_title(title)
    st.markdown(intro)
    _, version = data.table()
    data_caption(version)
    scorecard, month = report_choice(key)
    if month is None:
        st.info(empty)
        end_page()
    return scorecard, month


def report_choice(key: str) -> tuple[str, str | None]:
    """Document (the authority's own bundled document, else the first with monthly figures) and month (the as-at
    month when the document has it, else its latest)."""
    table, _ = data.table()
    documents = [s for s in SCORECARDS if report_months(table, s)] or list(SCORECARDS)
    main = main_document()
    left, right = st.columns(2)
    with left:
        scorecard = st.selectbox("Document", documents, format_func=SCORECARDS.get, key=f"{key}-scorecard",
                                 index=documents.index(main) if main in documents else 0)
    months = report_months(table, scorecard)
    chosen = data.as_at()
    with right:
        month = st.selectbox("Month", months, format_func=long_label, key=f"{key}-month",
                             index=months.index(chosen) if chosen in months else 0,
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


def appendix_choice(key: str) -> tuple[str, ...]:
    """The glossary appendix: off by default, as a board paper is read without it."""
    glossary = st.checkbox("Add the glossary as an appendix", key=f"{key}-glossary",
                           help="The definition, unit, frequency and target of every measure in the report, after it.")
    return ("glossary",) if glossary else ()


def _benchmarks_key(scorecard: str) -> tuple[str, ...]:
    """What DfE's benchmarks are cached on, or () for none: only an authority DfE can be matched to has any."""
    return data.benchmarks_key() if matched() else ()


@st.cache_data(max_entries=8, show_spinner="Building the report…")
def _report(path: str, version: str, stamp: str, head: str, cases_head: str, scorecard: str, month: str,
            charts: bool, figures: Figures, appendix: tuple[str, ...], council: str,
            bench_key: tuple[str, ...]) -> Report:
    computed = data.computed() if cases_head else None
    benchmarks: pd.DataFrame | None = data.benchmarks() if bench_key else None
    return build_report(data.table_at(path, version), data.catalogue_at(path, stamp), data.comments(), month,
                        scorecard=scorecard, version=version, charts=charts, figures=figures, computed=computed,
                        council=council, benchmarks=benchmarks, matched=bool(bench_key) or matched(),
                        appendix=appendix)


def _key(scorecard: str, month: str) -> tuple[str, str, str, str, str, str, str]:
    s = data.store()
    return (data.key_of(s), s.head() or "", data.catalogue_stamp(), data.comments_head(), data.cases_head(), scorecard,
            month)


def report(scorecard: str, month: str, figures: Figures = "typed", *, charts: bool = True,
           appendix: tuple[str, ...] = ()) -> Report:
    """The report model, computed beside typed when case records are held, with DfE's figures beside each measure:
    once per values, commentary, case records and DfE version."""
    return _report(*_key(scorecard, month), charts, figures, appendix, name_of(authority()), _benchmarks_key(scorecard))


@st.cache_data(max_entries=8, show_spinner=False)
def _report_file(key: tuple[str, ...], figures: Figures, appendix: tuple[str, ...], council: str,
                 bench_key: tuple[str, ...], fmt: str) -> bytes:
    built = _report(*key, True, figures, appendix, council, bench_key)
    return report_bytes(built, "pdf" if fmt == "pdf" else "html")


def report_file(scorecard: str, month: str, fmt: str, figures: Figures = "typed", appendix: tuple[str, ...] = (),
                forecast: bool = False) -> bytes:
    if forecast:
        built = with_forecast(report(scorecard, month, figures, appendix=appendix))
        return report_bytes(built, "pdf" if fmt == "pdf" else "html")
    return _report_file(_key(scorecard, month), figures, appendix, name_of(authority()), _benchmarks_key(scorecard), fmt)


def with_forecast(built: Report) -> Report:
    """The report with the board pack's forecast section for the shown authority."""
    from explorer.forecast import board_blocks

    return with_forecasts(built, board_blocks(authority()))


def report_downloads(scorecard: str, month: str, figures: Figures = "typed", appendix: tuple[str, ...] = (),
                     forecast: bool = False) -> None:
    """HTML and PDF of the report, built on the server only when a button is clicked."""
    suffix = "-computed" if figures == "computed" else ""
    with st.container(horizontal=True, gap="small"):
        for fmt, label in (("pdf", "Download PDF (A4, printable)"), ("html", "Download HTML (one self-contained file)")):
            st.download_button(
                label,
                lambda fmt=fmt: report_file(scorecard, month, fmt, figures, appendix, forecast),
                file_name=f"{scorecard}-report-{month}{suffix}.{fmt}",
                mime=MIME[fmt],
                on_click="ignore",
                key=f"report-{fmt}",
                icon=":material/download:",
                type="primary" if fmt == "pdf" else "secondary",
            )
