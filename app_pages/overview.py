import streamlit as st

from explorer import data
from explorer.commentary import month_commentary
from explorer.components import (
    DFE_CAPTION,
    chart_downloads,
    computed_lines,
    data_caption,
    headline_tiles,
    kpi_table,
    not_matched_note,
    page_title,
    scorecard_choice,
)
from explorer.menu import end_page
from explorer.text import plain, plain_table
from sendlib.domain.catalogue import SCORECARDS
from sendlib.domain.periods import long_label
from sendlib.domain.trends import moved_most
from sendlib.presentation.report import report_months
from sendlib.presentation.tables import headlines, summary_table

cat = data.listed_catalogue()
table, version = data.table()
summary = data.summary()

page_title("SEND performance overview")
data_caption(version)
scorecards = scorecard_choice("overview-scorecards")
computed = computed_lines()  # nothing read when no case records are held
held = set(summary.loc[summary["latest"].notna(), "kpi_id"])
shown = {s: headlines(cat, s, held) for s in scorecards}
if not any(shown.values()):
    st.info("No measures are set up for this authority yet. Upload your own scorecard on the Upload page: its "
            "measures are set up from the file itself, in one step.", icon=":material/upload:")
    end_page()

for scorecard in scorecards:
    if not shown[scorecard]:
        continue
    st.subheader(f"Headlines: {SCORECARDS[scorecard]}")
    headline_tiles(summary, shown[scorecard], computed=computed)

st.subheader("Headline trends")
for scorecard in scorecards:
    if not shown[scorecard]:
        continue
    chart = data.headline_spec(tuple(shown[scorecard]))
    st.vega_lite_chart(spec=chart, key=f"headline-trends-{scorecard}")
    caption = f"{SCORECARDS[scorecard]}: {chart.get('description', '')}"
    st.caption(caption)
    chart_downloads(chart, name=f"headline-trends-{scorecard}", key=f"headline-trends-{scorecard}-image",
                    title=f"Headline trends: {SCORECARDS[scorecard]}", caption=caption)

st.subheader("What moved most")
st.caption("The largest changes since the previous period that can be called better or worse, by each measure's polarity.")
moved = moved_most(summary[summary["scorecard"].isin(scorecards)], n=8)
better, worse = moved[moved["assessment"] == "better"], moved[moved["assessment"] == "worse"]
left, right = st.columns(2)
for col, rows, heading in ((left, better, "✔ Improved"), (right, worse, "✖ Worsened")):
    with col:
        st.markdown(f"**{heading}**")
        shown = summary_table(rows, cat)[["KPI", "Latest period", "Latest", "Previous", "Change"]]
        if shown.empty:
            st.write("Nothing in this list.")
        else:
            st.table(plain_table(shown), hide_index=True)

st.subheader("Commentary for the month")
st.caption("The overall commentary opens the board report's commentary page; commentary on single measures is "
           "written under each chart on the theme pages and on the Exceptions page.")
for scorecard in scorecards:
    months = report_months(table, scorecard)
    if months:
        month = data.as_at() if data.as_at() in months else months[0]
        with st.expander(f"{SCORECARDS[scorecard]}: {long_label(month)}", icon=":material/comment:"):
            month_commentary(scorecard, month, key=f"overview-overall-{scorecard}")

st.subheader("Every measure")
themes = st.multiselect(
    "Themes",
    list(cat.themes),
    format_func=lambda t: cat.themes[t].name,
    placeholder="All themes",
    key="overview-themes",
)
display = data.overview_table(tuple(scorecards), tuple(themes))
kpi_table(
    display,
    key="overview-table",
    file_name=f"send-scorecard-{version}.csv",
    caption=f"{len(display)} measures. Change is worded better or worse by each measure's polarity; "
    "targets are rated On / Near / Off target in words as well as colour. " + DFE_CAPTION,
)

st.subheader("How we compare: DfE's published figures")
if not_matched_note():
    end_page()
st.caption(
    f"The latest figures the Department for Education publishes for {plain(data.home_la_name())}, beside England, its region "
    "and the mean of its ten statistical neighbours (the authority and neighbour groups are chosen in the sidebar). "
    "These are national statistics, not the service's own monthly figures; each row names its release and period."
)
compare = data.overview_dfe(tuple(scorecards))
kpi_table(compare, key="overview-dfe", file_name=f"dfe-benchmarks-{data.home_la()}.csv",
          caption=f"{len(compare)} measures with a DfE equivalent. " + DFE_CAPTION)
