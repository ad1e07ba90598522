"""Slices of the store as files: the rows a manager filtered, safe to open in Excel.

The page and `python -m sendlib export` both call `build_extract()` then `to_bytes()`, so the same
filter gives the same rows in every format.

Two layouts:
  long  the store's rows (one value a row), optionally with derived change / direction / RAG columns;
  wide  the monthly scorecard as it is kept: KPIs down, months across, then Nat, SN, SW, Target.
        Written by `sendlib.files.wide` beside the reader it must satisfy: a wide extract uploaded back
        changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from sendlib.domain.catalogue import SCORECARDS, Catalogue
from sendlib.domain.periods import Period, PeriodError, parse_period
from sendlib.domain.schema import COLUMNS, EXTRACT_SERIES, SERIES_WORDS
from sendlib.domain.text import safe_series, safe_text
from sendlib.domain.trends import (
    actual_series,
    assess,
    change_words,
    direction,
    rag,
    rag_words,
    tolerance,
    year_earlier,
)
from sendlib.files import wide
from sendlib.files.wide import neutralise, wide_table

Format = Literal["csv", "xlsx", "parquet"]
Layout = Literal["long", "wide"]
FORMATS: dict[str, str] = {"csv": "CSV (opens in Excel)", "xlsx": "Excel workbook (.xlsx)", "parquet": "Parquet"}
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
LAYOUTS: dict[str, str] = {
    "long": "Long: one value a row, as the store holds it",
    "wide": "Wide: the scorecard's own layout (KPIs down, months across)",
}
EXPORT_COLUMNS = [*COLUMNS, "kpi_name", "theme", "unit"]
DERIVED_COLUMNS = ["change", "compared_with", "direction", "rag"]
WIDE_SCORECARD = wide.SCORECARD
PERCENT_FORMAT = "0.0#%"


class ExtractError(ValueError):
    """A filter or layout that cannot be honoured, in words a manager can act on."""


class ExtractQuery(BaseModel):
    """A filter over the store, and the shape of the file. Empty lists mean "all"."""

    scorecard: str | None = None
    themes: list[str] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list)
    period_from: str | None = None
    period_to: str | None = None
    series: list[str] = Field(default_factory=list)
    layout: Layout = "long"
    derived: bool = False


@dataclass
class Extract:
    """What a filter selected: `long` is the store's rows; `rows` is what the file holds (long or wide)."""

    query: ExtractQuery
    long: pd.DataFrame
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def values(self) -> int:
        return len(self.long)


def extract(table: pd.DataFrame, catalogue: Catalogue, query: ExtractQuery | None = None) -> pd.DataFrame:
    """The store's rows that pass the filter, with each KPI's printed name, theme and unit."""
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
        lo = _parse(query.period_from, "from").start if query.period_from else None
        hi = _parse(query.period_to, "to").end if query.period_to else None
        if lo and hi and lo > hi:
            raise ExtractError(f"the period range starts ({query.period_from}) after it ends ({query.period_to})")
        keep = [p for p in df["period"].unique() if p and _within(parse_period(p), lo, hi)]
        df = df[df["period"].isin(keep)]
    names = {k.id: k for k in catalogue}
    df = df.assign(
        kpi_name=df["kpi_id"].map(lambda i: catalogue.qualified_name(names[i]) if i in names else None),
        theme=df["kpi_id"].map(lambda i: names[i].theme if i in names else None),
        unit=df["kpi_id"].map(lambda i: names[i].unit if i in names else None),
    )
    return df[EXPORT_COLUMNS].reset_index(drop=True)


