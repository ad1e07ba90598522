"""sendlib.domain.benchmarks: DfE benchmarks equal the scorecard's hand-typed ones, and an independent calculation.

The independent calculation reads DfE's original CSVs and workbooks in ../shared/dfe with the csv module and
openpyxl — none of sendlib's readers — so a mistake in ours cannot hide in both.
"""

from __future__ import annotations

import csv
import math
import subprocess

import openpyxl
import pandas as pd
import pytest
from shared_files import DFE_DIR, requires_dfe

from sendlib.domain.benchmarks import CLI_COLUMNS, LaNotFound, compute, load_mappings, local_differences, resolve_la
from sendlib.workflows.dfe_releases import benchmarks_for_store, ensure_dfe

PLACEMENTS = ["ehcps-mainstream-pct", "ehcps-special-independent-pct", "ehcps-post16-specialist-pct", "ehcps-eotas-pct",
              "ehcps-ehe-pct"]
TYPED = {"national": "national", "statistical_neighbours": "statistical_neighbours", "regional": "regional"}


@pytest.fixture(scope="module")
def dfe(built_store):
    figures, groups = ensure_dfe(built_store)
    return figures.read(), groups.read()


@pytest.fixture(scope="module")
def mappings(catalogue):
    return load_mappings(catalogue=catalogue)


@pytest.fixture(scope="module")
def bcp(dfe, catalogue, mappings):
    return compute(*dfe, catalogue, mappings, la="Bournemouth, Christchurch and Poole", sn_set="2021")


def _value(rows: pd.DataFrame, kpi_id: str, period: str, series: str) -> float | None:
    hit = rows[(rows["kpi_id"] == kpi_id) & (rows["period"] == period) & (rows["series"] == series) & rows["primary"]]
    assert len(hit) == 1, (kpi_id, period, series, len(hit))
    value = hit["value"].iloc[0]
    return None if pd.isna(value) else float(value)


def test_january_2024_placements_equal_the_scorecards_typed_benchmarks(bcp, table):
    """The scorecard's Nat / SN / SW columns, typed by an analyst, are DfE's January 2024 figures (2021 groups)."""
    typed = table[(table["scorecard"] == "scorecard") & table["series"].isin(TYPED)]
    checked = 0
    for kpi_id in PLACEMENTS:
        for series in TYPED:
            expected = typed[(typed["kpi_id"] == kpi_id) & (typed["series"] == series)]["value"]
            assert len(expected) == 1, (kpi_id, series)
            computed = _value(bcp, kpi_id, "2024-01", series)
            if (kpi_id, series) == ("ehcps-post16-specialist-pct", "regional"):
                # Typed 2.1; DfE's January 2024 South West figure is 2.18 (2.2). 2.1 is January 2023's (2.13):
                # the one typed cell that is not the January 2024 figure. The explorer shows DfE's.
                assert round(computed, 1) == 2.2 and float(expected.iloc[0]) == 2.1
                assert round(_value(bcp, kpi_id, "2023-01", series), 1) == 2.1
                continue
            assert round(computed, 1) == float(expected.iloc[0]), (kpi_id, series, computed)
            checked += 1
    assert checked == 14


def test_the_neet_benchmarks_typed_have_england_and_region_swapped(bcp, table):
    """What the arithmetic found: the scorecard's NEET Nat 2.9 / SW 2.7 are DfE's region 2.9 and England 2.7."""
    assert round(_value(bcp, "ehcp-neet-16-25-pct", "2024-01", "national"), 1) == 2.7
    assert round(_value(bcp, "ehcp-neet-16-25-pct", "2024-01", "regional"), 1) == 2.9
    assert round(_value(bcp, "ehcp-neet-16-25-pct", "2024-01", "statistical_neighbours"), 1) == 1.9


# --- an independent calculation from DfE's own files -------------------------------------------------------

FILES = {"caseload": "ehcp_2025/caseload.csv", "requests": "ehcp_2025/requests.csv",
         "timeliness_20_week": "ehcp_2025/timeliness_20_week.csv", "annual_reviews": "ehcp_2025/annual_reviews.csv",
         "personal_budgets": "ehcp_2025/personal_budgets.csv", "sen2_mi": "ehcp_2022/sen2_mi.csv",
         "assessments": "ehcp_2025/assessments.csv"}


