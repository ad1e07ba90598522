"""Loading case records into a store: merged, never counted twice, apart from the figures, and never identifying."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import sen2_synthetic as synth

from sendlib.domain.case_measures import compute
from sendlib.store.delta import DeltaStore
from sendlib.store.integrity import delta_tables
from sendlib.workflows.cases import (
    cases_key,
    cases_store,
    commit_cases,
    computed_figures,
    find_case,
    preview_cases,
    read_cases,
)
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    store = open_store(tmp_path / "store")
    store.root.mkdir()
    return store


def load(store: DeltaStore, made: synth.Synthetic, name: str = "return.xml") -> tuple[int, int, int]:
    preview = preview_cases(store, made.xml, name)
    assert preview.ok, preview.errors[:3]
    commit_cases(store, preview, author="a.manager")
    return preview.new, preview.revised, preview.unchanged


def test_the_same_file_twice_counts_nobody_twice(store: DeltaStore) -> None:
    made = synth.generate(800, seed=21)
    requests = sum(len(p.requests) for p in made.persons)
    assert load(store, made) == (requests, 0, 0)
    assert load(store, made) == (0, 0, requests)
    assert len(read_cases(store)) == requests
    assert len(cases_store(store).versions()) == 1


def test_the_other_layout_of_the_same_records_changes_nothing_but_the_need_code(store: DeltaStore) -> None:
    load(store, synth.generate(500, seed=22, layout="2025"))
    down_syndrome = int((read_cases(store)["need_type"] == "DS").sum())
    new, revised, _ = load(store, synth.generate(500, seed=22, layout="2024", census=synth.CENSUS["2025"]))
    assert (new, revised) == (0, down_syndrome)  # DS is written OTH in the 2024 layout


def test_next_years_return_updates_the_requests_it_shares(store: DeltaStore) -> None:
    first = synth.generate(400, seed=23, layout="2024")
    load(store, first)
    held = len(read_cases(store))
    second = synth.generate(400, seed=23, layout="2025")
    new, revised, unchanged = load(store, second)
    assert len(read_cases(store)) == held + new
    assert read_cases(store)["census"].max() == pd.Timestamp(second.census)
    assert new + revised + unchanged == sum(len(p.requests) for p in second.persons)


def test_figures_uploads_and_restores_never_touch_the_cases(store: DeltaStore) -> None:
    with store.writing():
        init_store(store)
    load(store, synth.generate(300, seed=24))
    before = cases_store(store).head()
    store.restore(store.versions()[0].id)
    assert cases_store(store).head() == before
    assert len(read_cases(store)) > 0


def test_a_cases_version_is_restorable(store: DeltaStore) -> None:
    load(store, synth.generate(300, seed=25, edge_cases=False))
    first = len(read_cases(store))
    load(store, synth.edge_case_return())
    assert len(read_cases(store)) > first
    cases_store(store).restore("000001")
    assert len(read_cases(store)) == first


def test_a_refused_return_writes_nothing(store: DeltaStore) -> None:
    data, _ = synth.broken_returns()["plan_before_request"]
    preview = preview_cases(store, data, "bad.xml")
    assert not preview.ok
    with pytest.raises(ValueError):
        commit_cases(store, preview)
    assert not cases_store(store).exists()


def test_a_key_is_made_once_and_kept(store: DeltaStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENDLIB_CASES_KEY", raising=False)
    assert cases_key(store) == (None, False)
    first = preview_cases(store, synth.edge_case_return().xml, "e.xml")
    assert first.key_made
    assert not preview_cases(store, synth.edge_case_return().xml, "e.xml").key_made
    assert (store.root / "cases.key").stat().st_mode & 0o077 == 0


def test_a_configured_key_wins(store: DeltaStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDLIB_CASES_KEY", "deployment-key")
    preview = preview_cases(store, synth.edge_case_return().xml, "e.xml")
    assert not preview.key_made and not (store.root / "cases.key").exists()


def test_find_a_case_by_upn(store: DeltaStore) -> None:
    made = synth.edge_case_return()
    load(store, made)
    found = find_case(store, read_cases(store), synth.EDGE_UPNS["two_requests"].lower() + " ")
    assert len(found) == 2
    assert find_case(store, read_cases(store), "A000000000000").empty


def test_computed_figures_sit_beside_the_kpis_they_feed(store: DeltaStore) -> None:
    made = synth.generate(1000, seed=26)
    load(store, made)
    figures = computed_figures(read_cases(store), {"b04-20-week-rate-excl-exceptions": "board", "ehcps": "scorecard"})
    assert set(figures["series"]) == {"computed"}
    month = synth.edge_issue_date(made.census).strftime("%Y-%m")
    rate = figures[(figures["kpi_id"] == "b04-20-week-rate-excl-exceptions") & (figures["period"] == month)]
    assert rate["value"].item() == made.expected[("rate_ex", month)].value
    caseload = figures[figures["kpi_id"] == "ehcps"]
    assert caseload["period"].tolist() == [made.census.strftime("%Y-%m")]
    assert caseload["value"].item() == made.expected[("active_plans", made.census.isoformat())].value


def test_no_identity_is_in_any_file_of_the_store(store: DeltaStore) -> None:
    """Every table read back, every other file read raw: no name, postcode, UPN, ULN or date of birth."""
    made = synth.generate(600, seed=27)
    with store.writing():
        init_store(store)
    load(store, made)
    load(store, synth.edge_case_return())
    cells: set[str] = set()
    for table in delta_tables(store):
        for parquet in Path(table.uri).rglob("*.parquet"):
            frame = pq.read_table(parquet).to_pandas().astype(str)
            cells.update(str(c) for c in frame.columns)
            for column in frame.columns:
                cells.update(str(v) for v in frame[column].unique())
    raw = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in store.root.rglob("*")
                    if p.is_file() and p.suffix not in (".parquet", ".crc"))
    assert "case_ref" in cells and "cases" in raw  # the scan did read the cases table and its records
    text = "\n".join(c for c in cells if len(c) > 3)
    for person in made.identities:
        for field in ("surname", "forename", "postcode", "upn", "uln"):
            if person.get(field):
                assert person[field] not in cells and person[field] not in raw, field
        assert person["surname"] not in text
    held = read_cases(store)
    assert not set(held.columns) & {"surname", "forename", "postcode", "upn", "uln", "birth_date", "dob"}
    assert compute(held).shape[0] > 0


def test_another_authority_s_return_is_refused_naming_both_and_nothing_is_written(store: DeltaStore) -> None:
    preview = preview_cases(store, synth.other_authority_return("201"), "theirs.xml")
    assert not preview.ok and preview.incoming.empty
    (problem,) = [e for e in preview.errors if e.code == "S2E07"]
    assert problem.path == "Message/Header/Source/LEA" and problem.value == "201" and problem.line
    assert "City of London (201)" in problem.message
    assert "Bournemouth, Christchurch and Poole (839), the authority being written" in problem.message
    with pytest.raises(ValueError):
        commit_cases(store, preview)
    assert not cases_store(store).exists()


def test_the_same_return_loads_into_its_own_authority(tmp_path: Path) -> None:
    theirs = open_store(tmp_path / "store", la="201")
    preview = preview_cases(theirs, synth.other_authority_return("201"), "theirs.xml")
    assert preview.ok, [str(e) for e in preview.errors]


def test_a_return_without_an_la_code_is_refused(store: DeltaStore) -> None:
    raw = synth.edge_case_return().xml.replace(b"<LEA>839</LEA>", b"<LEA></LEA>")
    assert [e.code for e in preview_cases(store, raw, "x.xml").errors] == ["S2E03"]
