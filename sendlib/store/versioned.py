"""The store as it was before Delta Lake (`ParquetStore`), kept to read and migrate such a store; and what both
stores share: `VersionInfo`, `StoreError`, `StoreDamaged`, `atomic_write`.

Versioned parquet snapshots of the tidy table, defended against damage.

Layout of a store directory:
  versions/000001.parquet   the whole table as it stood after that version (immutable)
  versions/000001.json      who, when, which file (name + sha256), counts, the parquet's own sha256, the parent
  HEAD                      the id of the current version
  .lock                     serialises writers

Every write goes temp file → fsync → rename, then HEAD moves the same way, so a crash leaves the
last good version readable and a reader never sees half a file. Versions are never rewritten:
a restore is a new version whose table equals an older one.

A damaged store is never papered over: a missing or damaged HEAD, a version whose parquet no longer
matches the sha256 recorded when it was written, or a file that cannot be parsed raises `StoreDamaged`
naming the file and the way back (`python -m sendlib check` / `repair` / `rollback`), and no write
proceeds on top of it. Pandas and pyarrow are imported only where a table is read or written, so the
commands that list history or check a store start quickly.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from pydantic import BaseModel, ValidationError, field_validator

from sendlib.domain.table_spec import TableSpec
from sendlib.domain.text import one_line

if TYPE_CHECKING:
    import pandas as pd

VERSION_ID = re.compile(r"^\d{6}$")
LOCK_TIMEOUT_S = 60


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
    # The sha256 of this version's own parquet file, so damage is found rather than read as data.
    # None for versions written before it was recorded.
    parquet_sha256: str | None = None
    # On the Delta store, the authority whose rows a version of a per-authority table changed (None: every
    # authority's, as a repair's restore of the whole table).
    la_code: str | None = None
    # Of a case-records version: the fingerprint of the key its references were made with, and the earlier keys of
    # its chain, wrapped (see `domain.pseudonym`). Never a key itself.
    key_fingerprint: str | None = None
    key_chain: str | None = None

    @field_validator("author", "file_name", "message", mode="after")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        """What a person or a file supplied, as every reader shows it: one line, hidden characters visible
        (`domain.text`), whatever an older commit, or another tool's, recorded."""
        return one_line(value) if value is not None else None


class StoreError(RuntimeError):
    """The store cannot do what was asked: it holds no data yet, a version is unknown, it cannot be written."""


class StoreDamaged(StoreError):
    """A file of the store is missing or damaged. Nothing is written on top of it; the message says how to recover."""

    def __init__(self, path: Path, what: str, root: Path):
        self.path = path
        self.what = what
        super().__init__(
            f"{path} {what}. Nothing was changed. Run `python -m sendlib check --store {root}` to see every "
            f"damaged file, then `python -m sendlib repair --store {root}` to make the newest intact version "
            "current again (as a new version), or `rollback` to a version you choose."
        )


def check_version_id(version: str) -> str:
    """Version ids are six digits: anything else (a path, `../other/versions/000003`) is refused, never opened."""
    if not VERSION_ID.match(version or ""):
        raise StoreError(f"{version!r} is not a version id (six digits, e.g. 000003; see `history`)")
    return version


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def os_error(exc: OSError, path: Path | str) -> StoreError:
    """A read-only or full disk as one line a manager can act on."""
    reason = {
        errno.EACCES: "permission denied (the store is read-only for this user)",
        errno.EPERM: "permission denied (the store is read-only for this user)",
        errno.EROFS: "the disk is mounted read-only",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
    }.get(exc.errno or 0, exc.strerror or str(exc) or type(exc).__name__)
    return StoreError(f"cannot write to {path}: {reason}. Nothing was changed.")


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file → fsync → rename: a reader sees the old file or the new one, never half of either."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise os_error(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise os_error(exc, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _values_spec() -> TableSpec:
    from sendlib.domain.schema import VALUES

    return VALUES


def table_bytes(df: pd.DataFrame, spec: TableSpec | None = None) -> bytes:
    spec = spec or _values_spec()
    return _parquet_bytes(spec.normalise(df), spec)


