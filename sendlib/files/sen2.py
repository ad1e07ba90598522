"""Reading a SEN2 person-level return (the 2024 v1.2 and 2025 v1.3 layouts) into case records.

The XML is streamed: lxml's `iterparse` hands over one `Person` at a time, which is checked, reduced to the
fields the measures need, and freed, so a national-size return never sits in memory as a tree. Every element is
checked against the return's structure (tag names compared without case, since suppliers write `SENSetting` and
`SENsetting`): an element in the wrong place, an impossible date, an unknown code, a plan issued before its
request, a date after the census or before birth, or a person twice with different details refuses the whole
return; queries (an exact duplicate, an age over 25, a review after the census…) load with a word. Each problem
carries its rule's code (`domain.sen2_checks`), the element path, the person's place in the file, the XML line and
the raw value. Identity fields are read only to make the pseudonymous case reference, the age at the census and a
digest that spots a person met twice, then dropped with the element.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from sendlib.domain.pseudonym import case_ref, identity_text
from sendlib.domain.sen2_checks import (
    Seen,
    Severity,
    birth_findings,
    date_findings,
    duplicate_finding,
    plan_findings,
    rule,
    severity,
)

MAX_SEN2_BYTES = 200 * 1024 * 1024
MAX_PROBLEMS = 50  # shown on the terminal and the page
MAX_LISTED = 10_000  # of each severity, kept for the downloadable list
Layout = Literal["2024", "2025"]
Record = tuple[Any, ...]

_CODES: dict[str, tuple[str, ...]] = {
    "requestoutcome": ("Y", "N", "A", "W", "H"),
    "assessmentoutcome": ("Y", "N", "A", "W", "H", "S"),
    "ceasereason": tuple(str(n) for n in range(1, 10)),
    "sensetting": ("OLA", "OPA", "EHE", "EYP", "OTH", "NEET", "NIEC", "NIEO"),
    "sentype": ("SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS", "OTH"),
    "reviewoutcome": ("A", "C", "M"),
    "placementrank": ("1", "2"),
    "sentyperank": ("1", "2"),
    "requestsource": ("1", "2", "3", "4", "5"),
    "upnunknown": ("UN1", "UN2", "UN3", "UN5", "UN8", "UN9", "UN10"),
}
_FLAGS = {"rya", "requestmediation", "requesttribunal", "assessmentmediation", "assessmenttribunal",
          "othermediation", "othertribunal", "week20", "senunitindicator", "resourcedprovisionindicator", "pb", "oa"}
_DATES = {"personbirthdate", "receiveddate", "requestoutcomedate", "assessmentoutcomedate", "startdate",
          "ceasedate", "entrydate", "leavingdate", "reviewmeeting", "lastreview", "reviewdraft",
          "phasetransferduedate", "phasetransferfinaldate", "referencedate"}
_SETTING = ("urn", "ukprn", "sensetting", "sensettingother", "placementrank", "senunitindicator",
            "resourcedprovisionindicator")
# Each container and the elements it may hold (lower case). Leaves not listed as dates, flags or codes are text.
_CHILDREN: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "message": ("header", "persons"),
    "header": ("collectiondetails", "source"),
    "collectiondetails": ("collection", "year", "referencedate"),
    "source": ("sourcelevel", "lea", "softwarecode", "release", "serialno", "datetime", "dmo", "dco", "dsco"),
    "persons": ("person",),
    "person": ("surname", "forename", "personbirthdate", "sex", "gendercurrent", "ethnicity", "postcode", "upn",
               "uniquelearnernumber", "upnunknown", "requests"),
    "requests": ("receiveddate", "requestsource", "rya", "requestoutcomedate", "requestoutcome",
                 "requestmediation", "requesttribunal", "exported", "assessment", "activeplans"),
    "assessment": ("assessmentoutcome", "assessmentoutcomedate", "assessmentmediation", "assessmenttribunal",
                   "othermediation", "othertribunal", "week20", "namedplan"),
    "namedplan": ("startdate", "plandetail", "planres", "planwbp", "pb", "oa", "dp", "ceasedate", "ceasereason"),
    "plandetail": _SETTING,
    "activeplans": ("transferla", "placementdetail", "senneed", "reviewmeeting", "reviewoutcome", "reviewdraft",
                    "phasetransferduedate", "phasetransferfinaldate", "lastreview"),
    "placementdetail": (*_SETTING, "entrydate", "leavingdate", "res", "wbp"),
    "senneed": ("sentype", "sentyperank"),
}.items()}
_REPEATED = {"requests", "assessment", "plandetail", "placementdetail", "senneed", "person"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Identity fields: read only to make the case reference and the age. A problem in one never repeats its value, so
# a mistyped date of birth cannot reach a screen, a terminal or a log.
IDENTITY_ELEMENTS = frozenset({"surname", "forename", "personbirthdate", "postcode", "upn", "uniquelearnernumber"})
WITHHELD = "(withheld: personal data)"
_MEDIATION = ("requestmediation", "requesttribunal")
_ASSESSMENT_MEDIATION = ("assessmentmediation", "assessmenttribunal", "othermediation", "othertribunal")


@dataclass(frozen=True)
class Sen2Problem:
    """One thing wrong (or worth a look) in a return, located as a person fixing the file needs it."""

    message: str
    path: str = ""
    person: int | None = None
    line: int | None = None
    value: str | None = None
    code: str = "S2E01"

    @property
    def severity(self) -> Severity:
        return severity(self.code)

    @property
    def fix(self) -> str:
        """What to do about it, in a sentence."""
        return rule(self.code).fix

    def __str__(self) -> str:
        where = [f"Person {self.person}" if self.person else "", f"line {self.line}" if self.line else ""]
        located = ", ".join(w for w in where if w)
        head = f"{self.code} {located}: " if located else f"{self.code}: "
        path = f"{self.path} " if self.path else ""
        value = f"{self.value!r} " if self.value is not None else ""
        return f"{head}{path}{value}{self.message}".strip()


@dataclass
class Sen2Return:
    """What a return holds once read: its header, one record a request, and what was wrong with it."""

    la: str | None = None
    la_line: int | None = None
    census: dt.date | None = None
    year: str | None = None
    layout: Layout | None = None
    persons: int = 0
    records: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[Sen2Problem] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Sen2Problem] = field(default_factory=list)
    query_count: int = 0
    seen: dict[str, Seen] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def requests(self) -> int:
        return len(self.records.get("received", []))

    @property
    def queries(self) -> list[Sen2Problem]:
        return self.warnings

    def refuse(self, problem: Sen2Problem) -> None:
        """An error (refuses the return) or a query (does not), by the problem's code."""
        if problem.severity == "query":
            self.warn(problem)
            return
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(problem)

    def warn(self, problem: Sen2Problem) -> None:
        self.query_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(problem)


