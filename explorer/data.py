"""Cached access to the catalogue and the store. Caches are keyed by store path and version,
so a new upload (a new version) is picked up on the next rerun and nothing stale is shown."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from sendlib.domain.authorities import dfe_matched
from sendlib.domain.benchmarks import (
    BENCHMARK_COLUMNS,
    Authority,
    LaNotFound,
    Prepared,
    compute,
    la_index,
    latest_benchmarks,
    mappings_for,
    prepare,
    resolve_la,
)
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.commentary import comment_lookup, latest_comments
from sendlib.domain.dfe import DFE_TABLE, NEIGHBOUR_TABLE
from sendlib.domain.paths import store_address
from sendlib.domain.settings import Settings, load_settings
from sendlib.domain.trends import summarise
from sendlib.presentation.charts import small_multiples, trend_chart
from sendlib.presentation.report import Report, build_report, report_bytes
from sendlib.presentation.tables import dfe_table as dfe_summary
from sendlib.presentation.tables import summary_table
from sendlib.store.delta import DeltaStore
from sendlib.store.location import store_location
from sendlib.workflows.cases import cases_store, computed_figures, computed_measures, read_cases
from sendlib.workflows.catalogues import listed, measures_store, store_catalogue
from sendlib.workflows.commentary import commentary_store
from sendlib.workflows.dfe_releases import ensure_dfe
from sendlib.workflows.load import ensure_store
from sendlib.workflows.stores import open_store

from .authority import authority, main_document
from .context import as_at as context_as_at
from .context import held_months


@st.cache_resource
def _catalogue(path: str, stamp: str) -> Catalogue:
    return store_catalogue(opened(path), with_common=True)


@st.cache_resource(max_entries=8)
def _listed(path: str, version: str, stamp: str) -> Catalogue:
    """The measures the pages list for a version of the figures (`catalogues.listed`)."""
    return listed(_catalogue(path, stamp), _table(path, version)["kpi_id"].unique().tolist())


def _stamp(s: DeltaStore) -> str:
    """What the catalogue is cached on: the version of the authority's own measures (added on the upload page or
    set up from files), so an addition or a restore of them is picked up on the next rerun."""
    return measures_store(s).head() or ""


def catalogue_stamp() -> str:
    """The catalogue's cache key (for other explorer modules' caches: pass it to `catalogue_at`)."""
    return _stamp(store())


def catalogue() -> Catalogue:
    """The catalogue of the authority shown, every common definition beside its own measures (as the CLI reads):
    for the bundled documents' authority the bundled KPIs plus any added on the upload page, and the measures set
    up from files (re-read when either changes). A file naming a common definition loads with no set-up, and How we
    compare benchmarks every definition DfE publishes."""
    s = store()
    return _catalogue(key_of(s), _stamp(s))


def listed_catalogue() -> Catalogue:
    """The measures the pages list as the authority's own (headlines, tables, the glossary): `catalogue()` without
    the common definitions it holds no figures for (`catalogues.listed`)."""
    s = store()
    return _listed(key_of(s), s.head() or "", _stamp(s))


def key_of(s: DeltaStore) -> str:
    """What every cache here is keyed on for a store (the `path` argument of the cached readers): the authority it
    is opened for and its address, so one authority's cached rows are never another's."""
    return f"{s.la}|{s.location.uri}"


@st.cache_resource(max_entries=64)
def opened(path: str) -> DeltaStore:
    """The store a cache key names, opened once per process (an old parquet store is migrated here)."""
    la, _, uri = path.partition("|")
    return open_store(uri, la=la)


@st.cache_resource(max_entries=64)
def _store(path: str) -> DeltaStore:
    return ensure_store(opened(path))


@functools.cache
def _uri(address: str) -> str:
    """An address as the store names itself (a local path made absolute); once per address, as for object storage
    this reads the secrets file, and `store()` is asked for many times a rerun."""
    return store_location(address).uri


def store() -> DeltaStore:
    """The store opened for the authority this session shows (`authority()`)."""
    return _store(f"{authority()}|{_uri(store_address())}")


@st.cache_data(max_entries=8)
def _table(path: str, version: str) -> pd.DataFrame:
    return opened(path).read(version)


def table() -> tuple[pd.DataFrame, str]:
    s = store()
    version = s.head() or ""
    return _table(key_of(s), version), version


@st.cache_data(max_entries=32)
def _summary(path: str, version: str, stamp: str, as_of: str | None) -> pd.DataFrame:
    return summarise(_table(path, version), _listed(path, version, stamp), as_of=as_of)


def summary(as_of: str | None = None) -> pd.DataFrame:
    """Every measure's latest figure as at `as_of`, by default the as-at month chosen in the sidebar."""
    s = store()
    return _summary(key_of(s), s.head() or "", _stamp(s), as_of or as_at())


