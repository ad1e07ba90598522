"""Synthetic SEN2 person-level returns, each with its own oracle: the SEN2 reader's and the measures' tests check
against it.

The expected figures are computed here from the generator's own records, never by reading the XML back and never
with anything from `sendlib`, so a mistake in the reader or in the measures cannot hide by being made twice.
Element names, nesting and casing copy `/work/shared/sen2/SEN2-2024-mockup.xml`; layout 2025 adds DSCO,
RequestSource, ReviewDraft, PhaseTransferDueDate and PhaseTransferFinalDate (`/work/shared/sen2/README.md`).

The same seed and census give the same persons in either layout: the 2025 items are always drawn and only written
in 2025, and a need type `DS` (new in 2025) is written as `OTH` in 2024. `write_return(path, n, seed=s)` writes the
same bytes as `generate(n, seed=s, edge_cases=False).xml`, one person at a time.

Edge persons (`EDGE_UPNS`, `EDGE_ULNS`, `EDGE_NO_ID_KEY`) are placed relative to the census:
  days_139 … days_365   new plans issued on `edge_issue_date(census)` (14 June of the year before the census)
                        that many days after ReceivedDate, Week20 0, no mediation or tribunal
  week20                a new plan issued that same day after 200 days with Week20 = 1
  mediation             a new plan issued that same day after 100 days with RequestMediation = 1
  decided_{41,42,43}_{Y,N}  requests decided on `edge_decision_date(census)` (15 October of the year before) that
                        many days after ReceivedDate; the Y ones have an open assessment (outcome A)
  review_365, review_366    historical (H) plans started three years before, ReviewMeeting 365 / 366 days before
  ceased_on_census      an H plan ceased on the census date (not active), its ActivePlans kept with a recent review
  ceased_after_census   an H plan ceased the day after the census (active, review in time)
  start_year_before     an H plan started on the same day a year before the census (review due), ReviewMeeting on
                        the census date itself (0 days: in time)
  start_year_after      an H plan started the day after that (active, review not yet due)
  two_requests          a request refused (N) in the autumn two years before, then one that led to a plan in May
  pending               a request received 10 days before the census, not yet decided (A)
  awaiting_plan         assessment outcome Y, no plan issued yet
  uln_only              a ULN and no UPN; a withdrawn (W) request
  no_id                 neither UPN nor ULN (UPNunknown UN2), keyed by `EDGE_NO_ID_KEY`; a request refused (N)
"""

from __future__ import annotations

import datetime
import pathlib
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from xml.sax.saxutils import escape

Layout = Literal["2024", "2025"]
Case = tuple[str, str]
date = datetime.date
timedelta = datetime.timedelta

CENSUS: dict[str, date] = {"2024": date(2024, 1, 18), "2025": date(2025, 1, 16)}

EDGE_UPNS: dict[str, str] = {
    "days_139": "E900000000139",
    "days_140": "E900000000140",
    "days_141": "E900000000141",
    "days_224": "E900000000224",
    "days_225": "E900000000225",
    "days_364": "E900000000364",
    "days_365": "E900000000365",
    "week20": "E900000001200",
    "mediation": "E900000002100",
    "decided_41_Y": "E900000100411",
    "decided_42_Y": "E900000100421",
    "decided_43_Y": "E900000100431",
    "decided_41_N": "E900000100410",
    "decided_42_N": "E900000100420",
    "decided_43_N": "E900000100430",
    "review_365": "E900000200365",
    "review_366": "E900000200366",
    "ceased_on_census": "E900000300000",
    "ceased_after_census": "E900000300001",
    "start_year_before": "E900000400000",
    "start_year_after": "E900000400001",
    "two_requests": "E900000500002",
    "pending": "E900000600000",
    "awaiting_plan": "E900000600001",
}
EDGE_ULNS: dict[str, str] = {"uln_only": "9900000001"}
EDGE_NO_ID_KEY = "Okafor0999|Tobi0999|2013-05-09"
EDGE_PLAN_DAYS: dict[str, int] = {f"days_{d}": d for d in (139, 140, 141, 224, 225, 364, 365)}

COUNT_FLOW = ("plans_issued", "within_20_incl", "plans_issued_ex", "within_20_ex", "over_32_ex", "over_52_ex",
              "plans_issued_dfe", "within_20_dfe", "decisions", "within_6", "requests_received")
RATE_FLOW: dict[str, tuple[str, str]] = {
    "rate_incl": ("within_20_incl", "plans_issued"),
    "rate_ex": ("within_20_ex", "plans_issued_ex"),
    "pct_over_32_ex": ("over_32_ex", "plans_issued_ex"),
    "pct_over_52_ex": ("over_52_ex", "plans_issued_ex"),
    "rate_dfe": ("within_20_dfe", "plans_issued_dfe"),
    "rate_6": ("within_6", "decisions"),
}
MEAN_FLOW: dict[str, int] = {"mean_weeks_ex": 7, "mean_days_ex": 1}
COUNT_CENSUS = ("active_plans", "reviews_due", "reviews_in_time", "open_assessments", "awaiting_plan",
                "pending_requests")
RATE_CENSUS: dict[str, tuple[str, str]] = {"review_rate": ("reviews_in_time", "reviews_due")}
NEW_IN_2025 = ("DSCO", "RequestSource", "ReviewDraft", "PhaseTransferDueDate", "PhaseTransferFinalDate")


@dataclass(frozen=True)
class Expected:
    """One expected figure: a count has no numerator or denominator; a rate's or mean's value is None at 0 / 0."""

    value: float | None
    numerator: int | None
    denominator: int | None


@dataclass
class SynthSetting:
    """A PlanDetail (named) or PlacementDetail (attended): a URN, a UKPRN or a setting code."""

    urn: str = ""
    ukprn: str = ""
    setting: str = ""
    other: str = ""
    rank: int = 1
    entry: date | None = None
    leaving: date | None = None
    unit: int = 0
    resourced: int = 0
    res: str = ""
    wbp: str = ""


