"""Who may change the data with sign-in configured: an address on the editors list, whatever its case, and never one
the sign-in provider says it has not verified."""

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
    ("JO.BLOGGS@COUNCIL.GOV.UK ", None, True),  # a provider that sends no email_verified claim
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


def _upload_page(user: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["editors"] = {"emails": EDITORS}
    at.user = user
    at.run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception, at.exception
    return at


def test_an_editor_signed_in_with_another_case_may_upload(store_dir: Path) -> None:
    at = _upload_page({"is_logged_in": True, "email": "JO.Bloggs@council.GOV.uk", "email_verified": True})
    assert not at.file_uploader(key="upload-file").proto.disabled
    assert "Signed in as jo.bloggs@council.gov.uk (editor)." in [shown(c.value) for c in at.caption]
    switch_to(at, "statutory_duty").run()
    assert [t for t in at.text_area if t.key.startswith("comment-")], "commentary boxes under the charts"


def test_an_unverified_address_on_the_list_may_not(store_dir: Path) -> None:
    at = _upload_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "email_verified": False})
    assert at.file_uploader(key="upload-file").proto.disabled
    assert "has not verified" in shown(at.warning[0].value)
    switch_to(at, "statutory_duty").run()
    assert not at.exception, at.exception
    assert not [t for t in at.text_area if t.key.startswith("comment-")], "no commentary boxes either"