def months() -> list[str]:
    """The months the authority's main document holds, newest first: the as-at month's choices."""
    return held_months(table()[0], main_document())


def as_at() -> str | None:
    """The as-at month every page shows (the chosen one, else the latest its main document holds)."""
    return context_as_at(months())


@st.cache_data(max_entries=4096, show_spinner=False)
def _trend_spec(path: str, version: str, stamp: str, kpi_id: str, target: float | None, dfe_key: tuple) -> dict:
    table = _table(path, version)
    kpi = _catalogue(path, stamp)[kpi_id]
    dfe = _benchmarks(path, *dfe_key)
    dfe = dfe[(dfe["kpi_id"] == kpi_id) & dfe["primary"]]
    return trend_chart(kpi, table[table["kpi_id"] == kpi_id], target=target, dfe=dfe).to_dict()


@st.cache_data(max_entries=64, show_spinner=False)
def _headline_spec(path: str, version: str, stamp: str, kpi_ids: tuple[str, ...]) -> dict:
    catalogue = _catalogue(path, stamp)
    return small_multiples([catalogue[k] for k in kpi_ids], _table(path, version), columns=4, width=170).to_dict()


def headline_spec(kpi_ids: tuple[str, ...]) -> dict:
    """The overview's headline small multiples as a Vega-Lite spec, once per data version (~100 ms to build)."""
    s = store()
    return _headline_spec(key_of(s), s.head() or "", _stamp(s), kpi_ids)


def trend_spec(kpi_id: str, target: float | None) -> dict:
    """A KPI's trend chart as a Vega-Lite spec, built once per data version (and DfE release and home LA): building
    and validating an Altair chart costs ~15 ms, which a page of 28 charts would pay on every rerun."""
    s = store()
    return _trend_spec(key_of(s), s.head() or "", _stamp(s), kpi_id, target, benchmarks_key())


@st.cache_data(max_entries=32, show_spinner=False)
def _overview_table(path: str, version: str, stamp: str, head: str, scorecards: tuple[str, ...],
                    themes: tuple[str, ...], dfe_key: tuple, as_of: str | None = None) -> pd.DataFrame:
    rows = _summary(path, version, stamp, as_of)
    rows = rows[rows["scorecard"].isin(scorecards)]
    if themes:
        rows = rows[rows["theme"].isin(themes)]
    commentary = latest_comments(_comments(path, head), rows)
    return summary_table(rows, _catalogue(path, stamp), with_trend=True, commentary=commentary,
                         dfe=_latest_dfe(path, *dfe_key))


def overview_table(scorecards: tuple[str, ...], themes: tuple[str, ...]) -> pd.DataFrame:
    """The overview's table, formatted once per data version, filter, commentary and DfE benchmarks."""
    s = store()
    return _overview_table(key_of(s), s.head() or "", _stamp(s), comments_head(), scorecards, themes,
                           benchmarks_key(), as_at())


@st.cache_data(max_entries=16, show_spinner=False)
def _comments(path: str, head: str) -> pd.DataFrame:
    side = commentary_store(opened(path))
    return side.read(head) if head else side.spec.empty()


def comments() -> pd.DataFrame:
    """Every current comment, re-read only when the commentary table has a new version."""
    return _comments(key_of(store()), comments_head())


def comments_head() -> str:
    return commentary_store(store()).head() or ""


@st.cache_resource(max_entries=16)
def _comment_lookup(path: str, head: str, scorecard: str) -> dict[tuple[str, str], dict]:
    return comment_lookup(_comments(path, head), scorecard)


