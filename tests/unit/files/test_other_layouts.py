"""Other councils' scorecards through the same readers: other words for the measure column, Baseline and dated
Milestone columns, a Polarity / Good is column, quarterly, rolling 12-month and year-to-date headings; and every
row naming a measure the catalogue does not know kept whole (Parsed.unknown) for setting it up from the file.

Every file is made here, as CSV text or an openpyxl workbook in tmp_path, and read by `load.parse_bytes`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.periods import heading_basis
from sendlib.domain.values import CellErrorKind
from sendlib.files.parsed import Parsed, UnknownMeasure, WarningKind
from sendlib.files.readers import FileRefused
from sendlib.files.wide import wide_table
from sendlib.workflows.load import parse_bytes

EHCPS = "No. of EHCPs"  # count, neutral
MAINSTREAM = "% of EHCPs in Mainstream"  # percent, higher is better
REQUESTS = "No. of requests for EHC assessment"  # has `no of above - primary phase` beneath it

Rows = list[list[object]]


def csv_bytes(rows: Rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if c is None else c for c in row] for row in rows])
    return out.getvalue().encode()


def xlsx_bytes(rows: Rows, tmp_path: Path, percent: frozenset[tuple[int, int]] = frozenset()) -> bytes:
    """The rows as a workbook, cells at (row, column) in `percent` (1-based) formatted as Excel percentages."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for r, c in percent:
        sheet.cell(r, c).number_format = "0.0%"
    path = tmp_path / "scorecard.xlsx"
    book.save(path)
    return path.read_bytes()


def read(rows: Rows, catalogue: Catalogue, fmt: str = "csv", tmp_path: Path | None = None) -> Parsed:
    if fmt == "xlsx":
        assert tmp_path is not None
        return parse_bytes(xlsx_bytes(rows, tmp_path), "scorecard.xlsx", catalogue)
    return parse_bytes(csv_bytes(rows), "scorecard.csv", catalogue)


def cells(parsed: Parsed) -> set[tuple[str, str, str, float | None]]:
    """(kpi_id, period, series, value) of every row read."""
    table = parsed.table()
    return {(k, p, s, None if pd.isna(v) else float(v))
            for k, p, s, v in zip(table["kpi_id"], table["period"], table["series"], table["value"])}


def kinds(parsed: Parsed) -> list[CellErrorKind]:
    return [e.kind for e in parsed.errors]


# --- the measure column --------------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["KPI", "Measure", "Indicator", "Performance measure", "Performance indicator",
                                     "Description", "MEASURE", "performance  Indicator", "Performance_measure",
                                     "PerformanceMeasure"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_measure_column_may_have_another_councils_heading(heading, fmt, catalogue, tmp_path):
    parsed = read([["Our SEND scorecard"], [heading, "Jan 24", "Feb 24"], [EHCPS, 3791, 3877]], catalogue, fmt, tmp_path)
    assert parsed.layout == "wide" and parsed.errors == []
    assert cells(parsed) == {("ehcps", "2024-01", "actual", 3791.0), ("ehcps", "2024-02", "actual", 3877.0)}


def test_a_description_beside_the_measure_is_left_unread(catalogue):
    rows = [["Description", "Measure", "Jan 24"], ["How many plans we maintain", EHCPS, "3791"]]
    parsed = read(rows, catalogue)
    assert parsed.errors == [] and cells(parsed) == {("ehcps", "2024-01", "actual", 3791.0)}


def test_a_row_saying_description_is_no_header_without_a_column_the_layout_reads(catalogue):
    # `KPI` alone has always made the header; another word for it needs a period or a series beside it.
    with pytest.raises(FileRefused, match="no header row"):
        read([["Description", "Owner"], ["Plans we maintain", "Head of SEND"]], catalogue)


def test_a_long_file_may_name_its_measure_column_measure(catalogue):
    rows = [["Measure", "Period", "Value"], [EHCPS, "Jan 24", "3791"], [EHCPS, "Q1 2024/25", "4016"]]
    parsed = read(rows, catalogue)
    assert parsed.layout == "long" and parsed.errors == []
    assert cells(parsed) == {("ehcps", "2024-01", "actual", 3791.0), ("ehcps", "2024/25 Q1", "actual", 4016.0)}


