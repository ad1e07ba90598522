"""Altair chart builders. Pure: they take data, return a chart; the pages only display them.

Every reference line is told apart by colour *and* dash pattern *and* a text label, so the
charts read in greyscale and for colour-blind readers. Palette: the GSS colour-blind-safe set.
"""

from __future__ import annotations

import textwrap
from typing import Any, cast

import altair as alt
import pandas as pd

from sendlib.domain.benchmarks import format_dfe
from sendlib.domain.catalogue import KPI, POLARITY_WORDS, Catalogue
from sendlib.domain.periods import axis_label, parse_period, short_label
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
# over the period DfE's figure covers (a calendar year, or the January census month) with a marker.
DFE_SHAPE = {"national": "square", "regional": "triangle-up", "statistical_neighbours": "diamond"}


# At most three reference lines on a chart: the target, England and statistical neighbours (DfE's figure where it
# covers the series' span, the document's otherwise). The region and older DfE years are in the tables.
DRAWN_BENCHMARKS = ("national", "statistical_neighbours")
# Pixels a label needs per character and between labels, at the axis' 11px font: how many ticks fit a width.
CHAR_PX, TICK_GAP_PX, LABEL_FONT = 6.6, 14, 11
# A chart that stretches to its column is at least this wide on the theme pages (two charts to a row).
CONTAINER_PX = 300
TITLE_FONT, CHAR_SHARE = 13, 0.6  # a title's font, and a character's width as a share of it
X_PADDING = 24  # pixels between the plot's edge and its first and last period


def layered(*charts: alt.Chart) -> alt.LayerChart:
    """`alt.layer`, typed as what it returns here: it makes a FacetChart only when every layer has the same facet
    encoding, and no layer of ours has one."""
    return cast(alt.LayerChart, alt.layer(*charts))


def plotted(value: float, unit: Unit) -> float:
    """The number drawn for a value: durations held in days are drawn in weeks, as the documents print them."""
    return value / 7 if unit == "days" else value


def _dfe_segments(dfe: pd.DataFrame | None, points: pd.DataFrame, unit: Unit) -> pd.DataFrame:
    """DfE's benchmark figures clipped to the local series' own span, so a short series is never squashed by a year
    of DfE's: a calendar year is a segment over the part of the year the series covers, a January census a point on
    its month (joined year to year). Figures wholly outside the span are left to the tables. Each series is named
    by its latest figure (`England (DfE 2024) 84.9%`), which is what its legend entry says."""
    columns = ["key", "series", "kind", "start", "end", "value", "shown", "label", "source"]
    if dfe is None or dfe.empty or points.empty:
        return pd.DataFrame(columns=columns)
    first, last = points["date"].min(), points["date"].max()
    rows = []
    wanted = dfe[dfe["series"].isin(DRAWN_BENCHMARKS) & dfe["value"].notna()]
    # pandas-stubs keys records by Hashable; the benchmark rows' columns are all named by str.
    for r in cast(list[dict[str, Any]], wanted.to_dict("records")):
        period = parse_period(r["period"])
        start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
        if end < first or start > last:
            continue
        shown = format_dfe(float(r["value"]), unit)
        label = f"{SERIES_WORDS[r['series']]} (DfE {short_label(r['period'])}) {shown}"
        start, end = max(start, first), min(end, last)
        rows.append({"key": r["series"], "series": r["series"], "kind": "month" if period.kind == "month" else "span",
                     "start": start if period.kind != "month" else end, "end": end,
                     "value": plotted(float(r["value"]), unit), "shown": shown, "label": label, "source": r["source"]})
    out = pd.DataFrame(rows, columns=columns)
    if len(out):
        latest = out.sort_values("end").groupby("series")["label"].transform("last")
        out["series"] = latest.reindex(out.index)
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
    out["y"] = [plotted(v, kpi.unit) for v in out["value"]]
    out["series"] = SERIES_WORDS["actual"]
    return out.sort_values("date").reset_index(drop=True)


def _references(kpi: KPI, table: pd.DataFrame, target: float | None) -> pd.DataFrame:
    rows = []
    for series in ("target", "national", "statistical_neighbours", "regional"):
        values = table[(table["kpi_id"] == kpi.id) & (table["series"] == series) & table["value"].notna()]
        value = float(values["value"].iloc[-1]) if len(values) else (target if series == "target" else None)
        if value is not None:
            shown = format_value(value, kpi.unit)
            rows.append({"key": series, "series": f"{SERIES_WORDS[series]} {shown}", "word": SERIES_WORDS[series],
                         "value": plotted(value, kpi.unit), "shown": shown})
    return pd.DataFrame(rows, columns=["key", "series", "word", "value", "shown"])


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
        text += f" {ref['word']}: {ref['shown']}."
    if dfe is not None and len(dfe):
        text += " Published by DfE: " + "; ".join(dict.fromkeys(dfe["label"])) + "."
    return text


