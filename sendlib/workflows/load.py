"""One import path for the bundled documents, the upload page and `python -m sendlib load`.

read → detect layout → parse every cell (collect every error) → compare with the store
(new / revised / unchanged) → commit as one new version, or refuse the whole file.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import SupportsFloat, cast

import numpy as np
import pandas as pd

from sendlib.domain.authorities import BUNDLED_DOCUMENTS
from sendlib.domain.catalogue import Catalogue, load_catalogue
from sendlib.domain.paths import BOARD_FILE, SCORECARD_FILE
from sendlib.domain.schema import COLUMNS, KEY, SERIES_WORDS, normalise
from sendlib.domain.values import CellError, format_value, is_missing
from sendlib.files.board import find_header as find_board_header
from sendlib.files.board import parse_board
from sendlib.files.long import find_header as find_long_header
from sendlib.files.long import parse_long
from sendlib.files.parsed import Notice, Parsed, WarningGroup, WarningKind, group_warnings
from sendlib.files.readers import FileRefused, Grid, read_grid, xlsx_sheet_names
from sendlib.files.wide import find_header as find_wide_header
from sendlib.files.wide import parse_wide
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo
from sendlib.workflows.catalogues import authority_code, store_catalogue
from sendlib.workflows.dfe_releases import ensure_dfe

VALUE_COLUMNS = ["value", "count", "note"]


@dataclass
class Preview:
    """What a file would change, shown to the manager before they confirm."""

    file_name: str
    sha256: str
    layout: str
    incoming: pd.DataFrame
    errors: list[CellError] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    revisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    change: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))  # per incoming row: new, revised, unchanged

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {"new": self.new, "revised": self.revised, "unchanged": self.unchanged}

    def warning_groups(self, examples: int = 3) -> list[WarningGroup]:
        """The warnings one heading per kind, for a page or a terminal that cannot show a thousand lines."""
        return group_warnings(self.warnings, examples)


def detect_layout(grid: Grid) -> str | None:
    if find_long_header(grid) is not None:
        return "long"
    if find_board_header(grid) is not None:
        return "board"
    if find_wide_header(grid) is not None:
        return "wide"
    return None


ALL_SHEETS = "all"


def parse_bytes(data: bytes, name: str, catalogue: Catalogue, *, sheet: str | None = None) -> Parsed:
    """Raise FileRefused for a file that is not a table at all; otherwise every cell problem is in `errors`.
    `sheet="all"` reads every worksheet of a workbook that has a table (one sheet a theme), as one file."""
    if sheet == ALL_SHEETS and name.lower().endswith(".xlsx") and ALL_SHEETS not in xlsx_sheet_names(data):
        return _every_sheet(data, name, catalogue)
    return _parse_sheet(data, name, catalogue, sheet)


def _every_sheet(data: bytes, name: str, catalogue: Catalogue) -> Parsed:
    """Each sheet with a table read alone, then put together; a measure set up from one takes the sheet's name as
    its section when no section row says otherwise."""
    found: list[tuple[str, Parsed]] = []
    for each in xlsx_sheet_names(data):
        grid = read_grid(data, name, sheet=each)
        if detect_layout(grid) is not None:
            found.append((each, _parse_sheet(data, name, catalogue, each)))
    if not found:
        raise FileRefused(f"{name}: no sheet has a header row the app reads")
    out = Parsed(layout=found[0][1].layout)
    for each, parsed in found:
        out.records += parsed.records
        out.errors += parsed.errors
        out.warnings += parsed.warnings
        out.unknown += [u if u.section else dataclasses.replace(u, section=each) for u in parsed.unknown]
    return out


def _parse_sheet(data: bytes, name: str, catalogue: Catalogue, sheet: str | None) -> Parsed:
    grid = read_grid(data, name, sheet=sheet)
    layout = detect_layout(grid)
    if layout is None and sheet is None and name.lower().endswith(".xlsx"):
        # No sheet named: take the first one that has a header we know (an extract opens with "About").
        for other in xlsx_sheet_names(data)[1:]:
            candidate = read_grid(data, name, sheet=other)
            if (found := detect_layout(candidate)) is not None:
                grid, layout = candidate, found
                break
    if layout is None and not any(any(c is not None for c in row) for row in grid.rows):
        raise FileRefused(f"{name} has no data in it")
    if layout == "board":
        return parse_board(grid, catalogue)
    if layout == "wide":
        return parse_wide(grid, catalogue)
    if layout == "long":
        return parse_long(grid, catalogue)
    raise FileRefused(
        f"{name}: no header row found. A scorecard file needs a 'KPI' (or 'Measure', 'Indicator', 'Performance "
        "measure') column heading beside month, quarter or series headings; a long file needs "
        "'kpi_id' (or 'kpi_name'), 'period' and 'value'; a board report file needs 'Measure', 'Latest' and "
        "'Previous' headings"
    )


def merge(current: pd.DataFrame, incoming: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame]:
    """Merge incoming cells over the current table. Returns (merged table, counts, revisions old → new)."""
    merged, counts, revisions, _ = _merge(current, incoming)
    return (normalise(merged) if len(incoming) else merged), counts, revisions


def _merge(current: pd.DataFrame, incoming: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame, pd.Series]:
    """`merge` but for its last step, putting the merged table in the store's order: the preview's checks do not
    need it, and the store normalises what it writes. Also what each incoming row is (`new`, `revised`,
    `unchanged`), so the preview can say which figures are new, not only how many."""
    if incoming.empty:
        return current, {"new": 0, "revised": 0, "unchanged": 0}, pd.DataFrame(), pd.Series(dtype=object)
    at = _positions(current, incoming)
    matched = np.flatnonzero(at >= 0)
    now = incoming.iloc[matched].reset_index(drop=True)
    old = current.iloc[at[matched]].reset_index(drop=True)
    same = pd.Series(True, index=now.index)
    for col in VALUE_COLUMNS:
        a, b = now[col], old[col]
        same &= (a.isna() & b.isna()) | (a.notna() & b.notna() & (a.astype(object) == b.astype(object)))
    revised = ~same.to_numpy(dtype=bool)
    counts = {"new": len(incoming) - len(matched), "revised": int(revised.sum()), "unchanged": int((~revised).sum())}
    change = np.full(len(incoming), "new", dtype=object)
    change[matched] = np.where(revised, "revised", "unchanged")
    revisions = now.loc[revised, KEY].reset_index(drop=True)
    for col in VALUE_COLUMNS:
        revisions[f"{col}_old"] = old.loc[revised, col].reset_index(drop=True)
        revisions[col] = now.loc[revised, col].reset_index(drop=True)
    replaced = np.zeros(len(current), dtype=bool)
    replaced[at[matched]] = True
    kept = current.loc[~replaced, COLUMNS]
    merged = pd.concat([kept, incoming[COLUMNS]], ignore_index=True) if len(kept) else incoming[COLUMNS]
    return merged, counts, revisions, pd.Series(change, index=incoming.index)


def _positions(current: pd.DataFrame, incoming: pd.DataFrame) -> np.ndarray:
    """For each incoming row, the current row with the same key (-1 for none): the two tables' keys made into one
    code each (a blank matching a blank, as a join's does) and looked up in one hash index, not a four-column join."""
    if current.empty:
        return np.full(len(incoming), -1, dtype=np.int64)
    codes = np.zeros(len(current) + len(incoming), dtype=np.int64)
    for col in KEY:
        column, uniques = pd.factorize(pd.concat([current[col], incoming[col]], ignore_index=True))
        codes = pd.factorize(codes * (len(uniques) + 1) + column + 1)[0]
    found: np.ndarray = pd.Index(codes[: len(current)]).get_indexer(pd.Index(codes[len(current):]))
    return found


def preview_bytes(
    data: bytes, name: str, store: DeltaStore, catalogue: Catalogue, *, sheet: str | None = None
) -> Preview:
    sha = hashlib.sha256(data).hexdigest()
    parsed = parse_bytes(data, name, catalogue, sheet=sheet)
    preview = Preview(file_name=name, sha256=sha, layout=parsed.layout, incoming=pd.DataFrame(columns=COLUMNS),
                      errors=parsed.errors, warnings=parsed.warnings)
    if parsed.errors:
        return preview
    preview.incoming = parsed.table()
    current = store.read_or_empty()
    merged, counts, revisions, preview.change = _merge(current, preview.incoming)
    preview.new, preview.revised, preview.unchanged = counts["new"], counts["revised"], counts["unchanged"]
    preview.revisions = revisions
    preview.warnings += review_warnings(current, merged, preview.incoming, catalogue, revisions)
    return preview


def review_warnings(current: pd.DataFrame, merged: pd.DataFrame, incoming: pd.DataFrame, catalogue: Catalogue,
                    revisions: pd.DataFrame) -> list[Notice]:
    """Things worth a second look before confirming, that do not block: outliers, cumulative totals
    that fall mid-year, revised past values. Every one is kept, so each group's count is the true one."""
    names = {k.id: catalogue.qualified_name(k) for k in catalogue}
    new = incoming[(incoming["series"] == "actual") & incoming["value"].notna()]
    return [*_outliers(current, new, catalogue, names), *_cumulative_fell(merged, new, catalogue, names), *_revised(revisions, catalogue, names)]


def _outliers(current: pd.DataFrame, new: pd.DataFrame, catalogue: Catalogue, names: dict[str, str]) -> list[Notice]:
    """Incoming actual figures far outside what the store has for the measure (four figures or more)."""
    actual_now = current[(current["series"] == "actual") & current["value"].notna()]
    if not (len(actual_now) and len(new)):
        return []
    stats = actual_now.groupby("kpi_id")["value"].agg(["min", "max", "median", "size"])
    joined = new.join(stats, on="kpi_id", how="inner")
    joined = joined[joined["size"] >= 4]
    span = pd.concat([joined["max"] - joined["min"], joined["median"].abs() * 0.25], axis=1).max(axis=1).clip(lower=1)
    far = joined[(joined["value"] > joined["max"] + 2 * span) | (joined["value"] < joined["min"] - 2 * span)]
    return [
        Notice(WarningKind.OUTLIER, f"{names.get(kpi_id, kpi_id)}, {period}: {value:g} is far outside its recent range "
                                    f"({low:g} to {high:g})",
               kpi_id=kpi_id, period=period, odd=f"{shown(value)} is far outside its recent range ({shown(low)} to "
                                                 f"{shown(high)})")
        for kpi_id, period, value, low, high in zip(*(far[c].tolist() for c in ("kpi_id", "period", "value", "min", "max")),
                                                    strict=True)
        for shown in [_in_unit(catalogue, kpi_id)]
    ]


def _in_unit(catalogue: Catalogue, kpi_id: str) -> Callable[[float], str]:
    """A number written in its measure's unit (`4,453`, `15.9%`), or as it is for a measure the catalogue lacks."""
    unit = catalogue[kpi_id].unit if kpi_id in catalogue else None
    return (lambda v: format_value(v, unit)) if unit is not None else (lambda v: f"{v:g}")


def _cumulative_fell(merged: pd.DataFrame, new: pd.DataFrame, catalogue: Catalogue, names: dict[str, str]) -> list[Notice]:
    """Incoming months where a calendar-year total fell from the month before. Only a count adds up through the
    year: a cumulative percentage (appeals conceded so far) may well fall."""
    cumulative = {k.id for k in catalogue if k.cumulative == "calendar-year" and k.unit == "count"}
    if not (cumulative and len(new)):
        return []
    series = merged[merged["kpi_id"].isin(cumulative & set(new["kpi_id"].unique().tolist()))]  # few rows: then the rest
    series = series[(series["series"] == "actual") & series["value"].notna() & series["period"].str.match(r"^\d{4}-\d{2}$")]
    series = series.sort_values(["kpi_id", "period"])
    prior_value = series.groupby("kpi_id")["value"].shift()
    prior_period = series.groupby("kpi_id")["period"].shift()
    same_year = prior_period.str[:4] == series["period"].str[:4]
    fell = series[same_year.fillna(False) & (series["value"] < prior_value)]
    if not len(fell):
        return []
    mine = new[new["kpi_id"].isin(fell["kpi_id"].unique().tolist())]
    incoming_keys = set(zip(mine["kpi_id"].tolist(), mine["period"].tolist(), strict=True))
    return [
        Notice(WarningKind.CUMULATIVE_FELL, f"{names.get(kpi_id, kpi_id)}, {period}: a cumulative total fell mid-year",
               kpi_id=kpi_id, period=period,
               odd="a running total for the year is lower than the month before, where it can only grow")
        for kpi_id, period in zip(fell["kpi_id"].tolist(), fell["period"].tolist(), strict=True)
        if (kpi_id, period) in incoming_keys
    ]


def _revised(revisions: pd.DataFrame, catalogue: Catalogue, names: dict[str, str]) -> list[Notice]:
    """One notice per revised value: a whole file revised is 100,000 of these, so columns, not itertuples."""
    if not len(revisions):
        return []
    return [
        Notice(WarningKind.REVISED, f"{names.get(kpi_id, kpi_id)}, {period or '(no period)'} ({series}): revised {old} → {now}",
               kpi_id=kpi_id, period=period or None,
               odd=f"{'the figure' if series == 'actual' else f'the {SERIES_WORDS.get(series, series).lower()}'} "
                   f"saved before is changed from {_unit_or_blank(before, shown)} to {_unit_or_blank(after, shown)}")
        for kpi_id, period, series, old, now, before, after in zip(
            revisions["kpi_id"].tolist(), revisions["period"].tolist(), revisions["series"].tolist(),
            _shown(revisions["value_old"]), _shown(revisions["value"]), revisions["value_old"].astype(object).tolist(),
            revisions["value"].astype(object).tolist(), strict=True)
        for shown in [_in_unit(catalogue, kpi_id)]
    ]


def _unit_or_blank(value: object, shown: Callable[[float], str]) -> str:
    return "blank" if is_missing(value) else shown(float(cast(SupportsFloat, value)))


def _shown(values: pd.Series) -> list[str]:
    return ["blank" if is_missing(v) else f"{v:g}" for v in values.astype(object).tolist()]


class ImportRefused(ValueError):
    """The file has cell errors; nothing was written."""

    def __init__(self, preview: Preview):
        self.preview = preview
        lines = [str(e) for e in preview.errors[:20]]
        more = len(preview.errors) - len(lines)
        super().__init__("\n".join(lines + ([f"... and {more} more"] if more > 0 else [])))


def commit_preview(store: DeltaStore, preview: Preview, *, author: str | None = None) -> VersionInfo | None:
    """Write a previewed file as a new version. Re-compares under the lock, so a concurrent upload is kept."""
    if preview.errors:
        raise ImportRefused(preview)

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        merged, counts, _, _ = _merge(current, preview.incoming)  # the store normalises what it writes
        return merged, counts

    return store.commit(change, action="upload", author=author, file_name=preview.file_name, sha256=preview.sha256)


def load_file(
    store: DeltaStore,
    path: Path,
    catalogue: Catalogue | None = None,
    *,
    author: str | None = None,
    dry_run: bool = False,
    sheet: str | None = None,
) -> tuple[Preview, VersionInfo | None]:
    catalogue = catalogue or store_catalogue(store, with_common=True)
    preview = preview_bytes(path.read_bytes(), path.name, store, catalogue, sheet=sheet)
    if preview.errors:
        raise ImportRefused(preview)
    if dry_run:
        return preview, None
    return preview, commit_preview(store, preview, author=author)


BUNDLED_FILES = {"scorecard": SCORECARD_FILE, "board": BOARD_FILE}


def init_store(store: DeltaStore, catalogue: Catalogue | None = None, *, both: bool = True) -> list[VersionInfo]:
    """Build a store from the bundled documents, through the same path an upload takes: each into its own council's
    partition (`authorities.BUNDLED_DOCUMENTS`: the scorecard Bournemouth, Christchurch and Poole's, the board report
    the unnamed council's), never two councils' figures under one. `both`: the other bundled council's too, when
    the store is opened for one of them (what `init` does); every version written is returned, in order.
    A parquet store (the layout from before the Delta store: one authority's, no partitions) takes both, as it
    always did; opening it on the Delta store moves the board report's to its council (`migrate`)."""
    catalogue = catalogue or load_catalogue()
    code = authority_code(store.la)
    infos = []
    for la, document in BUNDLED_DOCUMENTS.items():
        if la != code and not (both and code in BUNDLED_DOCUMENTS):
            continue
        target = store if la == code else store.authority(la)
        if target is not store and _started(target):
            continue
        _, info = load_file(target, BUNDLED_FILES[document], catalogue, author="bundled data")
        if info:
            infos.append(info)
    ensure_dfe(store)
    return infos


def _started(store: DeltaStore) -> bool:
    return store.exists() and bool(store.versions())


def ensure_store(store: DeltaStore) -> DeltaStore:
    """First use of the store by an authority: the bundled data (once, under the lock) when it is the bundled
    documents' own authority, else an empty start; either way its first version, so every page has a version to
    read. Only an authority with no version at all is ever built: a damaged table is left for `check` / `repair`,
    never rebuilt over (reading its history raises the damage)."""
    if not _started(store):
        with store.writing():
            if not _started(store):
                code = authority_code(store.la)
                if code in BUNDLED_DOCUMENTS:
                    init_store(store, both=False)
                else:
                    store.replace_with(store.spec.empty(), action="init", author="bundled data",
                                       message=f"an empty store for authority {code}: its own figures come from "
                                               "its own files")
    return store
