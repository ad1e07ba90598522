"""AppTest runs of "How we compare" and of a DfE release uploaded on the Upload page.

Expected figures come from `sendlib.benchmarks.compute` on the same store (the page must show what the library
computes), plus the three the brief quotes from DfE's caseload release for BCP, January 2024.
The upload fixture `tests/data/dfe_personal_budgets_revised.csv` is DfE's own personal_budgets.csv
(../shared/dfe/ehcp_2025) cut to its headline rows for 2022/23 to 2024/25, with BCP's January 2025 figure
revised 21 → 23 and Gloucestershire's suppressed (`c`), as a newer release might.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import page_runner
import pandas as pd
import pytest
from locations import DATA_DIR
from streamlit.testing.v1 import AppTest

from sendlib.domain.benchmarks import compute, load_mappings
from sendlib.domain.catalogue import load_catalogue
from sendlib.workflows.dfe_releases import dfe_tables
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

PAGE = "app_pages/how_we_compare.py"


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "store"
    init_store(open_store(path))  # with its DfE tables
    return path


@pytest.fixture
def writable_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    init_store(open_store(path))
    return path


def open_page(store: Path, monkeypatch: pytest.MonkeyPatch, page: str = PAGE) -> AppTest:
    monkeypatch.setenv("SENDLIB_STORE", str(store))
    return page_runner.open_page(page)


def expected(store: Path, la: str, measure: str, period: str) -> pd.Series:
    figures, groups = dfe_tables(open_store(store))
    cat = load_catalogue()
    rows = compute(figures.read(), groups.read(), cat, load_mappings(catalogue=cat), la=la)
    return rows[(rows["measure"] == measure) & (rows["period"] == period)].set_index("series")["value"]


def choose(at: AppTest, measure: str, period: str) -> AppTest:
    at.selectbox(key="compare-measure").select(measure).run()
    at.selectbox(key=f"compare-period-{measure}").select(period).run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> dict[str, str]:
    return {page_runner.shown(m.label): m.value for m in at.metric}


def test_page_draws_both_charts_and_bcps_figures(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch)
    assert at.title[0].value == "How we compare — Bournemouth, Christchurch and Poole"
    assert at.selectbox(key="home-la-839").value == "839", "Compare with… opens on the authority shown"
    assert at.selectbox(key="compare-measure").value == "twenty-week-excl", "opens on the 20-week rate"
    assert len(at.get("vega_lite_chart")) >= 2
    choose(at, "mainstream-pct", "2024-01")
    want = expected(shared_store, "839", "mainstream-pct", "2024-01")
    shown = tiles(at)
    # As DfE's caseload release prints them for BCP, January 2024.
    assert (shown["England"], shown["Region (South West)"], shown["Statistical neighbours (mean)"]) == ("43.3%", "43.8%", "41.2%")
    assert shown["Bournemouth, Christchurch and Poole"] == f"{float(want['home_la']):.1f}%"
    assert shown["Rank among authorities"].startswith(f"{int(want['rank'])} of ")
    assert len(at.get("vega_lite_chart")) >= 2
    captions = " ".join(page_runner.shown(c.value) for c in at.caption)
    assert "Open Government Licence v3.0" in captions and "not local data" in captions
    assert "ranked " + shown["Rank among authorities"].split(" authorities")[0] in captions
    dfe = dfe_tables(open_store(shared_store))[0].read()
    cells = dfe[(dfe["dataset"] == "caseload") & (dfe["indicator"] == "mainstream_total_pc") & (dfe["period"] == "2024-01")
                & (dfe["geographic_level"] == "local_authority")]
    gaps = cells[cells["value"].isna()]
    assert len(gaps) > 0
    assert f"{len(gaps)} authorities have no published figure" in captions
    assert all(f"{s}: " in captions for s in gaps["symbol"].unique())
    assert at.get("download_button"), "charts and tables offer downloads"


def test_comparing_with_another_authority_changes_the_figures(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch)
    choose(at, "mainstream-pct", "2024-01")
    before = tiles(at)
    at.selectbox(key="home-la-839").set_value("878").run()  # Compare with… Devon
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("Bournemouth, Christchurch and Poole"), "whose figures the app shows stays"
    want = expected(shared_store, "878", "mainstream-pct", "2024-01")
    after = tiles(at)
    assert after != before
    assert after["Devon"] == f"{float(want['home_la']):.1f}%"
    assert after["Statistical neighbours (mean)"] == f"{float(want['statistical_neighbours']):.1f}%"
    assert after["England"] == before["England"]
    assert at.subheader[0].value.startswith("Devon")


def test_data_quality_sets_our_requests_beside_dfes(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(shared_store, monkeypatch)
    choose(at, "requests", "2024")
    table = open_store(shared_store).read()
    ours = table[(table["kpi_id"] == "requests") & (table["series"] == "actual") & table["period"].str.startswith("2024-")]
    assert len(ours) == 12
    dfe = expected(shared_store, "839", "requests", "2024")["home_la"]
    text = " ".join(page_runner.shown(m.value) for m in at.markdown)
    assert f"our figure {int(ours['value'].sum()):,}" in text and f"DfE's {int(dfe):,}" in text
    assert "lower than DfE's" in text or "higher than DfE's" in text
    quality = at.dataframe[-1].value
    assert {"Our figure", "DfE's figure", "Difference", "Source"} <= set(quality.columns)


def test_a_newer_dfe_release_is_previewed_then_saved_as_a_new_version(
        writable_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures, _ = dfe_tables(open_store(writable_store))
    head = figures.head()
    raw = (DATA_DIR / "dfe_personal_budgets_revised.csv").read_bytes()
    at = open_page(writable_store, monkeypatch, "app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(("personal_budgets.csv", raw, "text/csv")).run()
    assert not at.exception, at.exception
    text = " ".join(page_runner.shown(m.value) for m in at.markdown)
    assert "DfE personal_budgets, 3 periods" in text
    symbols = next(t.value for t in at.table if "Symbol" in t.value.columns)
    assert "c" in symbols["Symbol"].tolist(), "suppressed cells listed with their reason"
    assert symbols.set_index("Symbol").loc["c", "Meaning"].startswith("confidential")
    periods = next(t.value for t in at.table if "Period" in t.value.columns)
    assert periods["Period"].tolist() == ["January 2023", "January 2024", "January 2025"]
    assert figures.head() == head, "nothing is written before Confirm"
    assert "January 2020, January 2021, January 2022" in at.warning[0].value, "years the file drops are named"

    at.text_input(key="dfe-release").input("Personal budgets, test release").run()
    at.button(key="dfe-confirm").click().run()
    assert not at.exception, at.exception
    assert "Saved as version" in at.success[0].value
    versions = [v.id for v in figures.versions()]
    assert figures.head() != head and head in versions, "the older release stays in history"
    info = figures.info(figures.head())
    assert info.sha256 == hashlib.sha256(raw).hexdigest()
    saved = figures.read()
    pb = saved[saved["dataset"] == "personal_budgets"]
    assert set(pb["release"]) == {"Personal budgets, test release"}
    assert len(figures.read(head).query("dataset == 'personal_budgets'")) > len(pb)

    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    loaded = next(d.value for d in at.dataframe if "Table" in d.value.columns)
    newest = loaded.iloc[0]
    assert (newest["Table"], newest["Now showing"], newest["File"]) == ("DfE figures", "yes", "personal_budgets.csv")
    assert len(loaded[loaded["Table"] == "DfE figures"]) == len(figures.versions()), "the older release still listed"

    at.switch_page(PAGE).run()
    choose(at, "personal-budgets", "2025-01")
    assert tiles(at)["Bournemouth, Christchurch and Poole"] == "23"  # the revised figure, recomputed
    assert "Personal budgets, test release" in " ".join(page_runner.shown(c.value) for c in at.caption)


def test_a_broken_dfe_file_is_refused_and_nothing_written(
        writable_store: Path, monkeypatch: pytest.MonkeyPatch, snapshot) -> None:
    before = snapshot(writable_store)
    lines = (DATA_DIR / "dfe_personal_budgets_revised.csv").read_text(encoding="utf-8").splitlines()
    broken = "\n".join([lines[0], *("garbage" + line[line.index(","):] for line in lines[1:20])]).encode()
    at = open_page(writable_store, monkeypatch, "app_pages/upload.py")
    at.file_uploader(key="upload-file").set_value(("personal_budgets.csv", broken, "text/csv")).run()
    assert not at.exception, at.exception
    assert "Refused" in at.error[0].value and "garbage" in at.error[0].value
    assert not [b for b in at.button if b.key == "dfe-confirm"]
    assert snapshot(writable_store) == before


def test_the_neighbour_workbook_is_recognised_and_an_unchanged_one_writes_nothing(
        writable_store: Path, monkeypatch: pytest.MonkeyPatch, snapshot) -> None:
    """DfE's May 2025 neighbour workbook (a copy of ../shared/dfe/reference/sn_may_2025.xlsx): the same groups as
    the bundled ones, so Confirm saves nothing."""
    before = snapshot(writable_store)
    raw = (DATA_DIR / "sn_may_2025.xlsx").read_bytes()
    at = open_page(writable_store, monkeypatch, "app_pages/upload.py")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="upload-file").set_value(("sn_may_2025.xlsx", raw, xlsx)).run()
    assert not at.exception, at.exception
    assert any("statistical-neighbour groups 2025" in page_runner.shown(m.value) for m in at.markdown)
    assert any("replaces the" in page_runner.shown(c.value) for c in at.caption)
    at.button(key="dfe-confirm").click().run()
    assert not at.exception, at.exception
    assert "Nothing changed" in at.info[-1].value
    assert snapshot(writable_store) == before


def test_every_measure_draws_at_its_latest_and_earliest_year(shared_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts and rates, five years before BCP existed (2014: no figure of its own), context measures: no error."""
    at = open_page(shared_store, monkeypatch)
    measures = at.selectbox(key="compare-measure").options
    assert len(measures) == len({m.measure for m in load_mappings(catalogue=load_catalogue())})
    for measure in [m.measure for m in load_mappings(catalogue=load_catalogue())]:
        at.selectbox(key="compare-measure").select(measure).run()
        assert not at.exception, (measure, at.exception)
        periods = at.selectbox(key=f"compare-period-{measure}").options
        assert len(at.get("vega_lite_chart")) >= 2, measure
        at.selectbox(key=f"compare-period-{measure}").select_index(len(periods) - 1).run()
        assert not at.exception, (measure, at.exception)
        assert len(at.get("vega_lite_chart")) >= 2, measure
    # 2014: BCP did not exist, so it has no figure, no rank, and the chart says so rather than drawing a zero.
    choose(at, "twenty-week-excl", "2014")
    assert tiles(at)["Bournemouth, Christchurch and Poole"] == "not published"
    assert "Rank among authorities" not in tiles(at)
    assert "Bournemouth, Christchurch and Poole has no published figure" in " ".join(page_runner.shown(c.value) for c in at.caption)


