"""The long layout's column-wise path (a CSV pyarrow read) makes exactly what the row-by-row path makes: the same
records, the same errors with the same words in the same order, the same warnings and unknown measures, the same
table. And pyarrow's read of a CSV gives the rows the csv module gives, or leaves the file to it.

The row-by-row path here is the csv module's grid through `parse_long`: the reader and parser every CSV went
through before the fast path. No timing here: speed is bench/bench_long.py's.
"""

from __future__ import annotations

import csv
import io
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.values import UNITS, parse_plain_values, parse_value
from sendlib.files import readers
from sendlib.files.long import parse_long
from sendlib.files.parsed import MAX_ERRORS, Parsed
from sendlib.files.readers import FileRefused, Grid, read_grid

CATALOGUE = load_catalogue()
EHCPS = "No. of EHCPs"
PCT = "ehcps-statutory-school-age-pct"  # a percentage
DAYS = "b05-average-time-to-issue-excl-exceptions"  # days
SCORE = "b27-qa-audit-average-score"
HIGHER = "eef-2yo-overall"  # higher is better
CHILD = next(k for k in CATALOGUE if k.parent_id)


def csv_bytes(rows: list[list[object]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([["" if c is None else c for c in r] for r in rows])
    return out.getvalue().encode()


def row_by_row_grid(data: bytes, name: str) -> Grid:
    """The csv module's grid: what read_grid gave every CSV before pyarrow read any."""
    text = readers.decode_text(data, name)
    if not text.strip():
        raise FileRefused(f"{name} is empty")
    return readers._read_with_csv(text, name, readers._sniff_delimiter(text))


def table_or_refusal(parsed: Parsed) -> pd.DataFrame | type[Exception]:
    """The store's frame of the records, or what refuses it (a count too large to hold)."""
    try:
        return parsed.table()
    except (ValueError, OverflowError, TypeError) as exc:
        return type(exc)


def same_table(quick: Parsed, slow: Parsed) -> None:
    a, b = table_or_refusal(quick), table_or_refusal(slow)
    if isinstance(b, pd.DataFrame):
        assert isinstance(a, pd.DataFrame)
        pd.testing.assert_frame_equal(a, b)
    else:
        assert a is b


def same_parse(data: bytes, name: str = "long.csv", *, fast: bool = True) -> tuple[Parsed, Parsed]:
    """Both paths over one file, compared field by field (a dataclass equals only its own class); `fast`: pyarrow
    is expected to have read it."""
    grid = read_grid(data, name)
    assert (grid.columns is not None) is fast
    quick, slow = parse_long(grid, CATALOGUE), parse_long(row_by_row_grid(data, name), CATALOGUE)
    same_table(quick, slow)  # the fast path's frame made from its columns, before any dict is
    assert quick.layout == slow.layout
    assert [(str(e), e.kind) for e in quick.errors] == [(str(e), e.kind) for e in slow.errors]
    assert quick.errors == slow.errors  # file, row, column, raw, problem and kind, in order
    assert quick.warnings == slow.warnings
    assert quick.unknown == slow.unknown
    assert quick.records == slow.records
    same_table(quick, slow)  # and from the dicts, once they are made
    return quick, slow


HEADER = ["kpi_id", "period", "series", "value", "count", "note"]

# Every form a value cell takes, for each unit: read, noted, or refused.
FORMS = ["5", "1,234", "45.2", "45.2%", "45.2 %", "45.2% (24)", "45.2%(24)", "12% (1.5)", "5 (3)", "0.316", ".5", "0",
         "0.0", "-3", "−3", "+4", "100", "100.5", "150%", "-5%", "1.5", "007", "7143 ▲", "▼ 12", "▲", "38 weeks 4 days",
         "12 days", "3w", "n/a", "TBC", "requested", "-", "—", "KPI changed-see below", "High", "lots", "true", "1e5",
         "1e400", "9" * 400, " 12 ", "12\u00a0", "\u00a0", "1,23,4", "nan", "inf", "12%%", "(3)", ""]


@pytest.mark.parametrize("kpi", ["ehcps", PCT, DAYS, SCORE], ids=["count", "percent", "days", "score"])
def test_every_value_form_reads_alike(kpi: str) -> None:
    rows = [HEADER, *([kpi, f"{2000 + i // 12}-{i % 12 + 1:02d}", None, form, None, None] for i, form in enumerate(FORMS))]
    quick, _ = same_parse(csv_bytes(rows))
    assert quick.errors and quick.records  # some refused, some read


def test_every_error_kind_and_the_order_they_come_in() -> None:
    rows = [
        HEADER,
        ["ehcps", "2025-01", None, "5", None, None],
        ["unicorns", "2025-01", None, "1", None, None],  # unknown, with a closest-name hint
        ["ehcps", "2025-02", "forecast", "1", None, None],  # bad series
        ["ehcps", "2025-13", None, "1", None, None],  # bad period
        ["ehcps", None, None, "1", None, None],  # an actual with no period
        ["ehcps", None, "target", "4,100", None, None],  # an undated target: fine
        ["ehcps", "2025-03", None, "1", "1.5", None],  # count not whole
        ["ehcps", "2025-04", None, "lots", None, None],  # not a number
        ["ehcps", "2025-05", None, "12%", None, None],  # wrong unit
        ["ehcps", "2025-06", None, "-4", None, None],  # out of range
        [PCT, "2025-01", None, "101%", None, None],  # out of range
        ["ehcps", "Jan 25", None, "6", None, None],  # the same cell as row 2, spelled otherwise: a duplicate
        ["ehcps", "2025-04", None, "7", None, None],  # row 9 was refused, so this one is the first
        ["ehcps", "2025-04", None, "8", None, None],  # … and this its duplicate
        ["ehcps", "2025-07", None, None, None, "  checked   twice "],  # a note alone is a row
        ["ehcps", "2025-08", None, None, None, None],  # nothing at all is no row
        ["ehcps", "2025-08", None, "9", None, None],  # but it was seen: a duplicate
        [None, None, None, None, None, None],  # blank
        ["ehcps", "2025-09", None, "n/a", "3", "late"],
    ]
    quick, _ = same_parse(csv_bytes(rows))
    assert len({e.kind for e in quick.errors}) == 8


def test_measures_by_name_with_polarity_section_and_scorecard_columns() -> None:
    higher = CATALOGUE[HIGHER]
    rows = [
        ["KPI", "Period", "Series", "Value", "Good is", "Section", "Scorecard", "Description"],
        [EHCPS, "Q1 2024/25", None, "4", "H", "Plans", None, "ignored"],  # neutral: H disagrees
        [EHCPS, "Q2 2024/25", None, "5", "H", None, None, None],  # said once a measure
        ["no. of  ehcps", "YTD Mar-24", None, "6", None, None, "scorecard", None],
        [higher.name, "2024-01", None, "50%", "High", None, None, None],  # agrees
        [higher.name, "2024-02", None, "51%", "L", None, None, None],  # disagrees
        [CATALOGUE.qualified_name(CHILD), "2024-01", None, "3", None, None, None, None],  # a child by its parent
        ["Number of mediations held", "Q1 2024/25", None, "4", None, "Mediations", None, None],
        ["Number of mediations held", None, "target", "5", "L", None, None, None],
        ["Number of mediations held", "2025/26", "milestone", "4", None, None, None, None],
        ["Number of mediations held", None, "baseline", "7", None, None, None, None],
        ["number of  mediations held", "Q2 2024/25", None, "6", None, None, None, None],
        ["Average weeks to issue", "R12M Mar 24", None, "24.3", None, "Plans", None, None],
        [EHCPS, "2024/25", "England", "3", None, None, "board", None],  # not on the board: unknown
    ]
    quick, _ = same_parse(csv_bytes(rows))
    assert quick.warnings and len(quick.unknown) == 3


def test_more_errors_than_are_kept() -> None:
    rows = [["kpi_name", "period", "value"], *([f"No. of EHCPs {i}", "2025-01", "1"] for i in range(MAX_ERRORS + 20)),
            [EHCPS, "2025-01", "x"]]
    quick, _ = same_parse(csv_bytes(rows))
    assert len(quick.errors) == MAX_ERRORS and "closest known" in quick.errors[0].problem


def test_a_whole_file_of_good_rows_and_a_title_above_it() -> None:
    rows = [["Export of figures", "", "", ""], ["kpi_id", "period", "value", "note"],
            *([k.id, f"20{20 + i // 12}-{i % 12 + 1:02d}", "5", "checked" if i % 7 else None]
              for i in range(60) for k in list(CATALOGUE)[:20] if k.unit != "days")]
    quick, _ = same_parse(csv_bytes(rows))
    assert quick.records and not quick.errors


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # pandas', both paths alike
def test_a_count_too_large_for_a_column() -> None:
    rows = [HEADER, ["ehcps", "2025-01", None, "5", "99999999999999999999", None],
            [PCT, "2025-01", None, "5% (99999999999999999999)", None, None], ["ehcps", "2025-02", None, "6", None, None]]
    same_parse(csv_bytes(rows))


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "utf-8-sig"), ("\t", "cp1252"), (",", "utf-8")])
def test_separators_and_encodings(delimiter: str, encoding: str) -> None:
    rows = [HEADER, ["ehcps", "2025-01", None, "5", None, "café – £5"], ["ehcps", "2025-02", None, "6", None, None]]
    same_parse(csv_bytes(rows, delimiter).decode().encode(encoding))


