"""The long layout: one value a row, as the store holds it and as analysts' tools write it.

Columns: `kpi_id` or `kpi_name`, `period`, `value`; optional `series`, `count`, `note`, `scorecard`. Other
councils' long files read the same way: the name column headed `KPI`, `Measure`, `Indicator`, `Performance
measure`, `Performance indicator` or `Description`; a `Polarity` / `Good is` column (checked against the
catalogue, never stored); `section` or `theme`; series `baseline`, and `milestone` (a target); periods as
quarters (`Q1 2024/25`) or as a rolling 12 months or year to date (`YTD Mar-24`, read as the month). Every row
naming a measure the catalogue does not know is refused, and each such measure kept whole, once, in
`Parsed.unknown`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from sendlib.domain.catalogue import KPI, POLARITY_WORDS, Catalogue, normalise_name
from sendlib.domain.periods import PeriodError, read_heading
from sendlib.domain.schema import SERIES, series_for_heading
from sendlib.domain.values import CellErrorKind
from sendlib.files.parsed import (
    Columns,
    Parsed,
    UnknownMeasure,
    WarningKind,
    begin,
    closest_hint,
    header_key,
    header_row,
    is_polarity_heading,
    measure_heading_rank,
    polarity_of,
)
from sendlib.files.readers import Grid

_NAMES = {"kpi id", "kpi name"}
_OTHER_KEYS = {"section": "section", "theme": "section"}


def find_header(grid: Grid) -> int | None:
    return header_row(
        grid, lambda keys: {"value", "period"} <= keys and any(k in _NAMES or measure_heading_rank(k) is not None for k in keys)
    )


def _columns(header: Sequence[object]) -> Columns:
    """The header's columns by key. `kpi_name` is the column so headed, else the measure column MEASURE_HEADINGS
    puts first (any other is a description of it, unread); `section` is `section`, else `theme`."""
    keys = {header_key(c) for c in header if c is not None}
    ranked = sorted((r, k) for k in keys if (r := measure_heading_rank(k)) is not None)
    name_key = "kpi name" if "kpi name" in keys else (ranked[0][1] if ranked else None)
    section_key = "section" if "section" in keys else "theme"

    def key(cell: object) -> str | None:
        if cell is None:
            return None
        text = header_key(cell)
        if text == name_key:
            return "kpi_name"
        if is_polarity_heading(cell):
            return "polarity"
        if measure_heading_rank(text) is not None or text in _OTHER_KEYS:
            return "section" if text == section_key else None
        return text.replace(" ", "_")

    return Columns.of(header, key)


def _series(raw: object) -> str | None:
    """`actual` for no series at all; a series id, or a heading the wide layout uses for one (`milestone`, as the
    wide layout's dated Milestone columns, a target); else None."""
    if raw is None:
        return "actual"
    key = header_key(raw)
    if key in ("actual", "milestone", "milestones"):
        return "actual" if key == "actual" else "target"
    return series_for_heading(raw)


def _count(raw: object) -> int | None:
    """A whole number of zero or more; raises ValueError for anything else."""
    try:
        count_f = float(str(raw).replace(",", ""))
        if count_f < 0 or count_f != int(count_f):
            raise ValueError
        return int(count_f)
    except (ValueError, OverflowError):
        raise ValueError(raw) from None


@dataclass
class _File:
    """What reading one file keeps from row to row."""

    cols: Columns
    file: str | None
    # Extracts write children qualified by their parent: "Parent – primary phase".
    by_qualified: dict[str, KPI]
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)
    unknown: dict[str, UnknownMeasure] = field(default_factory=dict)  # by normalised name, in the order first met
    polarity_checked: set[str] = field(default_factory=set)