def _num(text: str | None) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


@pytest.fixture(scope="module")
def raw():
    """DfE's headline rows as plain dicts, by dataset (reads ../shared/dfe: the originals, on purpose)."""
    out = {}
    for dataset, name in FILES.items():
        with (DFE_DIR / name).open(encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("breakdown_topic", "All").startswith("All")
                    and r.get("breakdown", r.get("breakdown_topic", "All")) == r.get("breakdown_topic", "All")]
        out[dataset] = rows
    return out


@pytest.fixture(scope="module")
def groups():
    out = {}
    for sn_set, name in (("2021", "sn_april_2021.xlsx"), ("2025", "sn_may_2025.xlsx")):
        ws = openpyxl.load_workbook(DFE_DIR / "reference" / name, read_only=True, data_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        out[sn_set] = {str(r[0]): [str(r[c]) for c in range(5, 25, 2)] for r in rows[3:] if r[0] is not None}
    return out


def _figure(row: dict, mapping) -> float | None:
    if mapping.published:
        return _num(row.get(mapping.published))
    parts = [[_num(row.get(c)) for c in terms] for terms in (mapping.numerator, mapping.denominator)]
    if any(v is None for p in parts for v in p):
        return None
    num, den = sum(parts[0]), sum(parts[1])
    return num / den * 100 if den else None


def _expected(raw_rows, groups, mapping, time_period, la, sn_set, polarity):
    rows = [r for r in raw_rows if r["time_period"] == time_period]
    las = {r["old_la_code"]: r for r in rows if r["geographic_level"] == "Local authority"}
    home = las[la]
    national = next(r for r in rows if r["geographic_level"] == "National")
    region = next(r for r in rows if r["geographic_level"] == "Regional" and r["region_name"] == home["region_name"])
    theirs = [_figure(las[c], mapping) for c in groups[sn_set][la] if c in las]
    theirs = [v for v in theirs if v is not None]
    mine = _figure(home, mapping)
    values = [v for v in (_figure(r, mapping) for r in las.values()) if v is not None]
    better = (lambda v: v < mine) if polarity == "lower_better" else (lambda v: v > mine)
    return {
        "home_la": mine,
        "national": _figure(national, mapping),
        "regional": _figure(region, mapping),
        "statistical_neighbours": sum(theirs) / len(theirs) if theirs else None,
        "rank": None if mine is None else 1 + sum(1 for v in values if better(v)),
    }


CASES = [
    # (LA old code, dataset time_period, neighbour set): a spread of regions, sizes and years, both groupings
    ("383", "202425", "2025"), ("908", "202021", "2021"), ("202", "201819", "2021"), ("886", "2023", "2025"),
    ("941", "2024", "2021"), ("873", "2021", "2025"), ("810", "2016", "2021"),
]


@requires_dfe
@pytest.mark.parametrize(("la", "time_period", "sn_set"), CASES)
def test_any_la_and_year_agree_with_an_independent_calculation(dfe, catalogue, mappings, raw, groups, la, time_period, sn_set):
    computed = compute(*dfe, catalogue, mappings, la=la, sn_set=sn_set)
    compared = 0
    for mapping in mappings:
        if mapping.kind != "rate" or mapping.dataset not in FILES:
            continue
        rows = raw[mapping.dataset]
        if not any(r["time_period"] == time_period for r in rows):
            continue
        period = f"{time_period[:2]}{time_period[4:]}-01" if len(time_period) == 6 else time_period
        if mapping.dataset not in ("caseload", "personal_budgets") and len(time_period) == 6:
            continue
        if not any(r["time_period"] == time_period and r["old_la_code"] == la for r in rows):
            continue
        got = computed[(computed["measure"] == mapping.measure) & (computed["period"] == period)
                       & (computed["file_name"] == FILES[mapping.dataset].split("/")[1])].set_index("series")["value"]
        if got.empty:
            continue  # a higher-priority release covers this period for this measure
        expected = _expected(rows, groups, mapping, time_period, la, sn_set, catalogue[mapping.kpi_id].polarity)
        for series, value in expected.items():
            mine = got.get(series)
            mine = None if mine is None or pd.isna(mine) else float(mine)
            if value is None:
                assert mine is None, (mapping.measure, series, "published nothing, computed", mine)
            else:
                assert mine is not None and math.isclose(mine, value, rel_tol=1e-9), (mapping.measure, series, mine, value)
            compared += 1
    assert compared >= 10, f"only {compared} figures compared for {la} {time_period}"


def test_suppressed_figures_are_missing_with_their_reason_never_zero(dfe, catalogue, mappings):
    figures, _ = dfe
    twenty = next(m for m in mappings if m.measure == "twenty-week-excl" and m.dataset == "timeliness_20_week")
    hidden = figures[(figures["dataset"] == twenty.dataset) & (figures["indicator"] == twenty.published)
                     & (figures["geographic_level"] == "local_authority") & figures["symbol"].notna()]
    assert len(hidden), "DfE suppresses some authorities' 20-week rates"
    row = hidden.iloc[0]
    rows = compute(figures, dfe[1], catalogue, mappings, la=row["old_la_code"])
    own = rows[(rows["measure"] == "twenty-week-excl") & (rows["period"] == row["period"]) & (rows["series"] == "home_la")]
    assert own["value"].isna().all(), "never a zero"
    assert own["note"].iloc[0].startswith(f"{row['symbol']}: ")
    ranked = rows[(rows["series"] == "rank") & (rows["measure"] == "twenty-week-excl") & (rows["period"] == row["period"])]
    assert ranked.empty, "an authority with no figure has no rank"


def test_a_neighbour_mean_leaves_out_suppressed_neighbours_and_says_so(dfe, catalogue, mappings, bcp):
    notes = bcp[(bcp["series"] == "statistical_neighbours") & bcp["note"].notna()]
    assert len(notes)
    partial = notes[notes["value"].notna()].iloc[0]
    n = int(partial["note"].split(" of ")[1])
    assert 0 < n < 10 and ("not published" in partial["note"] or "did not exist" in partial["note"])
    empty = notes[notes["value"].isna()]
    assert (empty["note"].str.startswith("mean of 0 of 10")).all()


def test_rank_and_quartile_follow_polarity(bcp):
    rank = bcp[(bcp["kpi_id"] == "ehcps-special-independent-pct") & (bcp["period"] == "2024-01") & (bcp["series"] == "rank")]
    assert "1 = lowest and best" in rank["note"].iloc[0]
    quartile = _value(bcp, "ehcps-special-independent-pct", "2024-01", "quartile")
    r, n = rank["value"].iloc[0], rank["of"].iloc[0]
    quartile_of = bcp[(bcp["kpi_id"] == "ehcps-special-independent-pct") & (bcp["period"] == "2024-01")
                      & (bcp["series"] == "quartile")]["of"].iloc[0]
    assert 140 < n == quartile_of and quartile == 1 + (r - 1) * 4 // n
    assert "authorities" not in rank["note"].iloc[0]  # how many is a number, never text to parse back


def test_sources_name_dfe_the_release_and_the_period(bcp):
    row = bcp[(bcp["kpi_id"] == "ehcps-mainstream-pct") & (bcp["period"] == "2024-01")].iloc[0]
    assert row["source"] == "from DfE Education, health and care plans, reporting year 2025, January 2024 (caseload.csv)"


def test_the_home_la_is_found_by_name_or_either_code(dfe):
    for la in ("839", "E06000058", "bournemouth christchurch & poole", "  Bournemouth, Christchurch and Poole "):
        assert resolve_la(dfe[0], la).old_la_code == "839"
    with pytest.raises(LaNotFound, match="Nowhere"):
        resolve_la(dfe[0], "Nowhere")


def test_the_neighbour_groups_change_the_neighbour_mean(dfe, catalogue, mappings, bcp):
    newer = compute(*dfe, catalogue, mappings, la="839", sn_set="2025")
    old = _value(bcp, "ehcps-mainstream-pct", "2024-01", "statistical_neighbours")
    new = _value(newer, "ehcps-mainstream-pct", "2024-01", "statistical_neighbours")
    assert old != new
    assert _value(newer, "ehcps-mainstream-pct", "2024-01", "national") == _value(bcp, "ehcps-mainstream-pct", "2024-01", "national")


def test_local_figures_against_dfes(table, bcp, mappings):
    diffs = local_differences(table, bcp, mappings).set_index(["kpi_id", "period"])
    requests = diffs.loc[("requests", "2024")]
    local = table[(table["kpi_id"] == "requests") & (table["series"] == "actual") & table["period"].str.startswith("2024-")]
    assert len(local) == 12 and requests["local"] == local["value"].sum()
    assert requests["dfe"] == _value(bcp, "requests", "2024", "home_la")
    assert requests["difference"] == requests["local"] - requests["dfe"]
    ehcps = diffs.loc[("ehcps", "2024-01")]
    assert ehcps["local"] == float(table[(table["kpi_id"] == "ehcps") & (table["period"] == "2024-01")
                                         & (table["series"] == "actual")]["value"].iloc[0])


def test_every_mapping_names_a_known_kpi_and_dataset(mappings, catalogue, dfe):
    datasets = set(dfe[0]["dataset"])
    for m in mappings:
        assert m.kpi_id in catalogue and m.dataset in datasets, m
        present = set(dfe[0].loc[dfe[0]["dataset"] == m.dataset, "indicator"])
        assert m.indicators <= present, (m.measure, m.indicators - present)


def test_for_store_builds_the_dfe_tables_on_first_use(store, catalogue):
    rows = benchmarks_for_store(store, catalogue, la="839")
    assert (store.root / "delta" / "dfe" / "_delta_log").is_dir()
    assert set(rows["series"]) == {"national", "regional", "statistical_neighbours", "home_la", "rank", "quartile"}


def test_cli_benchmarks(built_store, tmp_path, python, paths):
    out = tmp_path / "b.csv"
    args = [python, "-m", "sendlib", "benchmarks", "--store", str(built_store.root), "--la", "E06000058",
            "--sn-groups", "2021", "--format", "csv", "-o", str(out)]
    done = subprocess.run(args, cwd=paths["root"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(out, encoding="utf-8-sig", dtype={"period": str})
    assert list(rows.columns) == CLI_COLUMNS
    sn = rows[(rows["kpi_id"] == "ehcps-mainstream-pct") & (rows["period"] == "2024-01")
              & (rows["series"] == "statistical_neighbours")]
    assert round(sn["value"].iloc[0], 1) == 41.2 and sn["source"].iloc[0].startswith("from DfE")
    blank = rows[rows["value"].isna()]
    assert len(blank) and blank["source"].str.contains(" — ", regex=False).all(), "every blank says why"
    bad = subprocess.run([*args[:6], "Atlantis", *args[8:]], cwd=paths["root"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Atlantis" in bad.stderr


def test_cli_load_takes_a_dfe_release(store, tmp_path, python, paths):
    path = tmp_path / "personal_budgets.csv"
    figures, _ = ensure_dfe(store)
    first = figures.head()
    rows = figures.read()
    src = rows[rows["dataset"] == "personal_budgets"]
    assert len(src)
    lines = ["time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
             "new_la_code,old_la_code,la_name,breakdown_topic,breakdown,personal_budget",
             "202526,Academic year,National,E92000001,England,,,,,,All personal budgets,All personal budgets,25000"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cmd = [python, "-m", "sendlib", "load", str(path), "--store", str(store.root), "--release", "Next year"]
    done = subprocess.run(cmd, cwd=paths["root"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "DfE version" in done.stdout and figures.head() != first
    assert set(figures.read().query("dataset == 'personal_budgets'")["release"]) == {"Next year"}
    assert figures.read(first).equals(rows)


def test_random_spot_checks_of_rank_are_consistent(bcp):
    ranks = bcp[bcp["series"] == "rank"]
    for _, r in ranks.sample(min(10, len(ranks)), random_state=4).iterrows():
        n = int(r["of"])
        assert 1 <= r["value"] <= n


def test_prepared_once_gives_every_authority_the_same_rows_as_from_scratch(dfe, catalogue, mappings):
    from sendlib.domain.benchmarks import prepare

    prepared = prepare(dfe[0], mappings)
    for la in ("839", "383", "202"):
        fresh = compute(*dfe, catalogue, mappings, la=la, sn_set="2025")
        quick = compute(*dfe, catalogue, mappings, la=la, sn_set="2025", prepared=prepared)
        pd.testing.assert_frame_equal(fresh, quick)
