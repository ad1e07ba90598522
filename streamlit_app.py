"""SEND Performance Explorer: the entry point. The pages are listed in explorer/menu.py; each page file is layout only."""

from pathlib import Path

import streamlit as st

from explorer.components import home_la_selector
from explorer.damage import repaired_flash, store_error
from explorer.menu import DEFAULT, PAGES, PageEnd
from sendlib.store import StoreError

# The favicon is a file in the repo: a Material icon here would be fetched from Google's font servers, which a
# locked-down council laptop may not reach (the page then logs a failed request on every load).
st.set_page_config(page_title="SEND Performance Explorer", page_icon=str(Path(__file__).parent / "explorer" / "favicon.png"),
                   layout="wide")

# One flat list: Streamlit's sectioned sidebar nests list items in a way axe-core flags (list/listitem).
navigation = st.navigation([st.Page(path, title=title, icon=icon, default=path == DEFAULT) for path, title, icon in PAGES],
                           expanded=True)
# The sidebar's place is kept under the menu but drawn after the page: its authority list scans every DfE figure,
# which the page's first chart need not wait for. The page is drawn in one slot, so a damaged store replaces whatever
# it had drawn with what is wrong, not a traceback.
sidebar = st.sidebar.container()
page = st.empty()
try:
    with page.container():
        repaired_flash()
        try:
            navigation.run()
        except PageEnd:
            pass
    with sidebar:
        home_la_selector()
except StoreError as exc:
    with page.container():
        store_error(exc)
