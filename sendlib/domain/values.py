"""Parsing the value cells people actually type into scorecards.

A cell may hold a number with a trend arrow (`7143 ▲`), a percentage with a count in brackets
(`15.12%(24)`), a fraction among percentages (`0.316`), a duration (`38 weeks 4 days`), a
placeholder (`requested`, `n/a`, `TBC`, `KPI changed-see below`) or nothing. Every form becomes a
`ParsedValue`; anything else raises `CellError`, the one error type the importers report.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, get_args

from pandas import NA as _NA

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

Unit = Literal["count", "percent", "days", "weeks", "score"]
UNITS: tuple[Unit, ...] = get_args(Unit)  # a unit's position here is its code in `parse_plain_values`
Arrow = Literal["up", "down", "flat"]

ARROWS: dict[str, Arrow] = {
    "▲": "up",
    "△": "up",
    "↑": "up",
    "▼": "down",
    "▽": "down",
    "↓": "down",
    "▶": "flat",
    "►": "flat",
    "▷": "flat",
    "→": "flat",
    "◄": "flat",
}
ARROW_SYMBOL: dict[Arrow, str] = {"up": "▲", "down": "▼", "flat": "▶"}

# Placeholders that stand where a figure will be; kept as notes, never as numbers.
PLACEHOLDERS = {
    "requested": "requested",
    "n/a": "n/a",
    "na": "n/a",
    "n.a.": "n/a",
    "not available": "n/a",
    "tbc": "TBC",
    "tbd": "TBC",
    "high": "High",
    "low": "Low",
    "-": "-",
    "–": "-",
    "—": "-",
}
_PLACEHOLDER_PREFIXES = ("kpi changed", "see below", "data not available", "not yet available")


class CellErrorKind(StrEnum):
    """What is wrong with a cell, for code that acts on it (the upload page offers to add an unknown KPI);
    `problem` says it in words."""

    UNKNOWN_KPI = "unknown-kpi"  # a KPI name or id the catalogue does not know
    UNKNOWN_MEASURE = "unknown-measure"  # a board report measure (number or name) the catalogue does not know
    NOT_A_NUMBER = "not-a-number"  # text, true/false or an unreadable figure where a value belongs
    WRONG_UNIT = "wrong-unit"  # a percentage where a count, duration or score belongs
    OUT_OF_RANGE = "out-of-range"  # negative, over 100%, or too large to hold
    NOT_WHOLE = "not-whole"  # a count (or a count in brackets) that is not a whole number of zero or more
    BAD_PERIOD = "bad-period"  # a period that cannot be read, or none where one is needed
    BAD_SERIES = "bad-series"  # a series that is none of actual, target and the benchmarks
    BAD_HEADING = "bad-heading"  # a column heading that is neither a month nor a series
    DUPLICATE = "duplicate"  # the same column, or the same KPI, period and series, twice
    STRAY_VALUE = "stray-value"  # a value with no heading above it or no KPI beside it
    NO_HEADER = "no-header"  # no header row the layout recognises
    OTHER = "other"  # anything else


@dataclass(frozen=True)
class CellError(ValueError):
    """A cell that cannot be read. Names where it is, what it held, what is wrong and what kind of wrong."""

    raw: str
    problem: str
    row: int | None = None
    column: str | None = None
    file: str | None = None
    kind: CellErrorKind = CellErrorKind.OTHER

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix + ': ' if prefix else ''}value {self.raw!r}: {self.problem}"

    def at(self, *, row: int | None = None, column: str | None = None, file: str | None = None) -> CellError:
        return CellError(
            raw=self.raw,
            problem=self.problem,
            row=self.row if row is None else row,
            column=self.column if column is None else column,
            file=self.file if file is None else file,
            kind=self.kind,
        )


@dataclass(frozen=True)
class ParsedValue:
    value: float | None = None
    count: int | None = None
    note: str | None = None
    arrow: Arrow | None = None
    flags: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.note is None and self.arrow is None


_NUMBER = r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+\-−]?\.\d+"
_VALUE_RE = re.compile(
    rf"^(?P<num>{_NUMBER})\s*(?P<pct>%)?\s*(?:\(\s*(?P<count>{_NUMBER})\s*\))?$"
)
_DURATION_RE = re.compile(
    r"^(?:(?P<weeks>\d+(?:\.\d+)?)\s*(?:weeks?|wks?|w))?\s*,?\s*(?:(?P<days>\d+(?:\.\d+)?)\s*(?:days?|d))?$",
    re.IGNORECASE,
)


def _to_float(text: str) -> float:
    value = float(text.replace(",", "").replace("−", "-"))
    if not math.isfinite(value):
        raise CellError(text, "a number too large to hold", kind=CellErrorKind.OUT_OF_RANGE)
    return value


def _split_arrow(text: str) -> tuple[str, Arrow | None]:
    arrow: Arrow | None = None
    stripped = text.strip()
    # An arrow may stand after the value (the scorecard's habit) or alone.
    while stripped and stripped[-1] in ARROWS:
        arrow = arrow or ARROWS[stripped[-1]]
        stripped = stripped[:-1].rstrip()
    if stripped and stripped[0] in ARROWS:
        arrow = arrow or ARROWS[stripped[0]]
        stripped = stripped[1:].lstrip()
    return stripped, arrow


def parse_value(raw: object, unit: Unit, *, in_points: bool = False) -> ParsedValue:
    """Read one cell for a KPI measured in `unit`. Raises CellError (and nothing else) when it can't. `in_points`:
    the file says the figure is in the store's terms (a long extract's `unit` column), so `0.02` for a percentage is
    0.02%, never a pasted fraction."""
    if raw is None:
        return ParsedValue()
    if isinstance(raw, bool):
        raise CellError(str(raw), "a true/false value where a number belongs", kind=CellErrorKind.NOT_A_NUMBER)
    if isinstance(raw, (int, float)):
        return _number_cell(raw, unit, in_points=in_points)
    text = str(raw).replace("\u00a0", " ").strip()
    if not text:
        return ParsedValue()
    body, arrow = _split_arrow(text)
    if not body:
        assert arrow is not None  # text was non-empty, so what _split_arrow stripped away was arrows
        return ParsedValue(arrow=arrow, note=f"arrow {ARROW_SYMBOL[arrow]} with no value", flags=("arrow-only",))
    key = body.lower()
    if key in PLACEHOLDERS:
        return ParsedValue(note=PLACEHOLDERS[key], arrow=arrow)
    if key.startswith(_PLACEHOLDER_PREFIXES):
        return ParsedValue(note=body, arrow=arrow)
    if m := _VALUE_RE.match(body):
        parsed = _check(_to_float(m.group("num")), _bracket_count(m.group("count"), text), unit, text, in_points=in_points,
                        has_pct=m.group("pct") is not None)
        return ParsedValue(parsed.value, parsed.count, parsed.note, arrow, parsed.flags)
    if unit in ("days", "weeks") and (days := _duration_days(body, text)) is not None:
        return ParsedValue(value=days if unit == "days" else round(days / 7, 10), arrow=arrow)
    if any(c.isdigit() for c in body):
        raise CellError(text, f"cannot read this as a {_UNIT_WORD[unit]}", kind=CellErrorKind.NOT_A_NUMBER)
    raise CellError(text, f"text where a {_UNIT_WORD[unit]} belongs", kind=CellErrorKind.NOT_A_NUMBER)


# The figures `parse_plain_values` reads: a subset of _VALUE_RE's (ASCII digits, no sign, no space around the cell,
# at most 15 digits a part so every one is a finite float and a whole count fits in an int64). Most cells are a
# bare figure or one with a `%`, which a plain match finds ten times faster than the last pattern's captures.
_DECIMAL = r"(?:[0-9]{1,15}(?:\.[0-9]{1,15})?|\.[0-9]{1,15})"
_DECIMAL_RE, _PERCENT_RE = f"^{_DECIMAL}$", f"^{_DECIMAL}%$"
_PLAIN_RE = (r"^(?P<num>(?:[0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9]{1,15})(?:\.[0-9]{1,15})?|\.[0-9]{1,15})"
             r"(?: *(?P<pct>%))?(?: *\( *(?P<count>[0-9]{1,15}) *\))?$")


@dataclass(frozen=True)
class PlainValues:
    """`parse_value` for a column of text cells, where a cell is a plain figure it reads without a word to say:
    `read[i]` when cell i was read here, its figure `value[i]` (NaN for a blank cell) and its count in brackets
    `count[i]` (-1 for none). Every other cell (a fraction, an arrow, a placeholder, a duration, anything refused)
    is for `parse_value` itself, so each message and note is its own."""

    read: np.ndarray
    value: np.ndarray
    count: np.ndarray


def parse_plain_values(cells: pa.Array, units: np.ndarray, in_points: np.ndarray | None = None) -> PlainValues:
    """The cells (text, "" for a blank) read as `parse_value(cell, UNITS[units[i]])` would read them, at C speed:
    `45.2%`, `45.2% (24)`, `1,234`, `38`; within range for the unit (a percentage 0-100 and not a fraction
    among percentages, a whole count, no `%` but on a percentage)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    decimal = pc.match_substring_regex(cells, _DECIMAL_RE)
    number = pc.cast(pc.if_else(decimal, cells, "nan"), pa.float64()).to_numpy(zero_copy_only=False, writable=True)
    percent_sign = pc.match_substring_regex(cells, _PERCENT_RE)
    has_pct = percent_sign.to_numpy(zero_copy_only=False).copy()
    number[has_pct] = pc.cast(pc.utf8_slice_codeunits(cells.filter(percent_sign), 0, -1), pa.float64()).to_numpy(
        zero_copy_only=False)
    count = np.full(len(cells), -1, dtype=np.int64)
    blank = pc.equal(cells, "").to_numpy(zero_copy_only=False)
    if len(others := np.flatnonzero(~decimal.to_numpy(zero_copy_only=False) & ~has_pct & ~blank)):
        parts = pc.extract_regex(cells.take(pa.array(others)), _PLAIN_RE).flatten()  # no plain figure: nulls
        number[others] = pc.cast(pc.replace_substring(parts[0], ",", ""), pa.float64()).to_numpy(zero_copy_only=False)
        has_pct[others] = pc.fill_null(pc.equal(parts[1], "%"), False).to_numpy(zero_copy_only=False)
        bracket = pc.cast(pc.if_else(pc.equal(parts[2], ""), None, parts[2]), pa.int64())
        count[others] = pc.fill_null(bracket, -1).to_numpy(zero_copy_only=False)
    percent = units == UNITS.index("percent")
    fraction = ~has_pct & (number > 0) & (number < 1)  # `0.316` among percentages: parse_value says so in a note
    if in_points is not None:
        fraction &= ~in_points
    fits = np.where(percent, ~fraction & (number <= 100),
                    ~has_pct & ((units != UNITS.index("count")) | (number == np.floor(number))))
    return PlainValues(read=(~np.isnan(number) & fits) | blank, value=np.where(blank, np.nan, number), count=count)


