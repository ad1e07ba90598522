"""Altair chart builders. Pure: they take data, return a chart; the pages only display them.

Every reference line is told apart by colour *and* dash pattern *and* a text label, so the
charts read in greyscale and for colour-blind readers. Palette: the GSS colour-blind-safe set.
"""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import pandas as pd

from sendlib.domain.benchmarks import format_dfe
from sendlib.domain.catalogue import KPI, POLARITY_WORDS, UNIT_WORDS, Catalogue
from sendlib.domain.periods import parse_period, short_label
from sendlib.domain.schema import SERIES_WORDS
from sendlib.domain.values import Unit, format_value

ACTUAL_COLOUR = "#12436D"
SERIES_STYLE = {
    # series: (colour, dash)
    "actual": (ACTUAL_COLOUR, [1, 0]),
    "target": ("#F46A25", [8, 4]),
    "national": ("#801650", [2, 2]),
    "statistical_neighbours": ("#28A197", [6, 2, 2, 2]),
    "regional": ("#3D3D3D", [4, 4]),
}
AXIS_TITLE = {"percent": "Per cent", "count": "Number", "days": "Days", "weeks": "Weeks", "score": "Score"}
# DfE's published benchmarks: the same colour as the typed benchmark of the same kind, solid, drawn as a segment
# over the period DfE's figure covers (a calendar year, or the January census month) with a labelled marker.
DFE_SERIES = ("national", "regional", "statistical_neighbours")
DFE_SHAPE = {"national": "square", "regional": "triangle-up", "statistical_neighbours": "diamond"}


def dfe_label(series: str) -> str:
    return f"{SERIES_WORDS[series]} (DfE)"


def layered(*charts: alt.Chart) -> alt.LayerChart:
    """`alt.layer`, typed as what it returns here: it makes a FacetChart only when every layer has the same facet
    encoding, and no layer of ours has one."""
    return cast(alt.LayerChart, alt.layer(*charts))


def _dfe_segments(dfe: pd.DataFrame | None, points: pd.DataFrame, unit: Unit) -> pd.DataFrame:
    """DfE benchmark figures whose period overlaps the local series: a calendar year is a segment across the year,
    a January census a point on its month (joined year to year). Older ones are left to the How we compare page,
    so a monthly chart is not stretched back to 2014. Only the latest of each series carries a text label."""
    columns = ["series", "kind", "start", "end", "value", "shown", "label", "text", "source"]
    if dfe is None or dfe.empty or points.empty:
        return pd.DataFrame(columns=columns)
    first, last = points["date"].min(), points["date"].max()
    rows = []
    wanted = dfe[dfe["series"].isin(DFE_SERIES) & dfe["value"].notna()]
    # pandas-stubs keys records by Hashable; the benchmark rows' columns are all named by str.
    for r in cast(list[dict[str, Any]], wanted.to_dict("records")):
        period = parse_period(r["period"])
        start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
        if end < first or start > last:
            continue
        shown = format_dfe(float(r["value"]), unit)
        label = f"{SERIES_WORDS[r['series']]} (DfE {short_label(r['period'])}) {shown}"
        rows.append({"series": dfe_label(r["series"]), "kind": "month" if period.kind == "month" else "span",
                     "start": start, "end": end if period.kind != "month" else start, "value": float(r["value"]),
                     "shown": shown, "label": label, "text": "", "source": r["source"]})
    out = pd.DataFrame(rows, columns=columns)
    if len(out):
        latest = out.groupby("series")["end"].transform("max") == out["end"]
        out.loc[latest, "text"] = out.loc[latest, "label"]
    return out


def _points(kpi: KPI, table: pd.DataFrame) -> pd.DataFrame:
    rows = table[(table["kpi_id"] == kpi.id) & (table["series"] == "actual") & table["value"].notna()]
    out = pd.DataFrame(
        {
            "period": rows["period"].astype(str).to_numpy(),
            "date": [pd.Timestamp(parse_period(p).start) for p in rows["period"]],
            "value": rows["value"].astype(float).to_numpy(),
        }
    )
    out["label"] = [short_label(p) for p in out["period"]]
    out["shown"] = [format_value(v, kpi.unit) for v in out["value"]]
    out["series"] = SERIES_WORDS["actual"]
    return out.sort_values("date")


