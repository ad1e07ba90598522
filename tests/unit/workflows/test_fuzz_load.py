"""The fuzz tier: hypothesis writes files a manager might upload — scorecards, long and board files, DfE
releases, workbooks — then damages them, and each goes through the whole load path as the CLI takes it
(DfE sniff, read, parse, preview, commit).

Whatever the file, the answer is a new version or a refusal with a message: nothing but FileRefused or
ImportRefused may escape, and a refused file leaves the store byte-for-byte as it was.

Deterministic by default (the same examples every run); SENDLIB_FUZZ_EXPLORE=1 draws new ones, and more.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from store_files import copy_store

from sendlib.domain.catalogue import Catalogue, load_catalogue
from sendlib.files.dfe import is_dfe_file, read_dfe_file
from sendlib.files.readers import FileRefused
from sendlib.store.delta import DeltaStore
from sendlib.workflows.dfe_releases import load_dfe
from sendlib.workflows.load import ImportRefused, commit_preview, init_store, preview_bytes
from sendlib.workflows.stores import open_store

pytestmark = pytest.mark.fuzz

EXPLORE = bool(os.environ.get("SENDLIB_FUZZ_EXPLORE"))
FUZZ = settings(
    max_examples=1_000 if EXPLORE else 120,
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CATALOGUE = load_catalogue()
NAMES = sorted({k.name for k in CATALOGUE})[:40] + [CATALOGUE.qualified_name(k) for k in CATALOGUE if k.parent_id][:5]
IDS = sorted(k.id for k in CATALOGUE)[:40]
BOARD_NUMBERS = [str(k.order) for k in CATALOGUE.for_scorecard("board")][:10]
ARROWS = ["▲", "▼", "▶", "↑", "↓", "→", "△", "►"]
MONTHS = [f"{m} {y}" for y in ("24", "25") for m in ("Jan", "Feb", "Mar", "Apr", "Oct", "Dec")]
PERIODS = ["2024-01", "2025-02", "2024-13", "Feb 25", "2023/24", "2024", "Q1 2024", "01/02/2025", "Autumn 2024", "0000-00"]

# --- cells -------------------------------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(-10, 10**7).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.{abs(int(f)) % 4}f}"),
    st.integers(0, 10**9).map(lambda i: f"{i:,}"),
    st.sampled_from(["0.316", ".5", "1e400", "-0", "−3", "1,23,4", "99999999999999999999999", "nan", "inf"]),
)
percentages = st.one_of(
    st.floats(-5, 150, allow_nan=False).map(lambda f: f"{f:.2f}%"),
    st.tuples(st.floats(0, 100), st.integers(-1, 500)).map(lambda t: f"{t[0]:.2f}%({t[1]})"),
)
with_arrow = st.tuples(st.one_of(numbers, percentages), st.sampled_from(ARROWS), st.booleans()).map(
    lambda t: f"{t[0]} {t[1]}" if t[2] else f"{t[1]}{t[0]}")
words = st.sampled_from(["n/a", "TBC", "requested", "-", "—", "KPI changed-see below", "High", "Low", "38 weeks 4 days",
                         "12 days", "true", "#REF!", "=A1+1", "", " ", "\u00a0", '"', "a,b", "x\ny", "c", "z", ".."])
junk = st.text(st.characters(exclude_characters="\x00"), max_size=24)  # a NUL makes any file binary: see csv_files
cell = st.one_of(numbers, percentages, with_arrow, words, st.sampled_from(PERIODS), st.sampled_from(NAMES), junk)

# --- tables ------------------------------------------------------------------------------------------------

wide_header = st.tuples(
    st.lists(st.one_of(st.sampled_from(MONTHS), st.sampled_from(PERIODS), junk), min_size=0, max_size=6),
    st.lists(st.sampled_from(["Nat", "SN", "SW", "Target", "England", "Stat Neighbours"]), max_size=4),
).map(lambda t: ["KPI", *t[0], *t[1]])
long_header = st.tuples(
    st.sampled_from(["kpi_id", "kpi_name", "KPI ID"]),
    st.lists(st.sampled_from(["series", "count", "note", "scorecard", "extra"]), unique=True, max_size=4),
    st.randoms(use_true_random=False),
).map(lambda t: t[2].sample(h := [t[0], "period", "value", *t[1]], len(h)))
board_header = st.just(["No", "Measure", "Latest period", "Latest", "Previous period", "Previous", "Target",
                        "What does good performance look like?", "Notes"])
ees_header = st.lists(st.sampled_from(["time_identifier", "la_name", "old_la_code", "ehcplans", "breakdown_topic",
                                       "breakdown", "region_code"]), unique=True, max_size=5).map(
    lambda extra: ["time_period", "geographic_level", *extra])
header = st.one_of(wide_header, long_header, board_header, ees_header, st.lists(junk, max_size=4))
first_cell = st.one_of(st.sampled_from(NAMES), st.sampled_from(IDS), st.sampled_from(BOARD_NUMBERS),
                       st.sampled_from(["National", "Local authority", "Regional", "202324", "2024"]), cell, st.none())


@st.composite
def tables(draw: st.DrawFn) -> list[list[object]]:
    """A header row (maybe under title rows), then rows whose first cell is often a name the catalogue knows."""
    head = draw(header)
    titles = draw(st.lists(st.lists(junk, max_size=2), max_size=2))
    width = max(len(head), 1)
    body = draw(st.lists(
        st.tuples(first_cell, st.lists(cell, min_size=0, max_size=width + 1)).map(lambda t: [t[0], *t[1]]),
        max_size=12,
    ))
    return [*titles, head, *body]


# Files that are right, or nearly: each layout as its tools write it, with figures fitting each KPI's unit.
TOP_LEVEL = [k for k in CATALOGUE.for_scorecard("scorecard") if not k.parent_id]
BOARD = CATALOGUE.for_scorecard("board")
GOOD_MONTHS = [f"{m} 25" for m in ("Feb", "Mar", "Apr", "May", "Jun", "Jul")]


def figure(unit: str) -> st.SearchStrategy[str]:
    text = {
        "count": st.integers(0, 9_000).map(str),
        "percent": st.floats(0, 100).map(lambda f: f"{f:.1f}%"),
        "days": st.integers(0, 400).map(str),
        "score": st.floats(0, 10).map(lambda f: f"{f:.2f}"),
    }[unit]
    return st.one_of(text, st.tuples(text, st.sampled_from(ARROWS)).map(" ".join), st.sampled_from(["", "n/a", "TBC"]))


@st.composite
def wide_tables(draw: st.DrawFn) -> list[list[object]]:
    months = draw(st.lists(st.sampled_from(GOOD_MONTHS), min_size=1, max_size=3, unique=True))
    kpis = draw(st.lists(st.sampled_from(TOP_LEVEL), min_size=1, max_size=6, unique_by=lambda k: k.id))
    return [["KPI", *months, "Target"], *([k.name, *(draw(figure(k.unit)) for _ in range(len(months) + 1))] for k in kpis)]


@st.composite
def long_tables(draw: st.DrawFn) -> list[list[object]]:
    rows = draw(st.lists(st.tuples(st.sampled_from(TOP_LEVEL), st.sampled_from(GOOD_MONTHS)), min_size=1, max_size=8,
                         unique_by=lambda t: (t[0].id, t[1])))
    return [["kpi_id", "period", "value", "note"], *([k.id, month, draw(figure(k.unit)), draw(st.sampled_from(["", "checked"]))]
                                                     for k, month in rows)]


@st.composite
def board_tables(draw: st.DrawFn) -> list[list[object]]:
    kpis = draw(st.lists(st.sampled_from(BOARD), min_size=1, max_size=5, unique_by=lambda k: k.id))
    head = ["No", "Measure", "Latest period", "Latest", "Previous period", "Previous", "Target"]
    return [head, *([str(k.order), k.name, "Jun 25", draw(figure(k.unit)), "May 25", draw(figure(k.unit)), draw(figure(k.unit))]
                    for k in kpis)]


@st.composite
def ees_tables(draw: st.DrawFn) -> list[list[object]]:
    authorities = draw(st.lists(st.sampled_from([("839", "E06000058", "Bournemouth, Christchurch and Poole"),
                                                 ("800", "E06000022", "Bath and North East Somerset"),
                                                 ("801", "E06000023", "Bristol, City of")]), max_size=3, unique=True))
    periods = draw(st.lists(st.sampled_from(["202223", "202324", "2024"]), min_size=1, max_size=2, unique=True))
    value = st.one_of(st.integers(0, 99_999).map(str), st.sampled_from(["c", "x", "z", "low", "1,071", "4.40%"]))
    head = ["time_period", "time_identifier", "geographic_level", "country_code", "old_la_code", "new_la_code", "la_name",
            "ehcplans", "personal_budget_total"]
    rows = [[tp, "Calendar year", "National", "E92000001", "", "", "", draw(value), draw(value)] for tp in periods]
    rows += [[tp, "Calendar year", "Local authority", "E92000001", old, new, name, draw(value), draw(value)]
             for tp in periods for old, new, name in authorities]
    return [head, *rows]


@st.composite
def nearly_right(draw: st.DrawFn) -> list[list[object]]:
    """A right file, then up to two of its cells replaced by anything at all."""
    rows = draw(st.one_of(wide_tables(), long_tables(), board_tables(), ees_tables()))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r])))
        rows[r] = [*rows[r][:c], draw(cell), *rows[r][c + 1:]]
    return rows


@st.composite
def appeal_tables(draw: st.DrawFn) -> list[list[object]]:
    """DfE's tribunal appeal-rate table: a title naming it, a `Local Authority` row of years, authorities down."""
    years = draw(st.lists(st.sampled_from(["2021", "2022", "2023", "20x4"]), min_size=1, max_size=3))
    heading = ["Local Authority", "Code"] + [c for y in years for c in (y, "", "")]
    body = draw(st.lists(st.tuples(
        st.one_of(st.sampled_from(["SOUTH WEST", "England total", "England total (excluding)", "Poole 1,2"]), cell),
        st.one_of(st.sampled_from(["839", "800", ""]), cell),
        st.lists(st.one_of(st.sampled_from(["-", "12", "3.5%", "x", "c"]), cell), max_size=3 * len(years) + 1),
    ).map(lambda t: [t[0], t[1], *t[2]]), max_size=8))
    return [["Appeal rate by local authority"], heading, draw(st.lists(cell, max_size=3)), *body]


