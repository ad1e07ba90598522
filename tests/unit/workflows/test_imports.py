"""sendlib.workflows.load: the bundled documents load cleanly; revisions are previewed; bad files change nothing."""

from __future__ import annotations

import csv
import io

import pytest
from locations import DATA_DIR

from sendlib.domain.paths import BOARD_FILE, SCORECARD_FILE
from sendlib.files.parsed import WarningKind
from sendlib.files.readers import FileRefused
from sendlib.workflows.load import ImportRefused, commit_preview, load_file, parse_bytes, preview_bytes


@pytest.fixture(scope="module")
def parsed_scorecard(catalogue):
    return parse_bytes(SCORECARD_FILE.read_bytes(), SCORECARD_FILE.name, catalogue)


@pytest.fixture(scope="module")
def parsed_board(catalogue):
    return parse_bytes(BOARD_FILE.read_bytes(), BOARD_FILE.name, catalogue)


def test_bundled_scorecard_parses_without_errors(parsed_scorecard):
    assert parsed_scorecard.layout == "wide"
    assert parsed_scorecard.errors == []


def test_bundled_board_parses_without_errors(parsed_board):
    assert parsed_board.layout == "board"
    assert parsed_board.errors == []


def test_scorecard_row_count_is_its_non_empty_value_cells(parsed_scorecard):
    # Counted with the csv module: every non-empty cell right of the KPI column below the header.
    reader = list(csv.reader(io.StringIO(SCORECARD_FILE.read_text(encoding="utf-8-sig"))))
    header = next(i for i, r in enumerate(reader) if r and r[0] == "KPI")
    cells = sum(1 for row in reader[header + 1:] for cell in row[1:] if cell.strip())
    assert cells == 971  # the same count as the seed's own cells (see test_document_figures)
    assert len(parsed_scorecard.records) == cells


def test_board_row_count(parsed_board):
    # Counted by hand from the board report seed: each of Latest / Previous / Target that holds a
    # figure or a placeholder (`n/a`) is a row. Tiles: 3 (latest only). Measures 1-8: 8 x 3 = 24;
    # 9-14 (TBC, the placeholder note only): 6; 15-22: 24; 23-25: 9; 26 (nothing): 0; 27: 1;
    # 28: 3; 29: 1; 30: 3; 31: 1; 32-45: 14 x 3 = 42; 46 (TBC): 1; 47: 1; 48: 2; 49: 1. Total 122.
    assert len(parsed_board.records) == 3 + 24 + 6 + 24 + 9 + 0 + 1 + 3 + 1 + 3 + 1 + 42 + 1 + 1 + 2 + 1


def test_arrow_contradiction_warnings(parsed_scorecard):
    # Scorecard seed, Tier 1: Mar 24 `61 ▲`, Apr 24 `130 ▼` — the arrow says down, the value went up.
    tier1 = [w for w in parsed_scorecard.warnings if "row 17" in w and "Apr 24" in w]
    assert len(tier1) == 1
    for part in ("▼", "61", "130"):
        assert part in tier1[0]
    # Tier 1 Jan 25 `24 ▶` after Dec 24 `20 ▲`.
    assert any("Jan 25" in w and "▶" in w and "20" in w and "24" in w for w in parsed_scorecard.warnings if "row 17" in w)


def test_no_contradiction_warning_where_the_arrow_is_right(parsed_scorecard):
    # `No. of EHCPs` (row 6) rises every month with ▲ except Aug 24 `4138 ▼`: all consistent.
    assert not [w for w in parsed_scorecard.warnings if str(w).startswith("row 6,")]


def test_fraction_warning(parsed_scorecard):
    assert any("0.316" in w and "fraction" in w for w in parsed_scorecard.warnings)


def test_layout_warnings_say_what_kind_they_are(parsed_scorecard, parsed_board):
    kinds = {w.kind for w in parsed_scorecard.warnings}
    assert {WarningKind.ARROW, WarningKind.FRACTION} <= kinds
    assert all(w.kind == WarningKind.ARROW for w in parsed_scorecard.warnings if "the arrow" in w)
    assert all(w.kind == WarningKind.POLARITY for w in parsed_board.warnings)


def test_loading_the_same_file_twice_changes_nothing(store, catalogue, snapshot):
    before = snapshot(store.root)
    preview, info = load_file(store, SCORECARD_FILE, catalogue)
    assert info is None
    assert preview.counts == {"new": 0, "revised": 0, "unchanged": 971}
    assert snapshot(store.root) == before


def test_first_load_into_empty_store_is_all_new(empty_store, catalogue):
    preview, info = load_file(empty_store, SCORECARD_FILE, catalogue)
    assert info is not None and info.id == "000001"
    assert preview.counts == {"new": 971, "revised": 0, "unchanged": 0}


def test_dry_run_writes_nothing(empty_store, catalogue):
    preview, info = load_file(empty_store, SCORECARD_FILE, catalogue, dry_run=True)
    assert info is None and preview.new == 971
    assert not empty_store.exists()