def looks_like_sen2(data: bytes, name: str = "") -> bool:
    """A SEN2 return by its content (or, for bytes that are not XML at all, its .xml name), never raising."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and b"<message" in head and b"sen2" in head:
        return True
    return name.lower().endswith(".xml")


class _Person:
    """The state of one Person while it is read: where it is, and the problems found in it."""

    __slots__ = ("census", "dates", "failed", "number", "ret")

    def __init__(self, number: int, ret: Sen2Return, census: dt.date | None):
        self.number = number
        self.ret = ret
        self.census = census
        self.failed = False
        self.dates: list[tuple[str, int | None, str, dt.date]] = []

    def refuse(self, code: str, line: int | None, path: str, message: str, value: str | None = None) -> None:
        """A problem by its rule's code: an error fails the person (and the return), a query does not."""
        if severity(code) == "error":
            self.failed = True
        self.ret.refuse(Sen2Problem(message, path, self.number, line, value, code))


_date_cache: dict[str, dt.date | None] = {}


def parse_date(text: str) -> dt.date | None:
    """A YYYY-MM-DD date, or None when the text is not one (`2024-02-30`, `30/01/2024`)."""
    if text in _date_cache:
        return _date_cache[text]
    value: dt.date | None = None
    if _ISO_DATE.fullmatch(text):
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            value = None
    if len(_date_cache) < 100_000:
        _date_cache[text] = value
    return value


