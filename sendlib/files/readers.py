"""Turning an uploaded file into a grid of raw cells, remembering each cell's row number.

Row numbers are the ones a manager sees in Excel (1-based, counting title and blank rows), so
every error message can point at the cell they must fix.

The 20 MB upload cap bounds bytes, not work: a 150 KB .xlsx can unzip to a million rows, and a 20 MB
CSV can hold ten million empty cells. So reading also stops, with a message naming the limit, as soon
as a file passes one of these (each well above the largest real file, so no real upload meets them):

- `MAX_ROWS`: the bundled scorecard has about 130 rows and a long extract of the whole store a few
  thousand; 250,000 leaves room over a 200,000-row long file (ten years of monthly figures for 1,600 KPIs).
- `MAX_COLUMNS`: a scorecard is KPIs down and months across; 1,000 columns is eighty years of months.
- `MAX_CELLS`: 250,000 rows of a six-column long file. A wide file makes a figure of every cell, and
  1.5 million of them take about 8 seconds and 700 MB to read: the most one upload may ask of the server.
- `MAX_XLSX_UNCOMPRESSED`: openpyxl writes about 50 bytes of sheet XML a cell, so 1.5 million cells and
  their strings unzip to about 80 MB.

A CSV is read by pyarrow when that is sure to give what the csv module gives (one record a line, every quote
around a whole cell, no limit within reach); its rows are then made as lists only when asked for, and a long
file's parser reads `Grid.columns` instead. Anything else goes through the csv module, as it always did.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, overload
from xml.etree.ElementTree import ParseError, iterparse

if TYPE_CHECKING:
    import pyarrow as pa
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 1_000
MAX_CELLS = 1_500_000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
Cell = str | float | int | dt.datetime | None

_MB = 1_048_576
_CHUNK = 1 << 20
# Tags as they stand in sheet XML, with or without a namespace prefix (`<row `, `<x:c>`).
_ROW_TAG = re.compile(rb"<(?:\w{1,16}:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:\w{1,16}:)?c[\s>/]")
_FORMULA_TAG = re.compile(rb"<(?:\w{1,16}:)?f[\s>/]")
_SHARED_STRING_TAG = re.compile(rb"<(?:\w{1,16}:)?si[\s>/]")
_TEXT_RESULTS = {"str", "s", "inlineStr"}


@dataclass(frozen=True)
class Grid:
    """Rows of raw cells. `rows[i]` is the file's row `numbers[i]`."""

    name: str
    rows: Sequence[list[Cell]]
    numbers: Sequence[int]
    # Per-row, per-column Excel number formats, where the source had them (`0.0%`).
    formats: list[list[str]] | None = None
    # A CSV pyarrow read: its cells column by column, every row (title and header rows too) as the text in the
    # file, blanks as "" (a cell is blank, None in `rows`, when it is only whitespace). None for any other grid.
    columns: tuple[pa.Array, ...] | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def rows_at(self, indices: Sequence[int]) -> list[list[Cell]]:
        """`[rows[i] for i in indices]`, made in one go for a CSV pyarrow read."""
        if isinstance(self.rows, _ColumnRows):
            return self.rows.at(indices)
        return [self.rows[i] for i in indices]


class FileRefused(ValueError):
    """The file as a whole cannot be read (empty, binary, wrong type, too big)."""


def _over_limit(name: str, count_words: str, limit: int, where: str = "") -> FileRefused:
    """One wording for every limit, so a manager reads the same sentence whichever they hit."""
    return FileRefused(
        f"{name}{where} has more than {limit:,} {count_words}; the largest file accepted has {limit:,} {count_words}"
    )


class _Tally:
    """Rows and cells read so far: the reader stops the moment a file passes a limit, not after.

    Cells are those the reader made, blanks included. A workbook's grid is moreover a rectangle (rows × its
    widest row, Excel's used range), so one wide row under many narrow ones counts as the rectangle it makes."""

    def __init__(self, name: str, *, rectangular: bool):
        self.name = name
        self.rectangular = rectangular
        self.rows = 0
        self.widest = 0
        self.made = 0

    def add(self, width: int, made: int, line: int) -> None:
        """`width`: the row's columns up to its last value; `made`: the cells read for it."""
        self.rows += 1
        self.widest = max(self.widest, width)
        self.made += made
        if self.rows > MAX_ROWS:
            raise _over_limit(self.name, "rows", MAX_ROWS)
        if width > MAX_COLUMNS:
            raise _over_limit(self.name, "columns", MAX_COLUMNS, where=f", row {line},")
        if max(self.made, self.rows * self.widest if self.rectangular else 0) > MAX_CELLS:
            raise _over_limit(self.name, "cells", MAX_CELLS)


