"""The monthly board report, built from the store: figures, targets, comparisons, charts, commentary and (as an
optional appendix) the glossary.

A board paper first: the council and the month on the cover line, the overall commentary, then the exceptions
ranked by how far off target they are (`trends.off_target_tolerances`), each with its commentary. Then every measure,
grouped by how often it is reported (latest monthly, half-termly, termly, annual data) and by section, with its
latest and previous values (their periods in the column heads), target, change, rating and England / region /
neighbours: DfE's published figure where DfE has one for the council, else the document's own typed benchmark,
each marked with where it came from. Every judgement is a symbol *and* a word, so the report reads the same
printed in black and white. Placeholder measures ("TBC") are left out and listed in one line.

The PDF is tagged (WeasyPrint's PDF/UA-1 variant): headings, tables with header cells, alt text for each chart,
the document's language and title.

"Report for March 2024" means monthly measures show March 2024 against February 2024; measures reported less
often show their latest period at or before March 2024 against the period before it.

With case records held, the statutory measures computed from them are set beside the typed figures ("Computed from
case records"), and the report can use either (`figures`): typed by default, or computed in place of the typed
figures of the KPIs the measures feed. The report says which it uses and on what basis.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, cast

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from sendlib.domain.benchmarks import format_dfe
from sendlib.domain.cases import fed_kpis
from sendlib.domain.catalogue import KPI, SCORECARDS, Catalogue
from sendlib.domain.commentary import comment_lookup, comment_text
from sendlib.domain.figure import Figure
from sendlib.domain.periods import PeriodError, long_label, parse_period, previous_period, short_label, sort_key
from sendlib.domain.text import safe_text
from sendlib.domain.trends import (
    DIRECTION_SYMBOL,
    DIRECTION_WORD,
    RAG_LABEL,
    RAG_SYMBOL,
    assess,
    direction,
    off_target,
    off_target_tolerances,
    rag,
    tolerance,
    year_earlier,
)
from sendlib.domain.values import Unit, format_value, is_missing
from sendlib.presentation.cases import difference_words
from sendlib.presentation.charts import trend_chart
from sendlib.presentation.images import chart_image
from sendlib.presentation.tables import glossary_table
from sendlib.presentation.tables import headlines as headline_measures

ReportFormat = Literal["html", "pdf"]
APPENDICES = ("glossary",)
COMPARISONS = {"national": "England", "regional": "Region", "statistical_neighbours": "Neighbours"}
Figures = Literal["typed", "computed"]
FIGURES: dict[str, str] = {"typed": "As typed", "computed": "Computed from case records"}
TIMELINESS_BASIS = (
    "The 20-week rate computed from case records is on the board report's basis: new plans issued within 20 weeks "
    "(140 days from the day the request was received), excluding exceptions (a plan where the 20-week exceptions "
    "apply leaves both the numerator and the denominator), with cases that went to mediation or tribunal included. "
    "DfE's published timeliness leaves out cases that went to mediation or tribunal, so DfE's figure for a calendar "
    "year is on a different basis; How we compare sets the two side by side."
)
TYPED_NOTE = "as typed: nothing computed from case records for this month"
GROUPS = {
    "month": "Monthly",
    "quarter": "Quarterly",
    "half-term": "Half Termly",
    "term": "Termly",
    "academic-year": "Annual",
    "calendar-year": "Annual",
}
GROUP_ORDER = ["Monthly", "Quarterly", "Half Termly", "Termly", "Annual"]
CONTEXT_SECTION = "Contextual Data"
# The board paper's own "Key Monthly Trends"; other scorecards chart their measures that have a target.
KEY_TRENDS = {
    "board": ["b01-6-week-decisions", "b04-20-week-rate-excl-exceptions", "b06-issued-over-32-weeks-excl-exceptions",
              "b07-issued-over-52-weeks-excl-exceptions", "b08-annual-reviews-within-12-months",
              "b23-permanent-exclusions-ehcp", "b24-permanent-exclusions-sen-support", "b25-persistent-absence-ehcp-pct"],
}
CHARTS_PER_GROUP = 4
CHART_WIDTH = 430
GOOD_WORDS = {"higher_better": "High", "lower_better": "Low", "neutral": "n/a"}
# A note short enough to stand in a cell (`n/a`, `TBC`, `requested`); longer ones go under the measure's name.
CELL_NOTE_CHARS = 24


class ReportError(ValueError):
    """The report cannot be made as asked (e.g. no data for that month)."""


@dataclass
class Judgement:
    """A change or a rating: symbol, words and a key for the courtesy colour."""

    symbol: str = ""
    words: str = ""
    tone: str = ""

    @property
    def text(self) -> str:
        return f"{self.symbol} {self.words}".strip()


@dataclass
class Compared:
    """England's, the region's or the neighbours' figure beside a measure, and where it came from."""

    text: str
    source: str