def _parse(text: str, which: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise ExtractError(f"--{which} {text!r}: {exc}") from exc


def _within(period: Period, lo: dt.date | None, hi: dt.date | None) -> bool:
    """Wholly inside the range: asking for January 2024 does not bring in the year 2024."""
    return (lo is None or period.start >= lo) and (hi is None or period.end <= hi)


def check_query(query: ExtractQuery, catalogue: Catalogue) -> None:
    """Refuse names that match nothing (a typo would otherwise give an empty file), and a wide board extract."""
    unknown = [t for t in query.themes if t not in catalogue.themes]
    if unknown:
        raise ExtractError(f"unknown theme(s): {', '.join(unknown)}; known: {', '.join(catalogue.themes)}")
    unknown = [k for k in query.kpis if k not in catalogue]
    if unknown:
        raise ExtractError(f"unknown KPI id(s): {', '.join(unknown)} (the Glossary page lists every id)")
    unknown = [s for s in query.series if s not in EXTRACT_SERIES]
    if unknown:
        raise ExtractError(f"unknown series: {', '.join(unknown)}; known: {', '.join(EXTRACT_SERIES)}")
    if query.scorecard and query.scorecard not in SCORECARDS:
        raise ExtractError(f"unknown scorecard {query.scorecard!r}; known: {', '.join(SCORECARDS)}")
    if query.layout == "wide" and query.scorecard not in (None, WIDE_SCORECARD):
        name = SCORECARDS.get(query.scorecard or "", query.scorecard or "")
        raise ExtractError(
            f"the wide layout is the monthly scorecard's own (KPIs down, months across). The {name[:1].lower()}{name[1:]} "
            "holds termly and yearly figures, each with its own period, so it has no wide layout: choose the long "
            "layout for it"
        )


def build_extract(table: pd.DataFrame, catalogue: Catalogue, query: ExtractQuery | None = None) -> Extract:
    """The one function the page and the CLI share: filter, then shape as the chosen layout."""
    query = query or ExtractQuery()
    check_query(query, catalogue)
    notes: list[str] = []
    if query.layout == "wide":
        if query.scorecard is None and (table["scorecard"] != WIDE_SCORECARD).any():
            left = extract(table, catalogue, query.model_copy(update={"scorecard": "board"}))
            if len(left):
                notes.append(
                    f"The wide layout holds the monthly scorecard only: {len(left):,} improvement board value(s) "
                    "are left out (use the long layout for them)."
                )
        long = extract(table, catalogue, query.model_copy(update={"scorecard": WIDE_SCORECARD}))
        if query.derived:
            notes.append("Change, direction and RAG columns are added to the long layout only.")
        rows, more = wide_table(long, catalogue, query.series)
        return Extract(query, long, rows, notes + more)
    long = extract(table, catalogue, query)
    rows = with_derived(long, table, catalogue) if query.derived else long
    return Extract(query, long, rows, notes)


# --- derived columns (long layout) ---------------------------------------------------------------


def with_derived(rows: pd.DataFrame, table: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Change on the comparison period, its direction judged by polarity, and RAG against the target.

    Worked out on the whole store (so a one-month extract still has its change from the month before),
    by the rules of `sendlib.domain.trends`: cumulative totals compare with the same period a year earlier.
    Only actual values get them; benchmark and target rows are left blank."""
    ids = set(rows["kpi_id"])
    act = actual_series(table[table["kpi_id"].isin(ids)])
    lookup = {(k, p): float(v) for k, p, v in zip(act["kpi_id"], act["period"], act["value"])}
    targets = table[(table["series"] == "target") & table["value"].notna() & table["kpi_id"].isin(ids)]
    dated_target = {(k, p): float(v) for k, p, v in zip(targets["kpi_id"], targets["period"], targets["value"])}
    undated_target = {k: float(v) for k, p, v in zip(targets["kpi_id"], targets["period"], targets["value"]) if not p}
    derived: dict[tuple[str, str], dict[str, object]] = {}
    for group_id, group in act.groupby("kpi_id", sort=False):
        kpi = catalogue.get(str(group_id))
        if kpi is None:
            continue
        kpi_id = kpi.id
        periods, values = group["period"].tolist(), group["value"].astype(float).tolist()
        for i, (period, value) in enumerate(zip(periods, values)):
            previous = previous_period = None
            earlier = year_earlier(period) if kpi.cumulative != "none" else None
            if earlier and (kpi_id, earlier) in lookup:
                previous, previous_period = lookup[(kpi_id, earlier)], earlier
            elif i > 0:
                previous, previous_period = values[i - 1], periods[i - 1]
                if kpi.cumulative == "calendar-year" and period.endswith("-01"):
                    previous = previous_period = None  # the total restarted this month
            change = None if previous is None else round(value - previous, 10)  # 2.9, not 2.9000000000000004
            target = dated_target.get((kpi_id, period), undated_target.get(kpi_id, kpi.target))
            judged = rag(value, target, kpi.polarity, tolerance(kpi.model_copy(update={"target": target})))
            derived[(kpi_id, period)] = {
                "change": change,
                "compared_with": previous_period,
                "direction": change_words({"direction": direction(change), "assessment": assess(change, kpi.polarity)}),
                "rag": rag_words(judged) if target is not None and kpi.polarity != "neutral" else "",
            }
    blank = {"change": None, "compared_with": None, "direction": None, "rag": None}
    extra = [
        derived.get((k, p), blank) if s == "actual" and pd.notna(v) else blank
        for k, p, s, v in zip(rows["kpi_id"], rows["period"], rows["series"], rows["value"])
    ]
    out = rows.copy()
    frame = pd.DataFrame(extra, columns=DERIVED_COLUMNS, index=rows.index)
    out["change"] = pd.to_numeric(frame["change"]).astype("Float64")
    for col in DERIVED_COLUMNS[1:]:
        out[col] = frame[col].astype("string")
    return out


# --- files ---------------------------------------------------------------------------------------


def _text_columns(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]


def text_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and heading of a file we write through `domain.text.safe_text`: a bidi control or other
    hidden character in commentary, a file name, a note or a measure's name is written as `[U+202E]`, in every
    format, whatever older versions of the store hold."""
    out = df.copy()
    for col in _text_columns(out):
        out[col] = safe_series(out[col])
    out.columns = [safe_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def safe_for_excel(df: pd.DataFrame) -> pd.DataFrame:
    """`text_safe`, and no text that Excel would run as a formula."""
    out = text_safe(df)
    for col in _text_columns(out):
        out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else v).astype(object)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel shows ▲ and ’ correctly."""
    return safe_for_excel(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    text_safe(df).to_parquet(buffer, index=False)
    return buffer.getvalue()


_PERCENT_TEXT = re.compile(r"^-?\d+(?:\.\d+)?%$")
_NUMBER_TEXT = re.compile(r"^-?\d+(?:\.\d+)?$")


def _wide_xlsx_cell(text: object) -> tuple[object, str | None]:
    """A wide cell for Excel: `49.2%` as the number 0.492 shown as a percentage, `7143` as a number; the
    rest (`14.3% (10)`, `38 weeks 4 days`, `requested`) as text. Only when it reads back the same."""
    if not isinstance(text, str):
        return text, None
    if _PERCENT_TEXT.match(text):
        shown = float(text[:-1])
        fraction = shown / 100
        if float(f"{round(fraction * 100, 10):.10g}") == shown:  # what readers.py makes of it
            return fraction, PERCENT_FORMAT
        return text, None
    if _NUMBER_TEXT.match(text):
        number = float(text)
        return (int(number) if number.is_integer() and "." not in text else number), None
    return text, None


def to_xlsx_bytes(df: pd.DataFrame, *, sheet: str = "Data", about: dict[str, str] | None = None,
                  layout: Layout = "long") -> bytes:
    """A workbook: an "About" sheet (when given) then the data with a bold frozen header, percentages as
    percentages, sensible widths, and no cell ever a formula."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    if about:
        _about_sheet(ws, about)
        ws = book.create_sheet(sheet)
    else:
        ws.title = sheet
    safe = safe_for_excel(df)
    _data_sheet(ws, safe, layout)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _about_sheet(ws: Any, about: dict[str, str]) -> None:
    """The About sheet: each key in bold beside its value, wrapped, every cell text."""
    from openpyxl.styles import Alignment, Font

    ws.title = "About"
    for key, value in about.items():
        ws.append([neutralise(safe_text(key)), neutralise(safe_text(value))])
    for row in ws.iter_rows():
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        row[0].alignment = Alignment(vertical="top")
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100


def _data_sheet(ws: Any, safe: pd.DataFrame, layout: Layout) -> None:
    """The rows under a bold header, each cell as Excel should hold it; section headings bold; frozen panes."""
    from openpyxl.styles import Font

    ws.append([str(neutralise(str(c))) for c in safe.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    cell_for = _xlsx_cells(safe, layout)
    for i, row in enumerate(safe.itertuples(index=False)):
        values, formats = zip(*(cell_for(i, j, v) for j, v in enumerate(row))) if len(row) else ((), ())
        ws.append(list(values))
        for cell, fmt in zip(ws[ws.max_row], formats):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if fmt:
                cell.number_format = fmt
    if layout == "wide":
        for row in ws.iter_rows(min_row=2):
            if all(c.value is None for c in row[1:]) and row[0].value is not None:
                row[0].font = Font(bold=True)  # a section heading
    ws.freeze_panes = "B2" if layout == "wide" else "A2"
    _column_widths(ws, safe)


def _xlsx_cells(safe: pd.DataFrame, layout: Layout) -> Callable[[int, int, object], tuple[object, str | None]]:
    """How the cell at (row i, column j) is written: its value and number format (None: Excel's default)."""
    percent_rows: list[bool] | None = None
    value_col = -1
    if layout == "long" and {"value", "unit"} <= set(safe.columns):
        percent_rows = (safe["unit"] == "percent").tolist()
        value_col = list(safe.columns).index("value")

    def cell_for(i: int, j: int, v: object) -> tuple[object, str | None]:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None, None
        if layout == "wide" and j > 0:
            return _wide_xlsx_cell(v)
        if percent_rows is not None and j == value_col and percent_rows[i]:
            return float(v) / 100, PERCENT_FORMAT  # type: ignore[arg-type]
        return v, None

    return cell_for


def _column_widths(ws: Any, safe: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(safe.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(500) if not pd.isna(v)])
        ws.column_dimensions[get_column_letter(i)].width = min(60, width + 2)


def to_bytes(df: pd.DataFrame, fmt: Format, *, about: dict[str, str] | None = None, layout: Layout = "long") -> bytes:
    if fmt == "csv":
        return to_csv_bytes(df)
    if fmt == "xlsx":
        return to_xlsx_bytes(df, about=about, layout=layout)
    if fmt == "parquet":
        return to_parquet_bytes(df)
    raise ValueError(f"unknown format {fmt!r}")


def about(ext: Extract, catalogue: Catalogue, *, version: str | None, extracted_at: dt.datetime | None = None) -> dict[str, str]:
    """The workbook's first sheet: what was asked for, from which version of the data, and when."""
    q = ext.query
    when = (extracted_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    layout = LAYOUTS[q.layout]
    if q.layout == "wide":
        layout += ". Loads back through the upload page unchanged."
    info = {
        "SEND Performance Explorer": "Data extract",
        "Scorecard": SCORECARDS.get(q.scorecard or "", "Both documents") if q.layout == "long" else SCORECARDS[WIDE_SCORECARD],
        "Themes": "; ".join(catalogue.themes[t].name for t in q.themes if t in catalogue.themes) or "All",
        "KPIs": "; ".join(catalogue.qualified_name(catalogue[k]) for k in q.kpis if k in catalogue) or "All",
        "Periods from": q.period_from or "The earliest",
        "Periods to": q.period_to or "The latest",
        "Series": "; ".join(SERIES_WORDS.get(s, s) for s in q.series) or "All (actual, target, benchmarks and any computed from case records)",
        "Layout": layout,
        "Derived columns": "Change, direction and RAG" if q.derived and q.layout == "long" else "None",
        "Values": f"{ext.values:,}",
        "Rows": f"{len(ext.rows):,}",
        "Data version": version or "—",
        "Extracted at (UTC)": when.strftime("%Y-%m-%d %H:%M:%S"),
    }
    for i, note in enumerate(ext.notes, start=1):
        info[f"Note {i}"] = note
    return info


def file_name(query: ExtractQuery, version: str | None, fmt: Format) -> str:
    what = "-".join(query.themes[:3]) or (query.kpis[0] if len(query.kpis) == 1 else "") or query.scorecard or "all"
    return f"send-extract-{what}-{query.layout}-v{version or '0'}.{fmt}"


def export_bytes(ext: Extract, catalogue: Catalogue, fmt: Format, *, version: str | None,
                 extracted_at: dt.datetime | None = None) -> bytes:
    """The extract as a file. The .xlsx carries its About sheet; CSV and Parquet hold the rows alone."""
    info = about(ext, catalogue, version=version, extracted_at=extracted_at) if fmt == "xlsx" else None
    return to_bytes(ext.rows, fmt, about=info, layout=ext.query.layout)
