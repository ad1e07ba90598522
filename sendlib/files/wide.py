"""The scorecard's own layout, read and written: KPIs down, months across, then Nat / SN / SW / Target.

Reading (`parse_wide`): section rows (a name and nothing else) give the theme; `no of above …` rows break
down the row above them; arrows trail most values. Title and blank rows may stand above the header.

Writing (`wide_table`, `wide_cell`): exactly the shape `parse_wide` reads, with every cell written so it
re-parses to the same value, count and note: a wide extract uploaded back changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import SupportsFloat, SupportsInt, cast

import pandas as pd

from sendlib.domain.catalogue import KPI, Catalogue, normalise_name
from sendlib.domain.periods import PeriodError, parse_period, short_label
from sendlib.domain.schema import SERIES, SERIES_HEADINGS, series_for_heading
from sendlib.domain.values import ARROW_SYMBOL, CellError, CellErrorKind, ParsedValue, Unit, format_value, parse_value
from sendlib.files.parsed import Parsed, WarningKind, begin, closest_hint, header_key, header_row
from sendlib.files.readers import Cell, Grid

SCORECARD = "scorecard"
CHILD_PREFIX = "no of above"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


# --- reading -------------------------------------------------------------------------------------


def find_header(grid: Grid) -> int | None:
    return header_row(grid, lambda keys: "kpi" in keys)


@dataclass(frozen=True)
class _Sheet:
    """The header row read: where the KPI names are, and each value column's (series, period) and heading."""

    grid: Grid
    header_index: int
    kpi_col: int
    columns: dict[int, tuple[str, str]]
    headings: dict[int, str]

    @property
    def header(self) -> list[Cell]:
        return self.grid.rows[self.header_index]


@dataclass
class _Place:
    """Where the rows read so far have got to: the last top-level KPI (a `no of above` row's parent) and section."""

    parent: KPI | None = None
    section: str | None = None


def _column_target(cell: object) -> tuple[str, str]:
    """(series, period) for a column heading: a benchmark or target with no period, or an actual month.
    Raises PeriodError for a heading that is neither."""
    series = series_for_heading(cell)
    return (series, "") if series is not None else ("actual", parse_period(cell).label)


def _classify_columns(grid: Grid, header_index: int, parsed: Parsed) -> tuple[int, dict[int, tuple[str, str]]]:
    """Map each column to (series, period). Actual months have a period; benchmarks have none."""
    header = grid.rows[header_index]
    kpi_col = next(i for i, c in enumerate(header) if header_key(c) == "kpi")
    columns: dict[int, tuple[str, str]] = {}
    seen: dict[tuple[str, str], object] = {}

    def fail(kind: CellErrorKind, cell: object, problem: str) -> None:
        parsed.reject(kind, cell, problem, row=grid.numbers[header_index], column=str(cell), file=grid.name)

    for col in range(kpi_col + 1, len(header)):
        cell = header[col]
        if cell is None:
            continue
        try:
            target = _column_target(cell)
        except PeriodError as exc:
            fail(CellErrorKind.BAD_HEADING, cell, f"this column heading is neither a month nor one of Nat, SN, SW, Target ({exc})")
            continue
        if target in seen:
            fail(CellErrorKind.DUPLICATE, cell, f"the same column appears twice (also headed {seen[target]!s})")
            continue
        seen[target] = cell
        columns[col] = target
    return kpi_col, columns


def _read_header(grid: Grid, header_index: int, parsed: Parsed) -> _Sheet:
    kpi_col, columns = _classify_columns(grid, header_index, parsed)
    headings = {col: str(grid.rows[header_index][col]) for col in columns}
    return _Sheet(grid, header_index, kpi_col, columns, headings)