@dataclass
class Row:
    number: str
    kpi_id: str
    name: str
    action_plan: str
    unit: str
    latest_period: str
    previous_period: str
    latest: str
    previous: str
    target: str
    good: str
    change: Judgement
    against_target: Judgement
    notes: list[str] = field(default_factory=list)
    commentary: str = ""
    commentary_by: str = ""
    latest_value: float | None = None
    comparisons: dict[str, Compared] = field(default_factory=dict)
    off_by: str = ""
    off_tolerances: float | None = None
    order: int = 0

    @property
    def figure(self) -> Figure:
        """The row's latest figure as the typed model tiles, grids and measure pages use."""
        return Figure(self.kpi_id, self.latest_value, self.latest_period or None, "typed", cast(Unit, self.unit),
                      change=self.change.text, rating=self.against_target.text)

    @property
    def exception(self) -> bool:
        """Off target, or worse than the previous period: what a board asks about first."""
        return self.against_target.tone == "red" or self.change.tone == "worse"


@dataclass
class Section:
    title: str
    rows: list[Row]


@dataclass
class Block:
    """Rows sharing the same latest and previous periods, so the column heads can name them."""

    latest_label: str
    previous_label: str
    sections: list[Section]


@dataclass
class Chart:
    kpi_id: str
    title: str
    alt: str
    svg_data_uri: str


@dataclass
class Group:
    title: str
    blocks: list[Block]
    charts: list[Chart]

    @property
    def rows(self) -> list[Row]:
        return [r for b in self.blocks for s in b.sections for r in s.rows]


@dataclass
class Headline:
    name: str
    value: str
    period: str
    change: str


@dataclass
class ComputedRow:
    """A KPI a computed measure feeds: its computed and typed figures for the report's period, side by side."""

    number: str
    kpi_id: str
    name: str
    period: str
    computed: str
    typed: str
    difference: str
    used: str


@dataclass
class Report:
    scorecard: str
    scorecard_name: str
    period: str
    period_label: str
    version: str
    generated_at: str
    headlines: list[Headline]
    groups: list[Group]
    overall_commentary: str
    overall_by: str
    glossary: list[dict[str, Any]]
    figures: str = "typed"
    basis: list[str] = field(default_factory=list)
    computed_rows: list[ComputedRow] = field(default_factory=list)
    forecasts: list[Any] = field(default_factory=list)  # ForecastBlock (presentation.forecast); off by default
    council: str = ""
    undefined: str = ""
    appendix: tuple[str, ...] = ()
    comparison_sources: list[str] = field(default_factory=list)
    council_matched: bool = True

    @property
    def title(self) -> str:
        """The cover line: whose figures, which document, which month."""
        who = f"{self.council}: " if self.council else ""
        return f"{who}{self.scorecard_name}, {self.period_label}"

    @property
    def rows(self) -> list[Row]:
        return [r for g in self.groups for r in g.rows]

    @property
    def exceptions(self) -> list[Row]:
        """Off target or worse, furthest off target first (`trends.off_target_tolerances`); those with no target to
        be off, by their number."""
        return sorted((r for r in self.rows if r.exception),
                      key=lambda r: (r.off_tolerances is None, -(r.off_tolerances or 0.0), r.order))

    @property
    def commented(self) -> list[Row]:
        """The measures whose commentary is printed in the measure tables: those not already under Exceptions."""
        return [r for r in self.rows if r.commentary and not r.exception]

    def row(self, kpi_id: str) -> Row:
        return next(r for r in self.rows if r.kpi_id == kpi_id)


