"""The versions of the store's side tables, as the History page lists them."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from sendlib.store.delta import DeltaStore


def versions_table(tables: list[tuple[str, DeltaStore]], *, key: str, alt: str) -> None:
    """The versions of one or more side tables (DfE releases, commentary), newest first: when, what, file, who."""
    rows = []
    for what, table in tables:
        head = table.head()
        rows += [{
            "Table": what,
            "Version": v.id + (" (current)" if v.id == head else ""),
            "When (UTC)": v.created_at.replace("T", " ")[:19],
            "File": v.file_name or "",
            "What": v.message or "",
            "Rows": v.rows,
            "By": v.author or "not recorded",
            "File sha256": (v.sha256 or "")[:12],
        } for v in table.versions()]
    shown = pd.DataFrame(rows, columns=["Table", "Version", "When (UTC)", "File", "What", "Rows", "By", "File sha256"])
    st.dataframe(shown.sort_values("When (UTC)", ascending=False, kind="stable"), hide_index=True, key=key, alt=alt)


def side_history(side: DeltaStore, *, what: str, key: str, intro: str, empty: str, alt: str | None = None,
                 extra: Callable[[], None] | None = None) -> None:
    """A side table's section on the History page: its versions newest first, anything `extra` draws (only when
    there are versions), and, for editors, a restore of an older version as a new version."""
    from . import access

    flash_key = f"{key}-flash"
    st.markdown(intro)
    if flash := st.session_state.pop(flash_key, None):
        st.success(flash, icon=":material/check_circle:")
    versions = side.versions()
    if not versions:
        st.caption(empty)
        return
    versions_table([(what, side)], key=key, alt=alt or f"Versions of the {what.lower()}, newest first")
    if extra is not None:
        extra()
    head = side.head()
    older = [v.id for v in versions if v.id != head]
    if not older or not access.is_editor():
        return
    chosen = st.selectbox(f"{what} version to restore", older, key=f"{key}-version")
    if st.button(f"Restore {what.lower()} version {chosen}", key=f"{key}-restore"):
        info = side.restore(chosen, author=access.current_user())
        st.session_state[flash_key] = f"{what} version {chosen} restored as new version {info.id}."
        st.rerun()
