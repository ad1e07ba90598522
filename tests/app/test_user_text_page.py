"""User text is text: commentary, its author, a KPI added on the upload page, an uploaded file's name and notes in the
data, each written as Markdown that would fetch from (or link to) another host, never reach a place where Streamlit
renders Markdown unescaped — on any page of the app."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.message import Message
from hostile_text import (
    AUTHOR,
    BIDI,
    BIDI_AUTHOR,
    BIDI_COMMENT,
    FILE_NAME,
    HOST,
    HOSTILE,
    KPI_NAME,
    write_bidi_text,
    write_hostile_text,
)
from page_runner import shown
from registry_nav import open_page
from store_files import copy_store
from streamlit.testing.v1 import AppTest

from explorer.menu import pages
from explorer.text import label_text, plain, plain_table
from sendlib.domain.paths import ROOT
from sendlib.domain.text import one_line, safe_text
from sendlib.store.delta import DeltaStore
from sendlib.workflows.stores import open_store

# What Markdown (or Streamlit's directives) would act on, were the text not escaped.
UNESCAPED = (HOST, ":red[", ":blue[", ":material/")
# A widget's label carries no escapes (`explorer.text.label_text`: its accessible name is read as given), so the host
# may stand in it as text; what would make a link, image, directive or autolink of it may not.
UNBROKEN_IN_LABEL = ("://", "](", "![", ":red[", ":blue[", ":material/", "www.")
WIDGETS = {"TextArea", "TextInput", "Checkbox", "Selectbox", "MultiSelect", "Radio", "PageLink", "Button",
           "DownloadButton", "NumberInput", "ButtonGroup", "Slider", "DateInput", "TimeInput", "Toggle"}
# Protos whose text is shown as it is (st.text, st.code) or is not Markdown (st.html is checked on its own).
NOT_MARKDOWN = {"Text", "Code", "Html", "Json", "ArrowVegaLiteChart", "Arrow", "ArrowNamedDataSet"}
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "title", "delta_description"}
# An element of st.html that would fetch from, or link to, another host.
REMOTE_TAG = re.compile(r"<(img|a|link|script|iframe|source)\b[^>]*\b(src|href)=[\"']?(https?:)?//", re.IGNORECASE)
PAGES = [p.url_path for p in pages()]  # every page of the registry


def test_plain_escapes_every_markdown_mark_and_breaks_autolinks() -> None:
    assert plain("No. of EHCPs") == r"No\. of EHCPs"
    assert plain(f"![p](http://{HOST}/x.png)") == "\\!\\[p\\]\\(http\\:\u2060\\/\\/127\\.0\\.0\\.1\\:9\\/x\\.png\\)"
    assert plain("[a](b) <b>\\ $x$ *y*") == r"\[a\]\(b\) \<b\>\\ \$x\$ \*y\*"
    assert plain(":red[a] :material/home:") == "\\:red\\[a\\] \\:material\\/home\\:"
    assert plain("www.example.org jo@example.org") == "www\u2060\\.example\\.org jo\u2060\\@example\\.org"
    assert plain("two\n\nlines  and\tspaces") == "two lines and spaces", "a label is one line"
    assert shown(plain("EHCP: % of plans, excl. exceptions")) == "EHCP: % of plans, excl. exceptions"
    table = plain_table(pd.DataFrame({"K.P.I": ["a*b", 3]}))
    assert list(table.columns) == [r"K\.P\.I"] and table.iloc[0, 0] == r"a\*b" and table.iloc[1, 0] == 3


def test_a_label_reads_as_typed_with_no_link_image_or_directive_left() -> None:
    """A widget's accessible name is its label as given: no escapes to be read aloud, and a word joiner (invisible)
    wherever a link, image, directive, icon or autolink would begin."""
    assert label_text("Commentary on EHCP: % of plans (excl. exceptions)") == (
        "Commentary on EHCP: % of plans (excl. exceptions)")
    assert label_text("[a](b) ![c](d)") == "[a]\u2060(b) !\u2060[c]\u2060(d)"
    hostile = label_text(HOSTILE)
    assert "\\" not in hostile and not any(mark in hostile for mark in UNBROKEN_IN_LABEL)
    assert shown(hostile) == " ".join(HOSTILE.split()), "what is shown is what was typed"


@pytest.fixture(scope="module")
def hostile_built(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled store with the hostile text written into it, once for the module: each test gets a copy."""
    path = tmp_path_factory.mktemp("hostile") / "store"
    copy_store(built_store.root, path)
    write_hostile_text(open_store(path))
    return path


@pytest.fixture
def hostile_store(hostile_built: Path, store_dir: Path) -> Path:
    """A private copy of it in the place the app opens ($SENDLIB_STORE, set by `store_dir`)."""
    shutil.rmtree(store_dir)
    copy_store(hostile_built, store_dir)
    return store_dir


def _markdown_in(message: Message) -> Iterator[str]:
    """Every string of a proto (and its sub-messages) that Streamlit's front end renders as Markdown."""
    if message.DESCRIPTOR.name in NOT_MARKDOWN:
        return
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Message):
                yield from _markdown_in(item)
            elif isinstance(item, str) and field.name in MARKDOWN_FIELDS:
                yield _as_label(item) if field.name == "label" and message.DESCRIPTOR.name in WIDGETS else item


def _as_label(label: str) -> str:
    """A widget label, for the check below: fine as long as nothing in it would make a link, image or directive."""
    return label.replace(HOST, "") if not any(mark in label for mark in UNBROKEN_IN_LABEL) else label


