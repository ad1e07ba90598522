"""Readers for each file layout a manager may upload. Each turns a Grid into store rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.schema import COLUMNS, normalise
from sendlib.domain.values import CellError
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

    def __str__(self) -> str:
        return self.message

    def __contains__(self, text: str) -> bool:
        return text in self.message


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


@dataclass
class Parsed:
    """What a layout reader made of a file: rows for the store, or the reasons it can't be taken."""

    layout: str
    records: list[dict] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def add(self, **record: object) -> None:
        self.records.append({c: record.get(c) for c in COLUMNS})

    def error(self, exc: CellError) -> None:
        if self.keeps_errors:
            self.errors.append(exc)

    @property
    def keeps_errors(self) -> bool:
        """False once MAX_ERRORS are kept: a reader may skip working out the words for an error never shown."""
        return len(self.errors) < MAX_ERRORS

    def warn(self, kind: WarningKind, message: str) -> None:
        self.warnings.append(Notice(kind, message))

    def table(self) -> pd.DataFrame:
        return normalise(pd.DataFrame(self.records, columns=COLUMNS))


def closest_hint(parsed: Parsed, catalogue: Catalogue, name: object, scorecard: str | None = None) -> str:
    """`; closest known: 'A'; 'B'` to follow "unknown KPI", or nothing (also once errors are no longer kept)."""
    if not parsed.keeps_errors:
        return ""
    close = catalogue.closest_names(str(name or ""), scorecard)
    return f"; closest known: {'; '.join(repr(c) for c in close)}" if close else ""


def header_row(grid: Grid, matches: Callable[[set[str]], bool], within: int = 50) -> int | None:
    """The first row (of the first `within`) whose headings satisfy `matches`: title rows may stand above it."""
    for i, row in enumerate(grid.rows[:within]):
        if matches({header_key(c) for c in row}):
            return i
    return None


def header_key(cell: object) -> str:
    return " ".join(str(cell).replace("_", " ").split()).lower() if cell is not None else ""