def _trimmed(row: list[Cell]) -> list[Cell]:
    """Trailing blank cells are formatting, not data: Excel pads rows to the widest one."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end] if end < len(row) else row


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without a BOM), UTF-16 or UTF-32 with a byte-order mark (Excel's "Unicode text"), else
    Windows-1252 — but never a mix, which one choice would garble."""
    return _decode(data, name)[0]


# Longest first: UTF-32 LE's mark begins with UTF-16 LE's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SAVE_AS_UTF8 = "save it as CSV UTF-8 and try again"


def _unicode_with_bom(data: bytes, name: str) -> str | None:
    """The text of a file that starts with a UTF-16 or UTF-32 byte-order mark; None for any other file."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                where = f"byte {exc.start:,}"
                raise FileRefused(f"{name} starts as {codec.upper()} text but is not ({where} does not read); "
                                  f"{_SAVE_AS_UTF8}") from None
    return None


def _utf16_without_bom(sample: bytes) -> bool:
    """Text saved as UTF-16 with no byte-order mark: most of every other byte zero (Latin script's high bytes)."""
    halves = (sample[0::2], sample[1::2])
    return len(sample) >= 4 and any(half.count(0) >= 0.75 * len(half) for half in halves)


def _decode(data: bytes, name: str) -> tuple[str, bool]:
    """decode_text's text, and whether it was UTF-8 (then the bytes after a BOM are that text, as pyarrow wants it)."""
    if (text := _unicode_with_bom(data, name)) is not None:
        return text, False
    if b"\x00" in data[:4096]:
        if _utf16_without_bom(data[:4096]):
            raise FileRefused(f"{name} looks like UTF-16 text without a byte-order mark, which cannot be read "
                              f"safely; {_SAVE_AS_UTF8}")
        raise FileRefused(f"{name} is not a text file (it looks binary); upload a .csv or .xlsx file")
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        pass
    if mixed := _mixed_encoding(data):
        raise FileRefused(f"{name}: {mixed}: save the file as UTF-8 and try again")
    try:
        return data.decode("cp1252"), False
    except UnicodeDecodeError:
        raise FileRefused(f"{name} is neither UTF-8 nor Windows-1252 text") from None


def _mixed_encoding(data: bytes) -> str | None:
    """Where a file that is not UTF-8 as a whole has UTF-8 lines among others (pasted from two sources):
    decoding all of it as Windows-1252 would store `café` as `cafÃ©`."""
    first_utf8: int | None = None
    first_other: int | None = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            first_other = first_other or number
        else:
            first_utf8 = first_utf8 or number
        if first_utf8 and first_other:
            if first_utf8 < first_other:
                return f"line {first_other} is not UTF-8 while earlier lines are (line {first_utf8})"
            return f"line {first_utf8} is UTF-8 while earlier lines are not (line {first_other} is Windows-1252)"
    return None


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:65_536].splitlines()[:50])
    counts = {d: sample.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_csv_grid(data: bytes, name: str) -> Grid:
    text, utf8 = _decode(data, name)
    if not text or text.isspace():  # what `not text.strip()` says, without copying the text
        raise FileRefused(f"{name} is empty")
    delimiter = _sniff_delimiter(text)
    body = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data) if utf8 else text.encode("utf-8")
    return _read_with_pyarrow(body, text, name, delimiter) or _read_with_csv(text, name, delimiter)


