"""The versions of the store's side tables, as the History page lists them."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from sendlib.presentation.upload_preview import technical_table
from sendlib.presentation.wording import local_when
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo

from .authority import save_label

_TECHNICAL_KEY = "history-technical"


def technical_versions(what: str, versions: list[VersionInfo]) -> None:
    """Keep a table's versions for the page's one "Technical details" expander (ids, UTC times, checksums)."""
    held = st.session_state.setdefault(_TECHNICAL_KEY, {})
    held[what] = versions


def technical_details() -> None:
    """The page's one "Technical details" expander: every table's versions with their ids and checksums."""
    held = st.session_state.pop(_TECHNICAL_KEY, {})
    with st.expander("Technical details"):
        st.caption("Version ids and file checksums, as `python -m sendlib history` prints them; times in UTC.")
        st.dataframe(technical_table(list(held.items())), hide_index=True, key="history-technical-table",
                     alt="Every version with its id and checksum")


def versions_table(tables: list[tuple[str, DeltaStore]], *, key: str, alt: str) -> None:
    """The versions of one or more side tables (DfE releases, commentary), newest first: when, what, file, who."""
    rows = []
    for what, table in tables:
        head = table.head()
        versions = table.versions()
        technical_versions(what, versions)
        rows += [{
            "Table": what,
            "When": local_when(v.created_at),
            "File": v.file_name or "not from a file",
            "What": v.message or ("Went back to an earlier version" if v.action == "restore" else "-"),
            "Rows": v.rows,
            "By": v.author or "not recorded",
            "Now showing": "yes" if v.id == head else "no",
            "_at": v.created_at,
        } for v in versions]
    shown = pd.DataFrame(rows, columns=["Table", "When", "File", "What", "Rows", "By", "Now showing", "_at"])
    shown = shown.sort_values("_at", ascending=False, kind="stable").drop(columns="_at")
    st.dataframe(shown, hide_index=True, key=key, alt=alt)


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
    when = {v.id: local_when(v.created_at) for v in versions}
    chosen = st.selectbox(f"{what}: go back to how they were on", older, key=f"{key}-version",
                          format_func=lambda i: when[i])
    if st.button(f"Go back to the {what.lower()} of {when[chosen]} ({save_label(what.lower())[:1].lower()}{save_label(what.lower())[1:]})", key=f"{key}-restore"):
        side.restore(chosen, author=access.current_user())
        st.session_state[flash_key] = f"{what}: back as they were on {when[chosen]}, saved as a new change."
        st.rerun()
