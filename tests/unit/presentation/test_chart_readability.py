"""Every chart the app draws on the bundled data, rendered once to SVG as a reader would see it: axes name the
measure's own periods with no label repeated, no two pieces of text overprint, nothing is cut short ("…"), at most
three benchmark lines sit beside a measure, and a short series fills its own chart.

Text boxes are estimated from the SVG (position, anchor, font size × characters), which is what a reader's eye
meets; the charts are rendered at the narrowest width the app gives them (a theme page's half column)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
import vl_convert as vlc

from sendlib.domain.benchmarks import compute, load_mappings, neighbours_of
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.periods import axis_label
from sendlib.domain.sharing import SHARING
from sendlib.presentation.charts import CONTAINER_PX, small_multiples, trend_chart
from sendlib.presentation.how_we_compare import (
    area_values,
    benchmark_trend_chart,
    describe_ranked,
    describe_trend,
    ranked,
    ranked_bar_chart,
    references,
    trend_rows,
)
from sendlib.presentation.images import print_spec
from sendlib.presentation.peer_comparison import compare_peers
from sendlib.presentation.report import CHART_WIDTH
from sendlib.presentation.tables import headlines
from sendlib.workflows.dfe_releases import ensure_dfe
from sendlib.workflows.stores import open_store

HOME, HOME_NAME, REGION = "839", "Bournemouth, Christchurch and Poole", "South West"
CHAR_WIDTH = 0.58  # an average sans-serif character, as a share of the font size
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Text:
    role: str
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Text) -> bool:
        return self.x0 < other.x1 - 1 and other.x0 < self.x1 - 1 and self.y0 < other.y1 - 1 and other.y0 < self.y1 - 1


def _translate(transform: str) -> tuple[float, float, bool]:
    """The offset a transform moves its contents by; a shift after Vega's `rotate(-90)` (an axis title) is turned
    back into page directions."""
    before, _, after = transform.partition("rotate(-90)")
    x = y = 0.0
    for a, b in re.findall(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", before):
        x, y = x + float(a), y + float(b)
    for a, b in re.findall(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", after):
        x, y = x + float(b), y - float(a)
    return x, y, "rotate" in transform


def texts(svg: str) -> list[Text]:
    """Every text in the SVG with its estimated box on the page, and the role Vega gave its group."""
    out: list[Text] = []

    def walk(node: ET.Element, ox: float, oy: float, role: str) -> None:
        dx, dy, rotated = _translate(node.get("transform", ""))
        x, y = ox + dx, oy + dy
        found = re.search(r"role-([a-z-]+)", node.get("class", ""))
        role = found.group(1) if found else role
        if node.tag == f"{SVG}text":
            lines = [t.text or "" for t in node.iter(f"{SVG}tspan")] or [node.text or ""]
            size = float(node.get("font-size", "11px").rstrip("px"))
            width = max(len(line) for line in lines) * size * CHAR_WIDTH
            height = size * len(lines)
            anchor = node.get("text-anchor", "start")
            if rotated:  # read bottom to top: the glyphs stand left of the baseline
                left, top, width, height = x - size * 0.75, y - width / 2, size * 0.75, width
            else:
                left = x - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
                top = y - size * 0.8
            if any(line.strip() for line in lines) and node.get("opacity") != "0":  # Vega hides a crowded label
                out.append(Text(role, " ".join(lines), left, top, left + width, top + height))
            return
        for child in node:
            walk(child, x, y, role)

    walk(ET.fromstring(svg), 0.0, 0.0, "")
    return out


def _x_axis_labels(svg: str) -> list[list[Text]]:
    """The label texts of each x axis (Vega names an axis 'X-axis …' in its aria-label)."""
    root = ET.fromstring(svg)
    axes = []
    for group in root.iter(f"{SVG}g"):
        if (group.get("aria-label") or "").startswith("X-axis"):
            axes.append([t for t in texts(ET.tostring(group, encoding="unicode")) if t.role == "axis-label"])
    return axes


@pytest.fixture(scope="module")
def dfe(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> dict[str, Any]:
    figures, groups = ensure_dfe(open_store(tmp_path_factory.mktemp("dfe") / "store"))
    data, neighbours = figures.read(), groups.read()
    mappings = load_mappings(catalogue=catalogue)
    bench = compute(data, neighbours, catalogue, mappings, la=HOME)
    return {"data": data, "neighbours": neighbours, "mappings": mappings, "bench": bench}


def _compare_specs(dfe: dict[str, Any], catalogue: Catalogue) -> dict[str, dict]:
    """How we compare's ranked and trend charts, for each DfE measure at its latest year."""
    specs = {}
    bench = dfe["bench"]
    near = neighbours_of(dfe["neighbours"], HOME, "2021")
    for mapping in {m.measure: m for m in dfe["mappings"] if m.primary}.values():
        areas = area_values(dfe["data"], dfe["mappings"], mapping.measure)
        if areas.empty:
            continue
        period = max(areas["period"])
        polarity = catalogue[mapping.kpi_id].polarity
        table, missing = ranked(areas, period, home=HOME, neighbours=near, polarity=polarity, kind=mapping.kind)
        refs = references(bench, mapping.measure, period, region=REGION, kind=mapping.kind)
        words = describe_ranked(table, refs, missing, label=mapping.label, period=period, home_name=HOME_NAME)
        specs[f"ranked:{mapping.measure}"] = ranked_bar_chart(
            table, refs, title=mapping.label, kind=mapping.kind, home_name=HOME_NAME, description=words).to_dict()
        trend = trend_rows(bench, mapping.measure, kind=mapping.kind, region=REGION, home_name=HOME_NAME)
        if len(trend):
            specs[f"compare-trend:{mapping.measure}"] = benchmark_trend_chart(
                trend, title=mapping.label, kind=mapping.kind,
                description=describe_trend(trend, label=mapping.label)).to_dict()
    return specs


