"""The long layout: one value a row, as the store holds it and as analysts' tools write it.

Columns: `kpi_id` or `kpi_name`, `period`, `value`; optional `series`, `count`, `note`, `scorecard`. Other
councils' long files read the same way: the name column headed `KPI`, `Measure`, `Indicator`, `Performance
measure`, `Performance indicator` or `Description`; a `Polarity` / `Good is` column (checked against the
catalogue, never stored); `section` or `theme`; series `baseline`, and `milestone` (a target); periods as
quarters (`Q1 2024/25`) or as a rolling 12 months or year to date (`YTD Mar-24`, read as the month). Every row
naming a measure the catalogue does not know is refused, and each such measure kept whole, once, in
`Parsed.unknown`.

A CSV pyarrow read (`Grid.columns`) is checked column by column: each distinct measure, series and period is
looked up once, plain figures are read by `parse_plain_values`, any other value cell by `parse_value` once per
distinct cell. A row any of that cannot pass (an unknown measure, a bad series, period or count, a value
`parse_value` refuses, a polarity that disagrees, a KPI, period and series another row has too) is read by
`_read_row`, the reader for every other grid, in the file's order: so every message, warning and unknown measure
is the one the row-by-row reader makes, in the same order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sendlib.domain.catalogue import KPI, POLARITY_WORDS, Catalogue, normalise_name
from sendlib.domain.periods import PeriodError
from sendlib.domain.schema import ARROW_SCHEMA, SERIES, normalise, series_for_heading
from sendlib.domain.values import UNITS, CellError, CellErrorKind, ParsedValue, Unit, parse_plain_values, parse_value
from sendlib.files.headings import Role, is_period_heading, is_value_heading, read_period, role_of_heading
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
    polarity_odd,
    polarity_of,
)
from sendlib.files.readers import Cell, Grid

if TYPE_CHECKING:
    import pyarrow as pa

_NAMES = {"kpi id", "kpi name"}
# Columns beside the figures by what they are: an identifier or a polarity kept, a comment as the row's note; a RAG
# rating or trend arrow (recomputed by the app) unread.
_ROLE_KEYS: dict[Role, str | None] = {Role.IDENTIFIER: "reference", Role.POLARITY: "polarity", Role.COMMENT: "note",
                                      Role.UNIT: "unit", Role.RAG: None, Role.TREND: None}
_OTHER_KEYS = {"section": "section", "theme": "section"}


def _is_header(keys: set[str]) -> bool:
    """A value column and a period column under any of the usual headings (`Value` / `Actual`, `Period` / `Month`
    / `Date`), beside a measure's id or name."""
    return (any(is_value_heading(k) for k in keys) and any(is_period_heading(k) for k in keys)
            and any(k in _NAMES or measure_heading_rank(k) is not None for k in keys))


def find_header(grid: Grid) -> int | None:
    return header_row(grid, _is_header)


def _columns(header: Sequence[object]) -> Columns:
    """The header's columns by key. `kpi_name` is the column so headed, else the measure column MEASURE_HEADINGS
    puts first (any other is a description of it, unread); `section` is `section`, else `theme`."""
    keys = {header_key(c) for c in header if c is not None}
    ranked = sorted((r, k) for k in keys if (r := measure_heading_rank(k)) is not None)
    name_key = "kpi name" if "kpi name" in keys else (ranked[0][1] if ranked else None)
    section_key = "section" if "section" in keys else "theme"
    value_key = "value" if "value" in keys else next((k for k in keys if is_value_heading(k)), None)
    period_key = "period" if "period" in keys else next((k for k in keys if is_period_heading(k)), None)

    def key(cell: object) -> str | None:
        if cell is None:
            return None
        text = header_key(cell)
        if text in (name_key, value_key, period_key):
            return {name_key: "kpi_name", value_key: "value", period_key: "period"}[text]
        if text in ("kpi id", "series", "count", "note", "scorecard", "unit", "target"):
            return text.replace(" ", "_")
        if measure_heading_rank(text) is not None or text in _OTHER_KEYS:
            return "section" if text == section_key else None
        role = role_of_heading(cell) or (Role.POLARITY if is_polarity_heading(cell) else None)
        return _ROLE_KEYS.get(role) if role is not None else text.replace(" ", "_")

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
    if grid.columns is not None and "target" not in state.cols.index:
        return _parse_columns(parsed, catalogue, state, grid, header_index)
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
    period = _period(raw_period, series, lambda problem: fail(CellErrorKind.BAD_PERIOD, "period", raw_period, problem))
    if period is None:
        return
    if cols.cell(row, "target") is not None and not _read_target(parsed, state, kpi, period, row, line):
        return
    value = parsed.read_value(cols.cell(row, "value"), kpi.unit, row=line, column=cols.heading["value"], file=state.file,
                              in_points=states_unit(cols.cell(row, "unit"), kpi.unit))
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


