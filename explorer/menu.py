"""The app's menu: every page in order, with its title and icon. streamlit_app.py registers exactly these, and the
accessibility sweep checks the sidebar lists exactly these. And how a page ends early."""

from __future__ import annotations

from typing import NoReturn

DEFAULT = "app_pages/overview.py"
PAGES: list[tuple[str, str, str]] = [
    (DEFAULT, "Overview", ":material/dashboard:"),
    ("app_pages/statutory_duty.py", "Statutory duty", ":material/gavel:"),
    ("app_pages/early_years.py", "Early years", ":material/child_care:"),
    ("app_pages/provision.py", "Provision and placements", ":material/school:"),
    ("app_pages/tribunals.py", "Mediations, tribunals and complaints", ":material/balance:"),
    ("app_pages/preparing_for_adulthood.py", "Preparing for adulthood", ":material/work:"),
    ("app_pages/sendiass.py", "SENDIASS", ":material/support_agent:"),
    ("app_pages/education.py", "Education", ":material/menu_book:"),
    ("app_pages/quality_and_lived_experience.py", "Quality and lived experience", ":material/reviews:"),
    ("app_pages/care_health_and_ap.py", "Social care, health and AP", ":material/health_and_safety:"),
    ("app_pages/how_we_compare.py", "How we compare", ":material/leaderboard:"),
    ("app_pages/upload.py", "Upload new figures", ":material/upload_file:"),
    ("app_pages/history.py", "History", ":material/history:"),
    ("app_pages/extract.py", "Extract data", ":material/download:"),
    ("app_pages/glossary.py", "Glossary", ":material/info:"),
    ("app_pages/board_report.py", "Board report", ":material/summarize:"),
    ("app_pages/exceptions.py", "Exceptions", ":material/priority_high:"),
]


class PageEnd(Exception):
    """The page has shown all it can (a refused file, nothing to report on)."""


def end_page() -> NoReturn:
    """End the page here. Not st.stop(): that would also stop the sidebar, which is drawn after the page so the
    page's first chart does not wait for the authority list (a scan of every DfE figure on a cold start)."""
    raise PageEnd
