"""Forecasts and back-tests from what a store holds: the current version of its DfE table (the bundled release on
first use), and nothing else. Load an older release as the current version and every forecast is what could have
been made then: the honest back-test (docs/forecasting.md)."""

from __future__ import annotations

import pandas as pd

from sendlib.domain.benchmarks import mappings_for
from sendlib.domain.common_measures import common_measures
from sendlib.domain.forecast import (
    MAX_HORIZON,
    MEASURES,
    Forecast,
    Nowcast,
    Scenario,
    backtest_dfe,
    forecast_for,
    history_of,
    nowcast,
    panels_of,
)
from sendlib.domain.scenarios import PLACEMENTS, SCENARIOS, SavedScenario, dfe_mix, scenarios_of
from sendlib.domain.sharing import common_measure_of
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo
from sendlib.workflows.catalogues import store_catalogue
from sendlib.workflows.dfe_releases import ensure_dfe


def current_dfe(store: DeltaStore) -> pd.DataFrame:
    """The DfE figures of the store's current release (version)."""
    figures, _ = ensure_dfe(store)
    return figures.read()


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


class UnknownScenario(KeyError):
    """A scenario name this authority never saved; the message names those it did."""

    def __str__(self) -> str:
        return str(self.args[0])


def scenario_store(store: DeltaStore) -> DeltaStore:
    """The store's authority's saved scenarios (its partition of `delta/scenarios/`)."""
    return store.side(SCENARIOS)


def read_scenarios(store: DeltaStore) -> dict[str, SavedScenario]:
    return scenarios_of(scenario_store(store).read_or_empty())


def saved_scenario(store: DeltaStore, name: str) -> SavedScenario:
    """The authority's scenario called `name`; UnknownScenario naming the saved ones."""
    saved = read_scenarios(store)
    if name not in saved:
        have = ", ".join(repr(n) for n in saved) or "none yet"
        raise UnknownScenario(f"no scenario named {name!r} is saved for authority {store.la} (saved: {have})")
    return saved[name]


def _same(a: SavedScenario, b: SavedScenario) -> bool:
    keep = {"author", "created_at"}
    return a.model_dump(exclude=keep) == b.model_dump(exclude=keep)


def save_scenario(store: DeltaStore, scenario: SavedScenario) -> VersionInfo | None:
    """Save (or replace) the authority's scenario of that name as a new version; None when it is saved as it is."""

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        old = scenarios_of(current).get(scenario.name)
        if old is not None and _same(old, scenario):
            return current, {}
        rest = current[current["name"] != scenario.name]
        added = pd.DataFrame([scenario.row()])
        return pd.concat([rest, added], ignore_index=True), {"new": int(old is None), "revised": int(old is not None)}

    return scenario_store(store).commit(change, action="scenario", author=scenario.author,
                                        message=f"forecast scenario {scenario.name!r}")


def placement_mix(dfe: pd.DataFrame, la: str) -> tuple[dict[str, float], str, str]:
    """The mix a scenario starts from, its source and words for it: DfE's latest census shares where the release
    has the authority's placements, else an even split for the user to enter over."""
    found = dfe_mix(dfe, la)
    if found is not None:
        mix, census = found
        return mix, "dfe", f"DfE's plans by placement at the {census} census"
    return {p: 1 / len(PLACEMENTS) for p in PLACEMENTS}, "entered", "no DfE placement figures: enter the shares"


def own_monthly(store: DeltaStore, common: str = "ehcps") -> dict[str, float]:
    """The authority's own monthly figures (`YYYY-MM` → value) of the measure counting `common` (EHC plans), from
    the store's values; empty when it holds none."""
    catalogue = store_catalogue(store)
    ids = [k for k, c in common_measure_of(catalogue, mappings_for(catalogue), common_measures()).items() if c == common]
    if not ids:
        return {}
    values = store.read()
    rows = values[values["kpi_id"].isin(ids[:1]) & (values["series"] == "actual") & values["value"].notna()]
    rows = rows[rows["period"].astype(str).str.fullmatch(r"\d{4}-\d{2}")]
    return {str(p): float(v) for p, v in zip(rows["period"], rows["value"], strict=True)}


def nowcast_store(store: DeltaStore, la: str) -> Nowcast | None:
    """The next census's EHC plans from the authority's own monthly figures, where they run past DfE's latest."""
    panel = panels_of(current_dfe(store))["ehcps"]
    if la not in panel.codes:
        return None
    return nowcast(own_monthly(store), history_of(panel, panel.row(la)))

