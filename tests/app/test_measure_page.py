"""AppTest: the page per measure (`/measure?id=…`) and the theme pages as one grid that links to it."""

from __future__ import annotations

import re

import pytest
from page_runner import shown
from registry_nav import open_page, switch_to
from streamlit.testing.v1 import AppTest

from explorer.menu import theme_pages
from sendlib.domain.authorities import BUNDLED_DOCUMENTS
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.paths import ROOT
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("measure") / "store"
    init_store(open_store(path))
    return str(path)


@pytest.fixture
def app(store_dir: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SENDLIB_STORE", store_dir)
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)


def open_measure(app: AppTest, kpi_id: str) -> AppTest:
    app.run()
    app.query_params["id"] = kpi_id
    switch_to(app, "measure").run()
    assert not app.exception, app.exception
    return app


def page_text(at: AppTest) -> str:
    return "\n".join(shown(str(e.value)) for kind in ("markdown", "caption", "title", "subheader") for e in at.get(kind))


def test_ehcps_shows_the_scorecards_january_figure_and_dfes_census_figure_and_why_they_differ(app: AppTest) -> None:
    at = open_measure(app, "ehcps")
    assert shown(at.title[0].value) == "No. of EHCPs"
    sources = at.table[0].value
    figures = dict(zip(sources.index, zip(sources["Period"], sources["Figure"], strict=True), strict=True))
    assert figures["As typed in the document"] == ("January 2025", "4,453")
    assert figures["Published by DfE"] == ("January 2025", "4,432")
    text = page_text(at)
    assert "21 lower than the scorecard's (4,453 for January 2025)" in text
    assert "DfE counts at its January census date" in text
    assert "43 of 153 authorities" in text  # rank and quartile, from the numbers
    assert at.get("vega_lite_chart"), "the trend chart"
    assert [m.value for m in at.metric] == ["4,453"]


def test_a_measure_the_address_does_not_name_offers_a_choice_not_an_error(app: AppTest) -> None:
    at = open_measure(app, "no-such-measure")
    assert at.title[0].value.startswith("A measure — ") and at.selectbox(key="measure-choice")
    assert any("Choose a measure" in shown(m.value) for m in at.markdown), "it says what to do"


def _council_of(url_path: str) -> str:
    cat = load_catalogue()
    documents = {k.scorecard for k in cat if cat.themes[k.theme].page.replace("-", "_") == url_path}
    return next(code for code, document in BUNDLED_DOCUMENTS.items() if document in documents)


@pytest.mark.parametrize("page", [p.url_path for p in theme_pages()])
def test_every_theme_page_is_one_grid_with_its_charts_on_the_measure_pages(app: AppTest, page: str) -> None:
    """Each page opened as a council whose document files measures under it (education, care, health and AP are
    the board report's only: its council's pages)."""
    app.session_state["authority"] = _council_of(page)
    app.run()
    switch_to(app, page).run()
    assert not app.exception, app.exception
    assert not app.get("vega_lite_chart"), "charts live on the measure pages"
    grids = [d for d in app.dataframe if "Measure" in d.value.columns]
    assert grids, "the theme's grid"
    for grid in grids:
        links = grid.value["Open"].tolist()
        assert all(str(link).startswith("measure?id=") for link in links), links[:3]
        assert {"Figure", "Change", "Against target", "England", "Rank", "Trend"} <= set(grid.value.columns)


def test_the_ehcps_page_draws_dfes_forecast_and_says_it_in_words(store_dir: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDLIB_STORE", store_dir)
    at = open_page("measure", query={"id": "ehcps"})
    sentence = next(s for s in page_text(at).splitlines() if s.startswith("DfE's figures suggest about"))
    assert re.fullmatch(r"DfE's figures suggest about [\d,]+ plans at the January \d{4} census "
                        r"\(likely between [\d,]+ and [\d,]+\)\.", sentence), sentence
    assert sum("Forecast (DfE basis)" in c.proto.spec for c in at.get("vega_lite_chart")) == 1, "the line, labelled"
    assert any(link.proto.page == "forecast" for link in at.get("page_link")), "a link to the Forecast page"


def test_the_board_reports_council_is_told_there_is_no_dfe_forecast(store_dir: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDLIB_STORE", store_dir)
    text = page_text(open_page("measure", query={"id": "ehcps"}, la="X01"))
    assert "No forecast: DfE publishes no figures for" in text and "DfE's figures suggest" not in text
