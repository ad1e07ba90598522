"""Readers for each file layout a manager may upload. Each turns a Grid into store rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from sendlib.domain.catalogue import POLARITY_WORDS, Catalogue, Polarity
from sendlib.domain.schema import COLUMNS, heading_key, normalise
from sendlib.domain.values import (
    ARROW_SYMBOL,
    Arrow,
    CellError,
    CellErrorKind,
    ParsedValue,
    Unit,
    format_value,
    parse_value,
)
from sendlib.files.headings import Role, polarity_in_words, role_of_heading
from sendlib.files.readers import Grid

MAX_ERRORS = 200


class WarningKind(StrEnum):
    """What a warning is about. A file with a thousand contradicting arrows gets one heading, not a thousand lines."""

    ARROW = "arrow"
    FRACTION = "fraction"
    SECTION = "section"
    POLARITY = "polarity"
    OUTLIER = "outlier"
    CUMULATIVE_FELL = "cumulative-fell"
    REVISED = "revised"

    @property
    def label(self) -> str:
        """A plain-English heading for a group of these, read as "12 revised past values"."""
        return _LABELS[self]


_LABELS: dict[WarningKind, str] = {
    WarningKind.ARROW: "arrows that contradict the figures",
    WarningKind.FRACTION: "fractions read as percentages",
    WarningKind.SECTION: "KPIs under a different section from the catalogue's",
    WarningKind.POLARITY: "measures whose 'good' differs from the catalogue's",
    WarningKind.OUTLIER: "figures far outside their recent range",
    WarningKind.CUMULATIVE_FELL: "cumulative totals that fell mid-year",
    WarningKind.REVISED: "revised past values",
}


@dataclass(frozen=True)
class Notice:
    """One thing worth a second look that does not stop the upload. Prints as its message, and `"x" in notice`
    searches the message, so code written when warnings were plain strings still reads them."""

    kind: WarningKind
    message: str
    # The measure and period it is about, and what looks odd in words that need neither (a row and column mean
    # nothing to a manager): `presentation.upload_preview` makes the sentence. None where a reader has none.
    kpi_id: str | None = None
    period: str | None = None
    odd: str | None = None

    def __str__(self) -> str:
        return self.message

    def __contains__(self, text: str) -> bool:
        return text in self.message


_ARROW_SAYS: dict[str, str] = {"up": "it went up", "down": "it went down", "flat": "it stayed the same"}


def arrow_odd(arrow: Arrow, before: float, now: float, unit: Unit) -> str:
    """`the arrow ▼ says it went down, but the figure rose from 61 to 130`: an arrow the figures contradict."""
    moved = (f"stayed at {format_value(now, unit)}" if now == before else
             f"{'rose' if now > before else 'fell'} from {format_value(before, unit)} to {format_value(now, unit)}")
    return f"the arrow {ARROW_SYMBOL[arrow]} says {_ARROW_SAYS[arrow]}, but the figure {moved}"


def polarity_odd(said: str, catalogue_says: str) -> str:
    """`the file says higher is better; the explorer counts lower is better`: the explorer's way still rules."""
    return (f"the file says {POLARITY_WORDS[said].lower()}, but the explorer has {POLARITY_WORDS[catalogue_says].lower()}"
            " (the explorer's is used)")


@dataclass(frozen=True)
class WarningGroup:
    """Every notice of one kind: how many, and the first few to show."""

    kind: WarningKind
    label: str
    count: int
    examples: list[str]


def group_warnings(notices: Iterable[Notice], examples: int = 3) -> list[WarningGroup]:
    """One group per kind present, in WarningKind's order, each with at most `examples` messages."""
    by_kind: dict[WarningKind, list[Notice]] = {}
    for notice in notices:
        by_kind.setdefault(notice.kind, []).append(notice)
    return [
        WarningGroup(kind=kind, label=kind.label, count=len(found), examples=[n.message for n in found[:examples]])
        for kind in WarningKind
        if (found := by_kind.get(kind))
    ]


@dataclass(frozen=True)
class UnknownMeasure:
    """A row (or, in a long file, every row) naming a measure the catalogue does not know, kept whole with its raw
    cells so the measure can be set up from the file itself: its unit, frequency, cumulation and target are read off
    these. Each one is an UNKNOWN_KPI error too; nothing here is stored."""

    name: str
    row: int  # the file's row number (the first, in a long file)
    section: str | None = None  # the section row it sits under
    parent: str | None = None  # the measure a `no of above` row breaks down
    values: dict[str, object] = field(default_factory=dict)  # period label -> raw cell, the actual series
    headings: dict[str, str] = field(default_factory=dict)  # period label -> the column heading as printed
    target: object | None = None  # the raw cell of a Target column
    baseline: object | None = None  # the raw cell of a Baseline column
    milestones: dict[str, object] = field(default_factory=dict)  # period label -> raw cell of a dated Milestone
    polarity: object | None = None  # the raw cell of a Polarity / Good is column (H, L, High, Low)
    reference: str | None = None  # its identifier (a `Ref`, `Code`, `No.` column)
    unit: object | None = None  # the raw cell of a Unit column (`%`, `Number`, `Weeks`)


