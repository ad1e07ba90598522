"""Setting up an authority's own measures from its own file: each measure's unit, polarity, frequency, cumulation,
target and theme read off the rows that name it, every guess marked as a guess until a person confirms it.

A scorecard from another council names its measures its own way; instead of a hundred forms, the reader keeps
every unknown row whole (`files.parsed.UnknownMeasure`) and this turns each into a `MeasureProposal`: what the
file says (name, section, a Target or Polarity column) is taken as said, and what is inferred is listed in
`suggested`. The same proposals are a CSV for `python -m sendlib catalogue propose / add`, read back with every
bad cell named by row, column and value.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sendlib.domain.catalogue import (
    KPI,
    Catalogue,
    Cumulative,
    Frequency,
    Polarity,
    normalise_name,
    slug,
)
from sendlib.domain.periods import PeriodError, parse_period
from sendlib.domain.values import CellError, CellErrorKind, Unit, parse_value

PROPOSAL_COLUMNS = ["name", "theme", "section", "unit", "polarity", "polarity_source", "frequency", "cumulative",
                    "target", "common_measure", "common_measure_reason", "suggested", "reference", "short_name"]
SUGGESTED_FIELDS = ("theme", "unit", "polarity", "frequency", "cumulative", "common_measure")

# What a name says about which way is good, tried in this order (so `over 52 weeks` wins over `in 20 weeks`, `late`
# over `issued`): the words a person reads it by, everyday variants included (`in 20 weeks`, `finalised in time`,
# `average weeks from request to plan`, `appeals lodged`).
_LOWER = tuple(re.compile(p) for p in (
    r"\blate\b", r"\bover \d+ (?:weeks?|days?|wks?)\b", r"\bmore than \d+ (?:weeks?|days?)\b", r"\bexclu(?:sion|ded)",
    r"\bneet\b", r"\babsen(?:t|ce)\b", r"\bcomplaints?\b", r"\bwait(?:ing)?\b", r"\boverdue\b", r"\bout of time\b",
    r"\bbacklog\b", r"\bappeals? (?:lodged|registered|made)\b", r"\btribunal appeals?\b", r"\bdelay",
    r"\b(?:average|mean|median)\b.*\b(?:weeks?|days?|wks?)\b", r"\b(?:weeks?|days?) (?:taken )?(?:to|from|between)\b",
    r"\btime (?:taken )?to\b",
))
_HIGHER = tuple(re.compile(p) for p in (
    r"\b(?:in|within|under) \d+ (?:weeks?|days?|wks?|months?)\b", r"\bon time\b", r"\bin time\b", r"\bwithin\b",
    r"\bfinali[sz]ed\b", r"\btimely\b", r"\battendance\b", r"\bin education\b", r"\bsatisf", r"\bcompliments?\b",
))
_POLARITY_CELLS: dict[str, Polarity] = {
    **dict.fromkeys(("h", "high", "higher", "up", "bigger", "more", "increase"), "higher_better"),
    **dict.fromkeys(("l", "low", "lower", "down", "smaller", "less", "fewer", "decrease"), "lower_better"),
}
# Words in a section or name that point at a theme, when the theme's own name does not match closely.
_THEME_WORDS: tuple[tuple[str, str], ...] = (
    ("early years", "early-years"), ("rising 5", "early-years"), ("nursery", "early-years"),
    ("tribunal", "tribunals"), ("mediation", "tribunals"), ("complaint", "tribunals"), ("compliment", "tribunals"),
    ("adulthood", "preparing-for-adulthood"), ("post 16", "preparing-for-adulthood"),
    ("post-16", "preparing-for-adulthood"), ("neet", "preparing-for-adulthood"),
    ("sendiass", "sendiass"), ("information advice", "sendiass"),
    ("alternative provision", "alternative-provision"), ("placement", "provision"), ("mainstream", "provision"),
    ("special school", "provision"), ("provision", "provision"), ("sufficiency", "provision"),
    ("attendance", "education"), ("absence", "education"), ("absent", "education"), ("exclusion", "education"),
    ("attainment", "education"), ("key stage", "education"), ("quality", "quality"), ("audit", "quality"),
    ("social care", "social-care"), ("health", "health"), ("workforce", "workforce"), ("staff", "workforce"),
    ("caseload", "workforce"), ("parent", "lived-experience"), ("feedback", "lived-experience"),
    ("survey", "lived-experience"), ("ehcna", "statutory-duty"), ("assessment", "statutory-duty"),
    ("ehcp", "statutory-duty"), ("ehc plan", "statutory-duty"), ("annual review", "statutory-duty"),
    ("20 weeks", "statutory-duty"), ("request", "statutory-duty"),
)
DEFAULT_THEME = "statutory-duty"
SHORT_NAME_MAX = 40  # a tile's title fits on a line
_COUNT_WORDS = re.compile(r"^(?:total\s+)?(?:no\b\.?|number\b|nos\b\.?)\s*(?:of\b\s*)?", re.IGNORECASE)
_PERCENT_WORDS = re.compile(r"^(?:%|per\s*cent(?:age)?\b)\s*(?:of\b\s*)?", re.IGNORECASE)


class MeasureProposal(BaseModel):
    """One new measure as the set-up table and PROPOSAL.csv hold it. `suggested` names the fields a person should
    check (inferred, not read from the file); confirming clears it."""

    model_config = ConfigDict(frozen=True)

    name: str
    theme: str
    section: str | None = None
    unit: Unit
    polarity: Polarity
    polarity_source: Literal["document", "domain"]
    frequency: Frequency
    cumulative: Cumulative = "none"
    target: float | None = None
    common_measure: str | None = None
    common_measure_reason: str | None = None
    suggested: tuple[str, ...] = ()
    reference: str | None = None  # the file's identifier for it (`Ref`, `Code`, `No.`), kept with the measure
    short_name: str | None = Field(default=None, max_length=SHORT_NAME_MAX)  # what a tile leads with

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        name = " ".join(value.split())
        if not name:
            raise ValueError("a measure needs a name")
        return name

    @field_validator("section", "common_measure", "common_measure_reason", "target", "reference", "short_name",
                     mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("suggested", mode="before")
    @classmethod
    def _fields(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(f.strip() for f in value.replace(",", ";").split(";") if f.strip())
        return value

    @field_validator("suggested")
    @classmethod
    def _known_fields(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in value if f not in SUGGESTED_FIELDS]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not a field that can be suggested ({', '.join(SUGGESTED_FIELDS)})")
        return value


# --- inference -----------------------------------------------------------------------------------


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _numbers(cells: Iterable[object]) -> list[float]:
    """The cells that read as plain numbers (a `%` or brackets aside); text, blanks and arrows are left out."""
    out = []
    for cell in cells:
        if isinstance(cell, bool):
            continue
        if isinstance(cell, (int, float)):
            out.append(float(cell))
            continue
        match = re.match(r"^\s*(-?\d+(?:\.\d+)?)\s*%?", _text(cell).replace(",", ""))
        if match:
            out.append(float(match.group(1)))
    return out


_UNIT_CELLS: dict[str, Unit] = {
    **dict.fromkeys(("%", "percent", "percentage", "pct", "rate", "proportion"), "percent"),
    **dict.fromkeys(("number", "no", "no.", "count", "#", "n", "total"), "count"),
    **dict.fromkeys(("weeks", "week", "wks"), "weeks"),
    **dict.fromkeys(("days", "day"), "days"),
    **dict.fromkeys(("score", "average", "mean", "index", "ratio"), "score"),
}


def unit_in_words(cell: object) -> Unit | None:
    """The unit a Unit column names (`%`, `Number`, `Weeks`, `Days`, `Score`), or None."""
    return _UNIT_CELLS.get(_text(cell).lower())


def infer_unit(name: str, cells: Iterable[object], stated: object = None) -> Unit:
    """The unit a Unit column states, else read off the name and the values (below)."""
    return unit_in_words(stated) or _unit_from(name, cells)


def _unit_from(name: str, cells: Iterable[object]) -> Unit:
    """`%` in the values, or values 0–100 with `%` (or "percent", "proportion", "rate") in the name → percent;
    "weeks" / "days" in the name (not as a limit: "within 20 weeks") or the values → a duration; whole numbers →
    count; anything else → score."""
    cells = list(cells)
    texts = [_text(c).lower() for c in cells]
    low = name.lower()
    numbers = _numbers(cells)
    if any(t.endswith("%") or re.search(r"\d\s*%", t) for t in texts):
        return "percent"
    if re.search(r"%|\bpercent|\bproportion|\brate\b", low) and all(0 <= n <= 100 for n in numbers):
        return "percent"
    unthresholded = re.sub(r"\d+\s*(weeks?|wks?|days?)\b", "", low)  # "within 20 weeks" is a limit, not a unit
    if re.search(r"\bweeks\b|\bwks?\b", unthresholded):
        return "weeks"
    if re.search(r"\bdays\b", unthresholded) or any(re.search(r"\d\s*(weeks?|days?)\b", t) for t in texts):
        return "days"
    if numbers and all(n == int(n) and n >= 0 for n in numbers):
        return "count"
    return "score" if numbers else "count"


def polarity_in_words(raw: object) -> Polarity | None:
    """The way a Polarity / Good is cell says is good: `H`, `L`, `High`, `Lower`, `Higher is better`, `lower is
    good`, `Up`… in any case; None for a blank or anything else (such a cell informs, never refuses)."""
    key = re.sub(r"\s+(?:is|=)\s+(?:better|good|best)$", "", " ".join(_text(raw).replace("_", " ").split()).lower())
    return _POLARITY_CELLS.get(key)


def infer_polarity(name: str, cell: object = None) -> tuple[Polarity, Literal["document", "domain"]]:
    """A Polarity / Good is cell when the file has one, else the name's own words; neutral when neither says."""
    said = polarity_in_words(cell)
    if said:
        return said, "document"
    low = re.sub(r"[^a-z0-9%]+", " ", normalise_name(name))
    if any(p.search(low) for p in _LOWER):
        return "lower_better", "domain"
    if any(p.search(low) for p in _HIGHER):
        return "higher_better", "domain"
    return "neutral", "domain"


