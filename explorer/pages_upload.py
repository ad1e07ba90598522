"""The upload page's sections (app_pages/upload.py lays out the page): the form for a new KPI, and the case-level
section that reads a SEN2 return, previews it and saves it on Confirm."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from sendlib.domain.catalogue import POLARITY_WORDS, UNIT_WORDS, new_kpi
from sendlib.domain.values import format_value
from sendlib.files.readers import xlsx_sheet_names
from sendlib.files.sen2 import MAX_PROBLEMS, MAX_SEN2_BYTES
from sendlib.presentation.cases import measure_unit
from sendlib.presentation.sen2_problems import problem_counts, problems_csv
from sendlib.presentation.tables import counted
from sendlib.store.versioned import StoreError
from sendlib.workflows.cases import (
    KEY_FILE,
    CaseKeyRefused,
    CasesPreview,
    commit_cases,
    preview_cases,
    problem_kinds,
    problem_rows,
)
from sendlib.workflows.catalogues import add_kpi
from sendlib.workflows.load import ALL_SHEETS

from . import data
from .access import current_user
from .authority import save_label
from .text import plain, plain_table

SHEET_WORDS = {None: "The first sheet with a table", ALL_SHEETS: "All sheets, read as one file (one theme a sheet)"}


def sheet_choice(raw: bytes, file_name: str) -> str | None:
    """A workbook's worksheet: the first with a table (as before a choice is made), any one sheet, or every sheet
    read as one file (`load.ALL_SHEETS`, offered unless a sheet is itself named so). None for a CSV."""
    names = xlsx_sheet_names(raw) if file_name.lower().endswith(".xlsx") else []
    if len(names) < 2:
        return None
    options = [None, *names, *([ALL_SHEETS] if ALL_SHEETS not in names else [])]
    return st.selectbox("Worksheet", options, format_func=lambda o: SHEET_WORDS.get(o, o),
                        key=f"upload-sheet-{hashlib.sha256(raw).hexdigest()[:12]}",
                        help="A workbook with one sheet a theme is read whole with “All sheets”.")


def new_kpi_form(name: str = "", key: str = "new-kpi") -> None:
    """A form that adds a KPI to the store's catalogue (a name the file uses that the catalogue does not know)."""
    cat = data.catalogue()
    with st.form(key, clear_on_submit=False):
        st.markdown("**Add a new KPI**")
        kpi_name = st.text_input("Name, exactly as in your file", value=name, key=f"{key}-name")
        theme = st.selectbox("Theme", list(cat.themes), format_func=lambda t: cat.themes[t].name, key=f"{key}-theme")
        unit = st.selectbox("Unit", list(UNIT_WORDS), format_func=UNIT_WORDS.get, key=f"{key}-unit")
        polarity = st.radio("Which way is good?", list(POLARITY_WORDS), format_func=POLARITY_WORDS.get, key=f"{key}-polarity",
                            horizontal=True)
        definition = st.text_area("Definition (what is counted)", key=f"{key}-definition")
        if st.form_submit_button("Add KPI"):
            try:
                kpi = new_kpi(cat, name=kpi_name, theme=theme, unit=unit, polarity=polarity, definition=definition or None)
            except ValueError as exc:
                st.error(f"Not added: {plain(exc)}")
                return
            add_kpi(data.store(), kpi, author=current_user())
            st.success(f"Added “{plain(kpi.name)}” (id {plain(kpi.id)}). Checking the file again…")
            st.rerun()


CASES_FILE_KEY = "cases-file"
_PREVIEW_KEY = "cases-preview"
_FLASH_KEY = "cases-flash"
_KEY_MADE = (f"A pseudonymisation key was generated for this explorer and kept in its store (`{KEY_FILE}`): every "
             "case reference is made with it, and a later return matches the records held only with the same key. "
             "Keep a copy somewhere safe; to configure it instead, set this same key as `[cases] key` in "
             "`.streamlit/secrets.toml` (or `$SENDLIB_CASES_KEY`). A different key is refused while records are held.")