def test_an_authority_with_nothing_set_up_sees_its_dfe_benchmarks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    """A deployment for Devon with no measures of its own and no figures: How we compare still ranks every common
    definition DfE publishes, with Devon's own published figure (as `benchmarks --la 878` writes it)."""
    from sendlib.domain.benchmarks import mappings_for
    from sendlib.workflows.catalogues import store_catalogue

    monkeypatch.setenv("SENDLIB_HOME_LA", "878")
    at = open_page(tmp_path / "store", monkeypatch)
    store = open_store(tmp_path / "store")
    assert store.read().empty and not len(store_catalogue(store))  # nothing of its own
    assert at.selectbox(key="compare-measure").value == "twenty-week-excl"
    choose(at, "mainstream-pct", "2024-01")
    figures, groups = dfe_tables(store)
    cat = store_catalogue(store, with_common=True)
    rows = compute(figures.read(), groups.read(), cat, mappings_for(cat), la="878")
    want = rows[(rows["measure"] == "mainstream-pct") & (rows["period"] == "2024-01")].set_index("series")["value"]
    shown = tiles(at)
    assert shown["Devon"] == f"{float(want['home_la']):.1f}%"
    assert shown["England"] == "43.3%"
    assert shown["Rank among authorities"].startswith(f"{int(want['rank'])} of ")