def _read_with_csv(text: str, name: str, delimiter: str) -> Grid:
    """The csv module, row by row under the limits: the reader for every CSV pyarrow may not read alike."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    tally = _Tally(name, rectangular=False)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    try:
        for row in reader:
            cells = _trimmed([c if c.strip() else None for c in row])
            tally.add(len(cells), len(row), reader.line_num)
            numbers.append(reader.line_num)
            rows.append(cells)
    except csv.Error as exc:
        raise FileRefused(f"{name}: not a readable CSV file ({exc})") from exc
    return Grid(name=name, rows=rows, numbers=numbers)


def _line_count(body: bytes) -> int:
    """Lines as the csv module counts them (`\n`, `\r\n` or a lone `\r` ends one), a last unended line included.
    Counted in the UTF-8 bytes, where a newline byte is only ever a newline, at memchr's speed."""
    ends = body.count(b"\n") + (body.count(b"\r") - body.count(b"\r\n") if b"\r" in body else 0)
    return ends + (0 if body.endswith((b"\n", b"\r")) else 1)


def _quotes_are_whole_cells(text: str, delimiter: str) -> bool:
    """Every line with a quote in it holds only whole quoted cells (`"1,234"`, a quote inside one doubled) beside
    unquoted ones: there pyarrow and the csv module split alike. A quote inside a cell, or one left open to the next
    line, is read as the csv module reads it, by the csv module."""
    at = text.find('"')
    if at == -1:
        return True
    d = re.escape(delimiter)
    cell = rf'(?:"(?:[^"\r\n]|"")*"|[^"{d}\r\n]*)'
    line = re.compile(rf"{cell}(?:{d}{cell})*")
    newline = "\r" if "\n" not in text else "\n"  # a lone \r in a file of \n lines: the line-count check refuses it
    while at != -1:
        start = text.rfind(newline, 0, at) + 1
        end = text.find(newline, at)
        end = len(text) if end == -1 else end
        if not line.fullmatch(text, start, end - (end > start and text[end - 1] == "\r")):
            return False
        at = text.find('"', end)
    return True


def _read_with_pyarrow(body: bytes, text: str, name: str, delimiter: str) -> Grid | None:
    """The CSV read by pyarrow, or None when the csv module must read it: a NUL (the csv module refuses it), a
    quote that is not a whole cell, a limit within reach (the csv module refuses at the very row), a cell near
    the csv module's field limit, rows of different widths, or a blank line or a record over two lines (either
    would shift the row numbers). `body` is `text` in UTF-8. A second BOM (text that starts with one) is left to
    the csv module, which keeps it as text where pyarrow might drop it."""
    lines = _line_count(body)
    if text.startswith("\ufeff") or b"\x00" in body or lines > MAX_ROWS or not _quotes_are_whole_cells(text, delimiter):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(MAX_COLUMNS + 1)},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowException:  # a row of another width, a cell straddling pyarrow's blocks: the csv module reads it
        return None
    width = table.num_columns
    if table.num_rows != lines or width > MAX_COLUMNS or lines * width > MAX_CELLS:
        return None
    columns = tuple(c.combine_chunks() for c in table.columns)
    if any((pc.max(pc.binary_length(c)).as_py() or 0) >= csv.field_size_limit() // 2 for c in columns):  # bytes ≥ chars
        return None
    return Grid(name=name, rows=_ColumnRows(columns), numbers=list(range(1, lines + 1)), columns=columns)


class _ColumnRows(Sequence[list[Cell]]):
    """A pyarrow-read CSV's rows as `read_csv_grid` has always given them (blank cells None, trailing blanks
    trimmed), each made when first asked for and all of them at once for a reader that walks every row."""

    _ALL_AT = 64  # rows asked for one by one before making every row in one go is cheaper

    def __init__(self, columns: tuple[pa.Array, ...]):
        self._columns = columns
        self._made: dict[int, list[Cell]] = {}
        self._all: list[list[Cell]] | None = None

    def __len__(self) -> int:
        return len(self._columns[0])

    @overload
    def __getitem__(self, index: int) -> list[Cell]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[Cell]]: ...

    def __getitem__(self, index: int | slice) -> list[Cell] | list[list[Cell]]:
        if isinstance(index, slice):
            picked = range(len(self))[index]
            return [self._row(i) for i in picked] if len(picked) <= self._ALL_AT else self._every()[index]
        return self._row(range(len(self))[index])  # a negative index counted from the end, or IndexError

    def _row(self, index: int) -> list[Cell]:
        if self._all is not None:
            return self._all[index]
        if index not in self._made:
            if len(self._made) >= self._ALL_AT:
                return self._every()[index]
            self._made[index] = _trimmed([c if c.strip() else None for c in (col[index].as_py() for col in self._columns)])
        return self._made[index]

    def at(self, indices: Sequence[int]) -> list[list[Cell]]:
        if self._all is not None:
            return [self._all[i] for i in indices]
        if missing := [i for i in indices if i not in self._made]:
            import pyarrow as pa

            picked = pa.array(missing, pa.int64())
            cells = zip(*(col.take(picked).to_pylist() for col in self._columns), strict=True)
            for i, row in zip(missing, cells, strict=True):
                self._made[i] = _trimmed([c if c.strip() else None for c in row])
        return [self._made[i] for i in indices]

    def _every(self) -> list[list[Cell]]:
        if self._all is None:
            cells = zip(*(col.to_pylist() for col in self._columns), strict=True)
            self._all = [self._made[i] if i in self._made else _trimmed([c if c.strip() else None for c in row])
                         for i, row in enumerate(cells)]
        return self._all

    def __iter__(self) -> Iterator[list[Cell]]:
        return iter(self._every())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


