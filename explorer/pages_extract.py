"""The extract page's preview and downloads (app_pages/extract.py lays out the filters)."""

from __future__ import annotations

import streamlit as st

from sendlib.domain.catalogue import Catalogue
from sendlib.presentation.extracts import FORMATS, MIME, Extract, ExtractQuery, export_bytes, file_name
from sendlib.presentation.tables import extract_preview

from .details import technical_details

PREVIEW_ROWS = 1000


def preview_and_downloads(ext: Extract, cat: Catalogue, query: ExtractQuery, version: str, layout: str) -> None:
    """What the filters chose: its size, the first rows, and a download button per format."""
    st.subheader("Preview")
    for note in ext.notes:
        st.info(note, icon=":material/info:")
    rows_col, values_col = st.columns(2)
    rows_col.metric("Rows in the file", f"{len(ext.rows):,}", border=True)
    values_col.metric("Values", f"{ext.values:,}", border=True)
    if ext.rows.empty:
        st.warning("Nothing matches these filters. Widen the period range or choose other themes or KPIs.")
    else:
        shown = ext.rows.head(PREVIEW_ROWS)
        st.dataframe(extract_preview(shown, cat), hide_index=True, key="extract-preview", alt="Preview of the extract")
        more = f" (the first {PREVIEW_ROWS:,} are shown)" if len(ext.rows) > PREVIEW_ROWS else ""
        st.caption(f"{len(ext.rows):,} rows{more}. The file's own column names are in the technical details below.")

        def maker(fmt):
            return lambda: export_bytes(ext, cat, fmt, version=version)

        with st.container(horizontal=True):
            for fmt, label in FORMATS.items():
                st.download_button(
                    f"Download {label}",
                    maker(fmt),
                    file_name=file_name(query, version, fmt),
                    mime=MIME[fmt],
                    on_click="ignore",
                    key=f"extract-download-{fmt}",
                    icon=":material/download:",
                    type="primary" if fmt == "xlsx" else "secondary",
                )
        st.caption(
            "The Excel file's first sheet, About, records these filters and when the figures were extracted."
            + (" A wide extract uploads back unchanged (CSV or Excel)." if layout == "wide" else "")
        )
    technical_details(
        f"Data version {version}. The file's columns: {', '.join(f'`{c}`' for c in ext.rows.columns)}.",
        "CSV is UTF-8 (Excel shows ▲ and ’ correctly). Text that Excel could run as a formula starts with an "
        "apostrophe. The long layout is the store's own: one value a row, keyed by `scorecard`, `kpi_id`, `period` "
        "and `series`.")
