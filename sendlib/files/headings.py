"""The words councils head their columns with, and the cells that fill the columns beside the figures: one place
for every reader (wide and long) to ask what a heading or a cell is.

A person reading a scorecard knows at a glance that `Ref` / `PI-01` is an identifier, `RAG` / `Amber` a rating,
`Trend` / `↑` an arrow, `Comments` free text, `Target 2024/25` a target for that year and `01/10/2024` October 2024;
so do the readers. RAG and trend columns are recomputed by the app and never read; none of these is ever a
reason to refuse a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from sendlib.domain.measure_setup import polarity_in_words
from sendlib.domain.periods import Period, PeriodError, parse_period, read_heading
from sendlib.domain.schema import heading_key

__all__ = ["Role", "dated_series", "polarity_in_words", "read_period", "role_of_contents", "role_of_heading",
           "year_covers"]


class Role(StrEnum):
    """What a column beside the measure's name is, when it is not a figure."""

    IDENTIFIER = "identifier"
    RAG = "rag"
    TREND = "trend"
    COMMENT = "comment"
    POLARITY = "polarity"
    UNIT = "unit"


_ROLE_HEADINGS: dict[Role, tuple[str, ...]] = {
    Role.IDENTIFIER: ("ref", "ref.", "reference", "code", "no", "no.", "id", "pi ref", "kpi ref", "pi code",
                      "kpi code", "kpi id", "indicator ref", "indicator code", "measure ref", "measure code",
                      "pi no", "pi no.", "#"),
    Role.RAG: ("rag", "rag rating", "rag status", "status", "rating", "rag rated", "performance status"),
    Role.TREND: ("trend", "direction of travel", "dot", "trend arrow", "travel", "change", "trend direction"),
    Role.COMMENT: ("comments", "comment", "commentary", "narrative", "explanation", "remarks", "notes",
                   "commentary and actions", "comments and actions"),
    Role.POLARITY: ("polarity", "good is", "good", "direction", "better if", "good performance is",
                    "what good looks like"),
    Role.UNIT: ("unit", "units", "unit of measure", "measure type", "format"),
}
_ROLE_BY_HEADING = {heading_key(h): role for role, headings in _ROLE_HEADINGS.items() for h in headings}

# A long file's columns under the usual headings (the wide layout's own names first).
VALUE_HEADINGS = ("value", "actual", "actuals", "figure", "result", "outturn", "performance")
PERIOD_HEADINGS = ("period", "month", "date", "reporting month", "reporting period", "quarter", "year",
                   "month ending", "period ending", "month end", "as at")
_VALUE_KEYS = {heading_key(h) for h in VALUE_HEADINGS}
_PERIOD_KEYS = {heading_key(h) for h in PERIOD_HEADINGS}

_RAG_CELLS = {"r", "a", "g", "b", "ag", "ar", "red", "amber", "green", "blue", "grey", "gray", "n/a", "na",
              "red/amber", "amber/green", "on track", "off track", "at risk", "met", "not met"}
_TREND_CELLS = {"↑", "↓", "→", "←", "↔", "↗", "↘", "▲", "▼", "►", "◄", "=", "up", "down", "same", "level",
                "improving", "worsening", "declining", "deteriorating", "stable", "no change", "static", "better",
                "worse"}


def role_of_heading(cell: object) -> Role | None:
    return _ROLE_BY_HEADING.get(heading_key(cell)) if cell is not None else None


def is_value_heading(key: str) -> bool:
    return key in _VALUE_KEYS


def is_period_heading(key: str) -> bool:
    return key in _PERIOD_KEYS


def _all(cells: Iterable[object], test: set[str]) -> bool:
    seen = [heading_key(c) for c in cells if c is not None]
    return bool(seen) and all(c in test for c in seen)


def role_of_contents(cells: Iterable[object]) -> Role | None:
    """A column with a heading no reader knows whose every cell is a RAG rating or a trend arrow."""
    cells = list(cells)
    if _all(cells, _RAG_CELLS):
        return Role.RAG
    if _all(cells, _TREND_CELLS):
        return Role.TREND
    return None


# --- periods, in the spellings councils write them --------------------------------------------------------

