"""The Forecast page's data and pieces: cached back-tests and forecasts from the store's current DfE release, the fan
chart, the back-test record and the chart's description in words."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from explorer import data
from explorer.access import current_user, is_editor
from explorer.authority import save_label
from sendlib.domain.forecast import (
    MEASURES,
    Forecast,
    Nowcast,
    Scenario,
    forecast_for,
)
from sendlib.domain.scenarios import MAX_NAME, PLACEMENT_WORDS, PLACEMENTS, SavedScenario
from sendlib.presentation.forecast import LINE_LABEL, ForecastBlock, forecast_blocks, forecast_workbook
from sendlib.presentation.forecast import describe as description
from sendlib.presentation.forecast import record_words as sentences
from sendlib.workflows.forecast import backtest_dfe, nowcast_store, placement_mix, read_scenarios, save_scenario

MEASURE_WORDS = {"ehcps": "EHC plans (January census)", "requests": "Requests for an assessment (calendar year)",
                 "new-plans": "New EHC plans issued (calendar year)"}


def _dfe() -> tuple[str, str]:
    figures, _ = data.dfe_stores()
    return data.key_of(data.store()), figures.head() or ""


@st.cache_data(max_entries=8, show_spinner="Back-testing every authority…")
def _record(path: str, version: str, measure: str) -> pd.DataFrame:
    return backtest_dfe(data.dfe_table_at(path, version), measure)


def record(measure: str) -> pd.DataFrame:
    return _record(*_dfe(), measure)


@st.cache_data(max_entries=64, show_spinner=False)
def _made(path: str, version: str, la: str, measure: str, horizon: int, scenario: Scenario) -> Forecast:
    return forecast_for(data.dfe_table_at(path, version), la, measure, horizon, scenario,
                        _record(path, version, measure))


def made(la: str, measure: str, horizon: int, scenario: Scenario | None = None) -> Forecast:
    """The forecast (TooLittleHistory when the authority has too few figures)."""
    return _made(*_dfe(), la, measure, horizon, scenario or Scenario())


def fan_chart(fc: Forecast) -> alt.LayerChart:
    history = pd.DataFrame(fc.history, columns=["period", "value"]).assign(series="Published by DfE")
    ahead = fc.frame().assign(series="Forecast")
    joined = pd.concat([history.tail(1).assign(lower=history["value"].iloc[-1], upper=history["value"].iloc[-1],
                                               lower50=history["value"].iloc[-1], upper50=history["value"].iloc[-1]),
                        ahead])
    x = alt.X("period:O", title="Period")
    band80 = alt.Chart(joined.assign(band="80% likely range")).mark_area(opacity=0.25, color="#12436D").encode(
        x=x, y=alt.Y("lower:Q", title=MEASURE_WORDS[fc.measure]), y2="upper:Q",
        tooltip=["period", alt.Tooltip("lower:Q", format=",.0f"), alt.Tooltip("upper:Q", format=",.0f")])
    band50 = alt.Chart(joined.assign(band="50% likely range")).mark_area(opacity=0.45, color="#12436D").encode(
        x=x, y="lower50:Q", y2="upper50:Q")
    lines = alt.Chart(pd.concat([history, joined.assign(series="Forecast")])).mark_line(point=True).encode(
        x=x, y="value:Q", strokeDash=alt.StrokeDash("series:N", title=None, sort=["Published by DfE", "Forecast"]),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=["#F46A25", "#12436D"])),
        tooltip=["series", "period", alt.Tooltip("value:Q", format=",.0f")])
    last = ahead.tail(1)
    words = alt.Chart(pd.concat([last.assign(y=last["upper"], text="80% likely range"),
                                 last.assign(y=last["upper50"], text="50% likely range")])).mark_text(
        align="left", dx=6).encode(x=x, y="y:Q", text="text:N")
    return alt.layer(band80, band50, lines, words).properties(height=380,
                                                              title=f"{fc.la_name}: {MEASURE_WORDS[fc.measure]}")


def line_chart(fc: Forecast) -> alt.LayerChart:
    """The measure page's forecast beside its trend: DfE's published figures, the model's central line and its 80%
    band, labelled as a forecast on DfE's basis (not the document's own figures)."""
    history = pd.DataFrame(fc.history, columns=["period", "value"]).assign(series="Published by DfE")
    last = history.tail(1)
    ahead = pd.concat([last.assign(lower=last["value"], upper=last["value"]), fc.frame()]).assign(series=LINE_LABEL)
    x = alt.X("period:O", title=None)
    band = alt.Chart(ahead).mark_area(opacity=0.25, color="#12436D").encode(
        x=x, y=alt.Y("lower:Q", title=MEASURE_WORDS[fc.measure]), y2="upper:Q",
        tooltip=["period", alt.Tooltip("lower:Q", format=",.0f", title="80% likely from"),
                 alt.Tooltip("upper:Q", format=",.0f", title="80% likely to")])
    lines = alt.Chart(pd.concat([history, ahead])).mark_line(point=True).encode(
        x=x, y="value:Q", strokeDash=alt.StrokeDash("series:N", title=None, sort=["Published by DfE", LINE_LABEL]),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["Published by DfE", LINE_LABEL],
                                                                range=["#F46A25", "#12436D"])),
        tooltip=["series", "period", alt.Tooltip("value:Q", format=",.0f")])
    return alt.layer(band, lines).properties(height=260, title=f"{LINE_LABEL}, with its 80% likely range")


def record_words(measure: str, la: str, horizon: int = 2) -> list[str]:
    """The back-test record for this authority and England, in words (`presentation.forecast.record_words`)."""
    return sentences(record(measure), la, horizon)


def describe(fc: Forecast) -> str:
    return description(fc, MEASURE_WORDS[fc.measure])


def table(fc: Forecast) -> pd.DataFrame:
    return fc.frame().round(0).rename(columns={"lower": "lower (80%)", "upper": "upper (80%)", "lower50": "lower (50%)",
                                                "upper50": "upper (50%)"})


__all__ = ["MEASURES", "MEASURE_WORDS", "describe", "fan_chart", "line_chart", "made", "record", "record_words", "table"]


# --- saved scenarios, the placement mix, unit costs --------------------------------------------------------------

SLIDERS = {"request_growth": "forecast-growth", "conversion": "forecast-conversion", "leaving": "forecast-leaving"}
FITTED = "Fitted rates"
FLASH_KEY = "forecast-flash"


def saved_scenarios() -> dict[str, SavedScenario]:
    """This authority's saved scenarios (its partition of the scenarios table)."""
    return read_scenarios(data.store())