def parse_wide(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed, header_index = begin("wide", grid, find_header, "no header row with a 'KPI' column was found")
    if header_index is None:
        return parsed
    sheet = _read_header(grid, header_index, parsed)
    place = _Place()
    for index in range(header_index + 1, len(grid.rows)):
        _read_row(parsed, catalogue, sheet, index, place)
    return parsed


def _read_row(parsed: Parsed, catalogue: Catalogue, sheet: _Sheet, index: int, place: _Place) -> None:
    """One row: a KPI and its values, a section heading, or values that belong nowhere."""
    row = sheet.grid.rows[index]
    line = sheet.grid.numbers[index]
    name = row[sheet.kpi_col] if sheet.kpi_col < len(row) else None
    values = {col: row[col] for col in sheet.columns if col < len(row) and row[col] is not None}
    _report_stray(parsed, sheet, row, line)
    if name is None or not str(name).strip():
        if values:
            first = min(values)
            parsed.reject(
                CellErrorKind.STRAY_VALUE, values[first], "a row of values with no KPI name",
                row=line, column=sheet.headings[first], file=sheet.grid.name,
            )
        return
    kpi = _find_kpi(parsed, catalogue, sheet, str(name).strip(), bool(values), line, place)
    if kpi is not None:
        _read_values(parsed, sheet, kpi, values, line)


def _report_stray(parsed: Parsed, sheet: _Sheet, row: Sequence[object], line: int) -> None:
    """Values in columns that are neither the KPI names nor a month or series."""
    header = sheet.header
    for col in range(len(row)):
        if col == sheet.kpi_col or col in sheet.columns or row[col] is None:
            continue
        heading = header[col] if col < len(header) else None
        parsed.reject(
            CellErrorKind.STRAY_VALUE,
            row[col],
            "a value in a column with no heading" if heading is None else "a value under an unusable heading",
            row=line,
            column=str(heading) if heading is not None else f"column {col + 1}",
            file=sheet.grid.name,
        )


def _find_kpi(
    parsed: Parsed, catalogue: Catalogue, sheet: _Sheet, name: str, has_values: bool, line: int, place: _Place
) -> KPI | None:
    """The catalogue's KPI for a row's name (a `no of above` row under its parent), keeping `place` up to date.
    None for a section heading (which becomes the section) or an unknown KPI (recorded as an error)."""
    is_child = normalise_name(name).startswith(CHILD_PREFIX)
    kpi = catalogue.find_by_name(SCORECARD, name, place.parent.name if (is_child and place.parent) else None)
    if kpi is None:
        if not has_values:
            place.section = name  # a section heading (or a KPI we don't know with nothing in it)
            return None
        parsed.reject(
            CellErrorKind.UNKNOWN_KPI,
            name,
            f"unknown KPI{closest_hint(parsed, catalogue, name, SCORECARD)}. Add it on the upload page (or to the catalogue) and try again",
            row=line,
            column=str(sheet.header[sheet.kpi_col]),
            file=sheet.grid.name,
        )
        return None
    if not is_child:
        place.parent = kpi
    if place.section and normalise_name(place.section) != normalise_name(kpi.section):
        parsed.warn(
            WarningKind.SECTION,
            f"row {line}: {name!r} sits under section {place.section!r}, the catalogue files it under {kpi.section!r}",
        )
    return kpi


def _read_values(parsed: Parsed, sheet: _Sheet, kpi: KPI, values: Mapping[int, object], line: int) -> None:
    """A KPI's cells, month by month then the benchmarks, checking each arrow against the month before."""
    previous: tuple[str, float | None] | None = None
    for col in sorted(sheet.columns):
        series, period = sheet.columns[col]
        heading = sheet.headings[col]
        raw = values.get(col)
        value = parsed.read_value(raw, kpi.unit, row=line, column=heading, file=sheet.grid.name)
        if value is None:
            continue
        if series == "actual":
            _check_arrow(parsed, line, heading, previous, value)
            previous = (heading, value.value) if value.value is not None else None
        if "fraction" in value.flags:
            parsed.warn(
                WarningKind.FRACTION,
                f"row {line}, column {heading!r}: {raw!r} read as a fraction, {value.value:g}%",
            )
        if not value.is_empty:
            parsed.add_value(SCORECARD, kpi.id, period, series, value)


def _check_arrow(parsed: Parsed, row: int, column: str, previous: tuple[str, float | None] | None, value: ParsedValue) -> None:
    """Warn when a value's arrow says up, down or flat and the figures (this month's and the last) disagree."""
    now, arrow = value.value, value.arrow
    if arrow is None or now is None or previous is None or previous[1] is None:
        return
    before = previous[1]
    actual = "up" if now > before else "down" if now < before else "flat"
    if actual != arrow:
        parsed.warn(
            WarningKind.ARROW,
            f"row {row}, column {column!r}: the arrow {ARROW_SYMBOL[arrow]} says {arrow}, "
            f"but the value went from {before:g} ({previous[0]}) to {now:g}"
        )


# --- writing -------------------------------------------------------------------------------------


def written_heading(series: str) -> str:
    """The heading the wide layout writes over a benchmark or target column: Nat, SN, SW, Target."""
    return SERIES_HEADINGS[series][0]


def _number(value: float) -> str:
    """The shortest text that reads back as exactly this float (`7143`, `49.2`, `-1.17`)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(float(value))


_FRACTION_NOTE = re.compile(r"^read (\S+) as a fraction: ")


def wide_cell(raw_value: object, raw_count: object, raw_note: object, unit: Unit) -> str | None:
    """One store cell as the scorecard writes it, or None when the wide layout cannot hold it exactly.

    `49.2%`, `14.3% (10)`, `7143`, `38 weeks 4 days`, `requested`, `▲` (an arrow with no value), and a
    pasted fraction back as the fraction it was (`0.316`), so its note is read again word for word.
    The store's gaps (None, NA, NaN) are no value, no count, no note."""
    value = None if _blank(raw_value) else float(cast("SupportsFloat", raw_value))
    count = None if _blank(raw_count) else int(cast("SupportsInt", raw_count))
    note = None if _blank(raw_note) or raw_note == "" else str(raw_note)
    if value is None and note is None:
        return None
    candidates: list[str] = []
    if value is None:
        if note == "-":
            candidates.append("–")  # a bare hyphen would be neutralised in a CSV; the en dash reads the same
        if (m := re.fullmatch(r"arrow (\S) with no value", note or "")) is not None:
            candidates.append(m.group(1))
        candidates.append(note or "")
    else:
        if note and (m := _FRACTION_NOTE.match(note)):
            candidates.append(m.group(1))
        suffix = f" ({count})" if count is not None else ""
        if unit == "percent":
            candidates += [f"{format_value(value, unit)}{suffix}", f"{_number(value)}%{suffix}"]
        elif unit == "days":
            candidates += [format_value(value, unit) + suffix, _number(value) + suffix]
        else:
            candidates.append(_number(value) + suffix)
    for text in candidates:
        if _reads_back(text, value, count, note, unit):
            return text
    return None


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _reads_back(text: str, value: float | None, count: int | None, note: str | None, unit: Unit) -> bool:
    try:
        parsed = parse_value(neutralise(text), unit)
    except CellError:
        return False
    return parsed.value == value and parsed.count == count and parsed.note == note


def _month_columns(periods: list[str]) -> list[str]:
    """Every month from the first to the last, in order, so a gap shows as an empty column."""
    months = sorted(parse_period(p).start for p in periods)
    if not months:
        return []
    out, current = [], months[0]
    while current <= months[-1]:
        out.append(f"{current.year:04d}-{current.month:02d}")
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def _ordered_kpis(catalogue: Catalogue, ids: set[str]) -> list[KPI]:
    """Scorecard order, each `no of above` row straight after its parent (which `parse_wide` needs), the
    parent included even when only its breakdown was asked for."""
    wanted = set(ids) | {catalogue[i].parent_id for i in ids if i in catalogue and catalogue[i].parent_id}
    rows = catalogue.for_scorecard(SCORECARD)
    children: dict[str, list[KPI]] = {}
    for kpi in rows:
        if kpi.parent_id:
            children.setdefault(kpi.parent_id, []).append(kpi)
    out = []
    for kpi in rows:
        if kpi.parent_id or kpi.id not in wanted:
            continue
        out.append(kpi)
        out += [c for c in children.get(kpi.id, []) if c.id in wanted]
    return out


def wide_table(
    long: pd.DataFrame, catalogue: Catalogue, series: list[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The scorecard's own layout from long rows of the monthly scorecard, holding `series` (all when none are
    named). Returns the grid and notes about anything the layout cannot hold (values of other periods, a note
    beside a value)."""
    series = series or SERIES
    notes: list[str] = []
    long = long[long["scorecard"] == SCORECARD]
    is_month = long["period"].map(lambda p: bool(p) and parse_period(p).kind == "month")
    placeable = ((long["series"] == "actual") & is_month) | ((long["series"] != "actual") & (long["period"] == ""))
    if (~placeable).any():
        notes.append(
            f"{int((~placeable).sum()):,} value(s) are not monthly figures or undated benchmarks and have no column "
            "in the wide layout; they are in the long layout."
        )
    long = long[placeable]
    months = _month_columns(long.loc[long["series"] == "actual", "period"].tolist()) if "actual" in series else []
    month_headings = [short_label(m) for m in months]
    bench = [s for s in SERIES_HEADINGS if s in series]
    columns = ["KPI", *month_headings, *(written_heading(s) for s in bench)]
    heading_of = {("actual", m): h for m, h in zip(months, month_headings)} | {
        (s, ""): written_heading(s) for s in bench
    }
    cells: dict[str, dict[str, str]] = {}
    lost = 0
    for kpi_id, period, series_id, value, count, note in zip(
        long["kpi_id"], long["period"], long["series"], long["value"], long["count"], long["note"]
    ):
        heading = heading_of.get((str(series_id), str(period)))
        kpi = catalogue.get(str(kpi_id))
        if heading is None or kpi is None:
            continue
        text = wide_cell(value, count, note, kpi.unit)
        if text is None:
            lost += 1
            continue
        cells.setdefault(kpi.id, {})[heading] = text
    if lost:
        notes.append(
            f"{lost:,} value(s) carry a note beside the figure that the scorecard layout has no place for; the long "
            "layout keeps them whole."
        )
    records: list[dict[str, str | None]] = []
    section = None
    for kpi in _ordered_kpis(catalogue, set(long["kpi_id"])):
        if kpi.section != section and not kpi.parent_id:
            section = kpi.section
            records.append({"KPI": section})
        records.append({"KPI": kpi.name, **cells.get(kpi.id, {})})
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    return frame.astype(object).where(frame.notna(), None), notes


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
