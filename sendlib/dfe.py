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
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from .paths import DATA_DIR
from .readers import MAX_COLUMNS, FileRefused, decode_text, open_workbook
from .store import Store, TableSpec, VersionInfo

BUNDLED_DFE = DATA_DIR / "dfe" / "dfe_ehcp.parquet"
BUNDLED_NEIGHBOURS = DATA_DIR / "dfe" / "statistical_neighbours.csv"
RELEASES = {
    "ehcp_2025": "Education, health and care plans, reporting year 2025",
    "ehcp_2022": "Education, health and care plans, reporting year 2022 (SEN2 management information)",
}

SUPPRESSION = {
    "x": "not available",
    "c": "confidential: suppressed to protect individuals",
    "z": "not applicable",
    "low": "rounds to zero (fewer than 0.5)",
    "u": "low reliability",
    ":": "not available",
    "..": "not available (the authority did not exist or did not report)",
    "k": "fewer than 3 (suppressed)",
    "~": "suppressed",
}

LEVELS = {"National": "national", "Regional": "regional", "Local authority": "local_authority"}
AREA_COLUMNS = ["geographic_level", "region_code", "region_name", "la_code", "old_la_code", "la_name"]
DFE_COLUMNS = ["release", "dataset", "file_name", "period", "time_period", *AREA_COLUMNS, "indicator", "value", "symbol"]

DFE_SCHEMA = pa.schema(
    [(c, pa.float64() if c == "value" else pa.string()) for c in DFE_COLUMNS]
)

# Which periods an EES file's `time_period` stands for: caseload and personal budgets are counted at the January
# school census (202324 = January 2024); the flows (requests, assessments, plans issued, reviews) are calendar years.
CENSUS_DATASETS = {"caseload", "personal_budgets"}
KNOWN_DATASETS = {
    "caseload", "timeliness_20_week", "requests", "assessments", "annual_reviews", "personal_budgets", "sen2_mi",
    "appeal_rate",
}


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: df[c].astype("string") for c in DFE_COLUMNS if c != "value"})
    out["value"] = pd.to_numeric(df["value"], errors="raise").astype("Float64")
    key = ["dataset", "time_period", "geographic_level", "region_code", "la_code", "old_la_code", "indicator"]
    if out.duplicated(key).any():
        raise ValueError(f"the DfE table holds the same cell twice: {out[out.duplicated(key)].head(3).to_dict('records')}")
    return out[DFE_COLUMNS].sort_values(key, kind="stable").reset_index(drop=True)


DFE_TABLE = TableSpec("dfe", DFE_SCHEMA, _normalise)

NEIGHBOUR_COLUMNS = ["sn_set", "old_la_code", "la_name", "region", "rank", "neighbour_code", "closeness", "file_name"]
NEIGHBOUR_SCHEMA = pa.schema([(c, pa.int64() if c == "rank" else pa.string()) for c in NEIGHBOUR_COLUMNS])


def _normalise_neighbours(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: df[c].astype("string") for c in NEIGHBOUR_COLUMNS if c != "rank"})
    out["rank"] = pd.to_numeric(df["rank"], errors="raise").astype("Int64")
    return out[NEIGHBOUR_COLUMNS].sort_values(["sn_set", "old_la_code", "rank"], kind="stable").reset_index(drop=True)


NEIGHBOUR_TABLE = TableSpec("neighbours", NEIGHBOUR_SCHEMA, _normalise_neighbours)


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
    long = long.replace({"region_code": {"": None}, "region_name": {"": None}, "la_code": {"": None},
                         "old_la_code": {"": None}, "la_name": {"": None}})
    return DfeFile("ees", dataset, file_name, _normalise(long), long["release"].iloc[0])


def default_release(dataset: str, periods) -> str:
    periods = sorted(periods)
    return f"{dataset.replace('_', ' ')} statistics to {periods[-1]}" if periods else dataset


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
    return DfeFile("ees", "appeal_rate", file_name, _normalise(long), long["release"].iloc[0])


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
    rows = _normalise_neighbours(pd.DataFrame.from_records(records))
    return DfeFile("neighbours", sn_set, file_name, rows, f"DfE statistical neighbours {sn_set}")


def dfe_tables(store: Store) -> tuple[Store, Store]:
    """The store's two DfE side tables: published figures, and neighbour groups."""
    return store.side(DFE_TABLE), store.side(NEIGHBOUR_TABLE)


def load_dfe(store: Store, read: DfeFile, *, author: str | None = None, sha256: str | None = None) -> VersionInfo | None:
    """Add one DfE file as a new version of its side table. A file replaces what the table held for the same
    dataset (or neighbour set): a release carries its whole series, and the older release stays in history."""
    figures, groups = dfe_tables(store)
    table, key = (groups, "sn_set") if read.kind == "neighbours" else (figures, "dataset")

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
        old = current[current[key] == read.dataset]
        kept = current[current[key] != read.dataset]
        merged = pd.concat([kept, read.rows], ignore_index=True) if len(kept) else read.rows
        cols = [c for c in table.spec.columns if c not in ("release", "file_name")]  # a renamed release is no change
        same = old[cols].reset_index(drop=True).equals(read.rows[cols].reset_index(drop=True))
        counts = {"new": 0 if len(old) else len(read.rows), "revised": 0 if same or not len(old) else len(read.rows),
                  "unchanged": len(read.rows) if same else 0}
        return merged, counts

    return table.commit(change, action="dfe", author=author, file_name=read.file_name, sha256=sha256,
                        message=read.summary())


def bundled_tables() -> dict[str, tuple[TableSpec, pd.DataFrame, str]]:
    """The DfE tables bundled with the explorer, by side-table name: spec, rows, file name."""
    figures = DFE_TABLE.normalise(pd.read_parquet(BUNDLED_DFE))
    groups = NEIGHBOUR_TABLE.normalise(pd.read_csv(BUNDLED_NEIGHBOURS, dtype=str))
    return {DFE_TABLE.name: (DFE_TABLE, figures, BUNDLED_DFE.name),
            NEIGHBOUR_TABLE.name: (NEIGHBOUR_TABLE, groups, BUNDLED_NEIGHBOURS.name)}


BUNDLED_MESSAGES = {"dfe": "DfE EHC plan statistics bundled with the explorer",
                    "neighbours": "DfE statistical neighbour groups 2021 and 2025"}


def ensure_dfe(store: Store) -> tuple[Store, Store]:
    """First use: the DfE side tables from the bundled compact files (a store built before they existed too)."""
    figures, groups = dfe_tables(store)
    if figures.exists() and groups.exists():
        return figures, groups
    with store.writing():
        for table in (figures, groups):
            if not table.exists():
                _, rows, file_name = bundled_tables()[table.spec.name]
                table.commit(lambda _current, rows=rows: (rows, {"new": len(rows)}), action="dfe",
                             author="bundled data", file_name=file_name, message=BUNDLED_MESSAGES[table.spec.name])
    return figures, groups