def _number_cell(raw: int | float, unit: Unit, *, in_points: bool = False) -> ParsedValue:
    """A cell Excel stored as a number (blank when it is NaN)."""
    if isinstance(raw, float) and math.isnan(raw):
        return ParsedValue()
    try:
        number = float(raw)
    except OverflowError:
        raise CellError(str(raw)[:40], "a number too large to hold", kind=CellErrorKind.OUT_OF_RANGE) from None
    return _check(number, None, unit, str(raw), has_pct=False, in_points=in_points)


def _bracket_count(raw: str | None, text: str) -> int | None:
    """The count printed in brackets beside a percentage: `14.3% (10)` → 10."""
    if raw is None:
        return None
    count = _to_float(raw)
    if count != int(count) or count < 0:
        raise CellError(text, "the count in brackets must be a whole number of zero or more", kind=CellErrorKind.NOT_WHOLE)
    return int(count)


def _duration_days(body: str, text: str) -> float | None:
    """`38 weeks 4 days` → 270; None when the text is not a duration at all."""
    if not any(c.isalpha() for c in body):
        return None
    m = _DURATION_RE.match(body)
    if not (m and (m.group("weeks") or m.group("days"))):
        return None
    days = float(m.group("weeks") or 0) * 7 + float(m.group("days") or 0)
    if not math.isfinite(days):
        raise CellError(text, "a duration too long to hold", kind=CellErrorKind.OUT_OF_RANGE)
    return days