def _leaf(el: Any, name: str, text: str, path: str, who: _Person) -> object:
    """A leaf's value as the measures want it, or a refusal naming what is allowed."""
    if not text:
        return None
    if name in _DATES:
        value = parse_date(text)
        if value is None:
            who.refuse("S2E04", el.sourceline, path, "is not a date (YYYY-MM-DD)",
                       WITHHELD if name in IDENTITY_ELEMENTS else text)
        else:
            who.dates.append((path, el.sourceline, name, value))
        return value
    if name in _FLAGS:
        if text not in ("0", "1"):
            who.refuse("S2E05", el.sourceline, path, "is not 0 or 1", text)
            return None
        return text == "1"
    codes = _CODES.get(name)
    if codes is not None and text.upper() not in codes:
        who.refuse("S2E06", el.sourceline, path, f"is not a code this element allows ({', '.join(codes)})", text)
        return None
    return text.upper() if codes is not None else text


def _read(el: Any, path: str, who: _Person) -> dict[str, Any]:
    """A container's leaves by lower-case name, its repeated children as lists; every child checked."""
    name = el.tag.lower() if isinstance(el.tag, str) else ""
    allowed = _CHILDREN[name]
    out: dict[str, Any] = {"_line": el.sourceline}
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        low = tag.lower()
        child_path = f"{path}/{tag}"
        if low not in allowed:
            who.refuse("S2E02", child.sourceline, child_path, f"is not an element {el.tag} may hold here")
            continue
        if low in _CHILDREN:
            value = _read(child, child_path, who)
            if low == "requests":
                value["_digest"] = _digest(child)
            if low in _REPEATED:
                out.setdefault(low, []).append(value)
            else:
                out[low] = value
        elif len(child):
            who.refuse("S2E02", child.sourceline, child_path, "should hold a value, not elements")
        else:
            out[low] = _leaf(child, low, (child.text or "").strip(), child_path, who)
    return out


def _first(items: list[dict[str, Any]] | None, rank: str) -> dict[str, Any]:
    """The rank-1 item of a repeated element (the first when none says rank 1)."""
    if not items:
        return {}
    return next((i for i in items if i.get(rank) == "1"), items[0])


def _setting(detail: dict[str, Any]) -> str | None:
    if detail.get("sensetting"):
        return str(detail["sensetting"])
    if detail.get("urn"):
        return "URN"
    return "UKPRN" if detail.get("ukprn") else None


def _age(birth: dt.date | None, census: dt.date | None) -> int | None:
    if birth is None or census is None:
        return None
    return census.year - birth.year - ((census.month, census.day) < (birth.month, birth.day))


_RECORD_FIELDS = ("case_ref", "received", "request_outcome", "request_outcome_date", "assessment_outcome",
                  "assessment_outcome_date", "week20", "mediation_or_tribunal", "plan_start", "cease_date",
                  "review_meeting", "age", "need_type", "setting_type")


