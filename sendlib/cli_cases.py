"""`python -m sendlib cases load | measures | list | rekey`: case-level records in, statutory figures and case
lists out, and the records moved to a new key.

Part of the CLI contract (README): a refused return exits 1 with one line a problem; a case key that is not the
records' own exits 1 naming the fingerprint expected; bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sendlib.cli_store import UsageError, store_of
from sendlib.store.versioned import atomic_write

if TYPE_CHECKING:
    from sendlib.files.sen2 import Sen2Return
    from sendlib.store.versioned import VersionInfo

MAX_WARNING_LINES = 20


def _write_problems(path: Path, ret: Sen2Return) -> None:
    """The list for case officers, written before anything is loaded (a path that cannot be written stops the load
    with the store's one-line message, exit 1)."""
    from sendlib.presentation.sen2_problems import problem_counts, problems_csv

    atomic_write(path, problems_csv(ret))
    print(f"wrote the list of {problem_counts(ret)} to {path}")


def _refused(name: str, ret: Sen2Return, *, listed: bool) -> int:
    """A refused return: its counts, then one line an error (each with what to fix), exit 1."""
    from sendlib.files.sen2 import MAX_PROBLEMS
    from sendlib.presentation.sen2_problems import problem_counts

    print(f"refused: {name} has {problem_counts(ret)}; nothing was written", file=sys.stderr)
    for problem in ret.errors[:MAX_PROBLEMS]:
        print(f"refused: {problem}. {problem.fix}", file=sys.stderr)
    if ret.error_count > MAX_PROBLEMS:
        print(f"refused: … and {ret.error_count - MAX_PROBLEMS:,} more errors"
              + ("" if listed else " (--problems FILE lists them all)"), file=sys.stderr)
    return 1


def cmd_cases_load(args: argparse.Namespace) -> int:
    from sendlib.files.sen2 import MAX_SEN2_BYTES
    from sendlib.presentation.sen2_problems import problem_counts
    from sendlib.workflows.cases import commit_cases, preview_cases

    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return 2
    if path.stat().st_size > MAX_SEN2_BYTES:
        print(f"refused: {path.name} is {path.stat().st_size / 1_048_576:.1f} MB; the largest return accepted is "
              f"{MAX_SEN2_BYTES // 1_048_576} MB", file=sys.stderr)
        return 1
    store = store_of(args, writes=not args.dry_run)
    preview = preview_cases(store, path, path.name, make_key=not args.dry_run)
    problems = getattr(args, "problems", None)  # `load` of a SEN2 return comes here without the flag
    if problems:
        _write_problems(Path(problems), preview.ret)
    if not preview.ok:
        return _refused(path.name, preview.ret, listed=bool(problems))
    ret = preview.ret
    print(f"checked: {problem_counts(ret)}")
    for problem in preview.warnings[:MAX_WARNING_LINES]:
        print(f"query: {problem}")
    if ret.query_count > MAX_WARNING_LINES:
        print(f"query: … and {ret.query_count - MAX_WARNING_LINES:,} more"
              + ("" if problems else " (--problems FILE lists them all)"))
    counts = f"{preview.new} new, {preview.revised} revised, {preview.unchanged} unchanged"
    what = f"{ret.persons} persons, {ret.requests} requests, {preview.plans} plans"
    if args.dry_run:
        print(f"dry run (SEN2 {ret.layout} layout, census {ret.census}): {what}; {counts}; nothing written")
        return 0
    info = commit_cases(store, preview, author=args.author)
    if preview.key_made:
        print(f"note: no case key was configured, so one was generated at {store.root / 'cases.key'}; keep it with "
              "the store: every later load needs this same key (to configure it instead, set [cases] key to it)")
    print(_cases_outcome(counts, preview.new or preview.revised, info, path.name, what))
    return 0


def _cases_outcome(previewed: str, changes: int, info: VersionInfo | None, file_name: str, what: str) -> str:
    """What a load of a return did, in the counts of the change that landed: a commit another writer made retry
    compares again with the records as they then were, so the preview's counts (taken before) are stale."""
    if info is not None:
        return f"cases version {info.id}: {info.new} new, {info.revised} revised, {info.unchanged} unchanged ({what})"
    if changes:
        return f"no change: another load wrote every record in {file_name} first; no new version written"
    return f"no change ({previewed}); no new version written"


def _records(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from sendlib.workflows.cases import checked_cases

    return checked_cases(store_of(args))


def cmd_cases_measures(args: argparse.Namespace) -> int:
    from sendlib.presentation.extracts import to_bytes
    from sendlib.workflows.cases import computed_measures

    try:
        figures = computed_measures(_records(args), start=args.period_from, end=args.period_to)
    except ValueError:
        print(f"error: --from and --to take a month (2024-11), a year (2024) or a date (2025-01-16), not "
              f"{args.period_from!r} / {args.period_to!r}", file=sys.stderr)
        return 2
    atomic_write(Path(args.output), to_bytes(figures, args.format))
    print(f"wrote {len(figures)} rows to {args.output}")
    return 0


def cmd_cases_list(args: argparse.Namespace) -> int:
    from sendlib.presentation.cases import case_table
    from sendlib.presentation.extracts import to_bytes
    from sendlib.workflows.cases import case_list

    try:
        cases = case_list(_records(args), args.measure, args.period)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    atomic_write(Path(args.output), to_bytes(case_table(cases), args.format))
    print(f"wrote {len(cases)} cases to {args.output}")
    return 0


KEY_SOURCE_HELP = ("a key source: `env:VAR` (the key is in environment variable VAR) or the path of a file holding "
                   "the key (e.g. the store's cases.key); never the key itself, which would stay in the shell's "
                   "history and show in the process list")


def key_from(source: str, flag: str) -> bytes:
    """The key a `--from` / `--to` source names (see KEY_SOURCE_HELP); UsageError when it names none. Read as
    the app reads keys: an environment variable as it is, a file with surrounding white space dropped."""
    if source.startswith("env:"):
        value = os.environ.get(source[4:])
        if not value:
            raise UsageError(f"{flag} {source}: no environment variable {source[4:]!r} is set")
        return value.encode()
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"{flag} {source}: no such key file (give a file's path or env:VAR, never the key itself)")
    return path.read_bytes().strip()


def cmd_cases_rekey(args: argparse.Namespace) -> int:
    from sendlib.workflows.cases import rekey_cases

    old, new = key_from(args.key_from, "--from"), key_from(args.key_to, "--to")
    done = rekey_cases(store_of(args, writes=True), old, new, author=args.author)
    print(f"cases version {done.version.id}: {done.version.rows} requests re-keyed from key fingerprint {done.old} "
          f"to {done.new}")
    if done.key_file is not None:
        print(f"note: {done.key_file} now holds the new key")
    else:
        print("note: now configure the new key ([cases] key in .streamlit/secrets.toml, or $SENDLIB_CASES_KEY): "
              "until then every case command refuses, naming both fingerprints")
    return 0


def add_cases_parser(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                     with_store: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    cases = sub.add_parser("cases", help="SEN2 case-level records: load a return, compute measures, list cases, re-key")
    verbs = cases.add_subparsers(dest="cases_command", required=True)

    p = with_store(verbs.add_parser("load", help="validate a SEN2 person-level XML return and add its requests"))
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate and show what would change; write nothing")
    p.add_argument("--author")
    p.add_argument("--problems", metavar="FILE",
                   help="write every error and query found (code, severity, person, line, field, problem, what to "
                        "fix) to this CSV, for case officers; written whether the return loads or not")
    p.set_defaults(func=cmd_cases_load)

    p = with_store(verbs.add_parser("measures", help="every measure × period: measure, period, value, numerator, "
                                                     "denominator, note"))
    p.add_argument("--from", dest="period_from", help="first period, e.g. 2024-01")
    p.add_argument("--to", dest="period_to", help="last period, e.g. 2024-12")
    p.add_argument("--format", choices=["csv", "xlsx", "parquet"], required=True)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_cases_measures)

    p = with_store(verbs.add_parser("list", help="the cases behind one figure"))
    p.add_argument("--measure", required=True, help="a measure id, e.g. rate_ex")
    p.add_argument("--period", required=True, help="a month (2024-11), a year (2024) or the census date (2025-01-16)")
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_cases_list)

    p = with_store(verbs.add_parser("rekey", help="carry every case reference to a new key, as one new version "
                                                  "(restorable)"))
    p.add_argument("--from", dest="key_from", required=True, metavar="OLD", help="the key the records were made "
                                                                                  "with: " + KEY_SOURCE_HELP)
    p.add_argument("--to", dest="key_to", required=True, metavar="NEW", help="the new key (at least 32 bytes): "
                                                                              + KEY_SOURCE_HELP)
    p.add_argument("--author")
    p.set_defaults(func=cmd_cases_rekey)
