"""Streamlit AppTest runs of the entry point and every page, on a store built from the bundled data.

Each page must run without an exception, draw at least one Altair chart, and show the documents'
own figures (typed here from ../shared/seeds, the source of truth).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from page_runner import shown
from registry_nav import switch_to
from streamlit.testing.v1 import AppTest

from explorer.menu import pages
from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.paths import ROOT
from sendlib.presentation.tables import TILE_LABEL_CHARS
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

THEME_FIGURES = {
    # theme page (URL path): figures that must appear in its grid (latest values, as the documents print them)
    "statutory_duty": ["4,453", "420", "107", "15.9%", "38 weeks 4 days", "100.0%", "35.0%"],
    "early_years": ["98.0%", "36", "88"],
    "provision": ["49.2%", "11.5%", "333"],
    "tribunals": ["42", "9", "13", "16.6%"],
    "preparing_for_adulthood": ["556", "119", "89.2%"],
    "sendiass": ["3,005", "125", "25", "176", "66"],
    "education": ["-1.17", "31.7%", "0.04%", "14.0%"],
    "quality_and_lived_experience": ["79.0%", "50.0%", "69.6%", "17.5"],
    "care_health_and_ap": ["2,829", "902", "78.0%"],
}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("app") / "store"
    init_store(open_store(path))
    return str(path)


@pytest.fixture
def app(store_dir: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SENDLIB_STORE", store_dir)
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)


def board_council(app: AppTest) -> AppTest:
    """The app showing the board report's council (chosen in the sidebar: the bundled deployment serves two)."""
    app.session_state["authority"] = BOARD_AUTHORITY
    return app


@pytest.mark.parametrize("page", [p.url_path for p in pages()])
def test_every_registered_page_runs_and_has_a_title(app: AppTest, page: str) -> None:
    """The sweep: every page of the registry (explorer.menu.pages()) opens without an exception, under one h1."""
    app.run()
    switch_to(app, page).run()
    assert not app.exception, app.exception
    assert len(app.title) == 1, [t.value for t in app.title]