def parse_long(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed, header_index = begin("long", grid, find_header, "no header row with kpi_id (or kpi_name), period and value")
    if header_index is None:
        return parsed
    state = _File(
        cols=_columns(grid.rows[header_index]),
        file=grid.name,
        by_qualified={catalogue.qualified_name(k): k for k in catalogue if k.parent_id},
    )
    for index in range(header_index + 1, len(grid.rows)):
        row = grid.rows[index]
        if any(c is not None for c in row):
            _read_row(parsed, catalogue, state, row, grid.numbers[index])
    parsed.unknown.extend(state.unknown.values())
    return parsed


def _read_row(parsed: Parsed, catalogue: Catalogue, state: _File, row: Sequence[object], line: int) -> None:
    cols = state.cols

    def fail(kind: CellErrorKind, key: str, raw: object, problem: str) -> None:
        parsed.reject(kind, raw, problem, row=line, column=cols.heading_of(key), file=state.file)

    kpi = _find_kpi(catalogue, state.by_qualified, cols.cell(row, "kpi_id"), cols.cell(row, "kpi_name"), cols.cell(row, "scorecard"))
    if kpi is None:
        key = "kpi_id" if cols.cell(row, "kpi_id") is not None else "kpi_name"
        raw = cols.cell(row, key)
        fail(CellErrorKind.UNKNOWN_KPI, key, raw, f"unknown KPI{closest_hint(parsed, catalogue, raw)}")
        _keep_unknown(state, row, line)
        return
    _check_polarity(parsed, state, kpi, cols.cell(row, "polarity"), line)
    raw_series = cols.cell(row, "series")
    series = _series(raw_series)
    if series is None:
        fail(CellErrorKind.BAD_SERIES, "series", raw_series, f"series must be one of {', '.join(SERIES)}")
        return
    raw_period = cols.cell(row, "period")
    period = ""
    if raw_period is not None:
        try:
            period = read_heading(raw_period)[0].label
        except PeriodError as exc:
            fail(CellErrorKind.BAD_PERIOD, "period", raw_period, str(exc))
            return
    elif series == "actual":
        fail(CellErrorKind.BAD_PERIOD, "period", raw_period, "an actual value needs a period")
        return
    value = parsed.read_value(cols.cell(row, "value"), kpi.unit, row=line, column=cols.heading["value"], file=state.file)
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
    if key3 in state.seen:
        fail(CellErrorKind.DUPLICATE, "period", raw_period, f"the same KPI, period and series appear twice (also row {state.seen[key3]})")
        return
    state.seen[key3] = line
    if value.value is None and not note_text:
        return
    parsed.add_value(kpi.scorecard, kpi.id, period, series, value, count=count, note=note_text)


def _check_polarity(parsed: Parsed, state: _File, kpi: KPI, raw: object, line: int) -> None:
    """A Polarity / Good is cell that disagrees with the catalogue is worth a look, once a measure; the catalogue
    still rules."""
    said = polarity_of(raw)
    if said is None or said == kpi.polarity or kpi.id in state.polarity_checked:
        return
    state.polarity_checked.add(kpi.id)
    parsed.warn(
        WarningKind.POLARITY,
        f"row {line}: the file says {raw!r} ({POLARITY_WORDS[said].lower()}) for {kpi.name!r}, the catalogue "
        f"says {POLARITY_WORDS[kpi.polarity].lower()}",
    )


def _keep_unknown(state: _File, row: Sequence[object], line: int) -> None:
    """Add a row of a measure the catalogue does not know to that measure's UnknownMeasure (made at its first row):
    an actual value by its period, an undated target, a dated target (a milestone), a baseline, its polarity and
    section. A cell that cannot be read is left out: the row is refused as an unknown KPI, not checked further."""
    cols = state.cols
    name = cols.cell(row, "kpi_name")
    name = name if name is not None else cols.cell(row, "kpi_id")
    if name is None or not str(name).strip():
        return
    text = str(name).strip()
    measure = state.unknown.setdefault(normalise_name(text), UnknownMeasure(name=text, row=line))
    updates: dict[str, object] = {}
    for key in ("polarity", "section"):
        if getattr(measure, key) is None and cols.cell(row, key) is not None:
            updates[key] = cols.cell(row, key) if key == "polarity" else str(cols.cell(row, key)).strip()
    updates |= _unknown_value(measure, cols, row)
    if updates:
        state.unknown[normalise_name(text)] = dataclasses.replace(measure, **updates)  # type: ignore[arg-type]


def _unknown_value(measure: UnknownMeasure, cols: Columns, row: Sequence[object]) -> dict[str, object]:
    """The row's value placed in `measure` (its dicts filled in place): the fields to replace, if any."""
    raw, raw_period, series = cols.cell(row, "value"), cols.cell(row, "period"), _series(cols.cell(row, "series"))
    if raw is None or series not in ("actual", "target", "baseline"):
        return {}
    try:
        period = read_heading(raw_period)[0].label if raw_period is not None else ""
    except PeriodError:
        return {}
    if series == "actual" and period:
        measure.values.setdefault(period, raw)
        measure.headings.setdefault(period, str(raw_period))
    elif series == "target" and period:
        measure.milestones.setdefault(period, raw)
    elif series == "target" and measure.target is None:
        return {"target": raw}
    elif series == "baseline" and measure.baseline is None:
        return {"baseline": raw}
    return {}


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
