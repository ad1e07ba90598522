"""What every `python -m sendlib` command that uses the store shares: `--store` and `--la`, and opening the store for
that authority. Part of the CLI contract (README).

`--la` takes a name, an old code (839) or a new code (E06000058), in plain ASCII; the default is the configured home
authority. Every command, reading or writing, refuses (exit 2) an authority the deployment does not serve
(`[authorities] codes` in secrets; without that list, the local default, any English authority DfE publishes), so a
mistyped or look-alike code (`999`, `８３９`, `٨٣٩`) is named rather than read as an authority holding nothing.
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


def authority_of(args: argparse.Namespace) -> str:
    """`--la` (else the home authority) as an old code; UsageError for one DfE does not know or the deployment does
    not serve, or a settings file that does not read (its `[authorities]`, `[editors]` or `[viewers]`)."""
    from sendlib.domain.authorities import AuthorityError, load_authorities
    from sendlib.workflows.catalogues import authority_index

    index = authority_index()
    try:
        deployment = load_authorities(index)
        la = getattr(args, "la", None)
        return deployment.home if la is None else deployment.authority(la, index, where="--la").old_la_code
    except AuthorityError as exc:
        raise UsageError(str(exc)) from None


def store_of(args: argparse.Namespace, *, writes: bool = False, migrate_old: bool = True) -> DeltaStore:
    """The store `--store` names, opened for `--la`'s authority (see the module docstring). `writes` says what the
    command does; reads and writes are held to the same authorities."""
    from sendlib.workflows.stores import open_store

    return open_store(args.store, la=authority_of(args), migrate_old=migrate_old)
