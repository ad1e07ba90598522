"""Sharing, end to end under AppTest, on a store holding four authorities' figures: the bundled documents' (839,
Bournemouth, Christchurch and Poole), Northshire's scorecard read for Devon (878), and a quarter of monthly 20-week
figures each for Torbay (880) and Plymouth (879), each authority's 20-week measure set up with the common definition
`twenty-week-excl`. An editor's Save is one version of the sharing choices; How we compare's monthly section ranks
the sharers only; an authority that has not shared (Plymouth, with a 99.0% that would top the ranking) is nowhere in
that section, by name, code, figure or count; a viewer sees the choices but no Save."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from other_councils import COUNCILS, Council, Measure, write
from other_councils import HERE as COUNCIL_FILES
from page_runner import shown
from registry_nav import switch_to
from store_files import copy_store
from streamlit.testing.v1 import AppTest

from sendlib.domain.paths import ROOT
from sendlib.domain.sharing import shared_kpis
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import add_measures, propose, store_catalogue
from sendlib.workflows.load import init_store, load_file, parse_bytes
from sendlib.workflows.sharing import read_sharing, save_sharing, sharing_store
from sendlib.workflows.stores import open_store

MEASURE = "twenty-week-excl"
BCP, DEVON, TORBAY, PLYMOUTH = "839", "878", "880", "879"
MONTHS = ["2025-01", "2025-02", "2025-03"]
EDITOR = "editor@bcp.gov.uk"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
SECTION = "Monthly, among sharing authorities"


def _monthly(la: str, file: str, rates: list[float]) -> Council:
    """A scorecard of one 20-week measure for January to March 2025, in Northshire's layout."""
    return Council(file=file, la=la, heading="Measure", periods=MONTHS, columns=["Jan-25", "Feb-25", "Mar-25"],
                   polarity_heading="Good is", measures=[
                       Measure("% EHCPs issued within 20 weeks (excl exceptions)", "Plans", "percent",
                               [f"{v:.1f}%" for v in rates], rates, polarity="H", expected_polarity="higher_better",
                               common=MEASURE)])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four authorities' store, built once: copy it (fixture `store_root`) to write."""
    root = tmp_path_factory.mktemp("sharing") / "store"
    init_store(open_store(root))
    files = tmp_path_factory.mktemp("sharing-files")
    councils = [(COUNCILS[0], COUNCIL_FILES / COUNCILS[0].file),
                *((c, write(c, files)) for c in (_monthly(TORBAY, "torbay.xlsx", [50.0, 52.0, 47.5]),
                                                 _monthly(PLYMOUTH, "plymouth.xlsx", [99.0, 99.0, 99.0])))]
    for council, path in councils:
        store = open_store(root, la=council.la)
        catalogue = store_catalogue(store)
        proposals = propose(parse_bytes(path.read_bytes(), path.name, catalogue).unknown, catalogue)
        kpis, _ = add_measures(store, proposals, la=council.la)
        assert MEASURE in {k.common_measure for k in kpis}, council.la
        _, info = load_file(store, path, store_catalogue(store))
        assert info is not None, council.la
    return root


@pytest.fixture
def store_root(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> Path:
    """A private copy of the four authorities' store that the app opens (the per-process settings and catalogues
    are another store's in the next test, hence `fresh_caches`)."""
    root = tmp_path / "store"
    copy_store(built, root)
    monkeypatch.setenv("SENDLIB_STORE", str(root))
    return root


def _store(root: Path, la: str = BCP) -> DeltaStore:
    return open_store(root, la=la)


def _share(root: Path, *, devon: bool = True, torbay: bool = True, bcp: bool = False) -> None:
    """Devon and Torbay share the 20-week rate (as chosen); Plymouth shared it once and withdrew, and shares the
    requests measure instead (which nobody else shares): in the sharing table, but not a sharer of the 20-week rate."""
    store = _store(root)
    for la, on in ((DEVON, devon), (TORBAY, torbay), (BCP, bcp)):
        if on:
            save_sharing(store, la, [MEASURE], True, f"editor@{la}.gov.uk")
    save_sharing(store, PLYMOUTH, [MEASURE], True, "editor@plymouth.gov.uk")
    save_sharing(store, PLYMOUTH, [MEASURE], False, "editor@plymouth.gov.uk")
    save_sharing(store, PLYMOUTH, ["requests"], True, "editor@plymouth.gov.uk")


def _app(page: str, *, user: dict | None = None, timeout: float = 90) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.secrets["editors"] = {"emails": [EDITOR]}
        at.user = user
    at.run()
    switch_to(at, page).run()
    assert not at.exception, at.exception
    return at


TABLES = {"sharing-choices": "measures with a common definition: whether each is shared now",
          "sharing-history": "sharing choices, newest first",
          "peers-table": "every sharing authority's own figure, ranked"}


def _tables(at: AppTest, which: str) -> list[pd.DataFrame]:
    """The tables of one kind on the page, found by their accessible name (a data grid's `alt`)."""
    return [d.value for d in at.dataframe if TABLES[which] in d.proto.alt]


def _table(at: AppTest, which: str) -> pd.DataFrame:
    (found,) = _tables(at, which)
    return found


def _chart_frames(node) -> list[pd.DataFrame]:  # type: ignore[no-untyped-def]
    """The data of a Vega-Lite chart element: Streamlit sends each named dataset as Arrow."""
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in node.proto.datasets]


