"""A forecast as a download: the Excel workbook the Forecast page offers beside its CSV (About, Forecast and, with
unit costs, Costs), in the same cell rules as every other extract (no formula, text as text)."""

from __future__ import annotations

import io

import pandas as pd

from sendlib.domain.forecast import MEASURES, METHOD_WORDS, Forecast
from sendlib.presentation.extracts import _about_sheet, _data_sheet, safe_for_excel


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
