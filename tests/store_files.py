"""The files of a store a test copies or damages: a private copy of a store folder, a table's newest log entry, and
the data file its newest version added."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
from deltalake import DeltaTable


def newest_log(root: Path, table: str) -> Path:
    return sorted((root / "delta" / table / "_delta_log").glob("*.json"))[-1]


def newest_file(root: Path, table: str) -> Path:
    """The data file the table's current version added last: what only that version (and later ones) read."""
    uri = root / "delta" / table
    actions = pa.table(DeltaTable(str(uri)).get_add_actions(flatten=True)).to_pydict()
    newest = max(zip(actions["modification_time"], actions["path"]))[1]
    return uri / unquote(str(newest))


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a store folder (its write lock aside, which is the copier's own): what a test writes to."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock"))
    return target
