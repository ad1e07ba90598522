"""Checking a store file by file, and repairing it without rewriting history.

`check_store` reads every version of the values table and of each side table (commentary, DfE releases,
neighbour groups): each record parses, each parquet matches the sha256 recorded when it was written and is
a readable table of the recorded size, HEAD names a version, and the chain from HEAD reaches its first
version. Repairing is a workflow (`sendlib.workflows.repair`): it may reload what the explorer bundles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sendlib.store.versioned import Store, StoreDamaged, StoreError, parquet_rows, sha256_bytes


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


def check_version(table: Store, version: str) -> list[Finding]:
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
    rows = parquet_rows(data, full=info.parquet_sha256 is None)
    if rows is None:
        return [finding(Status.DAMAGED, parquet, "is not a readable parquet table")]
    if rows != info.rows:
        return [finding(Status.DAMAGED, parquet, f"holds {rows} rows where its record says {info.rows}")]
    return out


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
            version_findings = check_version(table, version)
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