def _refuse_unreadable(name: str, exc: Exception) -> FileRefused:
    return FileRefused(f"{name} is not a readable Excel .xlsx file ({type(exc).__name__})")


def _tag_counts(stream: IO[bytes], patterns: tuple[re.Pattern[bytes], ...], limits: tuple[int, ...]) -> list[int]:
    """Count tags in streamed XML at C speed, stopping once any count passes its limit: a bomb is
    refused after reading just past the limit, long before a parser would have built it."""
    counts = [0] * len(patterns)
    carry = b""
    while chunk := stream.read(_CHUNK):
        chunk = carry + chunk
        # Keep a tag cut by the chunk's end for the next round: the tags counted are all short.
        keep = chunk.rfind(b"<", max(0, len(chunk) - 32))
        keep = len(chunk) if keep == -1 else keep
        for i, pattern in enumerate(patterns):
            counts[i] += len(pattern.findall(chunk, 0, keep))
        carry = chunk[keep:]
        if any(c > limit for c, limit in zip(counts, limits, strict=True)):
            break
    return counts


def open_workbook(data: bytes, name: str, *, data_only: bool = True) -> Workbook:
    """An openpyxl read-only workbook, refused before openpyxl opens it when it is too big to read.

    Opening is already work: openpyxl reads every shared string, and parses a whole sheet to find its size
    when the sheet does not state one. So the zip's unzipped size, and the strings, rows and cells of every
    sheet, are counted first."""
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # zipfile.BadZipFile, a truncated directory, …: any corrupt workbook
        raise _refuse_unreadable(name, exc) from exc
    unzipped = sum(m.file_size for m in members)
    if unzipped > MAX_XLSX_UNCOMPRESSED:
        raise FileRefused(
            f"{name} unzips to {unzipped / _MB:,.0f} MB; the largest workbook accepted unzips to "
            f"{MAX_XLSX_UNCOMPRESSED // _MB} MB"
        )
    try:
        with archive:
            for member in members:
                path = member.filename.lower()
                if path.endswith("sharedstrings.xml"):
                    with archive.open(member) as stream:
                        (strings,) = _tag_counts(stream, (_SHARED_STRING_TAG,), (MAX_CELLS,))
                    if strings > MAX_CELLS:
                        raise _over_limit(name, "cells", MAX_CELLS)
                elif "worksheets/" in path and path.endswith(".xml"):
                    with archive.open(member) as stream:
                        rows, cells = _tag_counts(stream, (_ROW_TAG, _CELL_TAG), (MAX_ROWS, MAX_CELLS))
                    if rows > MAX_ROWS:
                        raise _over_limit(name, "rows", MAX_ROWS)
                    if cells > MAX_CELLS:
                        raise _over_limit(name, "cells", MAX_CELLS)
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except FileRefused:
        raise
    except Exception as exc:  # InvalidFileException, KeyError, zlib.error…: openpyxl's many ways to fail
        raise _refuse_unreadable(name, exc) from exc


