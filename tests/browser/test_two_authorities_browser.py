"""A deployment serving several authorities, in the real browser, signed in through OpenID Connect as a user is: the
app's "Sign in" goes to a provider (tests/oidc_provider.py, in-process) and back through Streamlit's
/oauth2callback. An editor of one authority can neither upload nor comment for another, and can for its own; an
authority that shares a measure is in How we compare's monthly comparison, one that does not is nowhere in it.
(tests/app/test_two_authorities.py checks the editing rules under AppTest, with the sign-in faked.)"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import settle
from oidc_provider import OIDCProvider
from other_councils import COUNCILS, HERE
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from explorer.serve import running_app
from sendlib.workflows.catalogues import add_measures, propose, store_catalogue
from sendlib.workflows.load import init_store, load_file, parse_bytes
from sendlib.workflows.sharing import save_sharing
from sendlib.workflows.stores import open_store

COUNCIL = COUNCILS[0]  # Northshire's scorecard, read for Devon (878)
NON_SHARER = COUNCILS[2]  # Westborough's, read for Plymouth (879): it counts requests too, and shares nothing
SHARED = ["mainstream-pct", "requests"]  # the common definitions 839 and 878 share (879 counts requests)
HOME = "839"  # the bundled documents' authority, Bournemouth, Christchurch and Poole
HOME_EDITOR = "jo@bcp.gov.uk"
OTHER_EDITOR = "sam@northshire.gov.uk"
NON_SHARER_EDITOR = "pat@westborough.gov.uk"
JOINER = "\u2060"
SHARERS = ["Bournemouth, Christchurch and Poole", "Devon"]
NON_SHARER_NAME = "Plymouth"
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
# How we compare's monthly section: its heading's element and everything after it on the page (it is the last
# section), as [text shown, HTML] (the HTML holds the chart's SVG with every bar's aria-label).
SECTION = """() => {
  const heading = document.getElementById('monthly');
  const parts = [[], []];
  for (let box = heading.closest('[data-testid="stElementContainer"]'); box; box = box.nextElementSibling) {
    parts[0].push(box.innerText);
    parts[1].push(box.outerHTML);
  }
  return parts.map(p => p.join('\\n'));
}"""
SECTION_DRAWN = """() => {
  const heading = document.getElementById('monthly');
  const boxes = [];
  for (let box = heading?.closest('[data-testid="stElementContainer"]'); box; box = box.nextElementSibling) {
    boxes.push(box);
  }
  const charts = boxes.flatMap(b => [...b.querySelectorAll('[data-testid="stVegaLiteChart"]')]);
  return charts.length > 0 && charts.every(c => c.querySelector('svg, canvas'));
}"""
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .every(chart => chart.querySelector('canvas, svg'))"""


def add_council(root: Path, council) -> None:  # type: ignore[no-untyped-def]
    """A council's own measures set up and its scorecard loaded, in its own part of the store at `root`."""
    store = open_store(root, la=council.la)
    file = HERE / council.file
    catalogue = store_catalogue(store)
    add_measures(store, propose(parse_bytes(file.read_bytes(), file.name, catalogue).unknown, catalogue))
    load_file(store, file, store_catalogue(store))


def toml_table(name: str, table: dict[str, object]) -> str:
    """One TOML table; a JSON string or list of strings is a TOML one too."""
    return "\n".join([f"[{name}]", *(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in table.items())]) + "\n"


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with OIDCProvider() as running:
        yield running


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, provider: OIDCProvider,
            chromium_path: str) -> Iterator[str]:
    """The app on a store holding 839's bundled documents and 878's and 879's own scorecards, 839 and 878 sharing
    two measures; sign-in, the three authorities and each one's editors in a secrets file of the test's own (never
    the repository's .streamlit/secrets.toml)."""
    tmp = tmp_path_factory.mktemp("two-authorities")
    store = tmp / "store"
    init_store(open_store(store, la=HOME))
    add_council(store, COUNCIL)
    add_council(store, NON_SHARER)
    for la in (HOME, COUNCIL.la):
        save_sharing(open_store(store, la=la), la, SHARED, True)
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        # Streamlit fills in {port}: the port running_app chose.
        toml_table("auth", provider.auth_section("http://127.0.0.1:{port}/oauth2callback"))
        + toml_table("authorities", {"codes": [HOME, COUNCIL.la, NON_SHARER.la]})
        + toml_table("editors", {HOME: [HOME_EDITOR], COUNCIL.la: [OTHER_EDITOR],
                                     NON_SHARER.la: [NON_SHARER_EDITOR]}),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as env:
        # The config option secrets.files (the flag --secrets.files) by its environment variable: this file only.
        env.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        with running_app(store) as url:
            yield url


def sign_in(page, app_url: str, provider: OIDCProvider, email: str) -> None:  # type: ignore[no-untyped-def]
    """Through the Upload page's sign-in button, the provider and back to the overview, as `email`."""
    provider.sign_in_as(email)
    page.goto(f"{app_url}/upload")
    page.get_by_role("heading", name="Upload new figures").wait_for()
    page.get_by_role("button", name="Sign in to upload or restore").click()
    page.wait_for_url(f"{app_url}/")  # Streamlit's /oauth2callback sends the browser back to the app's root
    page.get_by_role("heading", name="SEND performance overview").wait_for()
    assert provider.sign_ins[-1] == email


def choose(page, label: str, option: str, *, within=None) -> None:  # type: ignore[no-untyped-def]
    """Pick `option` in the selectbox `label`. A click on a selectbox just redrawn (a download's deferred render,
    a rerun) can leave its list closed: open it again until the option is there."""
    box = (within or page).get_by_role("combobox", name=label)
    wanted = page.get_by_role("option", name=option)
    for attempt in (1, 2, 3):
        settle(page)
        box.click()
        try:
            wanted.wait_for(timeout=5_000 * attempt)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
    wanted.click()
    settle(page)


