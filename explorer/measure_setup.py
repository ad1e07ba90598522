"""The Upload page's "Set up these N measures" (app_pages/upload.py lays out the page): a file that names measures
the catalogue does not know gets one editable table of them, filled in from the file, instead of a wall of
unknown-KPI errors; Confirm checks every row, saves them as one version of the authority's catalogue and loads the
file. And the History page's section listing those versions, restorable by editors."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from sendlib.domain.catalogue import FREQUENCY_WORDS, POLARITY_WORDS, UNIT_WORDS, normalise_name
from sendlib.domain.common_measures import common_measures
from sendlib.domain.measure_setup import SHORT_NAME_MAX, MeasureProposal
from sendlib.domain.values import CellError, CellErrorKind
from sendlib.presentation.setup_table import (
    CUMULATIVE_WORDS,
    NO_COMMON,
    SETUP_HEADINGS,
    check_setup,
    setup_status,
    setup_table,
)
from sendlib.presentation.tables import counted
from sendlib.workflows.catalogues import SetUp, measures_store, propose, set_up_and_load
from sendlib.workflows.load import Preview, parse_bytes

from . import access, data
from .authority import save_label
from .pages_upload import new_kpi_form
from .text import plain, plain_table
from .versions import side_history

FLASH_KEY = "measure-setup-flash"
CONFIRM_KEY = "measure-setup-confirm"
_PROPOSALS_KEY = "measure-setup-proposals"
_READ_ONLY = ["name", "common_measure_reason", "suggested"]
# What a person looks at first: the measure, whether it is checked, and what is still a guess; then the fields.
_ORDER = ["name", "checked", "suggested", "reference", "short_name", "section", "theme", "unit", "polarity", "frequency", "cumulative", "target",
          "common_measure", "common_measure_reason"]


def editor_key(raw: bytes) -> str:
    """The set-up table's widget key: one per file, so another file never inherits this one's edits."""
    return f"measure-setup-{hashlib.sha256(raw).hexdigest()[:12]}"


def proposals_for(raw: bytes, file_name: str, sheet: str | None) -> list[MeasureProposal]:
    """The measures the file names that the home authority's catalogue does not know, each proposed from the file
    (read once per file and catalogue version in a session, not on every edit of the table)."""
    key = (hashlib.sha256(raw).hexdigest(), file_name, sheet, data.catalogue_stamp())
    held = st.session_state.get(_PROPOSALS_KEY)
    if held is not None and held[0] == key:
        return list(held[1])
    catalogue = data.catalogue()
    proposals = propose(parse_bytes(raw, file_name, catalogue, sheet=sheet).unknown, catalogue)
    st.session_state[_PROPOSALS_KEY] = (key, proposals)
    return proposals


def show_flash() -> None:
    """What the last Confirm did (set up, loaded or not), once, after the page has rerun on the new catalogue."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash is None:
        return
    if flash["loaded"]:
        st.success(flash["message"], icon=":material/check_circle:")
    else:
        st.warning(flash["message"], icon=":material/warning:")


def _message(done: SetUp, file_name: str) -> dict[str, object]:
    measures = done.measures.id if done.measures else "unchanged"
    text = (f"**{counted(len(done.kpis), 'measure')} set up** from {plain(file_name)}: version {measures} of the "
            "catalogue's measures (listed on the History page, where it can be restored).")
    preview = done.preview
    if not preview.ok:
        return {"loaded": False, "message": text + f" The file was not loaded: it still has "
                f"{counted(len(preview.errors), 'problem')}, listed below. Correct them and upload it again."}
    if done.figures is None:
        return {"loaded": True, "message": text + " The file held nothing new: every value was already saved."}
    text += (f" The file was loaded as figures version {done.figures.id}: {done.figures.new:,} new, "
             f"{done.figures.revised:,} revised. Every page now shows them.")
    for group in preview.warning_groups(examples=1):
        text += f"\n- {group.label[:1].upper()}{group.label[1:]}: {group.count:,} (e.g. {plain(group.examples[0])})"
    return {"loaded": True, "message": text}


def _edited_rows(key: str) -> dict[int, dict[str, object]]:
    state = st.session_state.get(key) or {}
    return {int(k): dict(v) for k, v in (state.get("edited_rows") or {}).items()}


def _with_edits(table: pd.DataFrame, edits: dict[int, dict[str, object]]) -> pd.DataFrame:
    """The table as the person has edited it so far (for the suggestions column, drawn before the editor)."""
    out = table.astype(object)
    for position, changes in edits.items():
        for column, value in changes.items():
            if column in out.columns and 0 <= position < len(out):
                out.iloc[position, out.columns.get_loc(column)] = value
    return out


