"""Readers for each file layout a manager may upload. Each turns a Grid into store rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from sendlib.readers import Grid
from sendlib.schema import COLUMNS, normalise
from sendlib.values import CellError

MAX_ERRORS = 200


@dataclass
class Parsed:
    """What a layout reader made of a file: rows for the store, or the reasons it can't be taken."""

    layout: str
    records: list[dict] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, **record: object) -> None:
        self.records.append({c: record.get(c) for c in COLUMNS})

    def error(self, exc: CellError) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(exc)

    def table(self) -> pd.DataFrame:
        return normalise(pd.DataFrame(self.records, columns=COLUMNS))


def header_row(grid: Grid, matches: Callable[[set[str]], bool], within: int = 50) -> int | None:
    """The first row (of the first `within`) whose headings satisfy `matches`: title rows may stand above it."""
    for i, row in enumerate(grid.rows[:within]):
        if matches({header_key(c) for c in row}):
            return i
    return None


def header_key(cell: object) -> str:
    return " ".join(str(cell).replace("_", " ").split()).lower() if cell is not None else ""
