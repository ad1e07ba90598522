"""The upload page's DfE branch: a newer DfE release (an EES tidy CSV, the appeal-rate table or a neighbour
workbook) is read, previewed and, on Confirm, saved as a new version of the DfE side table. The older release
stays in that table's history; benchmarks recompute because their caches key on the side tables' versions."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from sendlib.domain.dfe import SUPPRESSION
from sendlib.domain.periods import long_label, sort_key
from sendlib.files.dfe import DfeFile, read_dfe_file
from sendlib.files.readers import FileRefused
from sendlib.workflows.dfe_releases import load_dfe

from . import data
from .access import current_user
from .text import plain, plain_table
from .versions import versions_table


def _suppressed(rows: pd.DataFrame) -> pd.DataFrame:
    counts = rows["symbol"].dropna().value_counts()
    return pd.DataFrame({"Symbol": counts.index.astype(str), "Cells": counts.to_numpy(),
                         "Meaning": [SUPPRESSION.get(s, "not published (DfE's own symbol)") for s in counts.index]})


def _overview(read: DfeFile) -> pd.DataFrame:
    """Per dataset and period: how many areas and figures, how many not published."""
    rows = read.rows
    grouped = rows.groupby("period", sort=False)
    out = pd.DataFrame({
        "Period": [long_label(p) for p in grouped.groups],
        "Local authorities": grouped.apply(
            lambda g: g.loc[g["geographic_level"] == "local_authority", "old_la_code"].nunique(), include_groups=False).to_numpy(),
        "Figures": grouped.size().to_numpy(),
        "Not published": grouped["symbol"].count().to_numpy(),
    })
    return out.iloc[sorted(range(len(out)), key=lambda i: sort_key(list(grouped.groups)[i]))].reset_index(drop=True)


def dfe_upload(raw: bytes, file_name: str) -> None:
    """Read, preview and (on Confirm) save one DfE file. Nothing is written before Confirm."""
    try:
        read = read_dfe_file(raw, file_name)
    except (FileRefused, ValueError) as exc:
        st.error(f"**Refused.** {plain(file_name)} looks like a DfE file but could not be read: {plain(exc)}. "
                 "Nothing was saved.",
                 icon=":material/block:")
        return
    st.subheader("Check before saving: DfE published statistics")
    st.markdown(f"**{plain(read.summary())}**")
    figures, groups = data.dfe_stores()
    if read.kind == "neighbours":
        current = groups.read_or_empty()
        held = current[current["sn_set"] == read.dataset]
        st.caption(f"Statistical-neighbour groups {read.dataset}: "
                   + (f"replaces the {held['old_la_code'].nunique()} authorities' groups held now." if len(held)
                      else "new to the explorer."))
        release = read.release
    else:
        current = figures.read_or_empty()
        held = current[current["dataset"] == read.dataset]
        if len(held):
            periods = sorted(held["period"].unique(), key=sort_key)
            st.caption(f"Replaces the {read.dataset.replace('_', ' ')} figures held now (release "
                       f"“{plain(held['release'].iloc[0])}”, {long_label(periods[0])} to {long_label(periods[-1])}). "
                       "The older release stays in the DfE table's history.")
            dropped = sorted(set(held["period"]) - set(read.rows["period"]), key=sort_key)
            if dropped:
                st.warning(f"This file has no figures for {', '.join(long_label(p) for p in dropped)}, which the explorer "
                           "holds now: after saving, those years are no longer compared (they stay in the history).",
                           icon=":material/warning:")
        else:
            st.caption(f"The explorer holds no {read.dataset.replace('_', ' ')} figures yet.")
        st.table(_overview(read), hide_index=True)
        suppressed = _suppressed(read.rows)
        if len(suppressed):
            st.markdown("**Cells DfE did not publish** (kept with their reason, never read as zero)")
            st.table(plain_table(suppressed), hide_index=True)
        release = st.text_input("Release name (shown as the source of every figure from this file)",
                                value=read.release, key="dfe-release").strip() or read.release
    if st.button("Confirm and save the DfE figures", type="primary", key="dfe-confirm"):
        if release != read.release:
            read = DfeFile(read.kind, read.dataset, read.file_name, read.rows.assign(release=release), release)
        info = load_dfe(data.store(), read, author=current_user(), sha256=hashlib.sha256(raw).hexdigest())
        if info is None:
            st.info("Nothing changed: these DfE figures were already saved.")
        else:
            st.success(f"Saved as version {info.id} of the DfE {'neighbour groups' if read.kind == 'neighbours' else 'figures'}"
                       f" ({read.dataset}, release “{plain(release)}”). Benchmarks and How we compare now use it.",
                       icon=":material/check_circle:")


def dfe_history() -> None:
    """The DfE side tables' versions, newest first: which release was loaded when, from which file, by whom."""
    figures, groups = data.dfe_stores()
    st.subheader("DfE releases loaded", anchor="dfe-releases")
    st.markdown("Each DfE file loaded on the Upload page is a new version of the DfE tables; an older release stays "
                "here. Benchmarks and How we compare use the current versions.")
    versions_table([("DfE figures", figures), ("Neighbour groups", groups)], key="dfe-history",
                   alt="DfE releases loaded, newest first")
