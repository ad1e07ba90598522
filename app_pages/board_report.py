import streamlit as st

from explorer.commentary import comment_form, month_commentary
from explorer.reports import appendix_choice, figures_choice, report, report_downloads, report_page, with_forecast
from explorer.text import plain
from sendlib.domain.periods import long_label
from sendlib.presentation.report import render_html
from sendlib.presentation.wording import NOT_REPORTED

scorecard, month = report_page(
    "Board report",
    "The month's performance report for the board: the exceptions first, then every measure beside its target and "
    "England's figure, with the commentary. Download it as a PDF to circulate, or as a single HTML file.",
    key="board-report",
    empty="This document has no monthly figures yet, so there is no report to make.",
)
figures = figures_choice("board-report")
appendix = appendix_choice("board-report")
forecast = st.toggle("Include a forecast section", value=False, key="board-report-forecast",
                     help="EHC plans, requests and new plans three years ahead from DfE's published figures, with "
                          "their likely ranges and how accurate past forecasts were (see the Forecast page)")

report_downloads(scorecard, month, figures, appendix, forecast)
built = report(scorecard, month, figures, appendix=appendix)
with st.expander(f"Overall commentary for {long_label(month)}", expanded=True, icon=":material/comment:"):
    month_commentary(scorecard, month, key=f"overall-{scorecard}-{month}")
with st.expander("Commentary on a measure", icon=":material/edit_note:"):
    rows = {r.kpi_id: r for r in [*built.exceptions, *(r for r in built.rows if not r.exception)]}
    chosen = st.selectbox("Measure", list(rows), key="board-report-measure",
                          format_func=lambda k: f"{rows[k].number}. {rows[k].name}"
                                                + (" (exception)" if rows[k].exception else ""),
                          help="Exceptions first, furthest off target first; the commentary is printed once in the "
                               "report, beside the measure.")
    if chosen:
        row = rows[chosen]
        st.caption(plain(f"{long_label(row.latest_period)}: {row.latest or NOT_REPORTED} · "
                         f"Target: {row.target or 'none'} · {row.against_target.text or 'not rated'}"))
        comment_form(scorecard, row.kpi_id, row.latest_period, key=f"report-comment-{row.kpi_id}",
                     label=f"Commentary on {row.name}")

st.html(render_html(with_forecast(built) if forecast else built, fragment=True))