@dataclass
class SynthActivePlans:
    placements: list[SynthSetting]
    needs: list[tuple[str, int]]
    review_meeting: date | None = None
    review_outcome: str = ""
    last_review: date | None = None
    review_draft: date | None = None
    phase_due: date | None = None
    phase_final: date | None = None
    transfer_la: str = ""
    omit_meeting: bool = False


@dataclass
class SynthPlan:
    start: date
    details: list[SynthSetting]
    cease: date | None = None
    cease_reason: str = ""
    res: str = ""
    wbp: str = ""
    pb: int = 0
    oa: int = 0
    dp: str = ""


@dataclass
class SynthAssessment:
    outcome: str
    outcome_date: date | None = None
    mediation: int = 0
    tribunal: int = 0
    other_mediation: int = 0
    other_tribunal: int = 0
    week20: int = 0
    plan: SynthPlan | None = None
    bare: bool = False


@dataclass
class SynthRequest:
    received: date
    outcome: str
    outcome_date: date | None = None
    source: int = 1
    rya: int = 0
    mediation: int = 0
    tribunal: int = 0
    assessment: SynthAssessment | None = None
    active: SynthActivePlans | None = None

    @property
    def plan(self) -> SynthPlan | None:
        return self.assessment.plan if self.assessment else None

    @property
    def disputed(self) -> bool:
        """Any of the six mediation and tribunal flags: DfE leaves such cases out of its timeliness."""
        a = self.assessment
        flags = (a.mediation, a.tribunal, a.other_mediation, a.other_tribunal) if a else ()
        return bool(self.mediation or self.tribunal or any(flags))

    @property
    def new_plan_days(self) -> int | None:
        """Days from ReceivedDate (day 1) to the StartDate of a new plan: assessment outcome Y with a plan."""
        a = self.assessment
        if a is None or a.outcome != "Y" or a.plan is None:
            return None
        return (a.plan.start - self.received).days


@dataclass
class SynthPerson:
    surname: str
    forename: str
    birth: date
    sex: str
    ethnicity: str
    postcode: str
    upn: str
    uln: str
    upn_unknown: str
    requests: list[SynthRequest]

    @property
    def key(self) -> str:
        """How the oracle names the person: UPN, else ULN, else surname|forename|birth date."""
        return self.upn or self.uln or f"{self.surname}|{self.forename}|{self.birth.isoformat()}"

    def identity(self) -> dict[str, str]:
        """The identifying values written to the XML (UPN and ULN only when the person has one)."""
        out = {"surname": self.surname, "forename": self.forename, "birth_date": self.birth.isoformat(),
               "postcode": self.postcode, "upn": self.upn, "uln": self.uln}
        return {k: v for k, v in out.items() if v}


@dataclass
class Synthetic:
    """A return and what a correct reader and correct measures must make of it."""

    xml: bytes
    census: date
    la: str
    persons: list[SynthPerson]
    expected: dict[tuple[str, str], Expected]
    expected_cases: dict[tuple[str, str], set[Case]]
    identities: list[dict[str, str]]


@dataclass(frozen=True)
class _Weighted:
    values: tuple[Any, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[Any, float]]) -> _Weighted:
        values, cum, total = [], [], 0.0
        for value, weight in pairs:
            total += weight
            values.append(value)
            cum.append(total)
        return cls(tuple(values), tuple(cum))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]


SURNAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Begum",
            "Hussain", "Ahmed", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
            "Hall", "Wood", "Jackson", "Clarke", "O'Brien", "Smith-Jones", "Nowak", "Kowalski", "Mensah", "Ali",
            "Murphy", "Kelly", "Hughes", "Edwards", "Lewis", "Harris", "Martin", "Cooper", "Turner")
FORENAMES = ("Oliver", "Amelia", "George", "Isla", "Noah", "Ava", "Muhammad", "Olivia", "Harry", "Freya", "Leo",
             "Lily", "Jack", "Zoë", "Oscar", "Chloé", "Theo", "Aisha", "Arthur", "Maya", "Jacob", "Priya", "Charlie",
             "Ella", "Kacper", "Amara", "Finley", "Grace", "Ibrahim", "Ruby")
AREAS = ("BS", "BA", "GL", "TA", "EX", "PL", "SN", "B", "M", "LS", "L", "NE", "S", "NG", "LE", "CV", "OX", "RG",
         "SO", "BN", "ME", "CT", "N", "E", "SE", "SW", "W", "NW")
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UPN_LETTERS = "ABCDFGHJKLMNPQRTUVWXYZ"
UNKNOWN = ("UN1", "UN2", "UN3", "UN5", "UN8", "UN9", "UN10")
OTHER_LAS = ("202", "204", "209", "213", "304", "330", "340", "800", "801", "803", "873", "926")
SETTINGS = ("OLA", "OPA", "EHE", "EYP", "OTH", "NEET", "NIEC", "NIEO")
ETHNICITY = _Weighted.of([("WBRI", 62), ("WOTH", 5), ("WIRI", 1), ("MWBC", 3), ("MWBA", 1), ("MWAS", 2), ("AIND", 2),
                          ("APKN", 4), ("ABAN", 2), ("BCRB", 2), ("BAFR", 4), ("CHNE", 1), ("OOTH", 2), ("REFU", 1),
                          ("NOBT", 2)])
NEEDS = _Weighted.of([("ASD", 32), ("SEMH", 17), ("SLCN", 16), ("MLD", 9), ("SLD", 5), ("SPLD", 4), ("PD", 3),
                      ("PMLD", 2), ("HI", 2), ("VI", 1), ("MSI", 0.3), ("DS", 1), ("OTH", 2)])
SOURCES = _Weighted.of([(1, 48), (2, 36), (3, 9), (4, 4), (5, 3)])
CEASE_REASONS = _Weighted.of([("1", 10), ("2", 25), ("3", 3), ("4", 7), ("5", 25), ("6", 8), ("7", 5), ("8", 1),
                              ("9", 16)])