def report_months(table: pd.DataFrame, scorecard: str) -> list[str]:
    """Months with at least one actual value or note for the scorecard, newest first: the months a report can be for."""
    rows = table[(table["scorecard"] == scorecard) & (table["series"] == "actual")]
    months = {p for p in rows["period"].dropna().unique() if len(p) == 7 and p[4] == "-"}
    return sorted(months, key=sort_key, reverse=True)


def canonical_month(period: str) -> str:
    try:
        p = parse_period(period)
    except PeriodError as exc:
        raise ReportError(str(exc)) from None
    if p.kind != "month":
        raise ReportError(f"{period!r} is not a month: a report is for a month, e.g. 2024-03 or Mar 24")
    return p.label


def _cell(value: object, count: object, note: object, unit: str) -> tuple[str, str | None]:
    """What a cell shows, and a longer note that belongs under the measure instead."""
    if not is_missing(value):
        text = format_value(float(value), unit)  # type: ignore[arg-type]
        if not is_missing(count):
            text += f" ({int(count)})"  # type: ignore[call-overload]
        return text, None if is_missing(note) else str(note)
    if is_missing(note):
        return "", None
    note = str(note)
    return (note, None) if len(note) <= CELL_NOTE_CHARS else ("", note)


def _change(change: float | None, polarity: str) -> Judgement:
    d = direction(change)
    if d is None:
        return Judgement("", "No comparison", "")
    a = assess(change, polarity)
    words = DIRECTION_WORD[d] + (f", {a}" if a in ("better", "worse") else "")
    return Judgement(DIRECTION_SYMBOL[d], words, a if a in ("better", "worse") else "")


def _tolerance(kpi: KPI, target: float | None) -> float:
    """The KPI's tolerance for the target this report holds (a count's rests on its target)."""
    return tolerance(kpi.model_copy(update={"target": target}))


def _against(latest: float | None, target: float | None, kpi: KPI) -> Judgement:
    if target is None:
        return Judgement("", "No target", "")
    r = rag(latest, target, kpi.polarity, _tolerance(kpi, target))
    if r is None:
        return Judgement("", "Not rated" if latest is not None else "No value", "")
    return Judgement(RAG_SYMBOL[r], RAG_LABEL[r], r)


class _Facts:
    """The store's rows for one scorecard, looked up by (kpi, period, series)."""

    def __init__(self, table: pd.DataFrame, scorecard: str):
        rows = table[table["scorecard"] == scorecard]
        self.cells = {
            (k, p, s): (v, c, n)
            for k, p, s, v, c, n in zip(rows["kpi_id"], rows["period"].fillna(""), rows["series"], rows["value"],
                                        rows["count"], rows["note"])
        }
        self.periods: dict[str, list[str]] = {}
        self.typed: dict[tuple[str, str], list[str]] = {}
        for k, p, s, v in zip(rows["kpi_id"], rows["period"].fillna(""), rows["series"], rows["value"]):
            if s == "actual" and p:
                self.periods.setdefault(k, []).append(p)
            elif s in COMPARISONS and not is_missing(v):
                self.typed.setdefault((k, s), []).append(p)

    def get(self, kpi_id: str, period: str, series: str = "actual") -> tuple[object, object, object]:
        return self.cells.get((kpi_id, period, series), (None, None, None))

    def latest_period(self, kpi: KPI, month: str) -> str | None:
        """The KPI's latest period at or before the report month (by when each period starts)."""
        cutoff = parse_period(month).start
        candidates = [p for p in self.periods.get(kpi.id, []) if parse_period(p).start <= cutoff]
        return max(candidates, key=sort_key) if candidates else None

    def benchmark(self, kpi_id: str, series: str, month: str) -> float | None:
        """The document's own typed benchmark (England, region or neighbours) as at the report month."""
        cutoff = parse_period(month).start
        periods = [p for p in self.typed.get((kpi_id, series), []) if not p or parse_period(p).start <= cutoff]
        if not periods:
            return None
        value = self.get(kpi_id, max(periods, key=sort_key), series)[0]
        return float(value)  # type: ignore[arg-type]


