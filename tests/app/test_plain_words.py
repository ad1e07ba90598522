"""Plain words on every page (issue 20): a manager's page speaks of months, files, people and local dates. Version ids,
checksums, column keys, settings files, README references, UTC times and XML element paths live only inside the one
"Technical details" expander a page may have; no table cell reads `None` or `nan`; no widget's accessible name
carries a Markdown escape.

Every page of the registry is run through the menu on the bundled data (one store for the module) and everything it
shows outside a "Technical details" expander is collected: headings, Markdown, captions, text, alerts, metrics, table
and data-grid cells and headings, widget labels, help and options."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from page_runner import shown
from registry_nav import switch_to
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from explorer.menu import pages
from sendlib.domain.commentary import Comment
from sendlib.domain.paths import ROOT
from sendlib.workflows.catalogues import store_catalogue
from sendlib.workflows.commentary import save_comment
from sendlib.workflows.load import commit_preview, init_store, preview_bytes
from sendlib.workflows.stores import open_store

TECHNICAL = "Technical details"
# The Upload and History pages are another engineer's part of issue 20 (upload that shows its work): swept here once
# their branch is merged.
NOT_YET: dict[str, str] = {}

# What a manager's page must not say, each with why it matters.
MACHINE_WORDS = {
    "checksum": re.compile(r"sha-?256|\b[0-9a-f]{12,}\b", re.IGNORECASE),
    "README": re.compile(r"\bREADME\b", re.IGNORECASE),
    "settings file": re.compile(r"secrets\.toml|\.streamlit/", re.IGNORECASE),
    "column key": re.compile(r"\bkpi_id\b"),
    "UTC": re.compile(r"\bUTC\b|\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|\+00:?00)\b"),
    # A store version as the store names it ("version 000006", "v000006"), or any zero-led six-digit number: a
    # council's code (E06000058) or a count (100000) is not one.
    "version id": re.compile(r"(?<![A-Za-z0-9])(?:v|version\s+)?0\d{5}(?!\d)|\bversion\s+\d{6}\b", re.IGNORECASE),
    "XML element path": re.compile(r"\b[A-Z][a-z]+[A-Za-z]*(\[\d+\])?/[A-Z][a-z]+[A-Za-z]*(\[\d+\])?(/[A-Za-z]+)*"),
}
EMPTY_CELL = re.compile(r"^\s*(None|nan|NaN|NaT|<NA>|null)\s*$")


@dataclass(frozen=True)
class Shown:
    """One piece of what a page shows: where it sits (`kind`) and its words."""

    kind: str
    text: str


def _frame_cells(frame: pd.DataFrame, kind: str) -> Iterator[Shown]:
    for column in frame.columns:
        yield Shown(f"{kind} heading", str(column))
    for value in frame.astype(object).to_numpy().ravel():
        yield Shown(f"{kind} cell", "None" if value is None else str(value))


def _widget(node: Node) -> Iterator[Shown]:
    proto = node.proto
    label = getattr(proto, "label", "")
    if label:
        yield Shown(f"{node.type} label", label)
    if getattr(proto, "help", ""):
        yield Shown(f"{node.type} help", proto.help)
    for option in getattr(proto, "options", []):
        yield Shown(f"{node.type} option", str(option))


def collect(node: Node) -> Iterator[Shown]:
    """What `node` shows, outside any "Technical details" expander."""
    if isinstance(node, Block):
        if node.type == "expander":
            if shown(node.label).startswith(TECHNICAL):
                return
            yield Shown("expander label", node.label)
        for child in node.children.values():
            yield from collect(child)
        return
    kind = node.type
    if kind in ("dataframe", "table"):
        yield from _frame_cells(node.value, kind)
    elif kind == "metric":
        yield from (Shown("metric", str(v)) for v in (node.label, node.value, node.proto.delta) if v)
    elif kind in ("markdown", "caption", "text", "title", "header", "subheader", "error", "warning", "info",
                  "success", "toast"):
        yield Shown(kind, str(node.value))
    elif hasattr(node.proto, "label") or hasattr(node.proto, "options"):
        yield from _widget(node)


def problems(items: list[Shown]) -> list[str]:
    found = []
    for item in items:
        words = shown(item.text)
        for name, pattern in MACHINE_WORDS.items():
            if match := pattern.search(words):
                found.append(f"{name} in {item.kind}: {match.group(0)!r} in {words[:160]!r}")
        if item.kind.endswith("cell") and EMPTY_CELL.match(words):
            found.append(f"empty-looking {item.kind}: {words!r}")
        if item.kind.endswith("label") and not item.kind.startswith("expander") and "\\" in item.text:
            found.append(f"backslash in {item.kind}: {item.text[:160]!r}")
    return sorted(set(found))


MANAGER = "send.manager@council.gov.uk"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled data, then what a month's work adds: a manager's upload from a file and commentary with its author
    and time (where a version id, a UTC stamp or a file's layout would show)."""
    path = tmp_path_factory.mktemp("plain") / "store"
    store = open_store(path)
    init_store(store)
    rows = b"kpi_id,period,value,note\nehcps,2025-01,4460,\n"
    preview = preview_bytes(rows, "jan25_scorecard.csv", store, store_catalogue(store))
    assert not preview.errors, preview.errors
    commit_preview(store, preview, author=MANAGER)
    for scorecard, kpi_id, period in (("scorecard", "ehcps", "2025-01"), ("scorecard", "", "2025-01"),
                                      ("board", "", "2024-03")):
        save_comment(store, Comment(scorecard=scorecard, kpi_id=kpi_id, period=period, text="Up on last month.",
                                    author=MANAGER))
    return str(path)


def _sweep(page: str) -> list[Shown]:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    switch_to(at, page).run()
    assert not at.exception, at.exception
    return list(collect(at._tree))


@pytest.mark.parametrize("page", [
    pytest.param(p.url_path, marks=pytest.mark.skip(reason=NOT_YET[p.url_path])) if p.url_path in NOT_YET else p.url_path
    for p in pages()
])
def test_a_page_speaks_plain_words(store_dir: str, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("SENDLIB_STORE", store_dir)
    items = _sweep(page)
    assert items, "the sweep found nothing on the page"
    assert problems(items) == []
    updated = [shown(i.text) for i in items if "Figures last updated" in shown(i.text)]
    assert all(f"by {MANAGER}, from jan25_scorecard.csv" in u for u in updated), "the last update by person and file"


@pytest.mark.parametrize(("item", "flagged"), [
    (Shown("caption", "Data version 000006, loaded 2026-12-07 14:02 UTC"), True),
    (Shown("caption", "sha256 9e76aa01"), True),
    (Shown("markdown", "See the README to restrict this"), True),
    (Shown("markdown", "set it as `[cases] key` in `.streamlit/secrets.toml`"), True),
    (Shown("dataframe heading", "kpi_id"), True),
    (Shown("markdown", "Person/Requests[1]/ActivePlans is missing"), True),
    (Shown("table cell", "None"), True),
    (Shown("dataframe cell", "nan"), True),
    (Shown("text_area label", "Commentary on EHCP\\: \\%"), True),
    (Shown("caption", "Cornwall (E06000052) has 100000 pupils; uploaded on 7 December 2026 at 14:02"), False),
    (Shown("dataframe cell", "not reported"), False),
    (Shown("markdown", "EHCP\\: \\% within 20 weeks"), False),
])
def test_the_sweep_finds_what_it_looks_for(item: Shown, flagged: bool) -> None:
    assert bool(problems([item])) is flagged
