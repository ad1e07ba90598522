"""tests/sen2_synthetic.py is the oracle the SEN2 reader and the measures are tested against, so it is tested here on
its own: the XML has the mockup's shape, the edge cases are what their names say, and the figures add up by hand."""

from __future__ import annotations

import datetime
import inspect
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import sen2_synthetic as s2

MOCKUP = Path("/work/shared/sen2/SEN2-2024-mockup.xml")
CENSUS_2025 = datetime.date(2025, 1, 16)

# Each element's children in the mockup's order, with the 2025 items put where tests/sen2_synthetic.py writes them.
ORDER: dict[str, tuple[str, ...]] = {
    "Message": ("Header", "Persons"),
    "Header": ("CollectionDetails", "Source"),
    "CollectionDetails": ("Collection", "Year", "ReferenceDate"),
    "Source": ("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime", "DMO", "DCO", "DSCO"),
    "Persons": ("Person",),
    "Person": ("Surname", "Forename", "PersonBirthDate", "Sex", "Ethnicity", "PostCode", "UPN",
               "UniqueLearnerNumber", "UPNunknown", "Requests"),
    "Requests": ("ReceivedDate", "RequestSource", "RYA", "RequestOutcomeDate", "RequestOutcome", "RequestMediation",
                 "RequestTribunal", "Exported", "Assessment", "ActivePlans"),
    "Assessment": ("AssessmentOutcome", "AssessmentOutcomeDate", "AssessmentMediation", "AssessmentTribunal",
                   "OtherMediation", "OtherTribunal", "Week20", "NamedPlan"),
    "NamedPlan": ("StartDate", "PlanDetail", "PlanRes", "PlanWBP", "PB", "OA", "DP", "CeaseDate", "CeaseReason"),
    "PlanDetail": ("URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "SENunitIndicator",
                   "ResourcedProvisionIndicator"),
    "ActivePlans": ("TransferLA", "PlacementDetail", "SENneed", "ReviewMeeting", "ReviewOutcome", "ReviewDraft",
                    "PhaseTransferDueDate", "PhaseTransferFinalDate", "LastReview"),
    "PlacementDetail": ("URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "EntryDate", "LeavingDate",
                        "SENunitIndicator", "ResourcedProvisionIndicator", "Res", "WBP"),
    "SENneed": ("SENtype", "SENtypeRank"),
}


@pytest.fixture(scope="module")
def big() -> s2.Synthetic:
    return s2.generate(3000, seed=42)


@pytest.fixture(scope="module")
def big_root(big: s2.Synthetic) -> ET.Element:
    return ET.fromstring(big.xml)


@pytest.fixture(scope="module")
def edge() -> s2.Synthetic:
    return s2.edge_case_return()


def _children_order(root: ET.Element) -> dict[str, set[tuple[str, ...]]]:
    """Each parent tag → the sequences of its children's tags, repeats of one tag run together."""
    seen: dict[str, set[tuple[str, ...]]] = {}
    for parent in root.iter():
        tags: list[str] = []
        for child in parent:
            if not tags or tags[-1] != child.tag:
                tags.append(child.tag)
        if tags:
            seen.setdefault(parent.tag, set()).add(tuple(tags))
    return seen


def _date(text: str | None) -> datetime.date:
    return datetime.date.fromisoformat(text or "")


def _person(root: ET.Element, upn: str) -> ET.Element:
    return next(p for p in root.iter("Person") if p.findtext("UPN") == upn)


@pytest.mark.skipif(not MOCKUP.is_file(), reason=f"the shared mockup is not at {MOCKUP}")
def test_order_table_is_the_mockups_own() -> None:
    mockup = _children_order(ET.parse(MOCKUP).getroot())
    for parent, sequences in mockup.items():
        order = tuple(tag for tag in ORDER[parent] if tag not in s2.NEW_IN_2025)
        for tags in sequences:
            assert [t for t in order if t in tags] == list(tags), parent
        assert set().union(*sequences) == set(order), parent


