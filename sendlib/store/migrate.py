"""Moving a parquet store (`versioned.ParquetStore`) onto the Delta store (`delta.DeltaStore`), its history kept.

`migrate(root)` replays, for the values table and every side table found, the chain from HEAD oldest first as Delta
commits: version N of the old store becomes Delta version N - 1, that is version id N of the Delta store, with the
same record (created_at, action, author, file name, sha256, counts, message, restored_from) and the same rows. How
each promise is kept:

- *Ids kept.* An id the old store used outside history (a write that stopped before HEAD moved) still takes a Delta
  version, so every later id stays the same: a version recorded as `skipped`, with the rows of the version before
  it (an empty table before the first), named in `what`. Nothing else is ever added.
- *Restores stay restores.* An old restore of a version in history is replayed as Delta's RESTORE of that version
  (no data rewritten); every other version as a commit of its table, so only the rows that differ are written (a
  version `replace_with` wrote that equals the one before, such as a repair's empty table, as `replace_with` again).
  A version none of these can write with its record — a restore of a version never in history — refuses the table.
- *Damage refuses, nothing half-written.* Each old version is checked (its record, its parquet against the sha256
  recorded when it was written, its rows) before anything is written; a damaged one is named and that table is
  refused, the other tables migrate. A table is first migrated into a temporary Delta table under
  `<root>/.migrate/`, read back version by version against the old one, and only then moved into place
  (`<root>/delta/<name>/`) by one rename, so a Delta table is either absent or holds the whole history; a killed
  migration leaves only the temporary folder, which the next run removes. Old versions written after a migration
  (the app still writes the parquet store until it is switched over) are replayed onto the Delta table itself,
  checked first the same way: each commit is atomic, so an interrupted catch-up leaves a Delta table whose history
  is a start of the old one, and the next run carries on from there (resumable, not all-or-nothing).
- *Idempotent.* A Delta table whose history starts with the old chain (ids and records; it may go on with versions
  written on Delta since) is already migrated and nothing is written; one that differs from it is refused, never
  written over.
- *The old files stay* until `migrate(root, finish=True)`, which first checks every table (ids, records, and the
  rows of every version) and, only when all agree, removes each table's `versions/`, `HEAD` and `.lock` (and a side
  table's folder once empty). It never touches `delta/`, `extra_kpis.json` (whose KPIs
  `workflows.stores.open_store` carries into the authority's own measures) or `cases.key`.

Each table is migrated holding its old lock, so no parquet writer adds a version meanwhile and two migrations never
race. The old store is a folder on local disk, and so is the Delta store it becomes, beside it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import Timeout

from sendlib.domain.table_spec import TableSpec
from sendlib.store.delta import TABLES_DIR, DeltaStore
from sendlib.store.integrity import Status, check_version, parquet_tables
from sendlib.store.versioned import LOCK_TIMEOUT_S, ParquetStore, StoreError, VersionInfo

if TYPE_CHECKING:
    import pandas as pd

WORK_DIR = ".migrate"
SKIPPED = "skipped"
COUNTS = ("new", "revised", "unchanged")
# The record fields a migrated version keeps. `parent` is implied by the id on Delta, and Delta records each data
# file's size rather than the old parquet's sha256.
FIELDS = ("id", "created_at", "action", "author", "file_name", "sha256", "rows", *COUNTS, "restored_from", "message")


@dataclass(frozen=True)
class MigratedTable:
    """One table's outcome, as `python -m sendlib migrate` prints it: table, versions, what."""

    table: str
    versions: int | None  # the versions the table's history holds (its newest id); None when it cannot be read
    what: str
    refused: bool = False

    def line(self) -> str:
        return "\t".join([self.table, "-" if self.versions is None else str(self.versions), self.what])


class _Refused(Exception):
    """This table is not migrated (or not finished): the reason, in words. `partial` when a catch-up had written
    some versions before it stopped."""

    def __init__(self, why: str, *, partial: bool = False):
        super().__init__(why)
        self.partial = partial


@dataclass(frozen=True)
class _Step:
    """One Delta version to write: the record it must carry, and where its rows come from."""

    record: dict[str, Any]
    source: str | None  # the old version whose rows it holds; None for an empty table
    restore_of: str | None = None  # replayed as a Delta RESTORE of this (already written) version
    gap: bool = False  # an id the old store used outside history

    @property
    def id(self) -> str:
        return str(self.record["id"])


