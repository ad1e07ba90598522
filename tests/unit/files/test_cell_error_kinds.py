"""Every CellError the layouts raise says what kind of wrong it is, so code acts on the kind, not the words."""

from __future__ import annotations

import pytest
from locations import DATA_DIR

from sendlib.domain.values import CellError, CellErrorKind, parse_value
from sendlib.files.board import parse_board
from sendlib.files.long import parse_long
from sendlib.files.parsed import Parsed
from sendlib.files.readers import FileRefused, Grid
from sendlib.files.wide import parse_wide
from sendlib.workflows.load import parse_bytes

DATA_FILES = sorted(p for p in DATA_DIR.iterdir() if p.suffix in (".csv", ".xlsx"))

# The files made to be refused, and the kinds each is refused for (a refused column's values are stray too).
EXPECTED = {
    "board_unknown_measure.csv": {CellErrorKind.UNKNOWN_MEASURE},
    "duplicate_month.csv": {CellErrorKind.DUPLICATE, CellErrorKind.STRAY_VALUE},
    "impossible_period.csv": {CellErrorKind.BAD_HEADING, CellErrorKind.STRAY_VALUE},
    "negative_count.csv": {CellErrorKind.OUT_OF_RANGE},
    "percent_over_100.csv": {CellErrorKind.OUT_OF_RANGE},
    "text_in_value.csv": {CellErrorKind.NOT_A_NUMBER},
    "unknown_kpi.csv": {CellErrorKind.UNKNOWN_KPI},
}


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_error_for_the_test_files_has_a_specific_kind(path, catalogue):
    try:
        parsed = parse_bytes(path.read_bytes(), path.name, catalogue)
    except FileRefused:
        return  # not a table at all (binary, empty, no header): refused before any cell is read
    kinds = {e.kind for e in parsed.errors}
    assert CellErrorKind.OTHER not in kinds, [str(e) for e in parsed.errors]
    assert kinds == EXPECTED.get(path.name, set()), [str(e) for e in parsed.errors]


def test_the_expected_files_are_there():
    assert set(EXPECTED) <= {p.name for p in DATA_FILES}


def grid(rows: list[list[object]]) -> Grid:
    return Grid(name="t.csv", rows=rows, numbers=list(range(1, len(rows) + 1)))


def kinds(parsed: Parsed) -> list[CellErrorKind]:
    return [e.kind for e in parsed.errors]


EHCPS = "No. of EHCPs"


@pytest.mark.parametrize(
    ("rows", "kind"),
    [
        ([["title only"]], CellErrorKind.NO_HEADER),
        ([["KPI", "Jan 24", "Lead officer"], [EHCPS, "1", None]], CellErrorKind.BAD_HEADING),
        ([["KPI", "Nat", "National"], [EHCPS, "1", "2"]], CellErrorKind.DUPLICATE),
        ([["KPI", "Jan 24", None], [EHCPS, "1", "2"]], CellErrorKind.STRAY_VALUE),
        ([["KPI", "Jan 24"], [None, "1"]], CellErrorKind.STRAY_VALUE),
        ([["KPI", "Jan 24"], ["No. of unicorns", "1"]], CellErrorKind.UNKNOWN_KPI),
        ([["KPI", "Jan 24"], [EHCPS, "1.5"]], CellErrorKind.NOT_WHOLE),
        ([["KPI", "Jan 24"], [EHCPS, "12%"]], CellErrorKind.WRONG_UNIT),
    ],
)
def test_wide_kinds(rows, kind, catalogue):
    found = kinds(parse_wide(grid(rows), catalogue))
    assert found[0] is kind
    assert set(found[1:]) <= {CellErrorKind.STRAY_VALUE}  # the values under a refused heading


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        (["unicorns", "2025-01", "1", None, None], CellErrorKind.UNKNOWN_KPI),
        (["ehcps", "2025-01", "1", "forecast", None], CellErrorKind.BAD_SERIES),
        (["ehcps", "2025-13", "1", None, None], CellErrorKind.BAD_PERIOD),
        (["ehcps", None, "1", None, None], CellErrorKind.BAD_PERIOD),
        (["ehcps", "2025-01", "1", None, "1.5"], CellErrorKind.NOT_WHOLE),
        (["ehcps", "2025-01", "lots", None, None], CellErrorKind.NOT_A_NUMBER),
    ],
)
def test_long_kinds(row, kind, catalogue):
    parsed = parse_long(grid([["kpi_id", "period", "value", "series", "count"], row]), catalogue)
    assert kinds(parsed) == [kind]


def test_long_same_cell_twice_is_a_duplicate(catalogue):
    rows = [["kpi_id", "period", "value"], ["ehcps", "2025-01", "1"], ["ehcps", "2025-01", "2"]]
    assert kinds(parse_long(grid(rows), catalogue)) == [CellErrorKind.DUPLICATE]


def test_long_reads_the_wide_layouts_series_headings(catalogue):
    rows = [["kpi_id", "period", "value", "series"], ["ehcps", None, "1", "SN"], ["ehcps", None, "2", "England"]]
    parsed = parse_long(grid(rows), catalogue)
    assert parsed.errors == []
    assert [r["series"] for r in parsed.records] == ["statistical_neighbours", "national"]


def test_board_kinds(catalogue):
    header = ["No", "Measure", "Latest period", "Latest", "Previous period", "Previous"]
    rows = [header, [99, "Number of dragons", "Mar-24", "5", "Feb-24", "4"], [3, "x", "Marchuary", "5", "Feb-24", "4"]]
    assert kinds(parse_board(grid(rows), catalogue)) == [CellErrorKind.UNKNOWN_MEASURE, CellErrorKind.BAD_PERIOD]
    assert kinds(parse_board(grid([["nothing"]]), catalogue)) == [CellErrorKind.NO_HEADER]


@pytest.mark.parametrize("raw", ["lots", True, "1e400", "-5%", "150%", "12 (1.5)"])
def test_value_errors_have_a_kind_and_keep_it_when_placed(raw):
    with pytest.raises(CellError) as info:
        parse_value(raw, "percent")
    assert info.value.kind is not CellErrorKind.OTHER
    assert info.value.at(row=3, column="Jan 24", file="f.csv").kind is info.value.kind