def _columns(themes: dict[str, str]) -> dict[str, object]:
    commons = {NO_COMMON: "none (no common definition)", **{k: m.name for k, m in common_measures().items()}}
    select = st.column_config.SelectboxColumn
    return {
        "_index": st.column_config.NumberColumn("Row", help="The row a problem names"),
        "name": st.column_config.TextColumn(SETUP_HEADINGS["name"], disabled=True, pinned=True,
                                            help="The measure's name exactly as the file prints it"),
        "reference": st.column_config.TextColumn(SETUP_HEADINGS["reference"],
                                                 help="The file's own identifier for the measure (Ref, Code, No.)"),
        "short_name": st.column_config.TextColumn(SETUP_HEADINGS["short_name"], max_chars=SHORT_NAME_MAX,
                                                  help="What the overview's tile leads with; the full name is on hover"),
        "section": st.column_config.TextColumn(SETUP_HEADINGS["section"],
                                               help="The section row it sits under in the file"),
        "theme": select(SETUP_HEADINGS["theme"], options=list(themes), format_func=themes.get, required=True),
        "unit": select(SETUP_HEADINGS["unit"], options=list(UNIT_WORDS), format_func=UNIT_WORDS.get, required=True),
        "polarity": select(SETUP_HEADINGS["polarity"], options=list(POLARITY_WORDS), format_func=POLARITY_WORDS.get,
                           required=True),
        "frequency": select(SETUP_HEADINGS["frequency"], options=list(FREQUENCY_WORDS),
                            format_func=FREQUENCY_WORDS.get, required=True),
        "cumulative": select(SETUP_HEADINGS["cumulative"], options=list(CUMULATIVE_WORDS),
                             format_func=CUMULATIVE_WORDS.get, required=True,
                             help="A running total, restarting each year"),
        "target": st.column_config.NumberColumn(SETUP_HEADINGS["target"], help="From the file's Target column"),
        "common_measure": select(SETUP_HEADINGS["common_measure"], options=list(commons), format_func=commons.get,
                                 width="large", help="A definition other authorities share: it brings DfE's "
                                                     "benchmarks with it"),
        "common_measure_reason": st.column_config.TextColumn(SETUP_HEADINGS["common_measure_reason"], disabled=True,
                                                             width="large"),
        "suggested": st.column_config.TextColumn(SETUP_HEADINGS["suggested"], disabled=True, width="large",
                                                 help="The explorer's guesses in this row, until you tick Checked"),
        "checked": st.column_config.CheckboxColumn(SETUP_HEADINGS["checked"],
                                                   help="Tick once you have looked at this row's suggestions"),
    }


def _refused(errors: list[CellError]) -> None:
    st.error(f"**Nothing saved: {counted(len(errors), 'problem')} in the set-up table.** Correct these cells "
             "and press Confirm again.", icon=":material/block:")
    st.table(plain_table(pd.DataFrame([{"Row": e.row, "Column": e.column or "", "Value": e.raw or "(blank)",
                                        "Problem": e.problem} for e in errors])), hide_index=True)


def measure_setup(proposals: list[MeasureProposal], raw: bytes, file_name: str, sheet: str | None, *,
                  editable: bool) -> None:
    """The set-up table for a file's unknown measures; for an editor, Confirm saves them and loads the file."""
    n = len(proposals)
    st.subheader(f"Set up {'this measure' if n == 1 else f'these {n} measures'}", anchor="set-up-measures")
    st.markdown(
        f"{plain(file_name)} names {counted(n, 'measure')} the explorer does not know yet. Each is one row below, "
        "filled in from the file: the name as printed, the section it sits under, and a Target or Polarity column "
        "where the file has one. The rest are the explorer's suggestions, read off the figures and the name, and "
        "listed under “Suggested — please check” until you tick **Checked**. A common definition is one other "
        "authorities share: it brings DfE's benchmarks with it (the reason for each suggestion is beside it; "
        "“none” when nothing is close). **Confirm** saves every measure as one new version of the catalogue (on "
        "the History page, restorable) and loads the file."
    )
    key = editor_key(raw)
    catalogue = data.catalogue()
    themes = {t.id: t.name for t in catalogue.themes.values()}
    every = st.checkbox("I have checked every row: tick them all as Checked", key=f"{key}-all",
                        disabled=not editable)
    table = setup_table(proposals, checked=every)
    table["suggested"] = setup_status(_with_edits(table, _edited_rows(key)), proposals)
    edited = st.data_editor(table, key=key, num_rows="fixed", column_config=_columns(themes),  # type: ignore[arg-type]
                            column_order=_ORDER,
                            disabled=_READ_ONLY if editable else True, width="stretch",
                            alt=f"The {counted(n, 'measure')} to set up from {file_name}, one a row")
    if not editable:
        st.caption("Only editors can set up measures: you can see what would be set up, but not confirm it.")
        return
    left = [str(i) for i, row in edited.iterrows() if not row["checked"]]
    st.caption(f"{n - len(left):,} of {counted(n, 'row')} checked"
               + (f"; still to check: row{'s' if len(left) > 1 else ''} {', '.join(left)}." if left
                  else ": every row is checked."))
    if not st.button(f"Set up {counted(n, 'measure')} and {save_label()[:1].lower()}{save_label()[1:]}", type="primary", key=CONFIRM_KEY):
        return
    if not access.is_editor():  # the page draws this only for editors; the click is checked again all the same
        st.error("Only editors can set up measures.", icon=":material/block:")
        return
    confirmed, errors = check_setup(edited, proposals, catalogue, file=file_name)
    if errors:
        _refused(errors)
        return
    done = set_up_and_load(data.store(), confirmed, raw, file_name, author=access.current_user(), sheet=sheet)
    st.session_state[FLASH_KEY] = _message(done, file_name)
    st.session_state.pop(_PROPOSALS_KEY, None)
    st.rerun()