DfeFigures = dict[str, dict[str, tuple[float, str]]]


def dfe_figures(benchmarks: pd.DataFrame | None, month: str, *, matched: bool) -> DfeFigures:
    """KPI id → series → (DfE's published figure, its period): for each KPI's primary DfE measure, the latest period
    that had ended by the end of the report month. For a council DfE cannot be matched to, England's figures only:
    its region and neighbours are unknown."""
    if benchmarks is None or benchmarks.empty:
        return {}
    wanted = list(COMPARISONS) if matched else ["national"]
    end = parse_period(month).end
    rows = benchmarks[benchmarks["primary"].astype(bool) & benchmarks["series"].isin(wanted)
                      & benchmarks["value"].notna()]
    out: DfeFigures = {}
    for kpi_id, series, period, value in sorted(zip(rows["kpi_id"], rows["series"], rows["period"], rows["value"]),
                                                key=lambda r: sort_key(r[2])):
        if parse_period(period).end <= end:
            out.setdefault(kpi_id, {})[series] = (float(value), period)
    return out


@dataclass
class _Inputs:
    """What every row of one report is made from."""

    catalogue: Catalogue
    facts: _Facts
    comments: dict[tuple[str, str], dict[str, Any]]
    month: str
    dfe: DfeFigures


def _comparisons(kpi: KPI, inputs: _Inputs) -> dict[str, Compared]:
    """England, region and neighbours: DfE's where published for the council, else the document's own."""
    out = {}
    published = inputs.dfe.get(kpi.id, {})
    for series in COMPARISONS:
        if series in published:
            value, period = published[series]
            out[series] = Compared(format_dfe(value, kpi.unit), f"DfE {short_label(period)}")
        elif (typed := inputs.facts.benchmark(kpi.id, series, inputs.month)) is not None:
            out[series] = Compared(format_value(typed, kpi.unit), "document")
    return out


def _gap_words(latest: float | None, target: float | None, kpi: KPI) -> str:
    """`33.2 points below target`, `18 weeks 4 days above target`; "" when on target or not judged."""
    gap = off_target(latest, target, kpi.polarity)
    if not gap:
        return ""
    amount = f"{format_value(gap, 'score')} points" if kpi.unit == "percent" else format_value(gap, kpi.unit)
    return f"{amount} {'below' if kpi.polarity == 'higher_better' else 'above'} target"


def byline(row: dict[str, Any] | None) -> str:
    """`Jo Bloggs, 2 April 2024`: who wrote a comment and on what day; nothing at all when the author is not known
    (a date alone says nothing a board can ask about)."""
    if not row or is_missing(row.get("author")) or not str(row.get("author")).strip():
        return ""
    when = str(row.get("created_at") or "")
    try:
        day = dt.datetime.fromisoformat(when).date()
    except ValueError:
        return str(row["author"])
    return f"{row['author']}, {day.day} {day:%B %Y}"