@pytest.mark.parametrize("layout", ["2024", "2025"])
def test_well_formed_with_the_mockups_names_nesting_and_order(layout: str) -> None:
    synthetic = s2.generate(400, seed=7, layout=layout)
    root = ET.fromstring(synthetic.xml)
    assert root.tag == "Message"
    assert root.findtext("Header/CollectionDetails/Year") == layout
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == s2.CENSUS[layout].isoformat()
    assert root.findtext("Header/Source/LEA") == synthetic.la == "839"
    assert len(root.findall("Persons/Person")) == len(synthetic.persons) == 400 + len(s2.EDGE_UPNS) + 2
    for parent, sequences in _children_order(root).items():
        for tags in sequences:
            positions = [ORDER[parent].index(tag) for tag in tags]
            assert positions == sorted(set(positions)), (parent, tags)
    assert root.find(".//Requests/NamedPlan") is None
    assert root.find(".//NamedPlan/ActivePlans") is None
    assert b"\t\t\t\t<ActivePlans>\n" in synthetic.xml and b"\r" not in synthetic.xml


def _tree(e: ET.Element, leave_out: tuple[str, ...] = ()) -> tuple:
    """The element as nested tuples, layout whitespace aside; a 2025 `DS` need reads as 2024's `OTH`."""
    text = (e.text or "").strip()
    text = "OTH" if e.tag == "SENtype" and text == "DS" else text
    return e.tag, text, tuple(_tree(c, leave_out) for c in e if c.tag not in leave_out)


def test_layouts_differ_exactly_by_the_2025_items() -> None:
    old = ET.fromstring(s2.generate(600, seed=5, layout="2024", census=CENSUS_2025).xml)
    new = ET.fromstring(s2.generate(600, seed=5, layout="2025", census=CENSUS_2025).xml)
    assert not [e for e in old.iter() if e.tag in s2.NEW_IN_2025]
    assert {e.tag for e in new.iter() if e.tag in s2.NEW_IN_2025} == set(s2.NEW_IN_2025)
    assert all(r.find("RequestSource") is not None for r in new.iter("Requests"))
    assert all(a.find("PhaseTransferFinalDate") is not None for a in new.iter("ActivePlans"))
    assert "DS" in {e.text for e in new.iter("SENtype")}
    assert _tree(new, s2.NEW_IN_2025) == _tree(old)


def test_lower_case_supplier_changes_only_the_setting_tag() -> None:
    mockup = s2.generate(200, seed=3).xml
    lower = s2.generate(200, seed=3, tag_case="lower").xml
    assert b"<SENSetting>" not in lower and b"<SENsetting>" in lower and b"<SENSettingOther>" in lower
    assert lower == mockup.replace(b"<SENSetting>", b"<SENsetting>").replace(b"</SENSetting>", b"</SENsetting>")


def test_edge_cases_have_their_intended_day_counts(edge: s2.Synthetic) -> None:
    root = ET.fromstring(edge.xml)
    census = edge.census
    issue = s2.edge_issue_date(census)
    for name, days in {**s2.EDGE_PLAN_DAYS, "week20": 200, "mediation": 100}.items():
        request = _person(root, s2.EDGE_UPNS[name]).find("Requests")
        start = _date(request.findtext("Assessment/NamedPlan/StartDate"))
        assert start == issue and (start - _date(request.findtext("ReceivedDate"))).days == days, name
        assert request.findtext("Assessment/AssessmentOutcome") == "Y"
        assert request.findtext("Assessment/Week20") == ("1" if name == "week20" else "0")
        assert request.findtext("RequestMediation") == ("1" if name == "mediation" else "0")
    for days in (41, 42, 43):
        for outcome in "YN":
            request = _person(root, s2.EDGE_UPNS[f"decided_{days}_{outcome}"]).find("Requests")
            decided = _date(request.findtext("RequestOutcomeDate"))
            assert decided == s2.edge_decision_date(census) and request.findtext("RequestOutcome") == outcome
            assert (decided - _date(request.findtext("ReceivedDate"))).days == days
    for name, days in (("review_365", 365), ("review_366", 366), ("start_year_before", 0)):
        meeting = _date(_person(root, s2.EDGE_UPNS[name]).findtext("Requests/ActivePlans/ReviewMeeting"))
        assert (census - meeting).days == days
    assert _person(root, s2.EDGE_UPNS["start_year_before"]).findtext(".//StartDate") == "2024-01-16"
    assert _person(root, s2.EDGE_UPNS["start_year_after"]).findtext(".//StartDate") == "2024-01-17"
    assert _person(root, s2.EDGE_UPNS["ceased_on_census"]).findtext(".//CeaseDate") == "2025-01-16"
    assert _person(root, s2.EDGE_UPNS["ceased_after_census"]).findtext(".//CeaseDate") == "2025-01-17"
    assert len(_person(root, s2.EDGE_UPNS["two_requests"]).findall("Requests")) == 2


