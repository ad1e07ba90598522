"""Acceptance: every figure of both documents is in the export with the right value, unit, period and series.

The store is built and exported through the command line exactly as a user would
(`python -m sendlib init` then `export --format csv`), and the file is read back with pandas.
Expected values are typed from the seed documents in /work/shared/seeds/ (the source of truth),
not from our CSV transcriptions of them and not from anything sendlib computes.
"""

from __future__ import annotations

import csv
import math
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.paths import CATALOGUE_DIR

EMPTY = None  # no value: the cell is a note only
ANY = object()  # a note we don't pin down


@pytest.fixture(scope="module")
def export(tmp_path_factory, paths, python) -> pd.DataFrame:
    work = tmp_path_factory.mktemp("figures")
    store, out, board = work / "store", work / "export.csv", work / "board.csv"
    # Each document is its own council's: the scorecard Bournemouth, Christchurch and Poole's, the board report X01's.
    for args in (["init", "--store", str(store)], ["export", "--store", str(store), "--format", "csv", "-o", str(out)],
                 ["export", "--store", str(store), "--la", "X01", "--format", "csv", "-o", str(board)]):
        done = subprocess.run([python, "-m", "sendlib", *args], cwd=paths["root"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    # Everything as text, and blank as "" (not NaN: `n/a` is a note that must stay `n/a`).
    read = [pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig") for f in (out, board)]
    assert set(read[0]["scorecard"]) == {"scorecard"} and set(read[1]["scorecard"]) == {"board"}
    return pd.concat(read, ignore_index=True)


def find(export: pd.DataFrame, scorecard: str, kpi_id: str, period: str, series: str) -> pd.DataFrame:
    return export[
        (export["scorecard"] == scorecard)
        & (export["kpi_id"] == kpi_id)
        & (export["period"] == period)
        & (export["series"] == series)
    ]


def check(export, scorecard, kpi_id, period, series, value, count=None, note=None, unit=None):
    hits = find(export, scorecard, kpi_id, period, series)
    assert len(hits) == 1, f"{kpi_id} {period!r} {series}: {len(hits)} rows"
    row = hits.iloc[0]
    if value is EMPTY:
        assert row["value"] == ""
    else:
        assert row["value"] != "" and float(row["value"]) == pytest.approx(value, abs=1e-9)
    assert row["count"] == ("" if count is None else str(count))
    if note is None:
        assert row["note"] == ""
    elif note is not ANY:
        assert note in row["note"]
    if unit is not None:
        assert row["unit"] == unit


S = "scorecard"
B = "board"

SCORECARD_FIGURES = [
    # Scorecard seed, page 1, section "EHCPs and SEN Support" (arrows after values, `▶ ▲ ▼`).
    (S, "sen-support", "2023-12", "actual", 7143, None, None, "count"),
    (S, "sen-support", "2024-10", "actual", 7162, None, None, "count"),
    (S, "ehcps", "2024-08", "actual", 4138, None, None, "count"),
    (S, "ehcps", "2025-01", "actual", 4453, None, None, "count"),
    (S, "ehcps-statutory-school-age-pct", "2024-04", "actual", 71, None, None, "percent"),
    (S, "ehcps-statutory-school-age-pct", "2025-01", "actual", 70, None, None, "percent"),
    (S, "early-years-ehcps", "2024-09", "actual", 26, None, None, "count"),
    (S, "rising-5s-ehcps", "2024-08", "actual", 136, None, None, "count"),
    # Page 1, "SEN Early Years Sufficiency": Tier 1 Apr 24 `130 ▼`; Tier 3 arrow-only Dec 23 `▲`;
    # EXPANDED Apr 24 `0.316` among percentages; Dingley's Promise YTD starts Nov 24 `119`.
    (S, "ey-sen-funding-tier-1", "2024-04", "actual", 130, None, None, "count"),
    (S, "ey-sen-funding-tier-3", "2023-12", "actual", EMPTY, None, "▲", "count"),
    (S, "ey-sen-funding-tier-3", "2024-04", "actual", 130, None, None, "count"),
    (S, "eef-2yo-expanded", "2024-04", "actual", 31.6, None, "0.316", "percent"),
    (S, "eef-2yo-expanded", "2025-01", "actual", 54, None, None, "percent"),
    (S, "eef-2yo-overall", "2024-10", "actual", 95, None, None, "percent"),
    (S, "eef-3-4yo", "2024-11", "actual", 100, None, None, "percent"),
    (S, "dingleys-promise-ytd", "2024-11", "actual", 119, None, None, "count"),
    # Page 1, "EHCP by Provision Type": benchmarks Nat / SN / SW and the Target column (blank period).
    (S, "ehcps-mainstream-pct", "", "national", 43.3, None, None, "percent"),
    (S, "ehcps-mainstream-pct", "", "statistical_neighbours", 41.2, None, None, "percent"),
    (S, "ehcps-mainstream-pct", "", "regional", 43.8, None, None, "percent"),
    (S, "ehcps-special-independent-pct", "2025-01", "actual", 11.5, None, None, "percent"),
    (S, "ehcps-special-independent-pct", "", "target", 5.0, None, None, "percent"),
    (S, "ehcps-special-independent-pct", "", "national", 5.2, None, None, "percent"),
    (S, "ehcps-special-independent-pct", "", "statistical_neighbours", 5.7, None, None, "percent"),
    (S, "ehcps-special-independent-pct", "", "regional", 6.2, None, None, "percent"),
    (S, "ehcps-ehe-pct", "", "regional", 1.4, None, None, "percent"),
    (S, "ehcp-neet-16-25-pct", "2024-12", "actual", 12.5, None, None, "percent"),
    (S, "ehcp-neet-16-25-pct", "", "national", 2.9, None, None, "percent"),
    (S, "ehcp-neet-16-18-pct", "2024-10", "actual", 8.0, None, None, "percent"),
    # Page 1, "Pupil Placements": `requested` and `KPI changed-see below` are notes, not numbers.
    (S, "places-mainstream", "2024-06", "actual", EMPTY, None, "requested", "count"),
    (S, "places-la-post16", "2024-09", "actual", EMPTY, None, "requested", "count"),
    (S, "special-school-waiting-mainstream-ap", "2024-09", "actual", 143, None, None, "count"),
    (S, "special-school-waiting-mainstream-ap", "2024-10", "actual", EMPTY, None, "KPI changed-see below", "count"),
    (S, "special-school-waiting-list", "2024-10", "actual", 267, None, None, "count"),
    # Page 1, "Assessments and Requests": the two `no of above - primary phase` rows are different KPIs.
    (S, "requests", "2024-07", "actual", 152, None, None, "count"),
    (S, "requests-primary", "2024-03", "actual", 67, None, None, "count"),
    (S, "parent-requests-primary", "2024-03", "actual", 12, None, None, "count"),
    (S, "requests-post16", "2023-12", "actual", 0, None, None, "count"),
    (S, "parent-requests-pct", "2024-01", "actual", 58, None, None, "percent"),
    (S, "ehcna-agreed", "2024-02", "actual", 82, None, None, "count"),
    # Page 2, "Mediations, Tribunals, Compliments and Complaints": cumulative totals that reset in
    # January; percentages with counts in brackets in every spelling, and `0% (0)`.
    (S, "mediations-cumulative", "2024-12", "actual", 435, None, None, "count"),
    (S, "mediations-cumulative", "2025-01", "actual", 42, None, None, "count"),
    (S, "mediations-followed-by-appeal-pct", "2023-12", "actual", 14.3, 10, None, "percent"),
    (S, "mediations-followed-by-appeal-pct", "2024-05", "actual", 15.12, 24, None, "percent"),
    (S, "mediations-followed-by-appeal-pct", "2024-06", "actual", 11.84, 27, None, "percent"),
    (S, "mediations-followed-by-appeal-pct", "2024-11", "actual", 17, 67, None, "percent"),
    (S, "tribunal-la-conceded-pct", "2024-04", "actual", 48.7, 19, None, "percent"),
    (S, "tribunal-parent-withdrew-pct", "2025-01", "actual", 0, 0, None, "percent"),
    (S, "tribunal-appeals-cumulative", "2025-01", "actual", 9, None, None, "count"),
    (S, "compliments", "2024-12", "actual", 3, None, None, "count"),
    (S, "complaints", "2025-01", "actual", 13, None, None, "count"),
    # Page 2, "Preparing for Adulthood".
    (S, "asc-ld-18-25-own-home-or-family", "2023-12", "actual", 146, None, None, "count"),
    (S, "ld-pd-18-25-direct-payments-pct", "2024-12", "actual", 38.7, None, None, "percent"),
    (S, "pfa-yr10-reviews-attended-pct", "2024-08", "actual", 0.0, None, None, "percent"),
    (S, "pfa-yr10-reviews-attended-pct", "2024-12", "actual", 16.9, None, None, "percent"),
    # Page 2, "Quality Assurance": targets 90% and 30% one column further right; the three
    # parent/carer rows have a value in the extra column after Jan 25 (read as Feb 25).
    (S, "plrs-collaborative-pct", "2025-01", "actual", 79, None, None, "percent"),
    (S, "plrs-collaborative-pct", "", "target", 90, None, None, "percent"),
    (S, "plrs-moderated-pct", "", "target", 30, None, None, "percent"),
    (S, "parent-good-communication-pct", "2025-02", "actual", 50, None, None, "percent"),
    (S, "parent-good-communication-pct", "2025-01", "actual", 100, None, None, "percent"),
    (S, "parent-views-in-plan-pct", "2025-02", "actual", 67, None, None, "percent"),
    (S, "parent-contributed-pct", "2025-02", "actual", 83, None, None, "percent"),
    (S, "parent-happy-with-ehcp-pct", "2025-01", "actual", 83, None, None, "percent"),
    # Page 2, "Adults with Learning Disabilities": `0.60%` and `1.00%`.
    (S, "asc-18-25-with-ehcp", "2024-09", "actual", 76, None, None, "count"),
    (S, "asc-ld-18-25-paid-employment-pct", "2024-11", "actual", 0.6, None, None, "percent"),
    (S, "asc-ld-18-25-paid-employment-pct", "2025-01", "actual", 1.0, None, None, "percent"),
    # Page 2, "SENDiass4BCP".
    (S, "sendiass-l1-enquiries", "2025-01", "actual", 3005, None, None, "count"),
    (S, "sendiass-open-l4", "2023-12", "actual", 75, None, None, "count"),
]

BOARD_FIGURES = [
    # Board report page 1, contextual tiles: `8317 Number of EHCPs  Open EHCNA Caseload  New EHCNA
    # Requests Received 1814 267` (latest month, Mar-24).
    (B, "ctx-ehcps", "2024-03", "actual", 8317, None, ANY, "count"),
    (B, "ctx-open-ehcna-caseload", "2024-03", "actual", 1814, None, ANY, "count"),
    (B, "ctx-new-ehcna-requests", "2024-03", "actual", 267, None, ANY, "count"),
    # Page 1, "Latest Monthly Data" (Latest Mar-24, Previous Feb-24), Statutory Duty Measures 1-8.
    (B, "b01-6-week-decisions", "2024-03", "actual", 100, None, None, "percent"),
    (B, "b01-6-week-decisions", "", "target", 100, None, None, "percent"),
    (B, "b02-proceed-to-assessment", "2024-03", "actual", 82.9, None, None, "percent"),
    (B, "b02-proceed-to-assessment", "2024-02", "actual", EMPTY, None, "n/a", "percent"),
    (B, "b03-ehcps-issued", "2024-03", "actual", 104, None, None, "count"),
    (B, "b03-ehcps-issued", "2024-02", "actual", 114, None, None, "count"),
    (B, "b04-20-week-rate-excl-exceptions", "2024-03", "actual", 15.9, None, None, "percent"),
    (B, "b04-20-week-rate-excl-exceptions", "2024-02", "actual", 21.7, None, None, "percent"),
    (B, "b04-20-week-rate-excl-exceptions", "", "target", 49.1, None, None, "percent"),
    (B, "b05-average-time-to-issue-excl-exceptions", "2024-03", "actual", 270, None, None, "days"),  # 38 weeks 4 days
    (B, "b05-average-time-to-issue-excl-exceptions", "2024-02", "actual", 256, None, None, "days"),  # 36 weeks 4 days
    (B, "b05-average-time-to-issue-excl-exceptions", "", "target", 140, None, None, "days"),  # 20 weeks
    (B, "b06-issued-over-32-weeks-excl-exceptions", "2024-03", "actual", 69.3, None, None, "percent"),
    (B, "b07-issued-over-52-weeks-excl-exceptions", "", "target", 0.0, None, None, "percent"),
    (B, "b08-annual-reviews-within-12-months", "2024-03", "actual", 35.0, None, None, "percent"),
    (B, "b08-annual-reviews-within-12-months", "2024-02", "actual", 26.0, None, None, "percent"),
    # Page 2, "Latest Monthly Data (continued)": Social Care, Alternative Provision, Lived Experience.
    (B, "b15-ehcps-open-to-social-care", "2024-03", "actual", 902, None, None, "count"),
    (B, "b16-personal-budgets", "2024-03", "actual", 2829, None, None, "count"),
    (B, "b16-personal-budgets", "2024-02", "actual", 2828, None, None, "count"),
    (B, "b17-ap-occupancy-rate", "2024-03", "actual", 78.0, None, None, "percent"),
    (B, "b17-ap-occupancy-rate", "", "target", 90.0, None, None, "percent"),
    (B, "b18-ap-outreach-children", "2024-03", "actual", EMPTY, None, "n/a", "count"),
    (B, "b20-mediation-notifications", "2024-03", "actual", 17, None, None, "count"),
    (B, "b21-parent-feedback-views-taken-into-account", "2024-02", "actual", 73.3, None, None, "percent"),
    (B, "b22-parent-feedback-fsc-helpful", "", "target", 77.5, None, None, "percent"),
    # Page 3, "Latest Half Termly Data" (Latest Spring 1 2023/24, Previous Autumn 2 2023/24).
    (B, "b23-permanent-exclusions-ehcp", "2023/24 Spring 1", "actual", 0.04, None, None, "percent"),
    (B, "b23-permanent-exclusions-ehcp", "2023/24 Autumn 2", "actual", 0.02, None, None, "percent"),
    (B, "b23-permanent-exclusions-ehcp", "", "target", 0.11, None, None, "percent"),
    (B, "b24-permanent-exclusions-sen-support", "2023/24 Spring 1", "actual", 0.12, None, None, "percent"),
    # Page 3, "Latest Termly Data" (Latest Autumn 2023/24, Previous Summer 2022/23).
    (B, "b25-persistent-absence-ehcp-pct", "2023/24 Autumn", "actual", 31.7, None, None, "percent"),
    (B, "b25-persistent-absence-ehcp-pct", "2022/23 Summer", "actual", 26.3, None, None, "percent"),
    (B, "b25-persistent-absence-ehcp-pct", "", "target", 37.0, None, None, "percent"),
    (B, "b27-qa-audit-average-score", "2023/24 Autumn", "actual", 17.5, None, None, "score"),
    # Page 4, "Latest Annual Data" (Latest 2024, Previous 2023): phase transfers.
    (B, "b28-phase-transfer-amended-by-15-feb", "2024", "actual", 99.0, None, None, "percent"),
    (B, "b28-phase-transfer-amended-by-15-feb", "2023", "actual", 93.0, None, None, "percent"),
    (B, "b28-phase-transfer-amended-by-15-feb", "", "target", 95.0, None, None, "percent"),
    (B, "b30-phase-transfer-amended-by-31-mar-post16", "2023", "actual", 54.0, None, None, "percent"),
    (B, "b31-phase-transfer-placement-post16", "2024", "actual", 80.0, None, None, "percent"),
    # Page 4, second table (Latest 2023, Previous 2022): education, Progress 8 scores, NEET.
    (B, "b32-sen-support-pct", "2023", "actual", 13.0, None, None, "percent"),
    (B, "b32-sen-support-pct", "2022", "actual", 11.9, None, None, "percent"),
    (B, "b33-ehcp-pct", "", "target", 4.5, None, None, "percent"),
    (B, "b36-ks2-rwm-ehcp", "2023", "actual", 7.0, None, None, "percent"),
    (B, "b39-ks4-eng-maths-4-9-ehcp", "2022", "actual", 10.0, None, None, "percent"),
    (B, "b40-progress-8-no-sen", "2023", "actual", 0, None, None, "score"),
    (B, "b40-progress-8-no-sen", "2022", "actual", 0.02, None, None, "score"),
    (B, "b41-progress-8-sen-support", "2023", "actual", -0.48, None, None, "score"),
    (B, "b41-progress-8-sen-support", "2022", "actual", -0.4, None, None, "score"),
    (B, "b41-progress-8-sen-support", "", "target", -0.44, None, None, "score"),
    (B, "b42-progress-8-ehcp", "2023", "actual", -1.17, None, None, "score"),
    (B, "b42-progress-8-ehcp", "2022", "actual", -1.3, None, None, "score"),
    (B, "b42-progress-8-ehcp", "", "target", -1.11, None, None, "score"),
    (B, "b45-neet-16-17-ehcp", "2023", "actual", 14.0, None, None, "percent"),
    (B, "b47-progress-towards-outcomes-pct", "2023", "actual", 78.0, None, None, "percent"),
    (B, "b48-send-appeals-rate", "2023", "actual", 1.7, None, None, "percent"),
    (B, "b48-send-appeals-rate", "2022", "actual", 2.4, None, None, "percent"),
    (B, "b49-secondary-transition-pct", "2023", "actual", 75.0, None, None, "percent"),
]


def _id(figure) -> str:
    return f"{figure[1]}|{figure[2] or '-'}|{figure[3]}"


@pytest.mark.parametrize("figure", SCORECARD_FIGURES + BOARD_FIGURES, ids=_id)
def test_document_figure_in_export(export, figure):
    scorecard, kpi_id, period, series, value, count, note, unit = figure
    check(export, scorecard, kpi_id, period, series, value, count, note, unit)


def test_enough_figures_are_checked():
    assert len(SCORECARD_FIGURES) + len(BOARD_FIGURES) >= 45


def test_every_scorecard_section_is_spot_checked():
    sections = {
        "EHCPs and SEN Support", "SEN Early Years Sufficiency", "EHCP by Provision Type", "Pupil Placements",
        "Assessments and Requests", "Mediations, Tribunals, Compliments and Complaints", "Preparing for Adulthood",
        "Quality Assurance", "Adults with Learning Disabilities", "SENDiass4BCP",
    }
    catalogue = load_catalogue()
    checked = {catalogue[f[1]].section for f in SCORECARD_FIGURES}
    assert sections <= checked


def test_board_tiles_have_no_previous_or_target(export):
    # The tiles print one number each: nothing for Feb-24 and no target.
    for kpi_id in ("ctx-ehcps", "ctx-open-ehcna-caseload", "ctx-new-ehcna-requests"):
        assert len(export[export["kpi_id"] == kpi_id]) == 1


def test_empty_second_page_cell_is_absent(export):
    # `% parent/carer who are happy with the EHCP` has nothing in the extra (Feb 25) column.
    assert find(export, S, "parent-happy-with-ehcp-pct", "2025-02", "actual").empty


def test_board_placeholders_have_no_value(export):
    # Board report measures 9-14 and 46 are `TBC`: no figure may appear for them.
    health = export[export["kpi_id"].str.match(r"b(09|1[0-4]|46)-health-tbc")]
    assert len(health) == 7
    assert (health["value"] == "").all()


# --- the whole scorecard, cell by cell ------------------------------------------------------------

MONTHS = {m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}
BENCHMARKS = {"Nat": "national", "SN": "statistical_neighbours", "SW": "regional", "Target": "target"}


def _column_key(heading: str) -> tuple[str, str]:
    if heading in BENCHMARKS:
        return "", BENCHMARKS[heading]
    mon, yy = heading.split()
    return f"20{yy}-{MONTHS[mon]:02d}", "actual"


def seed_cells(seed: Path) -> list[tuple[str, str | None, str, str]]:
    """(KPI name, parent name or None, column heading, raw text) for every non-empty value cell.

    Read from the seed text itself, not from data/source/send_scorecard.csv, because the seed is the
    independent source: the CSV is our own transcription and could share a mistake with the importer.
    Page 1 rows have the header's 19 fields; page 2 rows (no header) have 20: the extra column after
    `Jan 25` is `Feb 25`, so Nat / SN / SW / Target sit one further right.
    """
    lines = seed.read_text(encoding="utf-8").split("\n")
    header = next(line.split("\t") for line in lines if line.startswith("KPI\t"))
    wider = header[:15] + ["Feb 25"] + header[15:]
    cells = []
    parent = None
    for line in lines:
        fields = line.split("\t")
        if len(fields) < len(header) or fields[0] == "KPI":
            continue
        headings = header if len(fields) == len(header) else wider
        assert len(fields) == len(headings)
        name = fields[0].strip()
        child = name.lower().startswith("no of above")
        if not child:
            parent = name
        for heading, raw in zip(headings[1:], fields[1:]):
            if raw.strip():
                cells.append((name, parent if child else None, heading, raw.strip()))
    return cells


def catalogue_ids() -> dict[tuple[str, str | None], str]:
    """(name, parent name) → id, from the catalogue file read with the csv module."""
    with (CATALOGUE_DIR / "kpis.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["scorecard"] == "scorecard"]
    names = {r["id"]: r["name"] for r in rows}
    return {(r["name"], names[r["parent_id"]] if r["parent_id"] else None): r["id"] for r in rows}


def test_every_scorecard_seed_cell_is_exactly_one_export_row(export, paths):
    ids = catalogue_ids()
    cells = seed_cells(paths["scorecard_seed"])
    expected = []
    for name, parent, heading, raw in cells:
        period, series = _column_key(heading)
        expected.append((ids[(name, parent)], period, series, raw))
    keys = [e[:3] for e in expected]
    assert len(keys) == len(set(keys)), "the seed reading maps two cells to one key"

    scorecard = export[export["scorecard"] == "scorecard"]
    exported = list(zip(scorecard["kpi_id"], scorecard["period"], scorecard["series"]))
    assert len(exported) == len(set(exported))
    assert sorted(exported) == sorted(keys)
    assert len(scorecard) == len(cells)

    # A cell with a digit in it carries a value; one without (`▲`, `requested`) is a note only.
    by_key = scorecard.set_index(["kpi_id", "period", "series"])
    for kpi_id, period, series, raw in expected:
        row = by_key.loc[(kpi_id, period, series)]
        if any(ch.isdigit() for ch in raw):
            assert row["value"] != "", (kpi_id, period, raw)
            assert not math.isnan(float(row["value"]))
        else:
            assert row["value"] == "" and row["note"] != "", (kpi_id, period, raw)
