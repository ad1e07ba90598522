"""The versions of the store's side tables, as the History page lists them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.store.versioned import Store


def versions_table(tables: list[tuple[str, Store]], *, key: str, alt: str) -> None:
    """The versions of one or more side tables (DfE releases, commentary), newest first: when, what, file, who."""
    rows = []
    for what, table in tables:
        head = table.head()
        rows += [{
            "Table": what,
            "Version": v.id + (" (current)" if v.id == head else ""),
            "When (UTC)": v.created_at.replace("T", " ")[:19],
            "File": v.file_name or "",
            "What": v.message or "",
            "Rows": v.rows,
            "By": v.author or "not recorded",
            "File sha256": (v.sha256 or "")[:12],
        } for v in table.versions()]
    shown = pd.DataFrame(rows, columns=["Table", "Version", "When (UTC)", "File", "What", "Rows", "By", "File sha256"])
    st.dataframe(shown.sort_values("When (UTC)", ascending=False, kind="stable"), hide_index=True, key=key, alt=alt)
