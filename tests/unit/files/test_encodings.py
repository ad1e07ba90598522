"""A CSV saved as Excel's "Unicode text" (UTF-16 with a byte-order mark), as UTF-16 big-endian or as UTF-32 is text,
not "binary": it loads with the same values as its UTF-8 twin. One that cannot be read says which encoding and what
to do, in a line."""

from __future__ import annotations

import codecs

import pytest

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.paths import ROOT
from sendlib.files.readers import FileRefused, read_grid
from sendlib.store.delta import DeltaStore
from sendlib.workflows.load import preview_bytes

TWIN = (ROOT / "tests" / "data" / "scorecard_new_month.csv").read_bytes().decode("utf-8-sig")
ENCODINGS = {
    "utf-16 le": codecs.BOM_UTF16_LE + TWIN.encode("utf-16-le"),
    "utf-16 be": codecs.BOM_UTF16_BE + TWIN.encode("utf-16-be"),
    "utf-32 le": codecs.BOM_UTF32_LE + TWIN.encode("utf-32-le"),
    "utf-8 bom": codecs.BOM_UTF8 + TWIN.encode("utf-8"),
}


@pytest.fixture(scope="module")
def utf8_preview(built_store: DeltaStore, catalogue: Catalogue) -> object:
    return preview_bytes(TWIN.encode("utf-8"), "scorecard.csv", built_store, catalogue)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_unicode_csv_loads_the_same_values_as_its_utf8_twin(encoding: str, built_store: DeltaStore,
                                                              catalogue: Catalogue, utf8_preview: object) -> None:
    preview = preview_bytes(ENCODINGS[encoding], "scorecard.csv", built_store, catalogue)
    assert not preview.errors, preview.errors[:3]
    assert "▲" in TWIN and preview.new + preview.revised > 0, "the twin has non-ASCII text and something to load"
    assert preview.incoming.equals(utf8_preview.incoming)  # type: ignore[attr-defined]
    assert (preview.new, preview.revised, preview.unchanged) == (
        utf8_preview.new, utf8_preview.revised, utf8_preview.unchanged)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("data", "words"), [
    (codecs.BOM_UTF16_LE + b"K\x00P\x00I\x00,\x00\x00\xd8a\x00", "starts as UTF-16 text but is not"),
    ("KPI,Feb 25\nEHCPs,4460\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
])
def test_unicode_that_cannot_be_read_is_named_with_what_to_do(data: bytes, words: str) -> None:
    with pytest.raises(FileRefused, match=words) as refused:
        read_grid(data, "figures.csv")
    assert "save it as CSV UTF-8" in str(refused.value) and "binary" not in str(refused.value)
