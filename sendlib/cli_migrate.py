"""`python -m sendlib migrate --store DIR [--finish]`: a parquet store's tables moved onto Delta Lake, history kept.

Part of the CLI contract (README): one line a table, tab-separated, `table`, `versions`, `what` (`migrated`,
`already migrated`, `migrated N newer versions`, `removed …`, `refused: …`). Exit 0 when every table is done, 1 when
any is refused (a store problem), 2 for a store folder that is not there. The old files stay until `--finish`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sendlib.domain.paths import store_path


def cmd_migrate(args: argparse.Namespace) -> int:
    from sendlib.store.location import SCHEME
    from sendlib.store.migrate import migrate

    if args.store and SCHEME.match(str(args.store)):
        print(f"error: {args.store} is not a folder: a parquet store to migrate is on local disk", file=sys.stderr)
        return 2
    root = store_path(args.store)
    if not root.is_dir():
        print(f"error: no store at {root} (not a folder)", file=sys.stderr)
        return 2
    from sendlib.cli_store import authority_of

    outcomes = migrate(root, la=authority_of(args), finish=args.finish)
    if not outcomes:
        print(f"error: {root} holds no store to migrate (no HEAD, versions/ or tables/, and no delta/ tables)",
              file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(outcome.line())
    refused = [o.table for o in outcomes if o.refused]
    if refused:
        print(f"refused: {', '.join(refused)} (see above); "
              + ("nothing was removed" if args.finish else "the other tables are done"), file=sys.stderr)
        return 1
    return 0


def add_migrate_parser(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                       with_store: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    p = with_store(sub.add_parser("migrate", help="move the parquet store's tables onto Delta Lake (delta/), every "
                                                  "version kept; the old files stay until --finish"))
    p.add_argument("--finish", action="store_true",
                   help="check every table's Delta history against the old one, then remove the old versions/, "
                        "HEAD and .lock files")
    p.set_defaults(func=cmd_migrate)
