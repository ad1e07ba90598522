"""sendlib.files.dfe: DfE's files read faithfully, suppression kept as a reason, releases versioned in the store.

Some tests read DfE's original files in ../shared/dfe (they say so): the bundled compact copy must be exactly
what the reader makes of them, and a new release must load from the file DfE publishes.
"""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest
from shared_files import DFE_DIR, requires_dfe

from sendlib.domain.dfe import DFE_TABLE, SUPPRESSION
from sendlib.files.dfe import is_dfe_file, parse_cell, period_label, read_dfe_file
from sendlib.files.readers import FileRefused
from sendlib.workflows.dfe_releases import BUNDLED_DFE, BUNDLED_NEIGHBOURS, ensure_dfe, load_dfe


@pytest.mark.parametrize(
    ("raw", "value", "symbol"),
    [("1,071", 1071.0, None), ("4.40%", 4.4, None), ("0", 0.0, None), ("-0.5", -0.5, None), ("c", None, "c"),
     ("x", None, "x"), ("z", None, "z"), ("low", None, "low"), (" .. ", None, ".."), ("", None, "x"), ("~", None, "~")],
)
def test_a_cell_is_a_number_or_a_symbol_never_a_zero_for_a_symbol(raw, value, symbol):
    assert parse_cell(raw) == (value, symbol)


def test_every_symbol_has_a_reason():
    for symbol in ("x", "c", "z", "low", "u", ":", ".."):
        assert SUPPRESSION[symbol]


@pytest.mark.parametrize(
    ("dataset", "time_period", "label"),
    [("caseload", "202324", "2024-01"), ("personal_budgets", "201920", "2020-01"), ("requests", "2024", "2024"),
     ("annual_reviews", "202324", "2023/24"), ("caseload", "199900", "2000-01")],
)
def test_periods(dataset, time_period, label):
    assert period_label(dataset, time_period) == label


def test_a_garbage_period_is_refused():
    with pytest.raises(FileRefused, match="time_period"):
        period_label("caseload", "last year")


EES = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,"
    "old_la_code,la_name,breakdown_topic,breakdown,personal_budget,org_arrangments\n"
    "202425,Academic year,National,E92000001,England,,,,,,All personal budgets,All personal budgets,20346,2235\n"
    "202425,Academic year,Regional,E92000001,England,E12000009,South West,,,,All personal budgets,All personal budgets,1403,179\n"
    "202425,Academic year,Local authority,E92000001,England,E12000009,South West,E06000058,839,"
    '"Bournemouth, Christchurch and Poole",All personal budgets,All personal budgets,c,12\n'
    "202425,Academic year,Local authority,E92000001,England,E12000009,South West,E06000058,839,"
    '"Bournemouth, Christchurch and Poole",Sex,Boys,5,6\n'
)


def test_an_ees_file_keeps_headline_rows_and_symbols():
    read = read_dfe_file(EES.encode("utf-8-sig"), "personal_budgets.csv", release="Test release")
    rows = read.rows
    assert read.dataset == "personal_budgets" and read.kind == "ees"
    assert set(rows["geographic_level"]) == {"national", "regional", "local_authority"}
    assert len(rows) == 6, "the Boys breakdown row is left out"
    bcp = rows[(rows["old_la_code"] == "839") & (rows["indicator"] == "personal_budget")].iloc[0]
    assert pd.isna(bcp["value"]) and bcp["symbol"] == "c"
    assert bcp["period"] == "2025-01" and bcp["release"] == "Test release"
    assert "1 suppressed" in read.summary()


def test_windows_1252_and_a_dataset_found_by_its_columns():
    read = read_dfe_file(EES.replace("Poole", "Poole’s").encode("cp1252"), "download (3).csv")
    assert read.dataset == "personal_budgets"
    assert "Bournemouth, Christchurch and Poole’s" in set(read.rows["la_name"].dropna())


def test_not_a_dfe_file_is_refused_with_a_reason():
    assert not is_dfe_file(b"KPI,Dec 23,Jan 24\nNo. of EHCPs,1,2\n", "scorecard.csv")
    with pytest.raises(FileRefused, match="not an EES tidy file"):
        read_dfe_file(b"a,b\n1,2\n", "thing.csv")
    with pytest.raises(FileRefused, match="not a readable Excel"):
        read_dfe_file(b"not a zip", "sn.xlsx")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"time_period,geographic_level,breakdown_topic\n2024,National,All\n", "no figures"),  # and no breakdown column
        (b"time_period,geographic_level\n2024,National\n", "no figures"),
        (b"time_period,geographic_level,ehcplans\n2024,National,1\n2024,National,2\n", "the same cell twice"),
        (b'time_period,geographic_level,ehcplans\n2024,National,"1\n', "not a DfE file that can be read"),
        (b"Appeal rate\nLocal Authority,Code,2023\n\nPoole\n", "no authority rows"),  # a row of one cell
    ],
    ids=["breakdown-topic-alone", "no-indicators", "same-cell-twice", "broken-quote", "one-cell-row"],
)
def test_a_damaged_dfe_file_is_refused_not_a_traceback(data: bytes, problem: str):
    """Found by tests/test_fuzz_load.py: each of these raised KeyError, IndexError or pandas' errors."""
    with pytest.raises(FileRefused, match=problem):
        read_dfe_file(data, "ehcp.csv")