def _period(raw: object, series: str, fail: Callable[[str], None]) -> str | None:
    """A row's period label ("" for an undated benchmark, target or baseline), or None after saying why not."""
    if raw is None:
        if series == "actual":
            fail("an actual value needs a period")
            return None
        return ""
    try:
        return read_period(raw)[0].label
    except PeriodError as exc:
        fail(str(exc))
        return None


def _read_target(parsed: Parsed, state: _File, kpi: KPI, period: str, row: Sequence[object], line: int) -> bool:
    """A Target column beside the actual: the target for the row's period. False when the cell is refused."""
    value = parsed.read_value(state.cols.cell(row, "target"), kpi.unit, row=line, column=state.cols.heading["target"],
                              file=state.file)
    if value is None:
        return False
    key = (kpi.id, period, "target")
    if key in state.seen:
        return True  # one target a period, however many rows repeat it
    state.seen[key] = line
    if value.value is not None:
        parsed.add_value(kpi.scorecard, kpi.id, period, "target", value)
    return True


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
        kpi_id=kpi.id, odd=polarity_odd(said, kpi.polarity),
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
    for key in ("polarity", "section", "unit", "reference"):
        if getattr(measure, key) is None and cols.cell(row, key) is not None:
            updates[key] = str(cols.cell(row, key)).strip() if key in ("section", "reference") else cols.cell(row, key)
    updates |= _unknown_value(measure, cols, row)
    if updates:
        state.unknown[normalise_name(text)] = dataclasses.replace(measure, **updates)  # type: ignore[arg-type]


def _unknown_value(measure: UnknownMeasure, cols: Columns, row: Sequence[object]) -> dict[str, object]:
    """The row's value placed in `measure` (its dicts filled in place): the fields to replace, if any."""
    raw, raw_period, series = cols.cell(row, "value"), cols.cell(row, "period"), _series(cols.cell(row, "series"))
    if (raw is None and cols.cell(row, "target") is None) or series not in ("actual", "target", "baseline"):
        return {}
    try:
        period = read_period(raw_period)[0].label if raw_period is not None else ""
    except PeriodError:
        return {}
    if (target := cols.cell(row, "target")) is not None and period:
        measure.milestones.setdefault(period, target)
    if raw is None:
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


# --- a CSV pyarrow read, column by column ---------------------------------------------------------------------


class _ColumnRecords(Parsed):
    """A Parsed whose records are one pyarrow table, made into dicts only when `records` is read: for a long file,
    100,000 dicts, and a frame made from them, cost more than reading and checking the file. `table()` makes the
    store's frame from the columns themselves. Compare two Parsed by their fields: a dataclass compares equal
    only to its own class."""

    def __init__(self, parsed: Parsed, records: pa.Table):
        super().__init__(layout=parsed.layout, errors=parsed.errors, warnings=parsed.warnings, unknown=parsed.unknown)
        self._columns: pa.Table | None = records

    @property  # a field in Parsed, a property here: the same type, read and written alike
    def records(self) -> list[dict[str, object]]:
        if self._columns is not None:
            self._records: list[dict[str, object]] = self._columns.to_pylist()
            self._columns = None
        return self._records

    @records.setter
    def records(self, records: list[dict[str, object]]) -> None:
        self._records, self._columns = records, None

    def table(self) -> pd.DataFrame:
        if self._columns is None:
            return super().table()
        import pyarrow as pa

        return normalise(self._columns.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))


def _cell(text: str) -> Cell:
    """A CSV cell as a Grid holds it: None when blank."""
    return text if text.strip() else None