def table_specs() -> dict[str, TableSpec]:
    """Every table the store knows, by name: the values and each side table."""
    from sendlib.domain.cases import CASES
    from sendlib.domain.commentary import COMMENTARY
    from sendlib.domain.dfe import DFE_TABLE, NEIGHBOUR_TABLE
    from sendlib.domain.own_measures import OWN_MEASURES
    from sendlib.domain.scenarios import SCENARIOS
    from sendlib.domain.schema import VALUES
    from sendlib.domain.sharing import SHARING

    specs = (VALUES, COMMENTARY, DFE_TABLE, NEIGHBOUR_TABLE, CASES, OWN_MEASURES, SHARING, SCENARIOS)
    return {spec.name: spec for spec in specs}


# --- what the old history becomes ------------------------------------------------------------------------------


def _record(info: VersionInfo) -> dict[str, Any]:
    return {field: getattr(info, field) for field in FIELDS}


def _gap(number: int, base: VersionInfo | None, first: VersionInfo) -> _Step:
    """An id used outside history: a version repeating the one before it, so the ids after it stay the same."""
    version = f"{number:06d}"
    previous = f"{number - 1:06d}" if number > 1 else None
    what = f"a copy of version {base.id}" if base else "an empty table"
    record = {field: None for field in FIELDS} | {
        "id": version, "created_at": (base or first).created_at, "action": SKIPPED, "rows": base.rows if base else 0,
        **dict.fromkeys(COUNTS, 0), "restored_from": previous,
        "message": f"version {version} was never part of history (a write that stopped before HEAD moved); "
                   f"kept as {what} so that the versions after it keep their ids",
    }
    return _Step(record, base.id if base else None, restore_of=previous, gap=True)


def _replayed_as_restore(info: VersionInfo, in_history: set[str]) -> bool:
    """An old restore of a version in history, carrying only what a Delta RESTORE records."""
    return bool(info.restored_from in in_history and info.restored_from is not None
                and int(info.restored_from) < int(info.id) and info.message is not None
                and not info.file_name and not info.sha256 and not any(getattr(info, c) for c in COUNTS))


def _plan(old: ParquetStore) -> list[_Step]:
    """The Delta versions the old table's history becomes, oldest first: one per id up to HEAD's."""
    try:
        chain = list(reversed(old.versions()))
    except StoreError as exc:
        raise _Refused(_damage(exc)) from None
    if not chain:
        return []
    ids = [int(v.id) for v in chain]
    if ids != sorted(set(ids)):
        raise _Refused(f"its history does not run oldest to newest ({', '.join(v.id for v in chain)})")
    by_number = {int(v.id): v for v in chain}
    in_history = {v.id for v in chain}
    steps: list[_Step] = []
    base: VersionInfo | None = None
    for number in range(1, ids[-1] + 1):
        info = by_number.get(number)
        if info is None:
            steps.append(_gap(number, base, chain[0]))
            continue
        restore = info.restored_from if _replayed_as_restore(info, in_history) else None
        steps.append(_Step(_record(info), info.id, restore_of=restore))
        base = info
    return steps


def _damage(exc: StoreError) -> str:
    what = getattr(exc, "what", None)
    path = getattr(exc, "where", None) or getattr(exc, "path", None)
    return f"{path} {what}" if what and path else str(exc)


def _why(exc: BaseException, root: Path) -> str:
    """The reason in one line, with the store's files named relative to it (as `check` names them)."""
    why = _damage(exc) if isinstance(exc, StoreError) else str(exc)
    return why.replace(f"{root.absolute()}{os.sep}", "").replace(f"{root}{os.sep}", "")


def _check_old(old: ParquetStore, steps: list[_Step]) -> None:
    """Every old version these steps read is intact: its record, its sha256, its rows. Nothing is written."""
    for version in sorted({s.source for s in steps if s.source}):
        damaged = [f for f in check_version(old, version) if f.status is Status.DAMAGED]
        if damaged:
            raise _Refused(f"{damaged[0].path} {damaged[0].what} (put it back from a backup of the store folder, "
                           "then migrate again)")


# --- comparing the Delta table with the old one --------------------------------------------------------------


def _record_mismatch(want: dict[str, Any], got: VersionInfo) -> str | None:
    for field in FIELDS:
        if want[field] != getattr(got, field):
            return (f"version {want['id']}'s {field} is {getattr(got, field)!r} in the Delta table and "
                    f"{want[field]!r} in the old store")
    return None


