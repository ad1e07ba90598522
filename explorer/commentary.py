"""Commentary widgets: show what managers wrote against a KPI or a month, and let editors write it."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from sendlib.domain.commentary import MAX_COMMENT_CHARS, Comment
from sendlib.domain.periods import long_label
from sendlib.presentation.wording import commentary_shown, local_when, written_by
from sendlib.workflows.commentary import commentary_store, save_comment

from . import access, data
from .authority import save_label
from .text import label_text, plain
from .versions import versions_table


def existing(scorecard: str, kpi_id: str, period: str, lookup: dict | None = None) -> dict | None:
    """The comment on (kpi_id, period); pass `lookup` (`data.comment_lookups`) when asking for many at once."""
    return (data.comment_lookups(scorecard) if lookup is None else lookup).get((kpi_id, period))


def comment_form(scorecard: str, kpi_id: str, period: str, *, key: str, label: str = "Commentary",
                 lookup: dict | None = None) -> None:
    """The current text with who wrote it and when, and (for editors) a form to change it. Empty text deletes."""
    current = existing(scorecard, kpi_id, period, lookup)
    if current:
        st.text(current["text"])
        st.caption(plain(f"{written_by(current.get('author'), current.get('created_at'))}: commentary for {long_label(period)}"))
    if not access.is_editor():
        if not current:
            st.caption("No commentary yet.")
        return
    with st.form(key, border=False):
        text = st.text_area(label_text(label), value=current["text"] if current else "", max_chars=MAX_COMMENT_CHARS,
                            key=f"{key}-text", height=100,
                            help="Saved for everyone, with your name and the time; clear the box and save to remove it.")
        if st.form_submit_button(save_label("commentary"), icon=":material/save:"):
            try:
                comment = Comment(scorecard=scorecard, kpi_id=kpi_id, period=period, text=text,
                                  author=access.current_user())
            except ValidationError as exc:
                st.error(f"Not saved: {plain(exc.errors()[0]['msg'])}")
                return
            info = save_comment(data.store(), comment)
            if info is None:
                st.info("No change: that commentary was already saved.")
            else:
                st.toast("Commentary saved." if comment.text else "Commentary removed.", icon=":material/check_circle:")
                st.rerun()


def kpi_commentary(scorecard: str, kpi_id: str, period: str | None, *, name: str, lookup: dict | None = None) -> None:
    """A compact expander under a KPI's chart: its commentary on its latest period."""
    if not period:
        return
    lookup = data.comment_lookups(scorecard) if lookup is None else lookup
    current = existing(scorecard, kpi_id, period, lookup)
    title = f"Commentary ({long_label(period)})" + ("" if current else ": none yet")
    with st.expander(title, expanded=False, icon=":material/comment:"):
        comment_form(scorecard, kpi_id, period, key=f"comment-{kpi_id}", label=f"Commentary on {name}", lookup=lookup)


def month_commentary(scorecard: str, month: str, *, key: str) -> None:
    """The overall commentary for a month of one scorecard: the report's commentary page."""
    comment_form(scorecard, "", month, key=key, label=f"Overall commentary for {long_label(month)}")


def commentary_history() -> None:
    """Every save of commentary is a version: list them, and show the commentary as it stood at any one."""
    side = commentary_store(data.store())
    st.subheader("Commentary history", anchor="commentary-history")
    st.markdown("Each save of commentary is a new version of the commentary table; uploads and restores of the figures "
                "never touch it. Earlier texts stay here.")
    versions = side.versions()
    if not versions:
        st.write("No commentary has been written yet.")
        return
    versions_table([("Commentary", side)], key="commentary-history", alt="Commentary versions, newest first")
    when = {v.id: local_when(v.created_at) for v in versions}
    chosen = st.selectbox("See the commentary as it stood on", [v.id for v in versions],
                          key="commentary-history-version", format_func=lambda i: when[i])
    st.dataframe(commentary_shown(side.read(chosen), data.catalogue()), hide_index=True,
                 key="commentary-history-table", alt=f"Commentary as it stood on {when[chosen]}")