def _peer_spec(table: pd.DataFrame, catalogue: Catalogue) -> dict:
    """The peer comparison over the bundled authority's monthly 20-week rate and four made-up sharing neighbours."""
    kpi = catalogue["b04-20-week-rate-excl-exceptions"]
    ours = table[(table["kpi_id"] == kpi.id) & (table["series"] == "actual")]
    names = {HOME: HOME_NAME, "908": "Cornwall", "878": "Devon", "879": "Plymouth", "838": "Torbay"}
    frames = [ours.assign(la_code=code, value=ours["value"] * factor)
              for code, factor in zip(names, (1.0, 0.9, 1.1, 0.7, 1.3), strict=True)]
    figures = pd.concat(frames)[["la_code", "period", "value", "series"]].assign(common_measure="twenty-week-excl")
    sharing = SHARING.normalise(pd.DataFrame([{"la_code": c, "common_measure": "twenty-week-excl", "shared": True,
                                               "author": "x", "created_at": "2025-04-01"} for c in names]))
    result = compare_peers(figures, sharing, "twenty-week-excl", home=HOME, names=names, polarity=kpi.polarity,
                           unit=kpi.unit, label=kpi.title)
    assert result.chart is not None
    return result.chart.to_dict()


@pytest.fixture(scope="module")
def specs(table: pd.DataFrame, catalogue: Catalogue, dfe: dict[str, Any]) -> dict[str, tuple[dict, int]]:
    """name → (spec, the width it is drawn at): every chart the app draws on the bundled data."""
    out: dict[str, tuple[dict, int]] = {}
    bench = dfe["bench"][dfe["bench"]["primary"]]
    held = set(table.loc[(table["series"] == "actual") & table["value"].notna(), "kpi_id"])
    for kpi_id in sorted(held):
        kpi = catalogue[kpi_id]
        chart = trend_chart(kpi, table[table["kpi_id"] == kpi_id], dfe=bench[bench["kpi_id"] == kpi_id])
        out[f"trend:{kpi_id}"] = (chart.to_dict(), CONTAINER_PX)
    for scorecard in ("scorecard", "board"):
        kpis = [catalogue[k] for k in headlines(catalogue, scorecard, held)]
        out[f"headlines:{scorecard}"] = (small_multiples(kpis, table, columns=4, width=170).to_dict(), 170)
    for kpi_id in ("b04-20-week-rate-excl-exceptions", "b05-average-time-to-issue-excl-exceptions"):
        chart = trend_chart(catalogue[kpi_id], table[table["kpi_id"] == kpi_id], width=CHART_WIDTH, height=180)
        out[f"report:{kpi_id}"] = (chart.to_dict(), CHART_WIDTH)
    out |= {name: (spec, CONTAINER_PX) for name, spec in _compare_specs(dfe, catalogue).items()}
    out["peers:twenty-week-excl"] = (_peer_spec(table, catalogue), CONTAINER_PX)
    return out


