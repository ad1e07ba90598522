"""Forecasts from a store use its current DfE release and nothing after it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from store_files import copy_store

from sendlib.domain.forecast import TooLittleHistory, forecast_for
from sendlib.store.delta import DeltaStore
from sendlib.workflows.dfe_releases import ensure_dfe
from sendlib.workflows.forecast import backtest_store, current_dfe, forecast
from sendlib.workflows.stores import open_store

LA = "839"


def cut_at_census(store: DeltaStore, census: str) -> None:
    """The store's DfE release as DfE published it at an earlier census: nothing counted after it."""
    figures, _ = ensure_dfe(store)
    year = census.split("-")[0]

    def cut(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        period = current["period"].astype(str)
        keep = period.str.contains("-") & (period <= census) | ~period.str.contains("-") & (period < year)
        return current[keep], {"revised": int((~keep).sum())}

    figures.commit(cut, action="dfe", message=f"release cut at {census}")


@pytest.fixture(scope="module")
def cut_store(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> DeltaStore:
    store = open_store(copy_store(built_store.root, tmp_path_factory.mktemp("cut") / "store"))
    cut_at_census(store, "2023-01")
    return store


def test_forecast_from_an_earlier_release_uses_nothing_after_its_census(cut_store: DeltaStore,
                                                                        built_store: DeltaStore) -> None:
    dfe = current_dfe(cut_store)
    assert dfe["period"].astype(str).max() == "2023-01"
    for measure, first in (("ehcps", "2024-01"), ("requests", "2023"), ("new-plans", "2023")):
        made = forecast(cut_store, LA, measure, horizon=3)
        assert made.points[0].period == first and max(p for p, _ in made.history) < first
        assert made.frame().equals(forecast_for(dfe, LA, measure, 3).frame())
        now = forecast(built_store, LA, measure, horizon=3)
        assert now.points[0].period > first


def test_backtest_of_the_cut_release_stops_at_its_census(cut_store: DeltaStore) -> None:
    record = backtest_store(cut_store, "ehcps", la=LA)
    assert set(record["la_code"]) == {LA} and record["period"].max() == "2023-01"


def test_an_authority_with_too_little_history_is_told_so(built_store: DeltaStore) -> None:
    with pytest.raises(TooLittleHistory, match="Cumberland has 2 published figures"):
        forecast(built_store, "942", "ehcps")


def test_a_scenario_at_the_fitted_rates_is_the_model(built_store: DeltaStore, tmp_path: Path) -> None:
    from sendlib.domain.forecast import Scenario

    base = forecast(built_store, LA, "ehcps", 3)
    assert forecast(built_store, LA, "ehcps", 3, Scenario(leaving=base.rates["leaving"])).frame().equals(base.frame())
    more = forecast(built_store, LA, "ehcps", 3, Scenario(request_growth=10))
    assert all(m.value > b.value and m.upper > b.upper for m, b in zip(more.points, base.points, strict=True))
