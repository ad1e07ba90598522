"""The Forecast page under AppTest: the fan chart, the record in words, a scenario that redraws, and an authority with
too little history told so."""

from __future__ import annotations

from pathlib import Path

import page_runner
import pytest
from store_files import copy_store
from streamlit.testing.v1 import AppTest

from sendlib.store.delta import DeltaStore

PAGE = "app_pages/forecast.py"


@pytest.fixture(scope="module")
def shared_store(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(built_store.root, tmp_path_factory.mktemp("forecast") / "store")


def open_page(store: Path, monkeypatch: pytest.MonkeyPatch, la: str | None = None) -> AppTest:
    monkeypatch.setenv("SENDLIB_STORE", str(store))
    at = page_runner.open_page(PAGE)
    if la:
        at.session_state["home-la"] = la
        at.run()
        assert not at.exception, at.exception
    return at


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
    assert _text(at) != before and "Scenario applied" in at.caption[-2].value + at.caption[-1].value


def test_an_authority_with_too_little_history_is_told_so(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch, la="942")  # Cumberland: censuses from 2024 only
    assert any("No forecast: Cumberland has 2 published figures" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")
