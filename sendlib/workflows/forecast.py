"""Forecasts and back-tests from what a store holds: the current version of its DfE table (the bundled release on
first use), and nothing else. Load an older release as the current version and every forecast is what could have
been made then: the honest back-test (docs/forecasting.md)."""

from __future__ import annotations

import pandas as pd

from sendlib.domain.forecast import MAX_HORIZON, MEASURES, Forecast, Scenario, backtest, forecast_for, panels_of
from sendlib.store.delta import DeltaStore
from sendlib.workflows.dfe_releases import ensure_dfe


def current_dfe(store: DeltaStore) -> pd.DataFrame:
    """The DfE figures of the store's current release (version)."""
    figures, _ = ensure_dfe(store)
    return figures.read()


def backtest_dfe(dfe: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Every authority × origin × horizon × method of one measure: forecast, intervals, what happened, error."""
    panels = panels_of(dfe)
    return backtest(panels[measure], panels["requests"] if measure == "new-plans" else None)


def backtest_store(store: DeltaStore, measure: str, la: str | None = None) -> pd.DataFrame:
    record = backtest_dfe(current_dfe(store), measure)
    return record if la is None else record[record["la_code"] == la].reset_index(drop=True)


def forecast(store: DeltaStore, la: str, measure: str, horizon: int = MAX_HORIZON,
             scenario: Scenario | None = None) -> Forecast:
    """An authority's forecast of `measure` (ehcps, requests, new-plans) from the store's current DfE release;
    TooLittleHistory when it has too few figures."""
    if measure not in MEASURES:
        raise KeyError(f"no forecast measure {measure!r}: one of {', '.join(MEASURES)}")
    dfe = current_dfe(store)
    return forecast_for(dfe, la, measure, horizon, scenario, backtest_dfe(dfe, measure))
