"""Uploads as managers make them: Excel next to CSV, other encodings and separators, the refusal
classes not covered in test_imports, two managers loading at once, and a crash mid-write."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest
from locations import DATA_DIR

from sendlib.domain.catalogue import load_catalogue
from sendlib.files.parsed import Notice, WarningGroup, WarningKind
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import StoreError
from sendlib.workflows.load import ImportRefused, init_store, load_file, preview_bytes
from sendlib.workflows.stores import open_store


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("uploads") / "store"
    init_store(open_store(path))
    return path


@pytest.fixture
def store(built: Path, tmp_path: Path) -> DeltaStore:
    shutil.copytree(built, tmp_path / "store")
    return open_store(tmp_path / "store")


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_xlsx_with_date_headers_percent_fractions_and_text_numbers_reads_as_the_csv(store: DeltaStore) -> None:
    catalogue = load_catalogue()
    from_csv = preview_bytes((DATA_DIR / "scorecard_new_month.csv").read_bytes(), "m.csv", store, catalogue)
    from_xlsx = preview_bytes((DATA_DIR / "scorecard_new_month.xlsx").read_bytes(), "m.xlsx", store, catalogue)
    assert not from_xlsx.errors
    assert from_xlsx.counts == from_csv.counts == {"new": 2, "revised": 1, "unchanged": 970}
    a = from_csv.incoming.drop(columns="note")
    b = from_xlsx.incoming.drop(columns="note")
    assert a.equals(b)


def test_month_added_as_xlsx_lands_with_earlier_months_untouched(store: DeltaStore) -> None:
    before = store.read()
    load_file(store, DATA_DIR / "scorecard_new_month.xlsx")
    after = store.read()
    new = after[(after["kpi_id"] == "ehcps") & (after["period"] == "2025-03")]
    assert new["value"].tolist() == [4501.0]
    untouched = before[~((before["kpi_id"] == "ehcps") & (before["period"] == "2025-01"))]
    assert untouched.merge(after, how="left", indicator=True)["_merge"].eq("both").all()


@pytest.mark.parametrize(
    ("encoding", "bom", "sep"),
    [("utf-8", True, ","), ("cp1252", False, ";"), ("utf-8", False, "\t")],
    ids=["utf8-bom-comma", "windows1252-semicolon", "utf8-tab"],
)
def test_csv_encodings_and_separators(store: DeltaStore, encoding: str, bom: bool, sep: str) -> None:
    text = sep.join(["KPI", "Feb 25", "Target"]) + "\r\n" + sep.join(["% parent/carer who are happy with the EHCP (out of 6 cases per month)", "83%", ""]) + "\r\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    preview = preview_bytes(data, "f.csv", store, load_catalogue())
    assert not preview.errors, preview.errors
    assert preview.incoming[["kpi_id", "period", "value"]].values.tolist() == [["parent-happy-with-ehcp-pct", "2025-02", 83.0]]


@pytest.mark.parametrize(
    ("name", "row", "column", "raw", "problem"),
    [
        ("negative_count.csv", 3, "value", "-5", "a count cannot be negative"),
        ("impossible_period.csv", 3, "2025-13", "2025-13", "there is no month 13"),
    ],
)
def test_more_refusals_name_the_cell_and_write_nothing(store: DeltaStore, name: str, row: int, column: str, raw: str, problem: str) -> None:
    before = files(store.root)
    with pytest.raises(ImportRefused) as info:
        load_file(store, DATA_DIR / name)
    error = info.value.preview.errors[0]
    assert (error.row, error.column, error.raw) == (row, column, raw)
    assert problem in error.problem
    assert files(store.root) == before


def _load(root: str, path: str) -> None:
    load_file(open_store(root), Path(path))


def test_two_managers_loading_at_once_both_land(store: DeltaStore, tmp_path: Path) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text("kpi_id,period,value\ncomplaints,2025-02,11\n", encoding="utf-8")
    two.write_text("kpi_id,period,value\ncompliments,2025-02,7\n", encoding="utf-8")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_load, args=(str(store.root), str(p))) for p in (one, two)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    table = store.read()
    feb = table[table["period"] == "2025-02"].set_index("kpi_id")["value"]
    assert feb["complaints"] == 11 and feb["compliments"] == 7
    assert len(store.versions()) == 3, "the bundled scorecard and the two uploads (the board report is another council's)"


def test_a_write_that_fails_leaves_the_last_good_version_readable(store: DeltaStore,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import deltalake

    good = store.read()
    head = store.head()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk vanished")

    monkeypatch.setattr(deltalake, "write_deltalake", crash)  # new rows are appended,
    monkeypatch.setattr(deltalake.DeltaTable, "merge", crash)  # revised ones merged
    with pytest.raises(StoreError, match="disk vanished"):
        load_file(store, DATA_DIR / "scorecard_new_month.csv")
    monkeypatch.undo()
    assert store.head() == head
    assert store.read().equals(good)
    assert [v.id for v in store.versions()] == ["000001"], "the failed write is not in history"
    info = load_file(store, DATA_DIR / "scorecard_new_month.csv")[1]
    assert info is not None and info.id == "000003", "after the board report's council's version 000002"
    assert [v.id for v in store.versions()] == ["000003", "000001"]


def test_warnings_that_do_not_block(store: DeltaStore) -> None:
    data = (
        b"kpi_id,period,value\n"
        b"sen-support,2025-02,99999\n"  # far outside 7,143-7,552
        b"mediations-cumulative,2025-02,30\n"  # the calendar-year total was 42 in January
        b"complaints,2024-12,15\n"  # was 12: a revised past value
        b"compliments,2025-02,4\n"  # ordinary
    )
    preview = preview_bytes(data, "w.csv", store, load_catalogue())
    assert not preview.errors
    text = "\n".join(str(w) for w in preview.warnings)
    assert "No. of SEN Support, 2025-02: 99999 is far outside its recent range (7143 to 7552)" in text
    assert "Total number of mediations (cumulative figure calendar year), 2025-02: a cumulative total fell mid-year" in text
    assert "No. of complaints, 2024-12 (actual): revised 12 → 15" in text
    assert "compliments" not in text.lower()
    assert preview.counts == {"new": 3, "revised": 1, "unchanged": 0}


def test_a_cumulative_percentage_that_falls_is_not_a_total_that_fell(store: DeltaStore) -> None:
    """`% of cases where the LA conceded (cumulative calendar)` is a rate so far this year: it may fall."""
    data = b"kpi_id,period,value\ntribunal-la-conceded-pct,2025-02,40\nmediations-cumulative,2025-02,30\n"
    preview = preview_bytes(data, "rates.csv", store, load_catalogue())
    fell = [str(w) for w in preview.warnings if w.kind == WarningKind.CUMULATIVE_FELL]
    assert fell == ["Total number of mediations (cumulative figure calendar year), 2025-02: a cumulative total fell mid-year"]


def test_warnings_are_typed_and_grouped_by_kind_with_true_counts(store: DeltaStore) -> None:
    catalogue = load_catalogue()
    plain = {k.id for k in catalogue if k.unit == "count" and k.cumulative == "none" and k.scorecard == "scorecard"}
    table = store.read()
    past = table[(table["series"] == "actual") & table["kpi_id"].isin(plain) & table["value"].notna()]
    rows = "".join(f"{kpi},{period},{value + 1:g}\n" for kpi, period, value in zip(past["kpi_id"], past["period"], past["value"]))
    data = f"kpi_id,period,value\nsen-support,2025-02,99999\n{rows}".encode()
    preview = preview_bytes(data, "many.csv", store, catalogue)
    assert not preview.errors
    assert all(isinstance(w, Notice) and str(w) == w.message for w in preview.warnings)
    groups = preview.warning_groups(examples=2)
    assert [(g.kind, g.label, g.count) for g in groups] == [
        (WarningKind.OUTLIER, "figures far outside their recent range", 1),
        (WarningKind.REVISED, "revised past values", len(past)),
    ]
    assert len(past) > 50  # every revision is counted, not the first 50
    assert groups[1].examples == [str(w) for w in preview.warnings if w.kind == WarningKind.REVISED][:2]
    assert all(isinstance(g, WarningGroup) for g in groups)
    assert len(preview.warning_groups()[1].examples) == 3