def _distinct(columns: Sequence[pa.Array], rows: int) -> tuple[np.ndarray, list[tuple[Cell, ...]]]:
    """Each row's code for its cells in `columns` taken together (0, 1, … in the order first met), and each code's
    cells (as a Grid holds them), so a rule runs once per distinct combination rather than once a row."""
    if not columns:
        return np.zeros(rows, dtype=np.int64), [()]
    import pyarrow as pa

    codes = np.zeros(rows, dtype=np.int64)
    for column in columns:
        encoded = column.dictionary_encode()
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        codes = pd.factorize(codes * len(encoded.dictionary) + indices)[0]  # each under `rows`: no overflow
    # Codes come in the order first met, so a code's first row is where the running highest code goes up.
    firsts = pa.array(np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0))
    taken = [column.take(firsts).to_pylist() for column in columns]
    return codes, [tuple(_cell(text) for text in combo) for combo in zip(*taken, strict=True)]


@dataclass
class _Checked:
    """What the column-wise checks found for each data row: its measure (an index into `kpis`, -1 for none), whether
    its polarity cell agrees, its (period, series) slot (an index into `slots`, -1 for a bad one), its count cell
    (-1 for none) and whether that could be read."""

    kpi: np.ndarray
    kpis: list[KPI]
    agrees: np.ndarray
    slot: np.ndarray
    slots: list[tuple[str, str]]
    count: np.ndarray
    count_read: np.ndarray

    def unshared(self) -> np.ndarray:
        """Rows whose KPI, period and series no other row with a measure and a good slot has: a duplicate, and the
        row it repeats, are left to `_read_row`, which says which row came first."""
        keyed = (self.kpi >= 0) & (self.slot >= 0)
        codes = pd.factorize(self.kpi[keyed] * max(len(self.slots), 1) + self.slot[keyed])[0]
        shared = np.zeros(len(self.kpi), dtype=bool)
        shared[keyed] = np.bincount(codes)[codes] > 1
        return keyed & ~shared


def _measures(cells: dict[str, pa.Array], catalogue: Catalogue, state: _File, rows: int) -> tuple[np.ndarray, list[KPI], np.ndarray]:
    """Each row's KPI (an index into the list returned, -1 when unknown) and whether its polarity cell agrees with
    the catalogue: each distinct id, name, scorecard and polarity looked up once."""
    keys = [k for k in ("kpi_id", "kpi_name", "scorecard", "polarity") if k in cells]
    codes, combos = _distinct([cells[k] for k in keys], rows)
    kpis: dict[str, tuple[int, KPI]] = {}
    found = np.full(len(combos), -1, dtype=np.int64)
    agrees = np.ones(len(combos), dtype=bool)
    for i, combo in enumerate(combos):
        cell = dict(zip(keys, combo, strict=True))
        kpi = _find_kpi(catalogue, state.by_qualified, cell.get("kpi_id"), cell.get("kpi_name"), cell.get("scorecard"))
        if kpi is None:
            continue
        found[i] = kpis.setdefault(kpi.id, (len(kpis), kpi))[0]
        said = polarity_of(cell.get("polarity"))
        agrees[i] = said is None or said == kpi.polarity
    return found[codes], [kpi for _, kpi in kpis.values()], agrees[codes]


