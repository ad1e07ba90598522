"""Saving and reading which measures each authority shares: its side table (`tables/sharing/`), every save a version.

Who may save is the caller's check (`Authorities.may_write` for the authority), as for commentary.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sendlib.domain.common_measures import common_measures
from sendlib.domain.sharing import SHARING, changes
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
    known = common_measures()
    unknown = [r.common_measure for r in rows if r.common_measure not in known]
    if unknown:
        raise UnknownMeasure(f"not a common definition (data/catalogue/common_measures.csv): {', '.join(unknown)}")
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
                       message=f"{la} {'shares' if shared else 'stops sharing'} {what}")