def test_edge_persons_without_a_upn_are_keyed_by_uln_or_name(edge: s2.Synthetic) -> None:
    root = ET.fromstring(edge.xml)
    no_id = next(p for p in root.iter("Person") if not p.findtext("UPN") and not p.findtext("UniqueLearnerNumber"))
    assert no_id.findtext("UPNunknown") == "UN2"
    assert "|".join([no_id.findtext("Surname"), no_id.findtext("Forename"),
                     no_id.findtext("PersonBirthDate")]) == s2.EDGE_NO_ID_KEY
    refused = no_id.findtext("Requests/ReceivedDate")
    assert (s2.EDGE_NO_ID_KEY, refused) in edge.expected_cases[("decisions", refused[:7])]
    uln = s2.EDGE_ULNS["uln_only"]
    withdrawn = {case for cases in edge.expected_cases.values() for case in cases if case[0] == uln}
    assert withdrawn == {(uln, "2024-05-03")}


def test_hand_computed_figures_on_the_edge_return(edge: s2.Synthetic) -> None:
    e = edge.expected
    june, october, census = "2024-06", "2024-10", "2025-01-16"
    assert e[("plans_issued", june)] == s2.Expected(9.0, None, None)
    assert e[("within_20_incl", june)].value == 3.0
    assert e[("rate_incl", june)] == s2.Expected(33.3, 3, 9)
    assert e[("within_20_ex", june)] == s2.Expected(3.0, None, None)
    assert e[("rate_ex", june)] == s2.Expected(37.5, 3, 8)
    assert e[("mean_days_ex", june)] == s2.Expected(212.3, 1698, 8)
    assert e[("mean_weeks_ex", june)] == s2.Expected(30.3, 1698, 8)
    assert e[("pct_over_32_ex", june)] == s2.Expected(37.5, 3, 8)
    assert e[("pct_over_52_ex", june)] == s2.Expected(12.5, 1, 8)
    assert e[("rate_dfe", june)] == s2.Expected(25.0, 2, 8)
    assert e[("rate_6", october)] == s2.Expected(66.7, 4, 6)
    assert e[("rate_ex", october)] == s2.Expected(None, 0, 0)
    assert e[("plans_issued", october)] == s2.Expected(0.0, None, None)
    assert e[("active_plans", census)].value == 15.0
    assert e[("review_rate", census)] == s2.Expected(75.0, 3, 4)
    assert e[("open_assessments", census)].value == 3.0
    assert e[("awaiting_plan", census)].value == 1.0
    assert e[("pending_requests", census)].value == 1.0
    assert e[("plans_issued", "2024")].value == 10.0
    due = {case[0] for case in edge.expected_cases[("review_rate", census)]}
    names = ("review_365", "review_366", "ceased_after_census", "start_year_before")
    assert due == {s2.EDGE_UPNS[n] for n in names}
    ex = {case[0] for case in edge.expected_cases[("rate_ex", june)]}
    assert s2.EDGE_UPNS["week20"] not in ex and s2.EDGE_UPNS["mediation"] in ex and len(ex) == 8


def test_every_code_occurs_in_a_3000_person_return(big_root: ET.Element) -> None:
    def values(tag: str) -> Counter[str]:
        return Counter(e.text or "" for e in big_root.iter(tag))

    assert set("YNAWH") <= set(values("RequestOutcome"))
    assert set("YNAWH") <= set(values("AssessmentOutcome"))
    assert {str(n) for n in range(1, 10)} <= set(values("CeaseReason"))
    assert set("ACM") <= set(values("ReviewOutcome"))
    assert {str(n) for n in range(1, 6)} <= set(values("RequestSource"))
    week20 = values("Week20")
    assert 0.05 < week20["1"] / (week20["0"] + week20["1"]) < 0.15
    assert {"1"} <= set(values("RequestMediation")) and {"1"} <= set(values("AssessmentTribunal"))
    assert set(s2.SETTINGS) <= set(values("SENSetting"))
    assert len([u for u in values("URN") if u]) > 1000
    assert len(set(values("UPNunknown"))) > 2
    assert {"1", "2"} <= set(values("SENtypeRank")) and {"1", "2"} <= set(values("PlacementRank"))
    assert any(len(p.findall("Requests")) == 2 for p in big_root.iter("Person"))
    assert any(not p.findtext("UPN") and p.findtext("UniqueLearnerNumber") for p in big_root.iter("Person"))


