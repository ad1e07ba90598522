"""Whose data, always; two documents, two councils; one as-at month (issue 19).

Every page's heading names the authority whose figures it shows, and a one-authority deployment offers no "Home local
authority"; the bundled data are two councils' (the scorecard Bournemouth, Christchurch and Poole's, the board report
its own unnamed council's), never one council's headlines side by side; the board report's council has no DfE figures
and says why; a month chosen once holds on every page."""

from __future__ import annotations

import pandas as pd
import pytest
from page_runner import shown
from registry_nav import switch_to
from streamlit.testing.v1 import AppTest

from explorer.context import KIND_ORDER, MONTH_KEY
from explorer.menu import pages
from sendlib.domain.authorities import BOARD_AUTHORITY, LOCAL_AUTHORITIES, NOT_MATCHED
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.paths import ROOT
from sendlib.domain.periods import PeriodError, long_label, parse_period, short_label
from sendlib.domain.values import format_value
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

BCP = "Bournemouth, Christchurch and Poole"
BOARD_COUNCIL = LOCAL_AUTHORITIES[BOARD_AUTHORITY]
EHCPS = {"scorecard": "ehcps", "board": "ctx-ehcps"}  # each document's count of EHC plans
MONTH = "2024-06"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("whose") / "store"
    init_store(open_store(path))
    return str(path)


@pytest.fixture
def env(store_dir: str, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> str:
    monkeypatch.setenv("SENDLIB_STORE", store_dir)
    return store_dir


def app(*, one_authority: bool = False) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    if one_authority:
        at.secrets["authorities"] = {"codes": ["839"]}
    at.run()
    assert not at.exception, at.exception
    return at


def ehcps_shown(store_dir: str, la: str, document: str) -> str:
    """A document's latest count of EHC plans as a tile shows it, read from the council's own rows."""
    rows = open_store(store_dir, la=la).read()
    rows = rows[(rows["kpi_id"] == EHCPS[document]) & (rows["series"] == "actual") & rows["value"].notna()]
    return format_value(float(rows.sort_values("period")["value"].iloc[-1]), load_catalogue()[EHCPS[document]].unit)


@pytest.mark.parametrize("page", [p.url_path for p in pages()])
def test_every_page_names_its_authority_and_a_one_authority_deployment_offers_no_home_authority(env: str,
                                                                                               page: str) -> None:
    at = app(one_authority=True)
    switch_to(at, page).run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith(f" — {BCP}"), [t.value for t in at.title]
    labels = [w.label for w in [*at.selectbox, *at.sidebar.selectbox]]
    assert "Home local authority" not in labels and "Authority" not in labels, labels


@pytest.mark.parametrize("page", [p.url_path for p in pages()])
def test_every_page_of_the_board_report_s_council_runs_and_names_it(env: str, page: str) -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["authority"] = BOARD_AUTHORITY
    at.run()
    switch_to(at, page).run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith(f" — {BOARD_COUNCIL}"), [t.value for t in at.title]


def test_the_bundled_data_are_two_councils_each_with_its_own_headline_count(env: str) -> None:
    at = app()
    assert at.title[0].value.endswith(f" — {BCP}")
    scorecard, board = ehcps_shown(env, "839", "scorecard"), ehcps_shown(env, BOARD_AUTHORITY, "board")
    assert scorecard != board
    values = [m.value for m in at.metric]
    assert scorecard in values and board not in values, "Bournemouth's overview shows its own count only"

    at.sidebar.selectbox(key="authority").set_value(BOARD_AUTHORITY).run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith(f" — {BOARD_COUNCIL}")
    values = [m.value for m in at.metric]
    assert board in values and scorecard not in values, "the board report's council's overview shows its own only"


def test_the_board_report_s_council_has_no_dfe_figures_and_says_why(env: str) -> None:
    at = app()
    at.sidebar.selectbox(key="authority").set_value(BOARD_AUTHORITY).run()
    said = " ".join(shown(i.value) for i in at.info)
    assert NOT_MATCHED in said, said
    assert not at.sidebar.radio, "no statistical neighbour groups for a council DfE cannot be matched to"
    table = at.dataframe[0].value
    dfe = [c for c in table.columns if "(DfE)" in c]
    figures = [v for c in dfe for v in table[c].astype(str) if any(ch.isdigit() for ch in v)]
    assert not figures, "no DfE figure of another council's: each DfE cell says why it is blank, in words"

    switch_to(at, "how_we_compare").run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith(f" — {BOARD_COUNCIL}")
    assert NOT_MATCHED in " ".join(shown(i.value) for i in at.info)
    assert at.selectbox(key=f"home-la-{BOARD_AUTHORITY}").value is None, "Compare with… starts on no one"


def test_compare_with_is_how_we_compare_s_own_and_never_moves_whose_figures(env: str) -> None:
    at = app()
    switch_to(at, "how_we_compare").run()
    at.selectbox(key="home-la-839").set_value("878").run()  # Devon
    assert not at.exception, at.exception
    assert at.title[0].value.endswith(f" — {BCP}"), "the page still says whose figures the app shows"
    assert any("Devon" in shown(s.value) for s in at.subheader), [s.value for s in at.subheader]
    switch_to(at, "overview").run()
    assert at.title[0].value.endswith(f" — {BCP}")
    assert not any("Devon" in shown(c.value) for c in at.caption), "the overview compares Bournemouth, not Devon"


def test_a_month_chosen_on_the_overview_holds_on_a_theme_page(env: str) -> None:
    at = app()
    at.run()  # the sidebar is drawn after the page on a session's first run, first from the second
    at.sidebar.selectbox(key=MONTH_KEY).set_value(MONTH).run()
    assert not at.exception, at.exception
    assert at.query_params["month"] in (MONTH, [MONTH]), "the address carries the month, to be sent"
    rows = open_store(env).read()
    june = rows[(rows["kpi_id"] == "ehcps") & (rows["period"] == MONTH) & (rows["series"] == "actual")]["value"]
    figure = format_value(float(june.iloc[0]), load_catalogue()["ehcps"].unit)
    assert figure in [m.value for m in at.metric]

    switch_to(at, "statutory_duty").run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key=MONTH_KEY).value == MONTH
    grid = pd.concat([d.value for d in at.dataframe if "Measure" in d.value.columns]).set_index("Measure")
    shown_there = grid.loc[load_catalogue()["ehcps"].name, "Figure"]
    assert shown_there == f"{figure} ({short_label(MONTH)})", "the theme page's grid shows the same month's figure, dated"


