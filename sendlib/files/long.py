"""The long layout: one value a row, as the store holds it and as analysts' tools write it.

Columns: `kpi_id` or `kpi_name`, `period`, `value`; optional `series`, `count`, `note`, `scorecard`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sendlib.domain.catalogue import KPI, Catalogue
from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.schema import SERIES, series_for_heading
from sendlib.domain.values import CellErrorKind
from sendlib.files.parsed import Columns, Parsed, begin, closest_hint, header_key, header_row
from sendlib.files.readers import Grid


def find_header(grid: Grid) -> int | None:
    return header_row(grid, lambda keys: {"value", "period"} <= keys and bool(keys & {"kpi id", "kpi name"}))


def _column_key(cell: object) -> str | None:
    return header_key(cell).replace(" ", "_") if cell is not None else None


def _series(raw: object) -> str | None:
    """`actual` for no series at all; a series id, or a heading the wide layout uses for one; else None."""
    if raw is None:
        return "actual"
    return "actual" if header_key(raw) == "actual" else series_for_heading(raw)


def _count(raw: object) -> int | None:
    """A whole number of zero or more; raises ValueError for anything else."""
    try:
        count_f = float(str(raw).replace(",", ""))
        if count_f < 0 or count_f != int(count_f):
            raise ValueError
        return int(count_f)
    except (ValueError, OverflowError):
        raise ValueError(raw) from None


def parse_long(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed, header_index = begin("long", grid, find_header, "no header row with kpi_id (or kpi_name), period and value")
    if header_index is None:
        return parsed
    cols = Columns.of(grid.rows[header_index], _column_key)
    seen: dict[tuple[str, str, str], int] = {}
    # Extracts write children qualified by their parent: "Parent – primary phase".
    by_qualified = {catalogue.qualified_name(k): k for k in catalogue if k.parent_id}
    for index in range(header_index + 1, len(grid.rows)):
        row = grid.rows[index]
        if any(c is not None for c in row):
            _read_row(parsed, catalogue, by_qualified, cols, seen, row, grid.numbers[index], grid.name)
    return parsed


def _read_row(
    parsed: Parsed,
    catalogue: Catalogue,
    by_qualified: dict[str, KPI],
    cols: Columns,
    seen: dict[tuple[str, str, str], int],
    row: Sequence[object],
    line: int,
    file: str | None,
) -> None:
    def fail(kind: CellErrorKind, key: str, raw: object, problem: str) -> None:
        parsed.reject(kind, raw, problem, row=line, column=cols.heading_of(key), file=file)

    kpi = _find_kpi(catalogue, by_qualified, cols.cell(row, "kpi_id"), cols.cell(row, "kpi_name"), cols.cell(row, "scorecard"))
    if kpi is None:
        key = "kpi_id" if cols.cell(row, "kpi_id") is not None else "kpi_name"
        raw = cols.cell(row, key)
        fail(CellErrorKind.UNKNOWN_KPI, key, raw, f"unknown KPI{closest_hint(parsed, catalogue, raw)}")
        return
    raw_series = cols.cell(row, "series")
    series = _series(raw_series)
    if series is None:
        fail(CellErrorKind.BAD_SERIES, "series", raw_series, f"series must be one of {', '.join(SERIES)}")
        return
    raw_period = cols.cell(row, "period")
    period = ""
    if raw_period is not None:
        try:
            period = parse_period(raw_period).label
        except PeriodError as exc:
            fail(CellErrorKind.BAD_PERIOD, "period", raw_period, str(exc))
            return
    elif series == "actual":
        fail(CellErrorKind.BAD_PERIOD, "period", raw_period, "an actual value needs a period")
        return
    value = parsed.read_value(cols.cell(row, "value"), kpi.unit, row=line, column=cols.heading["value"], file=file)
    if value is None:
        return
    count = None
    raw_count = cols.cell(row, "count")
    if raw_count is not None:
        try:
            count = _count(raw_count)
        except ValueError:
            fail(CellErrorKind.NOT_WHOLE, "count", raw_count, "a count must be a whole number of zero or more")
            return
    note = cols.cell(row, "note")
    note_text = " ".join(str(note).split()) if note is not None else value.note
    key3 = (kpi.id, period, series)
    if key3 in seen:
        fail(CellErrorKind.DUPLICATE, "period", raw_period, f"the same KPI, period and series appear twice (also row {seen[key3]})")
        return
    seen[key3] = line
    if value.value is None and not note_text:
        return
    parsed.add_value(kpi.scorecard, kpi.id, period, series, value, count=count, note=note_text)


def _find_kpi(catalogue: Catalogue, by_qualified: dict[str, KPI], kpi_id: object, name: object, scorecard: object) -> KPI | None:
    if kpi_id is not None:
        return catalogue.get(str(kpi_id).strip())
    if name is None:
        return None
    scorecards = [str(scorecard).strip()] if scorecard is not None else ["scorecard", "board"]
    text = str(name)
    for sc in scorecards:
        kpi = catalogue.find_by_name(sc, text)
        if kpi is not None:
            return kpi
    return by_qualified.get(text.strip())
