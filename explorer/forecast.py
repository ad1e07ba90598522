"""The Forecast page's data and pieces: cached back-tests and forecasts from the store's current DfE release, the fan
chart, the back-test record and the chart's description in words."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from explorer import data
from sendlib.domain.forecast import (
    MEASURES,
    METHOD_WORDS,
    MODEL,
    SIMPLE_METHODS,
    Forecast,
    Scenario,
    accuracy,
    forecast_for,
)
from sendlib.workflows.forecast import backtest_dfe

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


def _mape(rows: list, method: str, h: int) -> float | None:
    found = [a.mape for a in rows if a.method == method and a.horizon == h]
    return found[0] if found else None


def record_words(measure: str, la: str, horizon: int = 2) -> list[str]:
    """'Over the last three origins our 2-year forecasts were within 6% on average; the best simple method's within
    9%', for this authority and for England."""
    out = []
    rec = record(measure)
    for who, code in (("this authority", la), ("every authority in England", None)):
        rows = accuracy(rec, code, origins=3)
        model = _mape(rows, MODEL, horizon)
        simple = [(m, _mape(rows, m, horizon)) for m in SIMPLE_METHODS]
        simple = [(m, v) for m, v in simple if v is not None]
        if model is None or not simple:
            out.append(f"For {who} there is no {horizon}-year back-test yet.")
            continue
        best, value = min(simple, key=lambda s: s[1])
        origins = sorted({o for a in rows for o in a.origins if a.horizon == horizon})
        out.append(f"For {who}, over the last {len(origins)} origin{'s' if len(origins) != 1 else ''} "
                   f"({', '.join(origins)}) our {horizon}-year forecasts were within {model:.0f}% on average; "
                   f"the best simple method's ({METHOD_WORDS[best]}) within {value:.0f}%.")
    return out


def describe(fc: Forecast) -> str:
    first, last = fc.points[0], fc.points[-1]
    latest_period, latest = fc.history[-1]
    return (f"{MEASURE_WORDS[fc.measure]} for {fc.la_name}: {latest:,.0f} in {latest_period} (published by DfE). "
            f"Forecast {first.value:,.0f} in {first.period} (80% likely between {first.lower:,.0f} and "
            f"{first.upper:,.0f}) and {last.value:,.0f} in {last.period} (80% likely between {last.lower:,.0f} and "
            f"{last.upper:,.0f}), by the {METHOD_WORDS[fc.method]}.")


def table(fc: Forecast) -> pd.DataFrame:
    return fc.frame().round(0).rename(columns={"lower": "lower (80%)", "upper": "upper (80%)", "lower50": "lower (50%)",
                                                "upper50": "upper (50%)"})


__all__ = ["MEASURES", "MEASURE_WORDS", "describe", "fan_chart", "made", "record", "record_words", "table"]