def _row(kpi: KPI, inputs: _Inputs, latest_period: str) -> Row:
    facts, comments, month = inputs.facts, inputs.comments, inputs.month
    previous_label = (
        year_earlier(latest_period) if kpi.cumulative != "none" else None
    ) or previous_period(latest_period)
    lv, lc, ln = facts.get(kpi.id, latest_period)
    pv, pc, pn = facts.get(kpi.id, previous_label)
    tv, _, tn = facts.get(kpi.id, "", "target")
    target = float(tv) if not is_missing(tv) else kpi.target  # type: ignore[arg-type]
    latest_text, latest_note = _cell(lv, lc, ln, kpi.unit)
    previous_text, _ = _cell(pv, pc, pn, kpi.unit)
    target_text, _ = _cell(target, None, tn, kpi.unit)
    latest = None if is_missing(lv) else float(lv)  # type: ignore[arg-type]
    previous = None if is_missing(pv) else float(pv)  # type: ignore[arg-type]
    change = latest - previous if latest is not None and previous is not None else None
    lookup_row = comments.get((kpi.id, latest_period)) or comments.get((kpi.id, month))
    against = _against(latest, target, kpi)
    return Row(
        number=str(kpi.order),
        kpi_id=kpi.id,
        name=inputs.catalogue.qualified_name(kpi),
        action_plan=kpi.action_plan or "",
        unit=kpi.unit,
        latest_period=latest_period,
        previous_period=previous_label,
        latest=latest_text,
        previous=previous_text,
        target=target_text,
        good=GOOD_WORDS[kpi.polarity],
        change=_change(change, kpi.polarity),
        against_target=against,
        notes=[latest_note] if latest_note else [],
        commentary=comment_text(comments, kpi.id, latest_period, month),
        commentary_by=byline(lookup_row),
        latest_value=latest,
        comparisons=_comparisons(kpi, inputs),
        off_by=_gap_words(latest, target, kpi) if against.tone in ("red", "amber") else "",
        off_tolerances=(off_target_tolerances(latest, target, kpi.polarity, _tolerance(kpi, target))
                        if against.tone else None),
        order=kpi.order,
    )


def _blocks(rows: list[tuple[KPI, Row]]) -> list[Block]:
    """Consecutive rows with the same periods share a table; a section starts wherever it changes."""
    blocks: list[Block] = []
    for kpi, row in rows:
        heads = (short_label(row.latest_period), short_label(row.previous_period))
        if not blocks or (blocks[-1].latest_label, blocks[-1].previous_label) != heads:
            blocks.append(Block(heads[0], heads[1], []))
        sections = blocks[-1].sections
        if not sections or sections[-1].title != kpi.section:
            sections.append(Section(kpi.section, []))
        sections[-1].rows.append(row)
    return blocks


def _svg_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _charts(kpis: list[KPI], rows: dict[str, Row], table: pd.DataFrame, scorecard: str, month: str) -> list[Chart]:
    wanted = KEY_TRENDS.get(scorecard)
    if wanted is not None:
        chosen = [k for k in kpis if k.id in wanted]
    else:
        chosen = [k for k in kpis if rows[k.id].target and rows[k.id].latest_value is not None][:CHARTS_PER_GROUP]
    cutoff = parse_period(month).start
    in_time = table[[not p or parse_period(p).start <= cutoff for p in table["period"].fillna("")]]
    out = []
    for kpi in chosen:
        points = in_time[(in_time["scorecard"] == scorecard) & (in_time["kpi_id"] == kpi.id)]
        if points[(points["series"] == "actual") & points["value"].notna()].empty:
            continue
        target = rows[kpi.id].target
        chart = trend_chart(kpi, points, target=None, width=CHART_WIDTH, height=180)
        description = chart.description if isinstance(chart.description, str) else kpi.name
        svg = chart_image(chart, "svg", width=CHART_WIDTH)
        out.append(Chart(kpi.id, kpi.name, description + (f" Target {target}." if target and "Target" not in description else ""),
                         _svg_uri(svg)))
    return out


def scorecard_computed(computed: pd.DataFrame | None, table: pd.DataFrame, scorecard: str) -> pd.DataFrame:
    """The computed figures (`sendlib.workflows.cases.computed_figures`) of the scorecard's KPIs, from its first month
    with typed figures on: the span the report and its charts cover."""
    if computed is None or computed.empty:
        return pd.DataFrame(columns=table.columns)
    months = report_months(table, scorecard)
    rows = computed[computed["scorecard"] == scorecard]
    return rows[rows["period"] >= min(months)] if months else rows.iloc[0:0]


