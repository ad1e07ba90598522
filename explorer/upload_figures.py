"""The Upload page's figures preview, the outcome of Confirm at the top of the page, and "Undo this upload" (on
the Upload and History pages): layout only, the words come from `sendlib.presentation.upload_preview`."""

from __future__ import annotations

import streamlit as st

from sendlib.presentation.upload_preview import UploadSummary, outcome_sentence, summarise, undo_sentence
from sendlib.store.versioned import VersionInfo
from sendlib.workflows.load import Preview, commit_preview

from . import data
from .access import current_user
from .authority import save_label
from .text import plain, plain_table

OUTCOME_KEY = "upload-outcome"


def show_outcome(editable: bool) -> None:
    """What the last Confirm saved (or that it was undone), at the top of the page, with Undo beside it."""
    outcome = st.session_state.get(OUTCOME_KEY)
    if not outcome:
        return
    if "undone" in outcome:
        st.session_state.pop(OUTCOME_KEY)
        st.success(outcome["undone"], icon=":material/undo:")
        return
    said, button = st.columns([3, 1], vertical_alignment="center")
    said.success(outcome["sentence"], icon=":material/check_circle:")
    if not editable:
        return
    with button:
        undone = undo_upload(outcome["version"], key="upload-undo")
    if undone:
        st.session_state[OUTCOME_KEY] = {"undone": undone}
        st.rerun()


def _upload_and_before(version_id: str) -> tuple[VersionInfo, VersionInfo] | None:
    versions = data.store().versions()
    at = next((i for i, v in enumerate(versions) if v.id == version_id), None)
    if at is None or at + 1 >= len(versions):
        return None
    return versions[at], versions[at + 1]


def undo_upload(version_id: str, *, key: str) -> str | None:
    """"Undo this upload": asks first, naming what goes; on Yes restores the version before it as a new version
    and returns what was done, in words (the caller shows it and reruns). Offered only while the upload is the
    latest change, so an undo never takes a later upload with it."""
    found = _upload_and_before(version_id)
    if found is None:
        return None
    upload, before = found
    if data.store().head() != upload.id:
        st.caption("Later changes were saved after this upload: go back to earlier figures on the History page.")
        return None
    asking = f"{key}-asking"
    if st.button("Undo this upload", key=key, icon=":material/undo:"):
        st.session_state[asking] = True
    if not st.session_state.get(asking):
        return None
    st.warning(plain(undo_sentence(upload)) + " Undo it?", icon=":material/help:")
    yes, no = st.columns(2)
    if no.button("Cancel", key=f"{key}-cancel"):
        st.session_state.pop(asking, None)
        st.rerun()
    if not yes.button("Yes, undo this upload", type="primary", key=f"{key}-yes"):
        return None
    st.session_state.pop(asking, None)
    what = f"the upload of {upload.file_name}" if upload.file_name else "an upload"
    data.store().restore(before.id, author=current_user(), message=f"Undo of {what}")
    return f"Undone: the figures are back as they were before {what}."


def _tables(summary: UploadSummary) -> None:
    if len(summary.new):
        st.markdown(f"**New figures ({len(summary.new):,})**")
        st.table(plain_table(summary.new), hide_index=True)
    if len(summary.revised):
        st.markdown(f"**Revised figures, old → new ({len(summary.revised):,})**")
        st.table(plain_table(summary.revised), hide_index=True)
    if len(summary.unchanged):
        with st.expander(f"Figures already saved as they are ({int(summary.unchanged['Figures'].sum()):,})"):
            st.dataframe(summary.unchanged, hide_index=True, key="upload-unchanged",
                         alt="Figures in the file already saved as they are, one row a measure")


def _warnings(summary: UploadSummary) -> None:
    total = sum(s.count for s in summary.warnings)
    if not total:
        return
    label = f"{total:,} {'thing' if total == 1 else 'things'} worth a second look (they do not stop the upload)"
    with st.expander(label, expanded=True):
        for section in summary.warnings:
            st.markdown(f"**{section.heading}: {section.count:,}**\n"
                        + "".join(f"\n- {plain(sentence)}" for sentence in section.sentences)
                        + (f"\n- … and {section.more:,} more" if section.more else ""))


def figures_preview(preview: Preview, sheet: str | None) -> list[tuple[str, str]]:
    """The preview of a file with no problems, and Confirm; returns the technical details for the page's expander."""
    summary = summarise(preview, data.catalogue(), sheet=sheet)
    st.subheader("Check before saving")
    st.markdown(plain(summary.headline))
    new_col, revised_col, same_col = st.columns(3)
    new_col.metric("New figures", f"{preview.new:,}")
    revised_col.metric("Revised figures", f"{preview.revised:,}")
    same_col.metric("Unchanged figures", f"{preview.unchanged:,}")
    _tables(summary)
    _warnings(summary)
    if not preview.new and not preview.revised:
        st.info("This file holds nothing new: every figure in it is already saved as it is.")
    elif st.button(save_label(), type="primary", key="upload-confirm"):
        info = commit_preview(data.store(), preview, author=current_user())
        sentence = ("Nothing changed: every figure in the file was already saved." if info is None else
                    outcome_sentence(info.new, info.revised, summary.new_periods, summary.revised_periods))
        st.session_state[OUTCOME_KEY] = {"sentence": sentence, "version": info.id if info else None}
        st.rerun()
    return summary.technical
