"""Case-level widgets: the cases behind a computed figure, and finding one child's requests by UPN.

Case lists are special-category data: when sign-in is on they are drawn only for editors.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.domain.cases import case_measures
from sendlib.domain.values import format_value
from sendlib.presentation.cases import (
    FIND_A_CASE,
    RESULT_WORDS,
    case_table,
    cases_behind_table,
    default_period,
    figure_periods,
    measure_unit,
    period_words,
)
from sendlib.presentation.extracts import to_bytes
from sendlib.workflows.cases import CaseKeyRefused, case_list, cases_store, find_case

from . import access, data
from .details import technical_details
from .text import plain
from .versions import side_history

EDITORS_ONLY = "Case lists are shown only to editors. Sign in with an editor's account to see the cases behind a figure."


def figure_words(measure_id: str, period: str) -> str:
    """`% of new plans issued within 20 weeks (excluding exceptions), March 2024: 41.2% (7 of 17)`."""
    measures = data.case_measures()
    row = measures[(measures["measure"] == measure_id) & (measures["period"] == period)]
    name = case_measures()[measure_id].name
    if row.empty:
        return f"{name}, {period_words(period)}: not computed"
    figure = row.iloc[0]
    if pd.isna(figure["value"]):
        return f"{name}, {period_words(period)}: blank ({figure['note']})"
    shown = format_value(float(figure["value"]), measure_unit(measure_id))
    of = f" ({figure['numerator']} of {figure['denominator']})" if case_measures()[measure_id].kind == "rate" else ""
    return f"{name}, {period_words(period)}: {shown}{of}"


def case_downloads(table: pd.DataFrame, *, name: str, key: str) -> None:
    left, right = st.columns(2)
    left.download_button("Download these cases (CSV)", to_bytes(table, "csv"), file_name=f"{name}.csv",
                         mime="text/csv", on_click="ignore", icon=":material/download:", key=f"{key}-csv")
    right.download_button("Download these cases (Excel)", to_bytes(table, "xlsx"), file_name=f"{name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                          icon=":material/download:", key=f"{key}-xlsx")


def rate_periods(measure_id: str, *, key: str) -> str | None:
    """The period whose cases to list: the figure's months newest first, then its calendar years (and census)."""
    measures = data.case_measures()
    periods = figure_periods(measures, measure_id)
    if not periods:
        st.info("This measure has no figures in the case records held.")
        return None
    default = default_period(measures, measure_id)
    return st.selectbox("Period", periods, index=periods.index(default) if default in periods else 0,
                        format_func=period_words, key=f"{key}-period-{measure_id}",
                        help="Months newest first, then calendar years, then the census.")


def drill_down(measure_id: str, period: str, *, key: str) -> None:
    """The cases one figure counted, sortable and downloadable; for a rate, the cases that made it fail first, said
    in words, with a filter to show only them."""
    st.markdown(f"**{plain(figure_words(measure_id, period))}**")
    if not access.is_editor():
        st.info(EDITORS_ONLY, icon=":material/lock:")
        return
    listed = case_list(data.cases(), measure_id, period)
    cases = cases_behind_table(listed, measure_id)
    if measure_id in RESULT_WORDS and len(cases):
        met, missed, counts_failures = RESULT_WORDS[measure_id]
        failing = met if counts_failures else missed
        late = cases["Result"] == failing
        st.caption(f"{int(late.sum())} of {len(cases)} cases {failing.split(': ')[-1]}: listed first.")
        if st.toggle(f"Only the cases {failing.split(': ')[-1]}", key=f"{key}-failing"):
            cases = cases[late]
    else:
        st.caption(f"The cases behind this figure: {len(cases)}. Click a heading to sort.")
    st.dataframe(cases, hide_index=True, key=f"{key}-table", alt=f"Cases behind {figure_words(measure_id, period)}")
    st.caption(FIND_A_CASE)
    case_downloads(cases, name=f"cases-{measure_id}-{period}", key=key)


def find_a_case(*, key: str) -> None:
    """A UPN typed here is hashed with the store's key and looked up; it is never stored or shown back."""
    if not access.is_editor():
        return
    with st.form(f"{key}-form", border=False):
        upn = st.text_input("Find a case by UPN", key=f"{key}-upn", type="password", max_chars=13,
                            help="The UPN is turned into the case reference with the authority's key; it is not "
                                 "kept, logged or shown.")
        submitted = st.form_submit_button("Find", icon=":material/search:")
    if not submitted or not upn.strip():
        return
    try:
        found = find_case(data.store(), data.cases(), upn)
    except CaseKeyRefused as exc:
        st.error("Not looked up: the key that turns a UPN into a case reference is missing, or is not the one the "
                 "case records were loaded with. Whoever runs the explorer can put it right.", icon=":material/key_off:")
        technical_details(plain(f"{exc}."))
        return
    if found.empty:
        st.info("No case with that UPN is held.")
        return
    st.success(f"Case reference {found['case_ref'].iloc[0]}: {len(found)} request{'s' if len(found) != 1 else ''}.")
    st.dataframe(case_table(found).drop(columns=["Counted in the figure"]), hide_index=True, key=f"{key}-found",
                 alt="The requests of the case found")


def cases_history() -> None:
    """The case records' versions on the History page, newest first, with a restore for editors. Counts only: the
    records themselves are special-category data and are never listed here."""
    st.subheader("Case records", anchor="case-records")
    side_history(cases_store(data.store()), what="Case records", key="cases-history", intro=(
        "Each SEN2 return loaded on the Upload page is a new version of the case records; the statutory figures "
        "computed from case records use the current version. Restoring an older version saves it again as a new "
        "version, so the restore can be undone, and the figures' own versions are untouched."),
        empty="No case records have been loaded yet.")