any_table = st.one_of(tables(), nearly_right(), nearly_right())


# --- CSV bytes ---------------------------------------------------------------------------------------------

def _encode(text: str, encoding: str) -> bytes:
    if encoding == "mixed":
        lines = text.split("\n")
        return b"\n".join(line.encode("utf-8" if i % 2 else "cp1252", errors="replace") for i, line in enumerate(lines))
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", errors="replace")
    return text.encode(encoding, errors="replace")


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    rows = draw(st.one_of(any_table, any_table, appeal_tables()))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    buffer = io.StringIO()
    if draw(st.booleans()):
        csv.writer(buffer, delimiter=delimiter, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows(
            [["" if c is None else str(c) for c in row] for row in rows])
    else:  # written by hand, as some tools do: quotes and separators inside cells left as they are
        buffer.write("\n".join(delimiter.join("" if c is None else str(c) for c in row) for row in rows))
    data = _encode(buffer.getvalue(), draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "cp1252", "cp1252", "latin-1", "utf-16", "mixed"])))
    inserts = st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=3).map(lambda b: b.replace(b"\x00", b"\x81"))),
                       min_size=1, max_size=2)
    for position, byte in draw(inserts) if draw(st.sampled_from([True, False, False, False])) else []:
        position %= len(data) + 1
        data = data[:position] + byte + data[position:]
    name = draw(st.sampled_from(["upload.csv"] * 16 + ["upload.txt", "upload.tsv", "upload.xlsx", "upload.xls", "upload"]))
    return data, name


