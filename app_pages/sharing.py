import streamlit as st

from explorer import sharing
from explorer.access import SIGN_IN_DETAILS
from explorer.authority import login_configured
from explorer.components import page_title
from explorer.details import technical_details
from explorer.menu import end_page

page_title("Sharing")
sharing.intro()
sharing.flash()
table = sharing.choices()
if table.empty:
    st.info("None of this authority's measures has a common definition yet, so there is nothing it can share. A "
            "measure set up from a file gets one on the Upload page's set-up table (the “Common definition” column).",
            icon=":material/info:")
    end_page()
sharing.choices_section(table)
if sharing.may_change():
    sharing.choose_form(table)
if not login_configured():
    technical_details(SIGN_IN_DETAILS)