_UNIT_WORD = {"count": "count", "percent": "percentage", "days": "duration", "weeks": "duration in weeks",
              "score": "score"}


def _check(value: float, count: int | None, unit: Unit, raw: str, *, has_pct: bool, in_points: bool = False
           ) -> ParsedValue:
    if not math.isfinite(value):
        raise CellError(raw, "not a finite number", kind=CellErrorKind.NOT_A_NUMBER)
    flags: tuple[str, ...] = ()
    note = None
    if unit == "percent":
        if not has_pct and not in_points and 0 < abs(value) < 1 and "." in raw:
            # `0.316` among `35.4%`: a fraction someone pasted. Read it as 31.6 and say so.
            note = f"read {raw.strip()} as a fraction: {value * 100:.4g}%"
            value = round(value * 100, 10)
            flags = ("fraction",)
        if value < 0:
            raise CellError(raw, "a percentage cannot be negative", kind=CellErrorKind.OUT_OF_RANGE)
        if value > 100:
            raise CellError(raw, "a percentage cannot be over 100", kind=CellErrorKind.OUT_OF_RANGE)
    elif has_pct:
        raise CellError(raw, f"a percentage where a {_UNIT_WORD[unit]} belongs", kind=CellErrorKind.WRONG_UNIT)
    elif unit == "count":
        if value < 0:
            raise CellError(raw, "a count cannot be negative", kind=CellErrorKind.OUT_OF_RANGE)
        if value != int(value):
            raise CellError(raw, "a count must be a whole number", kind=CellErrorKind.NOT_WHOLE)
    elif unit in ("days", "weeks") and value < 0:
        raise CellError(raw, "a duration cannot be negative", kind=CellErrorKind.OUT_OF_RANGE)
    return ParsedValue(value=value, count=count, note=note, flags=flags)


