"""The one rule for user text (`sendlib.domain.text`): what reorders, hides or forges text is shown as `[U+XXXX]`;
newlines stay in several-line text and fold to spaces in one-line text; everything else is left as typed."""

from __future__ import annotations

import pytest
from hostile_text import BIDI, BIDI_AUTHOR

from sendlib.domain.commentary import Comment
from sendlib.domain.text import one_line, safe_text
from sendlib.store.versioned import VersionInfo


@pytest.mark.parametrize("char", list(BIDI))
def test_every_bidi_control_is_shown_by_its_code_point(char: str) -> None:
    assert safe_text(f"a{char}b") == f"a[U+{ord(char):04X}]b"
    assert one_line(f"a{char}b") == f"a[U+{ord(char):04X}]b"


def test_controls_and_invisible_format_characters_are_shown() -> None:
    assert safe_text("red\x1b[31m bell\x07 nul\x00") == "red[U+001B][31m bell[U+0007] nul[U+0000]"
    assert safe_text("zero\u200bwidth soft\u00adhyphen bom\ufeff tag\U000e0041") == (
        "zero[U+200B]width soft[U+00AD]hyphen bom[U+FEFF] tag[U+E0041]")
    assert safe_text("lone \ud800") == "lone [U+D800]", "a lone surrogate, which UTF-8 cannot even write"


def test_text_as_people_write_it_is_unchanged() -> None:
    for text in ("Café, naïve — “quoted” 50% ▲ ✔", "مرحبا بالعالم", "עברית", "नमस्ते", "می‌خواهم",  # ZWNJ kept
                 "👨‍👩‍👧", "Two\nlines\tand a tab", "", "EHCPs: 4,460 (Jan 25)"):
        assert safe_text(text) == text


def test_line_breaks_become_newlines_in_several_lines_and_spaces_in_one() -> None:
    assert safe_text("a\r\nb\rc\u2028d\u2029e\x85f") == "a\nb\nc\nd\ne\nf"
    assert one_line("  Jo\nBloggs\t\r\n x  ") == "Jo Bloggs x"
    assert "\n" not in one_line(BIDI_AUTHOR) and "\t" not in one_line(BIDI_AUTHOR)


def test_the_rule_is_idempotent_so_text_cleaned_on_entry_reads_the_same_on_the_way_out() -> None:
    for text in (BIDI_AUTHOR, BIDI, "plain"):
        assert safe_text(safe_text(text)) == safe_text(text)
        assert one_line(one_line(text)) == one_line(text)


def test_commentary_and_version_records_take_the_rule_where_they_are_made() -> None:
    comment = Comment(scorecard="scorecard", period="2025-01", text="Fine.\u202e enif ton\nline two",
                      author="Jo\u202e\nBloggs")
    assert comment.text == "Fine.[U+202E] enif ton\nline two" and comment.author == "Jo[U+202E] Bloggs"
    info = VersionInfo(id="000001", created_at="2025-01-01", action="upload", rows=1, author=BIDI_AUTHOR,
                       file_name="a\u202e\nb.csv", message="m\tx")
    assert (info.author, info.file_name, info.message) == (one_line(BIDI_AUTHOR), "a[U+202E] b.csv", "m x")
