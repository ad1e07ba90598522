"""The Streamlit layer: cached data access and the widgets the pages share. Logic lives in sendlib."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

# Streamlit keeps a legacy "pages/ folder" mode until the first st.navigation call in the server process, so a
# bookmark to /provision opened first after a restart ran pages/provision.py on its own: Streamlit's file list for a
# menu, no sidebar authority picker, no wide layout. The first import of this package (by streamlit_app.py, or by
# the page run that way) ends that mode, and reruns once so the entry script and its st.navigation draw the page.
if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
    PagesManager.uses_pages_directory = False
    st.rerun()