def comment_lookups(scorecard: str) -> dict[tuple[str, str], dict]:
    """(kpi_id, period) → comment, built once per commentary version: a theme page asks for it under every chart.
    Shared, not copied (cache_resource): read it, never change it."""
    return _comment_lookup(key_of(store()), comments_head(), scorecard)


@st.cache_data(max_entries=8, show_spinner="Building the report…")
def _report(path: str, version: str, stamp: str, head: str, scorecard: str, month: str, charts: bool) -> Report:
    return build_report(_table(path, version), _listed(path, version, stamp), _comments(path, head), month,
                        scorecard=scorecard, version=version, charts=charts)


def report(scorecard: str, month: str, *, charts: bool = True) -> Report:
    """The report model for a month, built once per values version and commentary version."""
    s = store()
    return _report(key_of(s), s.head() or "", _stamp(s), comments_head(), scorecard, month, charts)


@st.cache_data(max_entries=8, show_spinner=False)
def _report_file(path: str, version: str, stamp: str, head: str, scorecard: str, month: str, fmt: str) -> bytes:
    return report_bytes(_report(path, version, stamp, head, scorecard, month, True), fmt)  # type: ignore[arg-type]


def report_file(scorecard: str, month: str, fmt: str) -> bytes:
    s = store()
    return _report_file(key_of(s), s.head() or "", _stamp(s), comments_head(), scorecard, month, fmt)


@st.cache_resource
def _settings() -> Settings:
    return load_settings()


@st.cache_resource
def _dfe_stores(path: str) -> tuple[DeltaStore, DeltaStore]:
    return ensure_dfe(opened(path))


def dfe_stores() -> tuple[DeltaStore, DeltaStore]:
    """The store's DfE side tables (published figures, neighbour groups), from the bundled data on first use."""
    return _dfe_stores(key_of(store()))


@st.cache_data(max_entries=4, show_spinner=False)
def _dfe_table(path: str, version: str) -> pd.DataFrame:
    return opened(path).side(DFE_TABLE).read(version)


@st.cache_data(max_entries=4, show_spinner=False)
def _neighbour_table(path: str, version: str) -> pd.DataFrame:
    return opened(path).side(NEIGHBOUR_TABLE).read(version)


def neighbour_table() -> pd.DataFrame:
    _, groups = dfe_stores()
    return _neighbour_table(key_of(store()), groups.head() or "")


@st.cache_resource(max_entries=4, show_spinner="Reading DfE's published figures…")
def _prepared(path: str, dfe_version: str, stamp: str) -> Prepared:
    """The authority-independent arithmetic, once per DfE release: changing authority is then ~0.1 s."""
    catalogue = _catalogue(path, stamp)
    return prepare(_dfe_table(path, dfe_version), mappings_for(catalogue))


@st.cache_data(max_entries=16, show_spinner="Computing DfE benchmarks…")
def _benchmarks(path: str, dfe_version: str, sn_version: str, stamp: str, la: str, sn_set: str) -> pd.DataFrame:
    if not dfe_matched(la):  # the board report's council: DfE publishes nothing that is its
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    prepared = _prepared(path, dfe_version, stamp)
    return compute(_dfe_table(path, dfe_version), _neighbour_table(path, sn_version), _catalogue(path, stamp),
                   list(prepared.mappings), la=la, sn_set=sn_set, prepared=prepared)


HOME_LA_KEY = "home-la"  # How we compare's "Compare with…"
COMPARING = "comparing-with"  # set by How we compare for its own run only (streamlit_app.py clears it each run)
SN_GROUPS_KEY = "sn-groups"


def home_la() -> str:
    """The authority DfE's figures are for: the one shown, or on How we compare the one chosen there to compare with
    (which never moves a write: every write goes to `authority()`)."""
    chosen = st.session_state.get(compare_key()) if st.session_state.get(COMPARING) else None
    return str(chosen) if chosen else authority()


def compare_key() -> str:
    """The session key of How we compare's "Compare with…" for the authority shown (each authority its own)."""
    return f"{HOME_LA_KEY}-{authority()}"


def sn_groups() -> str:
    return st.session_state.get(SN_GROUPS_KEY) or _settings().sn_groups


