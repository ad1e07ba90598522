
import streamlit as st

from explorer import data
from explorer.access import current_user, may_edit
from explorer.dfe_upload import dfe_upload
from explorer.measure_setup import refused, show_flash
from explorer.menu import end_page
from explorer.pages_upload import case_level_chosen, new_kpi_form, sen2_in_figures
from explorer.text import plain, plain_table
from sendlib.files.dfe import is_dfe_file
from sendlib.files.readers import MAX_UPLOAD_BYTES, FileRefused
from sendlib.files.sen2 import looks_like_sen2
from sendlib.presentation.tables import counted, revisions_table
from sendlib.workflows.load import Preview, commit_preview, preview_bytes

st.title("Upload new figures")
st.markdown(
    "Upload this month's scorecard (the spreadsheet you already keep, with the new month's column), a board "
    "report table, or a long file (`kpi_id` or `kpi_name`, `period`, `value`). Every cell is checked first: "
    "a file with any problem is refused whole and nothing is saved. Earlier months are never removed, and every "
    "upload is a new version you can undo on the History page. A newer DfE release (a tidy CSV from Explore "
    "Education Statistics, the tribunal appeal-rate table or a statistical-neighbour workbook) is recognised and "
    "previewed too; it updates the benchmarks on How we compare. A scorecard naming measures the explorer does not "
    "know yet (your authority's own) gets one table to set them all up from the file itself, then loads."
)
editable = may_edit()
if case_level_chosen(editable):
    end_page()
upload = st.file_uploader(
    f"Choose a .csv or .xlsx file (up to {MAX_UPLOAD_BYTES // 1_048_576} MB)",
    type=["csv", "xlsx", "txt", "xml"],
    key="upload-file",
    disabled=not editable,
)
sheet = st.text_input("Worksheet (Excel only; blank for the first sheet)", key="upload-sheet") or None

if upload is not None and editable:
    raw = upload.getvalue()
    show_flash()
    if looks_like_sen2(raw, upload.name):
        sen2_in_figures(raw, upload.name)
        end_page()
    if is_dfe_file(raw, upload.name):
        dfe_upload(raw, upload.name)
        end_page()
    try:
        preview: Preview = preview_bytes(raw, upload.name, data.store(), data.catalogue(), sheet=sheet)
    except FileRefused as exc:
        st.error(f"**Refused.** {plain(exc)}. Nothing was saved.", icon=":material/block:")
        end_page()

    if preview.errors:
        refused(preview, raw, sheet, editable=editable)
        end_page()

    st.subheader("Check before saving")
    st.caption(f"{plain(upload.name)} read as the {preview.layout} layout; sha256 {preview.sha256[:12]}…")
    new_col, revised_col, same_col = st.columns(3)
    new_col.metric("New values", f"{preview.new:,}")
    revised_col.metric("Revised values", f"{preview.revised:,}")
    same_col.metric("Unchanged values", f"{preview.unchanged:,}")
    if preview.revised:
        st.markdown("**Revised past values (old → new)**")
        st.table(plain_table(revisions_table(preview.revisions, data.catalogue())), hide_index=True)
    if preview.warnings:
        with st.expander(f"{counted(len(preview.warnings), 'thing')} worth a second look (they do not stop the upload)",
                         expanded=True):
            for group in preview.warning_groups(examples=3):
                more = group.count - len(group.examples)
                st.markdown(f"**{group.label[:1].upper()}{group.label[1:]}: {group.count:,}**\n"
                            + "".join(f"\n- {plain(example)}" for example in group.examples)
                            + (f"\n- … and {more:,} more" if more else ""))
    if not preview.new and not preview.revised:
        st.info("This file holds nothing new: every value is already in the explorer.")
    elif st.button("Confirm and save as a new version", type="primary", key="upload-confirm"):
        info = commit_preview(data.store(), preview, author=current_user())
        if info is None:
            st.info("Nothing changed: the values were already saved.")
        else:
            st.success(f"Saved as version {info.id}: {info.new} new, {info.revised} revised. "
                       "Every page now shows the new figures.", icon=":material/check_circle:")

if editable and upload is None:
    with st.expander("Add a new KPI before uploading"):
        new_kpi_form()