def _matching(steps: list[_Step], delta: DeltaStore) -> int:
    """How many of the steps the Delta table already holds, record for record; refused where they differ."""
    held = list(reversed(delta.versions()))
    for step, got in zip(steps, held):
        if (mismatch := _record_mismatch(step.record, got)) is not None:
            raise _Refused(f"the Delta table differs from the old store: {mismatch}")
    return min(len(held), len(steps))


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same rows, in any order: the same columns and dtypes, and the same multiset of whole rows."""
    import numpy as np
    import pandas as pd

    if list(a.columns) != list(b.columns) or len(a) != len(b) or list(a.dtypes) != list(b.dtypes):
        return False
    left, right = (np.sort(pd.util.hash_pandas_object(f, index=False).to_numpy()) for f in (a, b))
    return bool(np.array_equal(left, right))


def _verify(steps: list[_Step], delta: DeltaStore, old: ParquetStore, *, rows_from: int = 0) -> None:
    """The Delta table holds every step's record, and from `rows_from` on every version's rows: else refused."""
    if _matching(steps, delta) < len(steps):
        raise _Refused(f"the Delta table holds {delta.head() or 'no version'} where the old store's history "
                       f"reaches {steps[-1].id}")
    cache: dict[str | None, pd.DataFrame] = {}
    for step in steps[rows_from:]:
        if step.source not in cache:
            cache = {step.source: old.spec.normalise(old.read(step.source)) if step.source else old.spec.empty()}
        if not _same_rows(delta.read(step.id), cache[step.source]):
            raise _Refused(f"version {step.id} does not read the same rows from the Delta table as from the old store")


# --- writing ---------------------------------------------------------------------------------------------------


def _replaced_whole(record: dict[str, Any]) -> bool:
    """A record of the shape `replace_with` writes (every row new, no file hash, not a restore)."""
    return bool(record["new"] == record["rows"] and not record["revised"] and not record["unchanged"]
                and record["sha256"] is None and record["restored_from"] is None)


def _replay(delta: DeltaStore, step: _Step, old: ParquetStore) -> None:
    """One step as one Delta commit carrying its record."""
    record = step.record
    if step.restore_of is not None:
        delta.restore(step.restore_of, author=record["author"], action=record["action"], message=record["message"],
                      created_at=record["created_at"])
        return
    table = old.read(step.source) if step.source else old.spec.empty()
    counts = {c: int(record[c]) for c in COUNTS}
    landed = delta.commit(lambda _current: (table, counts), action=record["action"], author=record["author"],
                          file_name=record["file_name"], sha256=record["sha256"], message=record["message"],
                          created_at=record["created_at"])
    if landed is None and _replaced_whole(record):  # as `replace_with` wrote it: the same table again, or empty
        delta.replace_with(table, action=record["action"], author=record["author"], file_name=record["file_name"],
                           message=record["message"], created_at=record["created_at"])
    elif landed is None:
        raise _Refused(f"version {step.id} ({record['action']}) records no new or revised values, or holds the same "
                       "rows as the version before it, so it cannot be replayed as a Delta commit with its record")


def _into_place(built: Path, target: Path) -> None:
    """The finished table moved into `<root>/delta/<name>/` by one rename: it appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise _Refused(f"{target} appeared while the table was being migrated")
    os.rename(built, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _clear_work(root: Path, name: str) -> None:
    """Temporary tables a killed migration left (only the holder of the table's lock makes them)."""
    work = root / WORK_DIR
    for leftover in work.glob(f"{name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _drop_work_dir(root: Path) -> None:
    try:
        (root / WORK_DIR).rmdir()
    except OSError:  # not there, or another table's migration is using it
        pass


def _gaps_note(steps: list[_Step]) -> str:
    gaps = [s.id for s in steps if s.gap]
    if not gaps:
        return ""
    return f" ({', '.join(gaps)} never in history: each kept as a copy of the version before it, so ids stay)"


def _migrate_new(root: Path, old: ParquetStore, steps: list[_Step], la: str) -> str:
    """The whole history into a temporary Delta table, read back, then moved into place."""
    work = root / WORK_DIR / f"{old.spec.name}-{uuid.uuid4().hex}"
    try:
        temp = DeltaStore(str(work), old.spec, la)
        for step in steps:
            _replay(temp, step, old)
        _verify(steps, temp, old)
        _into_place(Path(temp.uri), Path(DeltaStore(root, old.spec, la).uri))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _drop_work_dir(root)
    return "migrated" + _gaps_note(steps)


def _catch_up(delta: DeltaStore, old: ParquetStore, steps: list[_Step], held: int) -> str:
    """Old versions written since the migration, replayed onto the Delta table (each commit atomic, so a stop
    leaves a start of the old history, carried on by the next run)."""
    _check_old(old, steps[held:])
    try:
        for step in steps[held:]:
            _replay(delta, step, old)
        _verify(steps, delta, old, rows_from=held)
    except (_Refused, StoreError, ValueError, OSError) as exc:
        done = delta.head()
        if done is None or int(done) <= held:
            raise
        why = _damage(exc) if isinstance(exc, StoreError) else str(exc)
        raise _Refused(f"{why} (versions {held + 1:06d} to {done} were written to the Delta table before this was "
                       "found)", partial=True) from None
    added = len(steps) - held
    return f"migrated {added} newer version{'s' if added != 1 else ''}" + _gaps_note(steps[held:])


@contextmanager
def _locked(old: ParquetStore) -> Iterator[None]:
    """The old table's write lock, so no parquet writer adds a version meanwhile and migrations never race."""
    try:
        old.lock.acquire()
    except Timeout:
        raise StoreError(f"{old.root} is locked by another writer for over {LOCK_TIMEOUT_S} s; nothing was "
                         "changed. Try again once it has finished.") from None
    except OSError as exc:
        raise StoreError(f"cannot lock {old.root}: {exc.strerror or exc}; nothing was changed") from None
    try:
        yield
    finally:
        old.lock.release()


# --- each table ------------------------------------------------------------------------------------------------


def _old_table(root: Path, name: str, spec: TableSpec) -> ParquetStore:
    return ParquetStore(root, spec) if name == "values" else ParquetStore(root, None).side(spec)


def _names(root: Path) -> list[str]:
    """Every table of the store, old or migrated: the values first, then the side tables by name."""
    old = [t.name for t in parquet_tables(root) if t.exists()]
    delta_dir = root / TABLES_DIR
    migrated = [p.name for p in delta_dir.iterdir() if p.is_dir() and not p.name.startswith(".")] \
        if delta_dir.is_dir() else []
    names = set(old) | (set(migrated) & set(table_specs()))
    return sorted(names, key=lambda n: (n != "values", n))


def _migrate_table(root: Path, name: str, la: str) -> MigratedTable:
    spec = table_specs().get(name)
    if spec is None:
        return MigratedTable(name, None, f"refused: no table called {name!r} is known (tables/{name}/); nothing "
                                         "was written", refused=True)
    old, delta = _old_table(root, name, spec), DeltaStore(root, spec, la)
    steps: list[_Step] = []
    try:
        if not old.exists():
            return MigratedTable(name, len(delta.versions()), "already migrated (the old files were removed)")
        with _locked(old):
            _clear_work(root, name)
            steps = _plan(old)
            if not delta.exists():
                _check_old(old, steps)
                return MigratedTable(name, len(steps), _migrate_new(root, old, steps, la))
            held = _matching(steps, delta)
            if held == len(steps):
                return MigratedTable(name, len(steps), "already migrated")
            return MigratedTable(name, len(steps), _catch_up(delta, old, steps, held))
    except (_Refused, StoreError, ValueError, OSError) as exc:
        why = _why(exc, root)
        written = "" if isinstance(exc, _Refused) and exc.partial else "; nothing was written for this table"
        return MigratedTable(name, len(steps) if steps else None, f"refused: {why}{written}", refused=True)


# --- finishing -------------------------------------------------------------------------------------------------


def _finish_check(root: Path, name: str, la: str) -> MigratedTable | ParquetStore:
    """The old table, when its Delta table holds its whole history (ids, records, rows); else why not."""
    spec = table_specs().get(name)
    if spec is None:
        return MigratedTable(name, None, f"refused: no table called {name!r} is known (tables/{name}/)", refused=True)
    old, delta = _old_table(root, name, spec), DeltaStore(root, spec, la)
    steps: list[_Step] = []
    try:
        if not old.exists():
            return MigratedTable(name, len(delta.versions()), "nothing to remove (the old files were removed before)")
        steps = _plan(old)
        if not delta.exists():
            raise _Refused(f"not migrated yet: run `python -m sendlib migrate --store {root}` first")
        _verify(steps, delta, old)
    except (_Refused, StoreError, ValueError, OSError) as exc:
        why = _why(exc, root)
        return MigratedTable(name, len(steps) if steps else None, f"refused: {why}; nothing was removed", refused=True)
    return old


def _remove_old(root: Path, old: ParquetStore) -> str:
    """The old table's own files: `versions/`, `HEAD`, `.lock`, and a side table's folder once empty."""
    def shown(path: Path) -> str:
        return path.relative_to(root).as_posix()

    removed = []
    if old.versions_dir.is_dir():
        files = sum(1 for p in old.versions_dir.rglob("*") if not p.is_dir())
        shutil.rmtree(old.versions_dir)
        removed.append(f"{shown(old.versions_dir)}/ ({files} file{'s' if files != 1 else ''})")
    for path in (old.head_file, old.root / ".lock"):
        if path.exists():
            path.unlink()
            removed.append(shown(path))
    for folder in (old.root, old.root.parent) if old.root != root else ():
        try:
            folder.rmdir()
        except OSError:  # not empty (another table, a key, a file set aside): kept
            break
        removed.append(f"{shown(folder)}/")
    return "removed " + ", ".join(removed)


def _finish(root: Path, names: list[str], la: str) -> list[MigratedTable]:
    """Every table checked first, holding every old lock; the old files removed only when all agree."""
    with ExitStack() as locks:
        checked: list[tuple[str, MigratedTable | ParquetStore]] = []
        for name in names:
            spec = table_specs().get(name)
            old = _old_table(root, name, spec) if spec else None
            if old is not None and old.exists():
                locks.enter_context(_locked(old))
            checked.append((name, _finish_check(root, name, la)))
        if any(isinstance(c, MigratedTable) and c.refused for _, c in checked):
            return [c if isinstance(c, MigratedTable) else
                    MigratedTable(name, len(_plan(c)), "checked; nothing was removed, as another table was refused")
                    for name, c in checked]
        return [c if isinstance(c, MigratedTable) else MigratedTable(name, len(_plan(c)), _remove_old(root, c))
                for name, c in checked]


def migrate(root: str | os.PathLike[str], *, la: str, finish: bool = False) -> list[MigratedTable]:
    """Migrate every table of the parquet store at `root` to the Delta store beside it (see the module's
    docstring), or with `finish`, check every migrated table against its old one and remove the old files.
    A parquet store held one authority's data: its per-authority tables become `la`'s rows (an old code).
    One outcome a table, the values first; an empty list when `root` holds no store."""
    path = Path(root)
    if not path.is_dir():
        return []
    names = _names(path)
    if finish:
        return _finish(path, names, la)
    return [_migrate_table(path, name, la) for name in names]


def split_bundled_documents(store: DeltaStore) -> list[str]:
    """A store built when both bundled documents were filed under Bournemouth, Christchurch and Poole (839): the
    board report's figures and commentary moved to the council of the board report (`BOARD_AUTHORITY`), one commit
    per table, so no page shows the two councils' figures as one's. Idempotent (nothing to move, nothing written);
    returns what was moved, in words."""
    from sendlib.domain.authorities import BOARD_AUTHORITY, BUNDLED_DOCUMENTS
    from sendlib.domain.commentary import COMMENTARY
    from sendlib.domain.own_measures import BUNDLED_AUTHORITY

    board = BUNDLED_DOCUMENTS[BOARD_AUTHORITY]
    moved = []
    for spec in (store.spec, COMMENTARY):
        table = store.side(spec).authority(BUNDLED_AUTHORITY)
        # Looked for by a read first: a store with nothing to move (every store once moved) is never written to on
        # open, so a read-only command on a table that refuses writes (a damaged checkpoint) still reads.
        if not table.exists() or not (table.read()["scorecard"] == board).any():
            continue
        info = table.move_rows(lambda rows: rows["scorecard"] == board, BOARD_AUTHORITY, action="migrate",
                               message=f"the board report's {spec.name} moved from {BUNDLED_AUTHORITY} to "
                                       f"{BOARD_AUTHORITY}: the board report is another council's")
        if info is not None:
            moved.append(f"{spec.name}: {info.revised} rows to {BOARD_AUTHORITY} (version {info.id})")
    return moved