def use_computed(table: pd.DataFrame, computed: pd.DataFrame) -> pd.DataFrame:
    """The figures table with the computed figures standing as the actual figures of the KPIs they feed, month by
    month. A month with no computed figure keeps its typed one, and its note says so."""
    keys = set(zip(computed["scorecard"], computed["kpi_id"], computed["period"], strict=True))
    fed = set(zip(computed["scorecard"], computed["kpi_id"], strict=True))
    actual = table["series"] == "actual"
    replaced = actual & pd.Series([k in keys for k in zip(table["scorecard"], table["kpi_id"], table["period"])],
                                  index=table.index, dtype=bool)
    kept = table[~replaced].copy()
    typed = (kept["series"] == "actual") & pd.Series([k in fed for k in zip(kept["scorecard"], kept["kpi_id"])],
                                                     index=kept.index, dtype=bool)
    notes = kept.loc[typed, "note"]
    kept.loc[typed, "note"] = [f"{n}; {TYPED_NOTE}" if not is_missing(n) else TYPED_NOTE for n in notes]
    used = computed.assign(series="actual")[table.columns]
    return pd.concat([kept, used], ignore_index=True) if len(used) else kept


def _computed_cell(value: object, note: object, unit: str) -> str:
    if not is_missing(value):
        return format_value(float(value), unit)  # type: ignore[arg-type]
    reason = str(note).split("; ", 1)[1] if not is_missing(note) and "; " in str(note) else ""
    return f"blank ({reason.removeprefix('blank: ')})" if reason else "not computed"


def _computed_rows(computed: pd.DataFrame, typed: _Facts, rows: dict[str, Row], catalogue: Catalogue, month: str,
                   figures: str) -> list[ComputedRow]:
    """Computed beside typed for each fed KPI, in the period its report row shows (the report month for monthly
    measures)."""
    cells = {(k, p): (v, n) for k, p, v, n in zip(computed["kpi_id"], computed["period"], computed["value"],
                                                  computed["note"], strict=True)}
    fed = set(fed_kpis().values())
    out: list[ComputedRow] = []
    for kpi in sorted((catalogue[k] for k in set(computed["kpi_id"]) if k in catalogue and k in fed),
                      key=lambda k: k.order):
        row = rows.get(kpi.id)
        period = row.latest_period if row else month
        value, note = cells.get((kpi.id, period), (None, None))
        typed_value, typed_count, typed_note = typed.get(kpi.id, period)
        typed_text = _cell(typed_value, typed_count, typed_note, kpi.unit)[0] or "not typed"
        computed_here = (kpi.id, period) in cells
        out.append(ComputedRow(
            number="" if kpi.section == CONTEXT_SECTION else str(kpi.order),
            kpi_id=kpi.id,
            name=catalogue.qualified_name(kpi),
            period=short_label(period),
            computed=_computed_cell(value, note, kpi.unit),
            typed=typed_text,
            difference=(difference_words(value, typed_value, kpi.unit) if not is_missing(value) or not computed_here
                        else "Nothing to compare: the computed figure is blank"),
            used=FIGURES[figures] if computed_here or figures == "typed" else FIGURES["typed"],
        ))
    return out


def _basis(figures: str, scorecard_name: str, n: int) -> list[str]:
    """What the report says of its figures: which it uses and the 20-week basis (nothing without case records)."""
    if not n:
        return []
    if figures == "computed":
        used = ("Where the last column below says “Computed from case records”, this report uses the figure "
                "computed from the SEN2 case records in place of the typed one (its note under the measure says so "
                "too); every other measure, and any month with no computed figure, is as typed.")
    else:
        used = (f"The figures in this report are as typed into the {scorecard_name}. The figures computed from the "
                "SEN2 case records are set beside them below, for comparison; the report can use them instead.")
    return [used, TIMELINESS_BASIS]


def _checked(table: pd.DataFrame, catalogue: Catalogue, scorecard: str, month: str, figures: str,
             computed: pd.DataFrame | None) -> tuple[list[KPI], pd.DataFrame]:
    """The scorecard's KPIs in order, and its computed figures; ReportError when the report cannot be made as asked."""
    name = SCORECARDS.get(scorecard, scorecard)
    if figures not in FIGURES:
        raise ReportError(f"figures must be one of {', '.join(FIGURES)}, not {figures!r}")
    kpis = sorted(catalogue.for_scorecard(scorecard), key=lambda k: k.order)
    if not kpis:
        raise ReportError(f"no measures for scorecard {scorecard!r}")
    if month not in report_months(table, scorecard):
        available = ", ".join(short_label(m) for m in report_months(table, scorecard)[:6]) or "none"
        raise ReportError(f"{name} has no figures for {long_label(month)} "
                          f"(months with figures, newest first: {available})")
    fed = scorecard_computed(computed, table, scorecard)
    if figures == "computed" and fed.empty:
        raise ReportError(f"no figures computed from case records for the {name}: load a SEN2 return first "
                          "(the Upload page, or python -m sendlib cases load)")
    return kpis, fed


