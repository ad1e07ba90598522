"""The upload page's form for a new KPI (app_pages/upload.py lays out the page)."""

from __future__ import annotations

import streamlit as st

from sendlib.domain.catalogue import POLARITY_WORDS, UNIT_WORDS, new_kpi

from . import data
from .text import plain


def new_kpi_form(name: str = "", key: str = "new-kpi") -> None:
    """A form that adds a KPI to the store's catalogue (a name the file uses that the catalogue does not know)."""
    cat = data.catalogue()
    with st.form(key, clear_on_submit=False):
        st.markdown("**Add a new KPI**")
        kpi_name = st.text_input("Name, exactly as in your file", value=name, key=f"{key}-name")
        theme = st.selectbox("Theme", list(cat.themes), format_func=lambda t: cat.themes[t].name, key=f"{key}-theme")
        unit = st.selectbox("Unit", list(UNIT_WORDS), format_func=UNIT_WORDS.get, key=f"{key}-unit")
        polarity = st.radio("Which way is good?", list(POLARITY_WORDS), format_func=POLARITY_WORDS.get, key=f"{key}-polarity",
                            horizontal=True)
        definition = st.text_area("Definition (what is counted)", key=f"{key}-definition")
        if st.form_submit_button("Add KPI"):
            try:
                kpi = new_kpi(cat, name=kpi_name, theme=theme, unit=unit, polarity=polarity, definition=definition or None)
            except ValueError as exc:
                st.error(f"Not added: {plain(exc)}")
                return
            data.store().add_kpi(kpi.model_dump())
            st.success(f"Added “{plain(kpi.name)}” (id {plain(kpi.id)}). Checking the file again…")
            st.rerun()