def _references(kpi: KPI, table: pd.DataFrame, target: float | None) -> pd.DataFrame:
    rows = []
    for series in ("target", "national", "statistical_neighbours", "regional"):
        values = table[(table["kpi_id"] == kpi.id) & (table["series"] == series) & table["value"].notna()]
        value = float(values["value"].iloc[-1]) if len(values) else (target if series == "target" else None)
        if value is not None:
            rows.append({"series": SERIES_WORDS[series], "value": value, "shown": format_value(value, kpi.unit)})
    return pd.DataFrame(rows, columns=["series", "value", "shown"])


def describe(kpi: KPI, points: pd.DataFrame, refs: pd.DataFrame, dfe: pd.DataFrame | None = None) -> str:
    """The chart's text alternative: what a screen reader says instead of showing the lines."""
    if points.empty:
        return f"{kpi.name}: no values recorded yet."
    first, last = points.iloc[0], points.iloc[-1]
    text = (
        f"{kpi.name}: {len(points)} values from {first['label']} ({first['shown']}) "
        f"to {last['label']} ({last['shown']})."
    )
    if len(points) > 1:
        # idxmax is typed Hashable; the points keep the table's integer row labels.
        hi = points.loc[cast(int, points["value"].idxmax())]
        lo = points.loc[cast(int, points["value"].idxmin())]
        text += f" Highest {hi['shown']} in {hi['label']}, lowest {lo['shown']} in {lo['label']}."
    for _, ref in refs.iterrows():
        text += f" {ref['series']}: {ref['shown']}."
    if dfe is not None and len(dfe):
        text += " Published by DfE: " + "; ".join(dfe["label"]) + "."
    return text


def trend_chart(kpi: KPI, table: pd.DataFrame, *, target: float | None = None,
                width: int | str = "container", height: int = 260, title: str | None = None,
                dfe: pd.DataFrame | None = None) -> alt.LayerChart:
    """The KPI over time, with its target and benchmarks drawn as labelled reference lines, and DfE's published
    benchmarks (`dfe`: `sendlib.benchmarks.compute` rows for this KPI) as labelled segments over their periods."""
    points = _points(kpi, table)
    refs = _references(kpi, table, target if target is not None else kpi.target)
    segments = _dfe_segments(dfe, points, kpi.unit)
    dfe_names = [dfe_label(s) for s in DFE_SERIES if dfe_label(s) in set(segments["series"])]
    names = [SERIES_WORDS["actual"], *refs["series"].tolist(), *dfe_names]
    keys = {v: k for k, v in SERIES_WORDS.items()} | {dfe_label(s): f"dfe:{s}" for s in DFE_SERIES}
    style = SERIES_STYLE | {f"dfe:{s}": (SERIES_STYLE[s][0], [1, 0]) for s in DFE_SERIES}
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=names, range=[style[keys[n]][0] for n in names]),
        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, labelLimit=240),
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(domain=names, range=[style[keys[n]][1] for n in names]),
        legend=None,
    )
    y_title = AXIS_TITLE[kpi.unit]
    x_format = "%b %y" if kpi.frequency == "month" else "%Y"
    base = alt.Chart(points)
    line = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format=x_format, labelAngle=0, tickCount=min(len(points), 8) or 1)),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=kpi.unit != "score")),
        color=colour,
        strokeDash=dash,
        tooltip=[alt.Tooltip("label:N", title="Period"), alt.Tooltip("shown:N", title="Value")],
    )
    layers: list[alt.Chart] = [line]
    if not refs.empty:
        rule_base = alt.Chart(refs)
        layers.append(
            rule_base.mark_rule(strokeWidth=2).encode(
                y="value:Q",
                color=colour,
                strokeDash=dash,
                tooltip=[alt.Tooltip("series:N", title="Line"), alt.Tooltip("shown:N", title="Value")],
            )
        )
        layers.append(
            rule_base.mark_text(align="left", dx=4, dy=-6, fontSize=11).encode(
                x=alt.value(4),
                y="value:Q",
                text=alt.Text("legend_text:N"),
                color=alt.value("#0B0C0C"),
            ).transform_calculate(legend_text="datum.series + ' ' + datum.shown")
        )
    if not segments.empty:
        shape = alt.Shape("series:N", scale=alt.Scale(domain=[dfe_label(s) for s in DFE_SERIES],
                                                      range=[DFE_SHAPE[s] for s in DFE_SERIES]), legend=None)
        tips = [alt.Tooltip("label:N", title="DfE"), alt.Tooltip("source:N", title="Source")]
        # Each layer gets only its own rows, and a layer with none is left out: Vega draws an empty mark group as
        # an unlabelled graphics-symbol, which axe-core reports (svg-img-alt).
        spans, months = segments[segments["kind"] == "span"], segments[segments["kind"] == "month"]
        if len(spans):
            layers.append(alt.Chart(spans).mark_rule(strokeWidth=3, opacity=0.9).encode(
                x="start:T", x2="end:T", y="value:Q", color=colour, strokeDash=dash, tooltip=tips))
        if len(months):
            layers.append(alt.Chart(months).mark_line(strokeWidth=2, opacity=0.9).encode(
                x="end:T", y="value:Q", color=colour, strokeDash=dash, detail="series:N"))
        layers.append(alt.Chart(segments).mark_point(size=70, filled=True, opacity=1).encode(
            x="end:T", y="value:Q", color=colour, shape=shape, tooltip=tips))
        offset = {dfe_label("national"): -9, dfe_label("regional"): -21, dfe_label("statistical_neighbours"): 14}
        for name, dy in offset.items():
            labelled = segments[(segments["series"] == name) & (segments["text"] != "")]
            if len(labelled):
                layers.append(alt.Chart(labelled).mark_text(align="right", dx=-6, dy=dy, fontSize=10).encode(
                    x="end:T", y="value:Q", text="text:N", color=alt.value("#0B0C0C")))
    description = describe(kpi, points, refs, segments)
    chart = layered(*layers).properties(
        width=width,
        height=height,
        title=alt.TitleParams(title or kpi.name, anchor="start", fontSize=13, limit=600),
        description=description,
    )
    return chart