def _refuse_uncalculated(data: bytes, name: str, ws: ReadOnlyWorksheet) -> None:
    """Formula cells with no saved result would be read as blank without a word: refuse them by name."""
    path = getattr(ws, "_worksheet_path", None)  # openpyxl's own; a workbook without it has no formulas read
    if path is None:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with archive.open(path) as stream:
            if not _tag_counts(stream, (_FORMULA_TAG,), (0,))[0]:
                return
        with archive.open(path) as stream:
            uncalculated = list(_uncalculated_formulas(stream, limit=5))
    if uncalculated:
        shown = ", ".join(f"{ws.title}!{ref} " + (f"={formula}" if formula else "(a shared formula)")
                          for ref, formula in uncalculated)
        raise FileRefused(
            f"{name} has formulas with no calculated result saved ({shown}): the tool that wrote it never "
            "calculated them. Open it in Excel, save it and try again"
        )


def _uncalculated_formulas(stream: IO[bytes], limit: int) -> Iterator[tuple[str, str]]:
    """(cell reference, formula or "" for a shared one) of formula cells holding no saved result. A formula whose result is text
    may save an empty one (`=IF(A1="","",A1)`); any other empty result was never calculated."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    row, column, found = 0, 0, 0
    try:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    ref = element.get("r")
                    row, column = (int(ref) if ref and ref.isdigit() else row + 1), 0
                continue
            if tag == "c":
                ref = element.get("r")
                column = column_index_from_string(coordinate_from_string(ref)[0]) if ref else column + 1
                parts = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = parts.get("v")
                if "f" in parts and (value is None or not (value.text or "").strip()) and element.get("t") not in _TEXT_RESULTS:
                    yield ref or f"{get_column_letter(column)}{row}", parts["f"].text or ""
                    found += 1
                    if found >= limit:
                        return
                element.clear()
            elif tag == "row":
                element.clear()
    except (ParseError, ValueError):
        return  # malformed XML: openpyxl refuses the workbook with its own message


def read_xlsx_grid(data: bytes, name: str, sheet: str | None = None) -> Grid:
    book = open_workbook(data, name)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileRefused(f"{name} has no sheet {sheet!r} (it has {', '.join(book.sheetnames)})")
        if not book.worksheets:
            raise FileRefused(f"{name} has no worksheets")
        ws = book[sheet] if sheet else book.worksheets[0]
        _refuse_uncalculated(data, name, ws)
        ws.reset_dimensions()  # a sheet's stated size may be wrong (or hostile): read only the cells it has
        tally = _Tally(name, rectangular=True)
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
                if isinstance(value, (dt.time, dt.timedelta)):
                    value = str(value)
                fmt = getattr(cell, "number_format", "General") or "General"
                if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
                    # Excel keeps 49.2% as 0.492 with a % format: give layouts the text a person sees.
                    value = f"{round(value * 100, 10):.10g}%"
                values.append(value)
                fmts.append(fmt)
            values = _trimmed(values)
            tally.add(len(values), len(fmts), index)
            rows.append(values)
            formats.append(fmts[: len(values)])
            numbers.append(index)
        for values, fmts in zip(rows, formats, strict=True):  # a sheet is a rectangle, as Excel shows it
            values.extend([None] * (tally.widest - len(values)))
            fmts.extend(["General"] * (tally.widest - len(fmts)))
    except FileRefused:
        raise
    except Exception as exc:  # a sheet openpyxl cannot parse half way through
        raise _refuse_unreadable(name, exc) from exc
    finally:
        book.close()
    return Grid(name=name, rows=rows, numbers=numbers, formats=formats)


def xlsx_sheet_names(data: bytes) -> list[str]:
    try:
        book = open_workbook(data, "the workbook")
    except FileRefused:  # read_xlsx_grid refuses it with the message
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_grid(data: bytes, name: str, sheet: str | None = None) -> Grid:
    """Read a .csv/.txt or .xlsx upload; refuse anything else with a message a manager can act on."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"{name} is {len(data) / _MB:.1f} MB; the largest file accepted is {MAX_UPLOAD_BYTES // _MB} MB"
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

