import pandas as pd
import streamlit as st

from explorer import data
from explorer.access import may_edit
from explorer.components import page_title
from explorer.dfe_upload import dfe_upload
from explorer.measure_setup import refused, show_flash
from explorer.menu import end_page
from explorer.pages_upload import case_level_chosen, new_kpi_form, sen2_in_figures, sheet_choice
from explorer.text import plain, plain_table
from explorer.upload_figures import figures_preview, show_outcome
from sendlib.files.dfe import is_dfe_file
from sendlib.files.readers import MAX_UPLOAD_BYTES, FileRefused
from sendlib.files.sen2 import looks_like_sen2
from sendlib.workflows.load import Preview, preview_bytes

page_title("Upload new figures")
editable = may_edit()
show_outcome(editable)
st.markdown("Upload this month's scorecard, a board report table or a DfE release: you see what it would change, "
            "figure by figure, before anything is saved.")
with st.expander("How this works"):
    st.markdown(
        "- Every cell is checked first. A file with a problem is refused whole and nothing is saved.\n"
        "- Earlier months are never removed. Each upload can be undone, here or on the History page.\n"
        "- A newer DfE release (from Explore Education Statistics, the tribunal appeal-rate table or a "
        "statistical-neighbour workbook) updates the benchmarks on How we compare.\n"
        "- A scorecard with measures the explorer does not know yet (your council's own) gets one table to set "
        "them all up from the file itself; then the file is loaded."
    )
technical: list[tuple[str, str]] = [
    ("Files read", "a scorecard (measures down, months across), a board report table, or a long file with columns "
                   "kpi_id or kpi_name, period and value; .csv or .xlsx"),
    ("Largest file", f"{MAX_UPLOAD_BYTES // 1_048_576} MB, checked by the upload box and again when the file is read"),
]


def technical_details() -> None:
    with st.expander("Technical details"):
        st.table(plain_table(pd.DataFrame(technical, columns=["Detail", "Value"])), hide_index=True)


if case_level_chosen(editable):
    end_page()
upload = st.file_uploader(
    f"Choose a .csv or .xlsx file (up to {MAX_UPLOAD_BYTES // 1_048_576} MB)",
    type=["csv", "xlsx", "txt", "xml"],
    key="upload-file",
    max_upload_size=MAX_UPLOAD_BYTES // 1_048_576,
    disabled=not editable,
)

if upload is not None and editable:
    raw = upload.getvalue()
    show_flash()
    if looks_like_sen2(raw, upload.name):
        sen2_in_figures(raw, upload.name)
        end_page()
    if is_dfe_file(raw, upload.name):
        dfe_upload(raw, upload.name)
        end_page()
    sheet = sheet_choice(raw, upload.name)
    try:
        preview: Preview = preview_bytes(raw, upload.name, data.store(), data.catalogue(), sheet=sheet)
    except FileRefused as exc:
        st.error(f"**Refused.** {plain(exc)}. Nothing was saved.", icon=":material/block:")
        end_page()

    if preview.errors:
        refused(preview, raw, sheet, editable=editable)
    else:
        technical += figures_preview(preview, sheet)

if editable and upload is None:
    with st.expander("Add a new KPI before uploading"):
        new_kpi_form()
technical_details()
