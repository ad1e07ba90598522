"""The one council and the one month every page shows (issue 19): read here, so every page, tile, grid, chart,
report and extract follows the same choice, and the address can carry it (`?la=839&month=2025-01`) to be bookmarked
and sent.

`as_at_month()` is the month the visitor chose, or None for "the latest month the authority's main document holds".
The sidebar's month control (drawn once, in streamlit_app.py) writes it; pages only read it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from sendlib.domain.periods import PeriodError, long_label, parse_period

MONTH_KEY = "as-at-month"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)


def as_at_month() -> str | None:
    """The chosen month as "YYYY-MM", or None for the latest. A month in the address wins over the session's, so a
    sent link opens on its month; anything else in the address is ignored."""
    from_address = st.query_params.get("month")
    if isinstance(from_address, str) and _MONTH.match(from_address):
        return from_address
    chosen = st.session_state.get(MONTH_KEY)
    return chosen if isinstance(chosen, str) and _MONTH.match(chosen) else None


# Months first, then the school's periods, then years: a list of periods is grouped by kind, never interleaved.
KIND_ORDER = ("month", "half-term", "term", "quarter", "academic-year", "calendar-year")


def in_time_order(periods: Iterable[str]) -> list[str]:
    """Periods grouped by kind (months, terms, years; anything unreadable last), each group in time order."""

    def key(label: str) -> tuple[int, dt.date]:
        try:
            found = parse_period(label)
        except PeriodError:
            return (len(KIND_ORDER), dt.date.min)
        return (KIND_ORDER.index(found.kind), found.start)

    return sorted(dict.fromkeys(p for p in periods if p), key=key)


def held_months(table: pd.DataFrame, document: str | None) -> list[str]:
    """The months a document holds an actual figure for (every document's when None), newest first: the as-at
    month's choices, the first its default."""
    rows = table[(table["series"] == "actual") & table["value"].notna()]
    if document is not None:
        rows = rows[rows["scorecard"] == document]
    return sorted({p for p in rows["period"].dropna().astype(str) if _MONTH.match(p)}, reverse=True)


def as_at(held: list[str]) -> str | None:
    """The month pages show: the one chosen if the authority holds it, else its latest (None when it holds none)."""
    chosen = as_at_month()
    return chosen if chosen in held else (held[0] if held else None)


def older_words(period: str | None, month: str | None) -> str | None:
    """"January 2025 — latest available" for a figure whose period is not the as-at month; None when it is."""
    if not period or not month or period == month:
        return None
    return f"{long_label(period)} — latest available"
