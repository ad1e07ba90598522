"""Demand forecasts from DfE's published series, and their back-tests: pure arithmetic on one DfE release.

Four simple methods (as councils' spreadsheets use) and the pooled growth model (docs/forecasting.md says why): each
authority's log growth is its region's and England's plus its own deviation, the deviation shrunk toward zero by an
empirical-Bayes weight (between-authority against within-authority variance) and damped over the horizon. New plans
are forecast as requests times the authority's (shrunk) conversion rate. Intervals come from back-test errors: the
empirical quantiles of log(actual / forecast) by method and horizon, across authorities and earlier origins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

MODEL = "pooled"
SIMPLE_METHODS = ("average_growth", "last_growth", "weighted_growth", "linear_trend")
METHODS = (MODEL, *SIMPLE_METHODS)
METHOD_WORDS = {
    "pooled": "pooled growth model",
    "average_growth": "average growth",
    "last_growth": "last year's growth",
    "weighted_growth": "weighted average growth",
    "linear_trend": "linear trend",
}
MIN_POINTS = 3  # consecutive published figures ending at the origin: two growth rates, the least a trend rests on
MAX_HORIZON = 5
DAMPING = 0.8  # each year ahead keeps 80% of the authority's own deviation from its pooled rate
MIN_ERRORS = 20  # back-test errors an interval needs at a horizon before it borrows a shorter horizon's, widened
QUANTILES = (0.10, 0.25, 0.75, 0.90)


@dataclass(frozen=True)
class MeasureSource:
    """Where a forecast measure lives in the DfE table."""

    id: str
    dataset: str
    indicator: str
    census: bool
    label: str


MEASURES: dict[str, MeasureSource] = {
    "ehcps": MeasureSource("ehcps", "caseload", "ehcplans", True, "EHC plans at the January census"),
    "requests": MeasureSource("requests", "requests", "requests_received_in_year", False,
                              "requests for an EHC needs assessment in the calendar year"),
    "new-plans": MeasureSource("new-plans", "timeliness_20_week", "plans_issued_den", False,
                               "new EHC plans issued in the calendar year"),
}


class TooLittleHistory(ValueError):
    """An authority without MIN_POINTS consecutive published figures ending at the latest period."""


def next_period(period: str, steps: int) -> str:
    """`2025-01` + 2 is `2027-01` (a January census); `2024` + 2 is `2026` (a calendar year)."""
    year, _, month = period.partition("-")
    return f"{int(year) + steps}-{month}" if month else str(int(year) + steps)


@dataclass(frozen=True)
class Panel:
    """One measure for every authority: values[authority, period], NaN where DfE published no figure."""

    measure: str
    periods: tuple[str, ...]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    regions: tuple[str, ...]
    values: np.ndarray
    england: np.ndarray
    release: str = ""

    def cut(self, last: int) -> Panel:
        """The panel as it stood at period index `last` (nothing after it)."""
        return replace(self, periods=self.periods[: last + 1], values=self.values[:, : last + 1],
                       england=self.england[: last + 1])

    def upto(self, period: str) -> Panel:
        return self.cut(max(i for i, p in enumerate(self.periods) if p <= period))

    def row(self, code: str) -> int:
        return self.codes.index(code)

    def aligned(self, other: Panel) -> Panel:
        """This measure on `other`'s authorities and periods (NaN where this one has none)."""
        frame = pd.DataFrame(self.values, index=list(self.codes), columns=list(self.periods))
        frame = frame.reindex(index=list(other.codes), columns=list(other.periods))
        eng = pd.Series(self.england, index=list(self.periods)).reindex(list(other.periods))
        return replace(self, periods=other.periods, codes=other.codes, names=other.names, regions=other.regions,
                       values=frame.to_numpy(dtype=float), england=eng.to_numpy(dtype=float))