def _text_of(node) -> str:  # type: ignore[no-untyped-def]
    """Everything an element carries: its value (a table as CSV), its proto, a chart's spec and data."""
    parts = [str(getattr(node, "proto", ""))]
    value = getattr(node, "value", None)
    if isinstance(value, pd.DataFrame):
        parts.append(value.to_csv())
    elif value is not None:
        parts.append(shown(str(value)))
    for attr in ("label", "options"):
        parts.append(shown(str(getattr(node, attr, ""))))
    if hasattr(getattr(node, "proto", None), "datasets"):  # a Vega-Lite chart
        parts += [node.proto.spec, *(f.to_csv() for f in _chart_frames(node))]
    return "\n".join(parts)


def _section(at: AppTest, heading: str = SECTION) -> list:  # type: ignore[type-arg]
    """The elements from the subheader `heading` to the end of the page (the monthly section is the last)."""
    nodes = [n for n in at.main if not hasattr(n, "children")]
    starts = [i for i, n in enumerate(nodes) if type(n).__name__ == "Subheader" and n.value == heading]
    assert starts, f"no {heading!r} section"
    return nodes[starts[0]:]


def _peer_chart(at: AppTest):  # type: ignore[no-untyped-def]
    charts = [c for c in at.get("vega_lite_chart") if "monthly, among sharing authorities" in c.proto.spec]
    assert len(charts) == 1
    return charts[0]


def test_an_editor_saves_what_is_shared_as_one_version_and_can_withdraw(store_root: Path) -> None:
    at = _app("sharing", user={"is_logged_in": True, "email": EDITOR, "email_verified": True})
    table = _table(at, "sharing-choices").set_index("Common definition")
    twenty = "% of new EHC plans issued within 20 weeks, excluding exceptions"
    requests = "Requests for an EHC needs assessment (calendar year)"
    assert set(table["Shared now"]) == {"Not shared"}, "off by default"
    assert table.loc[twenty, "Our measures"] == "EHCP: % of new EHC Plans issued within 20 weeks, excl. exceptions"
    assert table.loc[twenty, "Which way is good"] == "higher is better"

    at.checkbox(key=f"share-{MEASURE}").check()
    at.checkbox(key="share-requests").check()
    at.button(key="sharing-save").click().run()
    assert not at.exception, at.exception
    side = sharing_store(_store(store_root))
    (first,) = side.versions()  # one Save: one version, holding both choices
    assert first.author == EDITOR and first.new == 2
    assert shared_kpis(read_sharing(_store(store_root)), BCP) == {MEASURE, "requests"}
    (saved,) = [shown(s.value) for s in at.success]
    assert saved.startswith("Saved what ") and saved.endswith(f" shares. Shared: {twenty}; {requests}."), saved
    table = _table(at, "sharing-choices").set_index("Common definition")
    assert table.loc[twenty, "Shared now"] == table.loc[requests, "Shared now"] == "Shared"
    assert table.loc[twenty, "Last changed by"] == EDITOR and " at " in table.loc[twenty, "When"]

    at.checkbox(key="share-requests").uncheck()
    at.button(key="sharing-save").click().run()
    assert not at.exception, at.exception
    latest = side.versions()[0]
    assert latest.id != first.id and len(side.versions()) == 2
    (saved,) = [shown(s.value) for s in at.success]
    assert saved.endswith(f" shares. Stopped sharing: {requests}."), saved
    assert _table(at, "sharing-choices").set_index("Common definition").loc[
        requests, "Shared now"] == "Not shared (withdrawn)"
    assert shared_kpis(read_sharing(_store(store_root)), BCP) == {MEASURE}

    at.button(key="sharing-save").click().run()  # nothing ticked differently: nothing written
    assert len(side.versions()) == 2
    assert any("Nothing to save" in i.value for i in at.info)

    switch_to(at, "history").run()
    assert not at.exception, at.exception
    history = _table(at, "sharing-history")
    assert history["Version"].tolist() == [latest.id, first.id]
    assert history["Choice"].tolist() == [f"Stopped sharing: {requests}", f"Shared: {twenty}; {requests}"]
    assert set(history["By"]) == {EDITOR}


def test_history_lists_only_this_authoritys_choices(store_root: Path) -> None:
    _share(store_root)
    at = _app("history")
    assert not _tables(at, "sharing-history")
    assert any("has made no sharing choice yet" in shown(t.value) for t in at.markdown)
    page = "\n".join(_text_of(n) for n in _section(at, "Sharing choices"))
    for other in ("Devon", "Torbay", "Plymouth", "editor@878", "editor@plymouth"):
        assert other not in page