def _requests(person: dict[str, Any], who: _Person, ref: str, age: int | None) -> Iterator[Record]:
    """One record a request, with the checks that need more than one element (dates in order, warnings)."""
    census = who.census
    for number, request in enumerate(person.get("requests", []), start=1):
        if request.get("_repeat"):
            continue
        path = f"Person/Requests[{number}]"
        line = request["_line"]
        received = request.get("receiveddate")
        if received is None:
            if "receiveddate" not in request:
                who.refuse("S2E03", line, f"{path}/ReceivedDate", "is missing: every request needs the date it was received")
            continue
        assessment = (request.get("assessment") or [{}])[-1]
        plan = assessment.get("namedplan") or {}
        active = request.get("activeplans")
        start = plan.get("startdate")
        decided = request.get("requestoutcomedate")
        if start is not None and start < received:
            who.refuse("S2E14", line, f"{path}/Assessment/NamedPlan/StartDate",
                       f"is before the request was received ({received.isoformat()})", start.isoformat())
        if decided is not None and decided < received:
            who.refuse("S2E15", line, f"{path}/RequestOutcomeDate",
                       f"is before the request was received ({received.isoformat()})", decided.isoformat())
        cease = plan.get("ceasedate")
        review = (active or {}).get("reviewmeeting")
        if census is not None:
            if decided is None and request.get("requestoutcome") in (None, "A") and (census - received).days > 140:
                who.refuse("S2Q04", line, f"{path}/RequestOutcomeDate", "is empty more than 20 weeks after the request was "
                         f"received ({received.isoformat()})")
            if cease is not None and cease <= census and active is not None:
                who.refuse("S2Q05", line, f"{path}/ActivePlans", f"is present for a plan that ceased on {cease.isoformat()}")
        flags = [request.get(f) for f in _MEDIATION] + [assessment.get(f) for f in _ASSESSMENT_MEDIATION]
        placement = _first((active or {}).get("placementdetail"), "placementrank") or _first(
            plan.get("plandetail"), "placementrank")
        need = _first((active or {}).get("senneed"), "sentyperank")
        yield (ref, received, request.get("requestoutcome"), decided, assessment.get("assessmentoutcome"),
               assessment.get("assessmentoutcomedate"), assessment.get("week20"), any(flags), start, cease, review,
               age, need.get("sentype"), _setting(placement))


def _digest(el: Any) -> str:
    """A digest of an element's details (tags without case, values without surrounding space, in file order), so two
    copies of one record compare equal wherever they sit in the file."""
    h = hashlib.blake2b(digest_size=16)
    for e in el.iter():
        if isinstance(e.tag, str):
            h.update(f"{e.tag.lower()}\0{(e.text or '').strip()}\1".encode())
    return h.hexdigest()


def _dates(person: dict[str, Any], who: _Person) -> None:
    """Every date of the person against the census and the date of birth, and the birth itself."""
    birth = person.get("personbirthdate")
    for code, message in birth_findings(birth, who.census, _age(birth, who.census)):
        who.refuse(code, person["_line"], "Person/PersonBirthDate", message, WITHHELD)
    for path, line, name, value in who.dates:
        for code, message in date_findings(name, value, birth, who.census):
            who.refuse(code, line, path, message, value.isoformat())
    for r, request in enumerate(person.get("requests", []), start=1):
        for a, assessment in enumerate(request.get("assessment") or [], start=1):
            plan = assessment.get("namedplan") or {}
            for code, message in plan_findings(plan.get("startdate"), plan.get("ceasedate")):
                who.refuse(code, plan["_line"], f"Person/Requests[{r}]/Assessment[{a}]/NamedPlan/CeaseDate", message,
                           plan["ceasedate"].isoformat())


def _once(ret: Sen2Return, key: str, digest: str, who: _Person, line: int | None, path: str,
          what: Literal["person", "request"]) -> bool:
    """Whether this person (or request) is met for the first time; a second sight is a query when its details are
    the same, an error when they differ."""
    first = ret.seen.get(key)
    if first is None:
        ret.seen[key] = Seen(digest, who.number, line)
        return True
    code, message = duplicate_finding(first, digest, what)
    who.refuse(code, line, path, message)
    return False


def _unique_requests(person: dict[str, Any], ref: str, who: _Person) -> None:
    """Marks a repeat of a received date (a query if the same, an error if not) so it is read once."""
    for number, request in enumerate(person.get("requests", []), start=1):
        received = request.get("receiveddate")
        if received is not None and not _once(who.ret, f"{ref}|{received.isoformat()}", request["_digest"], who,
                                              request["_line"], f"Person/Requests[{number}]", "request"):
            request["_repeat"] = True


def _person(el: Any, number: int, ret: Sen2Return, key: bytes, rows: list[Record]) -> None:
    who = _Person(number, ret, ret.census)
    person = _read(el, "Person", who)
    ident = identity_text(person.get("upn"), person.get("uniquelearnernumber"), person.get("surname"),
                          person.get("forename"), str(person.get("personbirthdate") or ""))
    ref = case_ref(key, ident)
    _dates(person, who)
    if not _once(ret, ref, _digest(el), who, person["_line"], "Person", "person"):
        return
    _unique_requests(person, ref, who)
    found = list(_requests(person, who, ref, _age(person.get("personbirthdate"), ret.census)))
    if not who.failed:
        rows.extend(found)