# --- XLSX bytes --------------------------------------------------------------------------------------------

xlsx_value = st.one_of(
    cell.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(-10**6, 10**12),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.times(),
    st.booleans(),
    st.none(),
)
FORMULAS = ["=1+1", "=A1*2", '=IF(1,"","")', "=SUM(B2:B3)"]
# Weighted by repetition: hypothesis favours small integers and first choices, which would put a formula in
# every workbook (and every workbook with one is refused).
CELL_KINDS = st.sampled_from(["text"] * 89 + ["typed"] * 80 + ["any"] * 20 + ["formatted"] * 10 + ["formula"])
FORMATS = ["General", "0.0%", "0%", "0.00", "dd/mm/yyyy", "mmm yy", "[h]:mm", "@"]


def as_typed_in_excel(text: str) -> tuple[object, str | None]:
    """`4,501` → 4501 and `49.2%` → 0.492 formatted `0.0%`, as Excel keeps what a person typed."""
    body = text.replace(",", "").strip()
    try:
        if body.endswith("%"):
            return float(body[:-1]) / 100, "0.0%"
        number = float(body)
    except ValueError:
        return text, None
    return (int(number) if number.is_integer() and abs(number) < 1e15 else number), None


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[bytes, str]:
    book = openpyxl.Workbook()
    for index in range(draw(st.integers(1, 2))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = draw(st.sampled_from(["Data", "About", "Scorecard", "Sheet 2", "Board"])) + str(index)
        for r, row in enumerate(draw(any_table), start=1):
            for c, text in enumerate(row, start=1):
                if text is None:
                    continue
                value, fmt = text, None
                kind = draw(CELL_KINDS)
                if kind == "formula":
                    value = draw(st.sampled_from(FORMULAS))
                elif kind == "any":
                    value = draw(xlsx_value)
                elif kind == "typed":
                    value, fmt = as_typed_in_excel(str(text))
                target = sheet.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
                if isinstance(value, str) and kind != "formula":
                    target.data_type = "s"  # typed text, even `=A1+1`
                if fmt or kind == "formatted":
                    target.number_format = fmt or draw(st.sampled_from(FORMATS))
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    damage = draw(st.sampled_from(["none"] * 12 + ["truncate", "flip"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    return data, draw(st.sampled_from(["upload.xlsx"] * 15 + ["upload.csv"]))


# --- the load path -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "store"
    init_store(open_store(path), CATALOGUE)
    return path


def load_as_the_cli_does(data: bytes, name: str, store: DeltaStore, catalogue: Catalogue) -> str:
    """`python -m sendlib load`: a DfE release goes to the DfE tables, anything else through the preview.
    Returns what happened, for hypothesis' statistics (`--hypothesis-show-statistics`)."""
    if is_dfe_file(data, name):
        load_dfe(store, read_dfe_file(data, name))
        return "DfE file loaded"
    preview = preview_bytes(data, name, store, catalogue)
    info = commit_preview(store, preview)
    return f"{preview.layout} layout {'loaded' if info else 'changed nothing'}"


def check_never_crashes(built: Path, snapshot: Callable[[Path], dict[str, str]], data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "store"
        copy_store(built, root)
        store = open_store(root)
        before = snapshot(root)
        try:
            outcome = load_as_the_cli_does(data, name, store, CATALOGUE)
        except (FileRefused, ImportRefused) as exc:
            event(f"refused: {type(exc).__name__} {str(exc)[:160]}")
            assert str(exc).strip(), "a refusal says why"
            assert snapshot(root) == before, "a refused file changed the store"
        else:
            event(outcome)
            store.read()  # what was written reads back


@FUZZ
@given(csv_files())
def test_any_csv_is_loaded_or_refused_with_a_message(built: Path, snapshot, file: tuple[bytes, str]) -> None:
    check_never_crashes(built, snapshot, *file)


@FUZZ
@given(xlsx_files())
def test_any_workbook_is_loaded_or_refused_with_a_message(built: Path, snapshot, file: tuple[bytes, str]) -> None:
    check_never_crashes(built, snapshot, *file)
