"""Saving and reading which measures each authority shares: its side table (`tables/sharing/`), every save a version.

Who may save is the caller's check (`Authorities.may_write` for the authority), as for commentary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from sendlib.domain.common_measures import common_measures
from sendlib.domain.sharing import SHARING, SharingChange, changes
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo


class UnknownMeasure(ValueError):
    """A measure to share that is not a common definition: there would be nothing to compare it with."""


def sharing_store(store: DeltaStore) -> DeltaStore:
    return store.side(SHARING)


def read_sharing(store: DeltaStore) -> pd.DataFrame:
    """Every authority's current choices (an empty frame with the columns when none was ever made)."""
    return sharing_store(store).read_or_empty()


def save_sharing(store: DeltaStore, la: str, measures: Iterable[str], shared: bool,
                 author: str | None = None) -> VersionInfo | None:
    """Share (or stop sharing) several common definitions for one authority, as one version. None when every choice
    is already so; UnknownMeasure naming any that is not a common definition, before anything is written."""
    rows = changes(la, measures, shared, author)
    _refuse_unknown(rows)
    side = sharing_store(store)
    if not rows or (not shared and not side.exists()):
        return None

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        now = {(r.la_code, r.common_measure): bool(r.shared) for r in current.itertuples(index=False)}
        moved = [r for r in rows if now.get(r.key, False) != shared]  # never shared is not sharing
        new = sum(1 for r in moved if r.key not in now)
        if not moved:
            return current, {}
        added = pd.DataFrame([r.model_dump() for r in moved])
        return pd.concat([current, added], ignore_index=True), {"new": new, "revised": len(moved) - new}

    what = ", ".join(r.common_measure for r in rows)
    return side.commit(change, action="share" if shared else "unshare", author=author,
                       message=f"{la} {'shares' if shared else 'stops sharing'} {what}", la_code=la)


def _refuse_unknown(rows: Iterable[SharingChange]) -> None:
    known = common_measures()
    unknown = [r.common_measure for r in rows if r.common_measure not in known]
    if unknown:
        raise UnknownMeasure(f"not a common definition (data/catalogue/common_measures.csv): {', '.join(unknown)}")


def _moved(current: pd.DataFrame, rows: Iterable[SharingChange]) -> list[SharingChange]:
    """The choices that differ from the table's (never chosen is not sharing)."""
    now = {(r.la_code, r.common_measure): bool(r.shared) for r in current.itertuples(index=False)}
    return [r for r in rows if now.get(r.key, False) != r.shared]


def choice_message(la: str, shares: Sequence[str], stops: Sequence[str]) -> str:
    """A version's message: `839 shares a, b; stops sharing c` (what `authority_history` finds an authority's by)."""
    parts = [f"shares {', '.join(shares)}" if shares else "", f"stops sharing {', '.join(stops)}" if stops else ""]
    return f"{la} " + "; ".join(p for p in parts if p)


def save_choices(store: DeltaStore, la: str, choices: Mapping[str, bool],
                 author: str | None = None) -> VersionInfo | None:
    """One authority's choice for each of several definitions, some shared and some withdrawn, as one version (the
    Sharing page's Save: what is ticked and what is not). Only the choices that differ from the table's are
    written, all with one time stamp; None when none differs. UnknownMeasure as for `save_sharing`."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = [SharingChange(la_code=la, common_measure=m, shared=bool(v), author=author, created_at=now)
            for m, v in choices.items()]
    _refuse_unknown(rows)
    side = sharing_store(store)
    moved = _moved(side.read_or_empty(), rows)
    if not moved:
        return None

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        keys = {(r.la_code, r.common_measure) for r in current.itertuples(index=False)}
        again = _moved(current, rows)  # as the table is now: another writer may have got there first
        if not again:
            return current, {}
        new = sum(1 for r in again if r.key not in keys)
        added = pd.DataFrame([r.model_dump() for r in again])
        return pd.concat([current, added], ignore_index=True), {"new": new, "revised": len(again) - new}

    shares = [r.common_measure for r in moved if r.shared]
    stops = [r.common_measure for r in moved if not r.shared]
    return side.commit(change, action="sharing", author=author, message=choice_message(la, shares, stops),
                       la_code=la)


def authority_history(versions: Iterable[VersionInfo], la: str) -> list[VersionInfo]:
    """The versions of the sharing table that one authority's choices made (each records its authority, as
    `save_sharing` and `save_choices` write it): the table holds every authority's choices, and one authority's
    history should name no other."""
    return [v for v in versions if v.la_code == la]
