"""A deployment serving two authorities (`[authorities]` in secrets): each session shows one, chosen in the sidebar
among those the visitor may see; an editor of one may change only that one's data, and nothing of the other's is
read for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from other_councils import COUNCILS, HERE
from page_runner import shown
from registry_nav import switch_to
from streamlit.testing.v1 import AppTest

from sendlib.domain.paths import ROOT
from sendlib.workflows.catalogues import add_measures, propose, store_catalogue
from sendlib.workflows.load import init_store, load_file, parse_bytes
from sendlib.workflows.stores import open_store

COUNCIL = COUNCILS[0]
HOME = "839"
BCP_EDITOR = "jo@bcp.gov.uk"
OTHER_EDITOR = "sam@northshire.gov.uk"


@pytest.fixture
def region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> Path:
    """One store holding the bundled documents (839's) and a council's own set-up and scorecard."""
    path = tmp_path / "store"
    init_store(open_store(path, la=HOME))
    other = open_store(path, la=COUNCIL.la)
    file = HERE / COUNCIL.file
    catalogue = store_catalogue(other)
    add_measures(other, propose(parse_bytes(file.read_bytes(), file.name, catalogue).unknown, catalogue))
    load_file(other, file, store_catalogue(other))
    monkeypatch.setenv("SENDLIB_STORE", str(path))
    return path


def app(email: str | None, *, viewers: bool = False) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["authorities"] = {"codes": [HOME, COUNCIL.la]}
    at.secrets["editors"] = {HOME: [BCP_EDITOR], COUNCIL.la: [OTHER_EDITOR]}
    if viewers:
        at.secrets["viewers"] = {HOME: ["viewer@bcp.gov.uk"]}
    at.user = {"is_logged_in": email is not None, "email": email, "email_verified": True}
    at.run()
    assert not at.exception, at.exception
    return at


def choose(at: AppTest, la: str) -> AppTest:
    at.selectbox(key="authority").set_value(la).run()
    assert not at.exception, at.exception
    return at


def test_an_editor_of_one_authority_may_not_change_the_other(region: Path) -> None:
    at = app(OTHER_EDITOR)
    picker = at.selectbox(key="authority")
    assert picker.options == [f"Bournemouth, Christchurch and Poole ({HOME})", f"Devon ({COUNCIL.la})"]
    assert picker.value == HOME, "the home authority first, open to every visitor without [viewers]"
    at.switch_page("app_pages/upload.py").run()
    assert at.file_uploader(key="upload-file").proto.disabled, "not an editor of the home authority"
    assert "not on the editors list for this authority" in shown(at.warning[0].value)
    switch_to(at, "statutory_duty").run()
    assert not [t for t in at.text_area if t.key.startswith("comment-")], "no commentary boxes for another's data"
    choose(at, COUNCIL.la)
    at.switch_page("app_pages/upload.py").run()
    assert not at.file_uploader(key="upload-file").proto.disabled, "an editor of its own authority may upload"
    assert f"Signed in as {OTHER_EDITOR} (editor)." in [shown(c.value) for c in at.caption]


def test_each_authority_sees_its_own_figures_only(region: Path) -> None:
    at = app(OTHER_EDITOR)
    home_tiles = [shown(m.label) for m in at.metric]
    choose(at, COUNCIL.la)
    own = store_catalogue(open_store(region, la=COUNCIL.la))
    other_tiles = [shown(m.label) for m in at.metric]
    assert other_tiles != home_tiles
    assert any(next(iter(own)).name.split()[0] in label for label in other_tiles), other_tiles
    switch_to(at, "app_pages/history.py").run()
    assert not at.exception, at.exception
    text = " ".join(shown(str(df.value.to_csv())) for df in at.dataframe)
    assert COUNCIL.file in text and "send_scorecard.csv" not in text, "the history is the authority's own"


def test_without_viewers_listed_another_authority_is_for_its_own_editors(region: Path) -> None:
    at = app(BCP_EDITOR)
    assert not [s for s in at.selectbox if s.key == "authority"], "only the home authority is open to every visitor"


def test_with_viewers_listed_a_visitor_on_no_list_sees_nothing(region: Path) -> None:
    at = app("stranger@example.com", viewers=True)
    assert "not a viewer or editor of any authority" in shown(at.warning[0].value)
    assert not at.metric and not at.dataframe


def test_a_viewer_of_one_authority_sees_only_that_one(region: Path) -> None:
    at = app("viewer@bcp.gov.uk", viewers=True)
    assert not [s for s in at.selectbox if s.key == "authority"], "one authority: no choice to offer"
    assert at.metric, "the home authority's overview"
