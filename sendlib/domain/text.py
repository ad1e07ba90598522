"""User text stays text: the one rule for what a person (or an uploaded file) typed — commentary, authors, file
names, measure names, notes, version messages — before it is shown, exported, printed or recorded.

A bidirectional control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) reorders what follows it, so
`invoice<U+202E>fdp.exe` reads as `invoiceexe.pdf`, and an author can make a history line or a caption say
something other than what is stored. Other control characters (a newline in an author splits one history line in
two; an escape sequence drives the terminal) and invisible format characters (zero-width spaces, tag characters)
hide or forge text in the same way.

Such a character is **shown visibly**, as `[U+202E]`, never removed: a reader must be able to see that the text was
tampered with (removing the override would leave `invoicefdp.exe`, a quieter forgery), the marker is plain ASCII
that no renderer acts on, and the rule is idempotent, so text cleaned when it entered reads the same when cleaned
again on the way out. One choice everywhere — pages, the report, extracts, the terminal — so the same text reads
the same in each.

Where it is applied: where text enters (a comment's text and author, a commit's author, file name and message)
and again wherever text is shown, exported or printed, because versions and comments stored before this rule may
still hold such characters.

Kept as they are: newline and tab in `safe_text` (commentary is legitimately several lines; a carriage return or
a Unicode line/paragraph separator becomes a newline), and the zero-width non-joiner and joiner (U+200C, U+200D),
which Persian, the Indic scripts and emoji sequences need.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is not imported to print a history line
    import pandas as pd

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_KEPT_FORMAT = frozenset("\u200c\u200d")
_LINE_BREAKS = re.compile("\r\n|[\r\u0085\u2028\u2029\x0b\x0c]")
_BREAKS = re.compile(r"\s*[\n\t]\s*")


def _hidden(char: str) -> bool:
    """A character that reorders, hides or forges text: a bidi control, a control character, an invisible format
    character, or a lone surrogate (which cannot even be written as UTF-8)."""
    if char in BIDI_CONTROLS:
        return True
    category = unicodedata.category(char)
    return category in ("Cc", "Cs") or (category == "Cf" and char not in _KEPT_FORMAT)


def _visible(char: str) -> str:
    return f"[U+{ord(char):04X}]"


def safe_text(text: object) -> str:
    """`text` with every hidden character shown as `[U+XXXX]`; newlines and tabs kept (line breaks made `\\n`)."""
    s = _LINE_BREAKS.sub("\n", str(text))
    if s.isascii() and s.isprintable():
        return s
    return "".join(_visible(c) if c not in "\n\t" and _hidden(c) else c for c in s)


def one_line(text: object) -> str:
    """`safe_text` for a place that holds one line (a history field, a name, an author): each line break or tab,
    with the spaces around it, one space; no leading or trailing space. Other spaces are left as typed (a measure's
    name is matched against its spreadsheet's, double spaces and all)."""
    return _BREAKS.sub(" ", safe_text(text)).strip()


def safe_series(values: pd.Series) -> pd.Series:
    """`safe_text` on each text cell of a column, visiting only cells outside printable ASCII (only they can hold a
    hidden character), so a million-row table costs a vectorised scan rather than a million calls."""
    import numpy as np

    text = values.astype("string")
    present = np.flatnonzero(text.notna().to_numpy(dtype=bool))
    unusual = present[text.iloc[present].str.contains(r"[^ -~]", regex=True).to_numpy(dtype=bool)]
    if not len(unusual):
        return values
    out = values.copy()
    out.iloc[unusual] = values.iloc[unusual].map(lambda v: safe_text(v) if isinstance(v, str) else v)
    return out
