"""`python -m sendlib`: the commands other tools script against. Keep names and flags stable.

Each command imports what it uses when it runs, so `history` and `check` start in a fraction of a second
instead of paying for pandas, Altair and the report. Every failure is one line on stderr and an exit code
(0 done, 1 a store or file problem, 2 bad arguments), never a traceback.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sendlib.cli_cases import add_cases_parser, cmd_cases_load
from sendlib.cli_catalogue import add_catalogue_parser
from sendlib.cli_exit import disk_problem, error_line, plain_stderr
from sendlib.cli_forecast import add_forecast_parser
from sendlib.cli_migrate import add_migrate_parser
from sendlib.cli_store import UsageError, store_of, with_store
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import StoreError, VersionInfo, atomic_write, check_version_id

if TYPE_CHECKING:
    from sendlib.workflows.load import Preview

if TYPE_CHECKING:
    import pandas as pd

    from sendlib.domain.catalogue import Catalogue


def _fail(message: str, code: int = 1) -> int:
    """One plain line on stderr, whatever the message holds (a full or read-only disk said as such)."""
    print(f"error: {disk_problem(message) or error_line(message)}", file=sys.stderr)
    return code


def _unknown_scorecard(name: str) -> str | None:
    from sendlib.domain.catalogue import SCORECARDS

    return None if name in SCORECARDS else f"no scorecard {name!r} (choose from: {', '.join(SCORECARDS)})"


def cmd_init(args: argparse.Namespace) -> int:
    from sendlib.workflows.load import init_store

    store = store_of(args, writes=True)
    if store.exists():
        print(f"{store.location.uri} already holds data (version {store.head()}); nothing changed")
        return 0
    with store.writing():
        infos = init_store(store)
    for info in infos:
        print(f"{info.id}  {info.file_name}  {info.rows} rows  ({info.new} new)")
    print(f"store ready at {store.location.uri}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from sendlib.presentation.extracts import ExtractError, ExtractQuery, build_extract, export_bytes
    from sendlib.workflows.cases import with_computed
    from sendlib.workflows.catalogues import store_catalogue

    store = store_of(args)
    catalogue = store_catalogue(store, with_common=True)
    query = ExtractQuery(
        scorecard=args.scorecard,
        themes=args.theme or [],
        kpis=args.kpi or [],
        period_from=args.period_from,
        period_to=args.period_to,
        series=args.series or [],
        layout=args.layout,
        derived=args.derived,
    )
    try:
        ext = build_extract(with_computed(store, store.read(), catalogue), catalogue, query)
    except ExtractError as exc:
        return _fail(str(exc), 2)
    for note in ext.notes:
        print(f"note: {note}", file=sys.stderr)
    if not len(ext.rows):
        filtered = any((args.scorecard, args.theme, args.kpi, args.period_from, args.period_to, args.series))
        print(f"note: nothing to export: authority {store.la} has no figures{' matching the filters' if filtered else ''}"
              f" in {store.location.uri}", file=sys.stderr)
    atomic_write(Path(args.output), export_bytes(ext, catalogue, args.format, version=store.head()))
    what = f"{len(ext.rows)} rows ({ext.values} values)" if query.layout == "wide" else f"{len(ext.rows)} rows"
    print(f"wrote {what} to {args.output}")
    return 0


def _print_warnings(preview: object) -> None:
    """Grouped by kind: a few examples of each and a count, so a 100,000-row file is still a readable screen."""
    for group in preview.warning_groups():  # type: ignore[attr-defined]
        for example in group.examples:
            print(f"warning: {example}")
        if group.count > len(group.examples):
            print(f"warning: … and {group.count - len(group.examples):,} more {group.label} "
                  f"({group.count:,} in all)")


def cmd_load(args: argparse.Namespace) -> int:
    from sendlib.files.dfe import is_dfe_file
    from sendlib.files.readers import MAX_UPLOAD_BYTES, FileRefused
    from sendlib.files.sen2 import looks_like_sen2
    from sendlib.workflows.catalogues import store_catalogue
    from sendlib.workflows.load import ImportRefused, load_file

    store = store_of(args, writes=not args.dry_run)
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no file {path}", 2)
    with path.open("rb") as fh:
        if looks_like_sen2(fh.read(4096), path.name):
            return cmd_cases_load(args)
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        print(f"refused: {path.name} is {path.stat().st_size / 1_048_576:.1f} MB; the largest file accepted is "
              f"{MAX_UPLOAD_BYTES // 1_048_576} MB", file=sys.stderr)
        return 1
    data = path.read_bytes()
    if is_dfe_file(data, path.name):
        return _load_dfe(store, data, path, args)
    try:
        preview, info = load_file(store, path, store_catalogue(store, with_common=True), author=args.author,
                                  dry_run=args.dry_run,
                                  sheet=args.sheet)
    except FileRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    except ImportRefused as exc:
        problems = len(exc.preview.errors)
        print(f"refused: {path.name} has {problems} problem{'s' if problems != 1 else ''}; nothing was written",
              file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 1
    _print_warnings(preview)
    print(_load_outcome(preview, info, path.name, dry_run=args.dry_run))
    return 0


def _counts(of: Preview | VersionInfo) -> str:
    return f"{of.new} new, {of.revised} revised, {of.unchanged} unchanged"


def _load_outcome(preview: Preview, info: VersionInfo | None, file_name: str, *, dry_run: bool) -> str:
    """What a load did, in the counts of the change that landed: a commit another writer made retry compares
    again with the table as it then was, so the preview's counts (taken before) are stale."""
    if dry_run:
        return f"dry run ({preview.layout} layout): {_counts(preview)}; nothing written"
    if info is not None:
        return f"version {info.id}: {_counts(info)}"
    if preview.new or preview.revised:
        return f"no change: another load wrote every figure in {file_name} first; no new version written"
    return f"no change ({_counts(preview)}); no new version written"