def _trim(value: float, decimals: int, minimum: int) -> str:
    """`15.12`, `14.3`, `49.0`, `0.04`: as many decimals as the figure has (up to `decimals`)."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0").ljust(minimum, "0")
        text = f"{whole}.{frac}" if frac else whole
    return text.lstrip("-") if float(text) == 0 else text


def is_missing(value: object) -> bool:
    """None, pandas' NA or NaN: a table cell with no number in it, however pandas spelled the gap."""
    return value is None or value is _NA or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, unit: Unit, *, signed: bool = False) -> str:
    """Format as the source documents do: `49.2%`, `0.04%`, `1,234`, `38 weeks 4 days`, `-1.17`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "+" if signed and value > 0 else ""
    if unit == "percent":
        return f"{sign}{_trim(value, 2, 1)}%"
    if unit == "days":
        prefix = "-" if value < 0 else sign
        total = round(abs(value))
        weeks, days = divmod(total, 7)
        parts = []
        if weeks:
            parts.append(f"{weeks} week{'s' if weeks != 1 else ''}")
        if days or not weeks:
            parts.append(f"{days} day{'s' if days != 1 else ''}")
        return prefix + " ".join(parts)
    if unit == "weeks":
        return f"{sign}{_trim(value, 2, 0)} weeks"
    if unit == "score":
        return f"{sign}{_trim(value, 2, 0)}"
    if value == int(value):
        return f"{int(value):+,}" if signed else f"{int(value):,}"
    return f"{value:+,.1f}" if signed else f"{value:,.1f}"
