"""SEND Performance Explorer: the entry point. Pages are listed here; each page file is layout only."""

from pathlib import Path

import streamlit as st

from explorer.components import home_la_selector
from explorer.damage import repaired_flash, store_error
from sendlib.store import StoreError

# The favicon is a file in the repo: a Material icon here would be fetched from Google's font servers, which a
# locked-down council laptop may not reach (the page then logs a failed request on every load).
st.set_page_config(page_title="SEND Performance Explorer", page_icon=str(Path(__file__).parent / "explorer" / "favicon.png"),
                   layout="wide")

THEME_PAGES = [
    ("app_pages/statutory_duty.py", "Statutory duty", ":material/gavel:"),
    ("app_pages/early_years.py", "Early years", ":material/child_care:"),
    ("app_pages/provision.py", "Provision and placements", ":material/school:"),
    ("app_pages/tribunals.py", "Mediations, tribunals and complaints", ":material/balance:"),
    ("app_pages/preparing_for_adulthood.py", "Preparing for adulthood", ":material/work:"),
    ("app_pages/sendiass.py", "SENDIASS", ":material/support_agent:"),
    ("app_pages/education.py", "Education", ":material/menu_book:"),
    ("app_pages/quality_and_lived_experience.py", "Quality and lived experience", ":material/reviews:"),
    ("app_pages/care_health_and_ap.py", "Social care, health and AP", ":material/health_and_safety:"),
]

# One flat list: Streamlit's sectioned sidebar nests list items in a way axe-core flags (list/listitem).
navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        *[st.Page(path, title=title, icon=icon) for path, title, icon in THEME_PAGES],
        st.Page("app_pages/how_we_compare.py", title="How we compare", icon=":material/leaderboard:"),
        st.Page("app_pages/upload.py", title="Upload new figures", icon=":material/upload_file:"),
        st.Page("app_pages/history.py", title="History", icon=":material/history:"),
        st.Page("app_pages/extract.py", title="Extract data", icon=":material/download:"),
        st.Page("app_pages/glossary.py", title="Glossary", icon=":material/info:"),
        st.Page("app_pages/board_report.py", title="Board report", icon=":material/summarize:"),
        st.Page("app_pages/exceptions.py", title="Exceptions", icon=":material/priority_high:"),
    ],
    expanded=True,
)
# The page is drawn in one slot, so a damaged store replaces whatever it had drawn with what is wrong, not a traceback.
page = st.empty()
try:
    with st.sidebar:
        home_la_selector()
    with page.container():
        repaired_flash()
        navigation.run()
except StoreError as exc:
    with page.container():
        store_error(exc)