def metric_values(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def by_name(at: AppTest) -> dict[str, str]:
    """Each tile's figure by its measure's full name (the tile's help; its label is the short name)."""
    return {shown(m.proto.help).split(". Latest")[0]: m.value for m in at.metric}


def test_overview_opens_on_headlines_and_the_whole_scorecard(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert app.title[0].value == "SEND performance overview — Bournemouth, Christchurch and Poole"
    values = by_name(app)
    assert values["No. of EHCPs"] == "4,453"  # scorecard, Jan 25
    assert "Number of EHCPs" not in values, "the board report's tile is another council's"
    assert len(app.get("vega_lite_chart")) >= 1
    table = app.dataframe[0].value
    assert len(table) == len(load_catalogue().for_scorecard("scorecard"))  # every scorecard KPI, value or not
    row = table.set_index("KPI").loc["% of EHCPs in Special: Independent & Non-Maintained"]
    assert (row["Latest"], row["Previous"], row["Target"]) == ("11.5%", "11.2%", "5.0%")
    assert (row["England"], row["Statistical neighbours"], row["Region"]) == ("5.2%", "5.7%", "6.2%")
    assert row["Against target"] == "✖ Off target"
    assert row["Compared with previous"] == "▲ Up – worse"


def test_overview_theme_filter_narrows_the_table(app: AppTest) -> None:
    app.run()
    app.multiselect(key="overview-themes").select("sendiass").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 5
    assert set(table["Theme"]) == {"SENDIASS"}


def test_the_board_report_s_council_sees_its_own_document_only(app: AppTest) -> None:
    board_council(app).run()
    assert not app.exception
    values = by_name(app)
    assert values["Number of EHCPs"] == "8,317" and "No. of EHCPs" not in values
    assert values["EHCP: % of new EHC Plans issued within 20 weeks, excl. exceptions"] == "15.9%"
    assert not [b for b in app.button_group if b.key == "overview-scorecards"], "one document: no choice to make"
    assert set(app.dataframe[0].value.columns) >= {"KPI", "Latest"}
    assert len(app.dataframe[0].value) == 52


@pytest.mark.parametrize(("page", "figures"), THEME_FIGURES.items())
def test_theme_page_is_a_grid_of_the_documents_figures(app: AppTest, page: str, figures: list[str]) -> None:
    """Each document's figures on its own council's page: Bournemouth's scorecard, the board report's council's."""
    shown, downloads = [], 0
    for council in ("839", BOARD_AUTHORITY):
        app.session_state["authority"] = council
        app.run()
        switch_to(app, page).run()
        assert not app.exception, app.exception
        downloads += len(app.get("download_button"))
        shown += [str(f).split(" (")[0] for d in app.dataframe if "Figure" in d.value for f in d.value["Figure"]]
    for figure in figures:
        assert figure in shown, f"{figure} not among {shown}"
    assert downloads, "a page with measures offers its table as a download"


def test_overview_tiles_can_be_told_apart_before_their_labels_are_cut_short(app: AppTest) -> None:
    """A tile's label shows about TILE_LABEL_CHARS characters before its ellipsis; what shows must differ."""
    app.run()
    labels = [shown(m.label) for m in app.metric]
    starts = [label[:TILE_LABEL_CHARS].casefold() for label in labels]
    assert len(set(labels)) == len(labels)
    assert len(set(starts)) == len(starts), [lab for lab, s in zip(labels, starts) if starts.count(s) > 1]


def test_statutory_duty_grid_keeps_each_measures_whole_name(app: AppTest) -> None:
    app.run()
    switch_to(app, "statutory_duty").run()
    names = app.dataframe[0].value["Measure"].tolist()
    for phase in ("primary phase", "secondary phase", "post 16 phase"):
        assert f"No. of requests for EHC assessment – {phase}" in names


def test_the_sidebar_is_drawn_after_a_page_that_ends_early(app: AppTest) -> None:
    """The sidebar is drawn after the page (so the first chart does not wait for it): a page that stops early, as
    the upload page does for a refused file, still has it."""
    app.run()
    app.switch_page("app_pages/upload.py").run()
    app.file_uploader(key="upload-file").set_value(("bad.csv", b"kpi_id,period,value\nehcps,2025-13,1\n", "text/csv")).run()
    assert not app.exception, app.exception
    assert "refused" in app.error[0].value
    assert app.sidebar.selectbox(key="authority").value == "839"
    assert app.sidebar.radio(key="sn-groups").value == "2021"


def test_glossary_lists_every_measure_and_searches(app: AppTest) -> None:
    app.run()
    app.switch_page("app_pages/glossary.py").run()
    assert not app.exception
    assert len(app.dataframe[0].value) == 138
    assert len(app.get("vega_lite_chart")) == 1
    app.text_input(key="glossary-search").input("tribunal").run()
    found = app.dataframe[0].value
    assert 0 < len(found) < 138
    assert found["Definition"].str.len().min() > 20


def test_extract_page_filters_preview_and_offers_every_format(app: AppTest, store_dir: str) -> None:
    from sendlib.domain.catalogue import load_catalogue
    from sendlib.presentation.extracts import ExtractQuery, extract

    table = open_store(store_dir).read()
    catalogue = load_catalogue()
    app.run()
    app.switch_page("app_pages/extract.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Extract data — Bournemouth, Christchurch and Poole"
    assert [m.value for m in app.metric] == [f"{len(table):,}", f"{len(table):,}"]  # no filter: every value

    app.multiselect(key="extract-themes").select("tribunals").run()
    app.selectbox(key="extract-from").set_value("2024-04").run()
    app.selectbox(key="extract-to").set_value("2024-09").run()
    assert not app.exception, app.exception
    expected = extract(table, catalogue, ExtractQuery(themes=["tribunals"], period_from="2024-04", period_to="2024-09"))
    assert 0 < len(expected) < len(table)
    assert app.metric[0].value == f"{len(expected):,}"
    preview = app.dataframe[0].value
    assert len(preview) == len(expected)
    assert set(preview["Theme"]) == {catalogue.themes["tribunals"].name}  # in words: the file's own columns are under Technical details
    assert set(preview["Period"]) == {"April 2024", "May 2024", "June 2024", "July 2024", "August 2024",
                                      "September 2024"}
    assert {b.proto.label for b in app.get("download_button")} >= {
        "Download CSV (opens in Excel)", "Download Excel workbook (.xlsx)", "Download Parquet"}

    app.checkbox(key="extract-derived").check().run()
    assert not app.exception
    assert {"Change", "Direction", "Against target"} <= set(app.dataframe[0].value.columns)

    app.radio(key="extract-layout").set_value("wide").run()
    assert not app.exception, app.exception
    wide = app.dataframe[0].value
    assert list(wide.columns) == ["KPI", "Apr 24", "May 24", "Jun 24", "Jul 24", "Aug 24", "Sep 24", "Nat", "SN", "SW", "Target"]
    assert app.metric[1].value == f"{len(expected[expected['scorecard'] == 'scorecard']):,}"

    app.radio(key="extract-scorecard").set_value("board").run()
    assert not app.exception
    assert "long layout" in app.error[0].value  # explained, not a stack trace


def _dfe_value(store_dir: str, kpi_id: str, series: str, la: str, sn_set: str = "2021") -> str:
    """What the page should print, from sendlib's own calculation on the same store (rounded as DfE prints)."""
    from sendlib.domain.benchmarks import format_dfe, latest_benchmarks
    from sendlib.domain.catalogue import load_catalogue
    from sendlib.workflows.dfe_releases import benchmarks_for_store

    catalogue = load_catalogue()
    latest = latest_benchmarks(benchmarks_for_store(open_store(store_dir), catalogue, la=la, sn_set=sn_set))
    row = latest[(latest["kpi_id"] == kpi_id) & (latest["series"] == series)].iloc[0]
    return format_dfe(float(row["value"]), catalogue[kpi_id].unit)


def test_theme_page_and_overview_show_dfe_benchmarks_with_their_source(app: AppTest, store_dir: str) -> None:
    app.run()
    compare = app.dataframe[-1].value.set_index("KPI")
    ehe = compare.loc["% of children with an EHCP Electively Home Educated"]
    assert ehe["England (DfE)"] == _dfe_value(store_dir, "ehcps-ehe-pct", "national", "839")
    assert ehe["DfE source"].startswith("from DfE Education, health and care plans, reporting year 2025, January 2025")
    assert any("Bournemouth, Christchurch and Poole" in shown(c.value) for c in app.caption)

    switch_to(app, "provision").run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("Measure")
    row = table.loc["% of EHCPs in Special: Independent & Non-Maintained"]
    assert row["England"] == "5.2% (typed)", "the scorecard's own typed benchmark is shown as typed, and marked"
    # The 20-week rate is the board report's (council X01, which DfE publishes nothing for): the scorecard's
    # measure with no typed benchmark is the mediations followed by appeals, on the tribunals page.
    switch_to(app, "tribunals").run()
    grid = pd.concat([d.value for d in app.dataframe if "Measure" in d.value.columns]).set_index("Measure")
    appeals = grid.filter(like="mediation cases that were followed by appeals", axis=0).iloc[0]
    assert re.fullmatch(r".+ \(DfE \d{4}\)", appeals["England"]), "no typed benchmark: DfE's, marked with its period"
    app.query_params["id"] = "ehcps-mainstream-pct"
    switch_to(app, "measure").run()
    specs = [c.proto.spec for c in app.get("vega_lite_chart")]
    assert any("Published by DfE: England (DfE Jan" in s for s in specs), "the measure page's chart, described in words"


def test_changing_the_neighbour_groups_changes_the_dfe_figures(app: AppTest, store_dir: str) -> None:
    """The overview's DfE figures are the authority shown's (comparing with another is How we compare's own
    control, tests/app/test_whose_data.py); the neighbour groups chosen in the sidebar change its neighbours."""
    app.run()
    row = app.dataframe[-1].value.set_index("KPI").loc["% of EHCPs in Mainstream"]
    assert row["Our figure (DfE)"] == _dfe_value(store_dir, "ehcps-mainstream-pct", "home_la", "839")
    # AppTest drops the entry script's sidebar widgets (and so their state) on every rerun (Streamlit 1.67 with
    # st.navigation), so the choice is set for one run here; tests/browser/test_dfe_benchmarks.py drives the real one.
    app.session_state["sn-groups"] = "2025"
    app.run()
    assert not app.exception, app.exception
    row = app.dataframe[-1].value.set_index("KPI").loc["% of EHCPs in Mainstream"]
    assert row["Neighbours (DfE)"] == _dfe_value(store_dir, "ehcps-mainstream-pct", "statistical_neighbours", "839", "2025")
    assert row["Neighbours (DfE)"] != _dfe_value(store_dir, "ehcps-mainstream-pct", "statistical_neighbours", "839", "2021")