@st.cache_data(max_entries=32, show_spinner=False)
def _mix(path: str, version: str, la: str) -> tuple[dict[str, float], str, str]:
    return placement_mix(data.dfe_table_at(path, version), la)


def starting_mix(la: str) -> tuple[dict[str, float], str, str]:
    """DfE's latest shares for the authority (or an even split to enter over), the source and words for it."""
    return _mix(*_dfe(), la)


def apply_saved(rates: Mapping[str, float]) -> None:
    """The chosen saved scenario's rates, mix and costs into the controls (or the fitted rates back)."""
    chosen = st.session_state.get("forecast-saved", FITTED)
    saved = saved_scenarios().get(chosen)
    state = st.session_state
    state[SLIDERS["request_growth"]] = float(saved.request_growth) if saved else 0.0
    state[SLIDERS["conversion"]] = round(saved.conversion if saved and saved.conversion else
                                         rates.get("conversion", 0.6), 2)
    state[SLIDERS["leaving"]] = round(saved.leaving if saved and saved.leaving is not None else
                                      rates.get("leaving", 0.05), 3)
    if saved:
        for p in PLACEMENTS:
            if saved.mix:
                state[f"forecast-share-{p}"] = round(saved.mix[p] * 100, 1)
            state[f"forecast-cost-{p}"] = float(saved.costs.get(p, 0.0))


