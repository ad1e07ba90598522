"""Versioned parquet snapshots of the tidy table.

Layout of a store directory:
  versions/000001.parquet   the whole table as it stood after that version (immutable)
  versions/000001.json      who, when, which file (name + sha256), counts
  HEAD                      the id of the current version
  .lock                     serialises writers

Every write goes temp file → fsync → rename, then HEAD moves the same way, so a crash leaves the
last good version readable and a reader never sees half a file. Versions are never rewritten:
a restore is a new version whose table equals an older one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock
from pydantic import BaseModel

from .schema import ARROW_SCHEMA, normalise


@dataclass(frozen=True)
class TableSpec:
    """What one versioned table holds. The values table is the store's main table; commentary and DfE
    releases are side tables with their own version chains, so an upload or a restore of the values never
    touches them (and the reverse)."""

    name: str
    arrow_schema: pa.Schema
    normalise: Callable[[pd.DataFrame], pd.DataFrame]

    @property
    def columns(self) -> list[str]:
        return list(self.arrow_schema.names)

    def empty(self) -> pd.DataFrame:
        return self.normalise(pd.DataFrame({c: [] for c in self.columns}))


VALUES = TableSpec("values", ARROW_SCHEMA, normalise)
_ARROW_TO_PANDAS = {pa.string(): pd.StringDtype(), pa.float64(): pd.Float64Dtype(), pa.int64(): pd.Int64Dtype()}


class VersionInfo(BaseModel):
    id: str
    created_at: str
    action: str
    author: str | None = None
    file_name: str | None = None
    sha256: str | None = None
    rows: int
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    restored_from: str | None = None
    message: str | None = None
    parent: str | None = None


class StoreError(RuntimeError):
    """The store directory is missing, empty or damaged."""


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def table_bytes(df: pd.DataFrame, spec: TableSpec = VALUES) -> bytes:
    return _parquet_bytes(spec.normalise(df), spec)


def _parquet_bytes(normalised: pd.DataFrame, spec: TableSpec = VALUES) -> bytes:
    table = pa.Table.from_pandas(normalised[spec.columns], schema=spec.arrow_schema, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def read_table(path: Path, spec: TableSpec = VALUES) -> pd.DataFrame:
    table = pq.read_table(path, schema=spec.arrow_schema)
    df = table.to_pandas(types_mapper=_ARROW_TO_PANDAS.get)
    return df[spec.columns]


class Store:
    """A versioned table in a directory. `Store(root)` is the values table; `store.side(spec)` is a side table
    kept in `root/tables/<name>/` with the same guarantees."""

    def __init__(self, root: str | os.PathLike[str], spec: TableSpec = VALUES):
        self.root = Path(root)
        self.spec = spec
        self.versions_dir = self.root / "versions"
        self.head_file = self.root / "HEAD"
        self.lock = FileLock(str(self.root / ".lock"), timeout=60)

    def side(self, spec: TableSpec) -> Store:
        """A side table of this store (commentary, DfE releases): its own versions, HEAD and lock."""
        return Store(self.root / "tables" / spec.name, spec)

    @property
    def extras_file(self) -> Path:
        return self.root / "extra_kpis.json"

    def extra_kpis(self) -> list[dict]:
        """KPIs a manager added on the upload page, beyond the bundled catalogue."""
        try:
            return json.loads(self.extras_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []

    def extras_stamp(self) -> str:
        try:
            return str(self.extras_file.stat().st_mtime_ns)
        except FileNotFoundError:
            return ""

    def add_kpi(self, kpi: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock:
            extras = [k for k in self.extra_kpis() if k["id"] != kpi["id"]] + [kpi]
            atomic_write(self.extras_file, json.dumps(extras, indent=2, ensure_ascii=False).encode("utf-8"))

    def exists(self) -> bool:
        return self.head_file.exists()

    def head(self) -> str | None:
        try:
            return self.head_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def info(self, version: str) -> VersionInfo:
        path = self.versions_dir / f"{version}.json"
        if not path.exists():
            raise StoreError(f"no version {version!r} in {self.root}")
        return VersionInfo.model_validate_json(path.read_text(encoding="utf-8"))

    def versions(self) -> list[VersionInfo]:
        """Newest first: the chain from HEAD through each version's parent. A version whose write
        never reached HEAD (a crash mid-commit) is not part of history."""
        out = []
        version = self.head()
        while version:
            info = self.info(version)
            out.append(info)
            version = info.parent
        return out

    def read(self, version: str | None = None) -> pd.DataFrame:
        version = version or self.head()
        if version is None:
            raise StoreError(f"{self.root} holds no data yet (run `python -m sendlib init --store {self.root}`)")
        path = self.versions_dir / f"{version}.parquet"
        if not path.exists():
            raise StoreError(f"no version {version!r} in {self.root}")
        return read_table(path, self.spec)

    def read_or_empty(self) -> pd.DataFrame:
        """The current table, or an empty one with the right columns when nothing has been written yet."""
        return self.read() if self.exists() else self.spec.empty()

    def _next_id(self) -> str:
        existing = [int(p.stem) for p in self.versions_dir.glob("*.json") if p.stem.isdigit()]
        return f"{max(existing, default=0) + 1:06d}"

    def commit(
        self,
        change: Callable[[pd.DataFrame], tuple[pd.DataFrame, dict]],
        *,
        action: str,
        author: str | None = None,
        file_name: str | None = None,
        sha256: str | None = None,
        message: str | None = None,
        restored_from: str | None = None,
    ) -> VersionInfo | None:
        """Apply `change` to the current table under the lock and write the result as a new version.

        `change` gets the table as it is *now* (not as it was when the user looked), so two
        uploads that race both land. It returns the new table and counts; when nothing changed
        (`new` and `revised` are 0 and it is not a restore) no version is written and None returned.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock:
            head = self.head()
            current = self.read(head) if head else self.spec.empty()
            table, counts = change(current)
            table = self.spec.normalise(table)
            if head and action != "restore" and not counts.get("new") and not counts.get("revised"):
                return None
            version = self._next_id()
            info = VersionInfo(
                id=version,
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                action=action,
                author=author,
                file_name=file_name,
                sha256=sha256,
                rows=len(table),
                message=message,
                restored_from=restored_from,
                parent=head,
                **counts,
            )
            atomic_write(self.versions_dir / f"{version}.parquet", _parquet_bytes(table, self.spec))
            atomic_write(self.versions_dir / f"{version}.json", info.model_dump_json(indent=2).encode())
            atomic_write(self.head_file, f"{version}\n".encode())
            return info

    def restore(self, version: str, *, author: str | None = None) -> VersionInfo:
        """Make an old version current again, as a new version: history is never rewritten."""
        old = self.read(version)
        info = self.commit(
            lambda current: (old, {}),
            action="restore",
            author=author,
            message=f"restored version {version}",
            restored_from=version,
        )
        assert info is not None
        return info
