"""Repairing a damaged store without rewriting history: for each table whose current version is damaged, the
newest intact version is made current again as a new, logged version; the damaged files stay where they are, for
whoever wants to look at them. With no intact version of DfE's figures or neighbour groups, the release bundled with
the explorer is loaded again.

On the Delta store a version is intact when every data file it reads is there, of the size the log records, and
readable; the repair is Delta's RESTORE of it, which re-adds that version's files and writes no data. A damaged
log (a missing or unreadable commit, or a folder of data files with no log) cannot be mended from inside the store:
the table is named, and its folder must come back from a backup. A damaged checkpoint is not damage to history: when
the commit entries it summarises are whole it is set aside and written again from them (no new version). A table still in the parquet layout is repaired as that layout always was, so that it
can then be migrated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sendlib.store.delta import LOG_DIR, DeltaStore, TableDamaged
from sendlib.store.integrity import Status, check_version, delta_tables, parquet_tables
from sendlib.store.versioned import ParquetStore, StoreDamaged, StoreError, VersionInfo


@dataclass(frozen=True)
class Repair:
    table: str
    info: VersionInfo
    # False when the repair made no version (a checkpoint rebuilt): `info` is then the current version, its
    # message what was done.
    new_version: bool = True


def newest_intact(table: DeltaStore) -> VersionInfo | None:
    for info in table.versions():
        try:
            if not table.file_problems(info.id):
                return info
        except StoreError:
            continue
    return None


def _reload_bundled(store: DeltaStore, name: str, author: str | None, reason: str) -> VersionInfo | None:
    """DfE's figures and neighbour groups ship with the explorer: with no intact version, load them again."""
    from sendlib.workflows.dfe_releases import bundled_tables

    rows = bundled_tables().get(name)
    if rows is None:
        return None
    spec, frame, file_name = rows
    return store.side(spec).authority(None).replace_with(
        frame, action="repair", author=author, file_name=file_name,
        message=f"repaired: {reason}; no version was intact, so the release bundled with the explorer was loaded again")


def _history_damage(table: DeltaStore, where: str, what: str) -> StoreError:
    return StoreError(f"{where} {what}: the {table.name} table's history cannot be read, so it cannot be repaired "
                      f"from inside the store; put {table.uri} back from a backup (its data files are still there)")


def _rebuilt_checkpoint(table: DeltaStore) -> Repair | None:
    """The checkpoint written again when it is what is damaged and the commit entries are whole."""
    damage = table.damaged_files()
    if not damage or "checkpoint" not in damage[0][1] or "repair" not in damage[0][1]:
        return None
    done = table.rebuild_checkpoint()
    head = table.versions()[0]
    return Repair(table.name, head.model_copy(update={"message": done}), new_version=False)


def _repair_delta(store: DeltaStore, table: DeltaStore, author: str | None) -> VersionInfo | None:
    log = [(where, what) for where, what in table.damaged_files()
           if f"/{LOG_DIR}" in where.replace("\\", "/") or where == table.uri]
    if log:
        raise _history_damage(table, *log[0])
    try:
        problems = table.file_problems()
    except TableDamaged as exc:
        raise _history_damage(table, exc.where, exc.what) from None
    if not problems:
        return None
    where, what = problems[0]
    reason = f"current version: {where.rsplit('/', 1)[-1]} {what}"
    good = newest_intact(table)
    if good is not None:
        return table.restore(good.id, author=author, action="repair",
                             message=f"repaired: {reason}; made version {good.id} current again")
    info = _reload_bundled(store, table.name, author, reason)
    if info is None:
        raise StoreError(f"{table.uri}: {reason}, and no version of the {table.name} table is intact; restore the "
                         "store folder from a backup")
    return info


def repair_store(store: DeltaStore, *, author: str | None = None) -> list[Repair]:
    """For each table whose current version is damaged, make its newest intact version current as a new version
    (history is never rewritten). Raises StoreError when a damaged table has no intact version at all, or its
    history itself is damaged."""
    repaired = []
    migrated = set()
    for table in delta_tables(store):
        migrated.add(table.name)
        if (rebuilt := _rebuilt_checkpoint(table)) is not None:
            repaired.append(rebuilt)
        if (info := _repair_delta(store, table, author)) is not None:
            repaired.append(Repair(table.name, info))
    if store.location.is_local:
        repaired += _repair_parquet(store.root, migrated, author)
    return repaired


# --- a store still in the parquet layout ----------------------------------------------------------------------


def _parquet_intact(table: ParquetStore) -> VersionInfo | None:
    for version in reversed(table.version_ids()):
        if not any(f.status is Status.DAMAGED for f in check_version(table, version)) \
                and (table.versions_dir / f"{version}.json").exists():
            return table.info(version)
    return None


def _parquet_needs_repair(table: ParquetStore) -> str | None:
    """Why the current version of `table` cannot be used, or None when it can."""
    try:
        head = table.head()
    except StoreDamaged as exc:
        return f"{exc.path.name} {exc.what}"
    if head is None:
        return None
    damage = [f for f in check_version(table, head) if f.status is Status.DAMAGED]
    return f"current version {head}: {Path(damage[0].path).name} {damage[0].what}" if damage else None


def _set_aside(store: ParquetStore, path: Path, name: str) -> None:
    """Keep a damaged file under a dated name (`{stamp}` in `name`), never deleted: whoever looks later finds it."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    with store.writing():
        path.rename(path.with_name(name.format(stamp=stamp)))


def _repair_parquet(root: Path, migrated: set[str], author: str | None) -> list[Repair]:
    repaired = []
    for table in parquet_tables(root):
        if table.name in migrated or (reason := _parquet_needs_repair(table)) is None:
            continue
        if table.head_file.exists() and not table.head_file.is_file():  # a folder in its place cannot be replaced
            _set_aside(table, table.head_file, "HEAD.damaged-{stamp}")
        good = _parquet_intact(table)
        if good is None:
            raise StoreError(f"{table.root}: {reason}, and no version of the {table.name} table is intact; "
                             "restore the store folder from a backup")
        info = table.restore(good.id, author=author, action="repair",
                             message=f"repaired: {reason}; made version {good.id} current again")
        repaired.append(Repair(table.name, info))
    return repaired