def _glossary(catalogue: Catalogue, kpis: list[KPI]) -> list[dict[str, Any]]:
    ids = {k.id for k in kpis if not k.is_placeholder}
    # pandas-stubs keys records by Hashable; the glossary's columns are all named by str.
    records = cast(list[dict[str, Any]], glossary_table(catalogue).to_dict("records"))
    glossary = sorted((r for r in records if r["ID"] in ids), key=lambda r: catalogue[r["ID"]].order)
    for entry in glossary:
        entry["No"] = "" if catalogue[entry["ID"]].section == CONTEXT_SECTION else str(catalogue[entry["ID"]].order)
    return glossary


def _undefined(kpis: list[KPI]) -> str:
    """One line for the measures a document has not defined yet ("TBC"), instead of a row each."""
    placeholders = [k for k in kpis if k.is_placeholder]
    if not placeholders:
        return ""
    by_section: dict[str, list[str]] = {}
    for kpi in placeholders:
        by_section.setdefault(kpi.section, []).append(str(kpi.order))
    where = "; ".join(f"{', '.join(numbers)} ({section})" for section, numbers in by_section.items())
    n = len(placeholders)
    return f"{n} measure{'s' if n != 1 else ''} not yet defined, left out: numbers {where}."


def _comparison_sources(rows: list[Row]) -> list[str]:
    """Where the England, region and neighbours figures came from, as the legend says it."""
    sources = {c.source for r in rows for c in r.comparisons.values()}
    out = []
    if any(s.startswith("DfE") for s in sources):
        out.append("“DfE” and a period: DfE's published figure for that period, the latest ended by the report month")
    if "document" in sources:
        out.append("“document”: the benchmark typed in the document itself")
    return out


def _headlines(headline_ids: list[str], inputs: _Inputs, all_rows: dict[str, Row]) -> list[Headline]:
    out = []
    for kpi_id in headline_ids:
        kpi = inputs.catalogue.get(kpi_id)
        if kpi is None:
            continue
        row = all_rows.get(kpi_id) or _row(kpi, inputs, inputs.month)
        out.append(Headline(kpi.name, row.latest or "not reported", short_label(row.latest_period), row.change.text))
    return out


def _groups(body: list[KPI], inputs: _Inputs, table: pd.DataFrame, scorecard: str,
            charts: bool) -> tuple[list[Group], dict[str, Row]]:
    by_group: dict[str, list[KPI]] = {}
    for kpi in body:
        by_group.setdefault(GROUPS[kpi.frequency], []).append(kpi)
    groups = []
    all_rows: dict[str, Row] = {}
    month = inputs.month
    for title in GROUP_ORDER:
        members = by_group.get(title, [])
        own = {k.id: (month if k.frequency == "month" else inputs.facts.latest_period(k, month)) for k in members}
        known = [p for p in own.values() if p]
        fallback = max(set(known), key=known.count) if known else None
        rows = []
        for kpi in members:
            latest_period = own[kpi.id] or fallback
            if latest_period is None:
                continue
            row = _row(kpi, inputs, latest_period)
            rows.append((kpi, row))
            all_rows[kpi.id] = row
        if not rows:
            continue
        chart_list = _charts([k for k, _ in rows], all_rows, table, scorecard, month) if charts else []
        groups.append(Group(title, _blocks(rows), chart_list))
    return groups, all_rows


