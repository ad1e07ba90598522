"""Versioned tables on Delta Lake (delta-rs, no Spark), with the promises of `versioned.Store`.

Layout: `<root>/delta/<table>/` — `values` for the figures, each side table under its own name (`commentary`, `dfe`,
…), each a Delta table of its own (`_delta_log/` and parquet files, partitioned by the spec's `partition_by`). No
table's folder holds another's, so a VACUUM or OPTIMIZE run from any tool touches one table only, and a parquet
store's `versions/`, `HEAD` and `tables/` stay untouched beside them until they are migrated. `<root>` is a folder or
a URI (`az://`, `abfss://`, `s3://`, `gs://`; see `location`). Power BI, Fabric, Databricks, Polars or DuckDB open
`<root>/delta/values` as they open any Delta table.

How each promise is kept:
- *Versioned, never rewritten.* Version id N is Delta version N - 1 in six digits ("000001" is Delta's version 0),
  so ids read as they always have. Every commit carries our record (author, file name, sha256, counts, action,
  message, restored_from) in its custom metadata under "sendlib"; `versions()` reads them back from the log. The
  tables are created with log cleanup off and a century's retention for removed files, so every version stays
  readable by time travel; a restore is Delta's RESTORE, a new commit that re-adds the old version's files.
- *Only the change is written.* A commit compares the table before and after `change` row by row: a table
  partitioned by its own columns has the partitions that differ replaced (one overwrite with a predicate naming
  them); an unpartitioned one, and one authority's rows of a per-authority table (`TableSpec.per_authority`, kept
  under `la_code=<code>/`), get the new rows appended, or, when rows went, one MERGE that deletes those rows and
  inserts the new, reading only that authority's files.
- *Each authority's rows are its own.* A store opened for one authority (`la`) reads, writes, restores and lists
  the history of that authority's partition only; `read_all` is the one way to see every authority's rows.
- *Atomic, and a crash leaves the last good version.* A version exists once its log entry does; files written by
  a writer killed before that are outside every version, unseen.
- *Two writers both land.* Each commit is tied to the version its `change` read (delta-rs may not rebase it onto a
  newer one), so a concurrent commit fails it and `change` runs again on the table as it is now, a bounded number
  of times.
- *Damage is reported, never papered over.* A gap in the log, an unreadable log entry, or a data file that is
  missing, of another size than the log records, or unreadable raises `StoreDamaged` naming it. A damaged
  checkpoint over whole commit entries is named too, but the table is read from those entries (`delta_replay`);
  only writes wait for `repair` to rebuild it. Delta records each
  file's size, not its hash: a same-size change is found only when the file no longer reads.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pydantic import ValidationError

from sendlib.domain.table_spec import AUTHORITY, TableSpec
from sendlib.domain.text import one_line
from sendlib.store.delta_log import (
    CHECKPOINT_FILE,
    LAST_CHECKPOINT,
    Entry,
    LogProblem,
    LogState,
    actions_of,
    commit_name,
    state_of,
)
from sendlib.store.delta_log import (
    LOG_DIR as LOG_DIR,
)
from sendlib.store.delta_replay import LogReplay
from sendlib.store.location import Location, store_location
from sendlib.store.versioned import StoreDamaged, StoreError, VersionInfo, check_version_id, os_error

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.fs as pafs
    from deltalake import CommitProperties, DeltaTable

    # What a read goes through: delta-rs's table, or the commit entries replayed past a damaged checkpoint.
    Snapshot = DeltaTable | LogReplay

TABLES_DIR = "delta"
COMMIT_ATTEMPTS = 25
METADATA_KEY = "sendlib"
COUNTS = ("new", "revised", "unchanged")
# Time travel needs every commit and every file an old version names: no log cleanup, and removed files kept for a
# century against anyone's VACUUM at the default retention.
TABLE_CONFIGURATION: dict[str, str | None] = {
    "delta.enableExpiredLogCleanup": "false",
    "delta.logRetentionDuration": "interval 36500 days",
    "delta.deletedFileRetentionDuration": "interval 36500 days",
}
_OP = "_sendlib_op"
LOG_WAY = ("The table's history cannot be read whole, so nothing is read or written until it can: put {table} back "
           "from a backup (its data files are still there), then run `python -m sendlib check --store {store}`.")
NO_LOG_WAY = ("Nothing was read or built over it: put {table} back from a backup with its _delta_log folder; the "
              "rows' own data files are still there, readable by any parquet tool, so they are not lost.")
CHECKPOINT_WAY = ("Its commit entries are whole, so reads carry on from them, but nothing is written to the table until "
                  "the checkpoint is rebuilt: run `python -m sendlib repair --store {store}` (no version is lost).")
_LOCKS: dict[str, Any] = {}
_NOTED: set[str] = set()
_log = logging.getLogger(__name__)


def version_id(delta_version: int) -> str:
    return f"{delta_version + 1:06d}"


def delta_version(version: str) -> int:
    return int(check_version_id(version)) - 1


_RUST_OS_ERROR = re.compile(r"\(os error (\d+)\)")
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def disk_error(message: str, where: Path | str) -> StoreError | None:
    """A full or read-only disk said as `os_error` says it, where delta-rs reports the OS's refusal only inside its
    own message, as a Rust I/O error ("... Unable to copy data to file: No space left on device (os error 28)");
    None for a message with another cause."""
    found = _RUST_OS_ERROR.search(message)
    if found is None or int(found.group(1)) not in _DISK_ERRNOS:
        return None
    code = int(found.group(1))
    return os_error(OSError(code, os.strerror(code)), where)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TableDamaged(StoreDamaged):
    """`StoreDamaged` for a file that may sit on object storage: `where` is its full path or URI, which a `Path`
    would mangle (`az://` to `az:/`)."""

    def __init__(self, where: str, what: str, store: str, way: str | None = None):
        self.where = where
        self.path = Path(where)
        self.what = what
        StoreError.__init__(
            self,
            f"{where} {what}. Nothing was changed. " + (way or (
                f"Run `python -m sendlib check --store {store}` to see every damaged file, then "
                f"`python -m sendlib repair --store {store}` to make the newest intact version current again (as a "
                "new version), or `rollback` to a version you choose.")),
        )


class _Conflict(Exception):
    """Another writer committed first: run the change again on the table as it is now."""


class DeltaStore:
    """A versioned table on Delta Lake with `Store`'s API. `DeltaStore(root)` is the values table;
    `store.side(spec)` is a side table beside it with the same guarantees."""

    # Delta's own default (about 100 MB) unless set; the killed-writer test sets it small to have files on disk
    # mid-write.
    target_file_size: int | None = None

    def __init__(self, root: str | os.PathLike[str] | Location, spec: TableSpec | None = None,
                 la: str | None = None):
        self.location = root if isinstance(root, Location) else store_location(root)
        self._spec = spec
        # The authority (old code) whose partition of a per-authority table this store reads and writes; None reads
        # a per-authority table only through `read_all` (what `check`, `repair` and the peer comparison do).
        self.la = la
        self._own_heads: dict[int, str | None] = {}
        self._state = LogState([], [])

    @property
    def spec(self) -> TableSpec:
        if self._spec is None:
            from sendlib.domain.schema import VALUES

            self._spec = VALUES
        return self._spec

    @property
    def name(self) -> str:
        return self._spec.name if self._spec is not None else "values"

    @property
    def table_location(self) -> Location:
        return self.location.child(TABLES_DIR, self.name)

    @property
    def uri(self) -> str:
        """The table's own path or URI: what an analyst's tool opens."""
        return self.table_location.uri

    def side(self, spec: TableSpec) -> DeltaStore:
        return DeltaStore(self.location, spec, self.la)

    def authority(self, la: str | None) -> DeltaStore:
        """The same table opened for another authority's rows."""
        return DeltaStore(self.location, self._spec, la)

    def __repr__(self) -> str:
        return f"DeltaStore({self.uri!r}, la={self.la!r})"

    @property
    def root(self) -> Path:
        """The store's folder, for what lives beside the tables on local disk (the case key, a write lock)."""
        if not self.location.is_local:
            raise StoreError(f"{self.location.uri} is on object storage, where this needs a setting instead of a "
                             "file (see the README's [cases] key)")
        return Path(self.location.uri)

    def writing(self) -> Any:
        """A lock for work that must not run twice at once on one machine (building a store on first use); commits
        need none. On object storage a no-op: two replicas building at once converge, as every commit is checked."""
        import contextlib

        if not self.location.is_local:
            return contextlib.nullcontext(self)
        from filelock import FileLock

        self.root.mkdir(parents=True, exist_ok=True)
        path = str(self.root / ".lock")
        # One lock object per folder: it is reentrant, where a second object on the same file would wait on the first.
        return _LOCKS.setdefault(path, FileLock(path, timeout=60))

    # --- per-authority tables ----------------------------------------------------------------------------------

    @property
    def per_authority(self) -> bool:
        return self.spec.per_authority

    def _own(self) -> str:
        if self.la is None:
            raise StoreError(f"the {self.name} table holds each authority's own rows: open it for one authority")
        return self.la

    def _partition_by(self) -> list[str]:
        return [AUTHORITY] if self.per_authority else list(self.spec.partition_by)

    def _stored_schema(self) -> pa.Schema:
        import pyarrow as pa

        schema = self.spec.arrow_schema
        return schema.append(pa.field(AUTHORITY, pa.string())) if self.per_authority else schema

    # --- opening -----------------------------------------------------------------------------------------------

    def _options(self) -> dict[str, str] | None:
        return dict(self.location.storage_options) or None

    def _fs(self) -> pafs.FileSystem:
        """The table's folder as a pyarrow filesystem: on object storage through delta-rs's own store and options
        (which needs the folder to be there only on local disk, where pyarrow's own serves)."""
        import pyarrow.fs as pafs

        if self.location.is_local:
            return pafs.SubTreeFileSystem(self.uri, pafs.LocalFileSystem())
        from deltalake.fs import DeltaStorageHandler

        return pafs.PyFileSystem(DeltaStorageHandler(self.uri, self._options()))

    def _where(self, relative: str) -> str:
        return self.table_location.child(*relative.split("/")).uri if relative else self.uri

    def damaged(self, relative: str, what: str, way: str | None = None) -> TableDamaged:
        return TableDamaged(self._where(relative), what, self.location.uri, way)

    def _log_problem(self, problem: LogProblem) -> TableDamaged:
        """A log that does not read whole: named, with the way back."""
        return self.damaged(problem.relative, problem.what, LOG_WAY.format(table=self.uri, store=self.location.uri))

    def _log_entries(self) -> list[pafs.FileInfo]:
        import pyarrow.fs as pafs

        try:
            return list(self._fs().get_file_info(pafs.FileSelector(LOG_DIR, allow_not_found=True)))
        except OSError as exc:
            raise StoreError(f"cannot reach {self.uri}: {_first_line(exc)}") from None

    def exists(self) -> bool:
        """Whether the table was ever written: anything in its log. A log that no longer reads is damage, and a
        damaged table exists; only a table that does not exist at all is ever built afresh. A folder holding data
        files but no log is damage too (its log was lost), never a new table: it raises `TableDamaged`."""
        if self._log_entries():
            return True
        self._refuse_data_without_log()
        return False

    def present(self) -> bool:
        """Whether anything at all is in the table's folder: what `check` and `repair` look at."""
        import pyarrow.fs as pafs

        try:
            return bool(self._fs().get_file_info(pafs.FileSelector("", allow_not_found=True)))
        except OSError as exc:
            raise StoreError(f"cannot reach {self.uri}: {_first_line(exc)}") from None

    def _refuse_data_without_log(self) -> None:
        if self.present():
            raise self.damaged("", f"holds data files but no {LOG_DIR} (its log was lost), so it is a damaged table, "
                                   "not a new one", NO_LOG_WAY.format(table=self.uri))

    def _log_state(self) -> LogState | None:
        """The log checked whole (see `delta_log`), or None for a table never written; `TableDamaged` naming the
        first file that is not."""
        import pyarrow.fs as pafs

        infos = self._log_entries()
        if not infos:
            self._refuse_data_without_log()
            return None
        entries = [Entry(i.base_name, i.size, i.mtime, i.type == pafs.FileType.File) for i in infos]
        try:
            return state_of(entries, self._read_log_bytes, self._check_parquet_footer, self.uri)
        except LogProblem as problem:
            raise self._log_problem(problem) from None

    def _read_log_bytes(self, name: str) -> bytes:
        with self._fs().open_input_stream(f"{LOG_DIR}/{name}") as fh:
            data: bytes = fh.read()
        return data

    def _check_parquet_footer(self, name: str) -> None:
        import pyarrow.parquet as pq

        with self._fs().open_input_file(f"{LOG_DIR}/{name}") as fh:
            pq.read_metadata(fh)

    def _open(self, version: int | None = None) -> Snapshot | None:
        """The table at `version` (else its newest), or None when it was never written. The log is checked whole
        first (`delta_log`): no command reads or writes a table whose log is damaged. Past a damaged checkpoint
        whose commit entries are whole, the table is read from those entries (`delta_replay`)."""
        from deltalake import DeltaTable
        from deltalake.exceptions import DeltaError

        state = self._log_state()
        if state is None:
            return None
        self._state = state
        if version is not None and version < state.oldest:
            raise StoreError(f"version {version_id(version)} of {self.uri} was cleaned out of the log (below a "
                             "checkpoint) and can no longer be read")
        if state.damaged_checkpoint is not None:
            return self._replayed(state.newest if version is None else version, *state.damaged_checkpoint)
        try:
            return DeltaTable(self.uri, version=version, storage_options=self._options())
        except DeltaError as exc:
            raise self._log_damage(exc) from None
        except OSError as exc:
            raise StoreError(f"cannot read {self.uri}: {_first_line(exc)}") from None

    def _replayed(self, version: int, relative: str, what: str) -> LogReplay:
        """The table read from its commit entries, as its checkpoint does not read: said once a process (a note on
        stderr), since the figures are true but the table cannot be written until `repair`."""
        from sendlib.store.delta_replay import ReplayError

        where = self._where(relative)
        if where not in _NOTED:
            _NOTED.add(where)
            _log.warning("note: %s is a damaged checkpoint; the table was read from its commit entries, which are "
                         "whole. Run `python -m sendlib repair --store %s` to rebuild it before writing.",
                         where, self.location.uri)
        try:
            return LogReplay(version, lambda v: self._read_log_file(commit_name(v)), self._fs())
        except (OSError, ValueError, KeyError) as exc:
            reason = str(exc) if isinstance(exc, ReplayError) else _first_line(exc)
            raise self.damaged(relative, f"{what.split(' (')[0]}, and its commit entries do not replay ({reason})",
                               LOG_WAY.format(table=self.uri, store=self.location.uri)) from None

    def _writable(self) -> DeltaTable | None:
        """The table to write to, or None for a new one: a table read past a damaged checkpoint is not written."""
        table = self._open()
        if isinstance(table, LogReplay):
            relative, _ = self._state.damaged_checkpoint or (LOG_DIR, "")
            raise self.damaged(relative, "is a damaged checkpoint", CHECKPOINT_WAY.format(store=self.location.uri))
        return table

    def _read_log_file(self, name: str) -> list[dict[str, Any]]:
        """One log file's actions; OSError or ValueError when it does not read."""
        return actions_of(self._read_log_bytes(name).decode("utf-8"))

    def _log_damage(self, exc: BaseException | None) -> TableDamaged:
        """Name the log file that stops the table loading (`_log_state` raises it), else the log as a whole."""
        self._log_state()
        return self.damaged(LOG_DIR, f"cannot be read ({_first_line(exc) if exc else 'unknown reason'})",
                            LOG_WAY.format(table=self.uri, store=self.location.uri))

    def _snapshot(self, version: str | None) -> Snapshot:
        table = self._open()
        if table is None:
            if version is not None:
                raise StoreError(f"no version {version!r} in {self.uri}")
            raise StoreError(f"{self.uri} holds no data yet (run `python -m sendlib init --store {self.location}`)")
        if version is None:
            return table
        wanted = delta_version(version)
        if not 0 <= wanted <= table.version():
            raise StoreError(f"no version {version!r} in {self.uri}")
        if wanted != table.version():
            opened = self._open(wanted)
            assert opened is not None
            return opened
        return table

    # --- history -----------------------------------------------------------------------------------------------

    def head(self) -> str | None:
        """The current version id; None only for a table never written. Opened for one authority, a per-authority
        table's current version is that authority's newest (as `versions()` lists them): reading it reads the
        authority's rows as they are now, and another authority's upload leaves it, and every cache keyed on it,
        as it was."""
        table = self._open()
        if table is None:
            return None
        if not (self.per_authority and self.la is not None):
            return version_id(table.version())
        newest = table.version()
        if newest not in self._own_heads:
            self._own_heads = {newest: self._own_head(table)}
        return self._own_heads[newest]

    def _own_head(self, table: Snapshot) -> str | None:
        """The newest commit of this authority's (or of every authority's), read back through the log a page of
        commits at a time: an authority's last upload is seldom far back."""
        limit = 64
        while True:
            commits = table.history(limit=limit)
            for commit in commits:
                meta = commit.get(METADATA_KEY)
                if self._ours(meta.get("la_code") if isinstance(meta, dict) else None):
                    return version_id(int(commit["version"]))
            if len(commits) < limit:
                return None
            limit *= 4

    def _info(self, commit: dict[str, Any]) -> VersionInfo:
        version = int(commit["version"])
        meta = commit.get(METADATA_KEY)
        if not isinstance(meta, dict):
            # A commit made by another tool (an OPTIMIZE, an analyst's write): described from Delta's own fields.
            opened = self._open(version)
            meta = {"action": str(commit.get("operation") or "delta").lower(), "author": commit.get("userName"),
                    "message": commit.get("userMetadata"), "rows": opened.count() if opened else 0}
        stamp = dt.datetime.fromtimestamp(int(commit.get("timestamp") or 0) / 1000, dt.UTC)
        record = {"created_at": stamp.isoformat(timespec="seconds"), **meta, "id": version_id(version),
                  "parent": version_id(version - 1) if version else None, "parquet_sha256": None}
        try:
            return VersionInfo.model_validate(record)
        except ValidationError:
            raise self.damaged(f"{LOG_DIR}/{version:020d}.json", "holds a version record that does not read") from None

    def versions(self) -> list[VersionInfo]:
        """Newest first, from the Delta log: every commit is a version. Opened for one authority, a per-authority
        table's history is that authority's own commits (and those made for every authority, as a repair), so no
        authority sees another's file names, authors or counts."""
        table = self._open()
        if table is None:
            return []
        history = table.history()
        if [int(c["version"]) for c in history] != list(range(table.version(), self._state.oldest - 1, -1)):
            raise self._log_damage(None)
        infos = [self._info(commit) for commit in history]
        if self.per_authority and self.la is not None:
            return [i for i in infos if self._ours(i.la_code)]
        return infos

    def _ours(self, la_code: str | None) -> bool:
        """Whether a commit recording `la_code` is in this authority's history: its own, and those made for every
        authority (a repair, another tool's commit, which record none)."""
        return la_code in (None, self.la)

    def info(self, version: str) -> VersionInfo:
        wanted = delta_version(version)
        table = self._open()
        if table is None or not 0 <= wanted <= table.version():
            raise StoreError(f"no version {version!r} in {self.uri}")
        if wanted < self._state.oldest:
            raise StoreError(f"version {version} of {self.uri} was cleaned out of the log (below a checkpoint)")
        commits = table.history(limit=table.version() - wanted + 1)
        if len(commits) != table.version() - wanted + 1 or int(commits[-1]["version"]) != wanted:
            raise self._log_damage(None)
        return self._info(commits[-1])

    # --- reading -----------------------------------------------------------------------------------------------

    def read(self, version: str | None = None, *,
             partitions: Mapping[str, str | Sequence[str]] | None = None) -> pd.DataFrame:
        """The table at `version` (time travel; else the current one) in the spec's dtypes and row order.
        `partitions` (`{"la_code": "E06000058"}`) opens only those partitions' files."""
        return self._frame(self._snapshot(version), partitions)

    def read_or_empty(self) -> pd.DataFrame:
        """The current table, or an empty one with the right columns when nothing has been written yet."""
        return self.read() if self.exists() else self.spec.empty()

    def read_all(self, version: str | None = None, *, authorities: Sequence[str] | None = None) -> pd.DataFrame:
        """Every authority's rows of a per-authority table (or, with `authorities`, those authorities' only, their
        partitions alone opened), with their `la_code`, as stored (each authority's were normalised when written):
        what the peer comparison ranks and an analyst's tool sees."""
        table = self._snapshot(version)
        pruning = None if authorities is None else self._pruning({AUTHORITY: list(authorities)})
        arrow = self._verified(table, pruning, self._stored_schema().names)
        try:
            frame: pd.DataFrame = arrow.cast(self._stored_schema()).to_pandas(types_mapper=_types_mapper(),
                                                                              use_threads=False)
            return frame
        except Exception as exc:  # as for `_frame`
            raise self._data_damage(table, exc) from None

    def _pruning(self, partitions: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str, Any]]:
        unknown = sorted(set(partitions) - set(self._partition_by()))
        if unknown:
            raise StoreError(f"the {self.name} table is not partitioned by {', '.join(unknown)}")
        return [(col, "=", want) if isinstance(want, str) else (col, "in", list(want))
                for col, want in partitions.items()]

    def _frame(self, table: Snapshot, partitions: Mapping[str, str | Sequence[str]] | None = None) -> pd.DataFrame:
        wanted = dict(partitions or {})
        if self.per_authority:
            wanted[AUTHORITY] = self._own()
        pruning = self._pruning(wanted) if wanted else None
        arrow = self._verified(table, pruning, self.spec.columns)
        try:
            frame = arrow.cast(self.spec.arrow_schema).to_pandas(types_mapper=_types_mapper(), use_threads=False)
            return self.spec.normalise(frame)
        except Exception as exc:  # pyarrow's ArrowInvalid / OSError, a schema that no longer fits, duplicate rows
            raise self._data_damage(table, exc) from None

    def _verified(self, table: Snapshot, pruning: list[tuple[str, str, Any]] | None, columns: list[str]) -> pa.Table:
        """The rows of `table`'s files (those `pruning` leaves), each file's held against the log's statistics of it
        (`delta_stats`): a file whose content changed is named, never read as if true."""
        import pyarrow as pa

        from sendlib.store.delta_stats import mismatch, stats_by_path

        try:
            dataset = table.to_pyarrow_dataset(file_pruning_predicate=pruning)
            stats = stats_by_path(table)
            parts = []
            for fragment in dataset.get_fragments():
                part = fragment.to_table(schema=dataset.schema, columns=columns, use_threads=False)
                path = unquote(fragment.path)
                if why := mismatch(part.select([c for c in part.column_names if c != AUTHORITY]), stats.get(path)):
                    raise self.damaged(path, why)
                parts.append(part)
            return pa.concat_tables(parts) if parts else dataset.to_table(columns=columns, use_threads=False)
        except TableDamaged:
            raise
        except Exception as exc:  # pyarrow's ArrowInvalid / OSError for a file that does not read
            raise self._data_damage(table, exc) from None

    def _file_findings(self, table: Snapshot, *, footers: bool) -> list[tuple[str, str]]:
        """The data files of `table`'s version that are missing, not the size the log records or (with `footers`)
        not readable parquet or not holding what the log's statistics record of them."""
        import pyarrow as pa
        import pyarrow.fs as pafs
        import pyarrow.parquet as pq

        from sendlib.store.delta_stats import mismatch, stats_by_path

        actions = pa.table(table.get_add_actions(flatten=True))
        paths = [unquote(p) for p in actions.column("path").to_pylist()]
        stats = stats_by_path(table) if footers else {}
        fs = self._fs()
        found = []
        for path, size, info in zip(paths, actions.column("size_bytes").to_pylist(), fs.get_file_info(paths)):
            if info.type == pafs.FileType.NotFound:
                found.append((path, "is missing"))
            elif info.type != pafs.FileType.File:
                found.append((path, "is not a file"))
            elif info.size != size:
                found.append((path, f"holds {info.size} bytes where the log records {size}"))
            elif footers:
                try:
                    with fs.open_input_file(path) as fh:
                        rows = pq.read_table(fh, use_threads=False)
                except Exception:  # pyarrow raises ArrowInvalid, OSError or others for a damaged file
                    found.append((path, "is not a readable parquet file"))
                    continue
                if why := mismatch(rows, stats.get(path)):
                    found.append((path, why))
        return found

    def _data_damage(self, table: Snapshot, exc: BaseException) -> StoreError:
        """The file that stopped a read, or, when the store could not be reached at all, that (not damage)."""
        try:
            findings = self._file_findings(table, footers=True)
        except OSError as unreachable:
            return StoreError(f"cannot read {self.uri}: {_first_line(unreachable)}")
        if findings:
            return self.damaged(*findings[0])
        return self.damaged(LOG_DIR, f"names a table that does not read at version {version_id(table.version())} "
                                     f"({type(exc).__name__}: {_first_line(exc)})")

    def file_problems(self, version: str | None = None) -> list[tuple[str, str]]:
        """The data files `version` (else the current one) reads that are missing, of the wrong size or not readable
        parquet, as (file, what): whether that version can be read or restored."""
        return [(self._where(path), what) for path, what in self._file_findings(self._snapshot(version), footers=True)]

    def damaged_files(self) -> list[tuple[str, str]]:
        """Every damaged file of the table, as (file, what): the log's gaps and unreadable entries (or a data folder
        with no log), a checkpoint pointer that does not read, else each data file any version names that is
        missing or not the size the log records. Nothing is written."""
        import pyarrow as pa

        try:
            table = self._open()
            if table is None:
                return []
            self.versions()
        except TableDamaged as exc:
            return [(exc.where, exc.what)]
        found = self._pointer_findings()
        if self._state.damaged_checkpoint is not None:
            relative, what = self._state.damaged_checkpoint
            found.insert(0, (self._where(relative), what))
        sizes: dict[str, int] = {}
        for version in range(self._state.oldest, table.version() + 1):
            for action in self._read_log_file(commit_name(version)):
                if isinstance(add := action.get("add"), dict):
                    sizes[unquote(add["path"])] = int(add["size"])
        actions = pa.table(table.get_add_actions(flatten=True)).to_pydict()
        sizes.update({unquote(str(p)): int(n) for p, n in zip(actions["path"], actions["size_bytes"])})
        infos = self._fs().get_file_info(list(sizes))
        return found + [(self._where(path), "is missing" if info.size is None else
                         f"holds {info.size} bytes where the log records {size}")
                        for (path, size), info in zip(sizes.items(), infos) if info.size != size]

    def _pointer_findings(self) -> list[tuple[str, str]]:
        """`_last_checkpoint` when it does not read: delta-rs passes over it to the log, so it is damage no read
        sees; `repair` writes it again."""
        if LAST_CHECKPOINT not in self._state.entries:
            return []
        try:
            pointer = json.loads(self._read_log_bytes(LAST_CHECKPOINT))
            if not isinstance(pointer, dict) or not isinstance(pointer.get("version"), int):
                raise ValueError("no version")
        except (OSError, ValueError):
            return [(self._where(f"{LOG_DIR}/{LAST_CHECKPOINT}"), "is a damaged checkpoint pointer (the commit "
                     "entries are read instead; `python -m sendlib repair` writes it again)")]
        return []

    def unlogged_files(self) -> list[str]:
        """Data files in the table's folder that no version names and that are newer than the newest commit: a
        write stopped before its commit, or a commit whose log entry went missing (its rows are in these files)."""
        import pyarrow as pa
        import pyarrow.fs as pafs

        table = self._open()
        if table is None:
            return []
        named: set[str] = set()
        for version in range(self._state.oldest, table.version() + 1):
            named |= {unquote(a["add"]["path"]) for a in self._read_log_file(commit_name(version))
                      if isinstance(a.get("add"), dict)}
        named |= {unquote(str(p)) for p in pa.table(table.get_add_actions(flatten=True)).column("path").to_pylist()}
        newest = self._state.entries[commit_name(table.version())].mtime if table.version() >= self._state.oldest \
            else None
        return sorted(i.path for i in self._fs().get_file_info(pafs.FileSelector("", recursive=True))
                      if i.type == pafs.FileType.File and i.path.endswith(".parquet")
                      and not i.path.startswith(f"{LOG_DIR}/") and i.path not in named
                      and (newest is None or i.mtime is None or i.mtime >= newest))

    def rebuild_checkpoint(self) -> str:
        """A damaged checkpoint (or `_last_checkpoint`) set aside under a dated name, never deleted, and the
        checkpoint written again from the commit entries (delta-rs's `create_checkpoint`): no version is made, no
        data file touched. Refused, with the damage named, when those entries are not whole. Returns what was done."""
        import pyarrow.fs as pafs

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        state = self._log_state()
        if state is None:
            raise StoreError(f"{self.uri} holds no table, so it has no checkpoint to rebuild")
        self._state = state
        aside = [LAST_CHECKPOINT] if self._pointer_findings() else []
        if state.damaged_checkpoint is not None:
            aside = [LAST_CHECKPOINT] + [name for name in state.entries
                                         if (m := CHECKPOINT_FILE.match(name)) and int(m[1]) == state.checkpoints[-1]]
        fs = self._fs()
        for name in aside:
            if fs.get_file_info(f"{LOG_DIR}/{name}").type != pafs.FileType.NotFound:
                fs.move(f"{LOG_DIR}/{name}", f"{LOG_DIR}/{name}.damaged-{stamp}")
        table = self._writable()
        assert table is not None
        table.create_checkpoint()
        return (f"checkpoint rebuilt at version {version_id(table.version())} from the commit entries "
                f"(the damaged file{'s' if len(aside) > 1 else ''} kept as *.damaged-{stamp})")

    # --- writing -----------------------------------------------------------------------------------------------

    def _arrow(self, frame: pd.DataFrame) -> Any:
        """Rows as the Arrow data handed to delta-rs: a Table, or anything Arrow can stream."""
        import pyarrow as pa

        table = pa.Table.from_pandas(frame[self.spec.columns], schema=self.spec.arrow_schema, preserve_index=False)
        if self.per_authority:
            table = table.append_column(AUTHORITY, pa.array([self._own()] * len(table), pa.string()))
        return table

    def _record(self, action: str, rows: int, counts: Mapping[str, int], **fields: str | None) -> dict[str, Any]:
        """Our record of a commit. Its text (author, file name, message) is one line with hidden characters shown
        (`domain.text`), so no Delta tool reading the log (DESCRIBE HISTORY) sees a bidi control either."""
        own = {"la_code": self.la} if self.per_authority and self.la is not None else {}
        return {"created_at": _now(), "action": action, "rows": rows, **own,
                **{k: int(counts.get(k) or 0) for k in COUNTS}, **{k: one_line(v) for k, v in fields.items() if v is not None}}

    def _properties(self, record: Mapping[str, Any]) -> CommitProperties:
        """Our record in the commit, readable by any Delta tool: `userMetadata` is what Databricks and Fabric show
        in DESCRIBE HISTORY. No retries inside delta-rs: a commit lands on the version its change read, or not."""
        from deltalake import CommitProperties

        summary = " ".join(str(v) for v in (record["action"], record.get("file_name") or record.get("message")) if v)
        custom: dict[str, Any] = {METADATA_KEY: dict(record), "userMetadata": summary}
        if record.get("author"):
            custom["userName"] = str(record["author"])
        return CommitProperties(custom_metadata=custom, max_commit_retries=0)

    def _landed(self, read_version: int, record: Mapping[str, Any]) -> VersionInfo:
        """The version a commit made: the one after the version it read (-1 for a new table), as no commit is
        rebased."""
        version = read_version + 1
        return VersionInfo.model_validate({**record, "id": version_id(version),
                                           "parent": version_id(version - 1) if version else None})

    def _retrying(self, what: str, step: Callable[[DeltaTable | None], VersionInfo | None]) -> VersionInfo | None:
        """Run `step` on the table as it is now until its commit lands: another writer's commit between the read
        and the commit makes it run again, at most COMMIT_ATTEMPTS times."""
        from deltalake.exceptions import CommitFailedError, DeltaError

        last = ""
        for attempt in range(COMMIT_ATTEMPTS):
            table = self._writable()
            try:
                return step(table)
            except (CommitFailedError, _Conflict) as exc:
                last = _first_line(exc)
                time.sleep(random.uniform(0.005, 0.02 * (attempt + 1)))
            except OSError as exc:
                raise os_error(exc, self.uri) from None
            except DeltaError as exc:
                raise disk_error(str(exc), self.uri) or StoreError(
                    f"{what} on {self.uri} failed: {_first_line(exc)}. Nothing was changed.") from None
        raise StoreError(f"{what} on {self.uri} did not land after {COMMIT_ATTEMPTS} tries, as other writers kept "
                         f"committing first (last: {last}). Nothing was changed; try again.")

    def _create(self, frame: pd.DataFrame, record: Mapping[str, Any]) -> None:
        from deltalake import write_deltalake
        from deltalake.exceptions import DeltaError

        try:
            write_deltalake(self.uri, self._arrow(frame), mode="error", partition_by=self._partition_by() or None,
                            configuration=TABLE_CONFIGURATION, storage_options=self._options(),
                            commit_properties=self._properties(record), target_file_size=self.target_file_size)
        except DeltaError:
            if self._open() is not None:
                raise _Conflict from None
            raise

    def commit(
        self,
        change: Callable[[pd.DataFrame], tuple[pd.DataFrame, dict[str, int]]],
        *,
        action: str,
        author: str | None = None,
        file_name: str | None = None,
        sha256: str | None = None,
        message: str | None = None,
        created_at: str | None = None,
        la_code: str | None = None,
        key_fingerprint: str | None = None,
        key_chain: str | None = None,
    ) -> VersionInfo | None:
        """Apply `change` to the table as it is now and commit only the rows that differ, as one new version.

        `change` returns the new table and counts; when nothing changed (`new` and `revised` are 0, or no row
        differs) nothing is written and None returned. When another writer commits first, `change` runs again on
        the table as it is then, so both land. `created_at` (ISO 8601) is the record's time instead of now: a
        migrated version keeps the time it was first written. `la_code` records whose change it is in a table every
        authority shares (a per-authority table records its own). `key_fingerprint` and `key_chain`: the case key a
        version of the case records was made with, recorded with it."""

        def step(table: DeltaTable | None) -> VersionInfo | None:
            read_version = -1 if table is None else table.version()
            current = self.spec.empty() if table is None else self._frame(table)
            new, counts = change(current)
            new = self.spec.normalise(new)
            if table is not None and not counts.get("new") and not counts.get("revised"):
                return None
            record = self._record(action, len(new), counts, author=author, file_name=file_name, sha256=sha256,
                                  message=message, created_at=created_at, la_code=la_code,
                                  key_fingerprint=key_fingerprint, key_chain=key_chain)
            if table is None:
                self._create(new, record)
            elif not self._write_changes(table, current, new, self._properties(record)):
                return None
            return self._landed(read_version, record)

        return self._retrying(action, step)

    def _write_changes(self, table: DeltaTable, current: pd.DataFrame, new: pd.DataFrame,
                       properties: CommitProperties) -> bool:
        """The rows that differ, written as one commit; False when none do."""
        from deltalake import write_deltalake

        removed, added, exact = _row_diff(current, new)
        if removed.empty and added.empty:
            return False
        keys = list(self.spec.partition_by)
        size = self.target_file_size
        if not exact and self.per_authority:
            self._write_own(table, new, properties)
        elif not exact:
            write_deltalake(table, self._arrow(new), mode="overwrite", commit_properties=properties,
                            target_file_size=size)
        elif keys and not self.per_authority:
            changed = _partition_values(removed, added, keys)
            rows = new[_in_partitions(new, keys, changed)]
            write_deltalake(table, self._arrow(rows), mode="overwrite", predicate=_partition_predicate(keys, changed),
                            commit_properties=properties, target_file_size=size)
        elif removed.empty:
            write_deltalake(table, self._arrow(added), mode="append", commit_properties=properties,
                            target_file_size=size)
        else:
            self._merge(table, removed, added, properties)
        return True

    def _write_own(self, table: DeltaTable, rows: pd.DataFrame, properties: CommitProperties) -> None:
        """This authority's partition replaced by `rows`, as one commit: no other authority's file is touched."""
        from deltalake import write_deltalake

        write_deltalake(table, self._arrow(rows), mode="overwrite",
                        predicate=_partition_predicate([AUTHORITY], [(self._own(),)]),
                        commit_properties=properties, target_file_size=self.target_file_size)

    def _merge(self, table: DeltaTable, removed: pd.DataFrame, added: pd.DataFrame,
               properties: CommitProperties) -> None:
        """One MERGE: each removed row deleted where every column matches (nulls matching nulls), each added row
        inserted. Only the files holding removed rows are rewritten. A per-authority table's uploads come this way
        too (new rows appended, revised ones merged), so an upload writes its own changed rows, not its partition."""
        import pyarrow as pa

        source = pa.concat_tables([
            pa.table(self._arrow(rows)).append_column(_OP, pa.array([op] * len(rows), pa.string()))
            for rows, op in ((removed, "delete"), (added, "insert"))
        ])
        columns = [_quote(c) for c in self._stored_schema().names]
        matches = " AND ".join(f"(t.{c} IS NOT DISTINCT FROM s.{c})" for c in columns)
        if self.per_authority:  # only this authority's files are read, and only those holding a removed row rewritten
            matches = f"t.{_quote(AUTHORITY)} = {_literal(self._own())} AND {matches}"
        (table.merge(source, matches, source_alias="s", target_alias="t", commit_properties=properties)
         .when_matched_delete(predicate=f"s.{_OP} = 'delete'")
         .when_not_matched_insert(updates={c: f"s.{c}" for c in columns}, predicate=f"s.{_OP} = 'insert'")
         .execute())

    def restore(self, version: str, *, author: str | None = None, action: str = "restore",
                message: str | None = None, created_at: str | None = None) -> VersionInfo:
        """Make an old version current again as a new version (Delta's RESTORE: the old version's files re-added,
        no data rewritten; history is never rewritten). Works whatever state the current version's files are in,
        so a table can always be brought back to a version that is intact; a damaged log stops it (it is named).
        `created_at`, as for `commit`."""
        old = self.info(version)
        if self.per_authority and self.la is not None and not self._ours(old.la_code):  # not in its `versions()`
            raise StoreError(f"version {version} is another authority's, not {self.la}'s: restore one of its own "
                             f"(`history --la {self.la}` lists them)")
        target = delta_version(version)

        def step(table: DeltaTable | None) -> VersionInfo:
            assert table is not None
            read_version = table.version()
            snapshot = self._snapshot(version)
            findings = self._file_findings(snapshot, footers=False)
            if findings:
                raise self.damaged(*findings[0])
            alone = self.per_authority and self._only_this_authority(table) and self._only_this_authority(snapshot)
            rows = self._frame(snapshot) if self.per_authority and self.la is not None and not alone else None
            record = self._record(action, old.rows if rows is None else len(rows), {}, author=author,
                                  restored_from=version, message=message or f"restored version {version}",
                                  created_at=created_at)
            properties = self._properties(record)
            if rows is not None:
                # Only this authority's rows go back: a RESTORE would take every other authority's with them.
                self._write_own(table, rows, properties)
            elif target == read_version:
                # RESTORE refuses the current version; an empty commit makes the same table a new version.
                table.create_write_transaction([], mode="append", schema=table.schema(),
                                               partition_by=table.metadata().partition_columns or None,
                                               commit_properties=properties)
            else:
                table.restore(target, commit_properties=properties)
            return self._landed(read_version, record)

        info = self._retrying(action, step)
        assert info is not None
        return info

    def move_rows(self, which: Callable[[pd.DataFrame], pd.Series], to: str, *, action: str,
                  message: str) -> VersionInfo | None:
        """This authority's rows that `which` picks, moved into authority `to`'s partition as one commit (both
        partitions rewritten together, so no version holds them twice or nowhere); None when none are picked. A
        move is every authority's affair (it records no one authority), so it is in both authorities' histories."""
        import pandas as pd
        from deltalake import write_deltalake

        target = self.authority(to)

        def step(table: DeltaTable | None) -> VersionInfo | None:
            if table is None:
                return None
            read_version = table.version()
            mine = self._frame(table)
            picked = which(mine).to_numpy(dtype=bool)
            if not picked.any():
                return None
            theirs = target._frame(table)
            kept = self.spec.normalise(mine[~picked])
            moved = self.spec.normalise(pd.concat([theirs, mine[picked]], ignore_index=True))
            record = self._record(action, len(kept) + len(moved), {"revised": int(picked.sum())}, message=message)
            record.pop("la_code", None)
            import pyarrow as pa

            rows = pa.concat_tables([pa.table(self._arrow(kept)), pa.table(target._arrow(moved))])
            write_deltalake(table, rows, mode="overwrite",
                            predicate=_partition_predicate([AUTHORITY], [(self._own(),), (to,)]),
                            commit_properties=self._properties(record), target_file_size=self.target_file_size)
            return self._landed(read_version, record)

        return self._retrying(action, step)

    def _only_this_authority(self, table: Snapshot) -> bool:
        """Whether every file of `table`'s version is this authority's: then a RESTORE touches no one else's rows."""
        import pyarrow as pa

        actions = pa.table(table.get_add_actions(flatten=True))
        column = f"partition.{AUTHORITY}"
        if column not in actions.column_names:
            return bool(actions.num_rows == 0)
        return set(actions.column(column).to_pylist()) <= {self.la}

    def replace_with(self, table: pd.DataFrame, *, action: str, author: str | None = None,
                     file_name: str | None = None, message: str | None = None,
                     created_at: str | None = None) -> VersionInfo:
        """A whole new table as a new version: how `repair` reloads a bundled release when no version is intact.
        `created_at`, as for `commit`."""
        from deltalake import write_deltalake

        new = self.spec.normalise(table)

        def step(current: DeltaTable | None) -> VersionInfo:
            read_version = -1 if current is None else current.version()
            record = self._record(action, len(new), {"new": len(new)}, author=author, file_name=file_name,
                                  message=message, created_at=created_at)
            if current is None:
                self._create(new, record)
            elif self.per_authority:
                self._write_own(current, new, self._properties(record))
            else:
                write_deltalake(current, self._arrow(new), mode="overwrite", commit_properties=self._properties(record),
                                target_file_size=self.target_file_size)
            return self._landed(read_version, record)

        info = self._retrying(action, step)
        assert info is not None
        return info


