"""A damaged store shown as what it is, never as a traceback: which file, that nothing was changed, and for an editor
a button that repairs it (the newest intact version made current again, as a new version on the History page)."""

from __future__ import annotations

import streamlit as st

from sendlib.domain.paths import store_address
from sendlib.store.versioned import StoreError

from . import access
from .details import technical_details
from .text import plain

FLASH = "store-repaired"
# The store's tables as a manager names what is in them.
TABLE_WORDS = {"values": "figures", "commentary": "commentary", "cases": "case records", "catalogue": "measures",
               "sharing": "sharing choices"}


def store_error(exc: StoreError) -> None:
    """The page in place of one that could not be drawn: the store's own message, as text."""
    message = str(exc).rstrip(".")
    st.title("The explorer's data cannot be read")
    st.error("Some of the explorer's saved data is damaged or missing, so this page cannot show its figures. Nothing "
             "was changed.", icon=":material/error:")
    if not access.is_editor():
        st.info("Ask one of the explorer's editors to repair it; until then no page can show its figures.",
                icon=":material/info:")
        technical_details(plain(f"{message}."))
        return
    st.markdown("**Repair** puts back the data as it was at its last intact save, as a new save listed on the "
                "History page. Nothing is deleted: the damaged files stay where they are.")
    technical_details(plain(f"{message}."))
    if st.button("Repair the store", type="primary", icon=":material/build:", key="repair-store"):
        from sendlib.workflows.repair import repair_store
        from sendlib.workflows.stores import open_store

        try:
            repaired = repair_store(open_store(store_address(), migrate_old=False), author=access.current_user())
        except StoreError as again:
            st.error(plain(f"Not repaired: {again}"), icon=":material/block:")
            return
        st.session_state[FLASH] = ("Repaired: " + "; ".join(
            f"the {TABLE_WORDS.get(r.table, r.table + ' records')} are back as they were at their last intact save"
            if r.new_version
            else f"the {r.table} table's {r.info.message}"
            for r in repaired) + ". The History page lists the repair.") if repaired else \
            "Nothing needed repairing: the data had been repaired already."
        st.rerun()


def repaired_flash() -> None:
    """What the last repair did, once, above the page it made readable again."""
    if flash := st.session_state.pop(FLASH, None):
        st.success(plain(flash), icon=":material/check_circle:")
