"""A manager opens the Forecast page from the menu, moves a scenario control, and sees the forecast redrawn and its
description in words change."""

from __future__ import annotations

from actions import settle

CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
DRAWN = """() => {
  const el = document.querySelector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg');
  if (!el) return null;
  return el.tagName.toLowerCase() === 'canvas' ? el.toDataURL() : el.outerHTML;
}"""


def _description(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_text("80% likely between", exact=False).first.inner_text()


def test_a_scenario_control_redraws_the_forecast_and_its_words(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Forecast").click()
    page.get_by_role("heading", name="Forecast").first.wait_for()
    page.locator(CHART).first.wait_for()
    settle(page)
    before_words, before_chart = _description(page), page.evaluate(DRAWN)
    assert "Forecast" in before_words and before_chart

    growth = page.get_by_role("slider", name="Request growth (percentage points a year added)")
    growth.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    settle(page)
    page.wait_for_function("old => { const t = [...document.querySelectorAll('[data-testid=\"stMarkdown\"]')]"
                           ".map(e => e.innerText).find(t => t.includes('80% likely between')); "
                           "return t && t !== old; }", arg=before_words)
    page.get_by_text("Scenario applied", exact=False).wait_for()
    page.wait_for_function(f"old => ({DRAWN})() !== old", arg=before_chart)
    assert _description(page) != before_words
    assert page.locator('[data-testid="stException"]').count() == 0
