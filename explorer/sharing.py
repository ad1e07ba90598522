"""The Sharing page (app_pages/sharing.py lays it out): which common definitions this authority's measures count and
whether it shares each, the editors' ticks and Save, and the History page's section of this authority's choices.

Who may save is `authority.may_write(authority())`, checked when the controls are drawn and again when Save is
pressed; the sharing table holds every authority's choices, so this page reads and writes only this authority's rows
and its history lists only this authority's versions (no restore: a restore of the table would undo other
authorities' choices too; a choice is changed by ticking again, as a new version)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.domain.common_measures import common_measures
from sendlib.presentation.sharing import choice_words, choices_table, history_table
from sendlib.workflows.sharing import authority_history, save_choices, sharing_store

from . import data, peers
from .access import current_user
from .authority import authority, claims, login_configured, may_write, name_of, save_label
from .components import kpi_table
from .details import how_this_works
from .text import label_text, plain

FLASH_KEY = "sharing-flash"
SAVE_KEY = "sharing-save"


def box_key(measure: str) -> str:
    """The checkbox of one common definition."""
    return f"share-{measure}"


def intro() -> None:
    name = plain(name_of(authority()))
    st.markdown(
        f"Sharing shows **{name}'s own monthly figures** for the measures ticked below to the other authorities "
        "using this explorer, ranked beside theirs on *How we compare*. Nothing is shared until an editor ticks a "
        "measure and saves.")
    how_this_works(
        "- **Off by default.** Nothing is shared until one of this authority's editors ticks a measure and saves.\n"
        "- **Withdraw at any time.** Untick it and save: its figures leave the comparison at once. Every choice is "
        "kept with who made it and when (the History page lists them).\n"
        "- **Measures, not KPIs.** What is shared is a *common definition* — one that says two authorities count the "
        "same thing the same way — so only the measures that have one are listed. The figures shared are the actual "
        "monthly figures of this authority's measures with that definition; targets and notes are not.\n"
        "- **Local, unpublished data.** Shared figures are the authorities' own management information, not DfE's "
        "published statistics, and are labelled so wherever they are shown. An authority that has not shared a "
        "measure is never named, counted or averaged in its comparison.")


def flash() -> None:
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message, icon=":material/check_circle:")


def choices() -> pd.DataFrame:
    """This authority's common definitions and its choice for each (`presentation.sharing.choices_table`)."""
    return choices_table(peers.our_definitions(), data.catalogue(), peers.sharing(), authority(), common_measures())


def choices_section(table: pd.DataFrame) -> None:
    name = name_of(authority())
    shared = int((table["Shared now"] == "Shared").sum())
    st.subheader("What this authority shares", anchor="shared")
    st.markdown(plain(f"{name} shares {shared} of the {len(table)} measures its catalogue gives a common "
                      "definition." if shared else f"{name} shares none of the {len(table)} measures its catalogue "
                      "gives a common definition."))
    kpi_table(table.drop(columns=["common_measure"]), key="sharing-choices", file_name=f"sharing-{authority()}.csv",
              caption=f"{name}'s measures with a common definition: whether each is shared now, who made the choice "
              "and when.")


def may_change() -> bool:
    """Say who may change the choices, and whether this visitor may (drawing nothing more for an editor)."""
    name = plain(name_of(authority()))
    if not login_configured():
        st.info("Anyone with the link can change what this authority shares: sign-in is not turned on. Whoever runs the "
                "explorer can turn it on so that only named editors can.", icon=":material/info:")
        return True
    email, _ = claims()
    if email is None:
        st.info(f"Only {name}'s editors can change what it shares.", icon=":material/lock:")
        st.button("Sign in to change what is shared", on_click=st.login, icon=":material/login:", key="sharing-sign-in")
        return False
    if may_write(authority()):
        return True
    st.info(f"Signed in as {plain(current_user() or email)}: only {name}'s editors can change what it shares. "
            "The table above shows its choices.", icon=":material/lock:")
    return False


def choose_form(table: pd.DataFrame) -> None:
    """A box per definition, ticked where it is shared now, and one Save: one version of the sharing choices."""
    name = name_of(authority())
    st.subheader("Choose what to share", anchor="choose")
    with st.form("sharing-form"):
        ticked = {
            r["common_measure"]: st.checkbox(
                label_text(r["Common definition"]), value=r["Shared now"] == "Shared", key=box_key(r["common_measure"]),
                help=plain(f"Our measures: {r['Our measures']}. Which way is good: {r['Which way is good']}."))
            for r in table.to_dict("records")
        }
        st.caption(plain(f"Ticked: shared with the other authorities using this explorer. Unticked: not shown to "
                         f"them. Saving records who chose and when, as a new version of {name}'s sharing choices."))
        pressed = st.form_submit_button(save_label("sharing choices"), type="primary", key=SAVE_KEY,
                                        icon=":material/save:")
    if pressed:
        _save(ticked)


def _save(ticked: dict[str, bool]) -> None:
    la = authority()
    if not may_write(la):  # checked again: the page may have been open since the visitor's access changed
        st.error("Only this authority's editors can change what it shares. Nothing was saved.")
        return
    info = save_choices(data.store(), la, ticked, author=current_user())
    if info is None:
        st.info("Nothing to save: every measure was already shared or not as ticked.", icon=":material/info:")
        return
    words = choice_words(info.message or "", la, common_measures())
    st.session_state[FLASH_KEY] = plain(f"Saved what {name_of(la)} shares. {words}.")
    st.rerun()


def sharing_history() -> None:
    """The History page's section: this authority's sharing choices, newest first."""
    la = authority()
    name = name_of(la)
    st.subheader("Sharing choices", anchor="sharing-history")
    st.markdown(plain(f"Each save on the Sharing page is a new version of the sharing choices; these are {name}'s, "
                      "newest first. To change one, tick or untick it on the Sharing page and save: a new version "
                      "again, so no choice is ever overwritten."))
    versions = authority_history(sharing_store(data.store()).versions(), la)
    if not versions:
        st.write(plain(f"{name} has made no sharing choice yet: it shares nothing (sharing is off by default)."))
        return
    st.dataframe(history_table(versions, la, common_measures()), hide_index=True, key="sharing-history",
                 alt=f"{name}'s sharing choices, newest first")
