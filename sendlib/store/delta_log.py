"""What a Delta table's `_delta_log/` folder must hold for its figures to be true, read from the folder itself.

Delta's readers pass silently over much damage: an emptied commit entry reads as a commit that added nothing (a
figure vanishes and every command exits 0), an entry of `{}` surfaces as an "unexpected" protocol error naming no
file, and a log folder that is gone makes the data files beside it look like a table never written. So before
delta-rs reads a table, the folder's listing and each commit entry are checked here, and the first thing wrong is
named by its file:

- a commit entry that is empty, not JSON lines of Delta actions, or not a file;
- a gap in the commits, except below a whole checkpoint: log clean-up (as Databricks and Fabric do) removes the
  oldest entries once a checkpoint holds the table's state, which is a normal state, not damage;
- the newest checkpoint, when it does not read: delta-rs would read nothing else, so with every commit entry whole
  it is recorded (`LogState.damaged_checkpoint`) and the table read from the entries; with entries cleaned up
  below it, nothing holds the table's state any more and it is named as damage only a backup mends;
- data files in the table's folder with no log at all.

Each entry is read once a process (entries are never rewritten; a changed size or time is read again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

LOG_DIR = "_delta_log"
COMMIT_FILE = re.compile(r"^(\d{20})\.json$")
CHECKPOINT_FILE = re.compile(r"^(\d{20})\.checkpoint(?:\.\d+\.\d+)?\.parquet$")
LAST_CHECKPOINT = "_last_checkpoint"
ACTIONS = frozenset({"add", "remove", "metaData", "protocol", "commitInfo", "txn", "cdc", "domainMetadata",
                     "checkpointMetadata", "sidecar"})
DAMAGED_CHECKPOINT = ("is a damaged checkpoint (the commit entries it summarises are whole: the table is read from "
                      "them, and `python -m sendlib repair` rebuilds it)")
_WHOLE: set[tuple[str, int | None, Any]] = set()


class LogProblem(Exception):
    """The first thing wrong with a log: the file (relative to the table) and what is wrong with it."""

    def __init__(self, relative: str, what: str):
        super().__init__(f"{relative} {what}")
        self.relative = relative
        self.what = what


@dataclass(frozen=True)
class Entry:
    """One file of the log folder as listed: name, size, modification time, and whether it is a file at all."""

    name: str
    size: int | None
    mtime: Any
    is_file: bool


@dataclass
class LogState:
    commits: list[int]
    checkpoints: list[int]
    # The oldest version whose commit entry is still in the log: above 0 after a clean-up below a checkpoint.
    oldest: int = 0
    entries: dict[str, Entry] = field(default_factory=dict)
    # The newest checkpoint as (file, what) when it does not read though every commit entry is whole: the table is
    # read from those entries (`delta_replay`) and nothing is written until `repair` rebuilds it.
    damaged_checkpoint: tuple[str, str] | None = None

    @property
    def newest(self) -> int:
        return max(self.commits + self.checkpoints)


def commit_name(version: int) -> str:
    return f"{version:020d}.json"


def actions_of(text: str) -> list[dict[str, Any]]:
    """A commit entry's actions; ValueError when it is empty or anything but JSON lines of Delta actions."""
    actions = []
    for line in text.splitlines():
        if not line.strip():
            continue
        action = json.loads(line)
        if not isinstance(action, dict) or len(action) != 1 or not isinstance(next(iter(action.values())), dict):
            raise ValueError("a line that is not one Delta action")
        actions.append(action)
    if not actions or not any(next(iter(a)) in ACTIONS for a in actions):
        raise ValueError("no Delta action")
    for action in actions:
        stats = (action.get("add") or {}).get("stats")
        if isinstance(stats, str):
            json.loads(stats)
    return actions


def state_of(entries: Sequence[Entry], read: Callable[[str], bytes], check_checkpoint: Callable[[str], None],
             key: str) -> LogState:
    """The log's commits and checkpoints, or LogProblem naming the first file that stops it being read whole.
    `read` returns a log file's bytes, `check_checkpoint` raises when a checkpoint's parquet does not read; `key`
    (the table's address) keys the once-a-process memory of entries already found whole."""
    by_name = {e.name: e for e in entries}
    for entry in entries:
        if COMMIT_FILE.match(entry.name) and not entry.is_file:
            raise LogProblem(f"{LOG_DIR}/{entry.name}", "is not a file (a commit of the history cannot be read)")
    commits = sorted(int(m[1]) for e in entries if (m := COMMIT_FILE.match(e.name)))
    checkpoints = sorted({int(m[1]) for e in entries if (m := CHECKPOINT_FILE.match(e.name)) and e.is_file})
    if not commits and not checkpoints:
        raise LogProblem(LOG_DIR, "holds no commit, though it is not empty")
    state = LogState(commits, checkpoints, entries=by_name)
    _check_sequence(state)
    for version in commits:
        entry = by_name[commit_name(version)]
        memo = (f"{key}/{entry.name}", entry.size, entry.mtime)
        if memo in _WHOLE:
            continue
        try:
            actions_of(read(entry.name).decode("utf-8"))
        except (OSError, ValueError) as exc:
            what = "is empty (0 bytes)" if entry.size == 0 else f"is not a readable commit ({_reason(exc)})"
            raise LogProblem(f"{LOG_DIR}/{entry.name}", what) from None
        _WHOLE.add(memo)
    if checkpoints:
        _check_newest_checkpoint(state, check_checkpoint, key)
    return state


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not text"
    if isinstance(exc, json.JSONDecodeError):
        return "not JSON"
    return str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_sequence(state: LogState) -> None:
    """Every version from the oldest to the newest has its entry; entries missing at the start are a clean-up when
    a checkpoint holds the state they made."""
    present = set(state.commits)
    cleaned = min(state.commits) if state.commits else state.newest + 1
    gaps = [v for v in range(cleaned, state.newest + 1) if v not in present]
    if cleaned and not any(c >= cleaned - 1 for c in state.checkpoints):
        gaps.insert(0, 0)
    if gaps:
        raise LogProblem(f"{LOG_DIR}/{commit_name(gaps[0])}", "is missing (the history has a gap there)")
    state.oldest = cleaned


def _check_newest_checkpoint(state: LogState, check: Callable[[str], None], key: str) -> None:
    """The newest checkpoint is what delta-rs reads the table from: a damaged one stops every delta-rs read, so it
    is recorded for a replay of the entries when they are all there, else named as damage."""
    version = state.checkpoints[-1]
    parts = sorted(name for name, e in state.entries.items()
                   if (m := CHECKPOINT_FILE.match(name)) and int(m[1]) == version)
    for name in parts:
        entry = state.entries[name]
        memo = (f"{key}/{name}", entry.size, entry.mtime)
        if memo in _WHOLE:
            continue
        try:
            check(name)
        except Exception:  # pyarrow raises ArrowInvalid, OSError or others for a damaged file
            if state.oldest == 0:
                state.damaged_checkpoint = (f"{LOG_DIR}/{name}", DAMAGED_CHECKPOINT)
                return
            raise LogProblem(f"{LOG_DIR}/{name}", "is a damaged checkpoint, and the commit entries before it were "
                                                  "cleaned up, so nothing else holds the table's state") from None
        _WHOLE.add(memo)
