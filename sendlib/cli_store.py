"""What every `python -m sendlib` command that uses the store shares: `--store` and `--la`, and opening the store for
that authority. Part of the CLI contract (README).

`--la` takes a name, an old code (839) or a new code (E06000058); the default is the configured home authority. A
command that writes refuses an authority the deployment does not serve (`[authorities] codes` in secrets); without
that list, the local default, any English authority may be written.
"""

from __future__ import annotations

import argparse

from sendlib.store.delta import DeltaStore

LA_HELP = ("the authority whose data this reads or writes: name, old code (839) or new code (E06000058); default: the "
           "configured home authority")


class UsageError(ValueError):
    """A flag's value cannot be used (exit 2, as for argparse's own)."""


def with_store(p: argparse.ArgumentParser, *, la_help: str = LA_HELP) -> argparse.ArgumentParser:
    p.add_argument("--store", help="store directory or URI (az://, abfss://, s3://; default: $SENDLIB_STORE, else "
                                   "data/store)")
    p.add_argument("--la", help=la_help)
    return p


def authority_of(args: argparse.Namespace, *, writes: bool = False) -> str:
    """`--la` as an old code; UsageError for one DfE does not know, or (for a write) one the deployment does not
    serve."""
    from sendlib.domain.authorities import AuthorityError, load_authorities
    from sendlib.domain.benchmarks import LaNotFound
    from sendlib.workflows.catalogues import authority_code, authority_index

    try:
        code = authority_code(getattr(args, "la", None))
        if writes:
            load_authorities(authority_index()).authority(code, authority_index(), where="--la")
    except (LaNotFound, AuthorityError) as exc:
        raise UsageError(str(exc)) from None
    return code


def store_of(args: argparse.Namespace, *, writes: bool = False, migrate_old: bool = True) -> DeltaStore:
    """The store `--store` names, opened for `--la`'s authority (see the module docstring)."""
    from sendlib.workflows.stores import open_store

    return open_store(args.store, la=authority_of(args, writes=writes), migrate_old=migrate_old)
