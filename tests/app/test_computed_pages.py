"""AppTest runs of the pages that show figures computed from SEN2 case records: Statutory duty (computed beside
typed, the cases behind a figure), the overview's tiles, the Board report (and its choice of figures), How we
compare's reconciliation with DfE and the Glossary.

The store holds the bundled documents and a synthetic return for Bournemouth, Christchurch and Poole (839, the
default home authority). Expected computed figures come from the generator's own oracle (`sen2_synthetic`), never
from the code under test; typed figures from the store's table; DfE's from `sendlib.domain.benchmarks.compute`."""

from __future__ import annotations

from pathlib import Path

import page_runner
import pandas as pd
import pytest
from registry_nav import open_page
from sen2_synthetic import Synthetic, generate
from streamlit.testing.v1 import AppTest

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.benchmarks import compute, load_mappings
from sendlib.domain.cases import case_measures
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.trends import summarise
from sendlib.files.sen2 import read_sen2
from sendlib.workflows.cases import cases_store, commit_cases, preview_cases, records_frame
from sendlib.workflows.dfe_releases import dfe_tables
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

RATE = "b04-20-week-rate-excl-exceptions"
BOARD = BOARD_AUTHORITY
RATE_NAME = "EHCP: % of new EHC Plans issued within 20 weeks, excl. exceptions"
CENSUS = "2025-01-16"
# The KPI each overview tile's computed line comes from, and the measure (and census) that feeds it.
TILES = {"ehcps": "active_plans", "ehcna-under-assessment": "open_assessments", "requests": "requests_received",
         RATE: "rate_ex"}


def with_cases(path: Path, synthetic: Synthetic) -> Path:
    """Both bundled councils with the same case records (each its own return, its LA in the header): the board
    report's typed 20-week rate is its council's, so its computed rate is set beside it there."""
    store = open_store(path)
    init_store(store)
    commit_cases(store, preview_cases(store, synthetic.xml, "sen2.xml"))
    board = store.authority(BOARD)
    theirs = synthetic.xml.replace(b"<LEA>839</LEA>", f"<LEA>{BOARD}</LEA>".encode())
    commit_cases(board, preview_cases(board, theirs, "sen2.xml"))
    return path


@pytest.fixture(scope="module")
def synthetic() -> Synthetic:
    return generate(300, seed=1, la="839")


@pytest.fixture(scope="module")
def cases_dir(tmp_path_factory: pytest.TempPathFactory, synthetic: Synthetic) -> Path:
    return with_cases(tmp_path_factory.mktemp("computed") / "store", synthetic)