def test_dates_in_the_xml_are_in_order(big_root: ET.Element, big: s2.Synthetic) -> None:
    census = big.census
    for request in big_root.iter("Requests"):
        received = _date(request.findtext("ReceivedDate"))
        assert received < census
        if request.findtext("RequestOutcomeDate"):
            assert received <= _date(request.findtext("RequestOutcomeDate")) <= census
        if start := request.findtext("Assessment/NamedPlan/StartDate"):
            assert received <= _date(start) <= census
            if meeting := request.findtext("ActivePlans/ReviewMeeting"):
                assert _date(start) <= _date(meeting) <= census
                assert _date(request.findtext("Assessment/NamedPlan/CeaseDate") or "9999-12-31") > _date(meeting)
            for placement in request.iter("PlacementDetail"):
                left = placement.findtext("LeavingDate")
                assert _date(start) <= _date(placement.findtext("EntryDate")) <= _date(left or "9999-12-31")


def test_oracle_counts_agree_with_its_cases_and_cover_every_period(big: s2.Synthetic) -> None:
    first = min(r.received for p in big.persons for r in p.requests)
    periods = {period for _, period in big.expected}
    assert {f"{first.year}-{first.month:02d}", "2025-01", str(first.year), "2025", "2025-01-16"} <= periods
    assert len([p for p in periods if len(p) == 7]) == (2025 - first.year) * 12 + 1 - first.month + 1
    assert big.expected.keys() == big.expected_cases.keys()
    for (measure, period), figure in big.expected.items():
        cases = big.expected_cases[(measure, period)]
        if figure.denominator is None:
            assert figure.value == len(cases)
        else:
            assert figure.denominator == len(cases)
            assert (figure.value is None) == (figure.denominator == 0)
    received = sum(big.expected[("requests_received", str(y))].value for y in range(first.year, 2026))
    assert received == sum(len(p.requests) for p in big.persons)
    assert big.expected[("plans_issued", "2024")].value > 500
    assert 40 < big.expected[("rate_ex", "2024")].value < 90


def test_identities_are_everyone_and_are_in_the_xml(big: s2.Synthetic) -> None:
    assert len(big.identities) == len(big.persons)
    text = big.xml.decode("utf-8")
    assert len({i["surname"] for i in big.identities}) == len(big.identities)
    for identity in big.identities[::50]:
        assert {"surname", "forename", "birth_date", "postcode"} <= identity.keys()
        for value in identity.values():
            assert value in text
    upns = [i["upn"] for i in big.identities if "upn" in i]
    assert all(len(u) == 13 and u[0].isalpha() and u[1:].isdigit() for u in upns)
    assert all(len(i["uln"]) == 10 and i["uln"].isdigit() for i in big.identities if "uln" in i)


def test_same_seed_same_return() -> None:
    assert s2.generate(300, seed=1).xml == s2.generate(300, seed=1).xml
    assert s2.generate(300, seed=1).xml != s2.generate(300, seed=2).xml


def test_write_return_streams_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "sen2.xml"
    written = s2.write_return(path, 2000, seed=9)
    assert written == path.stat().st_size
    assert path.read_bytes() == s2.generate(2000, seed=9, edge_cases=False).xml
    assert len(ET.parse(path).getroot().findall("Persons/Person")) == 2000
    pieces = s2.iter_xml(50, seed=9)
    assert inspect.isgenerator(pieces)
    assert sum(1 for _ in pieces) == 52


def test_broken_returns_each_have_one_fault() -> None:
    broken = s2.broken_returns()
    assert broken.keys() == {"impossible_date", "plan_before_request", "unknown_code", "truncated", "not_xml",
                             "wrong_place"}
    for name in ("impossible_date", "plan_before_request", "unknown_code", "wrong_place"):
        data, text = broken[name]
        ET.fromstring(data)
        assert text.encode() in data, name
    assert broken["impossible_date"][1] == "2024-02-30" and broken["unknown_code"][1] == "Q"
    assert b"<RequestOutcome>Q</RequestOutcome>" in broken["unknown_code"][0]
    plan_before = ET.fromstring(broken["plan_before_request"][0])
    request = _person(plan_before, s2.EDGE_UPNS["days_140"]).find("Requests")
    assert _date(request.findtext("Assessment/NamedPlan/StartDate")) < _date(request.findtext("ReceivedDate"))
    wrong = ET.fromstring(broken["wrong_place"][0])
    assert len(wrong.findall(".//Requests/NamedPlan")) == 1
    for name in ("truncated", "not_xml"):
        data, text = broken[name]
        with pytest.raises(ET.ParseError) as error:
            ET.fromstring(data)
        if name == "truncated":
            assert text in str(error.value)
            assert s2.edge_case_return().xml.startswith(data)