def _load_dfe(store: DeltaStore, data: bytes, path: Path, args: argparse.Namespace) -> int:
    """A DfE release file (EES CSV, appeal-rate table or neighbour workbook) goes to the DfE side tables."""
    from sendlib.files.dfe import read_dfe_file
    from sendlib.files.readers import FileRefused
    from sendlib.workflows.dfe_releases import load_dfe

    try:
        read = read_dfe_file(data, path.name, release=args.release)
    except FileRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    print(read.summary())
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    info = load_dfe(store, read, author=args.author, sha256=hashlib.sha256(data).hexdigest())
    print("no change: this release is already loaded" if info is None else f"DfE version {info.id}: {read.release}")
    return 0


def cmd_benchmarks(args: argparse.Namespace) -> int:
    from sendlib.domain.benchmarks import LaNotFound, benchmark_rows
    from sendlib.domain.settings import load_settings
    from sendlib.presentation.extracts import to_csv_bytes
    from sendlib.workflows.catalogues import store_catalogue
    from sendlib.workflows.dfe_releases import benchmarks_for_store

    store = store_of(args)
    settings = load_settings()
    catalogue = store_catalogue(store, with_common=True)  # every definition DfE publishes, set up or not
    la = args.la or settings.home_la
    try:
        rows = benchmarks_for_store(store, catalogue, la=la, sn_set=args.sn_groups or settings.sn_groups)
    except LaNotFound as exc:
        return _fail(str(exc), 2)
    atomic_write(Path(args.output), to_csv_bytes(benchmark_rows(rows, catalogue)))
    if not len(rows):
        print(f"note: DfE publishes none of the common definitions for {la} in the releases this store holds; "
              "the file has its header only", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.output}")
    return 0


HISTORY_FIELDS = ("id", "current", "created_at", "action", "new", "revised", "unchanged", "rows", "author", "what")