def _header(root: Any, ret: Sen2Return) -> None:
    """Census date, LA and year from the header, which the parser has whole by the first Person."""
    who = _Person(0, ret, None)
    header = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "header"), None)
    if header is None:
        ret.refuse(Sen2Problem("is missing: the return has no Header before its Persons", "Message/Header",
                               line=root.sourceline, code="S2E03"))
        return
    values = _read(header, f"{root.tag}/{header.tag}", who)
    details = values.get("collectiondetails", {})
    source = values.get("source", {})
    ret.census = details.get("referencedate")
    ret.year = details.get("year")
    ret.la = source.get("lea")
    ret.la_line = source.get("_line")
    if ret.census is None and "referencedate" not in details:
        ret.refuse(Sen2Problem("is missing: the census date is needed for ages and caseload",
                               "Message/Header/CollectionDetails/ReferenceDate", line=header.sourceline,
                               code="S2E03"))
    if not ret.la:
        ret.refuse(Sen2Problem("is missing: the return must name the authority it is for",
                               "Message/Header/Source/LEA", line=header.sourceline, code="S2E03"))
    if details.get("collection") and str(details["collection"]).upper() != "SEN2":
        ret.refuse(Sen2Problem("is not an SEN2 collection", "Message/Header/CollectionDetails/Collection",
                               line=header.sourceline, value=str(details["collection"])))
    year = ret.year or (str(ret.census.year) if ret.census else "")
    ret.layout = "2025" if year.isdigit() and int(year) >= 2025 else "2024"


def _stray(root: Any, ret: Sen2Return) -> None:
    """What is left of the tree once the persons are freed must be the return's frame and nothing else."""
    who = _Person(0, ret, ret.census)
    if not isinstance(root.tag, str) or root.tag.lower() != "message":
        ret.refuse(Sen2Problem("is not a SEN2 return: its outer element should be Message", str(root.tag),
                               line=root.sourceline))
        return
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag.lower() not in _CHILDREN["message"]:
            who.refuse("S2E02", child.sourceline, f"{root.tag}/{child.tag}", "is not an element Message may hold")
        elif child.tag.lower() == "persons":
            for stray in child:
                if isinstance(stray.tag, str) and stray.tag.lower() != "person":
                    who.refuse("S2E02", stray.sourceline, f"{root.tag}/{child.tag}/{stray.tag}",
                               "is not an element Persons may hold")


def _source(data: bytes | Path) -> IO[bytes] | str:
    return str(data) if isinstance(data, Path) else io.BytesIO(data)


def read_sen2(data: bytes | Path, key: bytes) -> Sen2Return:
    """Read a return whole; `ok` only when nothing in it is wrong (then `records` holds every request)."""
    from lxml import etree

    ret = Sen2Return()
    rows: list[Record] = []
    number = 0
    root = None
    parser = etree.iterparse(_source(data), events=("start", "end"), tag=("Person", "person", "PERSON"),
                             resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        for event, el in parser:
            if event == "start":
                if root is None:
                    root = el.getroottree().getroot()
                    _header(root, ret)
                continue
            number += 1
            parent = el.getparent()
            if parent is None or not isinstance(parent.tag, str) or parent.tag.lower() != "persons":
                ret.refuse(Sen2Problem(f"is not in Persons (it is inside {parent.tag if parent is not None else 'nothing'})",
                                       el.tag, number, el.sourceline, code="S2E02"))
            else:
                _person(el, number, ret, key, rows)
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
        root = parser.root
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        reason = str(exc.msg if hasattr(exc, "msg") else exc).split(", line")[0]
        ret.refuse(Sen2Problem(f"is not well-formed XML: {reason}", "", number + 1 if number else None, line))
        return ret
    if root is None:
        ret.refuse(Sen2Problem("holds no XML elements"))
        return ret
    if number == 0:
        _header(root, ret)
    _stray(root, ret)
    ret.persons = number
    ret.records = {name: [r[i] for r in rows] for i, name in enumerate(_RECORD_FIELDS)}
    return ret