@dataclass
class Parsed:
    """What a layout reader made of a file: rows for the store, or the reasons it can't be taken."""

    layout: str
    records: list[dict[str, object]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    unknown: list[UnknownMeasure] = field(default_factory=list)

    def add(self, **record: object) -> None:
        self.records.append({c: record.get(c) for c in COLUMNS})

    def add_value(
        self,
        scorecard: str,
        kpi_id: str,
        period: str,
        series: str,
        value: ParsedValue,
        *,
        count: int | None = None,
        note: str | None = None,
    ) -> None:
        """One store row from a parsed cell; `count` and `note` (when given) stand in for the cell's own."""
        self.add(
            scorecard=scorecard,
            kpi_id=kpi_id,
            period=period,
            series=series,
            value=value.value,
            count=count if count is not None else value.count,
            note=note if note is not None else value.note,
        )

    def error(self, exc: CellError) -> None:
        if self.keeps_errors:
            self.errors.append(exc)

    def reject(
        self, kind: CellErrorKind, raw: object, problem: str, *, file: str | None,
        row: int | None = None, column: str | None = None,
    ) -> None:
        """Record a cell that cannot be taken: what it held (`raw`), what kind of wrong, in words, and where."""
        text = "" if raw is None else str(raw)
        self.error(CellError(text, problem, row=row, column=column, file=file, kind=kind))

    def read_value(self, raw: object, unit: Unit, *, row: int, column: str, file: str | None,
                   in_points: bool = False) -> ParsedValue | None:
        """The cell read for a KPI in `unit`, or None (its CellError recorded, placed at row and column)."""
        try:
            return parse_value(raw, unit, in_points=in_points)
        except CellError as exc:
            self.error(exc.at(row=row, column=column, file=file))
            return None

    @property
    def keeps_errors(self) -> bool:
        """False once MAX_ERRORS are kept: a reader may skip working out the words for an error never shown."""
        return len(self.errors) < MAX_ERRORS

    def warn(self, kind: WarningKind, message: str, *, kpi_id: str | None = None, period: str | None = None,
             odd: str | None = None) -> None:
        self.warnings.append(Notice(kind, message, kpi_id=kpi_id, period=period, odd=odd))

    def table(self) -> pd.DataFrame:
        return normalise(pd.DataFrame(self.records, columns=COLUMNS))


def closest_hint(parsed: Parsed, catalogue: Catalogue, name: object, scorecard: str | None = None) -> str:
    """`; closest known: 'A'; 'B'` to follow "unknown KPI", or nothing (also once errors are no longer kept)."""
    if not parsed.keeps_errors:
        return ""
    close = catalogue.closest_names(str(name or ""), scorecard)
    return f"; closest known: {'; '.join(repr(c) for c in close)}" if close else ""


def begin(layout: str, grid: Grid, find_header: Callable[[Grid], int | None], missing: str) -> tuple[Parsed, int | None]:
    """A reader's start: its Parsed and the header row's index, or None with `missing` recorded as the error."""
    parsed = Parsed(layout=layout)
    header_index = find_header(grid)
    if header_index is None:
        parsed.reject(CellErrorKind.NO_HEADER, "", missing, file=grid.name)
    return parsed, header_index


@dataclass(frozen=True)
class Columns:
    """A header row's named columns: `index` by key, and the heading each was written under."""

    index: dict[str, int]
    heading: dict[str, str]

    @classmethod
    def of(cls, header: Sequence[object], key: Callable[[object], str | None]) -> Columns:
        """Each heading `key` names (None: not a column the layout reads), by that name; of a name written twice,
        the later column counts."""
        index = {k: i for i, c in enumerate(header) if (k := key(c)) is not None}
        return cls(index, {k: str(header[i]) for k, i in index.items()})

    def cell(self, row: Sequence[object], key: str) -> object:
        i = self.index.get(key)
        return row[i] if i is not None and i < len(row) else None

    def heading_of(self, key: str) -> str:
        return self.heading.get(key, key)


def header_row(grid: Grid, matches: Callable[[set[str]], bool], within: int = 50) -> int | None:
    """The first row (of the first `within`) whose headings satisfy `matches`: title rows may stand above it."""
    for i, row in enumerate(grid.rows[:within]):
        if matches({header_key(c) for c in row}):
            return i
    return None


header_key = heading_key

# The measure column's heading, as councils write it, in the order one is chosen when a file has more than one
# (`Measure` beside a `Description` of it): case and spaces aside.
MEASURE_HEADINGS = ("KPI", "Measure", "Performance measure", "Performance indicator", "Indicator", "Indicator name",
                    "Measure name", "KPI description", "Metric", "Description")
_MEASURE_RANK = {h.lower().replace(" ", ""): i for i, h in enumerate(MEASURE_HEADINGS)}
# A column saying which way is good for each measure.
POLARITY_HEADINGS = ("Polarity", "Good is", "Good")
_POLARITY_HEADING_KEYS = {heading_key(h) for h in POLARITY_HEADINGS}


def measure_heading_rank(cell: object) -> int | None:
    """Where a heading stands in MEASURE_HEADINGS (0 for `KPI`), or None when it names no measure column."""
    return _MEASURE_RANK.get(heading_key(cell).replace(" ", "")) if cell is not None else None


def is_polarity_heading(cell: object) -> bool:
    return cell is not None and (heading_key(cell) in _POLARITY_HEADING_KEYS or role_of_heading(cell) is Role.POLARITY)


def polarity_of(raw: object) -> Polarity | None:
    """The way a Polarity / Good is cell says is good (`headings.polarity_in_words`), or None."""
    return polarity_in_words(raw)