def infer_frequency(periods: Iterable[str]) -> Frequency:
    """The kind most of the value columns are (a rolling or year-to-date month is still a month)."""
    kinds: dict[Frequency, int] = {}
    for label in periods:
        try:
            kind = parse_period(label).kind
        except PeriodError:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
    if not kinds:
        return "month"
    return max(kinds, key=lambda k: kinds[k])


_RESTARTS: tuple[tuple[int, Cumulative], ...] = ((1, "calendar-year"), (9, "academic-year"))


def infer_cumulative(values: Mapping[str, float]) -> Cumulative:
    """A running total: monthly values that never fall except where a year starts (January for a calendar year,
    September for an academic year), and do fall there at least once."""
    months = sorted((k, v) for k, v in values.items() if re.fullmatch(r"\d{4}-\d{2}", k))
    if len(months) < 4:
        return "none"
    for restart, kind in _RESTARTS:
        falls_at_restart = 0
        rises = 0
        steady = True
        for (_, before), (label, after) in pairwise(months):
            if int(label[5:]) == restart:
                falls_at_restart += after < before
                continue
            if after < before:
                steady = False
                break
            rises += after > before
        if steady and falls_at_restart and rises >= 2:
            return kind
    return "none"


def infer_theme(section: str | None, name: str, themes: Mapping[str, str]) -> str:
    """The theme whose name the section (else the measure's name) is closest to, or whose words it uses."""
    for text in (section, name):
        if not text:
            continue
        low = normalise_name(text)
        by_name = {normalise_name(n): t for t, n in themes.items()}
        close = difflib.get_close_matches(low, list(by_name), n=1, cutoff=0.75)
        if close:
            return by_name[close[0]]
        for word, theme in _THEME_WORDS:
            if word in low and theme in themes:
                return theme
    return DEFAULT_THEME if DEFAULT_THEME in themes else next(iter(themes))