def test_the_extract_lists_periods_grouped_by_kind_and_names_its_as_at_month(env: str) -> None:
    at = app()
    at.sidebar.selectbox(key="authority").set_value(BOARD_AUTHORITY).run()  # its document: months, terms, years
    switch_to(at, "extract").run()
    assert not at.exception, at.exception
    periods = [p for p in at.selectbox(key="extract-from").options if p != "The earliest"]
    kinds = [KIND_ORDER.index(parse_period(p).kind) for p in map(label_of, periods)]
    assert kinds == sorted(kinds) and len(set(kinds)) > 1, "months, then terms, then years: never interleaved"
    for kind in set(kinds):
        group = [parse_period(label_of(p)).start for p, k in zip(periods, kinds, strict=True) if k == kind]
        assert group == sorted(group), "each kind in time order"
    latest = open_store(env, la=BOARD_AUTHORITY).read()
    latest = max(p for p in latest["period"].dropna() if len(p) == 7 and p[4] == "-")
    assert at.selectbox(key="extract-to").value is None
    assert f"The latest ({long_label(latest)})" in at.selectbox(key="extract-to").options, "the month named"


def label_of(shown_option: str) -> str:
    """A period as the extract's list words it ("January 2025", "2023/24") back to its label."""
    for raw in (shown_option, shown_option.replace("Academic year ", "").replace("Calendar year ", "")):
        try:
            return parse_period(raw).label
        except PeriodError:
            continue
    raise AssertionError(f"not a period: {shown_option!r}")
