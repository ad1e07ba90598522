import streamlit as st

from explorer import data
from explorer.commentary import comment_form
from explorer.components import data_caption
from explorer.reports import report_choice
from sendlib.periods import short_label

st.title("Exceptions")
st.markdown(
    "The measures off target, or worse than the previous period: the list a board asks about first. "
    "Write the commentary for each here; it appears in the board report."
)
_, version = data.table()
data_caption(version)
scorecard, month = report_choice("exceptions")
if month is None:
    st.info("This document has no monthly figures yet.")
    st.stop()

report = data.report(scorecard, month, charts=False)
rows = report.exceptions
st.metric("Measures needing an explanation", len(rows), border=True)
if not rows:
    st.success("No measure is off target or worse than the previous period.")
for row in rows:
    with st.container(border=True):
        st.markdown(f"**{row.number}. {row.name}**")
        facts = [f"Latest ({short_label(row.latest_period)}): {row.latest or '—'}",
                 f"Previous ({short_label(row.previous_period)}): {row.previous or '—'}"]
        if row.target:
            facts.append(f"Target: {row.target}")
        st.markdown(" · ".join(facts) + f"  \nChange: {row.change.text} · Against target: {row.against_target.text}")
        comment_form(scorecard, row.kpi_id, row.latest_period, key=f"exception-{row.kpi_id}",
                     label=f"Commentary on {row.name}")
