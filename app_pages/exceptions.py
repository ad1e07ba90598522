import streamlit as st

from explorer import data
from explorer.commentary import comment_form
from explorer.measure import link as measure_link
from explorer.reports import report_page
from explorer.text import plain
from sendlib.domain.periods import long_label
from sendlib.presentation.wording import NOT_REPORTED

scorecard, month = report_page(
    "Exceptions",
    "The measures off target, or worse than the previous period: the list a board asks about first. "
    "Write the commentary for each here; it appears in the board report.",
    key="exceptions",
    empty="This document has no monthly figures yet.",
)

report = data.report(scorecard, month, charts=False)
rows = report.exceptions
st.metric("Measures needing an explanation", len(rows), border=True)
if not rows:
    st.success("No measure is off target or worse than the previous period.")
for row in rows:
    with st.container(border=True):
        st.markdown(f"**{plain(f'{row.number}. {row.name}')}**")
        facts = [f"{long_label(row.latest_period)}: {row.latest or NOT_REPORTED}",
                 f"{long_label(row.previous_period)} (previous): {row.previous or NOT_REPORTED}"
                 if row.previous_period else "No previous figure"]
        if row.target:
            facts.append(f"Target: {row.target}")
        figure = row.figure
        st.markdown(plain(" · ".join(facts)) + f"  \nChange: {figure.change} · Against target: {figure.rating} · "
                    f"[Open the measure ›]({measure_link(row.kpi_id)})")
        comment_form(scorecard, row.kpi_id, row.latest_period, key=f"exception-{row.kpi_id}",
                     label=f"Commentary on {row.name}")