def tick_periods(periods: list[str], dates: list[pd.Timestamp], width: int | str) -> list[str]:
    """The periods an axis labels: walking back from the latest (always labelled), each period whose label would
    not run into the last one kept, by where it falls on the time scale. No label repeats; none overlaps."""
    if not periods:
        return []
    px = (CONTAINER_PX if isinstance(width, str) else width) - 2 * X_PADDING
    widest = max(len(axis_label(p)) for p in periods) * CHAR_PX + TICK_GAP_PX
    first, span = dates[0], (dates[-1] - dates[0]) or pd.Timedelta(days=1)
    kept: list[str] = []
    last_x = None
    for period, date in zip(reversed(periods), reversed(dates), strict=True):
        x = (date - first) / span * px
        if last_x is None or last_x - x >= widest:
            kept.append(period)
            last_x = x
    return kept[::-1]


def period_axis(periods: list[str], dates: list[pd.Timestamp], width: int | str, *, title: str | None = None) -> alt.X:
    """A time axis labelled by the periods themselves (`axis_label`): ticks only where a period starts, named as
    people say it. The scale is not widened ('nice') beyond the series' first and last period."""
    at = dict(zip(periods, dates, strict=True))
    ticks = tick_periods(periods, dates, width)
    names = ", ".join(f"'{at[p]:%Y-%m-%d}': '{axis_label(p)}'" for p in ticks)
    axis = alt.Axis(values=[alt.DateTime(year=at[p].year, month=at[p].month, date=at[p].day) for p in ticks],
                    labelExpr=f"{{{names}}}[timeFormat(datum.value, '%Y-%m-%d')]", labelAngle=0,
                    labelFontSize=LABEL_FONT, labelOverlap=False, labelFlush=False, grid=False)
    return alt.X("date:T", title=title, axis=axis, scale=alt.Scale(nice=False, padding=X_PADDING))


