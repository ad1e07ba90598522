"""`python -m sendlib catalogue propose | add | list`: an authority's own measures set up from its own file.

Part of the CLI contract (README): propose writes PROPOSAL.csv (one row a new measure, suggestions named in
`suggested`); add saves a checked proposal as one version of the authority's catalogue, or refuses it whole with
one line a problem (exit 1); list writes the catalogue. Bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sendlib.cli_store import authority_of, store_of
from sendlib.store.versioned import atomic_write


def _inputs(args: argparse.Namespace, file: str) -> tuple[Path, str] | None:
    """The command's input file and authority, or None after saying the file is not there (exit 2; an unknown
    authority is `authority_of`'s UsageError, exit 2 too)."""
    path = Path(file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return None
    return path, authority_of(args)


def cmd_propose(args: argparse.Namespace) -> int:
    from sendlib.domain.measure_setup import proposals_csv
    from sendlib.files.readers import FileRefused
    from sendlib.workflows.catalogues import propose, store_catalogue
    from sendlib.workflows.load import parse_bytes

    if (inputs := _inputs(args, args.file)) is None:
        return 2
    path, la = inputs
    catalogue = store_catalogue(store_of(args), la, with_common=True)
    try:
        parsed = parse_bytes(path.read_bytes(), path.name, catalogue, sheet=args.sheet)
    except FileRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    proposals = propose(parsed.unknown, catalogue)
    atomic_write(Path(args.output), proposals_csv(proposals))
    print(f"wrote {len(proposals)} proposed measure{'s' if len(proposals) != 1 else ''} to {args.output}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from sendlib.domain.measure_setup import read_proposals
    from sendlib.workflows.catalogues import add_measures, store_catalogue

    if (inputs := _inputs(args, args.proposal)) is None:
        return 2
    path, la = inputs
    store = store_of(args, writes=True)
    try:
        proposals, errors = read_proposals(path.read_bytes(), store_catalogue(store, la), file=path.name)
    except UnicodeDecodeError:
        print(f"refused: {path.name} is not UTF-8 text; nothing was saved", file=sys.stderr)
        return 1
    if errors:
        print(f"refused: {path.name} has {len(errors)} problem{'s' if len(errors) != 1 else ''}; nothing was saved",
              file=sys.stderr)
        for error in errors:
            print(f"refused: {error}", file=sys.stderr)
        return 1
    kpis, info = add_measures(store, proposals, la=la, author=args.author, file_name=path.name)
    for kpi in kpis:
        print(f"{kpi.id}\t{kpi.name}")
    print(f"catalogue version {info.id if info else '-'}: {len(kpis)} measures set up for authority {la}",
          file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from sendlib.presentation.extracts import to_bytes
    from sendlib.presentation.tables import catalogue_rows
    from sendlib.workflows.catalogues import store_catalogue

    rows = catalogue_rows(store_catalogue(store_of(args), authority_of(args), with_common=True))
    atomic_write(Path(args.output), to_bytes(rows, args.format))
    print(f"wrote {len(rows)} measures to {args.output}")
    return 0


def add_catalogue_parser(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                         with_store: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    cat = sub.add_parser("catalogue", help="an authority's own measures: propose them from a file, add, list")
    verbs = cat.add_subparsers(dest="catalogue_command", required=True)

    p = with_store(verbs.add_parser("propose", help="one row a measure FILE names that the catalogue does not know"))
    p.add_argument("file")
    p.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first with a header); all: every sheet with a table")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_propose)

    p = with_store(verbs.add_parser("add", help="save a checked PROPOSAL.csv as one version of the catalogue"))
    p.add_argument("proposal")
    p.add_argument("--author")
    p.set_defaults(func=cmd_add)

    p = with_store(verbs.add_parser("list", help="write the authority's catalogue"))
    p.add_argument("--format", choices=["csv"], required=True)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_list)
