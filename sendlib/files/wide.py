"""The scorecard's own layout: KPIs down, months across, then Nat / SN / SW / Target.

Section rows (a name and nothing else) give the theme; `no of above …` rows break down the row
above them; arrows trail most values. Title and blank rows may stand above the header.
"""

from __future__ import annotations

from sendlib.domain.catalogue import KPI, Catalogue, normalise_name
from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.values import ARROW_SYMBOL, CellError, parse_value
from sendlib.files.parsed import Parsed, WarningKind, closest_hint, header_key, header_row
from sendlib.files.readers import Grid

SERIES_HEADINGS = {
    "nat": "national",
    "national": "national",
    "england": "national",
    "sn": "statistical_neighbours",
    "stat neighbours": "statistical_neighbours",
    "statistical neighbours": "statistical_neighbours",
    "statistical neighbour": "statistical_neighbours",
    "sw": "regional",
    "region": "regional",
    "regional": "regional",
    "target": "target",
}
SCORECARD = "scorecard"
CHILD_PREFIX = "no of above"


def find_header(grid: Grid) -> int | None:
    return header_row(grid, lambda keys: "kpi" in keys)


def _classify_columns(grid: Grid, header_index: int, parsed: Parsed) -> tuple[int, dict[int, tuple[str, str]]]:
    """Map each column to (series, period). Actual months have a period; benchmarks have none."""
    header = grid.rows[header_index]
    kpi_col = next(i for i, c in enumerate(header) if header_key(c) == "kpi")
    columns: dict[int, tuple[str, str]] = {}
    seen: dict[tuple[str, str], object] = {}
    for col in range(kpi_col + 1, len(header)):
        cell = header[col]
        if cell is None:
            continue
        key = header_key(cell)
        if key in SERIES_HEADINGS:
            target = (SERIES_HEADINGS[key], "")
        else:
            try:
                target = ("actual", parse_period(cell).label)
            except PeriodError as exc:
                parsed.error(
                    CellError(
                        str(cell),
                        f"this column heading is neither a month nor one of Nat, SN, SW, Target ({exc})",
                        row=grid.numbers[header_index],
                        column=str(cell),
                        file=grid.name,
                    )
                )
                continue
        if target in seen:
            parsed.error(
                CellError(
                    str(cell),
                    f"the same column appears twice (also headed {seen[target]!s})",
                    row=grid.numbers[header_index],
                    column=str(cell),
                    file=grid.name,
                )
            )
            continue
        seen[target] = cell
        columns[col] = target
    return kpi_col, columns


def parse_wide(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed = Parsed(layout="wide")
    header_index = find_header(grid)
    if header_index is None:
        parsed.error(CellError("", "no header row with a 'KPI' column was found", file=grid.name))
        return parsed
    kpi_col, columns = _classify_columns(grid, header_index, parsed)
    header = grid.rows[header_index]
    headings = {col: str(header[col]) for col in columns}
    parent: KPI | None = None
    section: str | None = None

    for index in range(header_index + 1, len(grid.rows)):
        row = grid.rows[index]
        name = row[kpi_col] if kpi_col < len(row) else None
        values = {col: row[col] for col in columns if col < len(row) and row[col] is not None}
        stray = [c for c in range(len(row)) if c != kpi_col and c not in columns and row[c] is not None]
        for col in stray:
            heading = header[col] if col < len(header) else None
            parsed.error(
                CellError(
                    str(row[col]),
                    "a value in a column with no heading" if heading is None else "a value under an unusable heading",
                    row=grid.numbers[index],
                    column=str(heading) if heading is not None else f"column {col + 1}",
                    file=grid.name,
                )
            )
        if name is None or not str(name).strip():
            if values:
                first = min(values)
                parsed.error(
                    CellError(
                        str(values[first]),
                        "a row of values with no KPI name",
                        row=grid.numbers[index],
                        column=headings[first],
                        file=grid.name,
                    )
                )
            continue
        name = str(name).strip()
        is_child = normalise_name(name).startswith(CHILD_PREFIX)
        kpi = catalogue.find_by_name(SCORECARD, name, parent.name if (is_child and parent) else None)
        if kpi is None:
            if not values:
                section = name  # a section heading (or a KPI we don't know with nothing in it)
                continue
            parsed.error(
                CellError(
                    name,
                    f"unknown KPI{closest_hint(parsed, catalogue, name, SCORECARD)}. Add it on the upload page (or to the catalogue) and try again",
                    row=grid.numbers[index],
                    column=str(header[kpi_col]),
                    file=grid.name,
                )
            )
            continue
        if not is_child:
            parent = kpi
        if section and normalise_name(section) != normalise_name(kpi.section):
            parsed.warn(
                WarningKind.SECTION,
                f"row {grid.numbers[index]}: {name!r} sits under section {section!r}, "
                f"the catalogue files it under {kpi.section!r}"
            )
        previous: tuple[str, float | None] | None = None
        for col in sorted(columns):
            series, period = columns[col]
            raw = values.get(col)
            try:
                value = parse_value(raw, kpi.unit)
            except CellError as exc:
                parsed.error(exc.at(row=grid.numbers[index], column=headings[col], file=grid.name))
                continue
            if series == "actual" and value.arrow and value.value is not None and previous and previous[1] is not None:
                _check_arrow(parsed, grid.numbers[index], headings[col], previous, value.value, value.arrow)
            if series == "actual":
                previous = (headings[col], value.value) if value.value is not None else None
            if "fraction" in value.flags:
                parsed.warn(
                    WarningKind.FRACTION,
                    f"row {grid.numbers[index]}, column {headings[col]!r}: {raw!r} read as a fraction, "
                    f"{value.value:g}%"
                )
            if value.is_empty:
                continue
            parsed.add(
                scorecard=SCORECARD,
                kpi_id=kpi.id,
                period=period,
                series=series,
                value=value.value,
                count=value.count,
                note=value.note,
            )
    return parsed


def _check_arrow(parsed: Parsed, row: int, column: str, previous: tuple[str, float | None], now: float, arrow: str) -> None:
    before = previous[1]
    assert before is not None
    actual = "up" if now > before else "down" if now < before else "flat"
    if actual != arrow:
        parsed.warn(
            WarningKind.ARROW,
            f"row {row}, column {column!r}: the arrow {ARROW_SYMBOL[arrow]} says {arrow}, "
            f"but the value went from {before:g} ({previous[0]}) to {now:g}"
        )