@pytest.fixture
def at_store(cases_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SENDLIB_STORE", str(cases_dir))
    return cases_dir


def pct(value: float) -> str:
    return f"{value:.1f}%"


def gap(computed: float, typed: float, unit: str = "percent") -> str:
    size = f"{abs(computed - typed):.1f} percentage points" if unit == "percent" else f"{abs(computed - typed):,.0f}"
    return f"{size} {'higher' if computed > typed else 'lower'} than typed"


def typed(store: Path, kpi_id: str, period: str, la: str = "839") -> float:
    table = open_store(store, la=la).read()
    row = table[(table["kpi_id"] == kpi_id) & (table["series"] == "actual") & (table["period"] == period)]
    return float(row["value"].iloc[0])


def oracle(synthetic: Synthetic, measure: str, month: str) -> float:
    """The generator's figure for a measure in a month (a census measure: at the census, in the census month)."""
    period = CENSUS if case_measures()[measure].basis == "census" and month == CENSUS[:7] else month
    value = synthetic.expected[(measure, period)].value
    assert value is not None
    return value


def captions(at: AppTest) -> list[str]:
    return [page_runner.shown(c.value) for c in at.caption]


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_statutory_duty_sets_computed_beside_typed(at_store: Path, synthetic: Synthetic) -> None:
    bcp = open_page("statutory_duty")
    assert "Computed from case records" in [s.value for s in bcp.subheader]
    compared = frame_with(bcp, "Typed").set_index("KPI")
    assert list(compared.columns) == ["Month", "Computed", "Typed", "Difference"]
    plans = oracle(synthetic, "active_plans", CENSUS[:7])
    assert compared.loc["No. of EHCPs"].tolist() == [
        "January 2025", f"{plans:,.0f}", f"{typed(at_store, 'ehcps', '2025-01'):,.0f}",
        "Computed is " + gap(plans, typed(at_store, "ehcps", "2025-01"), "count")]
    assert RATE_NAME not in compared.index, "the board report's rate is its own council's, not Bournemouth's"

    at = open_page("statutory_duty", la=BOARD)
    compared = frame_with(at, "Typed").set_index("KPI")
    ours, theirs = oracle(synthetic, "rate_ex", "2024-03"), typed(at_store, RATE, "2024-03", BOARD)
    # The latest month with both a computed and a typed figure.
    assert compared.loc[RATE_NAME].tolist() == ["March 2024", pct(ours), pct(theirs), "Computed is " + gap(ours, theirs)]
    measure = open_page("measure", query={"id": RATE}, la=BOARD)
    sources = measure.table[0].value
    march = sources[(sources.index == "Computed from case records") & (sources["Period"] == "March 2024")]
    assert march["Figure"].tolist() == [pct(ours)], "on the measure's page"
    assert at.get("download_button")
    assert any(b.proto.label == "Download this table (CSV)" for b in at.get("download_button"))

    at.selectbox(key="computed-month").select("2024-02").run()
    assert not at.exception, at.exception
    feb = frame_with(at, "Typed").set_index("KPI")
    ours = oracle(synthetic, "rate_ex", "2024-02")
    assert feb.loc[RATE_NAME, ["Computed", "Typed"]].tolist() == [pct(ours), pct(typed(at_store, RATE, "2024-02", BOARD))]
    assert "No. of EHCPs" not in feb.index, "a census measure has no figure in February"


def test_statutory_duty_opens_the_cases_behind_a_figure(at_store: Path, synthetic: Synthetic) -> None:
    at = open_page("statutory_duty")
    assert at.selectbox(key="drill-measure").value == "rate_ex"
    with_plans = [p for (m, p), e in synthetic.expected.items() if m == "rate_ex" and len(p) == 7 and e.denominator]
    latest = max(with_plans)
    assert at.selectbox(key="drill-period-rate_ex").value == latest
    figure = synthetic.expected[("rate_ex", latest)]
    cases = frame_with(at, "Case reference")
    assert len(cases) == figure.denominator
    assert (cases["Result"] == "in time: issued within 20 weeks").sum() == figure.numerator
    late = (cases["Result"] == "late: issued after 20 weeks").tolist()
    assert late == sorted(late, reverse=True), "the cases that made the rate fail come first"
    assert not cases.isin(["None", "<NA>", "nan"]).any().any(), "no cell reads None"
    words = " ".join(page_runner.shown(m.value) for m in at.markdown)
    assert f"{pct(figure.value)} ({figure.numerator} of {figure.denominator})" in words

    at.selectbox(key="drill-measure").select("active_plans").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="drill-period-active_plans").value == CENSUS
    assert len(frame_with(at, "Case reference")) == synthetic.expected[("active_plans", CENSUS)].value


def test_statutory_duty_without_case_records_says_how_to_get_them(store_dir: Path) -> None:
    at = open_page("statutory_duty")
    assert [page_runner.shown(i.value) for i in at.info] == [
        "Figures can be computed from case records by loading a SEN2 return (the case-level section of the Upload "
        "page); none is loaded yet."]
    assert not [s for s in at.selectbox if s.key and s.key.startswith("drill-")]
    assert not [c for c in captions(at) if c.startswith("Computed from case records")]


def test_overview_tiles_carry_the_computed_figure(at_store: Path, synthetic: Synthetic) -> None:
    lines, want = [], []
    for la in ("839", BOARD):  # each council's overview, its own tiles
        at = open_page("app_pages/overview.py", la=la)
        lines += [c for c in captions(at) if c.startswith("Computed from case records")]
        summary = summarise(open_store(at_store, la=la).read(), load_catalogue()).set_index("kpi_id")
        want += _computed_lines(summary, synthetic)
    assert sorted(lines) == sorted(want)


def _computed_lines(summary: pd.DataFrame, synthetic: Synthetic) -> list[str]:
    want = []
    for kpi_id, measure in TILES.items():
        if pd.isna(summary.loc[kpi_id, "latest"]):
            continue
        row = summary.loc[kpi_id]
        ours = oracle(synthetic, measure, row["latest_period"])
        unit = "percent" if row["unit"] == "percent" else "count"
        shown = pct(ours) if unit == "percent" else f"{ours:,.0f}"
        want.append(f"Computed from case records: {shown} ({gap(ours, float(row['latest']), unit)})")
    return want


def test_overview_without_case_records_has_no_computed_lines(store_dir: Path) -> None:
    at = open_page("app_pages/overview.py")
    assert not [c for c in captions(at) if c.startswith("Computed from case records")]


