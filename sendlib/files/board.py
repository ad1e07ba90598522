"""The board report as a table: one row per measure, Latest / Previous with their periods, Target.

Measures are matched by their number (stable across months even when a name is reworded);
the contextual tiles, which have no number, by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sendlib.domain.catalogue import KPI, Catalogue
from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.values import CellErrorKind
from sendlib.files.parsed import (
    Columns,
    Parsed,
    WarningKind,
    begin,
    closest_hint,
    header_key,
    header_row,
    polarity_odd,
)
from sendlib.files.readers import Grid

SCORECARD = "board"
_MEASURE_NUMBER = re.compile(r"(\d{1,6})(?:\.0*)?")
POLARITY_WORDS = {"high": "higher_better", "low": "lower_better"}
HEADINGS = {
    "no": "no",
    "measure": "measure",
    "latest period": "latest_period",
    "latest": "latest",
    "previous period": "previous_period",
    "previous": "previous",
    "target": "target",
    "what does good performance look like?": "good",
    "notes": "notes",
}
# Each figure a row holds: its column, the column of its period (none for the target), and its series.
FIGURES = (("latest", "latest_period", "actual"), ("previous", "previous_period", "actual"), ("target", None, "target"))


def find_header(grid: Grid) -> int | None:
    return header_row(grid, lambda keys: {"measure", "latest", "previous"} <= keys)


def parse_board(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed, header_index = begin("board", grid, find_header, "no header row with Measure, Latest and Previous columns")
    if header_index is None:
        return parsed
    cols = Columns.of(grid.rows[header_index], lambda c: HEADINGS.get(header_key(c)))
    by_number = {k.order: k for k in catalogue.for_scorecard(SCORECARD)}
    for index in range(header_index + 1, len(grid.rows)):
        row = grid.rows[index]
        line = grid.numbers[index]
        name, number = cols.cell(row, "measure"), cols.cell(row, "no")
        if name is None and number is None:
            continue
        kpi = _match(catalogue, by_number, number, name)
        if kpi is None:
            hint = closest_hint(parsed, catalogue, name, SCORECARD)
            parsed.reject(
                CellErrorKind.UNKNOWN_MEASURE, number or name, f"unknown board measure{hint}",
                row=line, column=cols.heading.get("no", "No"), file=grid.name,
            )
            continue
        good = header_key(cols.cell(row, "good"))
        if good in POLARITY_WORDS and POLARITY_WORDS[good] != kpi.polarity:
            parsed.warn(WarningKind.POLARITY, f"row {line}: the report says {good!r} is good for {kpi.id}, the catalogue says {kpi.polarity}",
                        kpi_id=kpi.id, odd=polarity_odd(POLARITY_WORDS[good], kpi.polarity))
        for value_key, period_key, series in FIGURES:
            _read_figure(parsed, cols, row, line, grid.name, kpi, value_key, period_key, series)
    return parsed


def _read_figure(
    parsed: Parsed, cols: Columns, row: Sequence[object], line: int, file: str | None, kpi: KPI,
    value_key: str, period_key: str | None, series: str,
) -> None:
    """One of a measure's figures (Latest, Previous or Target) with its period, into the store's rows."""
    value = parsed.read_value(cols.cell(row, value_key), kpi.unit, row=line, column=cols.heading_of(value_key), file=file)
    if value is None:
        return
    note = value.note
    notes = cols.cell(row, "notes")
    if value_key == "latest" and notes:
        note = f"{note}; {notes}" if note else str(notes)
    if value.value is None and note is None:
        return
    period = ""
    if period_key:
        raw_period = cols.cell(row, period_key)
        try:
            period = parse_period(raw_period).label
        except PeriodError as exc:
            parsed.reject(CellErrorKind.BAD_PERIOD, raw_period, str(exc), row=line, column=cols.heading_of(period_key), file=file)
            return
    parsed.add_value(SCORECARD, kpi.id, period, series, value, note=note)


def _match(catalogue: Catalogue, by_number: dict[int, KPI], number: object, name: object) -> KPI | None:
    if number is not None and str(number).strip():
        whole = _MEASURE_NUMBER.fullmatch(str(number).strip())  # `7`, or `7.0` from a workbook
        return by_number.get(int(whole.group(1))) if whole else None
    return catalogue.find_by_name(SCORECARD, str(name)) if name is not None else None