def _value(cell: object, unit: Unit) -> float | None:
    try:
        return parse_value(cell, unit).value
    except CellError:
        return None


def short_name(name: str) -> str:
    """A tile's title from a measure's printed name, as the bundled catalogue's read: `No. of` dropped (a count is
    what a tile shows), `% of X` as `X (%)`, asides in brackets dropped and then words cut (…) to fit
    SHORT_NAME_MAX characters."""
    text = " ".join(name.split())
    percent = _PERCENT_WORDS.match(text) is not None or text.endswith("(%)")
    core = (_PERCENT_WORDS if percent else _COUNT_WORDS).sub("", text, count=1).removesuffix("(%)").strip()
    text, suffix = (core, " (%)" if percent else "") if core else (text, "")
    room = SHORT_NAME_MAX - len(suffix)
    if len(text) > room:
        text = " ".join(re.sub(r"\([^)]*\)", " ", text).split()) or text
    if len(text) > room:
        head = text[: room - 1]
        text = (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;:-–&") + "…"
    return text[:1].upper() + text[1:] + suffix


# --- proposals -----------------------------------------------------------------------------------


def proposal(name: str, *, section: str | None, values: Mapping[str, object], themes: Mapping[str, str],
             target: object = None, polarity_cell: object = None, common: tuple[str | None, str | None] = (None, None),
             unit_cell: object = None, reference: str | None = None) -> MeasureProposal:
    """One measure set up from what its file says: `values` are its raw cells by period label; `common` is the
    closest common definition and why (see `common_measures.suggest_common`), whose polarity is the guess when
    neither the file nor the name says which way is good."""
    from sendlib.domain.common_measures import common_measures

    unit = infer_unit(name, values.values(), unit_cell)
    polarity, source = infer_polarity(name, polarity_cell)
    if polarity == "neutral" and source == "domain" and (matched := common_measures().get(common[0] or "")):
        polarity = matched.polarity
    numbers = {k: v for k, v in ((k, _value(c, unit)) for k, c in values.items()) if v is not None}
    suggested = tuple(f for f in SUGGESTED_FIELDS if not (f == "polarity" and source == "document"))
    return MeasureProposal(
        name=name, theme=infer_theme(section, name, themes), section=section, unit=unit, polarity=polarity,
        polarity_source=source, frequency=infer_frequency(values), cumulative=infer_cumulative(numbers),
        target=_value(target, unit), common_measure=common[0], common_measure_reason=common[1], suggested=suggested,
        reference=reference, short_name=short_name(name),
    )


def proposals_csv(proposals: Iterable[MeasureProposal]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, PROPOSAL_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for p in proposals:
        row = p.model_dump()
        row["suggested"] = ";".join(p.suggested)
        writer.writerow({c: "" if row[c] is None else row[c] for c in PROPOSAL_COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")


def _field_problem(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    column = str(first["loc"][0]) if first["loc"] else ""
    return column, str(first["msg"]).removeprefix("Value error, ")


def check_proposal(row: Mapping[str, object], catalogue: Catalogue, *, line: int, file: str | None = None
                   ) -> tuple[MeasureProposal | None, list[CellError]]:
    """One proposal row, or the cells that are wrong in it (row, column and value named)."""
    from sendlib.domain.common_measures import common_measures

    def error(column: str, problem: str, kind: CellErrorKind = CellErrorKind.OTHER) -> CellError:
        return CellError(str(row.get(column, "") or ""), problem, kind=kind, row=line, column=column, file=file)

    try:
        proposal = MeasureProposal.model_validate({c: row.get(c) for c in PROPOSAL_COLUMNS if c in row})
    except ValidationError as exc:
        column, problem = _field_problem(exc)
        return None, [error(column, problem)]
    errors = []
    if proposal.theme not in catalogue.themes:
        errors.append(error("theme", f"not a theme (the themes are {', '.join(catalogue.themes)})"))
    if proposal.common_measure and proposal.common_measure not in common_measures():
        errors.append(error("common_measure", "not a common definition (data/catalogue/common_measures.csv lists "
                                              "them; leave it blank for none)"))
    return (None if errors else proposal), errors


DUPLICATE_PROBLEM = "this measure is already set up (or named twice)"


def name_taken(name: str, seen: set[str], catalogue: Catalogue) -> bool:
    """Whether a proposed measure is set up already or named twice among those proposed (names compared as the
    catalogue compares them); `seen` collects the names so far."""
    key = normalise_name(name)
    taken = key in seen or catalogue.find_by_name("scorecard", name) is not None
    seen.add(key)
    return taken


def read_proposals(data: bytes, catalogue: Catalogue, *, file: str | None = None
                   ) -> tuple[list[MeasureProposal], list[CellError]]:
    """Every row of a PROPOSAL.csv checked; any error refuses the file (the caller saves nothing)."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "theme", "unit", "polarity") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [CellError(", ".join(reader.fieldnames or []), f"the header lacks {', '.join(missing)}",
                              kind=CellErrorKind.BAD_HEADING, row=1, file=file)]
    proposals, errors = [], []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        proposal, problems = check_proposal(row, catalogue, line=line, file=file)
        errors += problems
        if proposal is None:
            continue
        if name_taken(proposal.name, seen, catalogue):
            errors.append(CellError(proposal.name, DUPLICATE_PROBLEM, kind=CellErrorKind.DUPLICATE, row=line,
                                    column="name", file=file))
            continue
        proposals.append(proposal)
    return proposals, errors


def to_kpis(proposals: Iterable[MeasureProposal], catalogue: Catalogue, *, source: str) -> list[KPI]:
    """The confirmed measures as catalogue KPIs: ids made from their names, stable and unique within the
    authority's catalogue."""
    taken = {k.id for k in catalogue}
    order = max((k.order for k in catalogue), default=0)
    kpis = []
    for n, p in enumerate(proposals, start=1):
        kpi_id = slug(p.name, taken)
        taken.add(kpi_id)
        kpis.append(KPI(
            id=kpi_id, scorecard="scorecard", order=order + n, name=p.name, theme=p.theme,
            section=p.section or catalogue.themes[p.theme].name, unit=p.unit, polarity=p.polarity,
            polarity_source=p.polarity_source, frequency=p.frequency, cumulative=p.cumulative, target=p.target,
            target_source="the file's Target column" if p.target is not None else None,
            definition=f"{p.name} (set up from {source}).", source=source, common_measure=p.common_measure,
            notes=reference_note(p.reference), short_name=p.short_name,
        ))
    return kpis


REFERENCE_PREFIX = "Reference: "


def reference_note(reference: str | None) -> str | None:
    """A measure's own identifier as its catalogue notes say it (`Reference: PI-01`)."""
    return f"{REFERENCE_PREFIX}{reference}" if reference else None