REVIEW_OUTCOMES = _Weighted.of([("M", 70), ("A", 25), ("C", 5)])
OTHER_TEXT = "Home & hospital tuition <group>"
_UPN_STEP = 7_654_321
_ULN_STEP = 7_919


def year_before(census: date) -> date:
    """The same day a year before the census (28 February when the census is 29 February)."""
    try:
        return census.replace(year=census.year - 1)
    except ValueError:
        return date(census.year - 1, 2, 28)


def edge_issue_date(census: date) -> date:
    """The day every timeliness edge plan is issued: 14 June of the year before the census."""
    return date(census.year - 1, 6, 14)


def edge_decision_date(census: date) -> date:
    """The day the decision edge requests are decided: 15 October of the year before the census."""
    return date(census.year - 1, 10, 15)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Draw:
    """One seeded stream of synthetic persons; the draws do not depend on the layout."""

    def __init__(self, seed: int, census: date, la: str) -> None:
        self.rng = random.Random(seed)
        self.census = census
        self.la = la
        self.window_start = date(census.year - 2, 1, 1)
        self.window = (census - self.window_start).days
        self.year_before = year_before(census)

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=low + int(self.rng.random() * (high - low + 1)))

    def person(self, i: int) -> SynthPerson:
        rng = self.rng
        serial = 10000 + i
        if rng.random() < 0.3:
            requests = [self.historical()]
        else:
            requests = self.recent_requests()
        first = requests[0].received
        age_days = self.days(16 * 365, 23 * 365) if rng.random() < 0.1 else self.days(2 * 365, 15 * 365)
        if requests[0].outcome == "H":
            age_days = self.days(365, 12 * 365)
        birth = first - age_days
        upn, uln, unknown = self.identifiers(i)
        person = SynthPerson(
            surname=f"{rng.choice(SURNAMES)}{serial}", forename=f"{rng.choice(FORENAMES)}{serial}", birth=birth,
            sex="M" if rng.random() < 0.7 else "F", ethnicity=ETHNICITY.pick(rng),
            postcode=(f"{rng.choice(AREAS)}{1 + int(rng.random() * 20)} {int(rng.random() * 10)}"
                      f"{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"),
            upn=upn, uln=uln, upn_unknown=unknown, requests=requests)
        age = _age(birth, self.census)
        for request in requests:
            self.add_active_plans(request, age)
        return person

    def identifiers(self, i: int) -> tuple[str, str, str]:
        """Most have a UPN (some a ULN too), some only a ULN, a few neither and a UPNunknown code. Both are unique in a
        return and never round numbers, so a search for one in a store cannot hit a constant by chance."""
        rng = self.rng
        u = rng.random()
        uln = f"{1_000_000_000 + (i * _ULN_STEP + 131_071) % 8_000_000_000}"
        if u < 0.85:
            upn = f"{rng.choice(UPN_LETTERS)}{self.la[:3]:0>3}{(i * _UPN_STEP) % 1_000_000_000:09d}"
            return upn, uln if rng.random() < 0.25 else "", ""
        if u < 0.97:
            return "", uln, ""
        return "", "", rng.choice(UNKNOWN)

    def recent_requests(self) -> list[SynthRequest]:
        """One request received in the two calendar years before the census, or a refused one then another."""
        rng = self.rng
        received = self.window_start + self.days(0, self.window - 1)
        if rng.random() < 0.1 and received <= self.census - timedelta(days=150):
            first = self.request(received, "N" if rng.random() < 0.7 else "W")
            second = received + self.days(90, 360)
            if second < self.census:
                return [first, self.request(second, self.intent())]
            return [first]
        return [self.request(received, self.intent())]

    def intent(self) -> str:
        x = self.rng.random()
        return "W" if x < 0.07 else "N" if x < 0.27 else "Y"

    def request(self, received: date, intent: str) -> SynthRequest:
        """What the LA would decide, cut back to what is known at the census (A when it falls later)."""
        rng = self.rng
        census = self.census
        request = SynthRequest(received=received, outcome="A", source=SOURCES.pick(rng),
                               rya=1 if rng.random() < 0.01 else 0)
        decided = received + (self.days(3, 42) if rng.random() < 0.72 else self.days(43, 110))
        if intent == "W":
            if received + self.days(7, 60) <= census:
                request.outcome = "W"
        elif decided <= census:
            request.outcome, request.outcome_date = intent, decided
        if request.outcome == "A" and rng.random() < 0.5:
            request.assessment = SynthAssessment("A", bare=True)
        if request.outcome == "Y":
            request.assessment = self.assessment(received, decided)
        elif request.outcome == "N":
            request.mediation = int(rng.random() < 0.06)
            request.tribunal = int(rng.random() < 0.04)
            if (request.mediation or request.tribunal) and rng.random() < 0.35:
                request.assessment = self.assessment(received, decided + self.days(60, 150))
        return request

    def plan_days(self, earliest: int) -> int:
        x = self.rng.random()
        if x < 0.58:
            days = self.days(70, 140)
        elif x < 0.82:
            days = self.days(141, 224)
        elif x < 0.94:
            days = self.days(225, 364)
        else:
            days = self.days(365, 480)
        return max(days.days, earliest)

    def assessment(self, received: date, decided: date) -> SynthAssessment:
        """An assessment after a decision to assess: mostly a plan, some refusals and withdrawals."""
        rng = self.rng
        census = self.census
        a = SynthAssessment("A", week20=int(rng.random() < 0.1), mediation=int(rng.random() < 0.04),
                            tribunal=int(rng.random() < 0.02), other_mediation=int(rng.random() < 0.02),
                            other_tribunal=int(rng.random() < 0.01))
        x = rng.random()
        if x < 0.08:
            when = decided + self.days(50, 100)
            if when <= census:
                a.outcome, a.outcome_date = "N", when
        elif x < 0.12:
            if decided + self.days(20, 100) <= census:
                a.outcome = "W"
        else:
            late = self.days(20, 120).days if a.week20 else 0
            issue = received + timedelta(days=self.plan_days((decided - received).days + 28) + late)
            if issue <= census:
                a.outcome, a.outcome_date = "Y", issue
                a.plan = self.plan(issue, ceased_share=0.06)
            elif issue - self.days(5, 20) <= census:
                a.outcome = "Y"
        return a

    def historical(self) -> SynthRequest:
        """A plan from years ago (or transferred in): request and assessment outcome H, no outcome dates."""
        rng = self.rng
        received = self.census - self.days(2 * 365 + 60, 7 * 365)
        start = received + self.days(84, 280)
        a = SynthAssessment("H", week20=int(rng.random() < 0.08), plan=self.plan(start, ceased_share=0.18))
        return SynthRequest(received=received, outcome="H", source=SOURCES.pick(rng), assessment=a)

    def setting(self, rank: int, age: int, entry: date | None) -> SynthSetting:
        rng = self.rng
        x = rng.random()
        s = SynthSetting(rank=rank, entry=entry, unit=int(rng.random() < 0.05), resourced=int(rng.random() < 0.05))
        if age >= 16 and x < 0.4:
            s.ukprn = f"{10_000_000 + int(rng.random() * 90_000)}"
        elif x < 0.85:
            s.urn = f"{100_000 + int(rng.random() * 50_000)}"
        else:
            s.setting = rng.choice(SETTINGS)
            s.other = OTHER_TEXT if s.setting == "OTH" else ""
        if entry is not None:
            s.res = "A" if rng.random() < 0.02 else "B" if rng.random() < 0.01 else ""
            s.wbp = rng.choice("SAT") if age >= 16 and rng.random() < 0.1 else ""
        return s

    def plan(self, start: date, ceased_share: float) -> SynthPlan:
        rng = self.rng
        details = [self.setting(1, 10, None)]
        if rng.random() < 0.08:
            details.append(self.setting(2, 10, None))
        plan = SynthPlan(start=start, details=details, res="A" if rng.random() < 0.02 else "",
                         pb=int(rng.random() < 0.12), oa=int(rng.random() < 0.03),
                         dp=rng.choice("EHSI") if rng.random() < 0.06 else "")
        open_days = (self.census - start).days
        if rng.random() < ceased_share and open_days > 40:
            plan.cease = start + self.days(30, open_days)
            plan.cease_reason = CEASE_REASONS.pick(rng)
        return plan

    def add_active_plans(self, request: SynthRequest, age: int) -> None:
        """ActivePlans for a plan active at the census, and for some recently ceased ones (as in the mockup)."""
        plan = request.plan
        if plan is None:
            return
        rng = self.rng
        if plan.cease is not None and rng.random() >= 0.3:
            return
        census = self.census
        entry = min(plan.start + self.days(0, 30), census)
        placements = [self.setting(1, age, entry)]
        if rng.random() < 0.07:
            placements.append(self.setting(2, age, entry))
        for placement in placements:
            placement.leaving = plan.cease
        primary = NEEDS.pick(rng)
        needs = [(primary, 1)]
        secondary = NEEDS.pick(rng)
        if rng.random() < 0.4 and secondary != primary and {primary, secondary} != {"DS", "OTH"}:
            needs.append((secondary, 2))
        active = SynthActivePlans(placements=placements, needs=needs, omit_meeting=rng.random() < 0.5)
        if request.outcome == "H" and rng.random() < 0.12:
            active.transfer_la = rng.choice([la for la in OTHER_LAS if la != self.la])
        if plan.cease is None:
            self.review(active, plan.start)
        self.phase_transfer(active, plan.start, age)
        request.active = active

    def review(self, active: SynthActivePlans, start: date) -> None:
        """Reviews: most due plans met within a year, some late, some never; a few early ones."""
        rng = self.rng
        census = self.census
        x = rng.random()
        meeting = None
        if start <= self.year_before:
            if x < 0.82:
                meeting = census - self.days(0, 364)
            elif x < 0.92 and (census - start).days >= 400:
                meeting = census - self.days(366, min(600, (census - start).days))
        elif x < 0.05 and (census - start).days > 60:
            meeting = start + self.days(60, (census - start).days)
        if meeting is None:
            return
        active.review_meeting = meeting
        decided = meeting + self.days(3, 40)
        if decided <= census:
            active.last_review, active.review_outcome = decided, REVIEW_OUTCOMES.pick(rng)
            draft = decided + self.days(7, 40)
            if active.review_outcome == "A" and draft <= census:
                active.review_draft = draft

    def phase_transfer(self, active: SynthActivePlans, start: date, age: int) -> None:
        if age in (10, 15):
            active.phase_due = date(self.census.year, 2, 15)
        elif age in (11, 16) and self.rng.random() < 0.5:
            active.phase_due = date(self.census.year - 1, 2, 15)
            final = active.phase_due - self.days(0, 20)
            if final > start:
                active.phase_final = final


