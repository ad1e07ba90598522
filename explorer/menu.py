"""The app's page registry: every page once, in menu order, with its title, icon and URL path. streamlit_app.py
builds `st.navigation` from it; the AppTest sweep, the browser tests, the accessibility sweep and bench/bench.py walk
the same list. The theme pages come from the catalogue's themes (data/catalogue/themes.csv: a theme's `page` groups it
with others); the rest are files in app_pages/. And how a page ends early."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn

from sendlib.domain.catalogue import Theme, load_themes
from sendlib.domain.paths import catalogue_dir

# Menu titles and icons of the theme pages, by the `page` column of themes.csv. A page not listed here takes its
# themes' names as its title and THEME_ICON: a new page in themes.csv still gets a menu entry and an AppTest run.
THEME_TITLES = {
    "quality-and-lived-experience": "Quality and lived experience",
    "care-health-and-ap": "Social care, health and AP",
}
THEME_ICONS = {
    "statutory-duty": ":material/gavel:",
    "early-years": ":material/child_care:",
    "provision": ":material/school:",
    "tribunals": ":material/balance:",
    "preparing-for-adulthood": ":material/work:",
    "sendiass": ":material/support_agent:",
    "education": ":material/menu_book:",
    "quality-and-lived-experience": ":material/reviews:",
    "care-health-and-ap": ":material/health_and_safety:",
}
THEME_ICON = ":material/analytics:"


@dataclass(frozen=True)
class Page:
    """One menu entry: a file in app_pages/ (`file`) or a theme page (`theme`, drawn by components.theme_page)."""

    url_path: str
    title: str
    icon: str
    file: str | None = None
    theme: str | None = None
    hidden: bool = False  # reached by its links (the measure page), not listed in the menu

    @property
    def visibility(self) -> Literal["visible", "hidden"]:
        return "hidden" if self.hidden else "visible"

    @property
    def source(self) -> str | Callable[[], None]:
        """What st.Page runs: the file, or the theme page as a callable."""
        if self.file:
            return self.file
        from .components import theme_page  # Streamlit and the cached data: only when the app draws the page

        return functools.partial(theme_page, self.theme)


# The pages that are files, in menu order around the theme pages: the overview first, the rest after the themes.
DEFAULT = Page("overview", "Overview", ":material/dashboard:", file="app_pages/overview.py")
OTHER_PAGES: tuple[Page, ...] = (
    Page("how_we_compare", "How we compare", ":material/leaderboard:", file="app_pages/how_we_compare.py"),
    Page("forecast", "Forecast", ":material/trending_up:", file="app_pages/forecast.py"),
    Page("sharing", "Sharing", ":material/share:", file="app_pages/sharing.py"),
    Page("upload", "Upload new figures", ":material/upload_file:", file="app_pages/upload.py"),
    Page("history", "History", ":material/history:", file="app_pages/history.py"),
    Page("extract", "Extract data", ":material/download:", file="app_pages/extract.py"),
    Page("glossary", "Glossary", ":material/info:", file="app_pages/glossary.py"),
    Page("board_report", "Board report", ":material/summarize:", file="app_pages/board_report.py"),
    Page("exceptions", "Exceptions", ":material/priority_high:", file="app_pages/exceptions.py"),
    Page("accessibility", "Accessibility", ":material/accessibility_new:", file="app_pages/accessibility.py"),
    Page("measure", "A measure", ":material/query_stats:", file="app_pages/measure.py", hidden=True),
)


@functools.lru_cache(maxsize=8)
def _themes(directory: Path) -> tuple[Theme, ...]:
    return tuple(sorted(load_themes(directory), key=lambda t: t.order))


def theme_pages(themes: Iterable[Theme] | None = None) -> tuple[Page, ...]:
    """A page per distinct `page` of the catalogue's themes (themes.csv of $SENDLIB_CATALOGUE or the bundled one), in
    the order of its first theme. The URL path is the page id with underscores, as the page files had (bookmarks
    such as /statutory_duty keep working). Only themes.csv is read, once per folder: not the store."""
    grouped: dict[str, list[str]] = {}
    for theme in _themes(catalogue_dir()) if themes is None else themes:
        grouped.setdefault(theme.page, []).append(theme.name)
    return tuple(
        Page(page.replace("-", "_"), THEME_TITLES.get(page, " and ".join(names)), THEME_ICONS.get(page, THEME_ICON),
             theme=page)
        for page, names in grouped.items()
    )


def pages(themes: Iterable[Theme] | None = None) -> tuple[Page, ...]:
    """Every page of the app, in menu order."""
    return (DEFAULT, *theme_pages(themes), *OTHER_PAGES)


class PageEnd(Exception):
    """The page has shown all it can (a refused file, nothing to report on)."""


def end_page() -> NoReturn:
    """End the page here. Not st.stop(): that would also stop the sidebar, which is drawn after the page so the
    page's first chart does not wait for the authority list (a scan of every DfE figure on a cold start)."""
    raise PageEnd