def panel_of(dfe: pd.DataFrame, measure: str) -> Panel:
    """The measure's series for every authority from DfE's rows (the store's `dfe` table)."""
    source = MEASURES[measure]
    rows = dfe[(dfe["dataset"] == source.dataset) & (dfe["indicator"] == source.indicator)]
    las = rows[rows["geographic_level"] == "local_authority"]
    wide = las.pivot_table(index="old_la_code", columns="period", values="value", aggfunc="first").astype(float)
    periods = tuple(sorted(str(p) for p in rows["period"].dropna().unique()))
    wide = wide.reindex(columns=list(periods))
    about = las.drop_duplicates("old_la_code", keep="last").set_index("old_la_code")
    national = rows[rows["geographic_level"] == "national"].set_index("period")["value"].astype(float)
    england = national[~national.index.duplicated()].reindex(list(periods)).to_numpy(dtype=float)
    codes = tuple(str(c) for c in wide.index)
    release = str(rows["release"].dropna().iloc[-1]) if rows["release"].notna().any() else ""
    return Panel(measure, periods, codes, tuple(str(about.at[c, "la_name"]) for c in codes),
                 tuple(str(about.at[c, "region_code"]) for c in codes), wide.to_numpy(dtype=float), england, release)


def eligible(values: np.ndarray) -> np.ndarray:
    """Authorities with MIN_POINTS consecutive positive figures ending at the last period."""
    tail = values[:, -MIN_POINTS:]
    return np.asarray(bool(values.shape[1] >= MIN_POINTS) & np.all(np.isfinite(tail) & (tail > 0), axis=1))


