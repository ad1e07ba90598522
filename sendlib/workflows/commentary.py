"""Saving and reading commentary: its side table in the store (`tables/commentary/`), every save a version."""

from __future__ import annotations

import pandas as pd

from sendlib.domain.commentary import COMMENT_KEY, COMMENTARY, Comment
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo


def commentary_store(store: DeltaStore) -> DeltaStore:
    return store.side(COMMENTARY)


def read_comments(store: DeltaStore) -> pd.DataFrame:
    """Every current comment (empty frame with the columns when none was ever written)."""
    return commentary_store(store).read_or_empty()


def save_comment(store: DeltaStore, comment: Comment) -> VersionInfo | None:
    """Write (or, with empty text, delete) a comment as a new version of the commentary table.
    None when the text is what is already there."""

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        keyed = current.set_index(COMMENT_KEY)
        old = keyed["text"].get(comment.key) if len(keyed) else None
        rest = current[[tuple(k) != comment.key for k in current[COMMENT_KEY].itertuples(index=False)]]
        if not comment.text:
            return rest, {"revised": int(old is not None)}
        if old == comment.text:
            return current, {}
        row = pd.DataFrame([comment.model_dump()])
        return pd.concat([rest, row], ignore_index=True), {"new": int(old is None), "revised": int(old is not None)}

    side = commentary_store(store)
    if not comment.text and not side.exists():
        return None
    what = f"{comment.kpi_id or 'overall'} {comment.period}"
    return side.commit(
        change, action="delete" if not comment.text else "comment", author=comment.author, message=f"commentary on {what}"
    )
