"""DfE's published SEND statistics, read into one compact long table.

Three shapes come from DfE: Explore Education Statistics (EES) tidy CSVs (one row per period × area ×
breakdown, one column per indicator), the SEND tribunal appeal-rate table (a printed table, years across),
and the statistical-neighbour workbooks. All are read here, from bytes, so the build script, the upload
page and the CLI take one path.

Suppressed cells hold symbols, not numbers. They are kept as `symbol` beside a missing `value` and are
never read as zero: a board must see "c: suppressed" rather than a comparison with nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from sendlib.domain.dfe import (
    CENSUS_DATASETS,
    DFE_TABLE,
    KNOWN_DATASETS,
    LEVELS,
    NEIGHBOUR_TABLE,
    SUPPRESSION,
)
from sendlib.files.readers import MAX_COLUMNS, FileRefused, decode_text, open_workbook

RELEASES = {
    "ehcp_2025": "Education, health and care plans, reporting year 2025",
    "ehcp_2022": "Education, health and care plans, reporting year 2022 (SEN2 management information)",
}

@dataclass
class DfeFile:
    """One DfE file read: what it holds, and its rows in the compact layout."""

    kind: str  # "ees" | "neighbours"
    dataset: str
    file_name: str
    rows: pd.DataFrame
    release: str

    def summary(self) -> str:
        if self.kind == "neighbours":
            return f"{self.file_name}: statistical-neighbour groups {self.dataset}, {self.rows['old_la_code'].nunique()} authorities"
        periods = sorted(self.rows["period"].unique())
        suppressed = int(self.rows["symbol"].notna().sum())
        las = self.rows.loc[self.rows["geographic_level"] == "local_authority", "old_la_code"].nunique()
        return (f"{self.file_name}: DfE {self.dataset}, {len(periods)} periods ({periods[0]} to {periods[-1]}), "
                f"{las} local authorities, {len(self.rows):,} figures of which {suppressed:,} suppressed or missing")


def period_label(dataset: str, time_period: str) -> str:
    """EES `time_period` → the explorer's period label: `202324` → `2024-01` (January census) for caseload and
    personal budgets, `2024` for calendar-year flows."""
    tp = str(time_period).strip()
    if re.fullmatch(r"\d{6}", tp):
        second = int(tp[:2] + tp[4:]) if tp[4:] != "00" else int(tp[:4]) + 1
        if dataset in CENSUS_DATASETS:
            return f"{second:04d}-01"
        return f"{tp[:4]}/{tp[4:]}"
    if re.fullmatch(r"\d{4}", tp):
        return tp
    raise FileRefused(f"{dataset}: time_period {tp!r} is not a year (2024) or an academic year (202324)")


def parse_cell(raw: object) -> tuple[float | None, str | None]:
    """A DfE cell → (value, suppression symbol). `1,071` and `4.40%` are numbers; a symbol is never a zero."""
    if raw is None:
        return None, "x"
    text = str(raw).strip()
    if text == "":
        return None, "x"
    if text.lower() in SUPPRESSION:
        return None, text.lower()
    cleaned = text.replace(",", "").rstrip("%").strip()
    try:
        return float(cleaned), None
    except ValueError:
        return None, text


def _dataset_name(file_name: str, header: list[str]) -> str:
    stem = re.sub(r"\.(csv|txt)$", "", file_name.lower())
    for known in sorted(KNOWN_DATASETS, key=len, reverse=True):
        if known in stem:
            return known
    columns = set(header)
    guesses = {
        "ehcplans": "caseload", "plans_issued_den": "timeliness_20_week", "requests_received_in_year": "requests",
        "assess_issued": "assessments", "review_expected": "annual_reviews", "personal_budget": "personal_budgets",
        "NoExc20weekRate": "sen2_mi",
    }
    for column, dataset in guesses.items():
        if column in columns:
            return dataset
    return re.sub(r"[^a-z0-9]+", "_", stem).strip("_") or "dfe"


def is_dfe_file(data: bytes, file_name: str) -> bool:
    """True for an EES tidy CSV, the appeal-rate table or a neighbour workbook — not for a scorecard.

    Only a sniff: it answers, never refuses. Whatever else the file is, the scorecard reader says why."""
    if file_name.lower().endswith(".xlsx"):
        try:
            wb = open_workbook(data, file_name)
        except FileRefused:
            return False
        try:
            rows = wb.worksheets[0].iter_rows(min_row=1, max_row=6, max_col=MAX_COLUMNS, values_only=True)
            return any(row and "SN1" in [str(c).strip() for c in row if c is not None] for row in rows)
        except Exception:  # a sheet openpyxl cannot parse: not a DfE workbook
            return False
        finally:
            wb.close()
    # A head cut at 4 KB may end mid-character, and a binary file is no text at all: decode leniently.
    head = data[:4096].decode("utf-8-sig", errors="ignore").lstrip()
    return head.startswith("time_period,") or head.startswith('"time_period"') or "Appeal rate" in head.split("\n", 1)[0]


def read_dfe_file(data: bytes, file_name: str, *, release: str | None = None) -> DfeFile:
    """Any DfE file we know, from bytes. Raises FileRefused with a reason for anything else."""
    if file_name.lower().endswith(".xlsx"):
        return read_neighbours(data, file_name)
    text = decode_text(data, file_name)
    first = text.lstrip().split("\n", 1)[0]
    try:
        if "Appeal rate" in first:
            return read_appeal_rates(text, file_name, release=release)
        return read_ees(text, file_name, release=release)
    except FileRefused:
        raise
    except (ValueError, csv.Error) as exc:  # pandas' parser errors, or the same cell twice (_normalise)
        raise FileRefused(f"{file_name}: not a DfE file that can be read ({exc})") from exc


def _headline(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the headline rows: EES files repeat every figure by age, sex, ethnicity…; benchmarks use the totals."""
    if not {"breakdown_topic", "breakdown"} <= set(frame.columns):
        return frame
    topic, breakdown = frame["breakdown_topic"].fillna(""), frame["breakdown"].fillna("")
    return frame[topic.str.lower().str.startswith("all ") & (topic == breakdown)]


