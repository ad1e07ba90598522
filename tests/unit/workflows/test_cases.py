"""Loading case records into a store: merged, never counted twice, apart from the figures, and never identifying."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import sen2_synthetic as synth

from sendlib.domain import pseudonym
from sendlib.domain.case_measures import compute
from sendlib.domain.cases import CASES
from sendlib.domain.pseudonym import fingerprint, onward_ref
from sendlib.store.delta import DeltaStore
from sendlib.store.integrity import delta_tables
from sendlib.workflows.cases import (
    CaseKeyRefused,
    case_keys,
    cases_key,
    cases_store,
    checked_cases,
    commit_cases,
    computed_figures,
    find_case,
    preview_cases,
    read_cases,
    rekey_cases,
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
    monkeypatch.setenv("SENDLIB_CASES_KEY", "deployment-key-" + "k" * 32)
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


# --- one case key for the life of the records --------------------------------------------------------------------

OLD, NEW, NEWER = (f"{name}-case-key-".encode().ljust(40, b"x") for name in ("old", "new", "newer"))


@pytest.fixture
def keyless(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key from the deployment (nor from a developer's own secrets file): the store's key file decides."""
    monkeypatch.delenv("SENDLIB_CASES_KEY", raising=False)
    monkeypatch.setattr(pseudonym, "SETTINGS_FILE", tmp_path / "no-secrets.toml")


@pytest.fixture(scope="module")
def small() -> synth.Synthetic:
    return synth.generate(120, seed=41, edge_cases=False)


def use_key(monkeypatch: pytest.MonkeyPatch, key: bytes) -> None:
    monkeypatch.setenv("SENDLIB_CASES_KEY", key.decode())


@pytest.mark.usefixtures("keyless")
def test_a_deleted_key_file_is_refused_not_replaced(store: DeltaStore, small: synth.Synthetic) -> None:
    load(store, small)
    made = fingerprint((store.root / "cases.key").read_bytes().strip())
    (store.root / "cases.key").unlink()
    with pytest.raises(CaseKeyRefused, match=f"made with key fingerprint {made}; no key is configured"):
        preview_cases(store, small.xml, "again.xml")
    assert not (store.root / "cases.key").exists()


def test_another_key_is_refused_everywhere_naming_both_fingerprints(
        store: DeltaStore, small: synth.Synthetic, monkeypatch: pytest.MonkeyPatch) -> None:
    use_key(monkeypatch, OLD)
    load(store, small)
    use_key(monkeypatch, NEW)
    line = (f"the case records were made with key fingerprint {fingerprint(OLD)}; the key now configured has "
            f"{fingerprint(NEW)}: restore the old key, or run `python -m sendlib cases rekey --from OLD --to NEW`")
    for attempt in (lambda: preview_cases(store, small.xml, "r.xml"), lambda: checked_cases(store),
                    lambda: find_case(store, read_cases(store), small.identities[0]["upn"])):
        with pytest.raises(CaseKeyRefused) as refused:
            attempt()
        assert str(refused.value) == line