def _edge_person(name: str, requests: list[SynthRequest], serial: int, *, upn: str = "", uln: str = "",
                 unknown: str = "", surname: str = "Hartley", forename: str = "Sam",
                 birth: date | None = None) -> SynthPerson:
    return SynthPerson(surname=f"{surname}{serial:04d}", forename=f"{forename}{serial:04d}",
                       birth=birth or date(2012, 3, 4) + timedelta(days=serial), sex="F" if serial % 2 else "M",
                       ethnicity="WBRI", postcode=f"BS{1 + serial % 9} {serial % 10}DJ", upn=upn, uln=uln,
                       upn_unknown=unknown, requests=requests)


def _edge_active(meeting: date | None = None, outcome: str = "M") -> SynthActivePlans:
    return SynthActivePlans(placements=[SynthSetting(urn="100001", entry=None)], needs=[("ASD", 1)],
                            review_meeting=meeting, review_outcome=outcome if meeting else "",
                            last_review=meeting)


def _edge_new_plan(received: date, days: int, *, week20: int = 0, mediation: int = 0) -> SynthRequest:
    start = received + timedelta(days=days)
    plan = SynthPlan(start=start, details=[SynthSetting(urn="100001")])
    assessment = SynthAssessment("Y", outcome_date=start, week20=week20, plan=plan)
    request = SynthRequest(received=received, outcome="Y", outcome_date=received + timedelta(days=30),
                           mediation=mediation, assessment=assessment, active=_edge_active())
    request.active.placements[0].entry = start
    return request


