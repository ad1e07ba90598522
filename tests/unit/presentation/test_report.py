"""sendlib.presentation.report: the board report for a month shows the source document's figures for every measure, is one
self-contained HTML page, and prints as an A4 PDF with page numbers."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pypdf
import pytest

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.commentary import COMMENTARY
from sendlib.domain.paths import ROOT
from sendlib.domain.periods import parse_period
from sendlib.presentation.report import Report, ReportError, build_report, render_html, render_pdf, report_months
from sendlib.store.delta import DeltaStore

SOURCE = ROOT / "data" / "source" / "board_report_2024-05.csv"
NO_COMMENTS = COMMENTARY.empty()


def source_rows() -> list[dict[str, str]]:
    """The board report's table as printed (its first line is the document's title)."""
    with SOURCE.open(encoding="utf-8") as fh:
        lines = fh.read().splitlines()[1:]
    return list(csv.DictReader(lines))


def printed(text: str, unit: str) -> str:
    """The source prints counts without a thousands separator (`8317`); the report adds one (`8,317`)."""
    return text.replace(",", "") if unit == "count" else text


@pytest.fixture(scope="module")
def march(table: pd.DataFrame, catalogue: Catalogue) -> Report:
    return build_report(table, catalogue, NO_COMMENTS, "2024-03", version="test")


@pytest.fixture(scope="module")
def march_html(march: Report) -> str:
    return render_html(march)


def test_the_issue_s_own_example(march: Report) -> None:
    rate = march.row("b04-20-week-rate-excl-exceptions")
    assert (rate.latest, rate.previous, rate.target) == ("15.9%", "21.7%", "49.1%")
    assert (rate.latest_period, rate.previous_period) == ("2024-03", "2024-02")
    assert march.row("b05-average-time-to-issue-excl-exceptions").latest == "38 weeks 4 days"


@pytest.mark.parametrize("source", [r for r in source_rows() if r["No"]], ids=lambda r: f"measure-{r['No']}")
def test_every_measure_shows_the_source_s_figures_and_periods(march: Report, catalogue: Catalogue, source: dict) -> None:
    row = next(r for r in march.rows if r.number == source["No"])
    kpi = catalogue[row.kpi_id]
    assert (printed(row.latest, kpi.unit), printed(row.previous, kpi.unit), row.target) == (
        source["Latest"], source["Previous"], source["Target"])
    assert row.latest_period == parse_period(source["Latest period"]).label
    assert row.previous_period == parse_period(source["Previous period"]).label
    assert row.action_plan == source["Link to Priority Action Plan"]
    if kpi.polarity_source == "document":
        assert row.good == source["What does good performance look like?"]


def test_contextual_headlines_are_the_source_s_tiles(march: Report) -> None:
    context = {r["Measure"]: r["Latest"] for r in source_rows() if r["Theme"] == "Contextual Data"}
    assert {h.name: h.value.replace(",", "") for h in march.headlines} == context


def test_measures_are_grouped_by_frequency_with_the_periods_in_the_heads(march: Report) -> None:
    heads = [(g.title, b.latest_label, b.previous_label) for g in march.groups for b in g.blocks]
    assert heads == [
        ("Monthly", "Mar 24", "Feb 24"),
        ("Half Termly", "2023/24 Spring 1", "2023/24 Autumn 2"),
        ("Termly", "2023/24 Autumn", "2022/23 Summer"),
        ("Annual", "2024", "2023"),
        ("Annual", "2023", "2022"),
    ]
    monthly = march.groups[0].blocks[0]
    assert [s.title for s in monthly.sections][:2] == ["Statutory Duty Measures", "Health Measures"]


def test_judgements_are_a_symbol_and_a_word(march: Report) -> None:
    rate = march.row("b04-20-week-rate-excl-exceptions")
    assert rate.change.text == "▼ Down, worse"
    assert rate.against_target.text == "✖ Off target"
    assert march.row("b22-parent-feedback-fsc-helpful").against_target.text == "✔ On target"
    assert march.row("b01-6-week-decisions").change.text == "▶ No change"
    exceptions = {r.kpi_id for r in march.exceptions}
    assert "b04-20-week-rate-excl-exceptions" in exceptions and "b22-parent-feedback-fsc-helpful" not in exceptions
    assert all(r.against_target.tone == "red" or r.change.tone == "worse" for r in march.exceptions)


def test_values_format_as_the_source_does(march: Report) -> None:
    assert march.row("b16-personal-budgets").latest == "2,829"
    assert march.row("b42-progress-8-ehcp").latest == "-1.17"
    assert march.row("b23-permanent-exclusions-ehcp").latest == "0.04%"
    assert march.row("b05-average-time-to-issue-excl-exceptions").target == "20 weeks"


def test_a_month_without_figures_is_refused(table: pd.DataFrame, catalogue: Catalogue) -> None:
    assert report_months(table, "board") == ["2024-03", "2024-02"]
    with pytest.raises(ReportError, match="no figures for March 2019"):
        build_report(table, catalogue, NO_COMMENTS, "2019-03")
    with pytest.raises(ReportError, match="not a month"):
        build_report(table, catalogue, NO_COMMENTS, "2024")


def test_a_report_for_february_compares_with_january(table: pd.DataFrame, catalogue: Catalogue) -> None:
    feb = build_report(table, catalogue, NO_COMMENTS, "Feb 24", charts=False)
    rate = feb.row("b04-20-week-rate-excl-exceptions")
    assert (rate.latest, rate.previous, rate.previous_period) == ("21.7%", "", "2024-01")
    assert rate.change.text == "No comparison"


def test_the_monthly_scorecard_makes_a_report_by_theme(table: pd.DataFrame, catalogue: Catalogue) -> None:
    report = build_report(table, catalogue, NO_COMMENTS, "2025-01", scorecard="scorecard")
    assert [g.title for g in report.groups] == ["Monthly"]
    assert len(report.rows) == len(catalogue.for_scorecard("scorecard"))
    assert report.headlines[0].value == "4,453"
    assert report.groups[0].charts, "measures with a target are charted"
    assert len({s.title for b in report.groups[0].blocks for s in b.sections}) > 5


def test_html_is_self_contained_and_semantic(march_html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", march_html)
    assert "@import" not in march_html and "url(http" not in march_html and "<script" not in march_html
    assert march_html.count("<caption>") == 7 and 'scope="col"' in march_html and 'scope="row"' in march_html
    images = re.findall(r"<img [^>]*>", march_html)
    assert len(images) == 8 and all('src="data:image/svg+xml;base64,' in i and 'alt="' in i for i in images)
    for heading in ("Latest Monthly Data", "Latest Half Termly Data", "Latest Termly Data", "Latest Annual Data",
                    "Key monthly trends", "Commentary", "Exceptions", "Glossary"):
        assert heading in march_html
    assert "Latest (Mar 24)" in march_html and "Previous (Feb 24)" in march_html


def test_the_glossary_is_filled_from_the_catalogue(march: Report, catalogue: Catalogue, march_html: str) -> None:
    rate = catalogue["b04-20-week-rate-excl-exceptions"]
    assert rate.definition in march_html.replace("&#39;", "'")
    assert len(march.glossary) == len([k for k in catalogue.for_scorecard("board") if not k.is_placeholder])
    numbers = [int(g["No"]) for g in march.glossary if g["No"]]
    assert numbers == sorted(numbers) and numbers[0] == 1, "in the report's own order"


def test_commentary_and_user_text_are_escaped(table: pd.DataFrame, catalogue: Catalogue) -> None:
    comments = pd.DataFrame([
        {"scorecard": "board", "kpi_id": "", "period": "2024-03", "text": "<script>alert(1)</script> Overall", "author": "jo",
         "created_at": "2024-04-02T09:00:00+00:00"},
    ])
    html = render_html(build_report(table, catalogue, COMMENTARY.normalise(comments), "2024-03", charts=False))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Overall" in html
    assert "jo, 2024-04-02 09:00 UTC" in html


def test_a_kpi_s_commentary_is_in_the_table_of_commentary_on_measures(table: pd.DataFrame, catalogue: Catalogue) -> None:
    comments = pd.DataFrame([
        {"scorecard": "board", "kpi_id": "b04-20-week-rate-excl-exceptions", "period": "2024-03",
         "text": "Caseworker vacancies; agency staff start in April.", "author": "jo",
         "created_at": "2024-04-02T09:00:00+00:00"},
    ])
    html = render_html(build_report(table, catalogue, COMMENTARY.normalise(comments), "2024-03", charts=False))
    on_measures = html[html.index("<h3>On individual measures</h3>"):html.index('id="report-exceptions"')]
    row = re.search(r"<tr>.*?</tr>", on_measures[on_measures.index("<tbody>"):], re.S).group(0)
    assert "EHCP: % of new EHC Plans issued within 20 weeks" in row
    assert "Caseworker vacancies; agency staff start in April." in row and "jo, 2024-04-02 09:00 UTC" in row


def test_pdf_is_a4_with_page_numbers_and_holds_the_figures(march: Report) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(march)))
    assert len(reader.pages) > 3
    box = reader.pages[0].mediabox
    assert sorted((round(float(box.width)), round(float(box.height)))) == [595, 842]  # A4, in points
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert f"Page 1 of {len(reader.pages)}" in text
    flat = " ".join(text.split())
    for figure in ("15.9%", "21.7%", "49.1%", "38 weeks 4 days", "36 weeks 4 days", "8,317", "-1.17", "0.04%", "Off target"):
        assert figure in flat, figure
    for words in ("EHCP: % of new EHC Plans issued within 20 weeks", "Glossary", "Exceptions"):
        assert words in flat, words


def test_store_commentary_table_is_separate(store: DeltaStore) -> None:
    assert store.side(COMMENTARY).uri == str(store.root / "delta" / "commentary")