def refused(preview: Preview, raw: bytes, sheet: str | None, *, editable: bool) -> None:
    """A file with problems: each listed by row, column and value, except the measures it names that the catalogue
    does not know, which get the set-up table instead (and the single-measure form, by hand, beside it)."""
    unknown = [e.raw for e in preview.errors if e.kind is CellErrorKind.UNKNOWN_KPI]
    proposals = proposals_for(raw, preview.file_name, sheet) if unknown else []
    named = {normalise_name(p.name) for p in proposals}
    listed = [e for e in preview.errors
              if not (e.kind is CellErrorKind.UNKNOWN_KPI and normalise_name(e.raw) in named)]
    if proposals and not listed:  # a council's own measures, new here: the normal first set-up, not a refusal
        n = len(proposals)
        st.info(f"**{counted(n, 'measure')} in {plain(preview.file_name)} {'is' if n == 1 else 'are'} new to the "
                f"explorer: set {'it' if n == 1 else 'them'} up below.** The file is loaded as soon as "
                f"{'it is' if n == 1 else 'they are'} set up; nothing is saved before then.",
                icon=":material/add_circle:")
    else:
        headline = (f"**{plain(preview.file_name)} was refused: {counted(len(preview.errors), 'problem')}.** Nothing "
                    "was saved. ")
        headline += (f"It names {counted(len(proposals), 'measure')} the explorer does not know yet: set "
                     f"{'it' if len(proposals) == 1 else 'them'} up below and the file is loaded. Correct the other "
                     f"{counted(len(listed), 'problem')} listed here too." if proposals
                     else "Correct these cells and upload the file again.")
        st.error(headline, icon=":material/block:")
    if listed:
        st.table(plain_table(pd.DataFrame([{"Row": e.row or "", "Column": e.column or "", "Value": e.raw,
                                            "Problem": e.problem} for e in listed])), hide_index=True)
    if not unknown:
        return
    form_key = f"new-kpi-{hashlib.sha1(unknown[0].encode()).hexdigest()[:8]}"
    if not proposals:
        st.markdown(f"If **{plain(unknown[0])}** is a new measure, add it below and the file will be checked again.")
        new_kpi_form(unknown[0], key=form_key)
        return
    with st.expander(f"Or add “{plain(unknown[0])}” by hand, with its definition"):
        new_kpi_form(unknown[0], key=form_key)
    measure_setup(proposals, raw, preview.file_name, sheet, editable=editable)


def measures_history() -> None:
    """The History page's section: every version of the measures set up from files, newest first, restorable."""
    st.subheader("Measures set up", anchor="measures-set-up")
    side = measures_store(data.store())

    def as_they_stand() -> None:
        current = side.read()
        shown = current[["la", "name", "theme", "unit", "polarity", "frequency", "target", "common_measure"]].rename(
            columns={"la": "Authority", "name": "Measure", "theme": "Theme", "unit": "Unit",
                     "polarity": "Which way is good", "frequency": "Frequency", "target": "Target",
                     "common_measure": "Common definition"})
        with st.expander(f"The {counted(len(current), 'measure')} as they stand"):
            st.dataframe(shown, hide_index=True, key="measures-current",
                         alt="The measures set up from files, as they stand")

    side_history(side, what="Measures", key="measures-history", extra=as_they_stand,
                 alt="Versions of the measures set up from files, newest first", intro=(
        "Each Confirm on the Upload page's “Set up these measures” table is a new version of the authority's own "
        "measures. Restoring an older version saves it again as a new version, so the restore can be undone; the "
        "figures' own versions are untouched."), empty="No measures have been set up from a file yet.")