def benchmarks_key() -> tuple[str, str, str, str, str]:
    """What the DfE benchmarks are cached on: DfE figures version, neighbour groups version, catalogue stamp, home
    authority, groups."""
    figures, groups = dfe_stores()
    return figures.head() or "", groups.head() or "", _stamp(store()), home_la(), sn_groups()


def benchmarks() -> pd.DataFrame:
    """DfE benchmarks for the home LA: every mapped KPI and year (`sendlib.benchmarks.compute`), cached per DfE
    release version, neighbour groups, authority and catalogue."""
    return _benchmarks(key_of(store()), *benchmarks_key())


def latest_dfe() -> pd.DataFrame:
    """The latest DfE figure of each benchmark series per KPI: what tables show beside the local figures."""
    return _latest_dfe(key_of(store()), *benchmarks_key())


@st.cache_data(max_entries=16, show_spinner=False)
def _latest_dfe(path: str, *key: str) -> pd.DataFrame:
    return latest_benchmarks(_benchmarks(path, *key))


@st.cache_data(max_entries=4, show_spinner=False)
def _la_index(path: str, version: str) -> pd.DataFrame:
    return la_index(_dfe_table(path, version))


def la_choices() -> pd.DataFrame:
    """Every authority in the DfE data, by name (a scan of every DfE row, so once per DfE version)."""
    figures, _ = dfe_stores()
    return _la_index(key_of(store()), figures.head() or "")


def home() -> Authority:
    """The home authority's codes, name and region. Raises LaNotFound for a configured name DfE does not know."""
    return resolve_la(pd.DataFrame(), home_la(), index=la_choices())


def home_la_name() -> str:
    try:
        return home().la_name
    except LaNotFound:
        return home_la()


@st.cache_data(max_entries=16, show_spinner=False)
def _overview_dfe(path: str, scorecards: tuple[str, ...], version: str, *key: str) -> pd.DataFrame:
    stamp = key[2]
    return dfe_summary(_latest_dfe(path, *key), _listed(path, version, stamp), list(scorecards))


def overview_dfe(scorecards: tuple[str, ...]) -> pd.DataFrame:
    """The overview's DfE table (the measures the pages list), formatted once per DfE release, authority, groups,
    scorecard choice and figures version."""
    s = store()
    return _overview_dfe(key_of(s), scorecards, s.head() or "", *benchmarks_key())


# For other explorer modules' caches, keyed as these are (store path, versions): the cached readers by name.
def catalogue_at(path: str, stamp: str) -> Catalogue:
    """The catalogue of the store at `path` whose `catalogue_stamp()` is `stamp` (cached)."""
    return _catalogue(path, stamp)


def table_at(path: str, version: str) -> pd.DataFrame:
    """The store's table at `version` (cached)."""
    return _table(path, version)


def dfe_table_at(path: str, version: str) -> pd.DataFrame:
    """DfE's published figures at `version` of the store's side table (cached)."""
    return _dfe_table(path, version)


def benchmarks_at(path: str, *key: str) -> pd.DataFrame:
    """The DfE benchmarks for `benchmarks_key()` (cached)."""
    return _benchmarks(path, *key)


@st.cache_data(max_entries=4, show_spinner=False)
def _cases(path: str, head: str) -> pd.DataFrame:
    return read_cases(opened(path))


def cases_head() -> str:
    return cases_store(store()).head() or ""


def cases() -> pd.DataFrame:
    """The case records as they stand (empty with the columns when no return was loaded)."""
    return _cases(key_of(store()), cases_head())


@st.cache_data(max_entries=4, show_spinner=False)
def _case_measures(path: str, head: str) -> pd.DataFrame:
    return computed_measures(_cases(path, head))


def case_measures() -> pd.DataFrame:
    """Every computed measure × period (measure, period, value, numerator, denominator, note)."""
    return _case_measures(key_of(store()), cases_head())


@st.cache_data(max_entries=4, show_spinner=False)
def _computed(path: str, head: str, stamp: str) -> pd.DataFrame:
    return computed_figures(_cases(path, head), {k.id: k.scorecard for k in _catalogue(path, stamp)})


def computed() -> pd.DataFrame:
    """The computed figures as rows of the figures table (series `computed`), for the KPIs the measures feed."""
    s = store()
    return _computed(key_of(s), cases_head(), _stamp(s))
