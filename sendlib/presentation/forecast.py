"""A forecast for people: the Excel workbook the Forecast page offers beside its CSV (About, Forecast and, with unit
costs, Costs; the same cell rules as every other extract), its description and back-test record in words, and the
board pack's forecast section."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pandas as pd

from sendlib.domain.forecast import (
    MEASURES,
    METHOD_WORDS,
    MODEL,
    SIMPLE_METHODS,
    Accuracy,
    Forecast,
    TooLittleHistory,
    accuracy,
    backtest_dfe,
    forecast_for,
)
from sendlib.domain.periods import long_label
from sendlib.presentation.extracts import _about_sheet, _data_sheet, safe_for_excel

if TYPE_CHECKING:
    from sendlib.presentation.report import Report


def about_forecast(fc: Forecast) -> dict[str, str]:
    return {"Authority": f"{fc.la_name} ({fc.la_code})", "Measure": MEASURES[fc.measure].label,
            "Method": METHOD_WORDS.get(fc.method, fc.method), "Forecast from": fc.origin,
            "Intervals": "lower/upper: 80% likely range; lower50/upper50: 50% likely range",
            "Inputs": "; ".join(fc.inputs)}


def forecast_workbook(fc: Forecast, costs: pd.DataFrame | None = None) -> bytes:
    """About, the forecast one row a period, and the cost projection when there is one."""
    from openpyxl import Workbook

    book = Workbook()
    _about_sheet(book.active, about_forecast(fc))
    _data_sheet(book.create_sheet("Forecast"), safe_for_excel(fc.frame()), "long")
    if costs is not None and not costs.empty:
        _data_sheet(book.create_sheet("Costs"), safe_for_excel(costs), "long")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _mape(rows: list[Accuracy], method: str, h: int) -> float | None:
    found = [a.mape for a in rows if a.method == method and a.horizon == h]
    return found[0] if found else None


def record_words(record: pd.DataFrame, la: str, horizon: int = 2) -> list[str]:
    """'Over the last three origins our 2-year forecasts were within 6% on average; the best simple method's within
    9%', for the authority and for England, from the back-test of every authority."""
    out = []
    for who, code in (("this authority", la), ("every authority in England", None)):
        rows = accuracy(record, code, origins=3)
        model = _mape(rows, MODEL, horizon)
        simple = [(m, v) for m in SIMPLE_METHODS if (v := _mape(rows, m, horizon)) is not None]
        if model is None or not simple:
            out.append(f"For {who} there is no {horizon}-year back-test yet.")
            continue
        best, value = min(simple, key=lambda s: s[1])
        origins = sorted({o for a in rows for o in a.origins if a.horizon == horizon})
        out.append(f"For {who}, over the last {len(origins)} origin{'s' if len(origins) != 1 else ''} "
                   f"({', '.join(origins)}) our {horizon}-year forecasts were within {model:.0f}% on average; "
                   f"the best simple method's ({METHOD_WORDS[best]}) within {value:.0f}%.")
    return out


def describe(fc: Forecast, words: str | None = None) -> str:
    """The forecast in a sentence: the latest published figure, the first and last years ahead with their 80% ranges."""
    first, last = fc.points[0], fc.points[-1]
    latest_period, latest = fc.history[-1]
    return (f"{_capital(words or MEASURES[fc.measure].label)} for {fc.la_name}: {latest:,.0f} in {latest_period} (published by "
            f"DfE). Forecast {first.value:,.0f} in {first.period} (80% likely between {first.lower:,.0f} and "
            f"{first.upper:,.0f}) and {last.value:,.0f} in {last.period} (80% likely between {last.lower:,.0f} and "
            f"{last.upper:,.0f}), by the {METHOD_WORDS[fc.method]}.")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ForecastBlock:
    """One measure's forecast as the board pack shows it: a heading, the sentence, the table, the record in words."""

    title: str
    description: str
    rows: list[dict[str, str]]
    record: list[str]


def forecast_block(fc: Forecast, record: pd.DataFrame) -> ForecastBlock:
    rows = [{"period": p.period, "value": f"{p.value:,.0f}", "range80": f"{p.lower:,.0f} to {p.upper:,.0f}",
             "range50": f"{p.lower50:,.0f} to {p.upper50:,.0f}"} for p in fc.points]
    return ForecastBlock(_capital(MEASURES[fc.measure].label), describe(fc), rows, record_words(record, fc.la_code))


def unavailable_block(measure: str, reason: str) -> ForecastBlock:
    return ForecastBlock(_capital(MEASURES[measure].label), f"No forecast: {reason}.", [], [])


def with_forecasts(report: Report, blocks: list[ForecastBlock]) -> Report:
    """The board pack with its forecast section (off by default: only a report given blocks has one)."""
    return replace(report, forecasts=blocks)


def forecast_blocks(dfe: pd.DataFrame, la: str, horizon: int = 3) -> list[ForecastBlock]:
    """The board pack's forecast section for the authority from DfE's rows: each measure's forecast and record (or
    why there is none)."""
    blocks = []
    for measure in MEASURES:
        record = backtest_dfe(dfe, measure)
        try:
            blocks.append(forecast_block(forecast_for(dfe, la, measure, horizon, record=record), record))
        except TooLittleHistory as exc:
            blocks.append(unavailable_block(measure, str(exc)))
    return blocks


# --- the forecast line on a measure's page ------------------------------------------------------------------------

LINE_LABEL = "Forecast (DfE basis)"
LINE_HORIZON = 3
LINE_MEASURES = ("ehcps", "requests")  # common definitions whose forecast measure has the same id
LINE_NOUNS = {"ehcps": "plans", "requests": "requests for an EHC needs assessment"}


def line_measure(kpi_id: str, common_of: Mapping[str, str]) -> str | None:
    """The forecast measure a KPI's page draws a forecast line for: the KPI's common definition (`kpi_id` →
    definition, `sharing.common_measure_of`) when it is EHC plans or requests; None for any other measure."""
    common = common_of.get(kpi_id)
    return common if common in LINE_MEASURES else None


def about(value: float) -> str:
    """A forecast rounded as a reader says it, to two significant figures ('about 4,900'): its interval is wider
    than the digits dropped."""
    digits = max(len(str(int(abs(value)))) - 2, 0)
    return f"{round(value, -digits):,.0f}"


def _when(measure: str, period: str) -> str:
    if MEASURES[measure].census:
        return f"at the {long_label(period)} census"
    return f"in {period}"


def line_sentence(fc: Forecast) -> str:
    """'DfE's figures suggest about 4,900 plans at the January 2027 census (likely between 4,700 and 5,100)': the
    last point the line draws and its 80% range, in words."""
    last = fc.points[-1]
    return (f"DfE's figures suggest about {about(last.value)} {LINE_NOUNS[fc.measure]} {_when(fc.measure, last.period)} "
            f"(likely between {about(last.lower)} and {about(last.upper)}).")


def no_line_sentence(name: str, reason: str | None = None) -> str:
    """Why the page draws no forecast line: the authority is not one DfE publishes (reason None), or its history is
    too short (the TooLittleHistory message)."""
    if reason is None:
        return (f"No forecast: DfE publishes no figures for {name}, so there is no DfE basis to forecast it from "
                "(another council's would not be its own).")
    return f"No forecast for {name}: {reason}."