def _edge_historical(start: date, meeting: date | None, cease: date | None = None,
                     reason: str = "") -> SynthRequest:
    plan = SynthPlan(start=start, details=[SynthSetting(urn="100002")], cease=cease, cease_reason=reason)
    active = _edge_active(meeting)
    active.placements[0].entry = start
    return SynthRequest(received=start - timedelta(days=120), outcome="H",
                        assessment=SynthAssessment("H", plan=plan), active=active)


def edge_persons(census: date) -> list[SynthPerson]:
    """The edge persons named in the module docstring, their dates placed relative to `census`."""
    issue = edge_issue_date(census)
    decided = edge_decision_date(census)
    a_year = year_before(census)
    three_years = date(census.year - 3, 3, 1)
    one = timedelta(days=1)
    requests: dict[str, list[SynthRequest]] = {}
    for name, days in EDGE_PLAN_DAYS.items():
        requests[name] = [_edge_new_plan(issue - timedelta(days=days), days)]
    requests["week20"] = [_edge_new_plan(issue - timedelta(days=200), 200, week20=1)]
    requests["mediation"] = [_edge_new_plan(issue - timedelta(days=100), 100, mediation=1)]
    for days in (41, 42, 43):
        for outcome in "YN":
            received = decided - timedelta(days=days)
            assessment = SynthAssessment("A") if outcome == "Y" else None
            requests[f"decided_{days}_{outcome}"] = [SynthRequest(received, outcome, decided, assessment=assessment)]
    requests["review_365"] = [_edge_historical(three_years, census - timedelta(days=365))]
    requests["review_366"] = [_edge_historical(three_years, census - timedelta(days=366))]
    requests["ceased_on_census"] = [_edge_historical(three_years, census - timedelta(days=100), census, "2")]
    requests["ceased_after_census"] = [_edge_historical(three_years, census - timedelta(days=200), census + one, "5")]
    requests["start_year_before"] = [_edge_historical(a_year, census)]
    requests["start_year_after"] = [_edge_historical(a_year + one, None)]
    first = date(census.year - 2, 10, 1)
    requests["two_requests"] = [SynthRequest(first, "N", first + timedelta(days=30)),
                                _edge_new_plan(date(census.year - 1, 1, 8), 126)]
    requests["pending"] = [SynthRequest(census - timedelta(days=10), "A")]
    awaiting = census - timedelta(days=150)
    requests["awaiting_plan"] = [SynthRequest(awaiting, "Y", awaiting + timedelta(days=30),
                                              assessment=SynthAssessment("Y"))]
    persons = [_edge_person(name, requests[name], serial, upn=upn)
               for serial, (name, upn) in enumerate(EDGE_UPNS.items(), start=100)]
    withdrawn = date(census.year - 1, 5, 3)
    persons.append(_edge_person("uln_only", [SynthRequest(withdrawn, "W")], 998, uln=EDGE_ULNS["uln_only"]))
    surname, forename, birth = EDGE_NO_ID_KEY.split("|")
    refused = date(census.year - 1, 4, 2)
    persons.append(_edge_person("no_id", [SynthRequest(refused, "N", refused + timedelta(days=20))], 999,
                                unknown="UN2", surname=surname[:-4], forename=forename[:-4],
                                birth=date.fromisoformat(birth)))
    return persons


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


