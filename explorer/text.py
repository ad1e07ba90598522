"""User text shown as text. Streamlit reads Markdown (and its own directives such as `:red[…]` and
`:material/…:`) in st.markdown, captions, alerts, headings, labels, help, metric labels and st.table cells, so a
commentary or a KPI name like `![p](http://host/pixel.png)` would make every viewer's browser fetch that URL.
Whatever a user (or an uploaded file) supplied — commentary, authors, KPI names, file names, notes, DfE names —
goes through `plain` wherever it sits inside Markdown, or is shown with `st.text` after `text`, or is a widget's label
after `label_text` (all apply `sendlib.domain.text`'s rule first: a bidi control or other hidden character is shown
as `[U+202E]`)."""

from __future__ import annotations

import re
import string

import pandas as pd

from sendlib.domain.text import one_line, safe_text

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped mark is only ever the mark itself:
# no link, image, emphasis, HTML, heading or list, no `$` maths, no directive. GFM's autolink literals (`http://…`,
# `www.…`, `jo@example.org`) are found in the text after escapes are resolved, so an invisible word joiner inside
# `://`, after `www` and before `@` breaks those (and only those: a colon in prose is left alone).
_ESCAPED = str.maketrans({mark: "\\" + mark for mark in string.punctuation})
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
# A widget's label is rendered from a little Markdown (emphasis, code, links, images, directives) but its accessible
# name is the label as given, so an escape would be read aloud ("EHCP backslash colon"). A label keeps its marks as
# typed and gets a word joiner where a link, image, directive, icon or autolink would begin: in `](` and `![`,
# between a colon and the word after it, in `www.` and before `@`.
_LABEL_BREAKS = re.compile(r"(?<=\])(?=\()|(?<=!)(?=\[)|(?<=:)(?=[A-Za-z/])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def plain(text: object) -> str:
    """`text` as it reads, for a place that renders Markdown: hidden characters shown, every punctuation mark
    escaped, on one line. The rule runs before the word joiner goes in, so only ours is left invisible."""
    return _AUTOLINK.sub(_JOINER, " ".join(one_line(text).split())).translate(_ESCAPED)


def label_text(value: object) -> str:
    """`text` as a widget's label (text_area, checkbox, selectbox, page_link…): hidden characters shown, on one line,
    no backslash escapes (its accessible name reads as it is shown), and no link, image, directive or autolink."""
    return _LABEL_BREAKS.sub(_JOINER, " ".join(one_line(value).split()))


def text(value: object) -> str:
    """Several lines of user text (commentary) for `st.text`, which renders no Markdown: hidden characters shown."""
    return safe_text(value)


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for `st.table` (whose cells and headings are Markdown): every text cell and heading made plain."""
    out = frame.map(lambda v: plain(v) if isinstance(v, str) else v)
    out.columns = [plain(c) if isinstance(c, str) else c for c in out.columns]
    return out