def mix_and_costs(la: str) -> tuple[dict[str, float], dict[str, float], str]:
    """The placement mix (% inputs, started from DfE's latest shares) and unit costs (£ a place a year) controls."""
    start, source, words = starting_mix(la)
    st.caption(f"Placement mix from {words}; change any share, and enter what a place costs a year.")
    shares, costs = {}, {}
    columns = st.columns(len(PLACEMENTS))
    for column, p in zip(columns, PLACEMENTS, strict=True):
        with column:
            shares[p] = st.number_input(f"{PLACEMENT_WORDS[p]}: share %", 0.0, 100.0, round(start[p] * 100, 1), 0.5,
                                        key=f"forecast-share-{p}") / 100
            costs[p] = st.number_input(f"{PLACEMENT_WORDS[p]}: £ a place a year", 0.0, 1_000_000.0, 0.0, 500.0,
                                       key=f"forecast-cost-{p}")
    changed = any(abs(shares[p] - round(start[p] * 100, 1) / 100) > 1e-9 for p in PLACEMENTS)
    return shares, costs, "entered" if changed else source


def save_form(la: str, scenario: Scenario, shares: Mapping[str, float], costs: Mapping[str, float],
              source: str) -> None:
    """Name and save the scenario as a new version of this authority's (editors only when sign-in is on)."""
    if not is_editor():
        st.caption("Only this authority's editors can save scenarios.")
        return
    with st.form("forecast-save"):
        name = st.text_input("Save these settings as a scenario named", max_chars=MAX_NAME, key="forecast-name")
        pressed = st.form_submit_button(save_label("scenarios"), icon=":material/save:", key="forecast-save-button")
    if not pressed:
        return
    try:
        saved = SavedScenario(name=name, request_growth=scenario.request_growth, conversion=scenario.conversion,
                              leaving=scenario.leaving, mix=dict(shares), costs=dict(costs), mix_source=source,
                              author=current_user())
    except ValidationError as exc:
        st.error(f"Not saved: {exc.errors()[0]['msg']}.")
        return
    info = save_scenario(data.store(), saved)
    st.session_state[FLASH_KEY] = (f"Saved scenario '{saved.name}' as version {info.id} of {la}'s scenarios."
                                   if info else f"Scenario '{saved.name}' is already saved as it is.")
    st.rerun()


def cost_table(costs: pd.DataFrame) -> pd.DataFrame:
    shown = costs.assign(placement=costs["placement"].map(lambda p: PLACEMENT_WORDS.get(p, "Total")))
    return shown.round(0).rename(columns={"plans": "plans (forecast)", "unit_cost": "£ a place a year",
                                           "cost": "cost £", "lower": "lower £ (80%)", "upper": "upper £ (80%)",
                                           "lower50": "lower £ (50%)", "upper50": "upper £ (50%)"})


def workbook(fc: Forecast, costs: pd.DataFrame | None) -> bytes:
    """The forecast (and its cost projection) as an Excel workbook, made by sendlib."""
    return forecast_workbook(fc, costs)


@st.cache_data(max_entries=16, show_spinner=False)
def _nowcast(path: str, values: str, dfe: str, la: str) -> Nowcast | None:
    return nowcast_store(data.opened(path), la)


def nowcast_words(la: str) -> str | None:
    """The next census from the authority's own monthly figures, in a sentence; None when they stop at DfE's."""
    path, dfe = _dfe()
    made = _nowcast(path, data.store().head() or "", dfe, la)
    if made is None:
        return None
    scale = f", on DfE's scale (×{made.scale:.3f})" if abs(made.scale - 1) > 1e-9 else ""
    return (f"Nowcast from your own monthly figures: about {made.value:,.0f} EHC plans at the {made.census} census "
            f"({made.latest_value:,.0f} in {made.latest_period}, carried {made.months} month"
            f"{'s' if made.months != 1 else ''} on the last year's monthly trend{scale}).")


@st.cache_data(max_entries=8, show_spinner="Forecasting for the board pack…")
def _blocks(path: str, version: str, la: str) -> list[ForecastBlock]:
    return forecast_blocks(data.dfe_table_at(path, version), la)


def board_blocks(la: str) -> list[ForecastBlock]:
    """The board pack's forecast section for the authority (cached per DfE release)."""
    return _blocks(*_dfe(), la)
