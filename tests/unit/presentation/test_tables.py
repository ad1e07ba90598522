"""sendlib.presentation.tables: DfE's published benchmarks beside the local figures, worded so none is mistaken for local data."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib.domain.benchmarks import latest_benchmarks
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.trends import summarise
from sendlib.presentation.extracts import ExtractQuery, build_extract
from sendlib.presentation.tables import DFE_COLUMNS, dfe_table, extract_preview, summary_table
from sendlib.workflows.dfe_releases import benchmarks_for_store


@pytest.fixture(scope="module")
def latest(built_store, catalogue):
    return latest_benchmarks(benchmarks_for_store(built_store, catalogue, la="839"))


@pytest.fixture(scope="module")
def summary(table, catalogue):
    return summarise(table, catalogue)


def test_summary_table_gains_dfe_columns_with_source(summary, catalogue, latest):
    shown = summary_table(summary, catalogue, dfe=latest).set_index("KPI")
    assert set(DFE_COLUMNS.values()) <= set(shown.columns) and "DfE source" in shown.columns
    row = shown.loc["% of EHCPs in Mainstream"]
    expected = latest[(latest["kpi_id"] == "ehcps-mainstream-pct") & (latest["series"] == "national")].iloc[0]
    assert row["England (DfE)"] == f"{round(float(expected['value']), 1):.1f}%"
    assert row["England"] == "43.3%", "the scorecard's typed benchmark is kept as typed"
    assert row["DfE source"].startswith("from DfE Education, health and care plans") and "January 2025" in row["DfE source"]
    assert " of 151 authorities (1 = highest and best), quartile " in row["Rank (DfE)"]
    assert shown.loc["No. of SEN Support", ["England (DfE)", "DfE source"]].tolist() == ["not published", "no DfE equivalent"]


def test_without_dfe_the_table_is_as_before(summary, catalogue):
    assert "England (DfE)" not in summary_table(summary, catalogue).columns


def test_a_suppressed_figure_reads_not_published_with_its_reason(summary, catalogue, latest):
    hidden = latest.copy()
    mask = (hidden["kpi_id"] == "ehcps-ehe-pct") & (hidden["series"] == "regional")
    hidden.loc[mask, "value"] = pd.NA
    hidden.loc[mask, "note"] = "c: confidential: suppressed to protect individuals"
    row = summary_table(summary, catalogue, dfe=hidden).set_index("KPI").loc["% of children with an EHCP Electively Home Educated"]
    assert row["Region (DfE)"] == "not published"
    assert "Region (DfE): c: confidential" in row["DfE source"]


def test_the_overview_dfe_table_lists_every_benchmarked_kpi(catalogue, latest):
    shown = dfe_table(latest, catalogue)
    assert set(shown["KPI"]) == {catalogue.qualified_name(catalogue[k]) for k in latest["kpi_id"].unique()}
    assert shown["DfE source"].str.startswith("from DfE").all()
    board_only = dfe_table(latest, catalogue, ["board"])
    assert set(board_only["Scorecard"]) == {"Improvement board report"}


def test_the_extract_preview_speaks_words_not_keys(table: pd.DataFrame, catalogue: Catalogue) -> None:
    """The Extract page's preview: measures by name first (no kpi_id), periods and series in words, a missing figure
    "not reported" and a wide extract's section headings blank, never None or nan."""
    long = extract_preview(build_extract(table, catalogue, ExtractQuery(derived=True)).rows, catalogue)
    assert long.columns[0] == "Measure" and "kpi_id" not in long.columns
    assert {"Actual", "Target", "England"} <= set(long["Figure"])
    assert "undated" in set(long["Period"]) and "January 2025" in set(long["Period"])
    assert "not reported" in set(long["Value"].astype(str)) and "no note" in set(long["Note"])
    wide = extract_preview(build_extract(table, catalogue, ExtractQuery(layout="wide", scorecard="scorecard")).rows,
                           catalogue)
    for frame in (long, wide):
        cells = frame.astype(str).to_numpy().ravel()
        assert not {"None", "nan", "<NA>", "NaN"} & set(cells)
    section = wide.iloc[0]
    assert section.iloc[0] and set(section.iloc[1:]) == {""}
