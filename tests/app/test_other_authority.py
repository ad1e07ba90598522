"""A deployment for an authority other than the bundled documents' own: it starts empty, every page opens, and its
own scorecard, once set up, is what the overview shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from other_councils import COUNCILS, HERE
from page_runner import shown
from registry_nav import switch_to
from streamlit.testing.v1 import AppTest

from explorer.menu import pages
from sendlib.domain.paths import ROOT
from sendlib.presentation.tables import tile_labels
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import add_measures, propose, store_catalogue
from sendlib.workflows.dfe_releases import benchmarks_for_store
from sendlib.workflows.load import load_file, parse_bytes
from sendlib.workflows.stores import open_store

COUNCIL = COUNCILS[0]


@pytest.fixture
def devon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> DeltaStore:
    """The app configured for another authority. Its settings are cached for the life of a process (a deployment sets
    them once), hence `fresh_caches`: other tests in this process are the bundled one's."""
    monkeypatch.setenv("SENDLIB_HOME_LA", COUNCIL.la)
    monkeypatch.setenv("SENDLIB_STORE", str(tmp_path / "store"))
    return open_store(tmp_path / "store")


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_empty_store_and_every_page_opens(devon: DeltaStore) -> None:
    at = _app()
    assert any("No measures are set up for this authority yet" in i.value for i in at.info)
    assert devon.read().empty  # the bundled authority's documents are not loaded into another authority's store
    for page in pages():
        switch_to(at, page.url_path).run()
        assert not at.exception, (page.url_path, at.exception)


def test_its_own_scorecard_heads_the_overview(devon: DeltaStore) -> None:
    _app()
    path = HERE / COUNCIL.file
    catalogue = store_catalogue(devon)
    kpis, _ = add_measures(devon, propose(parse_bytes(path.read_bytes(), path.name, catalogue).unknown, catalogue))
    load_file(devon, path, store_catalogue(devon))
    at = _app()
    assert [shown(m.label) for m in at.metric] == tile_labels([k.name for k in kpis[:4]])


def test_its_20_week_measure_is_benchmarked_on_how_we_compare(devon: DeltaStore) -> None:
    """Mapped to DfE's 20-week measure by its common definition, the authority's own measure opens How we compare on
    that measure, with DfE's published figure for this authority."""
    _app()
    path = HERE / COUNCIL.file
    catalogue = store_catalogue(devon)
    kpis, _ = add_measures(devon, propose(parse_bytes(path.read_bytes(), path.name, catalogue).unknown, catalogue))
    twenty = next(k for k in kpis if k.common_measure == "twenty-week-excl")
    at = _app()
    switch_to(at, "how_we_compare").run()
    assert not at.exception, at.exception
    chosen = at.selectbox(key="compare-measure")
    assert chosen.value == "twenty-week-excl"
    assert twenty.name in shown(chosen.format_func(chosen.value))
    bench = benchmarks_for_store(devon, store_catalogue(devon), la=COUNCIL.la)
    latest = bench[(bench["kpi_id"] == twenty.id) & (bench["measure"] == "twenty-week-excl")
                   & (bench["series"] == "home_la")].sort_values("period").iloc[-1]
    page = " ".join([m.value for m in at.metric] + [m.label for m in at.metric])
    assert f"{latest['value']:.1f}%" in page, page
