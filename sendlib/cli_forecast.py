"""`python -m sendlib forecast` and `forecast backtest`: demand forecasts and their record, from the store's current
DfE release (docs/forecasting.md).

Part of the CLI contract (README): `forecast` writes one row a period (period, value, lower, upper, lower50, upper50,
method); `forecast backtest` one row per authority × origin × horizon × method. Too little history exits 1 with one
line and writes nothing; bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sendlib.cli_store import authority_of, store_of
from sendlib.store.versioned import atomic_write

MEASURE_CHOICES = ["ehcps", "requests", "new-plans"]


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_forecast(args: argparse.Namespace) -> int:
    from sendlib.domain.forecast import MAX_HORIZON, TooLittleHistory
    from sendlib.presentation.extracts import to_bytes
    from sendlib.workflows.forecast import UnknownScenario, forecast, saved_scenario

    if not args.measure or not args.output:
        return _fail("forecast needs --measure (ehcps, requests or new-plans) and -o FILE", 2)
    if not 1 <= args.horizon <= MAX_HORIZON:
        return _fail(f"--horizon is 1 to {MAX_HORIZON} years, not {args.horizon}", 2)
    la = authority_of(args)
    store = store_of(args)
    try:
        scenario = saved_scenario(store, args.scenario).scenario if args.scenario else None
    except UnknownScenario as exc:
        return _fail(f"{exc}; nothing written", 2)
    try:
        made = forecast(store, la, args.measure, args.horizon, scenario)
    except TooLittleHistory as exc:
        return _fail(f"{exc}; nothing written", 1)
    atomic_write(Path(args.output), to_bytes(made.frame(), args.format))
    print(f"wrote {len(made.points)} periods of {made.la_name}'s {args.measure} forecast to {args.output}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from sendlib.presentation.extracts import to_bytes
    from sendlib.workflows.forecast import backtest_store

    la = authority_of(args) if args.la else None
    record = backtest_store(store_of(args), args.measure, la)
    atomic_write(Path(args.output), to_bytes(record, args.format))
    print(f"wrote {len(record)} back-test rows to {args.output}")
    return 0


def add_forecast_parser(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                        with_store: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    p = with_store(sub.add_parser("forecast", help="an authority's forecast of EHC plans, requests or new plans, one "
                                                   "row a period: period, value, lower, upper, lower50, upper50, "
                                                   "method"))
    p.add_argument("--measure", choices=MEASURE_CHOICES)
    p.add_argument("--horizon", type=int, default=5, help="years ahead, 1 to 5 (default 5)")
    p.add_argument("--scenario", help="a scenario saved for the authority on the Forecast page, by name")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_forecast)
    verbs = p.add_subparsers(dest="forecast_command")
    b = with_store(verbs.add_parser("backtest", help="one row per authority × origin × horizon × method: forecast, "
                                                     "interval, what DfE published, error (every authority without "
                                                     "--la)"))
    b.add_argument("--measure", choices=MEASURE_CHOICES, required=True)
    b.add_argument("--format", choices=["csv"], default="csv")
    b.add_argument("-o", "--output", required=True)
    b.set_defaults(func=cmd_backtest)
