"""`python -m sendlib`: the commands other tools script against. Keep names and flags stable."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .catalogue import load_catalogue
from .extracts import ExtractQuery, extract, to_bytes
from .imports import init_store
from .paths import store_path
from .store import Store, StoreError, atomic_write


def _store(args: argparse.Namespace) -> Store:
    return Store(store_path(args.store))


def cmd_init(args: argparse.Namespace) -> int:
    store = _store(args)
    if store.exists():
        print(f"{store.root} already holds data (version {store.head()}); nothing changed")
        return 0
    infos = init_store(store)
    for info in infos:
        print(f"{info.id}  {info.file_name}  {info.rows} rows  ({info.new} new)")
    print(f"store ready at {store.root}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = _store(args)
    catalogue = load_catalogue()
    query = ExtractQuery(
        scorecard=args.scorecard,
        themes=args.theme or [],
        kpis=args.kpi or [],
        period_from=args.period_from,
        period_to=args.period_to,
        series=args.series or [],
    )
    unknown = [t for t in query.themes if t not in catalogue.themes]
    if unknown:
        print(f"unknown theme(s): {', '.join(unknown)}; known: {', '.join(catalogue.themes)}", file=sys.stderr)
        return 2
    df = extract(store.read(), catalogue, query)
    atomic_write(Path(args.output), to_bytes(df, args.format))
    print(f"wrote {len(df)} rows to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sendlib", description="SEND Performance Explorer data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_store(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--store", help="store directory (default: $SENDLIB_STORE, else data/store)")
        return p

    p = with_store(sub.add_parser("init", help="create a store from the bundled documents"))
    p.set_defaults(func=cmd_init)

    p = with_store(sub.add_parser("export", help="write the store's rows (optionally filtered) to a file"))
    p.add_argument("--scorecard", choices=["scorecard", "board"])
    p.add_argument("--theme", action="append", help="theme id, e.g. statutory-duty (repeatable)")
    p.add_argument("--kpi", action="append", help="KPI id (repeatable)")
    p.add_argument("--from", dest="period_from", help="first period, e.g. 2024-04")
    p.add_argument("--to", dest="period_to", help="last period, e.g. 2025-01")
    p.add_argument("--series", action="append", choices=["actual", "target", "national", "statistical_neighbours", "regional"])
    p.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
