"""Period labels: one canonical spelling per reporting period, and a way to order them.

The documents write the same month as `Mar-24`, `Mar 24`, `March 2024` or an Excel date;
the store only ever holds the canonical label so that joins and sorts are exact.

Canonical forms (the store's contract):
  month          2025-01
  quarter        2024/25 Q1    a financial-year quarter, as English councils report them: Q1 April–June,
                               Q2 July–September, Q3 October–December, Q4 January–March (of 2025 here)
  half-term      2023/24 Spring 1
  term           2023/24 Autumn
  academic-year  2023/24
  calendar-year  2024

A quarter is also read as `Q1 2024/25`, `Q1 24/25`, `Apr-Jun 24` or `April to June 2024`; `Q1 2024` alone is
refused, since a calendar quarter and a financial one differ. A column heading may also name a month as the end of
a rolling 12 months or a year to date (`Rolling 12 months to Mar-24`, `R12M Mar 24`, `YTD Mar-24`): `read_heading`
reads it as that month and says which it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

PeriodKind = Literal["month", "quarter", "half-term", "term", "academic-year", "calendar-year"]
# What a heading says a month's figure covers, when it is not the month alone.
Basis = Literal["rolling-12-months", "year-to-date"]

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Half-terms and terms, with the calendar month each starts in (for ordering and plotting).
# (year offset from the academic year's first year, month, day): approximate, for ordering and ranges.
HALF_TERMS = {
    "Autumn 1": (0, 9, 1),
    "Autumn 2": (0, 11, 1),
    "Spring 1": (1, 1, 1),
    "Spring 2": (1, 2, 15),
    "Summer 1": (1, 4, 1),
    "Summer 2": (1, 6, 1),
}
TERMS = {"Autumn": (0, 9, 1), "Spring": (1, 1, 1), "Summer": (1, 4, 1)}
# Financial-year quarters: (year offset from the financial year's first year, first month).
QUARTERS = {1: (0, 4), 2: (0, 7), 3: (0, 10), 4: (1, 1)}


class PeriodError(ValueError):
    """Text that cannot be a reporting period (e.g. `2025-13`)."""


@dataclass(frozen=True, order=False)
class Period:
    kind: PeriodKind
    label: str
    start: dt.date

    def __str__(self) -> str:
        return self.label

    @property
    def end(self) -> dt.date:
        """The last day the period covers, so that a range holds only periods wholly inside it."""
        if self.kind in ("month", "quarter"):
            index = self.start.year * 12 + self.start.month - 1 + (3 if self.kind == "quarter" else 1)
            return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)
        if self.kind == "calendar-year":
            return dt.date(self.start.year, 12, 31)
        first = int(self.label[:4])
        year_end = dt.date(first + 1, 8, 31)
        if self.kind == "academic-year":
            return year_end
        table = HALF_TERMS if self.kind == "half-term" else TERMS
        starts = sorted(dt.date(first + off, mon, day) for off, mon, day in table.values())
        later = [d for d in starts if d > self.start]
        return (later[0] - dt.timedelta(days=1)) if later else year_end


def month(year: int, mon: int) -> Period:
    if not 1 <= mon <= 12:
        raise PeriodError(f"month {mon} does not exist")
    if not 1900 <= year <= 2200:
        raise PeriodError(f"year {year} is out of range")
    return Period("month", f"{year:04d}-{mon:02d}", dt.date(year, mon, 1))


def _academic(first_year: int, second: str | None) -> str:
    if second is not None:
        expected = (first_year + 1) % 100
        if int(second[-2:]) != expected:
            raise PeriodError(f"academic year {first_year}/{second} is not two consecutive years")
    return f"{first_year:04d}/{(first_year + 1) % 100:02d}"


def _two_digit_year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


_MONTH_WORD = re.compile(r"^([A-Za-z]{3,9})[\s\-_/']*(\d{2}|\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?(?:[ T]00:00(?::00)?)?$")
_ACADEMIC = re.compile(r"^(\d{4})\s*[/\-]\s*(\d{2}|\d{4})$")
_TERM = re.compile(
    r"^(?:(?P<ay1>\d{4}\s*[/\-]\s*\d{2,4})\s+)?(?P<term>autumn|spring|summer)(?:\s*(?P<half>[12]))?"
    r"(?:\s+(?P<ay2>\d{4}\s*[/\-]\s*\d{2,4}))?$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(\d{4})$")
_FY = r"(?:fy\s*)?(?P<{0}>\d{{2}}|\d{{4}})(?:\s*[/\-]\s*(?P<{0}_end>\d{{2}}|\d{{4}}))?"
_QUARTER = re.compile(
    rf"^(?:{_FY.format('before')}\s*)?q(?:uarter)?\s*(?P<q>[1-4])(?:\s*{_FY.format('after')})?$", re.IGNORECASE
)
_MONTH_RANGE = re.compile(
    r"^(?P<m1>[A-Za-z]{3,9})(?:[\s\-_/']*(?P<y1>\d{2}|\d{4}))?\s*(?:-|–|—|to)\s*"
    r"(?P<m2>[A-Za-z]{3,9})[\s\-_/']*(?P<y2>\d{2}|\d{4})$",
    re.IGNORECASE,
)


def parse_period(raw: object) -> Period:
    """Read any spelling of a period the documents and managers use; raise PeriodError otherwise."""
    if isinstance(raw, dt.date):  # an Excel date cell (a datetime is a date too)
        return month(raw.year, raw.month)
    text = "" if raw is None else " ".join(str(raw).split())
    if not text:
        raise PeriodError("no period given")
    for pattern, read in _SPELLINGS:
        if m := pattern.match(text):
            return read(text, m)
    raise PeriodError(f"{text!r} is not a period (expected e.g. 2025-01, Jan 25, 2024/25 Q1, 2023/24 Spring 1, 2024)")


def _iso_month(text: str, m: re.Match[str]) -> Period:
    """`2025-01`; `2023-24` is an academic year written with a dash, not month 24."""
    if int(m.group(2)) <= 12 or not _ACADEMIC.match(text):
        return month(int(m.group(1)), int(m.group(2)))
    try:
        return parse_period(text.replace("-", "/"))
    except PeriodError:
        raise PeriodError(f"{text!r}: there is no month {int(m.group(2))}") from None


def _month_word(text: str, m: re.Match[str]) -> Period:
    word = m.group(1).lower()
    if word not in MONTHS:
        raise PeriodError(f"{m.group(1)!r} is not a month")
    return month(_two_digit_year(m.group(2)), MONTHS[word])


def _academic_year(text: str, m: re.Match[str]) -> Period:
    first = int(m.group(1))
    return Period("academic-year", _academic(first, m.group(2)), dt.date(first, 9, 1))


def _term(text: str, m: re.Match[str]) -> Period:
    """`Spring 1 2023/24`, `2023/24 Autumn`: a half-term or term, which needs its academic year."""
    ay = m.group("ay1") or m.group("ay2")
    if not ay:
        raise PeriodError(f"{text!r} names a term but not its academic year (e.g. 2023/24)")
    a = _ACADEMIC.match(ay.replace(" ", ""))
    if not a:
        raise PeriodError(f"{ay!r} is not an academic year")
    first = int(a.group(1))
    ay_label = _academic(first, a.group(2))
    term = m.group("term").capitalize()
    if m.group("half"):
        name = f"{term} {m.group('half')}"
        offset, mon, day = HALF_TERMS[name]
        return Period("half-term", f"{ay_label} {name}", dt.date(first + offset, mon, day))
    offset, mon, day = TERMS[term]
    return Period("term", f"{ay_label} {term}", dt.date(first + offset, mon, day))


def quarter(first_year: int, number: int) -> Period:
    """Quarter `number` of the financial year that starts in April of `first_year`."""
    if not 1900 <= first_year <= 2200:
        raise PeriodError(f"year {first_year} is out of range")
    offset, mon = QUARTERS[number]
    label = f"{first_year:04d}/{(first_year + 1) % 100:02d} Q{number}"
    return Period("quarter", label, dt.date(first_year + offset, mon, 1))


def _quarter(text: str, m: re.Match[str]) -> Period:
    """`2024/25 Q1`, `Q1 2024/25`, `Q1 24/25`: a quarter needs its financial year written as two years, since
    `Q1 2024` could as well be January to March as April to June."""
    side = "before" if m.group("before") else "after"
    first, second = m.group(side), m.group(f"{side}_end")
    if (m.group("before") and m.group("after")) or first is None or second is None:
        raise PeriodError(f"{text!r} names a quarter but not its financial year (e.g. Q1 2024/25)")
    year = _two_digit_year(first)
    if int(second[-2:]) != (year + 1) % 100:
        raise PeriodError(f"financial year {first}/{second} is not two consecutive years")
    return quarter(year, int(m.group("q")))


def _month_range(text: str, m: re.Match[str]) -> Period:
    """`Apr-Jun 24`, `April to June 2024`: the three months of a financial-year quarter, in that calendar year."""
    words = [m.group("m1").lower(), m.group("m2").lower()]
    if any(w not in MONTHS for w in words):
        raise PeriodError(f"{text!r} is not a range of months")
    first, last = (MONTHS[w] for w in words)
    year = _two_digit_year(m.group("y2"))
    if m.group("y1") and _two_digit_year(m.group("y1")) != year:
        raise PeriodError(f"{text!r}: a quarter's months fall in one calendar year")
    number = next((n for n, (_, mon) in QUARTERS.items() if mon == first), None)
    if number is None or last != first + 2:
        raise PeriodError(f"{text!r} is not a quarter (Apr-Jun, Jul-Sep, Oct-Dec or Jan-Mar)")
    return quarter(year - QUARTERS[number][0], number)


def _calendar_year(text: str, m: re.Match[str]) -> Period:
    year = int(m.group(1))
    if not 1900 <= year <= 2200:
        raise PeriodError(f"year {year} is out of range")
    return Period("calendar-year", f"{year:04d}", dt.date(year, 1, 1))


# Tried in this order: a month before an academic year (`2025-01` against `2023-24`), a term before a bare year.
_SPELLINGS: tuple[tuple[re.Pattern[str], Callable[[str, re.Match[str]], Period]], ...] = (
    (_ISO_MONTH, _iso_month),
    (_MONTH_WORD, _month_word),
    (_ACADEMIC, _academic_year),
    (_TERM, _term),
    (_QUARTER, _quarter),
    (_MONTH_RANGE, _month_range),
    (_YEAR, _calendar_year),
)

_ROLLING = r"rolling\s*12\s*-?\s*months?|rolling\s+year|r12m?|12\s*-?\s*months?|last\s+12\s+months"
_TO_DATE = r"f?ytd|(?:financial\s+)?year\s+to\s+date"
_SPAN_BEFORE = re.compile(
    rf"^(?:(?P<rolling>{_ROLLING})|(?P<to_date>{_TO_DATE}))(?:\s+(?:to|ending|ended|up\s+to))?[\s:\-–(]*"
    r"(?P<month>.+?)\)?$",
    re.IGNORECASE,
)
_SPAN_AFTER = re.compile(rf"^(?P<month>.+?)[\s\-–(]+(?:(?P<rolling>{_ROLLING})|(?P<to_date>{_TO_DATE}))\)?$", re.IGNORECASE)


def _span(raw: object) -> tuple[Basis, str] | None:
    """(basis, the month's text) for a rolling 12 months' or a year to date's heading, else None."""
    text = " ".join(str(raw).split()) if isinstance(raw, str) else ""
    m = _SPAN_BEFORE.match(text) or _SPAN_AFTER.match(text)
    if m is None:
        return None
    return ("rolling-12-months" if m.group("rolling") else "year-to-date"), m.group("month")


def heading_basis(raw: object) -> Basis | None:
    """What a column heading says its month's figures cover beyond the month itself: `Rolling 12 months to
    Mar-24` the twelve months to March, `YTD Mar-24` the year so far; None for a plain period."""
    span = _span(raw)
    return span[0] if span else None


def read_heading(raw: object) -> tuple[Period, Basis | None]:
    """A column heading (or a period cell) as a period: any spelling `parse_period` reads, or a month named as the
    end of a rolling 12 months or a year to date, which is read as that month with the basis beside it. The
    basis is not stored: a measure's figures are one series whichever way each heading put it."""
    try:
        return parse_period(raw), None
    except PeriodError:
        span = _span(raw)
        if span is None:
            raise
    basis, text = span
    period = parse_period(text)
    if period.kind != "month":
        raise PeriodError(f"{raw!r}: a rolling 12 months or a year to date ends in a month (e.g. Mar-24)")
    return period, basis


def is_canonical(label: str) -> bool:
    try:
        return parse_period(label).label == label
    except PeriodError:
        return False


def sort_key(label: str | None) -> tuple[int, dt.date, str]:
    """Chronological order for canonical labels; blanks (undated targets) sort last."""
    if label is None or label == "" or label != label:  # NaN check
        return (1, dt.date.max, "")
    try:
        p = parse_period(label)
    except PeriodError:
        return (1, dt.date.max, str(label))
    return (0, p.start, p.kind)


def short_label(label: str) -> str:
    """How a person reads the period on a chart or table: `Jan 25` for months, else unchanged."""
    try:
        p = parse_period(label)
    except PeriodError:
        return label
    if p.kind == "month":
        return f"{MONTH_ABBR[p.start.month - 1]} {p.start.year % 100:02d}"
    if p.kind == "quarter":
        first = int(p.label[:4])
        return f"{p.label[-2:]} {first % 100:02d}/{(first + 1) % 100:02d}"
    return p.label


def axis_label(label: str) -> str:
    """A period as a chart's axis names it, one rule by frequency: `Jan 25`, `Q1 24/25`, `Autumn 2023` (a term by
    the calendar year it falls in), `Spring 1 2024`, `2023/24`, `2024`. Two periods never share a label, so an
    axis never repeats one."""
    try:
        p = parse_period(label)
    except PeriodError:
        return label
    if p.kind in ("term", "half-term"):
        return f"{p.label[8:]} {p.start.year}"
    return short_label(label)


def long_label(label: str) -> str:
    """`January 2025` for months, `Q1 2024/25 (April to June 2024)` for quarters, as a board paper writes them."""
    try:
        p = parse_period(label)
    except PeriodError:
        return label
    if p.kind == "month":
        return p.start.strftime("%B %Y")
    if p.kind == "quarter":
        last = p.end.strftime("%B %Y")
        return f"{p.label[-2:]} {p.label[:7]} ({p.start.strftime('%B')} to {last})"
    return p.label


def shift_month(label: str, months: int) -> str:
    p = parse_period(label)
    if p.kind != "month":
        raise PeriodError(f"{label} is not a month")
    index = p.start.year * 12 + p.start.month - 1 + months
    return month(index // 12, index % 12 + 1).label


def previous_period(label: str) -> str:
    """The period just before `label` in its own kind: `2024-02` before `2024-03`, `2023/24 Q4` before
    `2024/25 Q1`, `2023/24 Autumn 2` before `2023/24 Spring 1`, `2022/23 Summer` before `2023/24 Autumn`, `2023`
    before `2024`. A board report's "Previous" column is this period, whether or not a value was reported for it."""
    p = parse_period(label)
    if p.kind == "month":
        return shift_month(p.label, -1)
    if p.kind == "calendar-year":
        return f"{p.start.year - 1:04d}"
    first = int(p.label[:4])
    if p.kind == "quarter":
        number = int(p.label[-1])
        return quarter(first, number - 1).label if number > 1 else quarter(first - 1, 4).label
    if p.kind == "academic-year":
        return _academic(first - 1, None)
    names = list(HALF_TERMS if p.kind == "half-term" else TERMS)
    index = names.index(p.label[8:])
    if index:
        return f"{p.label[:7]} {names[index - 1]}"
    return f"{_academic(first - 1, None)} {names[-1]}"
