"""sendlib.presentation.report: the board report for a month shows the source document's figures for every measure, is one
self-contained HTML page, and prints as a tagged A4 PDF fit for a board: the council and month on the cover, exceptions
first ranked by how far off target, England / region / neighbours beside each measure, each commentary once, no
placeholder rows, within the page limits."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pypdf
import pytest

from sendlib.domain.authorities import BOARD_AUTHORITY, LOCAL_AUTHORITIES
from sendlib.domain.benchmarks import format_dfe
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.commentary import COMMENTARY
from sendlib.domain.paths import ROOT
from sendlib.domain.periods import parse_period
from sendlib.domain.trends import off_target, off_target_tolerances
from sendlib.presentation.report import Report, ReportError, build_report, render_html, render_pdf, report_months
from sendlib.store.delta import DeltaStore
from sendlib.workflows.dfe_releases import benchmarks_for_store

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


@pytest.mark.parametrize("source", [r for r in source_rows() if r["No"] and r["Measure"] != "TBC"],
                         ids=lambda r: f"measure-{r['No']}")
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


def test_placeholder_measures_are_left_out_and_listed_in_one_line(march: Report, march_html: str) -> None:
    placeholders = [r["No"] for r in source_rows() if r["Measure"] == "TBC"]
    assert placeholders and not {r.number for r in march.rows} & set(placeholders)
    assert march.undefined.startswith(f"{len(placeholders)} measures not yet defined")
    assert all(n in march.undefined for n in placeholders)
    assert "TBC" not in march_html and "Placeholder" not in march_html


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
    assert [s.title for s in monthly.sections][:2] == ["Statutory Duty Measures", "Social Care Measures"], \
        "Health Measures holds only measures not yet defined"


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
    assert march_html.count("<caption>") == 6 and 'scope="col"' in march_html and 'scope="row"' in march_html
    images = re.findall(r"<img [^>]*>", march_html)
    assert len(images) == 8 and all('src="data:image/svg+xml;base64,' in i and 'alt="' in i for i in images)
    for heading in ("Latest Monthly Data", "Latest Half Termly Data", "Latest Termly Data", "Latest Annual Data",
                    "Key monthly trends", "Overall commentary", "Exceptions"):
        assert heading in march_html
    assert "Latest (Mar 24)" in march_html and "Previous (Feb 24)" in march_html
    assert march_html.index("Exceptions") < march_html.index("Latest Monthly Data"), "exceptions first"
    assert "Glossary" not in march_html, "the glossary is an appendix, off unless asked for"


def test_the_glossary_appendix_is_filled_from_the_catalogue(table: pd.DataFrame, catalogue: Catalogue) -> None:
    report = build_report(table, catalogue, NO_COMMENTS, "2024-03", charts=False, appendix=("glossary",))
    html = render_html(report)
    rate = catalogue["b04-20-week-rate-excl-exceptions"]
    assert "Appendix: glossary" in html and rate.definition in html.replace("&#39;", "'")
    assert len(report.glossary) == len([k for k in catalogue.for_scorecard("board") if not k.is_placeholder])
    numbers = [int(g["No"]) for g in report.glossary if g["No"]]
    assert numbers == sorted(numbers) and numbers[0] == 1, "in the report's own order"
    with pytest.raises(ReportError, match="no appendix 'forecast'"):
        build_report(table, catalogue, NO_COMMENTS, "2024-03", charts=False, appendix=("forecast",))


@pytest.mark.parametrize(("latest", "target", "polarity", "gap"), [
    (15.9, 49.1, "higher_better", 33.2), (60.0, 49.1, "higher_better", 0.0), (270.0, 140.0, "lower_better", 130.0),
    (100.0, 140.0, "lower_better", 0.0), (5.0, 10.0, "neutral", None), (None, 10.0, "higher_better", None),
])
def test_off_target_is_measured_by_polarity_in_the_measure_s_unit(latest, target, polarity, gap) -> None:
    assert off_target(latest, target, polarity) == pytest.approx(gap)


def test_exceptions_are_ranked_by_how_far_off_target_in_tolerances(march: Report) -> None:
    ranked = march.exceptions
    rated = [r.off_tolerances for r in ranked if r.off_tolerances is not None]
    assert rated == sorted(rated, reverse=True) and rated[0] > 1
    assert [r.off_tolerances for r in ranked[len(rated):]] == [None] * (len(ranked) - len(rated)), "no target: last"
    reviews, wait = march.row("b08-annual-reviews-within-12-months"), march.row("b05-average-time-to-issue-excl-exceptions")
    assert reviews.off_tolerances == pytest.approx(off_target_tolerances(35.0, 75.0, "higher_better", 2.0))
    assert ranked.index(reviews) < ranked.index(wait), "40 points short (20 tolerances) before 130 days over (9.3)"
    assert wait.off_by == "18 weeks 4 days above target"
    assert march.row("b04-20-week-rate-excl-exceptions").off_by == "33.2 points below target"


COMMENTS = COMMENTARY.normalise(pd.DataFrame([
    {"scorecard": "board", "kpi_id": "b04-20-week-rate-excl-exceptions", "period": "2024-03",
     "text": "Caseworker vacancies; agency staff start in April.", "author": "jo", "created_at": "2024-04-02T09:00:00+00:00"},
    {"scorecard": "board", "kpi_id": "b22-parent-feedback-fsc-helpful", "period": "2024-03",
     "text": "Coordinators now call within a week.", "author": None, "created_at": "2024-04-03T10:00:00+00:00"},
    {"scorecard": "board", "kpi_id": "", "period": "2024-03", "text": "A month of two halves.", "author": "sam",
     "created_at": "2024-04-04T11:00:00+00:00"},
    {"scorecard": "scorecard", "kpi_id": "ehcps", "period": "2025-01", "text": "Growth slowing.", "author": "ali",
     "created_at": "2025-02-05T08:00:00+00:00"},
]))


def test_commentary_and_user_text_are_escaped(table: pd.DataFrame, catalogue: Catalogue) -> None:
    comments = pd.DataFrame([
        {"scorecard": "board", "kpi_id": "", "period": "2024-03", "text": "<script>alert(1)</script> Overall", "author": "jo",
         "created_at": "2024-04-02T09:00:00+00:00"},
    ])
    html = render_html(build_report(table, catalogue, COMMENTARY.normalise(comments), "2024-03", charts=False))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Overall" in html
    assert "jo, 2 April 2024" in html


def test_each_commentary_is_printed_once_with_its_author_and_date(table: pd.DataFrame, catalogue: Catalogue) -> None:
    report = build_report(table, catalogue, COMMENTS, "2024-03", charts=False)
    html = render_html(report)
    for text in ("Caseworker vacancies; agency staff start in April.", "Coordinators now call within a week.",
                 "A month of two halves."):
        assert html.count(text) == 1, text
    exceptions = html[html.index('id="report-exceptions"'):html.index("Latest Monthly Data")]
    assert "Caseworker vacancies" in exceptions and "jo, 2 April 2024" in exceptions, "an exception's, beside it"
    assert "sam, 4 April 2024" in html
    assert report.row("b22-parent-feedback-fsc-helpful").commentary_by == "", "no author: no byline"
    assert "not recorded" not in html


@pytest.fixture(scope="module")
def benchmarks(built_store: DeltaStore, catalogue: Catalogue) -> pd.DataFrame:
    return benchmarks_for_store(built_store, catalogue, la="839")


def dfe_national(benchmarks: pd.DataFrame, kpi_id: str, period: str, unit: str) -> str:
    rows = benchmarks[(benchmarks["kpi_id"] == kpi_id) & (benchmarks["series"] == "national")
                      & (benchmarks["period"] == period) & benchmarks["primary"].astype(bool)]
    return format_dfe(float(rows["value"].iloc[0]), unit)


def test_comparisons_are_dfe_s_where_published_and_marked(table: pd.DataFrame, catalogue: Catalogue,
                                                          benchmarks: pd.DataFrame) -> None:
    scorecard = build_report(table, catalogue, NO_COMMENTS, "2025-01", scorecard="scorecard", charts=False,
                             council="Bournemouth, Christchurch and Poole", benchmarks=benchmarks)
    mainstream = scorecard.row("ehcps-mainstream-pct").comparisons
    assert set(mainstream) == {"national", "regional", "statistical_neighbours"}
    assert mainstream["national"].text == dfe_national(benchmarks, "ehcps-mainstream-pct", "2025-01", "percent")
    assert mainstream["national"].source == "DfE Jan 25", "the January census of the report's own month"
    assert scorecard.title == "Bournemouth, Christchurch and Poole: SEND scorecard (monthly), January 2025"

    board = build_report(table, catalogue, NO_COMMENTS, "2024-03", charts=False, council=LOCAL_AUTHORITIES[BOARD_AUTHORITY],
                         benchmarks=benchmarks, matched=False)
    rate = board.row("b04-20-week-rate-excl-exceptions").comparisons
    assert set(rate) == {"national"}, "an unnamed council has no region or neighbours"
    assert (rate["national"].text, rate["national"].source) == (
        dfe_national(benchmarks, "b04-20-week-rate-excl-exceptions", "2023", "percent"), "DfE 2023"), \
        "calendar 2024 had not ended by March 2024"
    assert board.council.startswith("The council of the board report") and not board.council_matched


def test_the_document_s_own_benchmarks_stand_where_dfe_has_none(table: pd.DataFrame, catalogue: Catalogue) -> None:
    report = build_report(table, catalogue, NO_COMMENTS, "2025-01", scorecard="scorecard", charts=False)
    typed = table[(table["kpi_id"] == "ehcps-eotas-pct") & (table["series"] == "regional")]["value"].iloc[0]
    regional = report.row("ehcps-eotas-pct").comparisons["regional"]
    assert (regional.text, regional.source) == (f"{float(typed):.1f}%", "document")


def structure(reader: pypdf.PdfReader) -> list[tuple[str, str]]:
    """Every element of the PDF's structure tree: (role, alt text)."""
    out: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                out.append((str(node["/S"]), str(node.get("/Alt", ""))))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