def cmd_history(args: argparse.Namespace) -> int:
    """One version a line, tab-separated in HISTORY_FIELDS order: the id alone in the first field. Every field is
    `domain.text.one_line`, so no author or file name splits a line, adds a field or reorders the terminal."""
    from sendlib.domain.text import one_line

    store = store_of(args)
    head = store.head()
    lines = []
    for v in store.versions():
        fields = (v.id, "*" if v.id == head else "-", v.created_at, v.action, v.new, v.revised, v.unchanged, v.rows,
                  v.author or "-", v.file_name or v.message or v.action)
        lines.append("\t".join(one_line(f) or "-" for f in fields))
    if not lines:
        print(f"{store.location.uri} holds no versions yet", file=sys.stderr)
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    store = store_of(args, writes=True)
    try:
        check_version_id(args.version)
    except StoreError as exc:
        return _fail(str(exc), 2)
    info = store.restore(args.version, author=args.author)
    print(f"version {info.id}: restored version {args.version} ({info.rows} rows)")
    return 0


def _absent(store: DeltaStore) -> str | None:
    """Why `check` and `repair` have nothing to look at: a store folder that is not there."""
    return f"no store at {store.root}" if store.location.is_local and not store.root.is_dir() else None


def cmd_check(args: argparse.Namespace) -> int:
    """One finding a line, tab-separated: status, table, version, file (relative to the store), what. Exits 1 on
    damage, and on data files newer than a table's newest commit that no version names: a killed writer leaves
    them, but so does a commit whose log entry was lost, and only the person who uploaded can tell which, so the
    store is not called intact. A killed writer's files older than the newest commit are not reported at all."""
    from sendlib.store.integrity import check_store

    store = store_of(args, migrate_old=False)
    if (absent := _absent(store)) is not None:
        return _fail(absent)
    result = check_store(store)
    prefix = store.location.uri.rstrip("/") + ("/" if not store.location.is_local else os.sep)
    for f in result.findings:
        where = f.path[len(prefix):] if f.path.startswith(prefix) else f.path
        print("\t".join((f.status.value, f.table, f.version, where, f.what)))
    damaged, unlogged = len(result.damaged), len(result.unlogged)
    files = f"{unlogged} data file{'s' if unlogged != 1 else ''}"
    lost = (f"{files} newer than the newest commit {'are' if unlogged != 1 else 'is'} named by no version, so an "
            "upload may be missing from history (a commit whose log entry was lost, or a write stopped before its "
            "commit): each is listed above; to recover its rows, put the table's _delta_log back from a backup, or "
            "read the file with any parquet tool and load those rows again")
    if damaged:
        verdict = (f"{damaged} damaged file{'s' if damaged != 1 else ''}: run `python -m sendlib repair --store "
                   f"{store.location.uri}`" + (f"; also, {lost}" if unlogged else ""))
    elif unlogged:
        verdict = f"no damaged file found, but {lost}"
    else:
        verdict = "store intact"
    print(f"{verdict} ({result.versions_checked} versions checked)", file=sys.stderr)
    return 1 if damaged or unlogged else 0


def cmd_repair(args: argparse.Namespace) -> int:
    """One repaired table a line, tab-separated: table, the new version's id, what was done."""
    from sendlib.store.integrity import check_store
    from sendlib.workflows.repair import repair_store

    store = store_of(args, migrate_old=False)
    if (absent := _absent(store)) is not None:
        return _fail(absent)
    repaired = repair_store(store, author=args.author)
    for r in repaired:
        print("\t".join((r.table, r.info.id, r.info.message or "")))
    if not repaired:
        left = len(check_store(store).damaged)
        print("nothing to repair: every table's current version is intact"
              + (f" ({left} older damaged file{'s' if left != 1 else ''} stay in place; see `check`)" if left else ""),
              file=sys.stderr)
    return 0


def _council_of(store: DeltaStore, catalogue: Catalogue) -> tuple[str, pd.DataFrame | None, bool]:
    """The name of the authority whose figures the store holds, DfE's benchmarks for it (None when DfE does not know
    it) and whether DfE can be matched to it: what the report names on its cover and sets beside each measure."""
    from sendlib.domain.authorities import dfe_matched, find_authority
    from sendlib.domain.benchmarks import LaNotFound
    from sendlib.workflows.catalogues import authority_index
    from sendlib.workflows.dfe_releases import benchmarks_for_store

    if not store.la:
        return "", None, True
    try:
        name = find_authority(store.la, authority_index()).la_name
    except LaNotFound:
        return store.la, None, False
    if not dfe_matched(store.la):
        return name, None, False
    return name, benchmarks_for_store(store, catalogue, la=store.la), True