@pytest.mark.parametrize("text", [
    "kpi_id,period,value\nehcps,2025-01,5\n\nehcps,2025-02,6\n",  # a blank line: row numbers would shift
    'kpi_id,period,value,note\nehcps,2025-01,5,"two\nlines"\nehcps,2025-02,6,\n',  # a record over two lines
    'kpi_id,period,value\nehcps,2025-01,5 "x"\n',  # a quote inside a cell
    "kpi_id,period,value\nehcps,2025-01\n",  # rows of different widths
    "kpi_id,period,value\nehcps,2025-01,5\x00\n",  # a NUL: the csv module refuses it
])
def test_what_pyarrow_leaves_to_the_csv_module(text: str) -> None:
    data = text.encode()
    try:
        same_parse(data, fast=False)
    except FileRefused as exc:
        with pytest.raises(FileRefused, match=str(exc)[:20]):
            row_by_row_grid(data, "long.csv")


def test_the_limits_still_refuse_at_the_row() -> None:
    with pytest.raises(FileRefused, match="more than 250,000 rows"):
        read_grid(("kpi_id,period,value\n" + "ehcps,2025-01,5\n" * readers.MAX_ROWS).encode(), "big.csv")
    with pytest.raises(FileRefused, match="more than 1,500,000 cells"):
        read_grid(((",".join(["x"] * 7) + "\n") * 220_000).encode(), "wide.csv")


