"""Three scorecards in other councils' layouts, made for the tests (`tests/data/other_councils/`), with the figures
each holds, so a test can check every value that comes out of the store against what went into the file.

    .venv/bin/python tests/other_councils.py      # writes the three files again (they are committed)

The councils are invented; each file is read for a real authority (`LA`) so DfE benchmarks can follow its
20-week measure. Every file has measures the bundled catalogue does not know, section rows, percentages written
with and without `%`, a duration in weeks, a cumulative series (restarting in January), and a Target column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent / "data" / "other_councils"


@dataclass(frozen=True)
class Measure:
    name: str
    section: str
    unit: str  # what the set-up should infer
    cells: list[object]  # as written in the file, one per period column
    values: list[float | None]  # what each cell means, in the store's terms
    target: object = None
    target_value: float | None = None
    polarity: str | None = None  # the file's Good is / Polarity cell
    expected_polarity: str = "neutral"
    cumulative: str = "none"
    common: str | None = None  # the common definition the set-up should suggest (None: nothing close)


@dataclass(frozen=True)
class Council:
    file: str
    la: str  # a real authority's old code, for DfE benchmarks
    heading: str
    periods: list[str]  # the store's period labels, one per value column
    columns: list[str]  # the column headings as printed
    measures: list[Measure] = field(default_factory=list)
    polarity_heading: str | None = None


MONTHS = ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
          "2025-01", "2025-02", "2025-03"]
MONTH_HEADINGS = ["Apr-24", "May-24", "Jun-24", "Jul-24", "Aug-24", "Sep-24", "Oct-24", "Nov-24", "Dec-24",
                  "Jan-25", "Feb-25", "Mar-25"]
RATE_20 = [45.2, 48.0, 51.3, 39.9, 42.1, 55.0, 57.5, 60.1, 58.8, 61.0, 62.5, 64.0]
WEEKS = [24.3, 23.9, 22.1, 25.0, 26.2, 21.8, 20.9, 20.5, 21.1, 19.8, 19.9, 19.5]
APPEALS = [2, 5, 7, 9, 11, 12, 14, 15, 18, 1, 3, 6]
REQUESTS = [101, 95, 120, 88, 60, 140, 132, 118, 97, 125, 110, 121]
MAINSTREAM = [38.1, 38.4, 38.9, 39.0, 39.2, 39.9, 40.1, 40.3, 40.2, 40.5, 40.8, 41.0]

NORTHSHIRE = Council(
    file="northshire_scorecard.xlsx", la="878", heading="Measure", periods=MONTHS, columns=MONTH_HEADINGS,
    polarity_heading="Good is",
    measures=[
        Measure("Number of new EHCNA requests", "Assessments and Requests", "count", list(REQUESTS),
                [float(v) for v in REQUESTS], common="requests"),
        Measure("% EHCPs issued within 20 weeks (excl exceptions)", "Assessments and Requests", "percent",
                [f"{v:.1f}%" for v in RATE_20], list(RATE_20), target="60%", target_value=60.0, polarity="H",
                expected_polarity="higher_better", common="twenty-week-excl"),
        Measure("Average weeks to issue a final EHCP", "Assessments and Requests", "weeks", list(WEEKS), list(WEEKS),
                target=20, target_value=20.0, polarity="L", expected_polarity="lower_better"),
        Measure("% of pupils with an EHCP in mainstream schools", "Provision", "percent", list(MAINSTREAM),
                list(MAINSTREAM), expected_polarity="higher_better", common="mainstream-pct"),
        Measure("Number of tribunal appeals registered (cumulative)", "Mediations and Tribunals", "count",
                list(APPEALS), [float(v) for v in APPEALS], expected_polarity="lower_better",
                cumulative="calendar-year", common="appeals-registered"),
    ],
)

QUARTERS = ["2024/25 Q1", "2024/25 Q2", "2024/25 Q3", "2024/25 Q4"]
EASTVALE = Council(
    file="eastvale_quarterly.csv", la="880", heading="Performance indicator", periods=QUARTERS,
    columns=["Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25"], polarity_heading="Polarity",
    measures=[
        Measure("Percentage of new EHC plans issued within 20 weeks excluding exceptions", "Statutory assessment",
                "percent", ["44.0", "47.5", "52.5", "58.0"], [44.0, 47.5, 52.5, 58.0], target="55", target_value=55.0,
                polarity="High", expected_polarity="higher_better", common="twenty-week-excl"),
        Measure("Mean time to issue a plan (weeks)", "Statutory assessment", "weeks", ["25.5", "24.0", "22.5", "21.0"],
                [25.5, 24.0, 22.5, 21.0], target="20", target_value=20.0, polarity="Low",
                expected_polarity="lower_better"),
        Measure("% of SEND complaints responded to on time", "Complaints", "percent", ["81%", "85%", "88%", "90%"],
                [81.0, 85.0, 88.0, 90.0], target="95%", target_value=95.0, polarity="High",
                expected_polarity="higher_better"),
        Measure("Number of mediations held", "Mediations and Tribunals", "count", ["4", "6", "3", "5"],
                [4.0, 6.0, 3.0, 5.0]),
    ],
)

YTD = ["YTD Apr-24", "YTD May-24", "YTD Jun-24", "YTD Jul-24", "YTD Aug-24", "YTD Sep-24", "YTD Oct-24",
       "YTD Nov-24", "YTD Dec-24", "YTD Jan-25", "YTD Feb-25", "YTD Mar-25"]
WESTBOROUGH = Council(
    file="westborough_ytd.csv", la="879", heading="Indicator", periods=MONTHS, columns=YTD,
    measures=[
        Measure("EHC needs assessment requests received (year to date)", "Requests", "count",
                [str(v) for v in (12, 25, 40, 51, 58, 73, 88, 101, 115, 9, 21, 35)],
                [12.0, 25.0, 40.0, 51.0, 58.0, 73.0, 88.0, 101.0, 115.0, 9.0, 21.0, 35.0],
                cumulative="calendar-year", common="requests"),
        Measure("New EHCPs issued within 20 weeks %", "Plans", "percent",
                ["50.5", "49.0", "52.0", "53.5", "55.0", "54.0", "56.5", "57.0", "58.5", "59.0", "60.5", "61.0"],
                [50.5, 49.0, 52.0, 53.5, 55.0, 54.0, 56.5, 57.0, 58.5, 59.0, 60.5, 61.0], target="60",
                target_value=60.0, expected_polarity="higher_better", common="twenty-week-incl"),
        Measure("Average weeks from request to final plan", "Plans", "weeks",
                ["22", "22.5", "23", "21.5", "21", "20.5", "20", "19.5", "19", "19", "18.5", "18"],
                [22.0, 22.5, 23.0, 21.5, 21.0, 20.5, 20.0, 19.5, 19.0, 19.0, 18.5, 18.0], target="20",
                target_value=20.0, expected_polarity="lower_better"),
        Measure("Percentage of EHCP annual reviews completed within 12 months", "Reviews", "percent",
                ["61%", "62%", "64%", "65%", "63%", "66%", "68%", "70%", "71%", "72%", "74%", "75%"],
                [61.0, 62.0, 64.0, 65.0, 63.0, 66.0, 68.0, 70.0, 71.0, 72.0, 74.0, 75.0], target="80%",
                target_value=80.0, expected_polarity="higher_better"),
    ],
)
COUNCILS = [NORTHSHIRE, EASTVALE, WESTBOROUGH]


def rows(council: Council) -> list[list[object]]:
    """The sheet as written: a title, a blank row, the header, then each section row and its measures."""
    header = [council.heading, *council.columns, "Target"]
    if council.polarity_heading:
        header.append(council.polarity_heading)
    out: list[list[object]] = [[f"{council.file.split('_')[0].title()} SEND performance 2024/25"], [], header]
    section = None
    for m in council.measures:
        if m.section != section:
            out.append([m.section])
            section = m.section
        row = [m.name, *m.cells, m.target]
        if council.polarity_heading:
            row.append(m.polarity)
        out.append(row)
    return out


def write(council: Council, folder: Path = HERE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / council.file
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Scorecard"
        for row in rows(council):
            sheet.append(row)
        book.save(path)
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows(council))
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


if __name__ == "__main__":
    for council in COUNCILS:
        print(write(council))
