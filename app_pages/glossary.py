import streamlit as st

from explorer import data
from explorer.components import chart_downloads, page_title
from explorer.measure import link as measure_link
from sendlib.domain.trends import DEFAULT_COUNT_TOLERANCE_SHARE, DEFAULT_TOLERANCE
from sendlib.presentation.charts import coverage_chart
from sendlib.presentation.extracts import to_csv_bytes
from sendlib.presentation.tables import case_glossary_table, glossary_table

cat = data.listed_catalogue()
page_title("Glossary")
st.markdown(
    "Every measure in the monthly SEND scorecard and the improvement board report: what it counts, "
    "which way is good, how often it is reported, its target and where it comes from. "
    "Where the documents do not say which way is good, the polarity is our judgement and is marked so."
)
query = st.text_input("Search measures", placeholder="e.g. 20 weeks, tribunal, NEET", key="glossary-search")
table = glossary_table(cat)
if query:
    mask = table.apply(lambda col: col.astype(str).str.contains(query, case=False, regex=False)).any(axis=1)
    table = table[mask]
st.dataframe(
    table.assign(Page=table["ID"].map(measure_link)),
    hide_index=True,
    column_config={"Definition": st.column_config.TextColumn(width="large"), "KPI": st.column_config.TextColumn(width="large"),
                   "Page": st.column_config.LinkColumn("Page", display_text="Open ›", help="The measure's own page")},
    alt="Glossary of measures",
)
st.caption(f"{len(table)} of {len(cat)} measures.")
st.download_button(
    "Download the glossary (CSV)",
    to_csv_bytes(table),
    file_name="send-glossary.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
)

st.header("Measures computed from case records")
st.markdown(
    "The statutory measures the explorer computes from a SEN2 return's case records: what each counts, how its cases "
    "are placed in a month or year (its basis) and the KPI whose typed figure it sits beside. Day 1 is the day the "
    "request was received; a plan is issued on its start date; within 20 weeks is 140 days or fewer."
)
cases = case_glossary_table(cat)
if query:
    cases = cases[cases.apply(lambda col: col.astype(str).str.contains(query, case=False, regex=False)).any(axis=1)]
st.dataframe(cases, hide_index=True, column_config={"Definition": st.column_config.TextColumn(width="large")},
             alt="Glossary of the measures computed from case records")
st.caption(f"{len(cases)} measures computed from case records.")
st.download_button("Download the case measures (CSV)", to_csv_bytes(cases), file_name="send-case-measures.csv",
                   mime="text/csv", on_click="ignore", icon=":material/download:", key="glossary-cases-download")

st.header("Measures by theme")
if len(cat):
    coverage = coverage_chart(cat)
    st.altair_chart(coverage, key="glossary-coverage")
    st.caption(coverage.description)
    chart_downloads(coverage, name="measures-by-theme", key="glossary-coverage-image", title="Measures by theme",
                    caption=coverage.description)
else:
    st.write("No measures are set up for this authority yet.")

st.header("How ratings work")
st.markdown(
    f"""
- **Change** compares the latest value with the previous period's. For cumulative totals that restart each
  January (mediations, appeals) it compares with the same month last year instead.
- **Better / worse** follows each measure's polarity: a fall in complaints is *better*, a fall in plans issued
  within 20 weeks is *worse*. Measures where neither direction is good are never called better or worse.
- **Against target**: ✔ *On target* when the target is met; ◆ *Near target* when short of it by no more than
  the tolerance; ✖ *Off target* otherwise. Default tolerances: {DEFAULT_TOLERANCE['percent']:g} percentage
  points for percentages, {DEFAULT_TOLERANCE['days']:g} days for durations, {DEFAULT_TOLERANCE['score']:g} for
  scores, {DEFAULT_COUNT_TOLERANCE_SHARE:.0%} of the target for counts.
- Ratings are always written in words and symbols as well as colour.
"""
)
