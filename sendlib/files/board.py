"""The board report as a table: one row per measure, Latest / Previous with their periods, Target.

Measures are matched by their number (stable across months even when a name is reworded);
the contextual tiles, which have no number, by name.
"""

from __future__ import annotations

import re

from sendlib.domain.catalogue import KPI, Catalogue
from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.values import CellError, parse_value
from sendlib.files.parsed import Parsed, WarningKind, closest_hint, header_key, header_row
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


def find_header(grid: Grid) -> int | None:
    return header_row(grid, lambda keys: {"measure", "latest", "previous"} <= keys)


def parse_board(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed = Parsed(layout="board")
    header_index = find_header(grid)
    if header_index is None:
        parsed.error(CellError("", "no header row with Measure, Latest and Previous columns", file=grid.name))
        return parsed
    header = grid.rows[header_index]
    cols = {HEADINGS[header_key(c)]: i for i, c in enumerate(header) if header_key(c) in HEADINGS}
    heading = {key: str(header[i]) for key, i in cols.items()}
    by_number = {k.order: k for k in catalogue.for_scorecard(SCORECARD)}

    def cell(row: list, key: str) -> object:
        i = cols.get(key)
        return row[i] if i is not None and i < len(row) else None

    for index in range(header_index + 1, len(grid.rows)):
        row = grid.rows[index]
        line = grid.numbers[index]
        name, number = cell(row, "measure"), cell(row, "no")
        if name is None and number is None:
            continue
        kpi = _match(catalogue, by_number, number, name)
        if kpi is None:
            hint = closest_hint(parsed, catalogue, name, SCORECARD)
            parsed.error(
                CellError(str(number or name), f"unknown board measure{hint}", row=line, column=heading.get("no", "No"), file=grid.name)
            )
            continue
        good = header_key(cell(row, "good"))
        if good in POLARITY_WORDS and POLARITY_WORDS[good] != kpi.polarity:
            parsed.warn(WarningKind.POLARITY, f"row {line}: the report says {good!r} is good for {kpi.id}, the catalogue says {kpi.polarity}")
        notes = cell(row, "notes")
        for value_key, period_key, series in (
            ("latest", "latest_period", "actual"),
            ("previous", "previous_period", "actual"),
            ("target", None, "target"),
        ):
            raw = cell(row, value_key)
            try:
                value = parse_value(raw, kpi.unit)
            except CellError as exc:
                parsed.error(exc.at(row=line, column=heading[value_key], file=grid.name))
                continue
            note = value.note
            if value_key == "latest" and notes:
                note = f"{note}; {notes}" if note else str(notes)
            if value.value is None and note is None:
                continue
            period = ""
            if period_key:
                try:
                    period = parse_period(cell(row, period_key)).label
                except PeriodError as exc:
                    parsed.error(
                        CellError(str(cell(row, period_key)), str(exc), row=line, column=heading.get(period_key, period_key), file=grid.name)
                    )
                    continue
            parsed.add(
                scorecard=SCORECARD,
                kpi_id=kpi.id,
                period=period,
                series=series,
                value=value.value,
                count=value.count,
                note=note,
            )
    return parsed


def _match(catalogue: Catalogue, by_number: dict[int, KPI], number: object, name: object) -> KPI | None:
    if number is not None and str(number).strip():
        whole = _MEASURE_NUMBER.fullmatch(str(number).strip())  # `7`, or `7.0` from a workbook
        return by_number.get(int(whole.group(1))) if whole else None
    return catalogue.find_by_name(SCORECARD, str(name)) if name is not None else None