@pytest.mark.parametrize("where", ["env", "settings", "key file"])
def test_a_key_under_32_bytes_is_refused_naming_its_length(
        store: DeltaStore, where: str, keyless: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    short = "k" * 31
    if where == "env":
        monkeypatch.setenv("SENDLIB_CASES_KEY", short)
    elif where == "settings":
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(f'[cases]\nkey = "{short}"\n')
        monkeypatch.setattr(pseudonym, "SETTINGS_FILE", secrets_file)
    else:
        (store.root / "cases.key").write_text(short)
    with pytest.raises(CaseKeyRefused, match="is 31 bytes; a case key must be at least 32 bytes"):
        preview_cases(store, synth.edge_case_return().xml, "e.xml")
    assert not cases_store(store).exists()


@pytest.mark.usefixtures("keyless")
def test_racing_first_loads_make_one_key(tmp_path: Path) -> None:
    """Eight threads at once, twenty times: each round ends with one key, made once, and every racer uses it."""
    for round_ in range(20):
        store = open_store(tmp_path / f"s{round_}")
        store.root.mkdir(parents=True)
        start = threading.Barrier(8)
        results: list[tuple[bytes | None, bool]] = []

        def race(store: DeltaStore = store, start: threading.Barrier = start,
                 results: list[tuple[bytes | None, bool]] = results) -> None:
            start.wait()
            results.append(cases_key(store, create=True))

        threads = [threading.Thread(target=race) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 8
        assert {key for key, _ in results} == {(store.root / "cases.key").read_bytes()}
        assert sum(made for _, made in results) == 1
        assert [p.name for p in store.root.iterdir()] == ["cases.key"]


def test_rekey_is_one_version_and_later_loads_match(
        store: DeltaStore, small: synth.Synthetic, monkeypatch: pytest.MonkeyPatch) -> None:
    use_key(monkeypatch, OLD)
    load(store, small)
    before, loaded = read_cases(store), cases_store(store).head()
    assert loaded is not None
    done = rekey_cases(store, OLD, NEW, author="a.manager")
    after = read_cases(store)
    assert (done.old, done.new) == (fingerprint(OLD), fingerprint(NEW)) and done.key_file is None
    assert [v.action for v in cases_store(store).versions()] == ["rekey", "cases"]
    assert done.version.id == cases_store(store).head() and done.version.revised == len(before)
    assert len(after) == len(before) and not set(after["case_ref"]) & set(before["case_ref"])
    carried = before.assign(case_ref=before["case_ref"].map(lambda ref: onward_ref(NEW, ref)))
    pd.testing.assert_frame_equal(after, CASES.normalise(carried))

    with pytest.raises(CaseKeyRefused, match=f"made with key fingerprint {fingerprint(NEW)}; the key now"):
        preview_cases(store, small.xml, "r.xml")
    use_key(monkeypatch, NEW)
    assert load(store, small)[:2] == (0, 0), "the same return under the new key is the same children"
    upn = next(p["upn"] for p in small.identities if p.get("upn"))
    assert not find_case(store, read_cases(store), upn).empty

    rekey_cases(store, NEW, NEWER)
    use_key(monkeypatch, NEWER)
    assert load(store, small)[:2] == (0, 0), "a chain of three keys still makes the same references"
    log = "".join(p.read_text() for p in Path(cases_store(store).uri).rglob("*.json"))
    for key in (OLD, NEW, NEWER):
        assert key.decode() not in log and key.hex() not in log

    cases_store(store).restore(loaded)
    with pytest.raises(CaseKeyRefused, match=f"made with key fingerprint {fingerprint(OLD)};"):
        checked_cases(store)
    use_key(monkeypatch, OLD)
    assert checked_cases(store)["case_ref"].tolist() == before["case_ref"].tolist()


def test_rekey_from_the_wrong_key_changes_nothing(store: DeltaStore, small: synth.Synthetic,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    use_key(monkeypatch, OLD)
    load(store, small)
    head = cases_store(store).head()
    with pytest.raises(CaseKeyRefused, match=f"made with key fingerprint {fingerprint(OLD)}; the --from key has"):
        rekey_cases(store, NEW, NEWER)
    with pytest.raises(CaseKeyRefused, match="--to is 5 bytes"):
        rekey_cases(store, OLD, b"short")
    assert cases_store(store).head() == head


@pytest.mark.usefixtures("keyless")
def test_rekey_of_a_generated_key_replaces_the_key_file(store: DeltaStore, small: synth.Synthetic) -> None:
    load(store, small)
    old = (store.root / "cases.key").read_bytes().strip()
    done = rekey_cases(store, old, NEW)
    assert done.key_file == store.root / "cases.key" and done.key_file.read_bytes() == NEW
    assert done.key_file.stat().st_mode & 0o077 == 0
    assert case_keys(store)[0] is not None
    assert load(store, small)[:2] == (0, 0)


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
