"""Slices of the store as files: the rows a manager filtered, safe to open in Excel.

The page and `python -m sendlib export` both call `extract()` then `to_bytes()`, so the same
filter gives the same rows in every format.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Literal

import pandas as pd
from pydantic import BaseModel, Field

from .catalogue import Catalogue
from .periods import Period, parse_period
from .schema import COLUMNS

Format = Literal["csv", "xlsx", "parquet"]
EXPORT_COLUMNS = [*COLUMNS, "kpi_name", "theme", "unit"]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


class ExtractQuery(BaseModel):
    """A filter over the store. Empty lists mean "all"."""

    scorecard: str | None = None
    themes: list[str] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list)
    period_from: str | None = None
    period_to: str | None = None
    series: list[str] = Field(default_factory=list)


def extract(table: pd.DataFrame, catalogue: Catalogue, query: ExtractQuery | None = None) -> pd.DataFrame:
    query = query or ExtractQuery()
    df = table
    if query.scorecard:
        df = df[df["scorecard"] == query.scorecard]
    if query.themes:
        ids = {k.id for k in catalogue if k.theme in set(query.themes)}
        df = df[df["kpi_id"].isin(ids)]
    if query.kpis:
        df = df[df["kpi_id"].isin(query.kpis)]
    if query.series:
        df = df[df["series"].isin(query.series)]
    if query.period_from or query.period_to:
        lo = parse_period(query.period_from).start if query.period_from else None
        hi = parse_period(query.period_to).end if query.period_to else None
        keep = [p for p in df["period"].unique() if p and _within(parse_period(p), lo, hi)]
        df = df[df["period"].isin(keep)]
    names = {k.id: k for k in catalogue}
    df = df.assign(
        kpi_name=df["kpi_id"].map(lambda i: catalogue.qualified_name(names[i]) if i in names else None),
        theme=df["kpi_id"].map(lambda i: names[i].theme if i in names else None),
        unit=df["kpi_id"].map(lambda i: names[i].unit if i in names else None),
    )
    return df[EXPORT_COLUMNS].reset_index(drop=True)


def _within(period: Period, lo: dt.date | None, hi: dt.date | None) -> bool:
    """Wholly inside the range: asking for January 2024 does not bring in the year 2024."""
    return (lo is None or period.start >= lo) and (hi is None or period.end <= hi)


def neutralise(value: object) -> object:
    """Text that Excel would run as a formula gets a leading apostrophe. Only a negative number
    (`-1.5`) may keep its leading sign: `+1` in text is still neutralised."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        if value.startswith("-"):
            try:
                float(value)
                return value
            except ValueError:
                pass
        return "'" + value
    return value


def safe_for_excel(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else v).astype(object)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel shows ▲ and ’ correctly."""
    return safe_for_excel(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def to_xlsx_bytes(df: pd.DataFrame, *, sheet: str = "Data", about: dict[str, str] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    if about:
        ws.title = "About"
        for key, value in about.items():
            ws.append([neutralise(key), neutralise(value)])
        ws["A1"].font = Font(bold=True)
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 80
        ws = book.create_sheet(sheet)
    else:
        ws.title = sheet
    safe = safe_for_excel(df)
    ws.append([str(c) for c in safe.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in safe.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    for cell_row in ws.iter_rows(min_row=2):
        for cell in cell_row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    ws.freeze_panes = "A2"
    for i, col in enumerate(safe.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(500) if not pd.isna(v)])
        ws.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_bytes(df: pd.DataFrame, fmt: Format, *, about: dict[str, str] | None = None) -> bytes:
    if fmt == "csv":
        return to_csv_bytes(df)
    if fmt == "xlsx":
        return to_xlsx_bytes(df, about=about)
    if fmt == "parquet":
        return to_parquet_bytes(df)
    raise ValueError(f"unknown format {fmt!r}")