def _slots(cells: dict[str, pa.Array], rows: int) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Each row's (period label, series), an index into the list returned (-1 for a series or period `_read_row`
    refuses): each distinct series and period read once."""
    keys = [k for k in ("series", "period") if k in cells]
    codes, combos = _distinct([cells[k] for k in keys], rows)
    slots: dict[tuple[str, str], int] = {}
    found = np.full(len(combos), -1, dtype=np.int64)
    for i, combo in enumerate(combos):
        cell = dict(zip(keys, combo, strict=True))
        series, raw = _series(cell.get("series")), cell.get("period")
        if series is None or (raw is None and series == "actual"):
            continue
        try:
            label = read_period(raw)[0].label if raw is not None else ""
        except PeriodError:
            continue
        found[i] = slots.setdefault((label, series), len(slots))
    return found[codes], list(slots)


def _count_cells(cells: dict[str, pa.Array], rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's count cell as a whole number (-1 for a blank), and whether it was read here: anything but
    digits (`1,234`, `3.0`, refused or not) is `_read_row`'s."""
    if "count" not in cells:
        return np.full(rows, -1, dtype=np.int64), np.ones(rows, dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    column = cells["count"]
    digits = pc.match_substring_regex(column, r"^[0-9]{1,15}$")
    count = pc.cast(pc.if_else(digits, column, "-1"), pa.int64()).to_numpy(zero_copy_only=False)
    read = digits.to_numpy(zero_copy_only=False) | pc.equal(column, "").to_numpy(zero_copy_only=False)
    return count, read


def _check_columns(cells: dict[str, pa.Array], catalogue: Catalogue, state: _File, rows: int) -> _Checked:
    kpi, kpis, agrees = _measures(cells, catalogue, state, rows)
    slot, slots = _slots(cells, rows)
    count, count_read = _count_cells(cells, rows)
    return _Checked(kpi=kpi, kpis=kpis, agrees=agrees, slot=slot, slots=slots, count=count, count_read=count_read)


_INT64_LIMIT = 2**63  # a count in brackets from here up is `_read_row`'s, and its record a dict (_in_file_order)


@dataclass
class _Notes:
    """Each row's note, as an index into `texts` (whose first entry is None, for none)."""

    code: np.ndarray
    texts: list[str | None]

    def add(self, text: str) -> int:
        self.texts.append(text)
        return len(self.texts) - 1

    def present(self) -> np.ndarray:
        """For each entry of `texts`, whether it is a note."""
        return np.array([t is not None for t in self.texts], dtype=bool)


def _note_cells(cells: dict[str, pa.Array], rows: int) -> _Notes:
    """Each row's note cell with its spaces made single, as `_read_row` stores it (None for a blank)."""
    if "note" not in cells:
        return _Notes(np.zeros(rows, dtype=np.int64), [None])
    codes, combos = _distinct([cells["note"]], rows)
    return _Notes(codes + 1, [None, *(None if c is None else " ".join(str(c).split()) for (c,) in combos)])


@dataclass
class _Values:
    """The value cells read for the rows that may pass: `read` where the value was read (blank or not), with its
    figure (NaN for none) and its count in brackets (-1 for none); its note in `notes` (the note cell's, else
    `parse_value`'s, as `_read_row` stores it)."""

    read: np.ndarray
    value: np.ndarray
    count: np.ndarray
    notes: _Notes


def _read_values(column: pa.Array, units: np.ndarray, candidates: np.ndarray, notes: _Notes,
                 in_points: np.ndarray) -> _Values:
    """Plain figures at C speed; every other cell of a candidate row through `parse_value` itself, once per
    distinct cell and unit. A cell it refuses is left unread (its row goes to `_read_row`, which says why)."""
    import pyarrow as pa

    plain = parse_plain_values(column, units, in_points)
    values = _Values(read=plain.read & candidates, value=plain.value.copy(), count=plain.count.copy(), notes=notes)
    others = np.flatnonzero(candidates & ~plain.read)
    read: dict[tuple[str, int, bool], tuple[ParsedValue, int] | None] = {}
    done: list[tuple[int, ParsedValue, int]] = []
    for index, text in zip(others.tolist(), column.take(pa.array(others)).to_pylist(), strict=True):
        key = (text, int(units[index]), bool(in_points[index]))
        if key not in read:
            read[key] = _parse_value(text, UNITS[key[1]], notes, in_points=key[2])
        if (found := read[key]) is not None:
            done.append((index, *found))
    if done:
        at = np.array([i for i, _, _ in done], dtype=np.int64)
        values.read[at] = True
        values.value[at] = [np.nan if v.value is None else v.value for _, v, _ in done]
        values.count[at] = [-1 if v.count is None else v.count for _, v, _ in done]
        cell_note = values.notes.code[at]  # the note cell's, when it has one; else parse_value's
        values.notes.code[at] = np.where(values.notes.present()[cell_note], cell_note, [n for _, _, n in done])
    return values


def _parse_value(text: str, unit: Unit, notes: _Notes, *, in_points: bool) -> tuple[ParsedValue, int] | None:
    """`parse_value` of one distinct cell and the code of its note in `notes`, or None for a cell it refuses (or
    one whose count in brackets is too large for an int64 column: `_read_row`'s, its record a dict)."""
    try:
        found = parse_value(_cell(text), unit, in_points=in_points)
    except CellError:
        return None
    if (found.count or 0) >= _INT64_LIMIT:
        return None
    return found, 0 if found.note is None else notes.add(found.note)


def _clean_records(checked: _Checked, values: _Values, clean: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """The store rows of the rows that passed here (a blank value with no note is no row), and their positions."""
    import pyarrow as pa

    note = values.notes.code
    at = np.flatnonzero(clean & (~np.isnan(values.value) | values.notes.present()[note]))
    kpi, slot = pa.array(checked.kpi[at]), pa.array(checked.slot[at])
    count = np.where(checked.count >= 0, checked.count, values.count)[at]
    value = values.value[at]
    table = pa.table({
        "scorecard": pa.array([k.scorecard for k in checked.kpis], pa.string()).take(kpi),
        "kpi_id": pa.array([k.id for k in checked.kpis], pa.string()).take(kpi),
        "period": pa.array([s[0] for s in checked.slots], pa.string()).take(slot),
        "series": pa.array([s[1] for s in checked.slots], pa.string()).take(slot),
        "value": pa.array(value, pa.float64(), mask=np.isnan(value)),
        "count": pa.array(count, pa.int64(), mask=count < 0),
        "note": pa.array(values.notes.texts, pa.string()).take(pa.array(note[at])),
    }, schema=ARROW_SCHEMA)
    return table, at


def _read_rows(parsed: Parsed, catalogue: Catalogue, state: _File, grid: Grid, first: int,
               positions: np.ndarray) -> list[tuple[int, dict[str, object]]]:
    """The rows the column checks did not pass, each through `_read_row` in the file's order (a blank row skipped,
    as ever): the store rows they made, by position among the data rows."""
    made: list[tuple[int, dict[str, object]]] = []
    picked = positions.tolist()
    for position, row in zip(picked, grid.rows_at([first + p for p in picked]), strict=True):
        if any(c is not None for c in row):
            before = len(parsed.records)
            _read_row(parsed, catalogue, state, row, grid.numbers[first + position])
            if len(parsed.records) > before:
                made.append((position, parsed.records[-1]))
    return made


def _in_file_order(parsed: Parsed, table: pa.Table, at: np.ndarray, made: list[tuple[int, dict[str, object]]]) -> Parsed:
    """The rows that passed here and those `_read_row` made, in the file's order: as columns, or as dicts when a
    count is too large for an int64 column (the frame made from them says what becomes of it, as ever)."""
    import pyarrow as pa

    if not made:
        return _ColumnRecords(parsed, table)
    order = pa.array(np.argsort(np.concatenate([at, np.array([p for p, _ in made], dtype=np.int64)]), kind="stable"))
    try:
        slow = pa.Table.from_pylist([r for _, r in made], schema=ARROW_SCHEMA)
    except (OverflowError, pa.ArrowInvalid):
        every = table.to_pylist() + [r for _, r in made]
        parsed.records = [every[i] for i in order.to_pylist()]
        return parsed
    return _ColumnRecords(parsed, pa.concat_tables([table, slow]).take(order))


def states_unit(cell: object, unit: Unit) -> bool:
    """Whether a row's `unit` cell names its KPI's unit, as a long extract's does: its figures are then in the
    store's terms, so an extract loads back unchanged (`0.02` for a percentage stays 0.02%)."""
    return cell is not None and header_key(cell) == unit


def _stated_units(cells: dict[str, pa.Array], units: np.ndarray) -> np.ndarray:
    """`states_unit` for every row of a column-read file."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "unit" not in cells:
        return np.zeros(len(units), dtype=bool)
    said = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(cells["unit"], pa.string())))
    return np.asarray(said.to_numpy(zero_copy_only=False) == np.array(UNITS, dtype=object)[units], dtype=bool)


def _parse_columns(parsed: Parsed, catalogue: Catalogue, state: _File, grid: Grid, header_index: int) -> Parsed:
    """parse_long for a CSV pyarrow read: the rows every column check passes become store rows here, the others
    go through `_read_row` (module docstring)."""
    assert grid.columns is not None
    first = header_index + 1
    rows = len(grid.rows) - first
    cells = {key: grid.columns[i].slice(first) for key, i in state.cols.index.items()}
    checked = _check_columns(cells, catalogue, state, rows)
    candidates = checked.unshared() & checked.agrees & checked.count_read
    # A row with no KPI takes the appended 0: it is no candidate, so its unit is never used.
    units = np.append(np.array([UNITS.index(k.unit) for k in checked.kpis], dtype=np.int64), 0)[checked.kpi]
    values = _read_values(cells["value"], units, candidates, _note_cells(cells, rows), _stated_units(cells, units))
    table, at = _clean_records(checked, values, values.read)
    made = _read_rows(parsed, catalogue, state, grid, first, np.flatnonzero(~values.read))
    parsed.unknown.extend(state.unknown.values())
    return _in_file_order(parsed, table, at, made)