# --- Baseline and Milestone columns ----------------------------------------------------------------


def test_a_baseline_column_is_the_baseline_series_undated_like_the_target(catalogue):
    rows = [["Measure", "Jan 24", "Target", "Baseline"], [MAINSTREAM, "49.2%", "50%", "41.5%"]]
    parsed = read(rows, catalogue)
    assert parsed.errors == []
    assert cells(parsed) == {
        ("ehcps-mainstream-pct", "2024-01", "actual", 49.2),
        ("ehcps-mainstream-pct", "", "target", 50.0),
        ("ehcps-mainstream-pct", "", "baseline", 41.5),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dated_milestones_are_targets_for_their_periods(fmt, catalogue, tmp_path):
    rows = [["KPI", "Mar 24", "Target", "Milestone Mar-25", "Milestone 2025/26", "Milestone Q4 2024/25", "milestones: 2026"],
            [MAINSTREAM, "49.2%", "60%", "52%", "55%", "51%", "58%"]]
    parsed = read(rows, catalogue, fmt, tmp_path)
    assert parsed.errors == []
    assert {(p, v) for _, p, s, v in cells(parsed) if s == "target"} == {
        ("", 60.0), ("2025-03", 52.0), ("2025/26", 55.0), ("2024/25 Q4", 51.0), ("2026", 58.0),
    }


def test_two_milestones_for_one_period_are_the_same_column_twice(catalogue):
    parsed = read([["KPI", "Milestone Mar-25", "Milestone March 2025"], [EHCPS, "1", "2"]], catalogue)
    assert CellErrorKind.DUPLICATE in kinds(parsed)


def test_a_milestone_with_no_period_is_an_unusable_heading(catalogue):
    parsed = read([["KPI", "Jan 24", "Milestone"], [EHCPS, "1", "2"]], catalogue)
    assert kinds(parsed) == [CellErrorKind.BAD_HEADING, CellErrorKind.STRAY_VALUE]


# --- a Polarity / Good is column ---------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["L", "l", "Low", "LOWER", "lower is better"])
@pytest.mark.parametrize("heading", ["Polarity", "Good is", "good_is"])
def test_a_polarity_that_contradicts_the_catalogue_is_a_warning_never_an_error(cell, heading, catalogue):
    parsed = read([["Measure", "Jan 24", heading], [MAINSTREAM, "49.2%", cell]], catalogue)
    assert parsed.errors == []
    assert cells(parsed) == {("ehcps-mainstream-pct", "2024-01", "actual", 49.2)}  # the catalogue's measure, still
    assert [w.kind for w in parsed.warnings] == [WarningKind.POLARITY]
    assert "lower is better" in str(parsed.warnings[0]) and "higher is better" in str(parsed.warnings[0])


@pytest.mark.parametrize("cell", ["H", "h", "High", "Higher", None, "Up", "n/a"])
def test_a_polarity_that_agrees_or_says_nothing_readable_passes_quietly(cell, catalogue):
    parsed = read([["Measure", "Jan 24", "Polarity"], [MAINSTREAM, "49.2%", cell]], catalogue)
    assert parsed.errors == [] and parsed.warnings == []
    assert len(parsed.records) == 1


def test_a_polarity_column_before_the_measures_is_read_too(catalogue):
    parsed = read([["Good is", "KPI", "Jan 24"], ["L", MAINSTREAM, "49.2%"]], catalogue)
    assert parsed.errors == [] and [w.kind for w in parsed.warnings] == [WarningKind.POLARITY]


# --- quarters, rolling 12 months and years to date as headings ---------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_quarterly_headings_in_each_spelling(fmt, catalogue, tmp_path):
    rows = [["Performance indicator", "Q1 2024/25", "2024/25 Q2", "Oct-Dec 24", "Jan - Mar 2025", "Apr-Jun 25"],
            [EHCPS, 4016, 4190, 4417, 4501, 4600]]
    parsed = read(rows, catalogue, fmt, tmp_path)
    assert parsed.errors == []
    assert {p for _, p, _, _ in cells(parsed)} == {"2024/25 Q1", "2024/25 Q2", "2024/25 Q3", "2024/25 Q4", "2025/26 Q1"}


@pytest.mark.parametrize("heading", ["Q1 2024", "Feb-Apr 24"])
def test_a_quarter_that_is_not_a_financial_one_is_an_unusable_heading(heading, catalogue):
    parsed = read([["KPI", heading], [EHCPS, "1"]], catalogue)
    assert kinds(parsed) == [CellErrorKind.BAD_HEADING, CellErrorKind.STRAY_VALUE]


@pytest.mark.parametrize(
    "heading",
    ["Rolling 12 months to Mar-24", "R12M Mar 24", "12 months to Mar 2024", "YTD Mar-24", "Year to date Mar 24"],
)
def test_rolling_and_to_date_headings_are_their_month(heading, catalogue):
    parsed = read([["KPI", heading], [EHCPS, "3949"]], catalogue)
    assert parsed.errors == [] and cells(parsed) == {("ehcps", "2024-03", "actual", 3949.0)}


def test_a_month_under_two_headings_is_the_same_column_twice(catalogue):
    parsed = read([["KPI", "Mar-24", "YTD Mar-24"], [EHCPS, "1", "2"]], catalogue)
    assert CellErrorKind.DUPLICATE in kinds(parsed)


@pytest.mark.parametrize("heading", ["Mar-24 actual", "Actual Mar 24"])
def test_a_month_with_other_words_around_it_is_not_guessed_at(heading, catalogue):
    parsed = read([["KPI", heading], [EHCPS, "1"]], catalogue)
    assert kinds(parsed) == [CellErrorKind.BAD_HEADING, CellErrorKind.STRAY_VALUE]


# --- a measure the catalogue does not know, kept whole ------------------------------------------------

COUNCIL = [
    ["Anyshire SEND scorecard 2024/25"],
    [],
    ["Measure", "YTD Apr-24", "YTD May-24", "Target", "Baseline", "Milestone Mar-25", "Milestone 2025/26", "Good is", "Nat"],
    ["Assessments"],
    ["Number of new EHCNA requests", "101", "196", None, "90", None, None, "l", "7"],
    ["no of above - primary phase", "60", "101", None, None, None, None, None, None],
    ["% EHCPs issued within 20 weeks (excl exceptions)", "45.2%", "48%", "60%", None, "55%", "65%", "H", "50.3%"],
    [REQUESTS, "120", "115", None, None, None, None, None, None],
    ["no of above - tertiary phase", "3", None, None, None, None, None, None, None],
    ["Provision"],
    ["Average weeks to issue a final EHCP", None, None, "20", None, None, None, None, None],
]


def test_each_unknown_row_is_kept_with_its_section_parent_cells_and_headings(catalogue):
    parsed = read(COUNCIL, catalogue)
    assert parsed.unknown == [
        UnknownMeasure(
            name="Number of new EHCNA requests", row=5, section="Assessments",
            values={"2024-04": "101", "2024-05": "196"},
            headings={"2024-04": "YTD Apr-24", "2024-05": "YTD May-24"},
            baseline="90", polarity="l",
        ),
        UnknownMeasure(
            name="no of above - primary phase", row=6, section="Assessments", parent="Number of new EHCNA requests",
            values={"2024-04": "60", "2024-05": "101"},
            headings={"2024-04": "YTD Apr-24", "2024-05": "YTD May-24"},
        ),
        UnknownMeasure(
            name="% EHCPs issued within 20 weeks (excl exceptions)", row=7, section="Assessments",
            values={"2024-04": "45.2%", "2024-05": "48%"},
            headings={"2024-04": "YTD Apr-24", "2024-05": "YTD May-24"},
            target="60%", milestones={"2025-03": "55%", "2025/26": "65%"}, polarity="H",
        ),
        UnknownMeasure(  # a breakdown the catalogue lacks, of a measure it knows
            name="no of above - tertiary phase", row=9, section="Assessments", parent=REQUESTS,
            values={"2024-04": "3"}, headings={"2024-04": "YTD Apr-24"},
        ),
        UnknownMeasure(name="Average weeks to issue a final EHCP", row=11, section="Provision", target="20"),
    ]
    assert all(heading_basis(h) == "year-to-date" for u in parsed.unknown for h in u.headings.values())


def test_each_unknown_measure_is_still_an_unknown_kpi_error_as_before(catalogue):
    parsed = read(COUNCIL, catalogue)
    unknown = [e for e in parsed.errors if e.kind is CellErrorKind.UNKNOWN_KPI]
    assert [e.row for e in unknown] == [u.row for u in parsed.unknown]
    assert {e.column for e in unknown} == {"Measure"}
    assert all(str(e).endswith("Add it on the upload page (or to the catalogue) and try again") for e in unknown)
    assert kinds(parsed) == [CellErrorKind.UNKNOWN_KPI] * 5
    assert {k for k, _, _, _ in cells(parsed)} == {"requests"}  # the known measure is read as ever


def test_a_breakdown_of_an_unknown_measure_is_never_read_as_an_earlier_measures(catalogue):
    rows = [["KPI", "Jan 24"], [REQUESTS, "120"], ["no of above - primary phase", "60"],
            ["No. of widgets", "5"], ["no of above - primary phase", "2"]]
    parsed = read(rows, catalogue)
    assert cells(parsed) == {("requests", "2024-01", "actual", 120.0), ("requests-primary", "2024-01", "actual", 60.0)}
    assert [(u.name, u.parent) for u in parsed.unknown] == [("No. of widgets", None), ("no of above - primary phase", "No. of widgets")]


def test_a_name_with_nothing_else_is_a_section_not_an_unknown_measure(catalogue):
    parsed = read([["KPI", "Jan 24", "Polarity"], ["Tribunals"], ["New measure, data from April", None, "H"]], catalogue)
    assert [u.name for u in parsed.unknown] == ["New measure, data from April"]  # a polarity is not nothing
    assert parsed.unknown[0].section == "Tribunals" and parsed.unknown[0].values == {}


def test_an_unknown_measure_from_a_workbook_keeps_its_cells_as_typed(catalogue, tmp_path):
    rows = [["Measure", "Apr-24", "May-24", "Target", "Good is"], ["Plans", None, None, None, None],
            ["% EHCPs issued within 20 weeks", 0.452, 0.48, 0.6, "H"], ["Average weeks to issue", 24.3, 23.9, 20, "L"]]
    data = xlsx_bytes(rows, tmp_path, percent=frozenset({(3, 2), (3, 3), (3, 4)}))
    parsed = parse_bytes(data, "council.xlsx", catalogue)
    rate, weeks = parsed.unknown
    assert (rate.values, rate.target, rate.polarity) == ({"2024-04": "45.2%", "2024-05": "48%"}, "60%", "H")
    assert (weeks.values, weeks.target, weeks.polarity, weeks.section) == ({"2024-04": 24.3, "2024-05": 23.9}, 20, "L", "Plans")


# --- the long layout -----------------------------------------------------------------------------------


def test_a_long_files_unknown_measure_is_one_entry_from_all_its_rows(catalogue):
    rows = [
        ["kpi_name", "period", "series", "value", "section", "polarity"],
        ["Number of mediations held", "Q1 2024/25", None, "4", "Mediations", None],
        [EHCPS, "2024-01", None, "3791", None, None],
        ["Number of mediations held", "Q2 2024/25", "actual", "6", None, "L"],
        ["number of  mediations held", "2024/25 Q3", None, "3", None, "H"],  # the same name, spaced and cased otherwise
        ["Number of mediations held", None, "target", "5", None, None],
        ["Number of mediations held", "2025/26", "milestone", "4", None, None],
        ["Number of mediations held", None, "baseline", "7", None, None],
        ["Number of mediations held", "Q3 2024/25", None, "99", None, None],  # a second Q3: the first is kept
        ["Average weeks to issue", "YTD Mar-24", None, "24.3", "Plans", None],
    ]
    parsed = read(rows, catalogue)
    assert parsed.unknown == [
        UnknownMeasure(
            name="Number of mediations held", row=2, section="Mediations",
            values={"2024/25 Q1": "4", "2024/25 Q2": "6", "2024/25 Q3": "3"},
            headings={"2024/25 Q1": "Q1 2024/25", "2024/25 Q2": "Q2 2024/25", "2024/25 Q3": "2024/25 Q3"},
            target="5", baseline="7", milestones={"2025/26": "4"}, polarity="L",
        ),
        UnknownMeasure(name="Average weeks to issue", row=10, section="Plans", values={"2024-03": "24.3"},
                       headings={"2024-03": "YTD Mar-24"}),
    ]
    assert [e.row for e in parsed.errors] == [2, 4, 5, 6, 7, 8, 9, 10]
    assert set(kinds(parsed)) == {CellErrorKind.UNKNOWN_KPI}
    assert cells(parsed) == {("ehcps", "2024-01", "actual", 3791.0)}


def test_a_long_files_unknown_kpi_id_is_kept_by_its_name_when_it_has_one(catalogue):
    rows = [["kpi_id", "kpi_name", "period", "value"], ["widgets", "No. of widgets", "2024-01", "5"],
            ["widgets", "No. of widgets", "2024-02", "6"], ["gadgets", None, "2024-01", "1"]]
    parsed = read(rows, catalogue)
    assert [(u.name, u.values) for u in parsed.unknown] == [
        ("No. of widgets", {"2024-01": "5", "2024-02": "6"}), ("gadgets", {"2024-01": "1"})]


def test_a_long_file_of_another_councils_layout(catalogue):
    rows = [
        ["Indicator", "Period", "Series", "Value", "Good is", "Description"],
        [MAINSTREAM, "Q1 2024/25", None, "49.2%", "Low", "Share of plans in mainstream"],
        [MAINSTREAM, "R12M Mar 24", None, "48%", "Low", None],
        [MAINSTREAM, None, "Baseline", "41.5%", None, None],
        [MAINSTREAM, "Mar-25", "Milestone", "52%", None, None],
    ]
    parsed = read(rows, catalogue)
    assert parsed.layout == "long" and parsed.errors == [] and parsed.unknown == []
    assert cells(parsed) == {
        ("ehcps-mainstream-pct", "2024/25 Q1", "actual", 49.2),
        ("ehcps-mainstream-pct", "2024-03", "actual", 48.0),
        ("ehcps-mainstream-pct", "", "baseline", 41.5),
        ("ehcps-mainstream-pct", "2025-03", "target", 52.0),
    }
    assert [w.kind for w in parsed.warnings] == [WarningKind.POLARITY]  # once for the measure, not once a row


def test_a_long_file_still_refuses_a_series_it_does_not_know_naming_baseline_among_them(catalogue):
    parsed = read([["kpi_id", "period", "series", "value"], ["ehcps", "2024-01", "forecast", "1"]], catalogue)
    assert kinds(parsed) == [CellErrorKind.BAD_SERIES] and "baseline" in str(parsed.errors[0])


# --- the wide layout written: what it reads, it writes ----------------------------------------------------


def test_quarters_baselines_and_milestones_written_wide_read_back_unchanged(catalogue):
    rows = [["Measure", "Q1 2024/25", "Q3 2024/25", "Target", "Baseline", "Milestone Mar-25", "Milestone 2025/26"],
            [EHCPS, "4016", "4417", None, "3700", None, None],
            [MAINSTREAM, "49.2%", "50.1%", "60%", None, "52%", "55%"]]
    first = read(rows, catalogue)
    assert first.errors == []
    frame, notes = wide_table(first.table(), catalogue)
    assert list(frame.columns) == ["KPI", "Q1 24/25", "Q2 24/25", "Q3 24/25", "Nat", "SN", "SW", "Target", "Baseline",
                                   "Milestone Mar 25", "Milestone 2025/26"]
    assert notes == []
    again = read([list(frame.columns), *frame.values.tolist()], catalogue)
    assert again.errors == []
    pd.testing.assert_frame_equal(again.table(), first.table())


def test_the_wide_layout_has_no_baseline_column_when_no_measure_has_one(catalogue):
    first = read([["KPI", "Jan 24", "Target"], [EHCPS, "1", "2"]], catalogue)
    frame, _ = wide_table(first.table(), catalogue)
    assert list(frame.columns) == ["KPI", "Jan 24", "Nat", "SN", "SW", "Target"]
