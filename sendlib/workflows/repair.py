"""Repairing a damaged store without rewriting history: for each table whose current version is damaged, the
newest intact version is made current again as a new, logged version; the damaged files stay where they are, for
whoever wants to look at them. With no intact version of DfE's figures or neighbour groups, the release bundled with
the explorer is loaded again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sendlib.store.integrity import Status, check_version, tables
from sendlib.store.versioned import Store, StoreDamaged, StoreError, VersionInfo


def newest_intact(table: Store) -> VersionInfo | None:
    for version in reversed(table.version_ids()):
        if not any(f.status is Status.DAMAGED for f in check_version(table, version)) \
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
    damage = [f for f in check_version(table, head) if f.status is Status.DAMAGED]
    return f"current version {head}: {damage[0].path.name} {damage[0].what}" if damage else None


def _set_aside(store: Store, path: Path, name: str) -> None:
    """Keep a damaged file under a dated name (`{stamp}` in `name`), never deleted: whoever looks later finds it."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    with store.writing():
        path.rename(path.with_name(name.format(stamp=stamp)))


def _reload_bundled(root: Path, table: Store, author: str | None, reason: str) -> VersionInfo | None:
    """DfE's figures and neighbour groups ship with the explorer: with no intact version, load them again."""
    from sendlib.workflows.dfe_releases import bundled_tables

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
        if table.head_file.exists() and not table.head_file.is_file():  # a folder in its place cannot be replaced
            _set_aside(table, table.head_file, "HEAD.damaged-{stamp}")
        good = newest_intact(table)
        info: VersionInfo | None
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
        _set_aside(store, store.extras_file, "extra_kpis.damaged-{stamp}.json")
    return repaired