def markdown_texts(at: AppTest) -> list[str]:
    """Markdown of every element and container on the page (main and sidebar) and of every st.table cell."""
    texts = [text for node in [*at.main, *at.sidebar] if node.proto is not None for text in _markdown_in(node.proto)]
    for table in at.table:
        frame = table.value
        texts += [str(c) for c in frame.columns] + [v for v in frame.to_numpy().ravel() if isinstance(v, str)]
    return texts


def unescaped(at: AppTest) -> list[str]:
    found = [t for t in markdown_texts(at) if any(mark in t for mark in UNESCAPED)]
    found += [h.proto.body for h in at.get("html") if REMOTE_TAG.search(h.proto.body)]
    return found


@pytest.mark.parametrize("page", PAGES)
def test_no_page_renders_user_text_as_markdown(hostile_store: Path, page: str) -> None:
    at = open_page(page)
    assert unescaped(at) == []


def test_the_hostile_text_is_shown_as_text(hostile_store: Path) -> None:
    """The checks above are not vacuous: the text is on the pages, escaped or as plain text."""
    overview = open_page("app_pages/overview.py")
    assert HOSTILE in [t.value for t in overview.text], "the month's commentary, as text"
    assert any(plain(AUTHOR) in c.value for c in overview.caption), "its author, escaped"

    duty = open_page("statutory_duty")
    grid = duty.dataframe[0].value.set_index("Measure")
    assert KPI_NAME in grid.index, "the added KPI's grid row, as a cell's text"
    ehcps = open_page("measure", query={"id": "ehcps"})
    assert HOSTILE in [t.value for t in ehcps.text], "the commentary on its measure page"
    added = open_page("measure", query={"id": grid.loc[KPI_NAME, "Open"].split("id=")[1].split("&")[0]})
    assert unescaped(added) == []
    assert any(plain(KPI_NAME) in c.value for c in added.caption), "the chart's description"

    report = open_page("app_pages/board_report.py")
    assert "&lt;img src=http://127.0.0.1:9/i.png&gt;" in report.get("html")[0].proto.body


def test_the_upload_page_shows_a_hostile_file_name_and_kpi_name_as_text(hostile_store: Path) -> None:
    at = open_page("app_pages/upload.py")
    file = (FILE_NAME, f"KPI,Feb 25\n{KPI_NAME} again,4\n".encode(), "text/csv")
    at.file_uploader(key="upload-file").set_value(file).run()
    assert not at.exception, at.exception
    said = [e.value for e in [*at.error, *at.warning, *at.info, *at.markdown]]
    assert any(plain(FILE_NAME) in text for text in said), "the file named, as text, in what the page says of it"
    assert unescaped(at) == []

    again = (FILE_NAME, b"kpi_id,period,value\nehcps,2025-01,4460\n", "text/csv")
    at.file_uploader(key="upload-file").set_value(again).run()
    assert not at.exception, at.exception
    said = [e.value for e in [*at.caption, *at.markdown, *at.info, *at.success, *at.subheader]]
    assert any(plain(FILE_NAME) in text for text in said), "the file named, as text, in the preview"
    assert unescaped(at) == []


def test_a_dfe_release_named_by_a_user_is_text_on_how_we_compare(hostile_store: Path) -> None:
    at = open_page("app_pages/upload.py")
    raw = (ROOT / "tests" / "data" / "dfe_personal_budgets_revised.csv").read_bytes()
    at.file_uploader(key="upload-file").set_value((FILE_NAME, raw, "text/csv")).run()
    assert not at.exception, at.exception
    at.text_input(key="dfe-release").input(HOSTILE).run()
    at.button(key="dfe-confirm").click().run()
    assert not at.exception, at.exception
    assert unescaped(at) == []

    at.switch_page("app_pages/how_we_compare.py").run()
    at.selectbox(key="compare-measure").set_value("personal-budgets").run()
    at.selectbox(key="compare-period-personal-budgets").set_value("2025-01").run()
    assert not at.exception, at.exception
    assert any(plain(HOSTILE)[:40] in c.value for c in at.caption), "the release is named, as text"
    assert unescaped(at) == []


@pytest.fixture(scope="module")
def bidi_built(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled store with bidi overrides, isolates, newlines and an escape in an author, a file name, a note, a
    KPI's name and commentary, as a store written before the text rule holds them; once for the module."""
    path = tmp_path_factory.mktemp("bidi") / "store"
    copy_store(built_store.root, path)
    write_bidi_text(open_store(path))
    return path


@pytest.fixture
def bidi_store(bidi_built: Path, store_dir: Path) -> Path:
    shutil.rmtree(store_dir)
    copy_store(bidi_built, store_dir)
    return store_dir


def _strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str):
                yield item


def page_texts(at: AppTest) -> list[str]:
    """Every string of every element on the page (main and sidebar), and every cell and heading of its tables."""
    texts = [text for node in [*at.main, *at.sidebar] if node.proto is not None for text in _strings(node.proto)]
    for table in [*at.dataframe, *at.table]:
        frame = table.value
        texts += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return texts


@pytest.mark.parametrize("page", ["overview", "statutory_duty", "measure", "history", "board_report"])
def test_no_page_shows_a_bidi_control_or_a_split_author(bidi_store: Path, page: str) -> None:
    at = open_page(page, query={"id": "ehcps"} if page == "measure" else None)
    texts = page_texts(at)
    assert [t for t in texts if any(c in BIDI or c == "\x1b" for c in t)] == []
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "\u202e" not in captions
    if page in ("overview", "measure"):
        assert one_line(BIDI_AUTHOR) in captions, "the author in the byline, on one line, the override shown"
        assert safe_text(BIDI_COMMENT) in [t.value for t in at.text], "the commentary, lines kept, override shown"
    if page == "history":
        assert any(one_line(BIDI_AUTHOR) in texts_ for texts_ in texts), "the upload's author in the versions table"
