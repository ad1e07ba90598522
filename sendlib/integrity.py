"""Checking a store file by file, and repairing it without rewriting history.

`check_store` reads every version of the values table and of each side table (commentary, DfE releases,
neighbour groups): each record parses, each parquet matches the sha256 recorded when it was written and is
a readable table of the recorded size, HEAD names a version, and the chain from HEAD reaches its first
version. `repair_store` makes the newest intact version of each damaged table current again as a new,
logged version; the damaged files stay where they are, for whoever wants to look at them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .store import Store, StoreDamaged, StoreError, VersionInfo, sha256_bytes


class Status(StrEnum):
    OK = "ok"
    DAMAGED = "damaged"
    # Not damage: a version a killed write left outside history, a temp file, an old version with no recorded hash.
    NOTE = "note"


@dataclass(frozen=True)
class Finding:
    """One fact about one file, as `check` prints it: status, table, version ('-' for none), file, what."""

    status: Status
    table: str
    version: str
    path: Path
    what: str


@dataclass(frozen=True)
class StoreCheck:
    root: Path
    findings: list[Finding]
    versions_checked: int

    @property
    def damaged(self) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.DAMAGED]

    @property
    def ok(self) -> bool:
        return not self.damaged


def tables(root: Path) -> list[Store]:
    """The values table and every side table found under `tables/`, by folder (no schema needed to check them)."""
    store = Store(root)
    found = [store]
    side_root = root / "tables"
    if side_root.is_dir():
        found += [Store(p) for p in sorted(side_root.iterdir()) if p.is_dir()]
    return found


def _check_version(table: Store, version: str) -> list[Finding]:
    """Everything that can be wrong with one version's two files."""
    record = table.versions_dir / f"{version}.json"
    parquet = table.versions_dir / f"{version}.parquet"

    def finding(status: Status, path: Path, what: str) -> Finding:
        return Finding(status, table.name, version, path, what)

    if not record.exists():
        return [finding(Status.NOTE, parquet, "has no version record (a write that never finished); not in history")]
    try:
        info = table.info(version)
    except StoreError as exc:
        return [finding(Status.DAMAGED, record, getattr(exc, "what", str(exc)))]
    try:
        data = parquet.read_bytes()
    except FileNotFoundError:
        return [finding(Status.DAMAGED, parquet, "is missing")]
    except OSError as exc:
        return [finding(Status.DAMAGED, parquet, f"cannot be read ({exc.strerror})")]
    out = []
    if info.parquet_sha256 is None:
        out.append(finding(Status.NOTE, parquet, "was written before hashes were recorded: checked for readability only"))
    elif sha256_bytes(data) != info.parquet_sha256:
        return [finding(Status.DAMAGED, parquet, "does not match the sha256 recorded when it was written")]
    rows = _parquet_rows(data, full=info.parquet_sha256 is None)
    if rows is None:
        return [finding(Status.DAMAGED, parquet, "is not a readable parquet table")]
    if rows != info.rows:
        return [finding(Status.DAMAGED, parquet, f"holds {rows} rows where its record says {info.rows}")]
    return out


def _parquet_rows(data: bytes, *, full: bool) -> int | None:
    """The row count from the footer; with `full`, only after reading every page (no hash vouches for them)."""
    import io

    import pyarrow.parquet as pq

    try:
        return pq.read_table(io.BytesIO(data)).num_rows if full else pq.read_metadata(io.BytesIO(data)).num_rows
    except Exception:  # pyarrow raises ArrowInvalid, OSError or others for a damaged file
        return None


def _check_history(table: Store) -> tuple[list[Finding], set[str]]:
    """HEAD and the chain from it: returns the findings and the versions in history."""
    try:
        chain = table.versions()
    except StoreDamaged as exc:
        return [Finding(Status.DAMAGED, table.name, "-", exc.path, exc.what)], set()
    return [], {v.id for v in chain}


def check_store(root: Path) -> StoreCheck:
    """Every file of every table; nothing is written."""
    findings: list[Finding] = []
    checked = 0
    for table in tables(Path(root)):
        history_findings, in_history = _check_history(table)
        findings += history_findings
        for version in table.version_ids():
            checked += 1
            version_findings = _check_version(table, version)
            findings += version_findings
            if in_history and version not in in_history and not version_findings:
                findings.append(Finding(Status.NOTE, table.name, version, table.versions_dir / f"{version}.json",
                                        "is not in history (a write that stopped before HEAD moved)"))
        findings += [Finding(Status.NOTE, table.name, "-", p, "is a temp file a stopped write left; the next write "
                             "removes it") for p in table.orphan_temp_files()]
    try:
        Store(root).extra_kpis()
    except StoreDamaged as exc:
        findings.append(Finding(Status.DAMAGED, "values", "-", exc.path, exc.what))
    return StoreCheck(Path(root), findings, checked)


def newest_intact(table: Store) -> VersionInfo | None:
    for version in reversed(table.version_ids()):
        if not any(f.status is Status.DAMAGED for f in _check_version(table, version)) \
                and (table.versions_dir / f"{version}.json").exists():
            return table.info(version)
    return None


def _needs_repair(table: Store) -> str | None:
    """Why the current version of `table` cannot be used, or None when it can."""
    try:
        head = table.head()
    except StoreDamaged as exc:
        return f"{exc.path.name} {exc.what}"
    if head is None:
        return None
    damage = [f for f in _check_version(table, head) if f.status is Status.DAMAGED]
    return f"current version {head}: {damage[0].path.name} {damage[0].what}" if damage else None


def _set_aside_damaged_head(table: Store) -> None:
    """A HEAD that is not a plain file (a folder in its place) cannot be replaced: keep it under a dated name."""
    if table.head_file.exists() and not table.head_file.is_file():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        with table.writing():
            table.head_file.rename(table.head_file.with_name(f"HEAD.damaged-{stamp}"))


def _reload_bundled(root: Path, table: Store, author: str | None, reason: str) -> VersionInfo | None:
    """DfE's figures and neighbour groups ship with the explorer: with no intact version, load them again."""
    from .dfe import bundled_tables

    rows = bundled_tables().get(table.name)
    if rows is None:
        return None
    spec, frame, file_name = rows
    return Store(root).side(spec).replace_with(
        frame, action="repair", author=author, file_name=file_name,
        message=f"repaired: {reason}; no version was intact, so the release bundled with the explorer was loaded again")


@dataclass(frozen=True)
class Repair:
    table: str
    info: VersionInfo


def repair_store(root: Path, *, author: str | None = None) -> list[Repair]:
    """For each table whose current version is damaged, make its newest intact version current as a new version
    (history is never rewritten). A damaged `extra_kpis.json` is set aside under a dated name, never deleted.
    Raises StoreError when a damaged table has no intact version at all."""
    repaired = []
    for table in tables(Path(root)):
        reason = _needs_repair(table)
        if reason is None:
            continue
        _set_aside_damaged_head(table)
        good = newest_intact(table)
        if good is not None:
            info = table.restore(good.id, author=author, action="repair",
                                 message=f"repaired: {reason}; made version {good.id} current again")
        elif (info := _reload_bundled(Path(root), table, author, reason)) is None:
            raise StoreError(f"{table.root}: {reason}, and no version of the {table.name} table is intact; "
                             "restore the store folder from a backup")
        repaired.append(Repair(table.name, info))
    store = Store(root)
    try:
        store.extra_kpis()
    except StoreDamaged:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        with store.writing():
            store.extras_file.rename(store.extras_file.with_name(f"extra_kpis.damaged-{stamp}.json"))
    return repaired
