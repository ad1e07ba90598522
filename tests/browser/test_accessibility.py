"""axe-core's WCAG 2.x A/AA rules on every page of the real app. Streamlit's own shell scores zero,
so any violation found is ours."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sendlib.paths import ROOT

AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["", "statutory_duty", "early_years", "provision", "tribunals", "preparing_for_adulthood", "sendiass",
         "education", "quality_and_lived_experience", "care_health_and_ap", "how_we_compare", "upload", "history",
         "glossary", "board_report", "exceptions"]


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} missing: `make test` installs axe-core from npm")
        pytest.skip("axe-core not installed (make test installs it with npm)")
    return AXE


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations(page, app_url: str, axe_js: Path, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/{path}")
    page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')")
    if page.locator('[data-testid="stVegaLiteChart"]').count():
        page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    found = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]
    assert not found, found