_UK_DATE = re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})(?:\s+00:00(?::00)?)?$")
_MONTH_YEAR = re.compile(r"^(?P<m>\d{1,2})[/.](?P<y>\d{4})$")
_SHORT_YEAR = re.compile(r"^(?:fy\s*|financial year\s*|academic year\s*)?(?P<a>\d{2}|\d{4})\s*[/\-]\s*(?P<b>\d{2})$")
_ISO_DATETIME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})[ T]00:00(?::00)?$")
_BRACKETS = re.compile(r"^\((?P<inner>.*)\)$")


def _respelt(text: str) -> str | None:
    """A heading in a spelling `read_heading` lacks, as one it reads: `01/10/2024` → `2024-10`, `25/26` → `2025/26`,
    `FY 2024/25` → `2024/25`, `(Mar 24)` → `Mar 24`."""
    text = " ".join(text.split())
    if m := _ISO_DATETIME.match(text):
        return m.group("day")
    if m := _BRACKETS.match(text):
        return m.group("inner").strip()
    if m := _UK_DATE.match(text):
        return f"{int(m.group('y')):04d}-{int(m.group('m')):02d}" if 1 <= int(m.group("m")) <= 12 else None
    if m := _MONTH_YEAR.match(text):
        return f"{int(m.group('y')):04d}-{int(m.group('m')):02d}" if 1 <= int(m.group("m")) <= 12 else None
    if m := _SHORT_YEAR.match(text.lower()):
        first = int(m.group("a"))
        first = first + 2000 if first < 100 else first
        if (first + 1) % 100 == int(m.group("b")):
            return f"{first}/{m.group('b')}"
    return None


def read_period(cell: object) -> tuple[Period, str | None]:
    """A period heading or cell in any common spelling: what `periods.read_heading` reads, and UK dates
    (`01/10/2024`), `10/2024`, `25/26`, `FY 2024/25`, a period in brackets, a date cell. Raises PeriodError."""
    if isinstance(cell, dt.datetime | dt.date):
        return parse_period(f"{cell.year:04d}-{cell.month:02d}"), None
    try:
        return read_heading(cell)
    except PeriodError:
        other = _respelt(str(cell)) if isinstance(cell, str) else None
        if other is None:
            raise
        return read_heading(other)


_DATED = re.compile(r"^(?P<word>targets?|baselines?|milestones?)\b[\s:\-–]*(?P<period>.*)$", re.IGNORECASE)
_DATED_SERIES = {"target": "target", "targets": "target", "milestone": "target", "milestones": "target",
                 "baseline": "baseline", "baselines": "baseline"}


def dated_series(cell: object) -> tuple[str, str] | None:
    """(series, period label) for `Target 2024/25`, `Target 25/26`, `Baseline (Mar 24)`, `Milestone Mar-25`, or
    None for a heading that is not one of these words followed by a period. `Milestone` alone is no dated series
    (PeriodError: it needs a period); a bare `Target` or `Baseline` is the undated series, read elsewhere."""
    if not isinstance(cell, str) or not (m := _DATED.match(cell.strip())):
        return None
    word, period = m.group("word").lower(), m.group("period").strip()
    if not period:
        if word.startswith("milestone"):
            raise PeriodError(f"{cell!r}: a milestone needs its period")
        return None
    return _DATED_SERIES[word], read_period(period)[0].label


def year_covers(year_label: str, period_label: str) -> bool:
    """Whether a `2024/25` year holds a month, quarter or the year itself, counting the year from April (the
    financial year scorecards report by) or from September (the academic year DfE's figures use)."""
    if year_label == period_label:
        return True
    try:
        year, period = parse_period(year_label), parse_period(period_label)
    except PeriodError:
        return False
    if year.kind != "academic-year":
        return False
    first = int(year_label[:4])
    if period.kind == "quarter":
        return period_label.startswith(f"{first}/")
    if period.kind != "month":
        return False
    y, m = int(period_label[:4]), int(period_label[5:7])
    return (y == first and m >= 4) or (y == first + 1 and m <= 3) or (y == first and m >= 9) or (
        y == first + 1 and m <= 8)
