"""Hostile user text for the tests that check it is shown as text: Markdown, HTML and Streamlit directives that would
fetch from, or link to, a host other than the app's, put in every place a user (or an uploaded file) can put text;
and characters that reorder or split what a reader sees (bidi overrides and isolates, newlines, escapes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.catalogue import new_kpi
from sendlib.domain.commentary import Comment
from sendlib.presentation.report import report_months
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import add_kpi, store_catalogue
from sendlib.workflows.commentary import save_comment
from sendlib.workflows.load import commit_preview, preview_bytes

HOST = "127.0.0.1:9"
HOSTILE = (f"![p](http://{HOST}/pixel.png) [click](http://{HOST}/x) <img src=http://{HOST}/i.png> :red[alarm] "
           f":material/warning: **bold** $x^2$ http://{HOST}/auto www.{HOST}")
AUTHOR = f"![a](http://{HOST}/author.png) :blue[Jo]"
KPI_NAME = f"![k](http://{HOST}/kpi.png) :red[Requests] waiting"
NOTE = f"![n](http://{HOST}/note.png) late return"
FILE_NAME = f"![f](http:__{HOST}_file.png).csv"
RATE = "b04-20-week-rate-excl-exceptions"

# What reorders or splits the text a reader sees: a right-to-left override, an isolate, a newline, a tab, an escape.
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIDI_AUTHOR = f"Jo{RLO}sggolB\n2025-01-01\t*\tforged{LRI}x{PDI}\x1b[2J"
BIDI_FILE_NAME = f"figures{RLO}vsc.exe\n000099.csv"
BIDI_COMMENT = f"Fine.{RLO} enif ton\nSecond line {LRI}isolated{PDI}."
BIDI_NOTE = f"late{RLO}etal"
BIDI_KPI_NAME = f"Requests {RLO}gnitiaw"


def write_hostile_text(store: DeltaStore) -> None:
    """Into a store built from the bundled data: an added KPI with figures (a note on one), uploaded under a hostile
    file name by a hostile author; commentary on KPIs and on months of both documents."""
    kpi = new_kpi(store_catalogue(store), name=KPI_NAME, theme="statutory-duty", unit="count",
                  polarity="higher_better", definition=HOSTILE)
    add_kpi(store, kpi, author=AUTHOR)
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerows([["kpi_id", "period", "value", "note"], [kpi.id, "2024-12", "4", ""], [kpi.id, "2025-01", "5", NOTE]])
    preview = preview_bytes(rows.getvalue().encode(), FILE_NAME, store, store_catalogue(store))
    assert not preview.errors, preview.errors
    commit_preview(store, preview, author=AUTHOR)
    board = store.authority(BOARD_AUTHORITY)  # the board report's commentary is its own council's
    for scorecard, kpi_id, period in (("scorecard", "ehcps", "2025-01"), ("scorecard", kpi.id, "2025-01"),
                                      ("board", RATE, "2024-03"), ("board", "", "2024-03"),
                                      ("scorecard", "", report_months(store.read(), "scorecard")[0])):
        save_comment(board if scorecard == "board" else store,
                     Comment(scorecard=scorecard, kpi_id=kpi_id, period=period, text=HOSTILE, author=AUTHOR))


@contextmanager
def rule_off() -> Iterator[None]:
    """As a store written before the text rule holds it: commentary and commit records kept as typed."""
    with mock.patch("sendlib.store.delta.one_line", str, create=True), \
            mock.patch.multiple("sendlib.domain.commentary", safe_text=str, one_line=str, create=True):
        yield


def write_bidi_text(store: DeltaStore) -> None:
    """Into a store built from the bundled data, as a store written before the text rule would hold them: an added
    KPI whose name holds an override, figures with such a note uploaded under a file name holding one and a newline
    by an author holding overrides, isolates, newlines, tabs and an escape; commentary (and its author) alike on the
    KPI and on the month. What each command and page shows of it must be one line where one line is meant, with
    no bidi control left."""
    with rule_off():
        kpi = new_kpi(store_catalogue(store), name=BIDI_KPI_NAME, theme="statutory-duty", unit="count",
                      polarity="higher_better", definition=BIDI_COMMENT)
        add_kpi(store, kpi, author=BIDI_AUTHOR)
        rows = io.StringIO()
        csv.writer(rows).writerows([["kpi_id", "period", "value", "note"], [kpi.id, "2024-12", "4", BIDI_NOTE],
                                    [kpi.id, "2025-01", "5", BIDI_NOTE], ["ehcps", "2025-01", "4461", BIDI_NOTE]])
        preview = preview_bytes(rows.getvalue().encode(), BIDI_FILE_NAME, store, store_catalogue(store))
        assert not preview.errors, preview.errors
        commit_preview(store, preview, author=BIDI_AUTHOR)
        table = store.read()
        council = store.authority(BOARD_AUTHORITY)  # the board report's commentary is its own council's
        board = report_months(council.read(), "board")[0]  # the months the overview and the report pages open on
        for scorecard, kpi_id, period in (("scorecard", "ehcps", "2025-01"), ("scorecard", kpi.id, "2025-01"),
                                          ("scorecard", "", report_months(table, "scorecard")[0]),
                                          ("board", RATE, board), ("board", "", board)):
            save_comment(council if scorecard == "board" else store, Comment(scorecard=scorecard, kpi_id=kpi_id, period=period, text=BIDI_COMMENT,
                                        author=BIDI_AUTHOR))
