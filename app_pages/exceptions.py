import streamlit as st

from explorer import data
from explorer.commentary import comment_form
from explorer.measure import link as measure_link
from explorer.reports import report_page
from explorer.text import plain
from sendlib.domain.periods import short_label

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
        facts = [f"Latest ({short_label(row.latest_period)}): {row.latest or '—'}",
                 f"Previous ({short_label(row.previous_period)}): {row.previous or '—'}"]
        if row.target:
            facts.append(f"Target: {row.target}")
        figure = row.figure
        st.markdown(plain(" · ".join(facts)) + f"  \nChange: {figure.change} · Against target: {figure.rating} · "
                    f"[Open the measure ›]({measure_link(row.kpi_id)})")
        comment_form(scorecard, row.kpi_id, row.latest_period, key=f"exception-{row.kpi_id}",
                     label=f"Commentary on {row.name}")