class _Writer:
    """Renders records as the mockup lays them out: tab indents, empty elements written as `<X></X>`."""

    def __init__(self, layout: Layout, tag_case: Literal["mockup", "lower"]) -> None:
        self.new = layout == "2025"
        self.setting_tag = "SENsetting" if tag_case == "lower" else "SENSetting"

    def header(self, census: date, la: str) -> str:
        produced = census + timedelta(days=35)
        dsco = "\t\t\t<DSCO>Y</DSCO>\n" if self.new else ""
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n\t<Header>\n\t\t<CollectionDetails>\n'
                f"\t\t\t<Collection>SEN2</Collection>\n\t\t\t<Year>{census.year}</Year>\n"
                f"\t\t\t<ReferenceDate>{census.isoformat()}</ReferenceDate>\n\t\t</CollectionDetails>\n"
                f"\t\t<Source>\n\t\t\t<SourceLevel>L</SourceLevel>\n\t\t\t<LEA>{escape(la)}</LEA>\n"
                "\t\t\t<SoftwareCode>Local Authority</SoftwareCode>\n\t\t\t<Release>ver 3.1.21</Release>\n"
                f"\t\t\t<SerialNo>001</SerialNo>\n\t\t\t<DateTime>{produced.isoformat()}T11:14:05</DateTime>\n"
                f"\t\t\t<DMO>Y</DMO>\n\t\t\t<DCO>Y</DCO>\n{dsco}\t\t</Source>\n\t</Header>\n\t<Persons>\n")

    footer = "\t</Persons>\n</Message>\n"

    def person(self, p: SynthPerson) -> str:
        t = "\t\t\t"
        out = [f"\t\t<Person>\n{t}<Surname>{escape(p.surname)}</Surname>\n"
               f"{t}<Forename>{escape(p.forename)}</Forename>\n"
               f"{t}<PersonBirthDate>{p.birth.isoformat()}</PersonBirthDate>\n{t}<Sex>{p.sex}</Sex>\n"
               f"{t}<Ethnicity>{p.ethnicity}</Ethnicity>\n{t}<PostCode>{escape(p.postcode)}</PostCode>\n"
               f"{t}<UPN>{p.upn}</UPN>\n{t}<UniqueLearnerNumber>{p.uln}</UniqueLearnerNumber>\n"
               f"{t}<UPNunknown>{p.upn_unknown}</UPNunknown>\n"]
        for request in p.requests:
            self.request(out, request)
        out.append("\t\t</Person>\n")
        return "".join(out)

    def request(self, out: list[str], r: SynthRequest) -> None:
        t = "\t\t\t\t"
        source = f"{t}<RequestSource>{r.source}</RequestSource>\n" if self.new else ""
        out.append(f"\t\t\t<Requests>\n{t}<ReceivedDate>{r.received.isoformat()}</ReceivedDate>\n{source}"
                   f"{t}<RYA>{r.rya}</RYA>\n{t}<RequestOutcomeDate>{_d(r.outcome_date)}</RequestOutcomeDate>\n"
                   f"{t}<RequestOutcome>{r.outcome}</RequestOutcome>\n{t}<RequestMediation>{r.mediation}"
                   f"</RequestMediation>\n{t}<RequestTribunal>{r.tribunal}</RequestTribunal>\n"
                   f"{t}<Exported></Exported>\n")
        if r.assessment is not None:
            self.assessment(out, r.assessment)
        if r.active is not None:
            self.active_plans(out, r.active)
        out.append("\t\t\t</Requests>\n")

    def assessment(self, out: list[str], a: SynthAssessment) -> None:
        t = "\t\t\t\t\t"
        if a.bare:
            out.append(f"\t\t\t\t<Assessment>\n{t}<AssessmentOutcome>{a.outcome}</AssessmentOutcome>\n"
                       "\t\t\t\t</Assessment>\n")
            return
        out.append(f"\t\t\t\t<Assessment>\n{t}<AssessmentOutcome>{a.outcome}</AssessmentOutcome>\n"
                   f"{t}<AssessmentOutcomeDate>{_d(a.outcome_date)}</AssessmentOutcomeDate>\n"
                   f"{t}<AssessmentMediation>{a.mediation}</AssessmentMediation>\n"
                   f"{t}<AssessmentTribunal>{a.tribunal}</AssessmentTribunal>\n"
                   f"{t}<OtherMediation>{a.other_mediation}</OtherMediation>\n"
                   f"{t}<OtherTribunal>{a.other_tribunal}</OtherTribunal>\n{t}<Week20>{a.week20}</Week20>\n")
        if a.plan is not None:
            self.named_plan(out, a.plan)
        out.append("\t\t\t\t</Assessment>\n")

    def setting(self, s: SynthSetting, tag: str, depth: int) -> str:
        t = "\t" * (depth + 1)
        tag_s = self.setting_tag
        attended = tag == "PlacementDetail"
        dates = (f"{t}<EntryDate>{_d(s.entry)}</EntryDate>\n{t}<LeavingDate>{_d(s.leaving)}</LeavingDate>\n"
                 if attended else "")
        tail = f"{t}<Res>{s.res}</Res>\n{t}<WBP>{s.wbp}</WBP>\n" if attended else ""
        return (f"{t[:-1]}<{tag}>\n{t}<URN>{s.urn}</URN>\n{t}<UKPRN>{s.ukprn}</UKPRN>\n"
                f"{t}<{tag_s}>{s.setting}</{tag_s}>\n{t}<SENSettingOther>{escape(s.other)}</SENSettingOther>\n"
                f"{t}<PlacementRank>{s.rank}</PlacementRank>\n{dates}"
                f"{t}<SENunitIndicator>{s.unit}</SENunitIndicator>\n"
                f"{t}<ResourcedProvisionIndicator>{s.resourced}</ResourcedProvisionIndicator>\n{tail}"
                f"{t[:-1]}</{tag}>\n")

    def named_plan(self, out: list[str], plan: SynthPlan) -> None:
        t = "\t" * 6
        out.append(f"\t\t\t\t\t<NamedPlan>\n{t}<StartDate>{plan.start.isoformat()}</StartDate>\n")
        out.extend(self.setting(s, "PlanDetail", 6) for s in plan.details)
        out.append(f"{t}<PlanRes>{plan.res}</PlanRes>\n{t}<PlanWBP>{plan.wbp}</PlanWBP>\n{t}<PB>{plan.pb}</PB>\n"
                   f"{t}<OA>{plan.oa}</OA>\n{t}<DP>{plan.dp}</DP>\n{t}<CeaseDate>{_d(plan.cease)}</CeaseDate>\n"
                   f"{t}<CeaseReason>{plan.cease_reason}</CeaseReason>\n\t\t\t\t\t</NamedPlan>\n")

    def active_plans(self, out: list[str], a: SynthActivePlans) -> None:
        t = "\t" * 5
        out.append(f"\t\t\t\t<ActivePlans>\n{t}<TransferLA>{a.transfer_la}</TransferLA>\n")
        out.extend(self.setting(s, "PlacementDetail", 5) for s in a.placements)
        for need, rank in a.needs:
            need = "OTH" if need == "DS" and not self.new else need
            out.append(f"{t}<SENneed>\n{t}\t<SENtype>{need}</SENtype>\n{t}\t<SENtypeRank>{rank}</SENtypeRank>\n"
                       f"{t}</SENneed>\n")
        if a.review_meeting or not a.omit_meeting:
            out.append(f"{t}<ReviewMeeting>{_d(a.review_meeting)}</ReviewMeeting>\n")
        out.append(f"{t}<ReviewOutcome>{a.review_outcome}</ReviewOutcome>\n")
        if self.new:
            out.append(f"{t}<ReviewDraft>{_d(a.review_draft)}</ReviewDraft>\n"
                       f"{t}<PhaseTransferDueDate>{_d(a.phase_due)}</PhaseTransferDueDate>\n"
                       f"{t}<PhaseTransferFinalDate>{_d(a.phase_final)}</PhaseTransferFinalDate>\n")
        out.append(f"{t}<LastReview>{_d(a.last_review)}</LastReview>\n\t\t\t\t</ActivePlans>\n")


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _flow_periods(first: date, census: date) -> list[str]:
    """Every month from the first request's month to the census month, then every year likewise."""
    months, (year, month) = [], (first.year, first.month)
    while (year, month) <= (census.year, census.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months + [str(y) for y in range(first.year, census.year + 1)]


def _flow(request: SynthRequest) -> Iterator[tuple[str, date]]:
    """(measure, the date that places it in a month and year) for each flow measure counting this request."""
    yield "requests_received", request.received
    if request.outcome in ("Y", "N") and request.outcome_date is not None:
        yield "decisions", request.outcome_date
        if (request.outcome_date - request.received).days <= 42:
            yield "within_6", request.outcome_date
    days = request.new_plan_days
    if days is None:
        return
    issued = request.plan.start
    names = ["plans_issued", *(["within_20_incl"] if days <= 140 else [])]
    if not request.assessment.week20:
        names.append("plans_issued_ex")
        names += [n for n, hit in (("within_20_ex", days <= 140), ("over_32_ex", days > 224),
                                   ("over_52_ex", days > 364)) if hit]
    if not request.disputed:
        names += ["plans_issued_dfe", *(["within_20_dfe"] if days <= 140 else [])]
    for name in names:
        yield name, issued


def _at_census(request: SynthRequest, census: date) -> Iterator[str]:
    """The census measures counting this request."""
    plan, a = request.plan, request.assessment
    if plan is not None and plan.start <= census and not (plan.cease is not None and plan.cease <= census):
        yield "active_plans"
        if plan.start <= year_before(census):
            yield "reviews_due"
            meeting = request.active.review_meeting if request.active else None
            if meeting is not None and 0 <= (census - meeting).days <= 365:
                yield "reviews_in_time"
    if request.outcome == "Y" and a is not None and a.outcome == "A":
        yield "open_assessments"
    if a is not None and a.outcome == "Y" and plan is None:
        yield "awaiting_plan"
    if request.outcome == "A":
        yield "pending_requests"


def _rounded(num: int, den: int) -> float:
    return float((Decimal(num) / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rate(num: int, den: int) -> Expected:
    return Expected(_rounded(100 * num, den) if den else None, num, den)


def oracle(persons: list[SynthPerson], census: date) -> tuple[dict[tuple[str, str], Expected],
                                                               dict[tuple[str, str], set[Case]]]:
    """The issue's measures from the records themselves: (measure, period) → figure, and → the cases counted."""
    members: dict[tuple[str, str], set[Case]] = defaultdict(set)
    days_of: dict[Case, int] = {}
    at = census.isoformat()
    for person in persons:
        for request in person.requests:
            case = (person.key, request.received.isoformat())
            if request.new_plan_days is not None:
                days_of[case] = request.new_plan_days
            for name, when in _flow(request):
                members[(name, _month(when))].add(case)
                members[(name, str(when.year))].add(case)
            for name in _at_census(request, census):
                members[(name, at)].add(case)
    first = min(r.received for p in persons for r in p.requests)
    expected: dict[tuple[str, str], Expected] = {}
    cases: dict[tuple[str, str], set[Case]] = {}

    def put(period: str, counts: tuple[str, ...], rates: dict[str, tuple[str, str]]) -> None:
        for name in counts:
            cases[(name, period)] = members.get((name, period), set())
            expected[(name, period)] = Expected(float(len(cases[(name, period)])), None, None)
        for name, (num, den) in rates.items():
            cases[(name, period)] = members.get((den, period), set())
            expected[(name, period)] = _rate(len(members.get((num, period), ())), len(cases[(name, period)]))

    for period in _flow_periods(first, census):
        put(period, COUNT_FLOW, RATE_FLOW)
        basis = members.get(("plans_issued_ex", period), set())
        total = sum(days_of[c] for c in basis)
        for name, per in MEAN_FLOW.items():
            cases[(name, period)] = basis
            expected[(name, period)] = Expected(_rounded(total, per * len(basis)) if basis else None, total,
                                                len(basis))
    put(at, COUNT_CENSUS, RATE_CENSUS)
    return expected, cases


def _synthetic(persons: list[SynthPerson], census: date, la: str, writer: _Writer) -> Synthetic:
    text = writer.header(census, la) + "".join(writer.person(p) for p in persons) + writer.footer
    expected, cases = oracle(persons, census)
    return Synthetic(xml=text.encode("utf-8"), census=census, la=la, persons=persons, expected=expected,
                     expected_cases=cases, identities=[p.identity() for p in persons])


def generate(n_persons: int, *, seed: int = 0, layout: Layout = "2025", census: date | None = None,
             la: str = "839", tag_case: Literal["mockup", "lower"] = "mockup",
             edge_cases: bool = True) -> Synthetic:
    """`n_persons` seeded random persons, then (with `edge_cases`) the edge persons, and the oracle's figures."""
    census = census or CENSUS[layout]
    draw = _Draw(seed, census, la)
    persons = [draw.person(i) for i in range(n_persons)]
    if edge_cases:
        persons += edge_persons(census)
    return _synthetic(persons, census, la, _Writer(layout, tag_case))


def edge_case_return(layout: Layout = "2025") -> Synthetic:
    """Only the edge persons, at the layout's census: small enough to work its figures out by hand."""
    census = CENSUS[layout]
    return _synthetic(edge_persons(census), census, "839", _Writer(layout, "mockup"))


def iter_xml(n_persons: int, *, seed: int = 0, layout: Layout = "2025", census: date | None = None,
             la: str = "839", tag_case: Literal["mockup", "lower"] = "mockup") -> Iterator[str]:
    """The return as text, one person at a time (header and footer apart), nothing kept: for huge files."""
    census = census or CENSUS[layout]
    draw = _Draw(seed, census, la)
    writer = _Writer(layout, tag_case)
    yield writer.header(census, la)
    for i in range(n_persons):
        yield writer.person(draw.person(i))
    yield writer.footer


def write_return(path: pathlib.Path, n_persons: int, *, seed: int = 0, layout: Layout = "2025") -> int:
    """Streams `n_persons` random persons (no edge persons, no oracle) to `path`; returns the bytes written."""
    written = 0
    chunk: list[str] = []
    with open(path, "wb") as out:
        for i, piece in enumerate(iter_xml(n_persons, seed=seed, layout=layout)):
            chunk.append(piece)
            if i % 2000 == 0:
                written += out.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        written += out.write("".join(chunk).encode("utf-8"))
    return written


def _person_span(text: str, upn: str) -> tuple[int, int]:
    at = text.index(f"<UPN>{upn}</UPN>")
    start = text.rindex("\t\t<Person>", 0, at)
    return start, text.index("</Person>", at)


def _in_person(text: str, upn: str, old: str, new: str) -> str:
    start, end = _person_span(text, upn)
    block = text[start:end]
    assert old in block, (upn, old)
    return text[:start] + block.replace(old, new, 1) + text[end:]


def broken_returns() -> dict[str, tuple[bytes, str]]:
    """Small returns, each valid but for one fault, → (file bytes, the raw text the refusal must mention)."""
    edge = edge_case_return("2025")
    text = edge.xml.decode("utf-8")
    upn = EDGE_UPNS["days_140"]
    request = next(p for p in edge.persons if p.upn == upn).requests[0]
    received, start = request.received.isoformat(), request.plan.start.isoformat()
    before = (request.received - timedelta(days=1)).isoformat()
    s, e = _person_span(text, upn)
    block = text[s:e]
    plan = block[block.index("\t\t\t\t\t<NamedPlan>"):block.index("</NamedPlan>\n") + len("</NamedPlan>\n")]
    moved = block.replace(plan, "", 1).replace("\t\t\t\t</Assessment>\n", "\t\t\t\t</Assessment>\n" + plan, 1)
    cut = text.index("<ReceivedDate>", _person_span(text, EDGE_UPNS["days_224"])[0]) + len("<ReceivedDate>") + 4
    return {
        "impossible_date": (_in_person(text, upn, f"<ReceivedDate>{received}<", "<ReceivedDate>2024-02-30<").encode(),
                            "2024-02-30"),
        "plan_before_request": (_in_person(text, upn, f"<StartDate>{start}<", f"<StartDate>{before}<").encode(),
                                before),
        "unknown_code": (_in_person(text, upn, "<RequestOutcome>Y<", "<RequestOutcome>Q<").encode(), "Q"),
        "truncated": (text[:cut].encode(), f"line {text[:cut].count(chr(10)) + 1}"),
        "not_xml": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00", "XML"),
        "wrong_place": ((text[:s] + moved + text[e:]).encode(), "NamedPlan"),
    }


def _block(text: str, name: str) -> str:
    s, e = _person_span(text, EDGE_UPNS[name])
    return text[s:e + len("</Person>\n")]


def _with_block(text: str, name: str, new: str) -> str:
    return text.replace(_block(text, name), new, 1)


def faulty_returns() -> dict[str, tuple[bytes, str]]:
    """The edge return with one thing DfE's checks catch, → (file bytes, the rule code it must raise): errors
    (S2E..) refuse it, queries (S2Q..) let it load. Another authority's LA code is `other_authority_return`."""
    edge = edge_case_return("2025")
    census = edge.census
    text = edge.xml.decode("utf-8")
    person = _block(text, "days_140")
    requests = person[person.index("\t\t\t<Requests>"):person.index("\t\t</Person>")]
    ceased = next(p for p in edge.persons if p.upn == EDGE_UPNS["ceased_on_census"]).requests[0].plan
    pending = next(p for p in edge.persons if p.upn == EDGE_UPNS["pending"])
    upn = EDGE_UPNS
    faults = {
        "person_twice_same": (_with_block(text, "days_140", person + person), "S2Q01"),
        "person_twice_different": (_with_block(text, "days_140", person + person.replace(
            "<RYA>0</RYA>", "<RYA>1</RYA>", 1)), "S2E08"),
        "request_twice_same": (_in_person(text, upn["days_140"], requests, requests + requests), "S2Q02"),
        "request_twice_different": (_in_person(text, upn["days_140"], requests, requests + requests.replace(
            "<RYA>0</RYA>", "<RYA>1</RYA>", 1)), "S2E09"),
        "ceased_before_start": (_in_person(text, upn["ceased_on_census"], f"<CeaseDate>{ceased.cease}<",
                                           f"<CeaseDate>{ceased.start - timedelta(days=1)}<"), "S2E10"),
        "received_after_census": (_in_person(text, upn["pending"], f"<ReceivedDate>{pending.requests[0].received}<",
                                             f"<ReceivedDate>{census + timedelta(days=5)}<"), "S2E11"),
        "cease_decades_ahead": (_in_person(text, upn["ceased_after_census"], f"<CeaseDate>{census + timedelta(1)}<",
                                           f"<CeaseDate>{census.replace(year=census.year + 30)}<"), "S2E11"),
        "received_before_birth": (_in_person(text, upn["pending"], f"<PersonBirthDate>{pending.birth}<",
                                             f"<PersonBirthDate>{census - timedelta(days=5)}<"), "S2E12"),
        "birth_after_census": (_in_person(text, upn["pending"], f"<PersonBirthDate>{pending.birth}<",
                                          f"<PersonBirthDate>{census + timedelta(days=40)}<"), "S2E13"),
        "over_25": (_in_person(text, upn["pending"], f"<PersonBirthDate>{pending.birth}<",
                               f"<PersonBirthDate>{census.replace(year=census.year - 30)}<"), "S2Q03"),
        "no_outcome_after_20_weeks": (_in_person(
            text, upn["pending"], f"<ReceivedDate>{pending.requests[0].received}<",
            f"<ReceivedDate>{census - timedelta(days=150)}<"), "S2Q04"),
        "review_after_census": (_in_person(text, upn["start_year_before"], f"<ReviewMeeting>{census}<",
                                           f"<ReviewMeeting>{census + timedelta(days=3)}<"), "S2Q06"),
    }
    return {name: (data.encode("utf-8"), code) for name, (data, code) in faults.items()}


def other_authority_return(la: str = "201") -> bytes:
    """The edge return with another authority's LA code in its header."""
    return edge_case_return("2025").xml.replace(b"<LEA>839</LEA>", f"<LEA>{la}</LEA>".encode(), 1)