@pytest.fixture
def revised_file(tmp_path):
    # One past value changed: `No. of complaints`, Mar 24, `16 ▼` → `19 ▼`.
    rows = list(csv.reader(io.StringIO(SCORECARD_FILE.read_text(encoding="utf-8"))))
    header = next(r for r in rows if r and r[0] == "KPI")
    column = header.index("Mar 24")
    row = next(r for r in rows if r and r[0] == "No. of complaints")
    assert row[column] == "16 ▼"
    row[column] = "19 ▼"
    path = tmp_path / "send_scorecard_revised.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_one_changed_past_value_is_previewed_as_one_revision(store, catalogue, revised_file):
    preview = preview_bytes(revised_file.read_bytes(), revised_file.name, store, catalogue)
    assert preview.ok
    assert preview.counts == {"new": 0, "revised": 1, "unchanged": 970}
    assert len(preview.revisions) == 1
    revision = preview.revisions.iloc[0]
    assert (revision["kpi_id"], revision["period"], revision["series"]) == ("complaints", "2024-03", "actual")
    assert (revision["value_old"], revision["value"]) == (16, 19)


def test_committing_a_revision_writes_one_new_version(store, catalogue, revised_file):
    head = store.head()
    preview = preview_bytes(revised_file.read_bytes(), revised_file.name, store, catalogue)
    info = commit_preview(store, preview, author="tester")
    assert info is not None and info.revised == 1 and info.new == 0
    table = store.read()
    cell = table[(table["kpi_id"] == "complaints") & (table["period"] == "2024-03") & (table["series"] == "actual")]
    assert cell["value"].tolist() == [19]
    old = store.read(head)
    assert old[(old["kpi_id"] == "complaints") & (old["period"] == "2024-03")]["value"].tolist() == [16]
    assert len(table) == len(old)


# --- bad files ---------------------------------------------------------------------------------------

CELL_ERRORS = [
    # file, row, column, raw, words in the problem
    ("unknown_kpi.csv", 4, "KPI", "No. of unicorns", "unknown KPI"),
    ("text_in_value.csv", 3, "Jan 24", "lots ▲", "text"),
    ("percent_over_100.csv", 2, "Jan 24", "146.5% ▼", "over 100"),
    ("duplicate_month.csv", 1, "Jan-24", "Jan-24", "twice"),
    ("board_unknown_measure.csv", 3, "No", "99", "unknown board measure"),
]


@pytest.mark.parametrize(("name", "row", "column", "raw", "problem"), CELL_ERRORS, ids=[c[0] for c in CELL_ERRORS])
def test_bad_file_is_refused_with_row_column_and_raw(store, catalogue, snapshot, name, row, column, raw, problem):
    path = DATA_DIR / name
    before = snapshot(store.root)
    with pytest.raises(ImportRefused) as info:
        load_file(store, path, catalogue)
    errors = info.value.preview.errors
    matching = [e for e in errors if (e.row, e.column, e.raw) == (row, column, raw)]
    assert matching, [str(e) for e in errors]
    assert problem in matching[0].problem
    assert matching[0].file == name
    message = str(info.value)
    for part in (name, f"row {row}", column, raw):
        assert part in message
    assert snapshot(store.root) == before


def test_unknown_kpi_error_suggests_the_closest_name(catalogue):
    parsed = parse_bytes((DATA_DIR / "unknown_kpi.csv").read_bytes(), "unknown_kpi.csv", catalogue)
    assert len(parsed.errors) == 1
    assert "No. of" in parsed.errors[0].problem  # a real KPI name is offered


def test_a_refused_file_keeps_its_good_rows_out_too(store, catalogue):
    # `text_in_value.csv` also holds two good cells: nothing of the file is written.
    before = store.read()
    with pytest.raises(ImportRefused):
        load_file(store, DATA_DIR / "text_in_value.csv", catalogue)
    after = store.read()
    assert after.equals(before)


@pytest.mark.parametrize(
    ("name", "words"),
    [("no_header.csv", "header"), ("empty.csv", "empty"), ("binary.csv", "binary")],
)
def test_unreadable_file_is_refused_as_a_whole(store, catalogue, snapshot, name, words):
    path = DATA_DIR / name
    before = snapshot(store.root)
    with pytest.raises(FileRefused) as info:
        load_file(store, path, catalogue)
    assert name in str(info.value)
    assert words in str(info.value)
    assert snapshot(store.root) == before


def test_commit_of_a_preview_with_errors_is_refused(store, catalogue, snapshot):
    before = snapshot(store.root)
    preview = preview_bytes((DATA_DIR / "percent_over_100.csv").read_bytes(), "percent_over_100.csv", store, catalogue)
    assert not preview.ok
    with pytest.raises(ImportRefused):
        commit_preview(store, preview)
    assert snapshot(store.root) == before


def test_other_file_types_are_refused(catalogue):
    with pytest.raises(FileRefused, match="xls"):
        parse_bytes(b"\xd0\xcf\x11\xe0", "old.xls", catalogue)
    with pytest.raises(FileRefused, match="xlsx"):
        parse_bytes(b"not a zip", "fake.xlsx", catalogue)
    with pytest.raises(FileRefused):
        parse_bytes(b"KPI,Dec 23\n", "notes.docx", catalogue)


@pytest.mark.parametrize("number", ["inf", "1e400", "-3", "7.5", "nan"])
def test_a_board_measure_number_that_is_no_whole_number_is_an_unknown_measure(catalogue, number):
    """Found by tests/test_fuzz_load.py: `inf` under No raised OverflowError."""
    data = f"No,Measure,Latest period,Latest,Previous period,Previous\n{number},,May 24,1,Apr 24,2\n".encode()
    parsed = parse_bytes(data, "board.csv", catalogue)
    assert [(e.raw, e.problem) for e in parsed.errors] == [(number, "unknown board measure")]