@requires_dfe
def test_appeal_rate_table_reads_as_published():
    """DfE's printed table (reads ../shared/dfe: the real layout, footnote digits in names, '..' and '-')."""
    path = DFE_DIR / "ehcp_2025" / "send_tribunal_appeal_rate_2014_2024.csv"
    read = read_dfe_file(path.read_bytes(), path.name)
    rows = read.rows.set_index(["old_la_code", "period", "indicator"])
    assert rows.loc[("839", "2024", "appeals_registered"), "value"] == 145
    assert rows.loc[("839", "2024", "appealable_decisions"), "value"] == 4977
    assert rows.loc[("839", "2024", "appeal_rate"), "value"] == 2.9
    before = rows.loc[("839", "2014", "appeal_rate")]
    assert pd.isna(before["value"]) and before["symbol"] == "..", "BCP did not exist in 2014: missing, not zero"
    assert rows.loc[("841", "2014", "appeals_registered"), "value"] == 0, "Darlington's '-' is nil (rate 0.00%)"
    national = read.rows[(read.rows["geographic_level"] == "national") & (read.rows["period"] == "2024")]
    assert national.set_index("indicator").loc["appeal_rate", "value"] == 3.2
    assert read.rows.loc[read.rows["old_la_code"] == "839", "region_name"].iloc[0] == "South West"


@requires_dfe
def test_neighbour_workbooks():
    """Both of DfE's groupings (reads ../shared/dfe: the workbooks as DfE publishes them)."""
    for name, expected in (("sn_april_2021.xlsx", ["882", "845", "866"]), ("sn_may_2025.xlsx", ["822", "882", "886"])):
        path = DFE_DIR / "reference" / name
        read = read_dfe_file(path.read_bytes(), name)
        bcp = read.rows[read.rows["old_la_code"] == "839"].sort_values("rank")
        assert read.kind == "neighbours" and read.dataset == name[-9:-5]
        assert bcp["neighbour_code"].tolist()[:3] == expected
        assert len(bcp) == 10


@requires_dfe
def test_the_bundled_copy_is_what_the_reader_makes_of_dfes_files():
    """data/dfe is rebuilt by scripts/build_dfe.py; it must equal a fresh read of the originals."""
    bundled = DFE_TABLE.normalise(pd.read_parquet(BUNDLED_DFE))
    path = DFE_DIR / "ehcp_2025" / "caseload.csv"
    fresh = read_dfe_file(path.read_bytes(), path.name).rows
    mine = bundled[bundled["dataset"] == "caseload"].drop(columns="release").reset_index(drop=True)
    assert mine.equals(fresh.drop(columns="release").reset_index(drop=True))
    with BUNDLED_NEIGHBOURS.open(encoding="utf-8") as fh:
        sets = {r["sn_set"] for r in csv.DictReader(fh)}
    assert sets == {"2021", "2025"}


def test_a_new_release_is_a_new_version_and_the_old_one_stays(store):
    values_head = store.head()
    figures, _ = ensure_dfe(store)
    first = figures.head()
    before = figures.read()
    newer = EES.replace("20346", "20999")
    info = load_dfe(store, read_dfe_file(newer.encode(), "personal_budgets.csv", release="Next release"))
    assert info is not None and info.parent == first
    now = figures.read()
    pb = now[now["dataset"] == "personal_budgets"]
    assert set(pb["release"]) == {"Next release"}, "the file replaces the dataset's rows"
    assert now[now["dataset"] == "caseload"].reset_index(drop=True).equals(
        before[before["dataset"] == "caseload"].reset_index(drop=True)), "other datasets are kept as they were"
    assert figures.read(first).equals(before), "the older release is still in history"
    again = load_dfe(store, read_dfe_file(newer.encode(), "personal_budgets.csv", release="Next release"))
    assert again is None, "the same file twice changes nothing"
    assert store.head() == values_head, "a DfE release is not a values version"


def test_values_upload_and_restore_leave_the_dfe_tables_alone(store):
    figures, groups = ensure_dfe(store)
    heads = (figures.head(), groups.head())
    store.restore(store.versions()[-1].id)
    assert (figures.head(), groups.head()) == heads


def test_value_is_float_and_nan_for_symbols():
    read = read_dfe_file(io.BytesIO(EES.encode()).getvalue(), "personal_budgets.csv")
    values = read.rows["value"].astype("float64")
    assert all(math.isnan(v) for v in values[read.rows["symbol"].notna()])
    assert not values[read.rows["symbol"].isna()].isna().any()
