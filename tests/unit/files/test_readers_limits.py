"""Issue 10, "never lose a figure, never show a traceback": files that used to crash, hang or be stored
garbled are answered, bounded and refused with a message naming what is wrong."""

from __future__ import annotations

import io
import re
import time
import zipfile

import openpyxl
import pytest

from sendlib.domain.catalogue import load_catalogue
from sendlib.files import readers
from sendlib.files.dfe import is_dfe_file, read_dfe_file
from sendlib.files.readers import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    FileRefused,
    decode_text,
    read_grid,
)
from sendlib.workflows.load import parse_bytes, preview_bytes
from sendlib.workflows.stores import open_store

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>kpi_id</t></is></c><c r="B1" t="inlineStr"><is><t>period</t></is></c>'
              b'<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>')


def workbook(rows: int = 0, *, row: bytes = b"", sheet_data: bytes | None = None) -> bytes:
    """An .xlsx written straight into a zip: `rows` copies of `row` under a long-layout header. Deflate
    squeezes repeated rows a thousandfold, as in the upload that never finished."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, text in _PARTS.items():
            archive.writestr(path, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            if sheet_data is not None:
                sheet.write(sheet_data)
            else:
                sheet.write(HEADER_ROW)
                block = row * 10_000
                for _ in range(rows // 10_000):
                    sheet.write(block)
                sheet.write(row * (rows % 10_000))
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


ROW = b"<row><c><v>1</v></c><c><v>2025</v></c><c><v>1</v></c></row>"
WORDY_ROW = b'<row><c t="inlineStr"><is><t>ehcps</t></is></c><c t="inlineStr"><is><t>2025-01</t></is></c><c><v>1</v></c></row>'


def unzipped(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(i.file_size for i in archive.infolist())


# --- 1. the DfE sniff answers, never raises -------------------------------------------------------------

def test_a_binary_file_named_csv_is_not_dfe_and_is_refused_with_a_message() -> None:
    data = b"\x89PNG\r\n\x1a\n\x81\x8d\x8f\x90\x9d" * 50
    assert is_dfe_file(data, "chart.csv") is False
    with pytest.raises(FileRefused, match="neither UTF-8 nor Windows-1252"):
        read_grid(data, "chart.csv")


def test_a_character_cut_by_the_sniffs_4_kb_head_is_not_an_error() -> None:
    header = "KPI,Feb 25\n● note,1\n"  # ● is E2 97 8F: 8F is no Windows-1252 character either
    data = (header + "x" * (4095 - len(header.encode())) + "é,1\n").encode()
    assert data[4095:4097] == "é".encode()  # the 4 KB head ends half way through é
    assert is_dfe_file(data, "scorecard.csv") is False
    assert read_grid(data, "scorecard.csv").rows[2][0].endswith("é")
    head = "time_period,geographic_level,note\n202324,National,"
    ees = (head + "x" * (4095 - len(head)) + "é\n").encode()
    assert ees[4095:4097] == "é".encode()
    assert is_dfe_file(ees, "ees.csv") is True


def test_dfe_reads_text_through_the_one_decoder() -> None:
    import sendlib.files.dfe as dfe

    assert not hasattr(dfe, "_decode")
    with pytest.raises(FileRefused, match=r"x\.csv: line 3 is not UTF-8"):
        read_dfe_file("time_period,geographic_level\ncafé,x\n".encode() + "caf\xe9,y\n".encode("cp1252"), "x.csv")


def test_a_broken_workbook_is_not_dfe() -> None:
    assert is_dfe_file(b"PK\x03\x04 not really a zip", "sn.xlsx") is False
    assert is_dfe_file(workbook(1_000_000, row=ROW), "sn.xlsx") is False


# --- 2. bounded work inside the 20 MB -------------------------------------------------------------------

def test_a_workbook_that_unzips_to_a_million_rows_is_refused_quickly(tmp_path) -> None:
    data = workbook(1_000_000, row=ROW)
    assert len(data) < 300_000 and unzipped(data) < readers.MAX_XLSX_UNCOMPRESSED
    store = open_store(tmp_path / "store")
    start = time.perf_counter()
    with pytest.raises(FileRefused, match=f"has more than {MAX_ROWS:,} rows; the largest file accepted has {MAX_ROWS:,} rows"):
        preview_bytes(data, "bomb.xlsx", store, load_catalogue())
    assert time.perf_counter() - start < 5
    assert not store.root.exists()


def test_rows_skipped_by_a_huge_row_number_still_count() -> None:
    """`<row r="900000">` makes openpyxl yield every missing row: counted while reading, not from the XML."""
    sheet = HEADER_ROW + b'<row r="900000"><c r="A900000"><v>1</v></c></row>'
    start = time.perf_counter()
    with pytest.raises(FileRefused, match=f"more than {MAX_ROWS:,} rows"):
        read_grid(workbook(sheet_data=sheet), "gap.xlsx")
    assert time.perf_counter() - start < 5


def test_a_workbook_that_unzips_too_large_is_refused_before_it_is_opened() -> None:
    data = workbook(1_000_000, row=WORDY_ROW)
    assert unzipped(data) > readers.MAX_XLSX_UNCOMPRESSED
    start = time.perf_counter()
    with pytest.raises(FileRefused, match=r"unzips to 107 MB; the largest workbook accepted unzips to 100 MB"):
        read_grid(data, "big.xlsx")
    assert time.perf_counter() - start < 1


def test_one_row_of_millions_of_cells_is_refused_from_the_xml() -> None:
    sheet = HEADER_ROW + b'<row r="2">' + b"<c><v>1</v></c>" * (MAX_CELLS + 1) + b"</row>"
    start = time.perf_counter()
    with pytest.raises(FileRefused, match=f"more than {MAX_CELLS:,} cells"):
        read_grid(workbook(sheet_data=sheet), "wide.xlsx")
    assert time.perf_counter() - start < 5


def test_too_many_shared_strings_are_refused_before_openpyxl_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_CELLS", 100)
    book = openpyxl.Workbook()
    for i in range(150):
        book.active.append([f"text {i}"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # openpyxl writes inline strings: make them shared
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{MAIN_NS}">'.encode() + b"<si><t>s</t></si>" * 150 + b"</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in parts.items():
            archive.writestr(path, content)
    with pytest.raises(FileRefused, match="more than 100 cells"):
        read_grid(buffer.getvalue(), "strings.xlsx")


def test_an_xlsx_with_a_row_too_wide_is_refused_naming_the_row() -> None:
    book = openpyxl.Workbook()
    book.active.append(["kpi_id", "period", "value"])
    book.active.append(list(range(MAX_COLUMNS + 1)))
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRefused, match=f"wide.xlsx, row 2, has more than {MAX_COLUMNS:,} columns"):
        read_grid(buffer.getvalue(), "wide.xlsx")


def test_a_stated_sheet_size_is_not_trusted() -> None:
    """A wrong `<dimension>` once cut every row to its width: the cells beyond it were lost."""
    sheet = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c>'
             b'<c r="C1" t="inlineStr"><is><t>c</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>')
    data = workbook(sheet_data=sheet)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<sheetData>", b'<dimension ref="A1:A2"/><sheetData>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in parts.items():
            archive.writestr(path, content)
    assert read_grid(buffer.getvalue(), "dim.xlsx").rows == [["a", "b", "c"], [1, None, None]]


@pytest.mark.parametrize(
    ("text", "limit", "words"),
    [("a\n" * (MAX_ROWS + 1), MAX_ROWS, "rows"), ("1," * MAX_COLUMNS + "1\n", MAX_COLUMNS, "columns")],
    ids=["rows", "columns"],
)
def test_a_csv_past_a_limit_is_refused_naming_it(text: str, limit: int, words: str) -> None:
    with pytest.raises(FileRefused, match=f"more than {limit:,} {words}; the largest file accepted has {limit:,} {words}"):
        read_grid(text.encode(), "big.csv")


def test_a_csv_past_the_cell_limit_stops_at_the_row_that_passes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_CELLS", 1_000)
    read_grid(("1,2,3,4\n" * 250).encode(), "fits.csv")
    with pytest.raises(FileRefused, match="more than 1,000 cells"):
        read_grid(("1,2,3,4\n" * 251).encode(), "over.csv")


def test_the_limits_are_above_the_largest_real_files() -> None:
    assert MAX_ROWS >= 200_000 and MAX_COLUMNS >= 240 and MAX_CELLS >= MAX_ROWS * 6  # a six-column long file
    assert readers.MAX_XLSX_UNCOMPRESSED > readers.MAX_UPLOAD_BYTES


# --- 3. an unknown KPI repeated row after row -----------------------------------------------------------

def test_closest_names_are_matched_once_per_distinct_unknown_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import difflib

    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    rows = "".join(f"no-such-kpi-{i % 3},2025-{i % 12 + 1:02d},{i}\n" for i in range(20_000))
    parsed = parse_bytes(f"kpi_id,period,value\n{rows}".encode(), "u.csv", load_catalogue())
    assert len(calls) == 3
    assert "unknown KPI" in parsed.errors[0].problem


def test_twenty_thousand_rows_of_distinct_unknown_names_take_no_time() -> None:
    rows = "".join(f"Made up name {i},2025-01,{i}\n" for i in range(20_000))
    start = time.perf_counter()
    parsed = parse_bytes(f"kpi_name,period,value\n{rows}".encode(), "u.csv", load_catalogue())
    assert time.perf_counter() - start < 5  # was 16 s: the hint was rebuilt for every row
    assert len(parsed.errors) == 200


def test_the_closest_known_hint_reads_the_same_in_every_layout() -> None:
    catalogue = load_catalogue()
    wide = parse_bytes(b"KPI,Feb 25\nNo. of EHCPz,4\n", "w.csv", catalogue)
    long = parse_bytes(b"kpi_name,period,value\nNo. of EHCPz,2025-02,4\n", "l.csv", catalogue)
    for parsed in (wide, long):
        assert "unknown KPI; closest known: 'No. of EHCPs'" in parsed.errors[0].problem


# --- 5. silent damage ------------------------------------------------------------------------------------

def test_a_csv_mixing_utf8_and_windows_1252_lines_is_refused_naming_the_line() -> None:
    lines = ["KPI,Feb 25", "No. of EHCPs,4", "note,café", "a,1", "b,2", "c,3"]
    data = "\n".join(lines).encode() + "\nd,caf\xe9\n".encode("cp1252")
    with pytest.raises(FileRefused, match=r"line 7 is not UTF-8 while earlier lines are .*save the file as UTF-8"):
        read_grid(data, "mixed.csv")
    backwards = "a,caf\xe9\n".encode("cp1252") + "b,café\n".encode()
    with pytest.raises(FileRefused, match="line 2 is UTF-8 while earlier lines are not"):
        decode_text(backwards, "backwards.csv")


def test_a_whole_windows_1252_file_is_still_read() -> None:
    data = "KPI;Feb 25\r\nnote;café – £5\r\n".encode("cp1252")
    assert read_grid(data, "ansi.csv").rows[1] == ["note", "café – £5"]


def _saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_formulas_nobody_calculated_are_refused_naming_the_cells() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Scorecard"
    book.active.append(["KPI", "Feb 25", "Mar 25"])
    for _ in range(5):
        book.active.append(["No. of EHCPs", 4, None])
    book.active["B7"] = "=B6+1"
    book.active["C7"] = "=B7*2"
    with pytest.raises(FileRefused, match=r"Scorecard!B7 =B6\+1, Scorecard!C7 =B7\*2.*Open it in Excel, save it"):
        read_grid(_saved(book), "uncalculated.xlsx")


def test_calculated_formulas_and_empty_text_results_are_read() -> None:
    book = openpyxl.Workbook()
    book.active.append(["KPI", "Feb 25"])
    book.active.append(["No. of EHCPs", "=1+1"])
    book.active.append(["note", '=IF(1,"","")'])
    data = _saved(book)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    # As Excel saves them: a number result cached in <v>, an empty text result typed "str".
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = re.sub(rb"<f>1\+1</f><v ?/>|<f>1\+1</f><v></v>", b"<f>1+1</f><v>2</v>", sheet)  # `<v />`; `<v></v>` with lxml
    sheet = sheet.replace(b'<c r="B3"><f>', b'<c r="B3" t="str"><f>')
    parts["xl/worksheets/sheet1.xml"] = sheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in parts.items():
            archive.writestr(path, content)
    assert read_grid(buffer.getvalue(), "calculated.xlsx").rows == [["KPI", "Feb 25"], ["No. of EHCPs", 2], ["note", None]]


def test_one_wide_row_over_many_narrow_ones_counts_as_the_rectangle_a_workbook_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook's rows are padded to its widest: 1,000 rows of one cell under a 100-cell row are 100,000 cells."""
    monkeypatch.setattr(readers, "MAX_CELLS", 10_000)
    sheet = b'<row r="1">' + b"<c><v>1</v></c>" * 100 + b"</row>" + b"<row><c><v>1</v></c></row>" * 1_000
    with pytest.raises(FileRefused, match="more than 10,000 cells"):
        read_grid(workbook(sheet_data=sheet), "padded.xlsx")
    csv_text = ",".join(["1"] * 100) + "\n" + "1\n" * 1_000  # a CSV's rows stay as written: 1,100 cells
    assert len(read_grid(csv_text.encode(), "ragged.csv").rows) == 1_001
