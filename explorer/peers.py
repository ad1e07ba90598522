"""Cached data for sharing: the sharing table, the definitions this authority's measures count, and How we compare's
monthly comparison among sharing authorities. Keyed, as explorer.data's caches are, on the store (`data.key_of`) and
the versions read, each of the whole table (`whole_head`: every authority's writes move it): the sharing table's,
the figures table's and the measures table's (an authority's measures, and so what its KPIs count, live there), so
a save, an upload or a set-up anywhere in the deployment is picked up on the next rerun.

Only sharers' figures are ever read into these caches: the figures are narrowed to the (authority, definition)
pairs shared now before anything else is done with them, so an authority that has not shared a measure cannot be
named, counted or averaged for it, whatever a page does next."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sendlib.domain.benchmarks import mappings_for
from sendlib.domain.common_measures import CommonMeasure, common_measures
from sendlib.domain.sharing import SHARING, common_measure_of
from sendlib.presentation.peer_comparison import (
    FIGURE_COLUMNS,
    MIN_AUTHORITIES,
    PeerComparison,
    common_measure_figures,
    compare_peers,
)
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import measures_store, store_catalogue
from sendlib.workflows.sharing import read_sharing, sharing_store

from . import data, how_we_compare
from .authority import authority, deployment, names

DEFAULT_MEASURE = "twenty-week-excl"


@dataclass(frozen=True)
class Shown:
    """A comparison as the page draws it: the library's result (its chart left out) and the chart as a spec, so the
    cache holds plain data and the chart is built once per distinct figures."""

    comparison: PeerComparison
    spec: dict | None


def served() -> tuple[str, ...] | None:
    """The deployment's authorities (old codes), or None where it names none (the local default: any authority)."""
    return deployment().codes


def sharing_head() -> str:
    return whole_head(sharing_store(data.store()))


@st.cache_data(max_entries=8, show_spinner=False)
def _sharing(path: str, head: str) -> pd.DataFrame:
    return read_sharing(data.opened(path)) if head else SHARING.empty()


def sharing() -> pd.DataFrame:
    """Every authority's current choices (the Sharing page reads only this authority's rows of it)."""
    return _sharing(data.key_of(data.store()), sharing_head())


def _shared_pairs(table: pd.DataFrame, among: tuple[str, ...] | None) -> set[tuple[str, str]]:
    rows = table[table["shared"].astype(bool)]
    pairs = {(str(la), str(m)) for la, m in zip(rows["la_code"], rows["common_measure"], strict=True)}
    return pairs if among is None else {p for p in pairs if p[0] in among}


@st.cache_data(max_entries=8, show_spinner="Reading the sharing authorities' figures…")
def _shared_figures(path: str, values_head: str, head: str, stamp: str,
                    among: tuple[str, ...] | None) -> pd.DataFrame:
    """The figures each authority shares, by common definition (`la_code, kpi_id, period, series, value,
    common_measure`), and nothing else: a row whose authority does not share its definition is dropped here."""
    pairs = _shared_pairs(_sharing(path, head), among)
    if not pairs or not values_head:
        return pd.DataFrame(columns=[*FIGURE_COLUMNS, "kpi_id", "series"])
    store = data.opened(path)
    sharers = {la for la, _ in pairs}
    figures = store.read_all(values_head, authorities=sorted(sharers))  # only the sharers' partitions are opened
    commons = common_measures()
    common_of = {}
    for la in sorted(sharers):
        catalogue = store_catalogue(store.authority(la))
        common_of[la] = common_measure_of(catalogue, mappings_for(catalogue), commons)
    out = common_measure_figures(figures.assign(la_code=figures["la_code"].astype(str)), common_of)
    keep = pd.Series([(la, m) in pairs for la, m in zip(out["la_code"], out["common_measure"], strict=True)],
                     index=out.index, dtype=bool)
    return out[keep].reset_index(drop=True)


def whole_head(table: DeltaStore) -> str:
    """A table's version as a whole (every authority's rows): opened for one authority, a per-authority table's
    `head()` may be that authority's newest version, which another authority's upload leaves as it was."""
    return table.authority(None).head() or ""


def _key() -> tuple[str, str, str, str, tuple[str, ...] | None]:
    s = data.store()
    return data.key_of(s), whole_head(s), sharing_head(), whole_head(measures_store(s)), served()


def options() -> dict[str, CommonMeasure]:
    """The common definitions at least two of the deployment's authorities share now, by name: what How we compare's
    monthly section offers (with fewer there is nobody to compare with)."""
    path, _, head, _, among = _key()
    commons = common_measures()
    counts: dict[str, int] = {}
    for _, measure in _shared_pairs(_sharing(path, head), among):
        counts[measure] = counts.get(measure, 0) + 1
    found = [commons[m] for m, n in counts.items() if n >= MIN_AUTHORITIES and m in commons]
    return {c.id: c for c in sorted(found, key=lambda c: c.name.casefold())}


def sharer_count(measure: str) -> int:
    """How many of the deployment's authorities share a definition now (only sharers are counted)."""
    path, _, head, _, among = _key()
    return sum(1 for _, m in _shared_pairs(_sharing(path, head), among) if m == measure)


@st.cache_data(max_entries=32, show_spinner=False)
def _comparison(path: str, values_head: str, head: str, stamp: str, among: tuple[str, ...] | None, measure: str,
                home: str) -> Shown:
    figures = _shared_figures(path, values_head, head, stamp, among)
    common = common_measures()[measure]
    got = compare_peers(figures, _sharing(path, head), measure, home=home, names=names(), polarity=common.polarity,
                        unit=common.unit, label=common.name, among=among)
    spec = got.chart.to_dict() if got.chart is not None else None
    return Shown(dataclasses.replace(got, chart=None), spec)


def comparison(measure: str) -> Shown:
    """The latest month's figure of each authority sharing `measure`, ranked, for this authority (`compare_peers`)."""
    path, values_head, head, stamp, among = _key()
    return _comparison(path, values_head, head, stamp, among, measure, authority())


def our_definitions() -> dict[str, str]:
    """This authority's KPIs that count a common definition: kpi_id → definition (its own measures' `common_measure`;
    for the bundled catalogue, the definition of each KPI's primary DfE measure)."""
    return common_measure_of(data.catalogue(), how_we_compare.mappings(), common_measures())
