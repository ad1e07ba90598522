"""The scorecard's own layout, read and written: KPIs down, months across, then Nat / SN / SW / Target.

Reading (`parse_wide`): section rows (a name and nothing else) give the theme; `no of above …` rows break
down the row above them; arrows trail most values. Title and blank rows may stand above the header.
Other councils' scorecards read the same way: the measure column headed `Measure`, `Indicator`, `Performance
measure`, `Performance indicator` or `Description` as well as `KPI`; quarters (`Q1 2024/25`, `Apr-Jun 24`) and
rolling 12 months or years to date (`R12M Mar 24`, `YTD Mar-24`, read as the month) as well as months; a
`Baseline` column; dated `Milestone Mar-25` columns (targets for that period); a `Polarity` / `Good is` column
(`H`, `L`: checked against the catalogue, never stored). A row naming a measure the catalogue does not know is
refused, and kept whole in `Parsed.unknown` so the measure can be set up from the file.

Writing (`wide_table`, `wide_cell`): exactly the shape `parse_wide` reads (Baseline and Milestone columns only when
some measure has them), with every cell written so it re-parses to the same value, count and note: a wide extract
uploaded back changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import SupportsFloat, SupportsInt, cast

import pandas as pd

from sendlib.domain.catalogue import KPI, POLARITY_WORDS, Catalogue, normalise_name
from sendlib.domain.periods import (
    Period,
    PeriodError,
    parse_period,
    quarter,
    shift_month,
    short_label,
    sort_key,
)
from sendlib.domain.schema import SERIES, SERIES_HEADINGS, series_for_heading
from sendlib.domain.values import ARROW_SYMBOL, CellError, CellErrorKind, ParsedValue, Unit, format_value, parse_value
from sendlib.files.headings import Role, dated_series, read_period, role_of_contents, role_of_heading
from sendlib.files.parsed import (
    Parsed,
    UnknownMeasure,
    WarningKind,
    arrow_odd,
    begin,
    closest_hint,
    header_row,
    is_polarity_heading,
    measure_heading_rank,
    polarity_odd,
    polarity_of,
)
from sendlib.files.readers import Cell, Grid

SCORECARD = "scorecard"
CHILD_PREFIX = "no of above"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


# --- reading -------------------------------------------------------------------------------------


def find_header(grid: Grid) -> int | None:
    return header_row(grid, _is_header)


def _is_header(keys: set[str]) -> bool:
    """`KPI` alone, as the scorecard has always been found; another council's word for the measure column
    (`Measure`, `Indicator`, `Description`…) only beside a heading this layout reads, so a title or notes row
    that happens to say `Description` is not taken for the header."""
    if "kpi" in keys:
        return True
    return any(measure_heading_rank(k) is not None for k in keys) and any(_reads_as_column(k) for k in keys)


def _reads_as_column(key: str) -> bool:
    try:
        _column_target(key)
    except PeriodError:
        return is_polarity_heading(key)
    return True


def _column_target(cell: object) -> tuple[str, str]:
    """(series, period) for a value column's heading: a benchmark, target or baseline with no period; a dated
    `Target 2024/25`, `Milestone Mar-25` or `Baseline (Mar 24)`, that series for its period; or an actual period
    in any common spelling (a date cell too), a rolling 12 months or year to date read as its month. Raises
    PeriodError for a heading that is none of these."""
    series = series_for_heading(cell)
    if series is not None:
        return series, ""
    if (dated := dated_series(cell)) is not None:
        return dated
    return "actual", read_period(cell)[0].label


@dataclass(frozen=True)
class _Sheet:
    """The header row read: where the measure names are, each value column's (series, period) and heading, the
    Polarity column, and the columns left unread (a `Description` beside the `Measure` it describes)."""

    grid: Grid
    header_index: int
    kpi_col: int
    columns: dict[int, tuple[str, str]]
    headings: dict[int, str]
    polarity_col: int | None = None
    unread: frozenset[int] = frozenset()
    reference_col: int | None = None
    comment_col: int | None = None

    @property
    def header(self) -> list[Cell]:
        return self.grid.rows[self.header_index]


@dataclass
class _Place:
    """Where the rows read so far have got to: the last top-level measure (a `no of above` row's parent: the
    catalogue's KPI, or None when the catalogue does not know it, with its name as printed) and the section."""

    parent: KPI | None = None
    parent_name: str | None = None
    section: str | None = None


def _name_column(header: Sequence[object]) -> int:
    """The measure column: of several (`Measure` and `Description`), the one MEASURE_HEADINGS puts first."""
    ranked = [(rank, i) for i, c in enumerate(header) if (rank := measure_heading_rank(c)) is not None]
    return min(ranked)[1]


def _roles(grid: Grid, header_index: int, kpi_col: int) -> dict[int, Role]:
    """The columns beside the figures that are not figures: by heading (`Ref`, `RAG`, `Trend`, `Comments`,
    `Polarity`), or, under a heading nothing reads, by contents (every cell a RAG rating or a trend arrow)."""
    header = grid.rows[header_index]
    roles: dict[int, Role] = {}
    for col, cell in enumerate(header):
        if col == kpi_col:
            continue
        role = role_of_heading(cell) or (Role.POLARITY if is_polarity_heading(cell) else None)
        if role is None and (cell is None or not _is_period(cell)):
            role = role_of_contents(row[col] if col < len(row) else None for row in grid.rows[header_index + 1:])
        if role is not None:
            roles[col] = role
    return roles


def _is_period(cell: object) -> bool:
    try:
        _column_target(cell)
    except PeriodError:
        return False
    return True


def _read_header(grid: Grid, header_index: int, parsed: Parsed) -> _Sheet:
    """Map each column beside the measure names to (series, period), or to the role it plays (identifier,
    comment, polarity; RAG and trend columns are left unread)."""
    header = grid.rows[header_index]
    kpi_col = _name_column(header)
    roles = _roles(grid, header_index, kpi_col)
    named = frozenset(i for i, c in enumerate(header) if i != kpi_col and measure_heading_rank(c) is not None)
    unread = named | frozenset(roles)
    polarity_col = next((i for i, r in roles.items() if r is Role.POLARITY), None)
    reference_col = next((i for i, r in roles.items() if r is Role.IDENTIFIER), None)
    comment_col = next((i for i, r in roles.items() if r is Role.COMMENT), None)
    columns: dict[int, tuple[str, str]] = {}
    seen: dict[tuple[str, str], object] = {}

    def fail(kind: CellErrorKind, cell: object, problem: str) -> None:
        parsed.reject(kind, cell, problem, row=grid.numbers[header_index], column=str(cell), file=grid.name)

    for col in range(kpi_col + 1, len(header)):
        cell = header[col]
        if cell is None or col in unread or col == polarity_col:
            continue
        try:
            target = _column_target(cell)
        except PeriodError as exc:
            fail(CellErrorKind.BAD_HEADING, cell, f"this column heading is neither a period nor one of Nat, SN, SW, Target, "
                 f"Baseline, Target / Baseline / Milestone <period>, Polarity ({exc})")
            continue
        if target in seen:
            fail(CellErrorKind.DUPLICATE, cell, f"the same column appears twice (also headed {seen[target]!s})")
            continue
        seen[target] = cell
        columns[col] = target
    headings = {col: _shown(header[col]) for col in columns}
    return _Sheet(grid, header_index, kpi_col, columns, headings, polarity_col, unread, reference_col, comment_col)


def _shown(cell: object) -> str:
    """A heading as a person reads it: a date cell as its month (`Apr 2024`), not `2024-04-01 00:00:00`."""
    if isinstance(cell, dt.datetime | dt.date):
        return cell.strftime("%b %Y")
    return str(cell)


def parse_wide(grid: Grid, catalogue: Catalogue) -> Parsed:
    parsed, header_index = begin("wide", grid, find_header, "no header row with a 'KPI' column was found")
    if header_index is None:
        return parsed
    sheet = _read_header(grid, header_index, parsed)
    place = _Place()
    for index in range(header_index + 1, len(grid.rows)):
        _read_row(parsed, catalogue, sheet, index, place)
    return parsed


def _cell(row: Sequence[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _read_row(parsed: Parsed, catalogue: Catalogue, sheet: _Sheet, index: int, place: _Place) -> None:
    """One row: a KPI and its values, a section heading, a measure the catalogue does not know (kept whole for
    setting it up), or values that belong nowhere."""
    row = sheet.grid.rows[index]
    line = sheet.grid.numbers[index]
    name = _cell(row, sheet.kpi_col)
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
    name = str(name).strip()
    has_values = bool(values) or _cell(row, sheet.polarity_col) is not None
    kpi = _find_kpi(parsed, catalogue, sheet, name, has_values, line, place)
    if kpi is not None:
        _read_values(parsed, sheet, kpi, values, line, comment=_text(_cell(row, sheet.comment_col)))
        _check_polarity(parsed, kpi, _cell(row, sheet.polarity_col), line)
    elif has_values:
        parsed.unknown.append(_unknown(sheet, row, name, line, place))


def _report_stray(parsed: Parsed, sheet: _Sheet, row: Sequence[object], line: int) -> None:
    """Values in columns that are neither the KPI names nor a period, a series or the polarity."""
    header = sheet.header
    for col in range(len(row)):
        if col == sheet.kpi_col or col in sheet.columns or col == sheet.polarity_col or col in sheet.unread or row[col] is None:
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
        if not is_child:  # its own breakdown rows follow: never read them as a measure's further up the file
            place.parent, place.parent_name = None, name
        return None
    if not is_child:
        place.parent, place.parent_name = kpi, name
    if place.section and normalise_name(place.section) != normalise_name(kpi.section):
        parsed.warn(
            WarningKind.SECTION,
            f"row {line}: {name!r} sits under section {place.section!r}, the catalogue files it under {kpi.section!r}",
            kpi_id=kpi.id, odd=f"the file puts it under “{place.section}”; the explorer files it under “{kpi.section}”",
        )
    return kpi


def _unknown(sheet: _Sheet, row: Sequence[object], name: str, line: int, place: _Place) -> UnknownMeasure:
    """A row the catalogue does not know, every cell as it was, for setting the measure up from the file."""
    cells: dict[str, dict[str, object]] = {"actual": {}, "target": {}, "baseline": {}}
    headings: dict[str, str] = {}
    for col in sorted(sheet.columns):
        series, period = sheet.columns[col]
        raw = _cell(row, col)
        if raw is None or series not in cells:
            continue
        cells[series][period] = raw
        if series == "actual":
            headings[period] = sheet.headings[col]
    is_child = normalise_name(name).startswith(CHILD_PREFIX)
    return UnknownMeasure(
        name=name,
        row=line,
        section=place.section,
        parent=place.parent_name if is_child else None,
        values=cells["actual"],
        headings=headings,
        target=cells["target"].pop("", None),
        baseline=cells["baseline"].get(""),
        milestones=cells["target"],
        polarity=_cell(row, sheet.polarity_col),
        reference=_text(_cell(row, sheet.reference_col)),
    )


def _text(cell: object) -> str | None:
    """A free-text or identifier cell as one line (an identifier written as a number, `1`, stays `1`)."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split()) or None


def _check_polarity(parsed: Parsed, kpi: KPI, raw: object, line: int) -> None:
    """A Polarity / Good is cell that disagrees with the catalogue is worth a look; the catalogue still rules."""
    said = polarity_of(raw)
    if said is not None and said != kpi.polarity:
        parsed.warn(
            WarningKind.POLARITY,
            f"row {line}: the file says {raw!r} ({POLARITY_WORDS[said].lower()}) for {kpi.name!r}, the catalogue "
            f"says {POLARITY_WORDS[kpi.polarity].lower()}",
            kpi_id=kpi.id, odd=polarity_odd(said, kpi.polarity),
        )


def _read_values(parsed: Parsed, sheet: _Sheet, kpi: KPI, values: Mapping[int, object], line: int, *,
                 comment: str | None = None) -> None:
    """A KPI's cells, period by period then the benchmarks, checking each arrow against the period before; a
    Comments cell is the note on its latest month reported."""
    previous: tuple[str, float | None] | None = None
    latest: tuple[tuple[int, dt.date, str], dict[str, object]] | None = None
    for col in sorted(sheet.columns):
        series, period = sheet.columns[col]
        heading = sheet.headings[col]
        raw = values.get(col)
        value = parsed.read_value(raw, kpi.unit, row=line, column=heading, file=sheet.grid.name)
        if value is None:
            continue
        if series == "actual":
            _check_arrow(parsed, line, heading, previous, value, kpi=kpi, period=period)
            previous = (heading, value.value) if value.value is not None else None
        if "fraction" in value.flags:
            parsed.warn(
                WarningKind.FRACTION,
                f"row {line}, column {heading!r}: {raw!r} read as a fraction, {value.value:g}%",
                kpi_id=kpi.id, period=period,
                odd=f"the file gives {raw}, read as a fraction of one: {format_value(value.value, kpi.unit)}",
            )
        if not value.is_empty:
            parsed.add_value(SCORECARD, kpi.id, period, series, value)
            if series == "actual" and value.value is not None and (latest is None or sort_key(period) > latest[0]):
                latest = (sort_key(period), parsed.records[-1])
    if comment and latest is not None:
        note = latest[1].get("note")
        latest[1]["note"] = f"{note}; {comment}" if note else comment


def _check_arrow(parsed: Parsed, row: int, column: str, previous: tuple[str, float | None] | None, value: ParsedValue,
                 *, kpi: KPI, period: str) -> None:
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
            f"but the value went from {before:g} ({previous[0]}) to {now:g}",
            kpi_id=kpi.id, period=period, odd=arrow_odd(arrow, before, now, kpi.unit),
        )


# --- writing -------------------------------------------------------------------------------------


# Columns the scorecard itself has not got: written only when some measure has a value for them.
_WRITTEN_WHEN_HELD = {"baseline"}


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


def _following(label: str) -> str:
    """The next month or quarter."""
    if parse_period(label).kind == "month":
        return shift_month(label, 1)
    first, number = int(label[:4]), int(label[-1])
    return quarter(first, number + 1).label if number < 4 else quarter(first + 1, 1).label


def _period_columns(periods: list[str]) -> list[str]:
    """Every month from the first to the last, and every quarter likewise, in time order, so a gap shows as an
    empty column."""
    by_kind: dict[str, list[Period]] = {}
    for label in set(periods):
        period = parse_period(label)
        by_kind.setdefault(period.kind, []).append(period)
    out = []
    for found in by_kind.values():
        current, last = min(found, key=lambda p: p.start).label, max(found, key=lambda p: p.start).label
        out.append(current)
        while current != last:
            current = _following(current)
            out.append(current)
    return sorted(out, key=sort_key)


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


def _placeable(long: pd.DataFrame) -> pd.Series:
    """The rows the wide layout has a column for: actual months and quarters, undated benchmarks, targets and
    baselines, and dated targets (its Milestone columns)."""
    kinds = {p: parse_period(p).kind for p in set(long["period"]) if p}
    kind = long["period"].map(lambda p: kinds.get(p, ""))
    actual, dated = long["series"] == "actual", long["period"] != ""
    return (actual & kind.isin(["month", "quarter"])) | (~actual & ~dated) | ((long["series"] == "target") & dated)


def _headings(long: pd.DataFrame, series: list[str]) -> dict[tuple[str, str], str]:
    """(series, period) -> the column heading written for it, in the layout's column order: the periods, then Nat,
    SN, SW, Target, then Baseline and each dated target's `Milestone <period>` for the measures that have them."""
    held = set(long.loc[long["period"] == "", "series"])
    periods = _period_columns(long.loc[long["series"] == "actual", "period"].tolist()) if "actual" in series else []
    milestones = sorted(set(long.loc[(long["series"] == "target") & (long["period"] != ""), "period"]), key=sort_key)
    bench = [s for s in SERIES_HEADINGS if s in series and (s not in _WRITTEN_WHEN_HELD or s in held)]
    return (
        {("actual", p): short_label(p) for p in periods}
        | {(s, ""): written_heading(s) for s in bench}
        | {("target", p): f"Milestone {short_label(p)}" for p in (milestones if "target" in series else [])}
    )


def wide_table(
    long: pd.DataFrame, catalogue: Catalogue, series: list[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The scorecard's own layout from long rows of the monthly scorecard, holding `series` (all when none are
    named). Returns the grid and notes about anything the layout cannot hold (values of other periods, a note
    beside a value)."""
    series = series or SERIES
    notes: list[str] = []
    long = long[long["scorecard"] == SCORECARD]
    placeable = _placeable(long)
    if (~placeable).any():
        notes.append(
            f"{int((~placeable).sum()):,} value(s) are not monthly or quarterly figures, undated benchmarks or dated "
            "targets and have no column in the wide layout; they are in the long layout."
        )
    long = long[placeable]
    heading_of = _headings(long, series)
    columns = ["KPI", *heading_of.values()]
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