@pytest.fixture(scope="module")
def pdfs(table: pd.DataFrame, catalogue: Catalogue, benchmarks: pd.DataFrame) -> dict[str, tuple[Report, pypdf.PdfReader]]:
    """The two bundled reports as a board would get them: with commentary and DfE's figures."""
    council = "Bournemouth, Christchurch and Poole"
    reports = {
        "board": build_report(table, catalogue, COMMENTS, "2024-03", council=LOCAL_AUTHORITIES[BOARD_AUTHORITY],
                              benchmarks=benchmarks, matched=False),
        "scorecard": build_report(table, catalogue, COMMENTS, "2025-01", scorecard="scorecard", council=council,
                                  benchmarks=benchmarks),
    }
    return {k: (r, pypdf.PdfReader(io.BytesIO(render_pdf(r)))) for k, r in reports.items()}


@pytest.mark.parametrize(("which", "pages"), [("board", 10), ("scorecard", 8)])
def test_pdf_is_tagged_a4_and_a_board_paper(pdfs, which: str, pages: int) -> None:
    report, reader = pdfs[which]
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB" and reader.metadata.title == report.title
    roles = structure(reader)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Caption"} <= {r for r, _ in roles}
    figures = [alt for role, alt in roles if role == "/Figure"]
    assert len(figures) == sum(len(g.charts) for g in report.groups) > 0 and all(figures)
    assert len(reader.pages) <= pages
    box = reader.pages[0].mediabox
    assert sorted((round(float(box.width)), round(float(box.height)))) == [595, 842]  # A4, in points
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert f"Page 1 of {len(reader.pages)}" in text
    flat = " ".join(text.split())
    assert report.title in flat, "the council and the month on the cover line"
    assert "England" in flat and any(c.source.startswith("DfE") and c.text in flat
                                     for r in report.rows for c in r.comparisons.values())
    assert "TBC" not in flat and "Placeholder" not in flat and "not recorded" not in flat
    for comment in COMMENTS[COMMENTS["scorecard"] == which]["text"]:
        assert flat.count(comment) == 1, comment
    assert not re.search(r"No comparisonNo|No targetNo|no targetNo", flat), "cells run together"


def test_pdf_holds_the_board_s_figures(pdfs) -> None:
    _, reader = pdfs["board"]
    flat = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for figure in ("15.9%", "21.7%", "49.1%", "38 weeks 4 days", "36 weeks 4 days", "8,317", "-1.17", "0.04%", "Off target"):
        assert figure in flat, figure
    for words in ("EHCP: % of new EHC Plans issued within 20 weeks", "Exceptions", "The council of the board report"):
        assert words in flat, words


def test_store_commentary_table_is_separate(store: DeltaStore) -> None:
    assert store.side(COMMENTARY).uri == str(store.root / "delta" / "commentary")
