"""SEND Performance Explorer: the entry point. The pages are registered once, in explorer/menu.py (the theme pages from
the catalogue's themes); each page file is layout only."""

from pathlib import Path

import streamlit as st

from explorer.access import no_authority, setup_error
from explorer.authority import visible
from explorer.components import home_la_selector
from explorer.damage import repaired_flash, store_error
from explorer.data import COMPARING
from explorer.menu import DEFAULT, PageEnd, pages
from sendlib.domain.authorities import AuthorityError
from sendlib.store.versioned import StoreError

# The favicon is a file in the repo: a Material icon here would be fetched from Google's font servers, which a
# locked-down council laptop may not reach (the page then logs a failed request on every load).
st.set_page_config(page_title="SEND Performance Explorer", page_icon=str(Path(__file__).parent / "explorer" / "favicon.png"),
                   layout="wide")

# One flat list: Streamlit's sectioned sidebar nests list items in a way axe-core flags (list/listitem).
navigation = st.navigation([st.Page(p.source, title=p.title, icon=p.icon, url_path=p.url_path, default=p == DEFAULT,
                                     visibility=p.visibility)
                            for p in pages()], expanded=True)
# The sidebar keeps its place under the menu: whose figures, the as-at month every page shows, DfE's neighbour groups.
# On a session's first run it is drawn after the page: its authority list scans every DfE figure, which a cold start's
# first chart need not wait for. Later runs find the list cached and
# draw it first, so it is not left greyed out while the page reruns. The page is drawn in one slot, so a damaged store
# replaces whatever it had drawn with what is wrong, not a traceback.
sidebar = st.sidebar.container()
page = st.empty()


SIDEBAR_DRAWN = "sidebar-drawn"


def draw_sidebar() -> None:
    with sidebar:
        home_la_selector()
    st.session_state[SIDEBAR_DRAWN] = True


# "Compare with…" is How we compare's own: any other page compares the authority shown.
st.session_state.pop(COMPARING, None)

try:
    if not visible():
        with page.container():
            no_authority()
        st.stop()
    first_run = not st.session_state.get(SIDEBAR_DRAWN)
    if not first_run:
        draw_sidebar()
    with page.container():
        repaired_flash()
        try:
            navigation.run()
        except PageEnd:
            pass
    if first_run:
        draw_sidebar()
except StoreError as exc:
    with page.container():
        store_error(exc)
except AuthorityError as exc:
    with page.container():
        setup_error(exc)
