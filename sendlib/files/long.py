"""The long layout: one value a row, as the store holds it and as analysts' tools write it.

Columns: `kpi_id` or `kpi_name`, `period`, `value`; optional `series`, `count`, `note`, `scorecard`.
"""

from __future__ import annotations

from sendlib.domain.catalogue import KPI, Catalogue
from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.schema import SERIES
from sendlib.domain.values import CellError, parse_value
from sendlib.files.parsed import Parsed, closest_hint, header_key, header_row
from sendlib.files.readers import Grid

SERIES_ALIASES = {
    **{s: s for s in SERIES},
    "statistical neighbours": "statistical_neighbours",
    "sn": "statistical_neighbours",
    "nat": "national",
    "england": "national",
    "sw": "regional",
    "region": "regional",
}


def find_header(grid: Grid) -> int | None:
    return header_row(grid, lambda keys: {"value", "period"} <= keys and bool(keys & {"kpi id", "kpi name"}))


def parse_long(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed = Parsed(layout="long")
    header_index = find_header(grid)
    if header_index is None:
        parsed.error(CellError("", "no header row with kpi_id (or kpi_name), period and value", file=grid.name))
        return parsed
    header = grid.rows[header_index]
    cols = {header_key(c).replace(" ", "_"): i for i, c in enumerate(header) if c is not None}
    heading = {key: str(header[i]) for key, i in cols.items()}
    seen: dict[tuple[str, str, str], int] = {}
    # Extracts write children qualified by their parent: "Parent – primary phase".
    by_qualified = {catalogue.qualified_name(k): k for k in catalogue if k.parent_id}

    def cell(row: list, key: str) -> object:
        i = cols.get(key)
        return row[i] if i is not None and i < len(row) else None

    for index in range(header_index + 1, len(grid.rows)):
        row = grid.rows[index]
        line = grid.numbers[index]
        if all(c is None for c in row):
            continue

        def fail(key: str, raw: object, problem: str, line: int = line) -> None:
            parsed.error(CellError("" if raw is None else str(raw), problem, row=line, column=heading.get(key, key), file=grid.name))

        kpi = _find_kpi(catalogue, by_qualified, cell(row, "kpi_id"), cell(row, "kpi_name"), cell(row, "scorecard"))
        if kpi is None:
            key = "kpi_id" if cell(row, "kpi_id") is not None else "kpi_name"
            raw = cell(row, key)
            fail(key, raw, f"unknown KPI{closest_hint(parsed, catalogue, raw)}")
            continue
        raw_series = cell(row, "series")
        series = SERIES_ALIASES.get(header_key(raw_series), None) if raw_series is not None else "actual"
        if series is None:
            fail("series", raw_series, f"series must be one of {', '.join(SERIES)}")
            continue
        raw_period = cell(row, "period")
        period = ""
        if raw_period is not None:
            try:
                period = parse_period(raw_period).label
            except PeriodError as exc:
                fail("period", raw_period, str(exc))
                continue
        elif series == "actual":
            fail("period", raw_period, "an actual value needs a period")
            continue
        try:
            value = parse_value(cell(row, "value"), kpi.unit)
        except CellError as exc:
            parsed.error(exc.at(row=line, column=heading["value"], file=grid.name))
            continue
        count = None
        raw_count = cell(row, "count")
        if raw_count is not None:
            try:
                count_f = float(str(raw_count).replace(",", ""))
                if count_f < 0 or count_f != int(count_f):
                    raise ValueError
                count = int(count_f)
            except (ValueError, OverflowError):
                fail("count", raw_count, "a count must be a whole number of zero or more")
                continue
        note = cell(row, "note")
        note_text = " ".join(str(note).split()) if note is not None else value.note
        key3 = (kpi.id, period, series)
        if key3 in seen:
            fail("period", raw_period, f"the same KPI, period and series appear twice (also row {seen[key3]})")
            continue
        seen[key3] = line
        if value.value is None and not note_text:
            continue
        parsed.add(
            scorecard=kpi.scorecard,
            kpi_id=kpi.id,
            period=period,
            series=series,
            value=value.value,
            count=count if count is not None else value.count,
            note=note_text,
        )
    return parsed


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