def sparkline(values: list[float], *, width: int = 120, height: int = 32) -> alt.Chart:
    data = pd.DataFrame({"i": range(len(values)), "value": values})
    # Altair types its mark_* and encode methods' results as Any.
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_line(color=ACTUAL_COLOUR, strokeWidth=1.5)
        .encode(x=alt.X("i:Q", axis=None), y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)))
        .properties(width=width, height=height, description=f"Trend of {len(values)} values")
    )
    return chart


def small_multiples(kpis: list[KPI], table: pd.DataFrame, *, columns: int = 3, width: int = 220) -> alt.FacetChart:
    """One small trend per KPI, each with its own scale, for a theme at a glance."""
    frames = []
    for kpi in kpis:
        pts = _points(kpi, table)
        if not pts.empty:
            frames.append(pts.assign(kpi=kpi.name[:60], unit=UNIT_WORDS[kpi.unit]))
    data = pd.concat(frames) if frames else pd.DataFrame(columns=["date", "value", "kpi", "label", "shown"])
    chart: alt.FacetChart = (  # as in sparkline: Altair's chained methods are typed Any
        alt.Chart(data)
        .mark_line(point=True, color=ACTUAL_COLOUR)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0, tickCount=4)),
            y=alt.Y("value:Q", title=None),
            tooltip=[alt.Tooltip("kpi:N", title="KPI"), alt.Tooltip("label:N", title="Period"), alt.Tooltip("shown:N", title="Value")],
        )
        .properties(width=width, height=120)
        .facet(
            facet=alt.Facet("kpi:N", title=None, sort=[k.name[:60] for k in kpis], header=alt.Header(labelLimit=width + 10, labelFontSize=11)),
            columns=columns,
        )
        .resolve_scale(y="independent")
        .properties(description=f"Small multiple trend charts for {len(frames)} KPIs")
    )
    return chart


def coverage_chart(catalogue: Catalogue) -> alt.Chart:
    """How many measures each theme has, split by which way is good: the catalogue at a glance."""
    rows = [
        {"theme": catalogue.themes[k.theme].name, "good": POLARITY_WORDS[k.polarity], "order": catalogue.themes[k.theme].order}
        for k in catalogue
        if not k.is_placeholder
    ]
    data = pd.DataFrame(rows).groupby(["theme", "good", "order"], as_index=False).size()
    domain = list(POLARITY_WORDS.values())
    chart: alt.Chart = (  # as in sparkline: Altair's chained methods are typed Any
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", title=None, sort=alt.EncodingSortField("order")),
            x=alt.X("size:Q", title="Number of measures"),
            color=alt.Color("good:N", title="Good is", scale=alt.Scale(domain=domain, range=["#12436D", "#F46A25", "#BFC1C3"]),
                            legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("good:N", title="Good is"), alt.Tooltip("size:Q", title="Measures")],
        )
        .properties(
            width="container",
            height=320,
            description=f"Bar chart: {len(rows)} measures across {data['theme'].nunique()} themes, by which direction is good.",
        )
    )
    return chart
