"""Checking a store file by file; repairing it without rewriting history is a workflow (`sendlib.workflows.repair`),
as it may reload what the explorer bundles.

`check_store` checks every Delta table of the store (`delta/<table>/`): a folder with data files has a log; every
commit entry reads as Delta actions with no gap (entries cleaned up below a whole checkpoint are not a gap); the
newest checkpoint and `_last_checkpoint` read; every data file any version names is there and of the size the log
records; each current data file reads as parquet and holds the rows, empty cells and least/greatest values the log's
statistics record of it (`delta_stats`: Delta keeps no checksum of a file, so a value changed inside its file's range
is not seen). Data files newer than the newest commit that no version names are reported as a note, with the way to
their rows: a stopped write leaves them, and so does a commit whose log entry was lost.
A table still in the parquet layout (not yet migrated) is checked as that layout always was: each record parses,
each parquet matches the sha256 recorded when it was written and is a readable table of the recorded size, HEAD
names a version, and the chain from HEAD reaches its first version (`check_version`, `parquet_tables`, which the
migration uses too).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sendlib.store.delta import DeltaStore, TableDamaged
from sendlib.store.versioned import ParquetStore, StoreDamaged, StoreError, parquet_rows, sha256_bytes


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
    path: str  # the file's path or URI
    what: str
    # A data file newer than its table's newest commit that no version names: an upload's rows may be in it.
    unlogged: bool = False


@dataclass(frozen=True)
class StoreCheck:
    root: str
    findings: list[Finding]
    versions_checked: int

    @property
    def damaged(self) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.DAMAGED]

    @property
    def ok(self) -> bool:
        return not self.damaged

    @property
    def unlogged(self) -> list[Finding]:
        """Data files no version names, newer than their table's newest commit: not damage any read sees, but an
        upload may be missing from history (a commit's log entry lost), so `check` does not call the store intact."""
        return [f for f in self.findings if f.unlogged]


def parquet_tables(root: Path) -> list[ParquetStore]:
    """The parquet layout's values table and every side table found under `tables/`, by folder (no schema needed to
    check them)."""
    store = ParquetStore(root)
    found = [store]
    side_root = root / "tables"
    if side_root.is_dir():
        found += [ParquetStore(p) for p in sorted(side_root.iterdir()) if p.is_dir()]
    return found


def delta_tables(store: DeltaStore) -> list[DeltaStore]:
    """Every Delta table of the store, the values first, each opened for every authority's rows (check and repair
    are about files, not one authority's data)."""
    from sendlib.store.migrate import table_specs

    specs = table_specs()
    found = [store.side(spec).authority(None) for spec in specs.values()]
    return [t for t in sorted(found, key=lambda t: (t.name != "values", t.name)) if t.present()]


def check_delta_table(table: DeltaStore) -> tuple[list[Finding], int]:
    """A Delta table's findings, and how many versions were checked."""
    def damaged(where: str, what: str, version: str = "-") -> Finding:
        return Finding(Status.DAMAGED, table.name, version, where, what)

    try:
        versions = table.versions()
    except TableDamaged as exc:
        return [damaged(exc.where, exc.what)], 0
    found = [damaged(where, what) for where, what in table.damaged_files()]
    if not found:
        head = versions[0].id if versions else None
        found = [damaged(where, what, head or "-") for where, what in table.file_problems(head)]
    found += [Finding(Status.NOTE, table.name, "-", table.uri.rstrip("/") + "/" + path, UNLOGGED, unlogged=True)
              for path in table.unlogged_files()]
    return found, len(versions)


UNLOGGED = ("is newer than the newest commit and no version names it: a write stopped before its commit, or a commit "
            "whose log entry was lost. If an upload is missing from history, its rows are in this file: put the "
            "table's _delta_log back from a backup, or read the file with any parquet tool and load those rows again")


def check_version(table: ParquetStore, version: str) -> list[Finding]:
    """Everything that can be wrong with one version's two files."""
    record = table.versions_dir / f"{version}.json"
    parquet = table.versions_dir / f"{version}.parquet"

    def finding(status: Status, path: Path, what: str) -> Finding:
        return Finding(status, table.name, version, str(path), what)

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


def _check_history(table: ParquetStore) -> tuple[list[Finding], set[str]]:
    """HEAD and the chain from it: returns the findings and the versions in history."""
    try:
        chain = table.versions()
    except StoreDamaged as exc:
        return [Finding(Status.DAMAGED, table.name, "-", str(exc.path), exc.what)], set()
    return [], {v.id for v in chain}


def check_store(store: DeltaStore) -> StoreCheck:
    """Every file of every table, Delta or not yet migrated; nothing is written."""
    findings: list[Finding] = []
    checked = 0
    migrated = set()
    for delta in delta_tables(store):
        table_findings, versions = check_delta_table(delta)
        findings += table_findings
        checked += versions
        migrated.add(delta.name)
    if store.location.is_local:
        more, parquet_checked = _check_parquet(store.root, migrated)
        findings += more
        checked += parquet_checked
    return StoreCheck(store.location.uri, findings, checked)


def _check_parquet(root: Path, migrated: set[str]) -> tuple[list[Finding], int]:
    """The tables still in the parquet layout that have no Delta table yet (a migrated one's old files are not
    what the explorer reads, and `migrate --finish` checks them before removing them)."""
    findings: list[Finding] = []
    checked = 0
    for table in parquet_tables(root):
        if table.name in migrated or not table.exists():
            continue
        history_findings, in_history = _check_history(table)
        findings += history_findings
        for version in table.version_ids():
            checked += 1
            version_findings = check_version(table, version)
            findings += version_findings
            if in_history and version not in in_history and not version_findings:
                findings.append(Finding(Status.NOTE, table.name, version, str(table.versions_dir / f"{version}.json"),
                                        "is not in history (a write that stopped before HEAD moved)"))
        findings += [Finding(Status.NOTE, table.name, "-", str(p), "is a temp file a stopped write left; the next "
                             "write removes it") for p in table.orphan_temp_files()]
    return findings, checked
