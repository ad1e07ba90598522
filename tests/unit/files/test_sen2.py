"""The SEN2 reader against returns whose contents the synthetic generator knows (tests/sen2_synthetic.py)."""

from __future__ import annotations

import pytest
import sen2_synthetic as synth

from sendlib.domain.cases import DATE_COLUMNS
from sendlib.domain.paths import ROOT
from sendlib.domain.pseudonym import ref_for_upn
from sendlib.domain.sen2_checks import RULES, rule
from sendlib.files import sen2
from sendlib.files.sen2 import looks_like_sen2, read_sen2
from sendlib.workflows.cases import records_frame

KEY = b"test-key"


@pytest.fixture(scope="module")
def returns() -> dict[str, synth.Synthetic]:
    return {layout: synth.generate(1500, seed=3, layout=layout) for layout in ("2024", "2025")}


@pytest.mark.parametrize("layout", ["2024", "2025"])
def test_a_return_is_read_whole(returns: dict[str, synth.Synthetic], layout: str) -> None:
    made = returns[layout]
    ret = read_sen2(made.xml, KEY)
    assert ret.ok, ret.errors[:3]
    assert (ret.la, ret.census, ret.layout) == (made.la, made.census, layout)
    assert ret.persons == len(made.persons)
    assert ret.requests == sum(len(p.requests) for p in made.persons)


def test_both_layouts_of_the_same_records_give_the_same_rows(returns: dict[str, synth.Synthetic]) -> None:
    """The same seed gives the same persons in either layout, so only the census column may differ."""
    same = synth.generate(400, seed=9, layout="2024", census=synth.CENSUS["2025"])
    other = synth.generate(400, seed=9, layout="2025")
    a, b = (records_frame(read_sen2(s.xml, KEY)) for s in (same, other))
    assert a.drop(columns=["need_type"]).equals(b.drop(columns=["need_type"]))  # DS is written OTH in 2024


def test_tag_case_does_not_matter() -> None:
    upper, lower = synth.generate(300, seed=4), synth.generate(300, seed=4, tag_case="lower")
    assert b"<SENsetting>" in lower.xml and b"<SENsetting>" not in upper.xml
    assert records_frame(read_sen2(upper.xml, KEY)).equals(records_frame(read_sen2(lower.xml, KEY)))


def test_no_identity_field_reaches_the_records(returns: dict[str, synth.Synthetic]) -> None:
    made = returns["2025"]
    records = records_frame(read_sen2(made.xml, KEY))
    text = records.astype(str).to_csv()
    for person in made.identities:
        for field in ("surname", "forename", "postcode", "upn", "uln"):
            if person.get(field):
                assert person[field] not in text, field
    # A birth date may equal someone else's request date; it must not sit in the person's own row.
    births = {ref_for_upn(KEY, p["upn"]): p["birth_date"] for p in made.identities if p.get("upn")}
    dates = records[["case_ref", *DATE_COLUMNS]].astype(str)
    own = dates[dates["case_ref"].map(births).notna()]
    assert not (own[DATE_COLUMNS].eq(own["case_ref"].map(births), axis=0)).any().any()


@pytest.mark.parametrize("name", sorted(synth.broken_returns()))
def test_a_broken_return_is_refused_naming_what_is_wrong(name: str) -> None:
    data, must_name = synth.broken_returns()[name]
    ret = read_sen2(data, KEY)
    assert not ret.ok
    message = " ".join(str(e) for e in ret.errors)
    assert must_name in message, message
    if name not in ("not_xml",):
        assert "line " in message
    if name in ("impossible_date", "plan_before_request", "unknown_code", "wrong_place"):
        assert "Person " in message


def test_an_unknown_code_lists_the_codes_allowed() -> None:
    data, _ = synth.broken_returns()["unknown_code"]
    message = str(read_sen2(data, KEY).errors[0])
    assert "RequestOutcome" in message and "'Q'" in message and "(Y, N, A, W, H)" in message