def go_to(page, link: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    """Through the sidebar's menu, in the same session (so the authority chosen stays chosen)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=link, exact=True).click()
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    settle(page)


def scoped_download(page, key: str) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """The download button with widget key `key` (one of several with the same label on the page), clicked; a
    click that lands while Streamlit is still redrawing it can be lost, so once more if need be."""
    button = page.locator(f".st-key-{key} button:visible")  # a tertiary button has a hidden twin, for its width
    for attempt in (1, 2):
        settle(page)
        try:
            with page.expect_download(timeout=30_000 * attempt) as info:
                button.click()
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    got = info.value
    assert got.failure() is None
    return got.suggested_filename, Path(got.path()).read_bytes()


def open_commentary(page) -> None:  # type: ignore[no-untyped-def]
    """Commentary is written on a measure's page: open the overview's first tile's, within the session."""
    go_to(page, "Overview", "SEND performance overview")
    page.get_by_role("link", name="Open the measure").first.click()
    page.get_by_role("heading", name="Commentary").wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    page.wait_for_function(CHARTS_DRAWN)
    settle(page)


def test_an_editor_of_one_authority_may_not_upload_or_comment_for_the_other(  # type: ignore[no-untyped-def]
        page, app_url: str, provider: OIDCProvider) -> None:
    sign_in(page, app_url, provider, OTHER_EDITOR)
    # A session's first run draws the sidebar after the page: wait for it. The home authority is shown first (open
    # to every visitor without [viewers]); the editor's own is the other choice.
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Authority")
    picker.wait_for()
    expect(picker).to_have_value(f"Bournemouth, Christchurch and Poole ({HOME})")

    go_to(page, "Upload new figures", "Upload new figures")
    page.get_by_text("not on the editors list for this authority").wait_for()
    expect(page.locator(UPLOADER)).to_be_disabled()

    open_commentary(page)
    expect(page.get_by_text("No commentary yet.").first).to_be_visible()  # what a reader sees in each box
    assert page.get_by_role("button", name="Save commentary").count() == 0
    assert page.locator('[data-testid="stTextArea"]').count() == 0, "no commentary box for another's data"

    choose(page, "Authority", f"Devon ({COUNCIL.la})", within=page.get_by_test_id("stSidebar"))
    go_to(page, "Upload new figures", "Upload new figures")
    # The address is shown as text: a word joiner before its @ keeps Markdown from making it a mailto: link.
    page.get_by_text(f"Signed in as {OTHER_EDITOR.replace('@', JOINER + '@')} (editor).").wait_for()
    expect(page.locator(UPLOADER)).to_be_enabled()
    assert page.get_by_text("not on the editors list").count() == 0

    open_commentary(page)
    expect(page.locator('[data-testid="stTextArea"] textarea').first).to_be_editable()
    assert page.get_by_role("button", name="Save commentary").count() > 0


def test_a_sharing_authority_is_in_the_monthly_comparison_and_a_non_sharing_one_nowhere(  # type: ignore[no-untyped-def]
        page, app_url: str) -> None:
    """839 and 878 share the mainstream share of plans and requests; 879, served by the same deployment, holds its
    own requests figures for the same months but shares nothing. How we compare's monthly section ranks the two
    sharers and names 879 nowhere: not in its text, its chart (the SVG's labels and each bar's aria-label
    included), its table's CSV or the chart's SVG download. (DfE's published sections above it do name Plymouth,
    as DfE publishes every authority's figures: those are not its own monthly data.)"""
    page.goto(f"{app_url}/how_we_compare")
    page.get_by_role("heading", name="Monthly, among sharing authorities").wait_for()
    # Opens on the first shared measure by name, % of plans in mainstream schools (higher is better, so ranked):
    # January 2025, the latest month both have, BCP's 49.2% first and Devon's 40.5% second.
    page.get_by_text("bar chart of the 2 sharing authorities with a figure").wait_for()
    page.wait_for_function(SECTION_DRAWN)
    settle(page)
    text, html = page.evaluate(SECTION)
    assert "Shared by 2 authorities." in text
    for name in SHARERS:
        assert name in text, f"{name} shares the measure: it should be in the monthly comparison"
    assert "1 of 2" in html and "2 of 2" in html, "the two sharers ranked"
    assert NON_SHARER_NAME not in html
    _, table = scoped_download(page, "peers-table-download")
    ranked = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
    assert sorted(r["Authority"] for r in ranked) == sorted(SHARERS)
    assert sorted(r["Rank"] for r in ranked) == ["1 of 2", "2 of 2"]
    _, svg = scoped_download(page, "peers-ranked-svg")
    assert all(name.encode() in svg for name in SHARERS) and NON_SHARER_NAME.encode() not in svg

    # Requests: 879 counts them too, month by month, and is still not there (it does not share them).
    choose(page, "Shared measure", "Requests for an EHC needs assessment (calendar year)")
    page.get_by_text("Requests for an EHC needs assessment (calendar year), monthly, among sharing authorities",
                     exact=False).first.wait_for()
    page.wait_for_function(SECTION_DRAWN)
    settle(page)
    text, html = page.evaluate(SECTION)
    assert all(name in text for name in SHARERS) and NON_SHARER_NAME not in html
    _, table = scoped_download(page, "peers-table-download")
    assert NON_SHARER_NAME.encode() not in table and all(name.encode() in table for name in SHARERS)