def read_ees(text: str, file_name: str, *, release: str | None = None) -> DfeFile:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    missing = [c for c in ("time_period", "geographic_level") if c not in frame.columns]
    if missing:
        raise FileRefused(f"{file_name}: not an EES tidy file (no {', '.join(missing)} column)")
    dataset = _dataset_name(file_name, list(frame.columns))
    frame = _headline(frame)
    frame = frame[frame["geographic_level"].isin(LEVELS)]
    if frame.empty:
        raise FileRefused(f"{file_name}: no national, regional or local-authority rows")
    area = pd.DataFrame(
        {
            "geographic_level": frame["geographic_level"].map(LEVELS),
            "region_code": frame.get("region_code", ""),
            "region_name": frame.get("region_name", ""),
            "la_code": frame.get("new_la_code", ""),
            "old_la_code": frame.get("old_la_code", ""),
            "la_name": frame.get("la_name", ""),
        }
    )
    meta = {"time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
            "region_name", "new_la_code", "old_la_code", "la_name", "breakdown_topic", "breakdown"}
    indicators = [c for c in frame.columns if c not in meta]
    if not indicators:
        raise FileRefused(f"{file_name}: no figures (every column is a time or area column)")
    periods = {tp: period_label(dataset, tp) for tp in frame["time_period"].unique()}
    base = pd.concat([frame[["time_period"]].reset_index(drop=True), area.reset_index(drop=True)], axis=1)
    base["period"] = base["time_period"].map(periods)
    long = base.loc[base.index.repeat(len(indicators))].reset_index(drop=True)
    raw = frame[indicators].to_numpy().ravel()
    long["indicator"] = indicators * len(frame)
    parsed = [parse_cell(v) for v in raw]
    long["value"] = [p[0] for p in parsed]
    long["symbol"] = [p[1] for p in parsed]
    long["dataset"], long["file_name"] = dataset, file_name
    long["release"] = release or default_release(dataset, periods.values())
    for column in ("region_code", "region_name", "la_code", "old_la_code", "la_name"):
        long[column] = long[column].replace({"": None})
    return DfeFile("ees", dataset, file_name, DFE_TABLE.normalise(long), long["release"].iloc[0])


def default_release(dataset: str, periods: Iterable[str]) -> str:
    ordered = sorted(periods)
    return f"{dataset.replace('_', ' ')} statistics to {ordered[-1]}" if ordered else dataset


