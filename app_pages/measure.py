"""One measure on one page (`/measure?id=<kpi id>`): its definition, its figure as at the month, its trend, every
source's figure side by side with why they differ, its rank, commentary and the cases behind it. Layout only."""

import streamlit as st

from explorer import data, measure
from explorer.cases import drill_down, find_a_case, rate_periods
from explorer.commentary import comment_form
from explorer.components import chart_downloads, data_caption, kpi_tile, page_title
from explorer.forecast import line_chart
from explorer.menu import end_page
from explorer.text import plain

kpi = measure.chosen_kpi()
if kpi is None:
    page_title("A measure")
    st.markdown("Choose a measure above to see its figure, trend, sources and commentary.")
    st.caption("Or open a measure from any theme page's grid, the overview, the Glossary or How we compare; its address "
               "(measure?id=…) can be bookmarked and sent.")
    end_page()

st.title(plain(data.catalogue().qualified_name(kpi)))
data_caption(data.store().head() or "")
st.markdown(plain(measure.definition(kpi)))

row = measure.summary_row(kpi)
left, right = st.columns([1, 2])
with left:
    st.subheader(measure.as_at_words(), anchor="figure")
    kpi_tile(row, label=kpi.title, link=False)
    st.markdown(plain(measure.standing_words(kpi)))
with right:
    chart = data.trend_spec(kpi.id, None if row["target"] is None or row["target"] != row["target"] else float(row["target"]))
    st.vega_lite_chart(spec=chart, width="stretch", key=f"measure-chart-{kpi.id}")
    st.caption(plain(chart.get("description") or kpi.name))
    chart_downloads(chart, name=kpi.id, key=f"measure-chart-{kpi.id}", title=kpi.name,
                    caption=chart.get("description") or kpi.name)
    fc, sentence = measure.forecast_line(kpi)
    if sentence:
        st.markdown(plain(sentence))
    if fc is not None:
        st.altair_chart(line_chart(fc), key=f"measure-forecast-{kpi.id}")
        st.page_link("app_pages/forecast.py", label="The forecast, its record and scenarios",
                     icon=":material/trending_up:")

st.subheader("Every source's figure", anchor="sources")
figures, reasons = measure.sources(kpi)
if figures:
    st.table(measure.sources_table(figures).set_index("Source"))
else:
    st.info("No figure for this measure yet, from any source.")
for sentence in reasons:
    st.markdown(f"- {plain(sentence)}")
if len(figures) > 1 and not reasons:
    st.caption("The sources agree.")

if row["latest_period"] and row["latest_period"] == row["latest_period"]:
    st.subheader("Commentary", anchor="commentary")
    comment_form(kpi.scorecard, kpi.id, str(row["latest_period"]), key=f"comment-{kpi.id}",
                 label=f"Commentary on {kpi.name}")

measure_id = measure.fed_by(kpi)
if measure_id and data.cases_head():
    st.subheader("The cases behind the figure", anchor="cases")
    period = rate_periods(measure_id, key="measure-cases")
    if period:
        drill_down(measure_id, period, key="measure-drill")
    find_a_case(key="measure-find")
