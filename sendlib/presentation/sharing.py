"""The Sharing page's tables: which common definitions an authority's measures count and whether it shares each now,
who chose and when; and the history of its own choices, in words.

Only the authority's own rows of the sharing table are read here: the table holds every authority's choices, and
one authority's page names no other (an authority that has not shared is never shown, `peer_comparison`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import pandas as pd

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.common_measures import CommonMeasure
from sendlib.presentation.wording import local_when

CHOICE_COLUMNS = ["common_measure", "Common definition", "Shared now", "Last changed by", "When",
                  "Which way is good", "Our measures"]
HISTORY_COLUMNS = ["Version", "When", "Choice", "By"]
SHARED_WORDS = {True: "Shared", False: "Not shared"}
WITHDRAWN = "Not shared (withdrawn)"
NEVER_CHOSEN = "no one yet (off by default)"
WHICH_WAY = {"higher_better": "higher is better", "lower_better": "lower is better",
             "neutral": "neither (not ranked)"}


class Version(Protocol):
    """What the history reads of a version (`store.versioned.VersionInfo`)."""

    id: str
    created_at: str
    message: str | None
    author: str | None


def _text(value: object) -> str:
    """A cell as text: "" for a missing one (None, pandas' NA)."""
    return "" if value is None or value is pd.NA else str(value)


def _when(stamp: object) -> str:
    """An ISO time stamp in UK time, as people say it: `1 April 2025 at 10:30`."""
    return local_when(_text(stamp))


def choices_table(common_of: Mapping[str, str], catalogue: Catalogue, sharing: pd.DataFrame, la: str,
                  commons: Mapping[str, CommonMeasure]) -> pd.DataFrame:
    """One row per common definition the authority's measures count (`common_of`: kpi_id → definition, from
    `sharing.common_measure_of`), by name: whether it shares it now ("Not shared" until an editor chooses to: off by
    default), who made the current choice and when, which way is good (how the comparison ranks) and its measures.
    The `common_measure` column is the definition's id, for the page's controls."""
    ours: dict[str, list[str]] = {}
    for kpi_id, common in common_of.items():
        if common in commons:
            ours.setdefault(common, []).append(catalogue[kpi_id].name if kpi_id in catalogue else kpi_id)
    mine = sharing[sharing["la_code"].astype(str) == la]
    chosen = {str(r.common_measure): r for r in mine.itertuples(index=False)}
    rows = []
    for common in sorted(ours, key=lambda c: commons[c].name.casefold()):
        choice = chosen.get(common)
        shared = bool(choice.shared) if choice is not None else False
        rows.append({
            "common_measure": common,
            "Common definition": commons[common].name,
            "Our measures": "; ".join(dict.fromkeys(ours[common])),
            "Which way is good": WHICH_WAY.get(commons[common].polarity, ""),
            "Shared now": WITHDRAWN if choice is not None and not shared else SHARED_WORDS[shared],
            "Last changed by": NEVER_CHOSEN if choice is None else (_text(choice.author) or "not recorded"),
            "When": "never" if choice is None else _when(choice.created_at),
        })
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS)


def _names(ids: str, commons: Mapping[str, CommonMeasure]) -> str:
    return "; ".join(commons[i].name if i in commons else i for i in (p.strip() for p in ids.split(",")) if i)


def choice_words(message: str, la: str, commons: Mapping[str, CommonMeasure]) -> str:
    """A version's message (`839 shares a, b; stops sharing c`, `sharing.choice_message`) in words, by name."""
    words = []
    for part in message.removeprefix(f"{la} ").split("; "):
        if part.startswith("stops sharing "):
            words.append(f"Stopped sharing: {_names(part.removeprefix('stops sharing '), commons)}")
        elif part.startswith("shares "):
            words.append(f"Shared: {_names(part.removeprefix('shares '), commons)}")
        elif part:
            words.append(part)
    return ". ".join(words)


def history_table(versions: Iterable[Version], la: str, commons: Mapping[str, CommonMeasure]) -> pd.DataFrame:
    """The authority's own choices, newest first (`workflows.sharing.authority_history` picks its versions)."""
    rows = [{"Version": v.id, "When": _when(v.created_at), "Choice": choice_words(v.message or "", la, commons),
             "By": v.author or "not recorded"} for v in versions]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)