def read_appeal_rates(text: str, file_name: str, *, release: str | None = None) -> DfeFile:
    """The appeal-rate table: authorities down, years across (appeals, appealable decisions, rate per year)."""
    rows = list(csv.reader(io.StringIO(text)))
    year_row = next((i for i, r in enumerate(rows) if r and r[0].strip().lower().startswith("local authority")), None)
    if year_row is None:
        raise FileRefused(f"{file_name}: no 'Local Authority' heading row")
    years = [(j, c.strip()) for j, c in enumerate(rows[year_row]) if re.fullmatch(r"\d{4}", c.strip())]
    records, region = [], None
    for r in rows[year_row + 2:]:
        if not r or not r[0].strip():
            continue
        name, code = re.sub(r"[\d,]+$", "", r[0].strip()).strip(), r[1].strip() if len(r) > 1 else ""
        level = None
        if code.isdigit():
            level = "local_authority"
        elif name.isupper():
            region = name.title().replace(" Of ", " of ").replace(" And ", " and ")
            continue
        elif name.lower().startswith("england total") and "excluding" not in name.lower():
            level = "national"
        if level is None:
            continue
        for j, year in years:
            for offset, indicator in enumerate(("appeals_registered", "appealable_decisions", "appeal_rate")):
                cell = r[j + offset] if j + offset < len(r) else ""
                value, symbol = parse_cell(cell)
                if cell.strip() == "-":
                    value, symbol = 0.0, None  # DfE's "-" is nil here: its rate column prints 0.00%
                records.append({
                    "time_period": year, "period": year, "geographic_level": level,
                    "region_code": None, "region_name": region if level == "local_authority" else None,
                    "la_code": None, "old_la_code": code if level == "local_authority" else None,
                    "la_name": name if level == "local_authority" else None,
                    "indicator": indicator, "value": value, "symbol": symbol,
                })
    if not records:
        raise FileRefused(f"{file_name}: no authority rows found")
    long = pd.DataFrame.from_records(records)
    long["dataset"], long["file_name"] = "appeal_rate", file_name
    long["release"] = release or default_release("appeal_rate", long["period"].unique())
    return DfeFile("ees", "appeal_rate", file_name, DFE_TABLE.normalise(long), long["release"].iloc[0])


def read_neighbours(data: bytes, file_name: str) -> DfeFile:
    """DfE's children's-services statistical neighbour workbook: each authority's ten nearest, by old LA code."""
    wb = open_workbook(data, file_name)
    try:
        grid = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    except Exception as exc:  # a sheet openpyxl cannot parse half way through
        raise FileRefused(f"{file_name} is not a readable Excel .xlsx file ({type(exc).__name__})") from exc
    finally:
        wb.close()
    header = next((i for i, r in enumerate(grid) if "SN1" in [str(c).strip() for c in r if c is not None]), None)
    if header is None:
        raise FileRefused(f"{file_name}: no 'SN1' heading: not a statistical neighbour workbook")
    heads = [str(c).strip() if c is not None else "" for c in grid[header]]
    sn_cols = [(j, int(h[2:])) for j, h in enumerate(heads) if re.fullmatch(r"SN\d+", h)]
    year = re.search(r"(20\d\d)", file_name)
    sn_set = year.group(1) if year else file_name
    records = []
    for r in grid[header + 1:]:
        code = str(r[0]).strip() if r and r[0] is not None else ""
        if not code.isdigit():
            continue
        for j, rank in sn_cols:
            if j < len(r) and r[j] not in (None, ""):
                closeness = r[j + 1] if j + 1 < len(r) else None
                records.append({"sn_set": sn_set, "old_la_code": code, "la_name": str(r[1]).strip() if len(r) > 1 else "",
                                "region": str(r[4]).strip() if len(r) > 4 and r[4] else None, "rank": rank,
                                "neighbour_code": str(r[j]).strip(), "closeness": str(closeness).strip() if closeness else None,
                                "file_name": file_name})
    if not records:
        raise FileRefused(f"{file_name}: no authorities with neighbours found")
    rows = NEIGHBOUR_TABLE.normalise(pd.DataFrame.from_records(records))
    return DfeFile("neighbours", sn_set, file_name, rows, f"DfE statistical neighbours {sn_set}")
