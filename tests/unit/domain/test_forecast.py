"""The forecast arithmetic on panels made here, where the right answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendlib.domain import forecast as F


def _panel(values: np.ndarray, regions: list[str] | None = None, measure: str = "ehcps") -> F.Panel:
    n, t = values.shape
    periods = tuple(f"{2019 + i}-01" for i in range(t)) if measure == "ehcps" else tuple(str(2019 + i) for i in range(t))
    return F.Panel(measure, periods, tuple(f"{800 + i}" for i in range(n)), tuple(f"LA {i}" for i in range(n)),
                   tuple(regions or ["R1"] * n), values, np.nansum(values, axis=0))


def test_next_period_keeps_census_month_and_calendar_year() -> None:
    assert F.next_period("2025-01", 2) == "2027-01"
    assert F.next_period("2024", 1) == "2025"


def test_simple_methods_on_a_known_series() -> None:
    values = np.array([[100.0, 110.0, 121.0, 145.2]])  # growth 10%, 10%, 20%
    out = F.simple_forecasts(values, 2)
    assert out["last_growth"][0] == pytest.approx([145.2 * 1.2, 145.2 * 1.44])
    assert out["average_growth"][0, 0] == pytest.approx(145.2 * (1 + 0.4 / 3))
    assert out["weighted_growth"][0, 0] == pytest.approx(145.2 * (1 + (0.1 + 0.2 + 0.6) / 6))
    line = np.polyfit(np.arange(4), values[0], 1)
    assert out["linear_trend"][0] == pytest.approx(np.polyval(line, [4, 5]))


def test_pooled_growth_recovers_a_common_rate_and_shrinks_noise() -> None:
    rng = np.random.default_rng(1)
    growth = 0.08 + rng.normal(0, 0.05, size=(60, 6))
    values = 1000 * np.exp(np.cumsum(np.c_[np.zeros(60), growth], axis=1))
    fit = F.fit_pooled(_panel(values))
    assert fit.england + fit.region.mean() == pytest.approx(0.08, abs=0.02)
    own_mean = np.nanmean(np.diff(np.log(values), axis=1), axis=1) - 0.08
    assert np.abs(fit.own).mean() < np.abs(own_mean).mean()  # pure noise: the deviations are pulled in
    assert 0 <= fit.weight < 0.5


def test_persistent_differences_are_kept() -> None:
    rates = np.repeat([0.02, 0.15], 30)
    values = 500 * np.exp(np.outer(rates, np.arange(6)) + np.random.default_rng(2).normal(0, 0.01, (60, 6)))
    fit = F.fit_pooled(_panel(values))
    assert fit.weight > 0.9
    growth = fit.growth(3)
    assert growth[0, 0] == pytest.approx(0.02, abs=0.01) and growth[-1, 0] == pytest.approx(0.15, abs=0.01)
    assert abs(growth[-1, 2] - growth[-1, 0]) > 0  # damped toward the pooled rate further out


def test_an_authority_with_too_little_history_gets_no_forecast() -> None:
    values = np.array([[np.nan, np.nan, np.nan, 10.0, 12.0], [5.0, 6.0, 7.0, 8.0, 9.0]])
    out = F.all_forecasts(_panel(values), 2)
    assert all(np.isnan(f[0]).all() and np.isfinite(f[1]).all() for f in out.values())


def test_backtest_intervals_use_only_errors_seen_before_the_origin() -> None:
    rng = np.random.default_rng(3)
    values = 800 * np.exp(np.cumsum(0.1 + rng.normal(0, 0.04, (40, 7)), axis=1))
    bt = F.backtest(_panel(values))
    first = bt[bt["origin"] == "2021-01"]
    assert first["lower"].isna().all()  # nothing was yet known about errors at the first origin
    later = bt[(bt["origin"] == "2023-01") & (bt["horizon"] == 1) & (bt["method"] == F.MODEL)]
    seen = bt[(bt["horizon"] == 1) & (bt["method"] == F.MODEL) & (bt["period"] <= "2023-01")]
    q = np.quantile(np.log(seen["actual"] / seen["forecast"]), F.QUANTILES)
    assert later["lower"].to_numpy() == pytest.approx(later["forecast"].to_numpy() * np.exp(q[0]))
    assert set(bt["method"]) == set(F.METHODS)


def test_new_plans_are_requests_times_conversion() -> None:
    requests = _panel(np.tile([100.0, 110.0, 121.0, 133.1], (25, 1)), measure="requests")
    plans = F.Panel("new-plans", requests.periods, requests.codes, requests.names, requests.regions,
                    requests.values * 0.6, requests.england * 0.6)
    out = F.model_forecast(plans, 2, requests)
    start = F.start_level(requests)[0]
    assert out[0] == pytest.approx([start * 1.1 * 0.6, start * 1.21 * 0.6], rel=1e-6)  # both routes agree here


def test_a_flow_starts_half_way_to_its_own_trend_and_a_census_from_its_latest() -> None:
    values = np.array([[100.0, 110.0, 120.0, 160.0]])  # a jump in the last year
    trend = np.polyval(np.polyfit(np.arange(4), values[0], 1), 3)
    assert F.start_level(_panel(values, measure="requests"))[0] == pytest.approx(np.sqrt(160.0 * trend))
    assert F.start_level(_panel(values))[0] == 160.0


def test_panel_from_dfe_rows() -> None:
    rows = pd.DataFrame({
        "release": "r", "dataset": "caseload", "indicator": "ehcplans", "period": ["2024-01", "2025-01", "2024-01"],
        "geographic_level": ["local_authority", "local_authority", "national"], "region_code": "E1",
        "old_la_code": ["839", "839", None], "la_name": ["Dorset", "Dorset", None], "value": [10.0, 12.0, 100.0]})
    panel = F.panel_of(rows, "ehcps")
    assert panel.periods == ("2024-01", "2025-01") and panel.codes == ("839",)
    assert panel.values.tolist() == [[10.0, 12.0]] and panel.england[0] == 100.0


def test_a_nowcast_carries_the_own_monthly_trend_to_the_census_on_dfe_scale() -> None:
    monthly = {f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}": 1000 * 1.01 ** m for m in range(1, 19)}  # to 2025-06
    census = (("2024-01", 1200.0), ("2025-01", 1100.0))
    made = F.nowcast(monthly, census)
    assert made is not None and made.census == "2026-01" and made.latest_period == "2025-06" and made.months == 7
    assert made.scale == pytest.approx(1100.0 / monthly["2025-01"])
    assert made.value == pytest.approx(monthly["2025-06"] * 1.01**7 * made.scale)
    assert F.nowcast({k: v for k, v in monthly.items() if k <= "2025-01"}, census) is None  # nothing past the census
