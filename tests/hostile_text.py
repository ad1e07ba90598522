"""Hostile user text for the tests that check it is shown as text: Markdown, HTML and Streamlit directives that would
fetch from, or link to, a host other than the app's, put in every place a user (or an uploaded file) can put text."""

from __future__ import annotations

import csv
import io

from sendlib.domain.catalogue import new_kpi
from sendlib.domain.commentary import Comment
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
    for scorecard, kpi_id, period in (("scorecard", "ehcps", "2025-01"), ("scorecard", kpi.id, "2025-01"),
                                      ("board", RATE, "2024-03"), ("board", "", "2024-03"),
                                      ("scorecard", "", "2025-01")):
        save_comment(store, Comment(scorecard=scorecard, kpi_id=kpi_id, period=period, text=HOSTILE, author=AUTHOR))
