"""The two expanders that keep a manager's page short (issue 20): "How this works" for a longer explanation, and one
"Technical details" per page for whoever runs the explorer — version ids, settings, file layouts and column keys,
which a manager's page never shows outside it (tests/app/test_plain_words.py sweeps every page for them)."""

from __future__ import annotations

import streamlit as st

TECHNICAL = "Technical details"
HOW_THIS_WORKS = "How this works"


def technical_details(*lines: str) -> None:
    """The page's one "Technical details" expander, closed: each line a paragraph of Markdown (ours, not a user's)."""
    with st.expander(TECHNICAL, icon=":material/build:"):
        for line in lines:
            st.markdown(line)


def how_this_works(markdown: str, *, key: str | None = None) -> None:
    """A longer explanation, closed under a short sentence the page shows."""
    with st.expander(HOW_THIS_WORKS, icon=":material/help:", key=key):
        st.markdown(markdown)