FIGURES, CASES = "Figures or a DfE release", "Case-level records (SEN2 return)"


def case_level_chosen(editable: bool) -> bool:
    """Which kind of file is being uploaded; with case-level records chosen, their section is drawn (True)."""
    if st.radio("What are you uploading?", [FIGURES, CASES], horizontal=True, key="upload-kind") != CASES:
        return False
    cases_upload(editable)
    return True


def sen2_in_figures(raw: bytes, file_name: str) -> None:
    """A SEN2 return chosen in the figures uploader: checked as the case-level records it is, and said so."""
    st.info(f"{plain(file_name)} is a SEN2 case-level return, so it is checked as case-level records (as the "
            f"“{CASES}” choice above does).", icon=":material/info:")
    cases_preview(raw, file_name)


def cases_upload(editable: bool) -> None:
    """The Upload page's case-level section: a SEN2 return read and checked, previewed, and saved on Confirm."""
    st.subheader("Case-level records (SEN2 return)")
    st.markdown("Upload the SEN2 person-level return (the XML your case-management system exports for DfE, 2024 or "
                "2025 layout). Every Person is checked first, as DfE's collection checks it: a return with any error is "
                "refused whole and nothing is saved; queries are listed but do not stop the load. Names, postcodes, UPNs and dates of birth are never kept: each child gets a pseudonymous "
                "case reference. Requests already held are updated, never counted twice, and every load is a new "
                "version of the case records you can undo on the History page.")
    upload = st.file_uploader(f"Choose a SEN2 return, .xml (up to {MAX_SEN2_BYTES // 1_048_576} MB)", type=["xml"],
                              key=CASES_FILE_KEY, max_upload_size=MAX_SEN2_BYTES // 1_048_576, disabled=not editable)
    if upload is not None and editable:
        cases_preview(upload.getvalue(), upload.name)


def _previewed(raw: bytes, file_name: str) -> CasesPreview | None:
    """The preview of these bytes, read once a file (kept in the session by sha256, so a rerun does not read the
    return again); None, with the reason shown, when the bytes could not be checked at all."""
    sha = hashlib.sha256(raw).hexdigest()
    held = st.session_state.get(_PREVIEW_KEY)
    if held is not None and held[0] == sha and held[1].file_name == file_name:
        return held[1]
    try:
        preview = preview_cases(data.store(), raw, file_name)
    except CaseKeyRefused as exc:
        _key_refused(file_name, exc)
        return None
    except StoreError:
        raise
    except Exception as exc:  # whatever the bytes are, the page says so rather than showing a traceback
        st.error(f"**{plain(file_name)} was refused, nothing saved:** it could not be read as a SEN2 return "
                 f"({plain(type(exc).__name__)}).", icon=":material/block:")
        return None
    st.session_state[_PREVIEW_KEY] = (sha, preview)
    return preview


def _key_refused(file_name: str, exc: CaseKeyRefused) -> None:
    st.error(f"**{plain(file_name)} was refused, nothing saved:** {plain(exc)}.", icon=":material/key_off:")


def _problems_download(preview: CasesPreview) -> None:
    """Every error and query as a CSV for the case officers who put them right (codes, places, what to fix)."""
    stem = preview.file_name.rsplit(".", 1)[0] or "sen2"
    st.download_button("Download the errors and queries (CSV)", problems_csv(preview.ret),
                       file_name=f"{stem}-errors-and-queries.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:", key="cases-problems",
                       help="One row a problem: its code, error or query, the Person and XML line, the element, "
                            "what is wrong and what to fix. No name, UPN or date of birth is in it.")


def _refused(preview: CasesPreview) -> None:
    ret = preview.ret
    st.error(f"**{plain(preview.file_name)} was refused, nothing saved: {problem_counts(ret)}.** Errors refuse "
             "the return; correct them (or export it again) and upload it once more. Queries do not stop a load.",
             icon=":material/block:")
    _problems_download(preview)
    if ret.error_count > MAX_PROBLEMS:
        st.caption(f"The first {MAX_PROBLEMS:,} of {ret.error_count:,} errors are listed; the download has them all.")
    st.table(plain_table(problem_rows(preview.errors[:MAX_PROBLEMS])), hide_index=True)


def _figures(preview: CasesPreview) -> None:
    ret = preview.ret
    persons, requests, plans, rate = st.columns(4)
    persons.metric("Persons", f"{ret.persons:,}")
    requests.metric("Requests", f"{ret.requests:,}")
    plans.metric("Plans", f"{preview.plans:,}")
    year = preview.collection_year or "the return's year"
    row = preview.year_rate()
    label = f"20-week rate, {year}"
    if row is None or pd.isna(row["value"]):
        rate.metric(label, "blank", help=plain(row["note"]) if row is not None and pd.notna(row["note"]) else
                    "no plans were issued in the year")
    else:
        rate.metric(label, format_value(float(row["value"]), measure_unit("rate_ex")),
                    help=f"{int(row['numerator']):,} of {int(row['denominator']):,} plans issued in {year} within "
                         "20 weeks, exceptions left out")
        rate.caption(f"{int(row['numerator']):,} of {int(row['denominator']):,} plans within 20 weeks, excluding "
                     "exceptions")
    layout = {"2024": "2024 layout (v1.2)", "2025": "2025 layout (v1.3)"}.get(ret.layout or "", "unknown layout")
    census = ret.census.isoformat() if ret.census else "unknown"
    st.caption(f"{plain(preview.file_name)}: census date {census}, LA code {plain(ret.la or 'not given')}, "
               f"{layout}; sha256 {preview.sha256[:12]}…")


def _warnings(preview: CasesPreview) -> None:
    st.caption(f"Checked: {problem_counts(preview.ret)}.")
    if not preview.warnings:
        return
    _problems_download(preview)
    label = f"{counted(preview.ret.query_count, 'query', 'queries')} worth a second look (they do not stop the load)"
    with st.expander(label, expanded=True):
        st.table(plain_table(problem_kinds(preview.warnings)), hide_index=True)
        st.dataframe(problem_rows(preview.warnings), hide_index=True, key="cases-warnings",
                     alt="Each thing worth a second look, by Person and XML line")


def cases_preview(raw: bytes, file_name: str) -> None:
    """Check one return and show what it holds and would change; Confirm saves it as a new cases version."""
    if flash := st.session_state.pop(_FLASH_KEY, None):
        st.success(flash["message"], icon=":material/check_circle:")
        if flash["key_made"]:
            st.info(_KEY_MADE, icon=":material/key:")
    preview = _previewed(raw, file_name)
    if preview is None:
        return
    if not preview.ok:
        _refused(preview)
        return
    st.markdown("**Check before saving: case-level records**")
    if preview.key_made:
        st.info(_KEY_MADE, icon=":material/key:")
    _figures(preview)
    new_col, revised_col, same_col = st.columns(3)
    new_col.metric("New requests", f"{preview.new:,}")
    revised_col.metric("Revised requests", f"{preview.revised:,}")
    same_col.metric("Unchanged requests", f"{preview.unchanged:,}")
    _warnings(preview)
    if not preview.new and not preview.revised:
        st.info("This return holds nothing new: every request in it is already held as it is.")
    elif st.button(save_label("case records"), type="primary", key="cases-confirm"):
        st.session_state.pop(_PREVIEW_KEY, None)
        try:
            info = commit_cases(data.store(), preview, author=current_user())
        except CaseKeyRefused as exc:  # the records were re-keyed since the preview
            _key_refused(preview.file_name, exc)
            return
        message = ("Nothing changed: these case records were already saved." if info is None else
                   f"Saved as case records version {info.id}: {info.new:,} new and {info.revised:,} revised requests. "
                   "The statutory figures are now computed from them.")
        st.session_state[_FLASH_KEY] = {"message": message, "key_made": preview.key_made}
        st.rerun()