def build_report(table: pd.DataFrame, catalogue: Catalogue, comments: pd.DataFrame, period: str, *,
                 scorecard: str = "board", version: str = "", charts: bool = True, figures: Figures = "typed",
                 computed: pd.DataFrame | None = None, council: str = "", benchmarks: pd.DataFrame | None = None,
                 matched: bool = True, appendix: tuple[str, ...] = ()) -> Report:
    """The report model for `period` (a month). Raises ReportError when the scorecard has nothing for it.

    `computed`: the figures computed from case records (`sendlib.workflows.cases.computed_figures`), set beside the
    typed ones; with `figures="computed"` the report uses them in place of the typed figures of the KPIs they feed.
    `council`: whose figures these are (the authority's name), named on the cover line. `benchmarks`: DfE's
    benchmarks for that council (`benchmarks.compute`); `matched=False` for a council DfE cannot be matched to (the
    board report's), of which only England's are used, the same for every council. `appendix`: any of APPENDICES, printed after the report."""
    month = canonical_month(period)
    kpis, fed = _checked(table, catalogue, scorecard, month, figures, computed)
    unknown = [a for a in appendix if a not in APPENDICES]
    if unknown:
        raise ReportError(f"no appendix {unknown[0]!r}: the appendices are {', '.join(APPENDICES)}")
    typed_table = table
    if figures == "computed":
        table = use_computed(table, fed)
    inputs = _Inputs(catalogue, _Facts(table, scorecard), comment_lookup(comments, scorecard), month,
                     dfe_figures(benchmarks, month, matched=matched))
    context = [k.id for k in kpis if k.section == CONTEXT_SECTION]
    headline_ids = context if scorecard == "board" and context else headline_measures(catalogue, scorecard, set(
        table.loc[table["value"].notna(), "kpi_id"]))
    body = [k for k in kpis if k.section != CONTEXT_SECTION and not k.is_placeholder]
    groups, all_rows = _groups(body, inputs, table, scorecard, charts)
    overall = inputs.comments.get(("", month))
    computed_rows = _computed_rows(fed, _Facts(typed_table, scorecard), all_rows, catalogue, month, figures)
    today = dt.date.today()
    return Report(
        scorecard=scorecard,
        scorecard_name=SCORECARDS.get(scorecard, scorecard),
        period=month,
        period_label=long_label(month),
        version=version,
        generated_at=f"{today.day} {today:%B %Y}",
        headlines=_headlines(headline_ids, inputs, all_rows),
        groups=groups,
        overall_commentary=str(overall["text"]) if overall else "",
        overall_by=byline(overall),
        glossary=_glossary(catalogue, kpis),
        figures=figures,
        basis=_basis(figures, SCORECARDS.get(scorecard, scorecard), len(computed_rows)),
        computed_rows=computed_rows,
        council=council,
        undefined=_undefined(kpis),
        appendix=tuple(a for a in APPENDICES if a in appendix),
        comparison_sources=_comparison_sources(list(all_rows.values())),
        council_matched=matched,
    )


@cache
def _environment() -> Environment:
    """Every value the template prints passes `domain.text.safe_text` (`finalize`) before it is escaped: names,
    notes, commentary and bylines alike, in the HTML, the app's copy of it and the PDF made from it."""
    env = Environment(loader=PackageLoader("sendlib.presentation", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    env.filters["short"] = short_label
    return env


def _finalize(value: object) -> object:
    return safe_text(value) if type(value) is str else value


def render_html(report: Report, *, fragment: bool = False) -> str:
    """The report as one self-contained HTML page (no scripts, fonts or images fetched from anywhere).
    `fragment`: the body only, with styles scoped to the report, for showing inside the app."""
    return _environment().get_template("report.html.j2").render(report=report, fragment=fragment)


def render_pdf(report: Report) -> bytes:
    """The same HTML as a tagged A4 PDF with page numbers, via WeasyPrint (needs Pango, present on Debian images)."""
    from weasyprint import HTML

    # PDF/UA-1 tags the structure (headings, tables and their header cells, figures with their alt text) and sets
    # the document's language and title, for screen readers and a public body's accessibility duty.
    pdf: bytes = HTML(string=render_html(report)).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf


def report_bytes(report: Report, fmt: ReportFormat) -> bytes:
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError(f"unknown report format {fmt!r}")


def report_name(report: Report, fmt: ReportFormat) -> str:
    return f"{report.scorecard}-report-{report.period}.{fmt}"
