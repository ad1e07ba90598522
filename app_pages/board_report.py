import streamlit as st

from explorer.commentary import month_commentary
from explorer.reports import figures_choice, report, report_downloads, report_page, with_forecast
from sendlib.domain.periods import long_label
from sendlib.presentation.report import render_html

scorecard, month = report_page(
    "Board report",
    "The monthly performance report, made from the explorer's figures: contextual headlines, every measure grouped "
    "by how often it is reported, key trend charts, the commentary, the exceptions and a glossary. Download it as a "
    "PDF to circulate, or as a single HTML file.",
    key="board-report",
    empty="This document has no monthly figures yet, so there is no report to make.",
)
figures = figures_choice("board-report")
forecast = st.toggle("Include a forecast section", value=False, key="board-report-forecast",
                     help="EHC plans, requests and new plans three years ahead from DfE's published figures, with "
                          "their likely ranges and how accurate past forecasts were (see the Forecast page)")

report_downloads(scorecard, month, figures, forecast)
with st.expander(f"Overall commentary for {long_label(month)}", expanded=True, icon=":material/comment:"):
    month_commentary(scorecard, month, key=f"overall-{scorecard}-{month}")
st.caption("Commentary on single measures is written under each chart on the theme pages and on the Exceptions page.")

shown = report(scorecard, month, figures)
st.html(render_html(with_forecast(shown) if forecast else shown, fragment=True))