def cmd_report(args: argparse.Namespace) -> int:
    from sendlib.presentation.report import ReportError, build_report, report_bytes
    from sendlib.workflows.cases import computed_figures, read_cases
    from sendlib.workflows.catalogues import store_catalogue
    from sendlib.workflows.commentary import read_comments

    if args.scorecard and (problem := _unknown_scorecard(args.scorecard)):
        return _fail(problem, 2)
    store = store_of(args)
    table = store.read()
    # Each bundled document is its own council's: without --scorecard, the one this authority's figures are in.
    scorecard = args.scorecard or (str(table["scorecard"].value_counts().idxmax()) if len(table) else "board")
    catalogue = store_catalogue(store)
    records = read_cases(store)
    computed = computed_figures(records, {k.id: k.scorecard for k in catalogue}) if len(records) else None
    council, benchmarks, matched = _council_of(store, catalogue)
    try:
        report = build_report(table, catalogue, read_comments(store), args.period, scorecard=scorecard,
                              version=store.head() or "", figures=args.figures, computed=computed, council=council,
                              benchmarks=benchmarks, matched=matched, appendix=tuple(args.appendix or ()))
    except ReportError as exc:
        return _fail(str(exc), 2)
    if args.forecast and store.la:
        from sendlib.presentation.forecast import forecast_blocks, with_forecasts
        from sendlib.workflows.forecast import current_dfe

        report = with_forecasts(report, forecast_blocks(current_dfe(store), store.la))
    atomic_write(Path(args.output), report_bytes(report, args.format))
    print(f"wrote the {report.scorecard_name} for {report.period_label} ({len(report.rows)} measures, "
          f"{len(report.exceptions)} exceptions) to {args.output}")
    return 0