def wrapped(text: str, width: int | str, font: int) -> list[str]:
    """A title in lines that fit the chart's width, so none is cut short."""
    px = CONTAINER_PX if isinstance(width, str) else width
    return textwrap.wrap(text, max(20, int(px // (font * CHAR_SHARE)))) or [text]


def _legend(names: list[str]) -> alt.Legend:
    """Every line named in full (no label is cut), one to a row when any name is long."""
    columns = 2 if max(len(n) for n in names) <= 24 else 1
    return alt.Legend(orient="bottom", direction="horizontal", columns=columns, symbolType="stroke",
                      symbolStrokeWidth=3, symbolSize=600, labelLimit=0, labelFontSize=LABEL_FONT, title=None)


def _drawn(refs: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The reference lines drawn: the target, and England and neighbours where DfE has no figure in the span."""
    covered = set(segments["key"])
    keep = refs["key"].eq("target") | (refs["key"].isin(DRAWN_BENCHMARKS) & ~refs["key"].isin(covered))
    return refs[keep]


def trend_chart(kpi: KPI, table: pd.DataFrame, *, target: float | None = None,
                width: int | str = "container", height: int = 260, title: str | None = None,
                dfe: pd.DataFrame | None = None) -> alt.LayerChart:
    """The KPI over time on an axis of its own periods, with its target and at most two benchmarks (England and
    statistical neighbours) as reference lines named, with their figures, in the legend; DfE's published figures
    (`dfe`: `sendlib.benchmarks.compute` rows for this KPI) as segments and points inside the series' own span."""
    points = _points(kpi, table)
    all_refs = _references(kpi, table, target if target is not None else kpi.target)
    segments = _dfe_segments(dfe, points, kpi.unit)
    refs = _drawn(all_refs, segments)
    dfe_keys = dict(zip(segments["series"], "dfe:" + segments["key"], strict=True))
    names = [SERIES_WORDS["actual"], *refs["series"].tolist(), *sorted(dfe_keys, key=lambda n: dfe_keys[n])]
    keys = {SERIES_WORDS["actual"]: "actual"} | dict(zip(refs["series"], refs["key"], strict=True)) | dfe_keys
    style = SERIES_STYLE | {f"dfe:{s}": (SERIES_STYLE[s][0], [1, 0]) for s in DRAWN_BENCHMARKS}
    legend = _legend(names)
    colour = alt.Color("series:N", scale=alt.Scale(domain=names, range=[style[keys[n]][0] for n in names]),
                       legend=legend)
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=names, range=[style[keys[n]][1] for n in names]),
                          legend=legend)
    x = period_axis(points["period"].tolist(), points["date"].tolist(), width)
    base = alt.Chart(points)
    line = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5).encode(
        x=x,
        y=alt.Y("y:Q", title=AXIS_TITLE["weeks" if kpi.unit == "days" else kpi.unit],
                scale=alt.Scale(zero=kpi.unit != "score")),
        color=colour,
        strokeDash=dash,
        tooltip=[alt.Tooltip("label:N", title="Period"), alt.Tooltip("shown:N", title="Value")],
    )
    layers: list[alt.Chart] = [line]
    if not refs.empty:
        layers.append(alt.Chart(refs).mark_rule(strokeWidth=2).encode(
            y="value:Q", color=colour, strokeDash=dash,
            tooltip=[alt.Tooltip("word:N", title="Line"), alt.Tooltip("shown:N", title="Value")]))
    if not segments.empty:
        shape = alt.Shape("key:N", scale=alt.Scale(domain=list(DRAWN_BENCHMARKS),
                                                   range=[DFE_SHAPE[s] for s in DRAWN_BENCHMARKS]), legend=None)
        tips = [alt.Tooltip("label:N", title="DfE"), alt.Tooltip("source:N", title="Source")]
        # Each layer gets only its own rows, and a layer with none is left out: Vega draws an empty mark group as
        # an unlabelled graphics-symbol, which axe-core reports (svg-img-alt).
        spans, months = segments[segments["kind"] == "span"], segments[segments["kind"] == "month"]
        if len(spans):
            layers.append(alt.Chart(spans).mark_rule(strokeWidth=3, opacity=0.9).encode(
                x=alt.X("start:T"), x2="end:T", y="value:Q", color=colour, strokeDash=dash, tooltip=tips))
        if len(months):
            layers.append(alt.Chart(months).mark_line(strokeWidth=2, opacity=0.9).encode(
                x=alt.X("end:T"), y="value:Q", color=colour, strokeDash=dash, detail="series:N"))
        layers.append(alt.Chart(segments).mark_point(size=70, filled=True, opacity=1).encode(
            x=alt.X("end:T"), y="value:Q", color=colour, shape=shape, tooltip=tips))
    description = describe(kpi, points, all_refs, segments)
    chart = layered(*layers).properties(
        width=width,
        height=height,
        title=alt.TitleParams(wrapped(title or kpi.name, width, TITLE_FONT), anchor="start", fontSize=TITLE_FONT,
                              limit=0),
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


def _small(kpi: KPI, points: pd.DataFrame, width: int) -> alt.Chart:
    """One measure's small trend, titled by its short name, on an axis of its own periods; a percentage's axis
    labels carry a % so a rate never reads as a count."""
    y_axis = alt.Axis(labelExpr="datum.label + '%'") if kpi.unit == "percent" else alt.Axis()
    units = "weeks" if kpi.unit == "days" else None
    chart: alt.Chart = (  # as in sparkline: Altair's chained methods are typed Any
        alt.Chart(points)
        .mark_line(point=True, color=ACTUAL_COLOUR)
        .encode(
            x=period_axis(points["period"].tolist(), points["date"].tolist(), width),
            y=alt.Y("y:Q", title=units, axis=y_axis, scale=alt.Scale(zero=kpi.unit != "score")),
            tooltip=[alt.Tooltip("kpi:N", title="Measure"), alt.Tooltip("label:N", title="Period"),
                     alt.Tooltip("shown:N", title="Value")],
        )
        .properties(width=width, height=120,
                    title=alt.TitleParams(kpi.title, anchor="start", fontSize=12, limit=0))
    )
    return chart


def small_multiples(kpis: list[KPI], table: pd.DataFrame, *, columns: int = 3, width: int = 220) -> alt.ConcatChart:
    """One small trend per KPI, each with its own scales and axis of its own periods, for a theme at a glance."""
    charts = []
    for kpi in kpis:
        pts = _points(kpi, table)
        if not pts.empty:
            charts.append(_small(kpi, pts.assign(kpi=kpi.name), width))
    description = f"Small multiple trend charts for {len(charts)} KPIs"
    if not charts:
        charts.append(alt.Chart(pd.DataFrame({"text": ["No figures yet"]})).mark_text(fontSize=12).encode(
            text="text:N").properties(width=width, height=40))
    chart: alt.ConcatChart = alt.concat(*charts, columns=columns).properties(description=description)
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