def _types_mapper() -> Callable[[pa.DataType], Any]:
    import pandas as pd
    import pyarrow as pa

    mapper = {pa.string(): pd.StringDtype(), pa.float64(): pd.Float64Dtype(), pa.int64(): pd.Int64Dtype(),
              pa.int16(): pd.Int16Dtype(), pa.bool_(): pd.BooleanDtype()}
    return mapper.get


def _row_diff(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Rows of `old` not in `new` and of `new` not in `old`, by a hash of every column (nulls equal); `exact` is
    False when either holds a row twice, where a set difference would miscount."""
    import pandas as pd

    old_hash = pd.util.hash_pandas_object(old, index=False)
    new_hash = pd.util.hash_pandas_object(new, index=False)
    exact = not (old_hash.duplicated().any() or new_hash.duplicated().any())
    removed = old[~old_hash.isin(new_hash).to_numpy()]
    added = new[~new_hash.isin(old_hash).to_numpy()]
    return removed, added, exact


def _partition_values(removed: pd.DataFrame, added: pd.DataFrame, keys: list[str]) -> list[tuple[Any, ...]]:
    import pandas as pd

    both = pd.concat([removed[keys], added[keys]], ignore_index=True).astype(object)
    both = both.where(both.notna(), None)
    return sorted(set(both.itertuples(index=False, name=None)), key=repr)


def _in_partitions(frame: pd.DataFrame, keys: list[str], values: list[tuple[Any, ...]]) -> Any:
    import pandas as pd

    wanted = pd.MultiIndex.from_tuples(values, names=keys)
    cells = frame[keys].astype(object)
    return pd.MultiIndex.from_frame(cells.where(cells.notna(), None)).isin(wanted)


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise StoreError(f"a partition value must be text, a whole number or true/false, not {value!r}")


def _partition_predicate(keys: list[str], values: list[tuple[Any, ...]]) -> str:
    """SQL naming exactly the partitions in `values`, for an overwrite that replaces only those."""

    def one(key: str, value: Any) -> str:
        return f"{_quote(key)} IS NULL" if value is None else f"{_quote(key)} = {_literal(value)}"

    return " OR ".join("(" + " AND ".join(one(k, v) for k, v in zip(keys, row)) + ")" for row in values)
