"""Who may change the data with sign-in configured: an address on the editors list, whatever the case of its ASCII
letters, never a look-alike of one, and never one the sign-in provider does not say it has verified."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_runner import shown
from registry_nav import switch_to
from streamlit.testing.v1 import AppTest

from sendlib.domain.authorities import editor_allowed
from sendlib.domain.paths import ROOT

EDITORS = ["Jo.Bloggs@Council.gov.uk", " sam@council.gov.uk "]


@pytest.mark.parametrize(("email", "verified", "allowed"), [
    ("jo.bloggs@council.gov.uk", True, True),
    ("JO.BLOGGS@COUNCIL.GOV.UK ", "TRUE", True),
    ("jo.bloggs@council.gov.uk", None, False),  # a provider that sends no email_verified claim vouches for nothing
    ("Sam@Council.gov.uk", "true", True),
    ("jo.bloggs@council.gov.uk", False, False),
    ("jo.bloggs@council.gov.uk", "false", False),  # some providers send the claim as a string
    ("someone@council.gov.uk", True, False),
    ("", True, False),
    (None, None, False),
])
def test_editor_allowed(email: str | None, verified: object, allowed: bool) -> None:
    assert editor_allowed(email, verified, EDITORS) is allowed


def test_a_single_address_is_not_read_letter_by_letter() -> None:
    assert editor_allowed("jo@council.gov.uk", True, "jo@council.gov.uk")
    assert not editor_allowed("j", True, "jo@council.gov.uk")


def _signed_in(user: dict, editors: list[str] = EDITORS) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["editors"] = {"emails": editors}
    at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


def _upload_page(user: dict, editors: list[str] = EDITORS) -> AppTest:
    at = _signed_in(user, editors)
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception, at.exception
    return at


def test_an_editor_signed_in_with_another_case_may_upload(store_dir: Path) -> None:
    at = _upload_page({"is_logged_in": True, "email": "JO.Bloggs@council.GOV.uk", "email_verified": True})
    assert not at.file_uploader(key="upload-file").proto.disabled
    assert "Signed in as jo.bloggs@council.gov.uk (editor)." in [shown(c.value) for c in at.caption]
    at.query_params["id"] = "ehcps"
    switch_to(at, "measure").run()
    assert [t for t in at.text_area if t.key.startswith("comment-")], "a commentary box on the measure's page"


def test_an_unverified_address_on_the_list_may_not(store_dir: Path) -> None:
    at = _upload_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "email_verified": False})
    assert at.file_uploader(key="upload-file").proto.disabled
    assert "has not verified" in shown(at.warning[0].value)
    at.query_params["id"] = "ehcps"
    switch_to(at, "measure").run()
    assert not at.exception, at.exception
    assert not [t for t in at.text_area if t.key.startswith("comment-")], "no commentary boxes either"


@pytest.mark.parametrize("look_alike", ["JO.BLOGGS@COUNCIL.GOV.UK\u3000", "\u212aate@council.gov.uk", "roß@council.gov.uk",
                                        "roſs@council.gov.uk"])
def test_a_look_alike_of_an_editor_signed_in_is_not_one(store_dir: Path, look_alike: str) -> None:
    """The Kelvin sign (U+212A) lower-cases, and ß and ſ case-fold, onto the ASCII editors below; the ideographic space
    is what str.strip() takes off. Each is someone else's address, recorded and shown as it is."""
    at = _upload_page({"is_logged_in": True, "email": look_alike, "email_verified": True},
                      [*EDITORS, "kate@council.gov.uk", "ross@council.gov.uk"])
    assert at.file_uploader(key="upload-file").proto.disabled
    assert "not on the editors list" in shown(at.warning[0].value)
    assert not any("(editor)" in shown(c.value) for c in at.caption)


@pytest.mark.parametrize("claim", [0, "0", "no", "", "missing"])
def test_an_email_verified_other_than_true_may_not_upload(store_dir: Path, claim: object) -> None:
    user = {"is_logged_in": True, "email": "jo.bloggs@council.gov.uk"}
    at = _upload_page(user if claim == "missing" else {**user, "email_verified": claim})
    assert at.file_uploader(key="upload-file").proto.disabled
    assert "has not verified" in shown(at.warning[0].value)


def test_a_look_alike_in_the_editors_list_is_a_setup_error_not_a_way_in(store_dir: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    at = _signed_in({"is_logged_in": True, "email": "ross@council.gov.uk", "email_verified": True},
                    editors=["roß@council.gov.uk"])
    assert ["This explorer is not set up correctly" in e.value for e in at.error] == [True]
    assert "roß" not in " ".join(e.value for e in at.error), "the detail is for the log, not every visitor"
    assert not at.file_uploader and not at.metric, "no page drawn"
    assert "[editors] 'emails': 'roß@council.gov.uk' holds U+00DF LATIN SMALL LETTER SHARP S" in caplog.text
