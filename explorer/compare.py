"""Cached data for the "How we compare" page and the DfE upload: keyed by the DfE side tables' versions, so a
newly loaded release is picked up on the next rerun and nothing stale is shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.benchmarks import Mapping, load_mappings, local_differences, neighbours_of, resolve_la
from sendlib.compare import area_values

from . import data


@st.cache_data(max_entries=4, show_spinner=False)
def _mappings(path: str, stamp: str) -> list[Mapping]:
    return load_mappings(catalogue=data._catalogue(path, stamp))


def mappings() -> list[Mapping]:
    """The KPI ↔ DfE mappings (data/catalogue/dfe_benchmarks.csv), read once per catalogue."""
    s = data.store()
    return _mappings(str(s.root), s.extras_stamp())


@st.cache_data(max_entries=64, show_spinner=False)
def _areas(path: str, dfe_version: str, stamp: str, measure: str) -> pd.DataFrame:
    return area_values(data._dfe_table(path, dfe_version), _mappings(path, stamp), measure)


def areas(measure: str) -> pd.DataFrame:
    """Every area's figure for one measure, every period (~0.1 s to build; once per DfE version)."""
    figures, _ = data.dfe_stores()
    s = data.store()
    return _areas(str(s.root), figures.head() or "", s.extras_stamp(), measure)


def home() -> dict:
    """The home authority's codes, name and region."""
    return resolve_la(data.dfe_table()[0], data.home_la())


def neighbours() -> list[str]:
    """The home authority's ten statistical neighbours (old codes) in the chosen groups."""
    return neighbours_of(data.neighbour_table(), home()["old_la_code"], data.sn_groups())


def differences() -> pd.DataFrame:
    """Our own monthly figures against DfE's published ones, where both describe the same thing."""
    table, _ = data.table()
    return local_differences(table, data.benchmarks(), mappings())