@pytest.fixture(scope="module")
def rendered(specs: dict[str, tuple[dict, int]]) -> dict[str, str]:
    return {name: vlc.vegalite_to_svg(print_spec(spec, width=width)) for name, (spec, width) in specs.items()}


def test_every_kind_of_chart_is_drawn(specs):
    kinds = {name.split(":")[0] for name in specs}
    assert kinds == {"trend", "headlines", "report", "ranked", "compare-trend", "peers"}
    assert sum(name.startswith("trend:") for name in specs) > 100


def test_no_axis_repeats_a_tick_label(rendered):
    repeated = {}
    for name, svg in rendered.items():
        for labels in _x_axis_labels(svg):
            words = [t.text for t in labels]
            if len(words) != len(set(words)):
                repeated[name] = words
    assert repeated == {}


def test_no_text_overprints_another(rendered):
    clashes = {}
    for name, svg in rendered.items():
        boxes = texts(svg)
        # A legend's own entries are laid out by Vega from measured widths; against everything else they count.
        pairs = [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                 if a.overlaps(b) and not a.role == b.role == "legend-label"]
        if pairs:
            clashes[name] = pairs[:3]
    assert clashes == {}


def test_no_text_is_cut_short(rendered):
    cut = {name: [t.text for t in texts(svg) if t.text.endswith("…")] for name, svg in rendered.items()}
    assert {name: words for name, words in cut.items() if words} == {}


def test_at_most_three_benchmark_lines(specs):
    """Target, England and neighbours at most: the legend names every line drawn beside the measure's own."""
    for name, (spec, _) in specs.items():
        if name.startswith("trend:"):
            domain = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
            assert len(domain) - 1 <= 3, (name, domain)


def test_axes_name_periods_as_people_say_them(rendered):
    def labels(name: str) -> list[str]:
        return [t.text for t in _x_axis_labels(rendered[name])[0]]

    assert labels("trend:b01-6-week-decisions") == ["Feb 24", "Mar 24"]
    assert labels("trend:b25-persistent-absence-ehcp-pct") == ["Summer 2023", "Autumn 2023"]
    assert labels("trend:b28-phase-transfer-amended-by-15-feb") == ["2023", "2024"]
    assert axis_label("2023/24 Spring 1") == "Spring 1 2024" and axis_label("2024/25 Q1") == "Q1 24/25"


def test_a_short_series_fills_its_own_chart(rendered):
    """The board's two months with DfE's yearly figure beside them: the first and last month sit at the plot's
    two ends, not squashed into a corner by a year-long benchmark."""
    first, last = _x_axis_labels(rendered["trend:b01-6-week-decisions"])[0]
    centre = (first.x0 + first.x1) / 2, (last.x0 + last.x1) / 2
    assert centre[1] - centre[0] > 0.7 * CONTAINER_PX


def test_every_bundled_measure_has_a_short_name(catalogue):
    missing = [k.id for k in catalogue if not k.short_name]
    assert missing == []
    assert max(len(k.title) for k in catalogue) <= 40