def test_problems_are_capped_but_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sen2, "MAX_LISTED", 20)
    made = synth.generate(200, seed=5)
    broken = made.xml.replace(b"<RequestOutcome>Y<", b"<RequestOutcome>Q<")
    ret = read_sen2(broken, KEY)
    assert ret.error_count > 20 and len(ret.errors) == 20
    assert ret.query_count > 0 and ret.query_count == len(ret.warnings)


@pytest.mark.parametrize("name", sorted(synth.faulty_returns()))
def test_each_check_raises_its_code_located_and_errors_alone_refuse(name: str) -> None:
    data, code = synth.faulty_returns()[name]
    ret = read_sen2(data, KEY)
    found = [p for p in [*ret.errors, *ret.queries] if p.code == code]
    assert found, [str(p) for p in [*ret.errors, *ret.queries]]
    assert ret.ok is (rule(code).severity == "query"), [str(e) for e in ret.errors]
    assert all(p.person and p.line for p in found)
    assert all(str(p).startswith(f"{code} Person ") and p.fix for p in found)


def test_no_check_repeats_an_identity_value() -> None:
    edge = synth.edge_case_return("2025")
    identity = [v for person in edge.identities for v in person.values()]
    for data, _ in synth.faulty_returns().values():
        ret = read_sen2(data, KEY)
        text = " ".join(f"{p} {p.fix}" for p in [*ret.errors, *ret.queries])
        assert not [v for v in identity if v and v in text]


def test_a_person_or_request_given_twice_the_same_is_loaded_once() -> None:
    plain = records_frame(read_sen2(synth.edge_case_return("2025").xml, KEY))
    for name in ("person_twice_same", "request_twice_same"):
        ret = read_sen2(synth.faulty_returns()[name][0], KEY)
        assert ret.requests == len(plain) and records_frame(ret).equals(plain), name


def test_a_generated_return_raises_no_error_and_only_the_queries_it_was_made_with(
        returns: dict[str, synth.Synthetic]) -> None:
    ret = read_sen2(returns["2025"].xml, KEY)
    assert ret.error_count == 0
    assert {p.code for p in ret.queries} <= {"S2Q05", "S2Q06"}


def test_every_rule_is_documented_with_its_severity_and_fix() -> None:
    doc = (ROOT / "docs" / "sen2-checks.md").read_text(encoding="utf-8")
    for code, r in RULES.items():
        assert f"| {code} | {r.severity} | {r.title} | {r.fix} |" in doc, code


def test_an_entity_is_not_expanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<Message><Header><CollectionDetails><Collection>&b;</Collection></CollectionDetails></Header>"
            b"<Persons/></Message>")
    ret = read_sen2(bomb, KEY)
    assert "aaaaaaaaaa" not in " ".join(str(e) for e in ret.errors)


def test_warnings_do_not_refuse() -> None:
    made = synth.edge_case_return()
    ret = read_sen2(made.xml, KEY)
    assert ret.ok
    assert any("ceased" in str(w) for w in ret.warnings)  # the plan ceased on census day keeps its ActivePlans


@pytest.mark.parametrize(("data", "name", "expected"), [
    (b'<?xml version="1.0"?>\n<Message><Header><CollectionDetails><Collection>SEN2</Collection>', "x.bin", True),
    (b"kpi_id,period,value\n", "x.csv", False),
    (b"\x89PNG\r\n", "return.xml", True),
    (b"", "", False),
])
def test_looks_like_sen2(data: bytes, name: str, expected: bool) -> None:
    assert looks_like_sen2(data, name) is expected


def test_a_bad_birth_date_is_refused_without_repeating_it() -> None:
    made = synth.edge_case_return()
    birth = made.identities[0]["birth_date"]
    day = f"{birth[8:]}/{birth[5:7]}/{birth[:4]}"
    ret = read_sen2(made.xml.replace(f"<PersonBirthDate>{birth}<".encode(), f"<PersonBirthDate>{day}<".encode(), 1),
                    KEY)
    assert not ret.ok
    message = str(ret.errors[0])
    assert "PersonBirthDate" in message and "withheld" in message
    assert day not in message and birth not in message