def _parquet_bytes(normalised: pd.DataFrame, spec: TableSpec) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(normalised[spec.columns], schema=spec.arrow_schema, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data: bytes = sink.getvalue().to_pybytes()
    return data


def parquet_rows(data: bytes, *, full: bool = False) -> int | None:
    """A parquet's row count from its footer (with `full`, only after reading every page), or None when pyarrow
    cannot read it: the one readability test for a restore and for `check`."""
    import pyarrow.parquet as pq

    try:
        rows: int = pq.read_table(io.BytesIO(data)).num_rows if full else pq.read_metadata(io.BytesIO(data)).num_rows
    except Exception:  # pyarrow raises ArrowInvalid, OSError or others for a damaged file
        return None
    return rows


def read_table(data: bytes | Path, spec: TableSpec | None = None) -> pd.DataFrame:
    """A parquet file (bytes or path) as the spec's exact pandas dtypes."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = spec or _values_spec()
    mapper = {pa.string(): pd.StringDtype(), pa.float64(): pd.Float64Dtype(), pa.int64(): pd.Int64Dtype(),
              pa.int16(): pd.Int16Dtype(), pa.bool_(): pd.BooleanDtype()}
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    # Single-threaded: a store's tables are small, and a command that never starts Arrow's thread pools cannot be
    # caught by them at interpreter exit (seen once under load: libstdc++'s "terminate called").
    table = pq.read_table(source, schema=spec.arrow_schema, use_threads=False)
    frame: pd.DataFrame = table.to_pandas(types_mapper=mapper.get, use_threads=False, date_as_object=False)
    return frame[spec.columns]


class ParquetStore:
    """A versioned table in a directory. `ParquetStore(root)` is the values table; `store.side(spec)` is a side table
    kept in `root/tables/<name>/` with the same guarantees."""

    # Such a store held one authority's data, the configured home one's (the Delta store is opened for one: `la`).
    la: str | None = None

    def authority(self, la: str | None) -> ParquetStore:
        """The same store: it held one authority's data (the workflows ask the Delta store for an authority's)."""
        return self

    def __init__(self, root: str | os.PathLike[str], spec: TableSpec | None = None):
        self.root = Path(root)
        self._spec = spec
        self.versions_dir = self.root / "versions"
        self.head_file = self.root / "HEAD"
        self.lock = FileLock(str(self.root / ".lock"), timeout=LOCK_TIMEOUT_S)

    @property
    def spec(self) -> TableSpec:
        if self._spec is None:
            self._spec = _values_spec()
        return self._spec

    @property
    def name(self) -> str:
        """The table's name as `check` reports it: `values`, or a side table's (`commentary`, `dfe`, …)."""
        if self._spec is not None:
            return self._spec.name
        return self.root.name if self._is_side else "values"

    @property
    def _is_side(self) -> bool:
        return self.root.parent.name == "tables"

    def side(self, spec: TableSpec) -> ParquetStore:
        """A side table of this store (commentary, DfE releases): its own versions, HEAD and lock."""
        return ParquetStore(self.root / "tables" / spec.name, spec)

    def damaged(self, path: Path, what: str) -> StoreDamaged:
        store_root = self.root.parents[1] if self._is_side else self.root
        return StoreDamaged(path, what, store_root)

    # --- the KPIs added on the upload page -------------------------------------------------------------------

    @property
    def extras_file(self) -> Path:
        return self.root / "extra_kpis.json"

    def extra_kpis(self) -> list[dict[str, Any]]:
        """KPIs a manager added on the upload page, beyond the bundled catalogue."""
        try:
            extras = json.loads(self.extras_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise self.damaged(self.extras_file, f"cannot be read ({exc.strerror})") from None
        except (ValueError, UnicodeDecodeError):
            raise self.damaged(self.extras_file, "is not readable JSON (the KPIs added on the upload page)") from None
        if not isinstance(extras, list) or not all(isinstance(k, dict) and "id" in k for k in extras):
            raise self.damaged(self.extras_file, "does not hold a list of KPIs")
        return extras

    def extras_stamp(self) -> str:
        try:
            return str(self.extras_file.stat().st_mtime_ns)
        except FileNotFoundError:
            return ""

    def add_kpi(self, kpi: dict[str, Any]) -> None:
        with self.writing():
            extras = [k for k in self.extra_kpis() if k["id"] != kpi["id"]] + [kpi]
            atomic_write(self.extras_file, json.dumps(extras, indent=2, ensure_ascii=False).encode("utf-8"))

    # --- reading ---------------------------------------------------------------------------------------------

    def version_ids(self) -> list[str]:
        """Every version id with a file on disk, oldest first, whether or not it is in history."""
        try:
            stems = {p.stem for p in self.versions_dir.iterdir() if p.suffix in (".json", ".parquet")}
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(s for s in stems if VERSION_ID.match(s))

    def exists(self) -> bool:
        """Whether this table has ever been written: a HEAD, or any version file. A store with versions but no
        HEAD exists (and is damaged); only a table that does not exist at all is ever built afresh."""
        return self.head_file.exists() or bool(self.version_ids())

    def head(self) -> str | None:
        """The current version id; None only for a table never written. A missing HEAD beside versions, or a HEAD
        naming no version, is damage, not an empty store."""
        try:
            text = self.head_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            if self.version_ids():
                raise self.damaged(self.head_file, "is missing, though the store holds versions") from None
            return None
        except (UnicodeDecodeError, OSError):
            raise self.damaged(self.head_file, "cannot be read") from None
        if not VERSION_ID.match(text):
            raise self.damaged(self.head_file, f"does not name a version (it holds {text[:40]!r})")
        if not (self.versions_dir / f"{text}.json").exists():
            raise self.damaged(self.head_file, f"names version {text}, which has no versions/{text}.json")
        return text

    def info(self, version: str) -> VersionInfo:
        check_version_id(version)
        path = self.versions_dir / f"{version}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(f"no version {version!r} in {self.root}") from None
        except OSError as exc:
            raise self.damaged(path, f"cannot be read ({exc.strerror})") from None
        try:
            return VersionInfo.model_validate_json(raw)
        except ValidationError:
            raise self.damaged(path, "is not a readable version record") from None

    def versions(self) -> list[VersionInfo]:
        """Newest first: the chain from HEAD through each version's parent. A version whose write
        never reached HEAD (a crash mid-commit) is not part of history."""
        out: list[VersionInfo] = []
        seen: set[str] = set()
        version = self.head()
        while version:
            if version in seen:
                raise self.damaged(self.versions_dir / f"{version}.json", "is its own ancestor (a loop in history)")
            seen.add(version)
            try:
                info = self.info(version)
            except StoreDamaged:
                raise
            except StoreError:
                raise self.damaged(self.versions_dir / f"{version}.json", "is missing, though history names it") from None
            out.append(info)
            version = info.parent
        return out

    def version_bytes(self, version: str) -> bytes:
        """A version's parquet bytes, checked against the sha256 recorded when it was written."""
        info = self.info(version)
        path = self.versions_dir / f"{version}.parquet"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise self.damaged(path, "is missing") from None
        except OSError as exc:
            raise self.damaged(path, f"cannot be read ({exc.strerror})") from None
        if info.parquet_sha256 and sha256_bytes(data) != info.parquet_sha256:
            raise self.damaged(path, "does not match the sha256 recorded when it was written (it has been changed "
                                     "or truncated)")
        return data

    def read(self, version: str | None = None) -> pd.DataFrame:
        version = version or self.head()
        if version is None:
            raise StoreError(f"{self.root} holds no data yet (run `python -m sendlib init --store {self.root}`)")
        data = self.version_bytes(version)
        try:
            return read_table(data, self.spec)
        except Exception as exc:  # pyarrow's ArrowInvalid / OSError, or a schema that no longer fits
            raise self.damaged(self.versions_dir / f"{version}.parquet",
                               f"is not a readable table ({type(exc).__name__})") from None

    def read_or_empty(self) -> pd.DataFrame:
        """The current table, or an empty one with the right columns when nothing has been written yet."""
        return self.read() if self.exists() else self.spec.empty()

    # --- writing ---------------------------------------------------------------------------------------------

    def writing(self) -> _Writing:
        """Hold the store's write lock (reentrant), with the store's own failures as one clear line."""
        return _Writing(self)

    def _next_id(self) -> str:
        return f"{max((int(v) for v in self.version_ids()), default=0) + 1:06d}"

    def newest_known(self) -> str | None:
        """The newest version with a readable record: the parent of a restore or repair when HEAD is damaged."""
        for version in reversed(self.version_ids()):
            try:
                self.info(version)
            except StoreError:
                continue
            return version
        return None

    def commit(
        self,
        change: Callable[[pd.DataFrame], tuple[pd.DataFrame, dict[str, int]]],
        *,
        action: str,
        author: str | None = None,
        file_name: str | None = None,
        sha256: str | None = None,
        message: str | None = None,
        la_code: str | None = None,
        key_fingerprint: str | None = None,
        key_chain: str | None = None,
    ) -> VersionInfo | None:
        """Apply `change` to the current table under the lock and write the result as a new version.
        (`key_fingerprint` and `key_chain` are taken and not kept: the layout predates the case key's record, and
        the case workflow writes to either store the same way.)

        `change` gets the table as it is *now* (not as it was when the user looked), so two
        uploads that race both land. It returns the new table and counts; when nothing changed
        (`new` and `revised` are 0) no version is written and None returned. A damaged store refuses.
        """
        with self.writing():
            parent = self.head()
            current = self.read(parent) if parent else self.spec.empty()
            table, counts = change(current)
            table = self.spec.normalise(table)
            if parent and not counts.get("new") and not counts.get("revised"):
                return None
            return self._write(_parquet_bytes(table, self.spec), rows=len(table), parent=parent, action=action,
                               author=author, file_name=file_name, sha256=sha256, message=message, la_code=la_code,
                               **counts)

    def restore(self, version: str, *, author: str | None = None, action: str = "restore",
                message: str | None = None) -> VersionInfo:
        """Make an old version current again, as a new version whose parquet is the old one byte for byte: history
        is never rewritten. Works whatever state HEAD is in, so a damaged store can always be brought back to a
        version that is intact."""
        check_version_id(version)
        with self.writing():
            old = self.info(version)
            data = self.version_bytes(version)
            if parquet_rows(data) is None:  # a version written before hashes were recorded is trusted only once read
                raise self.damaged(self.versions_dir / f"{version}.parquet", "is not a readable table")
            return self._write(data, rows=old.rows, parent=self._parent_of_replacement(), action=action,
                               author=author, message=message or f"restored version {version}", restored_from=version)

    def replace_with(self, table: pd.DataFrame, *, action: str, author: str | None = None,
                     file_name: str | None = None, message: str | None = None) -> VersionInfo:
        """A whole new table as a new version, whatever state HEAD is in: how `repair` reloads a bundled release
        when no version of it is intact."""
        with self.writing():
            table = self.spec.normalise(table)
            return self._write(_parquet_bytes(table, self.spec), rows=len(table), parent=self._parent_of_replacement(),
                               action=action, author=author, file_name=file_name, message=message, new=len(table))

    def _parent_of_replacement(self) -> str | None:
        """HEAD when its record is readable, else the newest readable record: a restore or repair joins history
        there, and a damaged record stays on disk (reported by `check`) outside the chain."""
        try:
            parent = self.head()
            if parent:
                self.info(parent)
            return parent
        except StoreDamaged:
            return self.newest_known()

    def _write(self, data: bytes, *, rows: int, parent: str | None, action: str, **fields: object) -> VersionInfo:
        """Parquet, then its record, then HEAD: each step atomic, so a stop between them leaves the last good
        version current (a version written but not in HEAD's chain is not history)."""
        version = self._next_id()
        info = VersionInfo.model_validate({
            "id": version,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "action": action,
            "rows": rows,
            "parent": parent,
            "parquet_sha256": sha256_bytes(data),
            **fields,
        })
        atomic_write(self.versions_dir / f"{version}.parquet", data)
        atomic_write(self.versions_dir / f"{version}.json", info.model_dump_json(indent=2).encode())
        atomic_write(self.head_file, f"{version}\n".encode())
        return info

    def orphan_temp_files(self, older_than: float | None = None) -> list[Path]:
        """Temp files left by a writer that was killed mid-write (only a lock holder ever makes them)."""
        found = []
        for folder in (self.root, self.versions_dir):
            try:
                candidates = list(folder.glob(".*.tmp"))
            except OSError:
                continue
            for path in candidates:
                try:
                    if older_than is None or path.stat().st_mtime < older_than:
                        found.append(path)
                except FileNotFoundError:
                    continue
        return found


class _Writing:
    """The lock held for one write, with the store's own failures turned into one clear line: a lock that cannot
    be created (a read-only store), a writer that never lets go, and temp files a killed writer left behind."""

    def __init__(self, store: ParquetStore):
        self.store = store

    def __enter__(self) -> ParquetStore:
        root = self.store.root
        try:
            root.mkdir(parents=True, exist_ok=True)
            self.store.lock.acquire()
        except Timeout:
            raise StoreError(f"{root} is locked by another writer for over {LOCK_TIMEOUT_S} s; nothing was changed. "
                             "Try again; if it persists, check that no `python -m sendlib` command is stuck.") from None
        except OSError as exc:
            raise os_error(exc, root) from None
        # Writers make temp files only while holding this lock, so any older than now are a killed writer's.
        acquired = time.time()
        for path in self.store.orphan_temp_files(older_than=acquired):
            path.unlink(missing_ok=True)
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.lock.release()
