"""AppTest runs of the Upload page's "Set up these N measures": each of three other councils' scorecards goes from
refusal to loaded through the page (the suggestions shown the right ones, every value exact in the store after), a
bad edit is refused naming its row and column with nothing saved, a non-editor cannot confirm, and the History page
lists the measures' versions and restores one."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hostile_text import FILE_NAME, KPI_NAME
from other_councils import COUNCILS, HERE, Council
from page_runner import open_page, shown
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from explorer.measure_setup import CONFIRM_KEY, editor_key
from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.own_measures import kpis_of
from sendlib.domain.paths import ROOT
from sendlib.presentation.setup_table import CHECKED_WORDS
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import add_measures, measures_store, propose, store_catalogue
from sendlib.workflows.load import parse_bytes
from sendlib.workflows.stores import open_store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file() and p.name != ".lock"}


def upload(at: AppTest, council: Council) -> AppTest:
    raw = (HERE / council.file).read_bytes()
    mime = XLSX if council.file.endswith(".xlsx") else "text/csv"
    at.file_uploader(key="upload-file").set_value((council.file, raw, mime)).run()
    assert not at.exception, at.exception
    return at


def setup_editor(at: AppTest, council: Council):  # type: ignore[no-untyped-def]
    return at.data_editor(key=editor_key((HERE / council.file).read_bytes()))


def tick_all(at: AppTest, council: Council) -> AppTest:
    key = editor_key((HERE / council.file).read_bytes())
    at.checkbox(key=f"{key}-all").check().run()
    assert not at.exception, at.exception
    return at


def blank(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def values_in_store(store: DeltaStore, la: str, council: Council) -> None:
    """Every measure of the council's file in the store, each period's value and the target exactly as the file
    means them, under the ids the set-up gave them."""
    kpis = {k.name: k for k in kpis_of(measures_store(store).read(), la)}
    rows = store.read()
    for measure in council.measures:
        kpi = kpis[measure.name]
        mine = rows[rows["kpi_id"] == kpi.id]
        actual = mine[mine["series"] == "actual"].set_index("period")["value"]
        assert {p: actual.get(p) for p in council.periods} == dict(zip(council.periods, measure.values, strict=True)), \
            measure.name
        assert mine[mine["series"] == "target"]["value"].tolist() == (
            [measure.target_value] if measure.target_value is not None else []), measure.name
        assert (kpi.unit, kpi.polarity, kpi.cumulative, kpi.target) == (
            measure.unit, measure.expected_polarity, measure.cumulative, measure.target_value), measure.name


KNOWN_DEFECTS = {
    "westborough_ytd.csv": "the set-up table shows no section for the first measure where the file says 'Requests' "
                           "(the library reads it; lost between reading and the page's table): a defect to mend",
}


@pytest.mark.parametrize("council", [pytest.param(c, marks=pytest.mark.xfail(reason=KNOWN_DEFECTS[c.file], strict=False))
                                     if c.file in KNOWN_DEFECTS else c for c in COUNCILS], ids=lambda c: c.file)
def test_a_council_file_goes_from_set_up_to_loaded_every_value_exact(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch, council: Council) -> None:
    monkeypatch.setenv("SENDLIB_HOME_LA", council.la)  # this explorer is the council's own
    store = open_store(store_dir)
    figures_head = store.head()
    n = len(council.measures)
    at = upload(open_page("app_pages/upload.py"), council)

    assert any(f"{n} measures in " in shown(i.value) and "are new to the explorer: set them up below" in shown(i.value)
               for i in at.info)
    errors = [t for t in at.table if "Detail" not in t.value.columns]  # the page's folded "Technical details" aside
    assert not errors, "no wall of unknown-KPI errors: the set-up table instead"
    assert [s.value for s in at.subheader] == [f"Set up these {n} measures"]
    table = setup_editor(at, council).value
    assert table["name"].tolist() == [m.name for m in council.measures], "names as printed, in the file's order"
    assert table["unit"].tolist() == [m.unit for m in council.measures]
    assert table["polarity"].tolist() == [m.expected_polarity for m in council.measures]
    assert table["cumulative"].tolist() == [m.cumulative for m in council.measures]
    assert [blank(t) for t in table["target"]] == [m.target_value for m in council.measures]
    assert table["section"].tolist() == [m.section for m in council.measures]
    catalogue = store_catalogue(store, council.la)
    raw = (HERE / council.file).read_bytes()
    offered = propose(parse_bytes(raw, council.file, catalogue).unknown, catalogue)
    assert table["common_measure"].tolist() == [p.common_measure or "none" for p in offered]
    assert table["common_measure_reason"].tolist() == [p.common_measure_reason for p in offered], "the reason shown"
    for measure, suggested in zip(council.measures, table["suggested"], strict=True):
        assert "unit" in suggested and "theme" in suggested, "every guess marked as a guess, in words"
        assert ("which way is good" in suggested) is (measure.polarity is None), "a Polarity cell is not a guess"
    assert not table["checked"].any()

    before = snapshot(store_dir)
    at.button(key=CONFIRM_KEY).click().run()
    assert not at.exception, at.exception
    assert f"Nothing saved: {n} problems in the set-up table." in shown(at.error[-1].value)
    refused = at.table[0].value.map(lambda v: shown(v) if isinstance(v, str) else v)
    assert refused["Row"].tolist() == list(range(1, n + 1)) and set(refused["Column"]) == {"Checked"}
    assert snapshot(store_dir) == before, "nothing saved until every row is checked"

    at = tick_all(at, council)
    assert setup_editor(at, council).value["suggested"].tolist() == [CHECKED_WORDS] * n
    at.button(key=CONFIRM_KEY).click().run()
    assert not at.exception, at.exception
    done = shown(at.success[0].value).replace("**", "")
    assert f"{n} measures set up from {council.file}: version 000001 of the catalogue's measures" in done
    assert store.head() != figures_head and f"loaded as figures version {store.head()}" in done
    assert "This file holds nothing new" in [i.value for i in at.info][-1], "the page reads the file again: all in"
    assert not at.data_editor and not at.error
    assert measures_store(store).versions()[0].rows == n and len(measures_store(store).versions()) == 1
    values_in_store(store, council.la, council)


def test_the_bundled_authority_sets_up_a_file_with_edits_kept(store_dir: Path) -> None:
    """The bundled documents' authority (no home authority set) adds another layout's measures beside its own; a
    person's edits are what is saved, and a field they chose is no longer listed as a suggestion."""
    council = COUNCILS[1]
    store = open_store(store_dir)
    at = upload(open_page("app_pages/upload.py"), council)
    key = editor_key((HERE / council.file).read_bytes())
    at.session_state[key] = {"edited_rows": {3: {"polarity": "higher_better", "theme": "quality", "checked": True}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    suggested = setup_editor(at, council).value["suggested"].tolist()
    assert suggested[3] == CHECKED_WORDS and all(s != CHECKED_WORDS for s in suggested[:3])
    at.session_state[key] = {"edited_rows": {3: {"polarity": "higher_better", "theme": "quality"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert "which way is good" not in setup_editor(at, council).value["suggested"].tolist()[3], \
        "a field the person chose is theirs"
    tick_all(at, council).button(key=CONFIRM_KEY).click().run()
    assert not at.exception, at.exception
    assert "4 measures set up" in shown(at.success[0].value)
    catalogue = store_catalogue(store)
    assert len(catalogue) == len(load_catalogue()) + 4
    mediations = catalogue.find_by_name("scorecard", "Number of mediations held")
    assert mediations is not None
    assert (mediations.polarity, mediations.polarity_source, mediations.theme) == ("higher_better", "domain", "quality")
    expected = [replace(m, expected_polarity="higher_better") if m.name == mediations.name else m
                for m in council.measures]
    values_in_store(store, "839", replace(council, measures=expected))


def test_a_bad_edit_is_refused_naming_row_and_column_and_nothing_is_saved(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    council = COUNCILS[0]
    monkeypatch.setenv("SENDLIB_HOME_LA", council.la)
    at = upload(open_page("app_pages/upload.py"), council)
    key = editor_key((HERE / council.file).read_bytes())
    tick_all(at, council)
    at.session_state[key] = {"edited_rows": {1: {"theme": None}, 3: {"unit": "furlongs"},
                                             4: {"common_measure": "no-such-definition"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    before = snapshot(store_dir)
    at.button(key=CONFIRM_KEY).click().run()
    assert not at.exception, at.exception
    assert "Nothing saved: 3 problems in the set-up table." in shown(at.error[-1].value)
    refused = at.table[0].value.map(lambda v: shown(v) if isinstance(v, str) else v)
    assert refused[["Row", "Column", "Value"]].values.tolist() == [
        [2, "Theme", "(blank)"], [4, "Unit", "furlongs"], [5, "Common definition", "no-such-definition"]]
    assert refused["Problem"].tolist()[0] == "blank: choose a theme"
    assert "'percent'" in refused["Problem"].tolist()[1], "the units it could be"
    assert snapshot(store_dir) == before
    assert measures_store(open_store(store_dir)).head() is None


def test_a_non_editor_cannot_set_up_measures(store_dir: Path) -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["editors"] = {"emails": ["jo.bloggs@council.gov.uk"]}
    at.user = {"is_logged_in": True, "email": "someone@council.gov.uk", "email_verified": True}
    at.run()
    at.switch_page("app_pages/upload.py").run()
    assert at.file_uploader(key="upload-file").proto.disabled, "no file to set up from"
    with pytest.raises(AppTestError):
        upload(at, COUNCILS[0])
    assert not at.data_editor and not [b for b in at.button if b.key == CONFIRM_KEY]
    assert measures_store(open_store(store_dir)).head() is None


def _read_only_setup() -> None:
    from other_councils import COUNCILS, HERE

    from explorer import data
    from explorer.measure_setup import measure_setup
    from sendlib.workflows.catalogues import propose
    from sendlib.workflows.load import parse_bytes

    council = COUNCILS[0]
    raw = (HERE / council.file).read_bytes()
    catalogue = data.catalogue()
    measure_setup(propose(parse_bytes(raw, council.file, catalogue).unknown, catalogue), raw, council.file, None,
                  editable=False)


def test_a_non_editor_sees_the_proposals_read_only(store_dir: Path) -> None:
    at = AppTest.from_function(_read_only_setup, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    (editor,) = at.data_editor
    assert editor.proto.disabled, "shown, not editable"
    assert editor.value["name"].tolist() == [m.name for m in COUNCILS[0].measures]
    assert not at.button and at.checkbox[0].proto.disabled
    assert "Only editors can set up measures" in at.caption[-1].value


def test_history_lists_the_measures_versions_and_restores_one(store_dir: Path) -> None:
    store = open_store(store_dir)
    at = open_page("app_pages/history.py")
    assert "No measures have been set up from a file yet." in [c.value for c in at.caption]
    at.switch_page("app_pages/upload.py").run()
    for council in COUNCILS[:2]:
        upload(at, council)
        tick_all(at, council).button(key=CONFIRM_KEY).click().run()
        assert not at.exception, at.exception
    side = measures_store(store)
    assert [v.id for v in side.versions()] == ["000002", "000001"]
    northshire = COUNCILS[0].measures[0].name
    eastvale = COUNCILS[1].measures[0].name

    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    (frame,) = [f.value for f in at.dataframe if f.proto.alt.startswith("Versions of the measures set up")]
    assert frame["Now showing"].tolist() == ["yes", "no"]
    assert frame["File"].tolist() == [COUNCILS[1].file, COUNCILS[0].file]
    assert frame["What"].tolist() == ["4 measures set up for authority 839", "5 measures set up for authority 839"]
    at.selectbox(key="measures-history-version").select("000001").run()
    at.button(key="measures-history-restore").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Measures: back as they were on ") for s in at.success)
    assert side.head() == "000003" and side.read().equals(side.read("000001"))
    catalogue = store_catalogue(store)
    assert catalogue.find_by_name("scorecard", northshire) and not catalogue.find_by_name("scorecard", eastvale)


def test_other_problems_are_still_listed_and_the_file_is_not_loaded_until_they_are_put_right(store_dir: Path) -> None:
    store = open_store(store_dir)
    at = open_page("app_pages/upload.py")
    raw = b"KPI,Feb 25\nNo. of EHCPs,lots\nNo. of tribunal hearings attended,4\nNo. of SEND surgeries held,2\n"
    at.file_uploader(key="upload-file").set_value(("mixed.csv", raw, "text/csv")).run()
    assert not at.exception, at.exception
    headline = shown(at.error[0].value)
    assert "was refused: 3 problems." in headline and "It names 2 measures" in headline
    assert "Correct the other 1 problem listed here too." in headline
    listed = at.table[0].value.map(lambda v: shown(v) if isinstance(v, str) else v)
    assert listed[["Row", "Column", "Value"]].values.tolist() == [[2, "Feb 25", "lots"]], "only the other problem"
    key = editor_key(raw)
    assert at.data_editor(key=key).value["name"].tolist() == ["No. of tribunal hearings attended",
                                                              "No. of SEND surgeries held"]
    at.checkbox(key=f"{key}-all").check().run()
    at.button(key=CONFIRM_KEY).click().run()
    assert not at.exception, at.exception
    said = shown(at.warning[0].value)
    assert "2 measures set up" in said and "The file was not loaded: it still has 1 problem" in said
    assert store.head() == "000001", "figures untouched (000002 is the board report's council's)"
    assert measures_store(store).head() == "000001"
    assert not at.data_editor, "the measures are known now: only the other problem is left"
    assert at.table[0].value.map(lambda v: shown(v) if isinstance(v, str) else v)["Value"].tolist() == ["lots"]


def test_a_hostile_measure_and_file_name_are_shown_as_text(store_dir: Path) -> None:
    at = open_page("app_pages/upload.py")
    raw = f"KPI,Feb 25\n\"{KPI_NAME}\",4\n".encode()
    at.file_uploader(key="upload-file").set_value((FILE_NAME, raw, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.data_editor(key=editor_key(raw)).value["name"].tolist() == [KPI_NAME], "the grid shows text as text"
    markdown = [*(i.value for i in at.info), *(e.label for e in at.expander), *(m.value for m in at.markdown)]
    for text in markdown:
        assert "](http" not in text and ":red[" not in text, text
    at.checkbox(key=f"{editor_key(raw)}-all").check().run()
    at.button(key=CONFIRM_KEY).click().run()
    assert not at.exception, at.exception
    assert "](http" not in at.success[0].value and shown(FILE_NAME) in shown(at.success[0].value)


def test_only_editors_may_restore_the_measures(store_dir: Path) -> None:
    store = open_store(store_dir)
    for council in COUNCILS[:2]:
        raw = (HERE / council.file).read_bytes()
        catalogue = store_catalogue(store)
        add_measures(store, propose(parse_bytes(raw, council.file, catalogue).unknown, catalogue), file_name=council.file)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["editors"] = {"emails": ["jo.bloggs@council.gov.uk"]}
    at.user = {"is_logged_in": True, "email": "someone@council.gov.uk", "email_verified": True}
    at.run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    (frame,) = [f.value for f in at.dataframe if f.proto.alt.startswith("Versions of the measures set up")]
    assert frame["Now showing"].tolist() == ["yes", "no"], "listed for everyone"
    assert not [b for b in at.button if b.key == "measures-history-restore"], "restored only by editors"
