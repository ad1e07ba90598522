"""Cached data for the "How we compare" page and the DfE upload: keyed by the DfE side tables' versions, so a
newly loaded release is picked up on the next rerun and nothing stale is shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.domain.benchmarks import LaNotFound, Mapping, local_differences, mappings_for, neighbours_of
from sendlib.presentation.cases import la_warning, reconciliation
from sendlib.presentation.how_we_compare import area_values, benchmark_trend_chart, ranked_bar_chart
from sendlib.workflows.cases import census_dates

from . import data


@st.cache_data(max_entries=4, show_spinner=False)
def _mappings(path: str, stamp: str) -> list[Mapping]:
    return mappings_for(data.catalogue_at(path, stamp))


def mappings() -> list[Mapping]:
    """The KPI ↔ DfE mappings (data/catalogue/dfe_benchmarks.csv), read once per catalogue."""
    s = data.store()
    return _mappings(data.key_of(s), data.catalogue_stamp())


@st.cache_data(max_entries=64, show_spinner=False)
def _areas(path: str, dfe_version: str, stamp: str, measure: str) -> pd.DataFrame:
    return area_values(data.dfe_table_at(path, dfe_version), _mappings(path, stamp), measure)


def areas(measure: str) -> pd.DataFrame:
    """Every area's figure for one measure, every period (~0.1 s to build; once per DfE version)."""
    figures, _ = data.dfe_stores()
    s = data.store()
    return _areas(data.key_of(s), figures.head() or "", data.catalogue_stamp(), measure)


def neighbours() -> list[str]:
    """The home authority's ten statistical neighbours (old codes) in the chosen groups."""
    return neighbours_of(data.neighbour_table(), data.home().old_la_code, data.sn_groups())


@st.cache_data(max_entries=16, show_spinner=False)
def _differences(path: str, version: str, *key: str) -> pd.DataFrame:
    stamp = key[2]
    return local_differences(data.table_at(path, version), data.benchmarks_at(path, *key), _mappings(path, stamp))


def differences() -> pd.DataFrame:
    """Our own monthly figures against DfE's published ones, where both describe the same thing: once per data
    version, DfE version and home authority."""
    s = data.store()
    return _differences(data.key_of(s), s.head() or "", *data.benchmarks_key())


def reconciled() -> tuple[pd.DataFrame, str | None]:
    """Our computed yearly 20-week rates against DfE's published ones for the home authority, and a warning when
    the case records are another authority's. Empty when no case records are held."""
    if not data.cases_head():
        return pd.DataFrame(), None
    records = data.cases()
    censuses = census_dates(records)
    table = reconciliation(data.case_measures(), data.benchmarks(), full_years={str(c.year - 1) for c in censuses},
                           census=censuses[-1].isoformat() if censuses else None)
    try:
        home = data.home()
    except LaNotFound:
        return table, None
    return table, la_warning(records["la"], home.old_la_code, home.la_name)


@st.cache_data(max_entries=64, show_spinner=False)
def ranked_spec(table: pd.DataFrame, refs: pd.DataFrame, *, title: str, kind: str, home_name: str,
                description: str) -> dict:
    """The ranked chart as a Vega-Lite spec, built once per distinct data: Altair takes ~0.14 s to build and validate
    a chart of 150 bars, which every rerun of the page would otherwise pay."""
    return ranked_bar_chart(table, refs, title=title, kind=kind, home_name=home_name, description=description).to_dict()


@st.cache_data(max_entries=64, show_spinner=False)
def trend_spec(rows: pd.DataFrame, *, title: str, kind: str, description: str) -> dict:
    """The trend chart as a Vega-Lite spec, once per distinct data."""
    return benchmark_trend_chart(rows, title=title, kind=kind, description=description).to_dict()
