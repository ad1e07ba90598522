"""The Forecast page under AppTest: the fan chart, the record in words, a scenario that redraws, and an authority with
too little history told so."""

from __future__ import annotations

from pathlib import Path

import page_runner
import pytest
from store_files import copy_store
from streamlit.testing.v1 import AppTest

from sendlib.domain.paths import ROOT
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import store_catalogue
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import open_store

PAGE = "app_pages/forecast.py"


@pytest.fixture(scope="module")
def shared_store(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(built_store.root, tmp_path_factory.mktemp("forecast") / "store")


def open_page(store: Path, monkeypatch: pytest.MonkeyPatch, la: str | None = None) -> AppTest:
    monkeypatch.setenv("SENDLIB_STORE", str(store))
    if la:  # a deployment of that authority: the forecast is always the authority shown's
        monkeypatch.setenv("SENDLIB_HOME_LA", la)
    return page_runner.open_page(PAGE)


def _text(at: AppTest) -> str:
    return "\n".join(page_runner.shown(m.value) for m in at.markdown)


def test_forecast_page_draws_the_forecast_and_its_record(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch)
    text = _text(at)
    assert "Forecast" in at.title[0].value and len(at.get("vega_lite_chart")) == 1
    assert "2-year forecasts were within" in text and "every authority in England" in text
    assert "80% likely between" in text and len(at.dataframe[0].value) == 5
    before = text
    at.slider(key="forecast-growth").set_value(10.0).run()
    assert not at.exception, at.exception
    assert _text(at) != before and any("Scenario applied" in c.value for c in at.caption)
    assert any("request growth +10.0 points a year" in c.value for c in at.caption)


def test_a_scenario_with_costs_is_saved_and_chosen_again(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch)
    at.slider(key="forecast-growth").set_value(5.0)
    at.number_input(key="forecast-cost-special_maintained").set_value(25000.0).run()
    assert not at.exception, at.exception
    costs = next(d.value for d in at.dataframe if "placement" in d.value.columns)
    assert set(costs["placement"]) >= {"Total", "Special school (state-funded)"}
    assert any("EHC plans cost about £" in m.value for m in at.markdown)
    at.text_input(key="forecast-name").set_value("five more")
    at.button(key="forecast-save-button").click().run()
    assert not at.exception, at.exception
    assert any("Saved scenario 'five more' as version" in s.value for s in at.success)
    at.slider(key="forecast-growth").set_value(0.0)
    at.number_input(key="forecast-cost-special_maintained").set_value(0.0).run()
    assert "five more" in at.selectbox(key="forecast-saved").options
    at.selectbox(key="forecast-saved").set_value("five more").run()
    assert not at.exception, at.exception
    assert at.slider(key="forecast-growth").value == 5.0 and not at.warning
    assert at.number_input(key="forecast-cost-special_maintained").value == 25000.0
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download CSV" in labels and "Download Excel" in labels


def test_an_authority_with_too_little_history_is_told_so(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch, la="942")  # Cumberland: censuses from 2024 only
    assert any("No forecast: Cumberland has 2 published figures" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


def test_with_sign_in_only_editors_may_save_a_scenario(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDLIB_STORE", str(shared_store))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["editors"] = {"emails": ["jo@council.gov.uk"]}
    at.user = {"is_logged_in": True, "email": "someone@council.gov.uk", "email_verified": True}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert any("Only this authority's editors can save scenarios" in c.value for c in at.caption)
    assert not [t for t in at.text_input if t.key == "forecast-name"]


def test_own_monthly_figures_past_the_census_give_a_nowcast(shared_store: Path, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    store = copy_store(shared_store, tmp_path / "store")
    later = open_store(store, la="839")
    (tmp_path / "later.csv").write_text("kpi_id,period,value\n" + "".join(f"ehcps,2025-{m:02d},{4453 + 40 * m}\n"
                                                                          for m in range(2, 8)))
    load_file(later, tmp_path / "later.csv", store_catalogue(later))
    text = _text(open_page(store, monkeypatch))
    assert "Nowcast from your own monthly figures: about" in text and "at the 2026-01 census" in text
    assert "in 2025-07, carried 6 months" in text


def test_the_board_report_page_adds_a_forecast_section_when_switched_on(shared_store: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDLIB_STORE", str(shared_store))
    at = page_runner.open_page("app_pages/board_report.py")
    assert 'id="report-forecast"' not in at.get("html")[0].proto.body  # off by default
    at.toggle(key="board-report-forecast").set_value(True).run()
    assert not at.exception, at.exception
    html = at.get("html")[0].proto.body
    assert 'id="report-forecast"' in html and "Requests for an EHC needs assessment in the calendar year" in html