def _log_growth(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.log(values[:, 1:] / values[:, :-1])
    growth[~np.isfinite(growth)] = np.nan
    return np.asarray(growth)


def _recency(n: int) -> np.ndarray:
    """Weights 1, 2, …, n: the latest year counts most (Data to Insight's weighted average)."""
    return np.arange(1, n + 1, dtype=float)


def _weighted_mean(x: np.ndarray) -> np.ndarray:
    """Row-wise recency-weighted mean of the finite entries (NaN for a row with none)."""
    w = np.where(np.isfinite(x), _recency(x.shape[1]), 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nansum(np.nan_to_num(x) * w, axis=1) / total, np.nan)


def _compound(last: np.ndarray, growth: np.ndarray) -> np.ndarray:
    """last × exp(cumulative log growth), growth (n, H)."""
    return np.asarray(last[:, None] * np.exp(np.cumsum(growth, axis=1)))


def simple_forecasts(values: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
    """The four simple methods for every authority: method -> (authorities, horizon)."""
    last = values[:, -1]
    steps = np.arange(1, horizon + 1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[:, 1:] / values[:, :-1] - 1
    ratio[~np.isfinite(ratio)] = np.nan
    counted = np.isfinite(ratio).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(counted > 0, np.nansum(ratio, axis=1) / counted, np.nan)
    last_growth = ratio[:, -1] if ratio.shape[1] else np.full(len(last), np.nan)
    return {
        "average_growth": last[:, None] * (1 + average[:, None]) ** steps,
        "last_growth": last[:, None] * (1 + last_growth[:, None]) ** steps,
        "weighted_growth": last[:, None] * (1 + _weighted_mean(ratio)[:, None]) ** steps,
        "linear_trend": _linear_trend(values, steps),
    }


def _linear_trend(values: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Least-squares line through each authority's published figures, extended; never below zero."""
    x = np.arange(values.shape[1], dtype=float)
    mask = np.isfinite(values)
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        xbar = (mask * x).sum(axis=1) / n
        ybar = np.nansum(values, axis=1) / n
        dx = np.where(mask, x - xbar[:, None], 0.0)
        slope = (dx * np.nan_to_num(values - ybar[:, None])).sum(axis=1) / (dx**2).sum(axis=1)
    at = x[-1] + steps
    return np.asarray(np.maximum(ybar[:, None] + slope[:, None] * (at[None, :] - xbar[:, None]), 0.0))


def shrunk_deviation(dev: np.ndarray) -> tuple[np.ndarray, float]:
    """Each row's recency-weighted mean deviation shrunk toward zero by the empirical-Bayes weight
    tau² / (tau² + s²/n_eff): tau² the between-row variance of the true means, s² the within-row variance. A row
    with little or noisy history borrows the most. Returns the shrunk means (0 for a row with no data) and the mean
    weight."""
    finite = np.isfinite(dev)
    w = np.where(finite, _recency(dev.shape[1]), 0.0)
    sw = w.sum(axis=1)
    has = sw > 0
    if not has.any():
        return np.zeros(dev.shape[0]), 0.0
    mean = np.where(has, _weighted_mean(dev), 0.0)
    n_eff = np.where(has, sw**2 / np.maximum((w**2).sum(axis=1), 1e-12), 0.0)
    resid = np.where(finite, dev - mean[:, None], 0.0)
    dof = max(float(finite.sum() - has.sum()), 1.0)
    s2 = float((resid**2).sum() / dof)
    tau2 = max(float(np.var(mean[has])) - float(np.mean(s2 / n_eff[has])), 1e-6)
    weight = np.where(has, tau2 / (tau2 + s2 / np.maximum(n_eff, 1e-12)), 0.0)
    return weight * mean, float(weight[has].mean())


def _group_growth(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Log growth of each group's total, over the authorities with a figure both years (boundary changes aside)."""
    out = np.full((n_groups, values.shape[1] - 1), np.nan)
    both = np.isfinite(values[:, 1:]) & np.isfinite(values[:, :-1])
    for g in range(n_groups):
        rows = groups == g
        now = np.where(both[rows], values[rows, 1:], 0.0).sum(axis=0)
        before = np.where(both[rows], values[rows, :-1], 0.0).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[g] = np.where((now > 0) & (before > 0), np.log(now / before), np.nan)
    return out


def _england_growth(panel: Panel) -> np.ndarray:
    everyone = np.zeros(len(panel.codes), dtype=int)
    summed = _group_growth(panel.values, everyone, 1)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        published = np.log(panel.england[1:] / panel.england[:-1])
    return np.asarray(np.where(np.isfinite(published), published, summed))


@dataclass(frozen=True)
class PooledFit:
    """The pooled growth model's pieces for every authority (log growth a year)."""

    england: float
    region: np.ndarray
    own: np.ndarray
    weight: float

    def growth(self, horizon: int, damping: float = DAMPING) -> np.ndarray:
        pooled = self.england + self.region
        steps = damping ** np.arange(horizon, dtype=float)
        return pooled[:, None] + self.own[:, None] * steps[None, :]


def fit_pooled(panel: Panel) -> PooledFit:
    """England's recent growth, each region's shrunk deviation from it, each authority's shrunk deviation from its
    region."""
    region_ids, groups = np.unique(np.array(panel.regions), return_inverse=True)
    region_growth = _group_growth(panel.values, groups, len(region_ids))
    england = _england_growth(panel)
    region_dev, _ = shrunk_deviation(region_growth - england[None, :])
    own, weight = shrunk_deviation(_log_growth(panel.values) - region_growth[groups])
    level = float(_weighted_mean(england[None, :])[0])
    return PooledFit(level if math.isfinite(level) else 0.0, region_dev[groups], own, weight)


def _log_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(a / b)
    out[~np.isfinite(out)] = np.nan
    return np.asarray(out)


def conversion_rates(plans: Panel, requests: Panel) -> np.ndarray:
    """Each authority's new plans per request, shrunk toward its region's and England's (requests aligned to plans)."""
    region_ids, groups = np.unique(np.array(plans.regions), return_inverse=True)
    both = np.isfinite(plans.values) & np.isfinite(requests.values)
    region = np.full((len(region_ids), len(plans.periods)), np.nan)
    for g in range(len(region_ids)):
        rows = groups == g
        region[g] = _log_ratio(np.where(both[rows], plans.values[rows], 0.0).sum(axis=0)[None, :],
                               np.where(both[rows], requests.values[rows], 0.0).sum(axis=0)[None, :])[0]
    england = _log_ratio(np.where(both, plans.values, 0.0).sum(axis=0)[None, :],
                         np.where(both, requests.values, 0.0).sum(axis=0)[None, :])
    region_dev, _ = shrunk_deviation(region - england)
    own, _ = shrunk_deviation(_log_ratio(plans.values, requests.values) - region[groups])
    level = float(_weighted_mean(england)[0])
    return np.asarray(np.exp(level + region_dev[groups] + own))


def start_level(panel: Panel) -> np.ndarray:
    """Where the model's growth starts: a census count's latest figure (a stock: most plans at one census are there
    at the next), but for a calendar-year count (a flow, whose latest figure carries that one year's noise) the
    geometric mean of the latest figure and the authority's own linear trend's value for that year."""
    last = panel.values[:, -1]
    if MEASURES[panel.measure].census:
        return np.asarray(last)
    trend = _linear_trend(panel.values, np.zeros(1))[:, 0]
    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(trend > 0, np.sqrt(last * trend), last))


def model_forecast(panel: Panel, horizon: int, requests: Panel | None = None) -> np.ndarray:
    """The model for every authority: pooled growth from the start level. For new plans, the geometric mean of two
    routes: their own pooled growth, and requests' pooled growth × the conversion rate (where an authority has
    requests)."""
    own = _compound(start_level(panel), fit_pooled(panel).growth(horizon))
    if requests is None:
        return own
    req = requests.aligned(panel)
    converted = _compound(start_level(req), fit_pooled(req).growth(horizon)) * conversion_rates(panel, req)[:, None]
    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(np.isfinite(converted) & (converted > 0), np.sqrt(own * converted), own))


def all_forecasts(panel: Panel, horizon: int, requests: Panel | None = None) -> dict[str, np.ndarray]:
    """Every method for every authority: method -> (authorities, horizon); NaN where an authority is not eligible."""
    out = {MODEL: model_forecast(panel, horizon, requests), **simple_forecasts(panel.values, horizon)}
    ok = eligible(panel.values)
    return {m: np.where(ok[:, None] & np.isfinite(f) & (f >= 0), f, np.nan) for m, f in out.items()}


BACKTEST_COLUMNS = ["la_code", "la_name", "origin", "horizon", "period", "method", "forecast", "lower", "upper",
                    "lower50", "upper50", "actual", "error_pct", "covered80", "covered50"]


def _point_rows(panel: Panel, requests: Panel | None) -> pd.DataFrame:
    frames = []
    for o in range(MIN_POINTS - 1, len(panel.periods) - 1):
        cut = panel.cut(o)
        horizon = len(panel.periods) - 1 - o
        req = requests.upto(panel.periods[o]) if requests is not None else None
        for method, f in all_forecasts(cut, horizon, req).items():
            actual = panel.values[:, o + 1:]
            keep = np.isfinite(f) & np.isfinite(actual) & (actual > 0) & (f > 0)
            la, h = np.nonzero(keep)
            frames.append(pd.DataFrame({
                "la_code": np.array(panel.codes)[la], "la_name": np.array(panel.names)[la], "origin": panel.periods[o],
                "origin_index": o, "horizon": h + 1, "period": np.array(panel.periods)[o + 1 + h], "method": method,
                "forecast": f[la, h], "actual": actual[la, h]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["origin_index", *BACKTEST_COLUMNS])


Quantiles = Mapping[tuple[str, int], tuple[float, float, float, float]]


def error_quantiles(errors: pd.DataFrame, horizon: int) -> dict[tuple[str, int], tuple[float, float, float, float]]:
    """Quantiles (10, 25, 75, 90%) of log(actual / forecast) by method and horizon; a horizon with fewer than
    MIN_ERRORS errors borrows the longest shorter one's, widened in proportion (h / h'): a growth error persists, so it adds up year on year."""
    out: dict[tuple[str, int], tuple[float, float, float, float]] = {}
    log_err = np.log(errors["actual"].to_numpy(float) / errors["forecast"].to_numpy(float))
    for method in METHODS:
        base: tuple[int, np.ndarray] | None = None
        for h in range(1, horizon + 1):
            sel = (errors["method"].to_numpy() == method) & (errors["horizon"].to_numpy() == h)
            if sel.sum() >= MIN_ERRORS:
                q = np.quantile(log_err[sel], QUANTILES)
                base = (h, q)
            elif base is not None:
                q = base[1] * (h / base[0])
            else:
                continue
            out[(method, h)] = (float(q[0]), float(q[1]), float(q[2]), float(q[3]))
    return out


def backtest(panel: Panel, requests: Panel | None = None) -> pd.DataFrame:
    """Every authority × origin × horizon × method: the forecast made with the data up to the origin, its intervals
    from the errors already seen by then (targets at or before the origin), what DfE later published and the error."""
    rows = _point_rows(panel, requests)
    if rows.empty:
        return rows.reindex(columns=BACKTEST_COLUMNS)
    target = rows["origin_index"] + rows["horizon"]
    parts = []
    for o, block in rows.groupby("origin_index"):
        quantiles = error_quantiles(rows[target <= o], MAX_HORIZON)
        parts.append(_with_intervals(block, quantiles))
    out = pd.concat(parts, ignore_index=True)
    out["error_pct"] = (out["forecast"] - out["actual"]) / out["actual"] * 100
    out["covered80"] = np.where(out["lower"].notna(), (out["actual"] >= out["lower"]) & (out["actual"] <= out["upper"]),
                                np.nan)
    out["covered50"] = np.where(out["lower50"].notna(),
                                (out["actual"] >= out["lower50"]) & (out["actual"] <= out["upper50"]), np.nan)
    return out[BACKTEST_COLUMNS].reset_index(drop=True)


def backtest_dfe(dfe: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Every authority × origin × horizon × method of one measure from DfE's rows: forecast, intervals, outcome."""
    panels = panels_of(dfe)
    return backtest(panels[measure], panels["requests"] if measure == "new-plans" else None)


def _with_intervals(block: pd.DataFrame, quantiles: Quantiles) -> pd.DataFrame:
    nan = (math.nan,) * 4
    q = np.array([quantiles.get((m, int(h)), nan) for m, h in zip(block["method"], block["horizon"], strict=True)])
    q = q.reshape(len(block), 4)
    f = block["forecast"].to_numpy(float)[:, None]
    out = block.copy()
    out[["lower", "lower50", "upper50", "upper"]] = f * np.exp(q)
    return out


@dataclass(frozen=True)
class ForecastPoint:
    """One period ahead: the central forecast, its 80% and 50% intervals and the method that made it."""

    period: str
    value: float
    lower: float
    upper: float
    lower50: float
    upper50: float
    method: str


@dataclass(frozen=True)
class Accuracy:
    """A method's back-test record at one horizon: mean absolute percentage error over the forecasts it made."""

    method: str
    horizon: int
    mape: float
    forecasts: int
    origins: tuple[str, ...]


@dataclass(frozen=True)
class Forecast:
    """An authority's forecast of one measure from one DfE release: the points, the history it rests on, the inputs
    (named for a reader), the fitted rates the scenarios start from, and the back-test record."""

    la_code: str
    la_name: str
    measure: str
    method: str
    origin: str
    points: tuple[ForecastPoint, ...]
    history: tuple[tuple[str, float], ...]
    inputs: tuple[str, ...]
    release: str = ""
    rates: Mapping[str, float] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """One row a period: period, value, lower, upper, lower50, upper50, method (the CLI's contract)."""
        return pd.DataFrame([p.__dict__ for p in self.points],
                            columns=["period", "value", "lower", "upper", "lower50", "upper50", "method"])


def forecast_points(values: np.ndarray, periods: tuple[str, ...], quantiles: Quantiles, method: str) -> tuple[
        ForecastPoint, ...]:
    """Points for one authority's central forecasts `values` (one a horizon) after the last of `periods`."""
    nan = (math.nan,) * 4
    out = []
    for h, v in enumerate(values, start=1):
        q = quantiles.get((method, h), nan)
        lo, lo50, hi50, hi = (float(v * math.exp(x)) for x in q)
        out.append(ForecastPoint(next_period(periods[-1], h), float(v), lo, hi, lo50, hi50, method))
    return tuple(out)


def history_of(panel: Panel, row: int) -> tuple[tuple[str, float], ...]:
    return tuple((p, float(v)) for p, v in zip(panel.periods, panel.values[row], strict=True) if math.isfinite(v))


@dataclass(frozen=True)
class Scenario:
    """Changes to the fitted rates: request growth in percentage points a year added to the forecast's; conversion
    (new plans per request) and leaving rate (plans ceasing a year per plan) as values, None for the fitted one."""

    request_growth: float = 0.0
    conversion: float | None = None
    leaving: float | None = None

    @property
    def fitted(self) -> bool:
        return self == Scenario()

    def words(self) -> str:
        parts = [f"request growth {self.request_growth:+.1f} points a year" if self.request_growth else "",
                 f"conversion {self.conversion:.2f} new plans a request" if self.conversion is not None else "",
                 f"leaving rate {self.leaving:.3f} a year" if self.leaving is not None else ""]
        return ", ".join(p for p in parts if p) or "the fitted rates"


def leaving_rate(plans: np.ndarray, new_plans: np.ndarray) -> float:
    """Plans that ceased a year per plan at the census, from (plans_t + new plans in year t − plans_t+1) / plans_t,
    census t's and year t's figures aligned; recency-weighted over the years there are, 0 to 0.5."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (plans[:-1] + new_plans[:-1] - plans[1:]) / plans[:-1]
    mean = float(_weighted_mean(np.where(np.isfinite(rate), rate, np.nan)[None, :])[0])
    return min(max(mean, 0.0), 0.5) if math.isfinite(mean) else 0.1


def stock_flow(start: float, new_plans: np.ndarray, leaving: float) -> np.ndarray:
    """Plans at each census ahead: last census's plans kept (1 − leaving) plus the year's new plans."""
    out, plans = [], start
    for n in new_plans:
        plans = plans * (1 - leaving) + float(n)
        out.append(plans)
    return np.array(out)


def scenario_factors(measure: str, scenario: Scenario, rates: Mapping[str, float], horizon: int,
                     last: float, new_plans: np.ndarray | None) -> np.ndarray:
    """What each period's forecast (and its interval) is multiplied by under the scenario: 1 at the fitted rates."""
    steps = np.arange(1, horizon + 1, dtype=float)
    grow = (1 + scenario.request_growth / 100) ** steps
    convert = (scenario.conversion / rates["conversion"]) if scenario.conversion and rates.get("conversion") else 1.0
    if measure == "requests":
        return np.asarray(grow)
    if measure == "new-plans":
        return np.asarray(grow * convert)
    if new_plans is None or not math.isfinite(last):
        return np.ones(horizon)
    leaving = rates.get("leaving", 0.1) if scenario.leaving is None else scenario.leaving
    fitted = stock_flow(last, new_plans, rates.get("leaving", 0.1))
    changed = stock_flow(last, new_plans * grow * convert, leaving)
    return np.asarray(changed / fitted)


def _authority_row(panel: Panel, la: str) -> int:
    if la not in panel.codes:
        raise TooLittleHistory(f"DfE's release has no {MEASURES[panel.measure].label} for this authority")
    row = panel.row(la)
    if not eligible(panel.values[row: row + 1])[0]:
        have = len(history_of(panel, row))
        raise TooLittleHistory(
            f"{panel.names[row]} has {have} published figure{'s' if have != 1 else ''} of "
            f"{MEASURES[panel.measure].label} ending at {panel.periods[-1]}; a forecast needs {MIN_POINTS} in a row "
            "ending at the latest, so none is made rather than a guess")
    return row


def _rates(panels: Mapping[str, Panel], la: str) -> dict[str, float]:
    """The fitted rates a scenario starts from: request growth (the model's next year, %), conversion, leaving."""
    out: dict[str, float] = {}
    req, plans, ehcps = panels["requests"], panels["new-plans"], panels["ehcps"]
    if la in req.codes:
        out["request_growth"] = float(np.expm1(fit_pooled(req).growth(1)[req.row(la), 0]) * 100)
    if la in plans.codes:
        out["conversion"] = float(conversion_rates(plans, req.aligned(plans))[plans.row(la)])
    if la in ehcps.codes and la in plans.codes:
        years = [p.split("-")[0] for p in ehcps.periods]
        flows = pd.Series(plans.values[plans.row(la)], index=list(plans.periods)).reindex(years).to_numpy(float)
        out["leaving"] = leaving_rate(ehcps.values[ehcps.row(la)], flows)
    return out


def panels_of(dfe: pd.DataFrame) -> dict[str, Panel]:
    return {m: panel_of(dfe, m) for m in MEASURES}


def _new_plans_ahead(panels: Mapping[str, Panel], la: str, origin: str, horizon: int) -> np.ndarray | None:
    """The model's new plans in each calendar year from the origin census's year on, or None without them."""
    plans = panels["new-plans"]
    if la not in plans.codes or not eligible(plans.values[plans.row(la): plans.row(la) + 1])[0]:
        return None
    first = int(origin.split("-")[0])
    ahead = first + horizon - 1 - int(plans.periods[-1])
    if ahead < 1:
        return None
    f = model_forecast(plans, ahead, panels["requests"])[plans.row(la)]
    years = [int(plans.periods[-1]) + h for h in range(1, ahead + 1)]
    known = {int(p): v for p, v in zip(plans.periods, plans.values[plans.row(la)], strict=True)}
    series = [known.get(y, f[years.index(y)] if y in years else math.nan) for y in range(first, first + horizon)]
    return np.array(series, dtype=float)


def forecast_for(dfe: pd.DataFrame, la: str, measure: str, horizon: int = MAX_HORIZON,
                 scenario: Scenario | None = None, record: pd.DataFrame | None = None) -> Forecast:
    """One authority's forecast of one measure from DfE's rows (one release): the model's, with intervals from the
    back-test of every authority (`record`, computed when not given) and the scenario applied."""
    panels = panels_of(dfe)
    panel = panels[measure]
    row = _authority_row(panel, la)
    requests = panels["requests"] if measure == "new-plans" else None
    record = backtest(panel, requests) if record is None else record
    central = model_forecast(panel, horizon, requests)[row]
    rates = _rates(panels, la)
    points = forecast_points(central, panel.periods, error_quantiles(record, horizon), MODEL)
    if scenario is not None and not scenario.fitted:
        new_plans = _new_plans_ahead(panels, la, panel.periods[-1], horizon) if measure == "ehcps" else None
        factors = scenario_factors(measure, scenario, rates, horizon, float(panel.values[row, -1]), new_plans)
        points = tuple(replace(p, value=p.value * k, lower=p.lower * k, upper=p.upper * k, lower50=p.lower50 * k,
                               upper50=p.upper50 * k) for p, k in zip(points, factors, strict=True))
    source = MEASURES[measure]
    inputs = [f"DfE: {source.dataset}.{source.indicator}, {panel.periods[0]} to {panel.periods[-1]}, "
              f"{sum(np.isfinite(panel.values[:, -1]))} authorities", f"release: {panel.release or 'unnamed'}"]
    if requests is not None:
        inputs.append(f"DfE: requests.requests_received_in_year to {requests.periods[-1]} (conversion)")
    if scenario is not None and not scenario.fitted:
        inputs.append(f"scenario: {scenario.words()}")
    return Forecast(la, panel.names[row], measure, MODEL, panel.periods[-1], points, history_of(panel, row),
                    tuple(inputs), panel.release, rates)


def accuracy(record: pd.DataFrame, la: str | None = None, origins: int | None = None) -> list[Accuracy]:
    """MAPE by method and horizon over the back-test (one authority's rows, or all), the last `origins` origins."""
    rows = record if la is None else record[record["la_code"] == la]
    if origins is not None:
        rows = rows[rows["origin"].isin(sorted(rows["origin"].unique())[-origins:])]
    out = []
    for (method, h), block in rows.groupby(["method", "horizon"]):
        out.append(Accuracy(str(method), int(str(h)), float(block["error_pct"].abs().mean()), len(block),
                            tuple(sorted(block["origin"].unique()))))
    return out


@dataclass(frozen=True)
class Nowcast:
    """The next January census from the authority's own monthly figures: its latest, on its own recent monthly trend
    to the census month, on DfE's scale (DfE's census over the authority's own figure for the same January)."""

    census: str
    value: float
    latest_period: str
    latest_value: float
    months: int
    scale: float


NOWCAST_MONTHS = 12  # the own monthly figures a nowcast's trend is fitted over (at least half of them held)


def _month_index(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def nowcast(monthly: Mapping[str, float], census: tuple[tuple[str, float], ...]) -> Nowcast | None:
    """A nowcast of the census after DfE's latest (`census`: DfE's published history), when the authority's own
    monthly figures (`YYYY-MM` → value) run past that census; None otherwise (the forecast is all there is)."""
    if not census:
        return None
    latest_census, published = census[-1]
    months = {p: float(v) for p, v in monthly.items() if len(p) == 7 and math.isfinite(v) and v > 0}
    after = sorted(p for p in months if p > latest_census)
    if not after:
        return None
    target = next_period(latest_census, 1)
    last = after[-1] if after[-1] <= target else target
    recent = [p for p in sorted(months) if _month_index(last) - NOWCAST_MONTHS < _month_index(p) <= _month_index(last)]
    if len(recent) < NOWCAST_MONTHS // 2:
        return None
    x = np.array([_month_index(p) for p in recent], dtype=float)
    slope = float(np.polyfit(x, np.log([months[p] for p in recent]), 1)[0])
    to_go = _month_index(target) - _month_index(last)
    scale = published / months[latest_census] if latest_census in months else 1.0
    value = months[last] * math.exp(slope * to_go) * scale
    return Nowcast(target, value, last, months[last], to_go, scale)