@pytest.mark.parametrize("user", [
    {"is_logged_in": True, "email": "someone@bcp.gov.uk", "email_verified": True},
    {"is_logged_in": True, "email": EDITOR, "email_verified": False},  # on the list, but not verified
    {"is_logged_in": False},
], ids=["not-an-editor", "unverified", "signed-out"])
def test_a_viewer_sees_the_choices_but_no_save(store_root: Path, user: dict) -> None:
    _share(store_root, bcp=True)
    at = _app("sharing", user=user)
    table = _table(at, "sharing-choices").set_index("Common definition")
    assert table.loc["% of new EHC plans issued within 20 weeks, excluding exceptions", "Shared now"] == "Shared"
    assert not at.checkbox and not [b for b in at.button if b.key == "sharing-save"]
    assert any("Bournemouth, Christchurch and Poole's editors can change what it shares" in shown(i.value)
               for i in at.info)


def test_how_we_compare_ranks_only_the_sharers_and_a_non_sharer_is_nowhere(store_root: Path) -> None:
    _share(store_root)
    at = _app("how_we_compare")
    picker = at.selectbox(key="peers-measure")
    assert picker.options == ["% of new EHC plans issued within 20 weeks, excluding exceptions"]  # requests: 1 sharer
    table = _table(at, "peers-table")
    assert table["Authority"].tolist() == ["Devon", "Torbay"]
    assert table["Figure"].tolist() == ["64.0%", "47.5%"]  # March 2025, the latest month both have
    assert table["Rank"].tolist() == ["1 of 2", "2 of 2"]
    assert table["Quartile band"].tolist()[0].startswith("top quarter")
    chart = _peer_chart(at)
    bars = _chart_frames(chart)[0]
    assert sorted(bars["la_code"]) == [DEVON, TORBAY]
    assert "local, unpublished data" in chart.proto.spec

    section = _section(at)
    words = [shown(n.value) for n in section if type(n).__name__ in ("Markdown", "Caption", "Info")]
    assert any("Local, unpublished data" in w for w in words), "the caveat in words beside the figures"
    assert any("Bournemouth, Christchurch and Poole is not among the sharing authorities for this measure" in w
               for w in words)
    assert any("Mean of the 2 sharing authorities: 55.75%" in w for w in words), "the chart's description"
    assert any("Shared by 2 authorities." in w for w in words)
    assert [p.proto.page for p in section if type(p).__name__ == "PageLink"][:1], "the way to opt in"
    everything = "\n".join(_text_of(n) for n in section)
    for trace in ("Plymouth", f'"{PLYMOUTH}"', f",{PLYMOUTH},", "99.0", "3 authorities", "of 3"):
        assert trace not in everything, trace
    assert "Devon" in everything and "Torbay" in everything


def test_fewer_than_two_sharers_with_a_figure_is_said_in_a_sentence(store_root: Path) -> None:
    at = _app("how_we_compare")
    assert any("No measure is shared by at least two authorities yet" in i.value for i in at.info)
    assert not _tables(at, "peers-table")

    _share(store_root, devon=False, bcp=True)  # BCP's latest 20-week figure is March 2024: no month in common
    at = _app("how_we_compare")
    words = [shown(i.value) for i in _section(at) if type(i).__name__ == "Info"]
    assert any("only one authority has shared a figure for March 2025, so there is no ranking" in w for w in words)
    assert not _tables(at, "peers-table")
    assert not [c for c in at.get("vega_lite_chart") if "among sharing authorities" in c.proto.spec]


@pytest.fixture
def devon_home(store_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SENDLIB_HOME_LA", DEVON)
    return store_root


def test_a_sharing_home_authority_is_marked_ranked_and_a_sharer_without_the_month_named(devon_home: Path) -> None:
    _share(devon_home, bcp=True)
    at = _app("how_we_compare")
    metrics = {shown(m.label): m.value for m in _section(at) if type(m).__name__ == "Metric"}
    assert metrics == {"Devon, March 2025": "64.0%", "Rank among sharing authorities": "1 of 2",
                       "Quartile band": "top quarter (best — 1 = best)", "Mean of the 2 sharing authorities": "55.75%"}
    table = _table(at, "peers-table")
    assert table["Authority"].tolist() == ["Devon", "Torbay", "Bournemouth, Christchurch and Poole"]
    assert table["Which"].tolist() == ["Home authority", "Sharing authority", "Sharing authority"]
    assert table["Note"].tolist()[-1] == "no figure for March 2025 yet", \
        "the board report's March 2024 rate is its own council's, not Bournemouth's"
    spec = json.loads(_peer_chart(at).proto.spec)
    assert "▼ Devon" in json.dumps(spec, ensure_ascii=False) or any(
        "▼ Devon" in f.to_csv() for f in _chart_frames(_peer_chart(at)))
    assert not any("is not among the sharing authorities" in shown(i.value) for i in at.info)
