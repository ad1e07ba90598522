"""The one council and the one month every page shows (issue 19): read here, so every page, tile, grid, chart,
report and extract follows the same choice, and the address can carry it (`?la=839&month=2025-01`) to be bookmarked
and sent.

`as_at_month()` is the month the visitor chose, or None for "the latest month the authority's main document holds".
The sidebar's month control (drawn once, in streamlit_app.py) writes it; pages only read it."""

from __future__ import annotations

import re

import streamlit as st

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
