"""Twelve council files in the layouts councils keep their scorecards in, made here (not copied from anywhere), each
with the figures it holds in the store's terms, so a test can set each up, load it and check every value exported.

    .venv/bin/python tests/council_layouts.py DIR      # writes the files into DIR

The families (issue 22), one or more a file: an identifier column (`Ref`, `Code`, `No.`, `ID`) before or after the
measure's name; dated `Target 2024/25`, `Target 25/26`, `Baseline (Mar 24)`, `Milestone Mar-25` headings, a target
dated after the months shown; RAG / Status, trend-arrow and Comments columns beside the figures; polarity in words
in its own column; long BI exports (`Indicator Name`, `Month` as a UK date, `Actual`, `Target`, `Unit`, a blank
Actual for a month not yet reported); a workbook with a title block, a merged year band above the month headings,
months as date cells, one sheet per theme (read with `--sheet all`); annual and quarterly columns.

Each measure's `actual`, `target` and `baseline` are the store rows it should make (period "" for an undated target);
`comment` is the note on its latest reported month; `reference` the identifier kept with the measure; `unit`,
`polarity` and `kpi_target` what set-up should propose (`polarity_source` "document" when the file says).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

Rows = list[list[object]]


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    polarity: str
    actual: dict[str, float]
    target: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    kpi_target: float | None = None
    polarity_source: str = "domain"
    reference: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Layout:
    file: str
    la: str  # a real authority's old code, one a layout
    measures: list[Measure]
    build: Callable[[Layout], bytes]
    sheet: str | None = None  # what `--sheet` is given

    def rows(self) -> set[tuple[str, str, str, float, str | None]]:
        """(measure name, period, series, value, note) of every row the store should hold."""
        out: set[tuple[str, str, str, float, str | None]] = set()
        for m in self.measures:
            latest = max(m.actual) if m.actual else None
            for period, value in m.actual.items():
                out.add((m.name, period, "actual", value, m.comment if period == latest else None))
            out |= {(m.name, p, "target", v, None) for p, v in m.target.items()}
            out |= {(m.name, p, "baseline", v, None) for p, v in m.baseline.items()}
        return out


def csv_bytes(rows: Rows, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if c is None else c for c in row] for row in rows])
    return out.getvalue().encode("utf-8")


def _months(first: str, n: int) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


APR_SEP = _months("2024-04", 6)
OCT_MAR = _months("2024-10", 6)
_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_FULL = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
         "December"]


def mon_yy(label: str) -> str:  # 2024-04 -> Apr-24
    return f"{_ABBR[int(label[5:]) - 1]}-{label[2:4]}"


def month_yyyy(label: str) -> str:  # 2024-04 -> April 2024
    return f"{_FULL[int(label[5:]) - 1]} {label[:4]}"


def uk_date(label: str) -> str:  # 2024-10 -> 01/10/2024
    return f"01/{label[5:]}/{label[:4]}"


def series(periods: list[str], values: list[float | None]) -> dict[str, float]:
    return {p: v for p, v in zip(periods, values, strict=True) if v is not None}


def pct(v: float | None) -> str | None:
    return None if v is None else f"{v:g}%"


def num(v: float | None) -> str | None:
    return None if v is None else f"{v:g}"


# --- 1. a Ref column before the name, polarity in words, months as Apr-24 ---------------------------------------

RATE = [41.5, 44.0, 47.5, 52.0, 55.5, 58.0]
WEEKS = [26.5, 25.0, 24.5, 23.0, 22.5, 21.0]
REQUESTS = [88.0, 95.0, 102.0, 79.0, 64.0, 118.0]


def _ref_first(layout: Layout) -> bytes:
    rate, weeks, req = layout.measures
    rows: Rows = [["Ashdown Council: SEND performance"], [],
                  ["Ref", "Measure", *map(mon_yy, APR_SEP), "Target", "Polarity"],
                  ["PI-01", rate.name, *map(pct, RATE), "60%", "Higher is better"],
                  ["PI-02", weeks.name, *map(num, WEEKS), "20", "Lower is better"],
                  ["PI-03", req.name, *map(num, REQUESTS), None, None]]
    return csv_bytes(rows)


REF_FIRST = Layout("ashdown_ref_first.csv", "800", [
    Measure("% of EHC plans issued in 20 weeks", "percent", "higher_better", series(APR_SEP, RATE), {"": 60.0},
            kpi_target=60.0, polarity_source="document", reference="PI-01"),
    Measure("Average weeks from request to plan", "weeks", "lower_better", series(APR_SEP, WEEKS), {"": 20.0},
            kpi_target=20.0, polarity_source="document", reference="PI-02"),
    Measure("Number of EHC needs assessment requests received", "count", "neutral", series(APR_SEP, REQUESTS),
            reference="PI-03"),
], _ref_first)


# --- 2. a Code column after the name, quarters, Target 2024/25 --------------------------------------------------

QUARTERS = ["2024/25 Q1", "2024/25 Q2", "2024/25 Q3", "2024/25 Q4"]
ON_TIME = [71.0, 74.5, 78.0, 80.5]
COMPLAINTS = [12.0, 9.0, 14.0, 8.0]


def _code_after(layout: Layout) -> bytes:
    on_time, complaints = layout.measures
    rows: Rows = [["Performance indicator", "Code", "Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25",
                   "Target 2024/25"],
                  [on_time.name, "SEN12", *map(pct, ON_TIME), "85%"],
                  [complaints.name, "SEN13", *map(num, COMPLAINTS), "10"]]
    return csv_bytes(rows)


CODE_AFTER = Layout("brookfield_code_after.csv", "801", [
    Measure("% of annual reviews completed on time", "percent", "higher_better", series(QUARTERS, ON_TIME),
            {"2024/25": 85.0}, kpi_target=85.0, reference="SEN12"),
    Measure("Number of SEND complaints received", "count", "lower_better", series(QUARTERS, COMPLAINTS),
            {"2024/25": 10.0}, kpi_target=10.0, reference="SEN13"),
], _code_after)


# --- 3. No. first, RAG and Comments beside the figures, months spelt in full, a target dated after them -------------

FINALISED = [62.0, 65.5, 61.0, 68.0, 70.5, 72.0]
NEET = [6.5, 6.1, 5.8, 5.9, 5.2, 4.9]


def _no_rag_comments(layout: Layout) -> bytes:
    finalised, neet = layout.measures
    rows: Rows = [["No.", "Indicator", *map(month_yyyy, OCT_MAR), "Target 25/26", "RAG", "Comments"],
                  ["1", finalised.name, *map(num, FINALISED), "80", "R", finalised.comment],
                  ["2", neet.name, *map(pct, NEET), "4%", "Amber", None]]
    return csv_bytes(rows)


NO_RAG = Layout("carrow_no_rag_comments.csv", "802", [
    Measure("% of EHC plans finalised in time", "percent", "higher_better", series(OCT_MAR, FINALISED),
            {"2025/26": 80.0}, reference="1", comment="Recovery plan agreed with the panel; staffing back to full"),
    Measure("Young people with an EHCP who are NEET (%)", "percent", "lower_better", series(OCT_MAR, NEET),
            {"2025/26": 4.0}, reference="2"),
], _no_rag_comments)


# --- 4. Baseline (Mar 24), Status in words and a Trend arrow, a blank month -----------------------------------------

EXCLUSIONS = [3.0, 5.0, 2.0, None, 4.0, 1.0]
AVG_DAYS = [142.0, 138.0, 150.0, 131.0, 127.0, 125.0]


def _baseline_status_trend(layout: Layout) -> bytes:
    excl, days = layout.measures
    rows: Rows = [["Measure", "Baseline (Mar 24)", *(mon_yy(p).replace("-", " ") for p in APR_SEP), "Target",
                   "Status", "Trend"],
                  [excl.name, "6", *map(num, EXCLUSIONS), "2", "Green", "↓"],
                  [days.name, "160", *map(num, AVG_DAYS), "140", "Amber", "▲"]]
    return csv_bytes(rows)


BASELINE_STATUS = Layout("dunmere_baseline_status.csv", "803", [
    Measure("Permanent exclusions of pupils with an EHCP", "count", "lower_better", series(APR_SEP, EXCLUSIONS),
            {"": 2.0}, {"2024-03": 6.0}, kpi_target=2.0),
    Measure("Average days to issue a final plan", "days", "lower_better", series(APR_SEP, AVG_DAYS), {"": 140.0},
            {"2024-03": 160.0}, kpi_target=140.0),
], _baseline_status_trend)


# --- 5. Polarity words in a `Good is` column, ISO months, a Commentary column, a Ref column last ----------------------

SATISFIED = [78.0, 80.0, 81.5, 79.0, 83.0, 84.5]
LATE = [14.0, 12.0, 15.0, 11.0, 9.0, 8.0]


def _good_is_words(layout: Layout) -> bytes:
    sat, late = layout.measures
    rows: Rows = [["Description", *APR_SEP, "Target", "Good is", "Commentary", "Ref"],
                  [sat.name, *map(num, SATISFIED), "85", "Higher", None, "PF/1"],
                  [late.name, *map(num, LATE), "5", "lower is better", late.comment, "PF/2"]]
    return csv_bytes(rows)


GOOD_IS = Layout("elmstead_good_is.csv", "805", [
    Measure("Parents satisfied with the assessment process (%)", "percent", "higher_better", series(APR_SEP, SATISFIED),
            {"": 85.0}, kpi_target=85.0, polarity_source="document", reference="PF/1"),
    Measure("Number of plans issued late", "count", "lower_better", series(APR_SEP, LATE), {"": 5.0}, kpi_target=5.0,
            polarity_source="document", reference="PF/2", comment="Two caseworkers started in September"),
], _good_is_words)


# --- 6. A long BI export: Indicator Name, Month as a UK date, Actual, Target, Unit, a blank Actual ---------------------

BI_RATE = [50.5, 52.0, 54.5, 57.0, 59.5, None]
BI_WEEKS = [23.5, 22.0, 21.5, 20.0, 19.5, None]
BI_APPEALS = [3.0, 1.0, 4.0, 2.0, 0.0, None]


def _bi_export(layout: Layout) -> bytes:
    rate, weeks, appeals = layout.measures
    rows: Rows = [["Indicator Name", "Month", "Actual", "Target", "Unit"]]
    for m, values, target, unit in ((rate, BI_RATE, "60", "%"), (weeks, BI_WEEKS, "20", "Weeks"),
                                    (appeals, BI_APPEALS, None, "Number")):
        for p, v in zip(OCT_MAR, values, strict=True):
            rows.append([m.name, uk_date(p), num(v), target, unit])
    return csv_bytes(rows)


def _monthly(value: float, periods: list[str]) -> dict[str, float]:
    return dict.fromkeys(periods, value)


BI_EXPORT = Layout("fenwick_bi_export.csv", "806", [
    Measure("EHC plans issued within 20 weeks", "percent", "higher_better", series(OCT_MAR, BI_RATE),
            _monthly(60.0, OCT_MAR), kpi_target=60.0),
    Measure("Average weeks to issue an EHC plan", "weeks", "lower_better", series(OCT_MAR, BI_WEEKS),
            _monthly(20.0, OCT_MAR), kpi_target=20.0),
    Measure("SEND tribunal appeals lodged", "count", "lower_better", series(OCT_MAR, BI_APPEALS)),
], _bi_export)


# --- 7. A long export with ISO dates, Value, a RAG column, a Direction column in words, semicolons --------------------

ISO_PCT = [91.0, 93.5, 92.0, 95.0, 96.5, 97.0]
ISO_COUNT = [410.0, 415.0, 422.0, 430.0, 428.0, 441.0]


def _iso_long(layout: Layout) -> bytes:
    pct_m, count_m = layout.measures
    rows: Rows = [["Measure Name", "Period", "Value", "RAG", "Direction", "Unit"]]
    for p, a, b in zip(APR_SEP, ISO_PCT, ISO_COUNT, strict=True):
        rows.append([pct_m.name, f"{p}-01", num(a), "G", "Higher is better", "%"])
        rows.append([count_m.name, f"{p}-01", num(b), None, None, "Number"])
    return csv_bytes(rows, delimiter=";")


ISO_LONG = Layout("glenholme_iso_long.csv", "807", [
    Measure("Annual review decisions communicated within 4 weeks", "percent", "higher_better", series(APR_SEP, ISO_PCT),
            polarity_source="document"),
    Measure("Children and young people with an EHCP maintained", "count", "neutral", series(APR_SEP, ISO_COUNT)),
], _iso_long)


# --- 8. A workbook: title block, a merged year band, months as date cells, one sheet per theme ------------------------

WB_REQ = [101.0, 96.0, 110.0, 87.0, 72.0, 121.0]
WB_RATE = [48.0, 50.5, 53.0, 55.5, 57.0, 61.5]
WB_MAIN = [39.5, 39.8, 40.1, 40.0, 40.6, 41.2]
WB_SPECIAL = [7.2, 7.4, 7.3, 7.5, 7.9, 8.1]


def _workbook(layout: Layout, sheets: list[tuple[str, list[tuple[Measure, list[float], str]]]],
              periods: list[str], title: str, *, dates: bool, band: str | None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet_name, measures in sheets:
        ws = book.create_sheet(sheet_name)
        ws.append([title])
        ws.append([f"Theme: {sheet_name}"])
        ws.append(["Produced by the Performance and Intelligence Team, May 2025"])
        ws.append([])
        if band:
            ws.append([None, band, *([None] * (len(periods) - 1))])
            ws.merge_cells(start_row=5, start_column=2, end_row=5, end_column=1 + len(periods))
        heads = [dt.datetime(int(p[:4]), int(p[5:]), 1) if dates else mon_yy(p) for p in periods]
        ws.append(["Indicator", *heads, "Target", "RAG", "Comments"])
        header = ws.max_row
        if dates:
            for col in range(2, 2 + len(periods)):
                ws.cell(header, col).number_format = "mmm-yy"
        for m, values, fmt in measures:
            cells: list[object] = [v / 100 if fmt == "percent" else v for v in values]
            target = None if m.kpi_target is None else (m.kpi_target / 100 if fmt == "percent" else m.kpi_target)
            ws.append([m.name, *cells, target, "G", m.comment])
            if fmt == "percent":
                for col in range(2, 3 + len(periods)):
                    ws.cell(ws.max_row, col).number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _themes_xlsx(layout: Layout) -> bytes:
    req, rate, main, special = layout.measures
    return _workbook(layout, [("Assessments", [(req, WB_REQ, "count"), (rate, WB_RATE, "percent")]),
                              ("Placements", [(main, WB_MAIN, "percent"), (special, WB_SPECIAL, "percent")])],
                     APR_SEP, "Hartwell County Council SEND Scorecard 2024/25", dates=True, band="2024/25")


THEMES_XLSX = Layout("hartwell_themes.xlsx", "808", [
    Measure("New requests for an EHC needs assessment", "count", "neutral", series(APR_SEP, WB_REQ)),
    Measure("% new EHCPs issued within 20 weeks (excluding exceptions)", "percent", "higher_better",
            series(APR_SEP, WB_RATE), {"": 60.0}, kpi_target=60.0, comment="Above 60% for the first time this year"),
    Measure("% of pupils with an EHC plan in mainstream schools", "percent", "higher_better", series(APR_SEP, WB_MAIN)),
    Measure("% of EHCPs in independent or non-maintained special schools", "percent", "lower_better", series(APR_SEP, WB_SPECIAL),
            {"": 7.0}, kpi_target=7.0),
], _themes_xlsx, sheet="all")


# --- 9. A workbook: title block, months as text, Milestone Mar-25 and Baseline 2023/24, one sheet --------------------

MS_RATE = [33.0, 36.5, 40.0, 42.5, 45.0, 47.5]


def _milestones_xlsx(layout: Layout) -> bytes:
    (rate,) = layout.measures
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Scorecard"
    ws.append(["Islay Borough SEND Improvement Plan"])
    ws.append(["Reporting period: April to September 2024"])
    ws.append([])
    ws.append(["Ref", "Performance Measure", "Baseline 2023/24", *map(mon_yy, APR_SEP), "Milestone Mar-25",
               "Target 2025/26", "RAG", "Comments"])
    ws.append(["IP 4", rate.name, 31, *MS_RATE, 55, 65, "Red", rate.comment])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


MILESTONES_XLSX = Layout("islay_milestones.xlsx", "810", [
    Measure("% of EHC needs assessment decisions made within 6 weeks", "percent", "higher_better",
            series(APR_SEP, MS_RATE), {"2025-03": 55.0, "2025/26": 65.0}, {"2023/24": 31.0}, reference="IP 4",
            comment="Decision panel now meets weekly"),
], _milestones_xlsx)


# --- 10. An ID column after the name, two year targets (this year's applies), trend words, polarity words ---------------

WAIT = [19.0, 18.5, 18.0, 17.0, 16.5, 15.0]
HEARINGS = [5.0, 4.0, 6.0, 3.0, 4.0, 2.0]


def _year_targets(layout: Layout) -> bytes:
    wait, hearings = layout.measures
    rows: Rows = [["KPI", "ID", *(mon_yy(p).replace("-", " ") for p in OCT_MAR), "Target 2024/25", "Target 2025/26",
                   "Direction of travel", "Polarity"],
                  [wait.name, "K7", *map(num, WAIT), "16", "12", "Improving", "Lower is better"],
                  [hearings.name, "K8", *map(num, HEARINGS), None, None, "↔", None]]
    return csv_bytes(rows)


YEAR_TARGETS = Layout("jessop_year_targets.csv", "811", [
    Measure("Waiting time for a specialist placement (weeks)", "weeks", "lower_better", series(OCT_MAR, WAIT),
            {"2024/25": 16.0, "2025/26": 12.0}, kpi_target=16.0, polarity_source="document", reference="K7"),
    Measure("Tribunal hearings attended", "count", "neutral", series(OCT_MAR, HEARINGS), reference="K8"),
], _year_targets)


# --- 11. Annual columns, a Ref column first, Target 2024/25 -----------------------------------------------------------

YEARS = ["2021/22", "2022/23", "2023/24"]
ABSENCE = [12.4, 13.1, 12.8]
KS4 = [38.5, 40.0, 41.2]


def _annual(layout: Layout) -> bytes:
    absence, ks4 = layout.measures
    rows: Rows = [["Kingsmere SEND outcomes (annual)"],
                  ["Ref", "Measure", *YEARS, "Target 2024/25"],
                  ["OUT1", absence.name, *map(pct, ABSENCE), "11%"],
                  ["OUT2", ks4.name, *map(num, KS4), "45"]]
    return csv_bytes(rows)


ANNUAL = Layout("kingsmere_annual.csv", "812", [
    Measure("Persistent absence of pupils with an EHCP (%)", "percent", "lower_better", series(YEARS, ABSENCE),
            {"2024/25": 11.0}, reference="OUT1"),
    Measure("Average Attainment 8 score of pupils with SEN support", "score", "higher_better", series(YEARS, KS4),
            {"2024/25": 45.0}, reference="OUT2"),
], _annual)


# --- 12. A long BI export with its own headings: KPI, Reporting Month (Oct-24), Actual, Target, Status, Comments ------

LONG_CASES = [1250.0, 1262.0, 1271.0, None, None, None]
LONG_OVERDUE = [40.0, 36.0, 31.0, None, None, None]


def _bi_comments(layout: Layout) -> bytes:
    cases, overdue = layout.measures
    rows: Rows = [["KPI", "Reporting Month", "Actual", "Target", "Status", "Comments", "Unit"]]
    for m, values, target, status in ((cases, LONG_CASES, None, None), (overdue, LONG_OVERDUE, "25", "Red")):
        for p, v in zip(OCT_MAR, values, strict=True):
            comment = m.comment if p == "2024-12" else None
            rows.append([m.name, mon_yy(p), num(v), target, status, comment, "Number"])
    return csv_bytes(rows)


BI_COMMENTS = Layout("lowther_bi_comments.csv", "813", [
    Measure("Open EHC plans at month end", "count", "neutral", series(OCT_MAR, LONG_CASES)),
    Measure("Annual reviews overdue", "count", "lower_better", series(OCT_MAR, LONG_OVERDUE),
            _monthly(25.0, OCT_MAR), kpi_target=25.0, comment="Backlog project started in November"),
], _bi_comments)


LAYOUTS = [REF_FIRST, CODE_AFTER, NO_RAG, BASELINE_STATUS, GOOD_IS, BI_EXPORT, ISO_LONG, THEMES_XLSX, MILESTONES_XLSX,
           YEAR_TARGETS, ANNUAL, BI_COMMENTS]


def write(layout: Layout, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / layout.file
    path.write_bytes(layout.build(layout))
    return path


if __name__ == "__main__":
    for each in LAYOUTS:
        print(write(each, Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
