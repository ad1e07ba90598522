"""sendlib.extracts: filters hold exactly; every format holds the same rows; nothing runs as a formula."""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest

from sendlib.extracts import EXPORT_COLUMNS, ExtractQuery, extract, neutralise, to_bytes, to_csv_bytes, to_xlsx_bytes

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
            return v

    return sorted(tuple(cell(v) for v in row) for row in frame[EXPORT_COLUMNS].itertuples(index=False))


def test_each_format_holds_the_same_rows(table, catalogue):
    out = extract(table, catalogue, ExtractQuery(themes=["tribunals", "education", "quality"]))
    csv_back = pd.read_csv(io.BytesIO(to_bytes(out, "csv")), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    xlsx_back = pd.read_excel(io.BytesIO(to_bytes(out, "xlsx")), dtype=object)
    parquet_back = pd.read_parquet(io.BytesIO(to_bytes(out, "parquet")))
    expected = _as_text(out)
    assert len(expected) == len(out) > 0
    assert _as_text(csv_back) == expected
    assert _as_text(xlsx_back) == expected
    assert _as_text(parquet_back) == expected