def cmd_comment(args: argparse.Namespace) -> int:
    from sendlib.domain.commentary import Comment
    from sendlib.workflows.catalogues import store_catalogue
    from sendlib.workflows.commentary import save_comment

    store = store_of(args, writes=True)
    if not store.exists():
        raise StoreError(f"{store.location.uri} holds no data yet (run `python -m sendlib init --store {store.location.uri}`)")
    if problem := _unknown_scorecard(args.scorecard):
        return _fail(problem, 2)
    catalogue = store_catalogue(store)
    if args.kpi and args.kpi not in catalogue:
        return _fail(f"no KPI {args.kpi!r} (ids are in data/catalogue/kpis.csv)", 2)
    if args.kpi and catalogue[args.kpi].scorecard != args.scorecard:
        return _fail(f"{args.kpi} is a measure of --scorecard {catalogue[args.kpi].scorecard}, not {args.scorecard}", 2)
    try:
        comment = Comment(scorecard=args.scorecard, kpi_id=args.kpi or "", period=args.period, text=args.text,
                          author=args.author)
    except ValueError as exc:
        return _fail(str(exc), 2)
    info = save_comment(store, comment)
    what = f"{comment.kpi_id or 'the month as a whole'}, {comment.period}"
    if info is None:
        print(f"no change: that commentary on {what} is already saved")
    else:
        print(f"commentary version {info.id}: {'deleted' if not comment.text else 'saved'} commentary on {what}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sendlib", description="SEND Performance Explorer data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = with_store(sub.add_parser("init", help="create a store from the bundled documents"))
    p.set_defaults(func=cmd_init)

    p = with_store(sub.add_parser("export", help="write the store's rows (optionally filtered) to a file"))
    p.add_argument("--scorecard", choices=["scorecard", "board"])
    p.add_argument("--theme", action="append", help="theme id, e.g. statutory-duty (repeatable)")
    p.add_argument("--kpi", action="append", help="KPI id (repeatable)")
    p.add_argument("--from", dest="period_from", help="first period, e.g. 2024-04")
    p.add_argument("--to", dest="period_to", help="last period, e.g. 2025-01")
    p.add_argument("--series", action="append", choices=["actual", "target", "national", "statistical_neighbours", "regional",
                                                          "baseline", "computed"])
    p.add_argument("--layout", choices=["long", "wide"], default="long",
                   help="long: one value a row (default); wide: the monthly scorecard's own layout, which loads back unchanged")
    p.add_argument("--derived", action="store_true", help="long layout: add change, direction and RAG columns")
    p.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_export)
    p = with_store(sub.add_parser("load", help="validate a CSV/.xlsx file and add it to the store as a new version"))
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate and show what would change; write nothing")
    p.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first); all: every sheet with a table, as one file")
    p.add_argument("--author", help="who is loading (recorded in the history)")
    p.add_argument("--release", help="a DfE file: the release's name, e.g. 'Education, health and care plans, reporting year 2026'")
    p.set_defaults(func=cmd_load)

    p = with_store(sub.add_parser("benchmarks", help="write DfE benchmarks computed for one local authority"),
                   la_help="local authority: name, old code (839) or new code (E06000058); default: the configured "
                           "home LA")
    p.add_argument("--sn-groups", choices=["2021", "2025"], help="DfE statistical neighbour groups (default: configured, else 2021)")
    p.add_argument("--format", choices=["csv"], default="csv")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_benchmarks)

    p = with_store(sub.add_parser("history", help="list versions, newest first, one a line, tab-separated: "
                                                  + ", ".join(HISTORY_FIELDS) + " (current: * or -)"))
    p.set_defaults(func=cmd_history)

    p = with_store(sub.add_parser("check", help="verify every version of every table (the log; each data file there, "
                                                "of its size, readable); exit 1 when anything is damaged"))
    p.set_defaults(func=cmd_check)

    p = with_store(sub.add_parser("repair", help="make the newest intact version of each damaged table current "
                                                 "again, as a new version"))
    p.add_argument("--author")
    p.set_defaults(func=cmd_repair)

    p = with_store(sub.add_parser("rollback", help="make an earlier version current again (as a new version)"))
    p.add_argument("version")
    p.add_argument("--author")
    p.set_defaults(func=cmd_rollback)

    p = with_store(sub.add_parser("report", help="write the monthly board report for a month, as HTML or PDF"))
    p.add_argument("--period", required=True, help="the report's month, e.g. 2024-03 or 'Mar 24'")
    p.add_argument("--scorecard", help="board or scorecard (default: the document the authority's figures are in)")
    p.add_argument("--format", choices=["html", "pdf"], default="html")
    p.add_argument("--forecast", action="store_true",
                   help="add a forecast section (EHC plans, requests, new plans, 3 years; off by default)")
    p.add_argument("--figures", choices=["typed", "computed"], default="typed",
                   help="typed (default), or computed from the case records held in place of the typed figures")
    p.add_argument("--appendix", action="append", choices=["glossary"],
                   help="add an appendix after the report (repeatable): glossary, the definitions of its measures")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_report)

    p = with_store(sub.add_parser("comment", help="save commentary on a KPI (or, without --kpi, on the month); "
                                                  "empty text deletes it"))
    p.add_argument("--period", required=True, help="e.g. 2024-03")
    p.add_argument("--kpi", help="KPI id; leave out for the month's overall commentary")
    p.add_argument("--scorecard", default="board")
    p.add_argument("--author")
    p.add_argument("text")
    p.set_defaults(func=cmd_comment)
    add_cases_parser(sub, with_store)
    add_catalogue_parser(sub, with_store)
    add_migrate_parser(sub, with_store)
    add_forecast_parser(sub, with_store)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with plain_stderr():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except UsageError as exc:
        return _fail(str(exc), 2)
    except StoreError as exc:
        return _fail(str(exc))
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"cannot use{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return _fail("interrupted; nothing half-written (every write is atomic)", 130)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        return _fail(f"unexpected {type(exc).__name__}: {exc}. Nothing half-written (every write is atomic); "
                     "please report this with the command you ran")