def test_the_lazy_rows_are_the_csv_modules_rows() -> None:
    data = csv_bytes([HEADER, *(["ehcps", f"2025-{m:02d}", None, " 5 ", None, None] for m in range(1, 13))] * 10)
    grid = read_grid(data, "long.csv")
    slow = row_by_row_grid(data, "long.csv")
    assert grid.rows[3] == slow.rows[3] and grid.rows[-1] == slow.rows[-1] and grid.rows[:5] == slow.rows[:5]
    assert grid.rows_at([7, 2]) == [slow.rows[7], slow.rows[2]]
    assert grid.rows == slow.rows and list(grid.numbers) == slow.numbers and len(grid.rows) == len(slow.rows)


def test_plain_values_are_parse_values_own_reading() -> None:
    import numpy as np
    import pyarrow as pa

    for unit in UNITS:
        read = parse_plain_values(pa.array(FORMS), np.full(len(FORMS), UNITS.index(unit)))
        for cell, done, value, count in zip(FORMS, read.read, read.value, read.count, strict=True):
            if done:
                found = parse_value(cell or None, unit)
                assert (found.value, found.count, found.note) == (None if np.isnan(value) else value,
                                                                    None if count < 0 else count, None), (cell, unit)


# --- generated long files, both paths ----------------------------------------------------------------------

EXPLORE = bool(os.environ.get("SENDLIB_FUZZ_EXPLORE"))
IDS = [k.id for k in CATALOGUE][:30] + [PCT, DAYS, SCORE, HIGHER, "unicorns", " ehcps ", ""]
NAMES = [k.name for k in CATALOGUE][:20] + [CATALOGUE.qualified_name(CHILD), "no. of  EHCPS", "Widgets", ""]
PERIODS = ["2025-01", "2025-02", "Jan 25", "Feb-25", "2024/25", "Q1 2024/25", "YTD Mar-24", "2024", "2025-13", "Q1 2024",
           "", " 2025-03 "]