def test_board_report_sets_computed_beside_typed_and_can_use_either(at_store: Path, synthetic: Synthetic) -> None:
    at = open_page("app_pages/board_report.py", la=BOARD)
    figures = at.radio(key="board-report-figures")
    assert figures.value == "typed"
    html = at.get("html")[0].proto.body
    ours, theirs = oracle(synthetic, "rate_ex", "2024-03"), typed(at_store, RATE, "2024-03", BOARD)
    assert "This report uses the figures as typed." in html
    assert f"<td class=\"num\">{pct(ours)}</td><td class=\"num\">{pct(theirs)}</td><td>Computed is {gap(ours, theirs)}" in html
    assert "with cases that went to mediation or tribunal included" in html
    assert "DfE&#39;s published timeliness leaves out cases that went to mediation or tribunal" in html

    figures.set_value("computed").run()
    assert not at.exception, at.exception
    html = at.get("html")[0].proto.body
    numerator = synthetic.expected[("rate_ex", "2024-03")].numerator
    assert "This report uses the figures computed from case records." in html
    assert f"<td class=\"num\">{pct(ours)} ({numerator})</td>" in html, "the measure's row shows the computed figure"
    assert "computed from case records (rate_ex)" in html
    assert {b.proto.label for b in at.get("download_button")} == {"Download PDF (A4, printable)",
                                                                  "Download HTML (one self-contained file)"}


def test_board_report_without_case_records_offers_no_choice(store_dir: Path) -> None:
    at = open_page("app_pages/board_report.py")
    assert not [r for r in at.radio if r.key == "board-report-figures"]
    assert "Computed from case records" not in at.get("html")[0].proto.body


def dfe(store: Path, measure: str, year: str) -> float:
    figures, groups = dfe_tables(open_store(store))
    cat = load_catalogue()
    rows = compute(figures.read(), groups.read(), cat, load_mappings(catalogue=cat), la="839")
    row = rows[(rows["measure"] == measure) & (rows["period"] == year) & (rows["series"] == "home_la")]
    return float(row["value"].iloc[0])


def test_how_we_compare_reconciles_each_year_with_dfe(at_store: Path, synthetic: Synthetic) -> None:
    at = page_runner.open_page("app_pages/how_we_compare.py")
    table = frame_with(at, "Comparison")
    year = table[table["Year"] == "2024"].set_index("Comparison")
    for comparison, measure, published in (
            ("20 weeks, excluding exceptions", "rate_ex", "twenty-week-excl"),
            ("20 weeks, including exceptions (DfE basis)", "rate_dfe", "twenty-week-incl"),
            ("20 weeks, including exceptions (every case)", "rate_incl", "twenty-week-incl")):
        ours = synthetic.expected[(measure, "2024")]
        theirs = dfe(at_store, published, "2024")
        assert year.loc[comparison, ["Our figure", "DfE's figure", "Difference"]].tolist() == [
            f"{pct(ours.value)} ({ours.numerator} of {ours.denominator})", pct(theirs),
            "Ours is " + gap(ours.value, theirs).replace("typed", "DfE's")], comparison
    assert year.loc["20 weeks, excluding exceptions", "Our basis"].startswith("Board basis")
    assert year.loc["20 weeks, including exceptions (DfE basis)", "DfE's basis"] == (
        "Exceptions kept; mediation and tribunal cases left out")
    assert table[table["Year"] == "2025"]["DfE's figure"].eq("not published").all()
    assert not at.warning, "the records are the home authority's"
    text = " ".join(page_runner.shown(m.value) for m in at.markdown)
    assert "DfE's published timeliness leaves out cases that went to mediation or tribunal" in text


def test_how_we_compare_warns_when_the_records_are_another_authority_s(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records held from before loads were checked against the authority (`cases load` now refuses another
    authority's return, S2E07), written here as they were then: straight into the side table."""
    store = open_store(tmp_path / "store")
    init_store(store)
    ret = read_sen2(generate(40, seed=2, la="201").xml, b"an old key of thirty-two bytes or more")
    cases_store(store).commit(lambda current: (records_frame(ret), {"new": ret.requests}), action="cases",
                              file_name="sen2.xml", sha256="0" * 64, message="older load")
    monkeypatch.setenv("SENDLIB_STORE", str(tmp_path / "store"))
    at = page_runner.open_page("app_pages/how_we_compare.py")
    assert [page_runner.shown(w.value) for w in at.warning] == [
        "The case records are from local authority 201, not the home authority Bournemouth, Christchurch and Poole "
        "(839): DfE's figures here are Bournemouth, Christchurch and Poole's, so the comparison is not like with "
        "like. Choose the records' authority as the home authority in the sidebar to compare it with its own "
        "published figures."]


def test_glossary_defines_every_case_measure(store_dir: Path) -> None:
    at = page_runner.open_page("app_pages/glossary.py")
    measures = frame_with(at, "Sits beside KPI").set_index("ID")
    assert list(measures.index) == list(case_measures())
    assert measures.loc["rate_ex"].tolist()[1:] == [
        case_measures()["rate_ex"].definition, "By the month or year the plan was issued", "Percentage", "none",
        RATE_NAME]
    assert measures.loc["active_plans", "Counted"] == "At the census date"
    assert any(b.proto.label == "Download the case measures (CSV)" for b in at.get("download_button"))
    at.text_input(key="glossary-search").input("mediation").run()
    found = frame_with(at, "Sits beside KPI")
    assert set(found["ID"]) == {"plans_issued_dfe"}
