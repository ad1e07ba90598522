"""Turning an uploaded file into a grid of raw cells, remembering each cell's row number.

Row numbers are the ones a manager sees in Excel (1-based, counting title and blank rows), so
every error message can point at the cell they must fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from .values import CellError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
Cell = str | float | int | dt.datetime | None


@dataclass(frozen=True)
class Grid:
    """Rows of raw cells. `rows[i]` is the file's row `numbers[i]`."""

    name: str
    rows: list[list[Cell]]
    numbers: list[int]
    # Per-row, per-column Excel number formats, where the source had them (`0.0%`).
    formats: list[list[str]] | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


class FileRefused(ValueError):
    """The file as a whole cannot be read (empty, binary, wrong type, too big)."""


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise FileRefused(f"{name} is not a text file (it looks binary); upload a .csv or .xlsx file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(f"{name} is neither UTF-8 nor Windows-1252 text")


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    counts = {d: sample.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_csv_grid(data: bytes, name: str) -> Grid:
    text = _decode(data, name)
    if not text.strip():
        raise FileRefused(f"{name} is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    try:
        for row in reader:
            numbers.append(reader.line_num)
            rows.append([c if c.strip() else None for c in row])
    except csv.Error as exc:
        raise FileRefused(f"{name}: not a readable CSV file ({exc})") from exc
    return Grid(name=name, rows=rows, numbers=numbers)


def read_xlsx_grid(data: bytes, name: str, sheet: str | None = None) -> Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise FileRefused(f"{name} is not a readable Excel .xlsx file") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends: any corrupt workbook
        raise FileRefused(f"{name} is not a readable Excel .xlsx file ({type(exc).__name__})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileRefused(f"{name} has no sheet {sheet!r} (it has {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows: list[list[Cell]] = []
        formats: list[list[str]] = []
        numbers: list[int] = []
        for index, row in enumerate(ws.iter_rows(), start=1):
            values: list[Cell] = []
            fmts: list[str] = []
            for cell in row:
                value = cell.value
                if isinstance(value, str) and not value.strip():
                    value = None
                if isinstance(value, dt.time):
                    value = str(value)
                fmt = getattr(cell, "number_format", "General") or "General"
                if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
                    # Excel keeps 49.2% as 0.492 with a % format: give layouts the text a person sees.
                    value = f"{round(value * 100, 10):.10g}%"
                values.append(value)
                fmts.append(fmt)
            rows.append(values)
            formats.append(fmts)
            numbers.append(index)
    finally:
        book.close()
    return Grid(name=name, rows=rows, numbers=numbers, formats=formats)


def xlsx_sheet_names(data: bytes) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # a corrupt workbook: read_xlsx_grid refuses it with the message
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_grid(data: bytes, name: str, sheet: str | None = None) -> Grid:
    """Read a .csv/.txt or .xlsx upload; refuse anything else with a message a manager can act on."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"{name} is {len(data) / 1_048_576:.1f} MB; the largest file accepted is "
            f"{MAX_UPLOAD_BYTES // 1_048_576} MB"
        )
    if not data:
        raise FileRefused(f"{name} is empty")
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        if not data.startswith(b"PK"):
            raise FileRefused(f"{name} is named .xlsx but is not an Excel workbook")
        return read_xlsx_grid(data, name, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv_grid(data, name)
    if suffix == ".xls":
        raise FileRefused(f"{name} is an old-style .xls workbook; save it as .xlsx or .csv and try again")
    raise FileRefused(f"{name}: only .csv and .xlsx files can be uploaded")


def cell_error(exc: CellError, grid: Grid, row_index: int, column: str) -> CellError:
    return exc.at(row=grid.numbers[row_index], column=column, file=grid.name)