SERIES_CELLS = ["", "actual", "target", "Target", "baseline", "milestone", "SN", "England", "forecast", " national "]
values = st.one_of(
    st.sampled_from(FORMS),
    st.integers(0, 10**6).map(str),
    st.floats(0, 120, allow_nan=False).map(lambda f: f"{f:.1f}"),
    st.floats(0, 120, allow_nan=False).map(lambda f: f"{f:.2f}%"),
    st.tuples(st.floats(0, 100), st.integers(0, 500)).map(lambda t: f"{t[0]:.1f}% ({t[1]})"),
    st.integers(0, 10**7).map(lambda i: f"{i:,}"),
)
COLUMN_CELLS = {
    "kpi_id": st.sampled_from(IDS),
    "kpi_name": st.sampled_from(NAMES),
    "KPI": st.sampled_from(NAMES),
    "period": st.sampled_from(PERIODS),
    "value": values,
    "series": st.sampled_from(SERIES_CELLS),
    "count": st.sampled_from(["", "0", "3", "1,234", "1.5", "3.0", "-1", "x", " 4"]),
    "note": st.sampled_from(["", "checked", "  two  words ", "n/a"]),
    "polarity": st.sampled_from(["", "H", "L", "High", "lower is better", "maybe"]),
    "scorecard": st.sampled_from(["", "scorecard", "board", "other"]),
    "section": st.sampled_from(["", "Plans", "Mediations"]),
}


@st.composite
def long_files(draw: st.DrawFn) -> bytes:
    """A long CSV of a few columns in any order, its cells drawn from what the catalogue knows and what it does not;
    a row is sometimes copied (a duplicate) or blank."""
    name = draw(st.sampled_from(["kpi_id", "kpi_name", "KPI", "kpi_id+kpi_name"]))
    extra = draw(st.lists(st.sampled_from(["series", "count", "note", "polarity", "scorecard", "section"]), unique=True))
    header = draw(st.permutations([*name.split("+"), "period", "value", *extra]))
    rows = [[draw(COLUMN_CELLS[c]) for c in header] for _ in range(draw(st.integers(0, 25)))]
    for _ in range(draw(st.integers(0, 3))):
        if rows:
            rows.insert(draw(st.integers(0, len(rows))), list(draw(st.sampled_from(rows))))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), [""] * len(header))
    return csv_bytes([header, *rows], draw(st.sampled_from([",", ";", "\t"])))


def both_paths(data: bytes) -> None:
    try:
        grid = read_grid(data, "gen.csv")
    except FileRefused:
        return
    same_parse(data, fast=grid.columns is not None)


GENERATED = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow])
# 100 examples keep `make test` (which runs the fuzz tier too) inside its 10 minutes; SENDLIB_FUZZ_EXPLORE=1 runs 2,000.
FUZZ = settings(max_examples=2_000 if EXPLORE else 100, deadline=None, derandomize=not EXPLORE, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@GENERATED
@given(long_files())
def test_generated_long_files_read_alike(data: bytes) -> None:
    both_paths(data)


@pytest.mark.fuzz
@FUZZ
@given(long_files())
def test_many_generated_long_files_read_alike(data: bytes) -> None:
    both_paths(data)


# --- generated CSV text: pyarrow's rows are the csv module's ----------------------------------------------------

csv_cell = st.one_of(
    st.sampled_from(["", " ", "x", "1,234", '"', 'a"b', '""', "a\nb", "a\rb", "\u00a0", "\x1c", "\ufeff", "é", "  y  ",
                     ";", "\t", "\r\n"]),
    st.text(st.characters(exclude_characters="\x00"), max_size=6),
)


@st.composite
def csv_texts(draw: st.DrawFn) -> bytes:
    """CSV as tools write it (quoted or not) and as people do (by hand, quotes and separators left in cells)."""
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(csv_cell, min_size=width, max_size=width), min_size=1, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator=end,
                   quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows(rows)
        text = out.getvalue()
    else:
        text = end.join(delimiter.join(r) for r in rows) + draw(st.sampled_from(["", end, end + end]))
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252"])), errors="replace")


def same_rows(data: bytes) -> None:
    try:
        slow = row_by_row_grid(data, "t.csv")
    except FileRefused as exc:
        with pytest.raises(FileRefused) as info:
            read_grid(data, "t.csv")
        assert str(info.value) == str(exc)
        return
    grid = read_grid(data, "t.csv")
    assert list(grid.rows) == slow.rows
    assert list(grid.numbers) == slow.numbers


@GENERATED
@given(csv_texts())
def test_generated_csv_text_reads_as_the_csv_module_reads_it(data: bytes) -> None:
    same_rows(data)


@pytest.mark.fuzz
@FUZZ
@given(csv_texts())
def test_much_generated_csv_text_reads_as_the_csv_module_reads_it(data: bytes) -> None:
    same_rows(data)
