"""Forecast scenarios saved by name per authority, the placement mix from DfE's release and the cost projection."""

from __future__ import annotations

import io
import math
from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError
from store_files import copy_store

from sendlib.domain.scenarios import PLACEMENTS, SavedScenario, cost_projection, dfe_mix
from sendlib.presentation.forecast import forecast_workbook
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import store_catalogue
from sendlib.workflows.forecast import (
    UnknownScenario,
    current_dfe,
    forecast,
    nowcast_store,
    placement_mix,
    read_scenarios,
    save_scenario,
    saved_scenario,
    scenario_store,
)
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import open_store

LA = "839"
COSTS = {"mainstream": 8000.0, "special_maintained": 25000.0, "independent": 60000.0, "post16": 12000.0,
         "eotas": 20000.0}


@pytest.fixture(scope="module")
def store(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> DeltaStore:
    return open_store(copy_store(built_store.root, tmp_path_factory.mktemp("scenarios") / "store"), la=LA)


def test_a_scenario_is_saved_by_name_as_a_version_of_its_authority(store: DeltaStore) -> None:
    mix, source, _ = placement_mix(current_dfe(store), LA)
    high = SavedScenario(name="high", request_growth=5.0, leaving=0.08, mix=mix, costs=COSTS, mix_source=source,
                         author="a@example.org")
    first = save_scenario(store, high)
    assert first is not None and save_scenario(store, high.model_copy(update={"created_at": "later"})) is None
    again = save_scenario(store, high.model_copy(update={"request_growth": 6.0}))
    assert again is not None and again.id > first.id
    saved = read_scenarios(store)
    assert list(saved) == ["high"] and saved["high"].request_growth == 6.0 and saved["high"].costs == COSTS
    assert saved["high"].mix == pytest.approx(mix) and saved["high"].scenario.leaving == 0.08
    assert read_scenarios(store.authority("835")) == {}  # another authority's partition holds none of them
    assert [v.action for v in scenario_store(store).versions()][-2:] == ["scenario", "scenario"]


def test_an_unknown_name_names_the_saved_ones(store: DeltaStore) -> None:
    save_scenario(store, SavedScenario(name="low", request_growth=-5.0))
    with pytest.raises(UnknownScenario, match=r"no scenario named 'mid' .* \(saved: 'high', 'low'\)"):
        saved_scenario(store, "mid")


@pytest.mark.parametrize(("fields", "says"), [
    ({"name": ""}, "at least 1 character"),
    ({"name": "x", "mix": {"mainstream": 0.5, "eotas": 0.2}}, "add up to 70.0%"),
    ({"name": "x", "costs": {"boarding": 1.0}}, "not a placement: boarding"),
    ({"name": "x", "costs": {"eotas": -1.0}}, "at least 0"),
])
def test_a_bad_scenario_is_refused_before_anything_is_written(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        SavedScenario.model_validate(fields)


def test_dfe_mix_is_the_latest_census_shares(store: DeltaStore) -> None:
    dfe = current_dfe(store)
    found = dfe_mix(dfe, LA)
    assert found is not None
    mix, census = found
    assert census == "2025-01" and sum(mix.values()) == pytest.approx(1.0) and set(mix) == set(PLACEMENTS)
    rows = dfe[(dfe["dataset"] == "caseload") & (dfe["old_la_code"] == LA) & (dfe["period"] == census)
               & (dfe["geographic_level"] == "local_authority")].set_index("indicator")["value"].astype(float)
    assert mix["post16"] / mix["eotas"] == pytest.approx(rows["fe_total"] / rows["ed_elsewhere"])
    assert dfe_mix(dfe, "000") is None


def test_cost_projection_is_plans_times_mix_times_cost_with_the_same_interval(store: DeltaStore) -> None:
    fc = forecast(store, LA, "ehcps", 2)
    mix, _, _ = placement_mix(current_dfe(store), LA)
    costs = cost_projection(fc, mix, COSTS)
    total = costs[costs["placement"] == "total"].reset_index(drop=True)
    per_plan = sum(mix[p] * COSTS[p] for p in PLACEMENTS)
    for point, row in zip(fc.points, total.itertuples(), strict=True):
        assert row.cost == pytest.approx(point.value * per_plan)
        assert row.lower == pytest.approx(point.lower * per_plan) and row.upper == pytest.approx(point.upper * per_plan)
    assert len(costs) == 2 * (len(PLACEMENTS) + 1) and not math.isnan(costs["cost"].sum())


def test_the_excel_download_holds_the_forecast_and_its_costs(store: DeltaStore) -> None:
    fc = forecast(store, LA, "ehcps", 2)
    mix, _, _ = placement_mix(current_dfe(store), LA)
    book = openpyxl.load_workbook(io.BytesIO(forecast_workbook(fc, cost_projection(fc, mix, COSTS))))
    assert book.sheetnames == ["About", "Forecast", "Costs"]
    assert [c.value for c in book["Forecast"]["A"]] == ["period", "2026-01", "2027-01"]
    assert book["Costs"].max_row == 1 + 2 * (len(PLACEMENTS) + 1)


def test_nowcast_from_own_monthly_figures_past_the_census(store: DeltaStore, tmp_path: Path) -> None:
    assert nowcast_store(store, LA) is None  # the bundled figures end at DfE's latest census, 2025-01
    later = open_store(copy_store(store.root, tmp_path / "store"), la=LA)
    months = {f"2025-{m:02d}": 4453 + 40 * (m - 1) for m in range(2, 7)}
    (tmp_path / "later.csv").write_text("kpi_id,period,value\n" + "".join(f"ehcps,{p},{v}\n" for p, v in months.items()))
    load_file(later, tmp_path / "later.csv", store_catalogue(later))
    made = nowcast_store(later, LA)
    assert made is not None and made.census == "2026-01" and made.latest_period == "2025-06" and made.months == 7
    assert made.scale == pytest.approx(4432 / 4453) and made.value > made.latest_value * made.scale
