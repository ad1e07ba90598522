"""The SEN2 return's checks as DfE's collection makes them: errors refuse the return whole, queries load with a word.

Every problem the reader reports carries one of the codes below, so a case officer can look a code up (the table is
docs/sen2-checks.md, written from `RULES`) and see what to fix. DfE does not publish the SEN2 person-level
validation rules in a form we could find (the technical specification's rule tables were not readable through any
public mirror), so the codes are our own: `S2E..` errors, `S2Q..` queries.

The rules on dates here are pure: they see one person's dates, its date of birth and the census date, and say what
is wrong; they never repeat a date of birth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "query"]


@dataclass(frozen=True)
class Rule:
    """One check: its code, whether it refuses the return, what it looks for and what to do about it."""

    code: str
    severity: Severity
    title: str
    fix: str


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("S2E01", "error", "The file is not a well-formed SEN2 return (XML syntax, outer element, collection)",
         "Export the return again from the case-management system and upload the file it writes, unedited."),
    Rule("S2E02", "error", "An element is where the return's structure does not allow it",
         "Move the element to where the SEN2 specification puts it, or remove it."),
    Rule("S2E03", "error", "An item the return must have is missing (Header, ReferenceDate, LEA, ReceivedDate)",
         "Fill in the missing item in the case-management system and export the return again."),
    Rule("S2E04", "error", "A date is not a real date written YYYY-MM-DD",
         "Correct the date in the person's record and export the return again."),
    Rule("S2E05", "error", "A flag is not 0 or 1", "Set the flag to 0 (no) or 1 (yes)."),
    Rule("S2E06", "error", "A code is not one the element allows", "Choose one of the codes listed for the element."),
    Rule("S2E07", "error", "The header's LA code is not the authority being written",
         "Load the return into its own authority (choose it in the sidebar, or --la on the command line), or "
         "export this authority's own return."),
    Rule("S2E08", "error", "The same person appears twice with different details",
         "Merge the two records of the person in the case-management system so they appear once."),
    Rule("S2E09", "error", "The same request (same person, same received date) appears twice with different details",
         "Keep one record of the request, with its correct details, and remove the other."),
    Rule("S2E10", "error", "A plan ceased before it started", "Correct the plan's start date or its cease date."),
    Rule("S2E11", "error", "A date is after the census date (or, where a later date may be recorded, more than two "
                           "years after it)",
         "Correct the date: the return records what had happened by the census date."),
    Rule("S2E12", "error", "A date is before the person's date of birth",
         "Correct the date, or the person's date of birth."),
    Rule("S2E13", "error", "The person's date of birth is after the census date",
         "Correct the person's date of birth."),
    Rule("S2E14", "error", "A plan started before its request was received",
         "Correct the plan's start date or the request's received date."),
    Rule("S2E15", "error", "A request was decided before it was received",
         "Correct the request's outcome date or its received date."),
    Rule("S2Q01", "query", "The same person appears twice with exactly the same details (loaded once)",
         "Remove the second copy of the person from the return."),
    Rule("S2Q02", "query", "The same request appears twice with exactly the same details (loaded once)",
         "Remove the second copy of the request from the person's record."),
    Rule("S2Q03", "query", "The person is over 25 at the census date",
         "Check the date of birth; a plan ends by the end of the academic year in which the young person turns 25."),
    Rule("S2Q04", "query", "A request has no outcome more than 20 weeks after it was received",
         "Record the decision on the request and its date, or confirm it is still awaited."),
    Rule("S2Q05", "query", "A plan that ceased by the census date still has ActivePlans details",
         "Remove the ActivePlans details of the ceased plan, or correct its cease date."),
    Rule("S2Q06", "query", "A review meeting, cease or leaving date is after the census date",
         "Check the date: the return records what had happened by the census date."),
)}

MAX_AGE = 25
FAR_AHEAD = dt.timedelta(days=731)
# Dates that may lie after the census: a phase-transfer deadline is in the future by nature; a review, cease or
# leaving date after it is a query (the plan still counts as active at the census).
LATER_ALLOWED = frozenset({"phasetransferduedate"})
LATER_QUERIED = frozenset({"reviewmeeting", "ceasedate", "leavingdate"})
NOT_EVENTS = frozenset({"personbirthdate", "referencedate"})

Finding = tuple[str, str]  # (code, what is wrong)


def rule(code: str) -> Rule:
    return RULES[code]


def severity(code: str) -> Severity:
    return RULES[code].severity if code in RULES else "error"


def date_findings(name: str, value: dt.date, birth: dt.date | None, census: dt.date | None) -> Iterator[Finding]:
    """What is wrong with one of a person's dates against the census and the date of birth (never named)."""
    if name in NOT_EVENTS:
        return
    if birth is not None and value < birth:
        yield "S2E12", "is before the person's date of birth"
    if census is None:
        return
    if value > census + FAR_AHEAD:
        yield "S2E11", f"is more than two years after the census date ({census.isoformat()})"
    elif value > census and name not in LATER_ALLOWED:
        if name in LATER_QUERIED:
            yield "S2Q06", f"is after the census date ({census.isoformat()})"
        else:
            yield "S2E11", f"is after the census date ({census.isoformat()})"


def birth_findings(birth: dt.date | None, census: dt.date | None, age: int | None) -> Iterator[Finding]:
    """The date of birth against the census: after it is an error, an age over 25 a query."""
    if birth is None or census is None:
        return
    if birth > census:
        yield "S2E13", f"is after the census date ({census.isoformat()})"
    elif age is not None and age > MAX_AGE:
        yield "S2Q03", f"makes the person {age} at the census date, over {MAX_AGE}"


def plan_findings(start: dt.date | None, cease: dt.date | None) -> Iterator[Finding]:
    if start is not None and cease is not None and cease < start:
        yield "S2E10", f"is before the plan started ({start.isoformat()})"


def authority_finding(header_la: str | None, own_la: str | None, names: dict[str, str]) -> Finding | None:
    """Another authority's return (its LA code in the header) is refused, naming both authorities."""
    if own_la is None or header_la is None:
        return None
    code = header_la.strip()
    if code == own_la:
        return None

    def named(la: str) -> str:
        return f"{names[la]} ({la})" if la in names else f"LA {la}, an authority DfE does not list"

    return "S2E07", f"is the return of {named(code)}, not of {named(own_la)}, the authority being written"


@dataclass(frozen=True)
class Seen:
    """Where a person or a request was first met, and a digest of its details (no identity kept)."""

    digest: str
    person: int
    line: int | None


def duplicate_finding(first: Seen, digest: str, what: Literal["person", "request"]) -> Finding:
    """The second sight of a person (same identifiers) or a request (same person and received date)."""
    where = f"Person {first.person}" + (f", line {first.line}" if first.line else "")
    same = first.digest == digest
    if what == "person":
        return ("S2Q01", f"is the same person as {where}, with the same details") if same else (
            "S2E08", f"is the same person as {where} (same identifiers) with different details")
    return ("S2Q02", f"is the same request as at {where}, with the same details") if same else (
        "S2E09", f"is the same request as at {where} (same received date) with different details")
