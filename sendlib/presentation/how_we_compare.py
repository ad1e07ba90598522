"""How we compare: every authority's DfE figure for one measure and year, ranked, and the home authority's
trend against England, its region and its statistical neighbours. Pure (data in, tables and Altair charts
out), so the page only lays them out and the tests check the same numbers the page draws.

Accessibility: the home authority is told apart by colour *and* a marker *and* its name written on the chart;
neighbours by colour and a dot; reference lines by colour, dash pattern and a text label. A figure DfE did not
publish is left out of the ranking and listed with its reason, never drawn as zero.
"""

from __future__ import annotations

import textwrap
from typing import Any, cast

import altair as alt
import pandas as pd

from sendlib.domain.benchmarks import Mapping, format_dfe, measure_values, rank_among
from sendlib.domain.figure import QUARTILE_WORDS, quartile_words
from sendlib.domain.periods import long_label, sort_key
from sendlib.domain.values import Unit, format_value
from sendlib.presentation.charts import SERIES_STYLE, layered

UNIT_OF_KIND: dict[str, Unit] = {"rate": "percent", "count": "count"}
HOME_COLOUR, NEIGHBOUR_COLOUR, OTHER_COLOUR = "#F46A25", "#28A197", "#12436D"
REFERENCE_SERIES = ["national", "regional", "statistical_neighbours"]
TREND_SERIES = ["home_la", *REFERENCE_SERIES]
TREND_STYLE = {"home_la": ("#12436D", [1, 0]), **{s: SERIES_STYLE[s] for s in REFERENCE_SERIES}}


def stack_labels(values: list[float], gap: float) -> list[float]:
    """Where to print labels for lines at `values` so that none sits within `gap` of another: each label moves up
    only as far as it must (its line stays where it is)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = list(values)
    last = None
    for i in order:
        y = values[i] if last is None else max(values[i], last + gap)
        # A label is printed above its y: lift it over any other line that would run through its text.
        for v in sorted(values):
            if y < v < y + gap * 0.8:
                y = v
        out[i] = y
        last = y
    return out


def shown(value: float | None, kind: str) -> str:
    """A DfE figure as DfE prints it (`benchmarks.format_dfe`), for a mapping's kind."""
    return format_dfe(None if value is None or pd.isna(value) else float(value), UNIT_OF_KIND[kind])


def measure_choices(mappings: list[Mapping]) -> list[Mapping]:
    """One entry per measure (its first-priority mapping), in the catalogue file's order, context measures too."""
    seen: dict[str, Mapping] = {}
    for m in mappings:
        if m.measure not in seen or m.priority < seen[m.measure].priority:
            seen[m.measure] = m
    return list(seen.values())


def area_values(dfe: pd.DataFrame, mappings: list[Mapping], measure: str) -> pd.DataFrame:
    """Every area's figure for one measure and every period, each period from the highest-priority dataset that
    has it — the same choice `benchmarks.compute` makes, so the ranking and the benchmarks agree."""
    frames: list[pd.DataFrame] = []
    seen: set[str] = set()
    for mapping in sorted((m for m in mappings if m.measure == measure), key=lambda m: m.priority):
        values = measure_values(dfe, mapping)
        values = values[~values["period"].isin(seen)]
        seen |= set(values["period"])
        frames.append(values.assign(dataset=mapping.dataset))
    if not frames:
        return pd.DataFrame(columns=["period", "geographic_level", "region_name", "old_la_code", "la_code", "la_name",
                                     "release", "file_name", "value", "note", "num", "den", "dataset"])
    out = pd.concat(frames, ignore_index=True)
    out["value"] = out["value"].astype("float64")
    return out


def periods_of(areas: pd.DataFrame) -> list[str]:
    """The periods a measure has figures for, oldest first."""
    return sorted(areas["period"].dropna().unique().tolist(), key=sort_key)


def ranked(areas: pd.DataFrame, period: str, *, home: str, neighbours: list[str], polarity: str,
           kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(authorities with a published figure, highest first, with rank and role; authorities without one, with
    the reason). Rank follows `benchmarks.compute`: 1 = best where the measure has a direction, ties share."""
    las = areas[(areas["period"] == period) & (areas["geographic_level"] == "local_authority")]
    las = las.drop_duplicates("old_la_code")
    published = las[las["value"].notna()].sort_values(["value", "la_name"], ascending=[False, True]).reset_index(drop=True)
    values = published["value"].tolist()
    published["rank"] = [rank_among(values, v, lower_better=polarity == "lower_better") for v in values]
    published["position"] = range(1, len(published) + 1)
    published["role"] = ["home" if c == home else "neighbour" if c in neighbours else "other"
                         for c in published["old_la_code"]]
    published["role_word"] = published["role"].map(
        {"home": "Home authority", "neighbour": "Statistical neighbour", "other": "Other authority"})
    published["shown"] = [shown(v, kind) for v in published["value"]]
    published["rank_text"] = [f"{r} of {len(published)}" for r in published["rank"]]
    missing = las[las["value"].isna()].sort_values("la_name").reset_index(drop=True)
    missing = missing.assign(note=missing["note"].fillna("not published"))
    cols = ["position", "rank", "rank_text", "old_la_code", "la_name", "region_name", "value", "shown", "role",
            "role_word", "source"]
    published["source"] = [f"DfE {r}, {f}" for r, f in zip(published["release"], published["file_name"])]
    return published[cols], missing[["old_la_code", "la_name", "region_name", "note"]]


def unpublished_words(missing: pd.DataFrame) -> str:
    """'12 authorities have no published figure: 10 c: suppressed…; 2 x: not available.'"""
    if missing.empty:
        return "Every authority has a published figure."
    counts = missing["note"].value_counts()
    reasons = "; ".join(f"{n} — {reason}" for reason, n in counts.items())
    return (f"{len(missing)} authorit{'y has' if len(missing) == 1 else 'ies have'} no published figure and "
            f"{'is' if len(missing) == 1 else 'are'} not drawn (not counted as zero): {reasons}.")


def references(benchmarks: pd.DataFrame, measure: str, period: str, *, region: str | None, kind: str) -> pd.DataFrame:
    """England, the region and the neighbour mean for one measure and period, as `compute` made them."""
    rows = benchmarks[(benchmarks["measure"] == measure) & (benchmarks["period"] == period)
                      & benchmarks["series"].isin(REFERENCE_SERIES) & benchmarks["value"].notna()]
    out = []
    for series in REFERENCE_SERIES:
        hit = rows[rows["series"] == series]
        if len(hit):
            value = float(hit["value"].iloc[0])
            out.append({"series": series, "label": series_label(series, region=region), "value": value,
                        "shown": shown(value, kind), "note": hit["note"].iloc[0]})
    return pd.DataFrame(out, columns=["series", "label", "value", "shown", "note"])


def series_label(series: str, *, region: str | None = None, home_name: str | None = None) -> str:
    return {"national": "England", "regional": f"Region ({region})" if region else "Region",
            "statistical_neighbours": "Statistical neighbours (mean)",
            "home_la": home_name or "Home authority"}[series]


def describe_ranked(table: pd.DataFrame, refs: pd.DataFrame, missing: pd.DataFrame, *, label: str, period: str,
                    home_name: str) -> str:
    """The ranked chart's text alternative, saying how many authorities are missing from it and why."""
    if table.empty:
        return f"{label}, {long_label(period)}: no authority has a published figure."
    top, bottom = table.iloc[0], table.iloc[-1]
    text = (f"{label}, {long_label(period)}: bar chart of {len(table)} local authorities, highest first, from "
            f"{top['la_name']} ({top['shown']}) to {bottom['la_name']} ({bottom['shown']}).")
    home = table[table["role"] == "home"]
    if len(home):
        h = home.iloc[0]
        text += f" {home_name}: {h['shown']}, ranked {h['rank_text']}."
    else:
        text += f" {home_name} has no published figure."
    for r in refs.itertuples(index=False):
        text += f" {r.label}: {r.shown}."
    nb = table[table["role"] == "neighbour"]
    if len(nb):
        text += " Statistical neighbours marked with a dot: " + ", ".join(f"{n} {s}" for n, s in zip(nb["la_name"], nb["shown"])) + "."
    return f"{text} {unpublished_words(missing)}"


def ranked_bar_chart(table: pd.DataFrame, refs: pd.DataFrame, *, title: str, kind: str, home_name: str,
                     description: str, width: int | str = "container", height: int = 340) -> alt.LayerChart:
    """Every authority's figure as a bar, highest first; the home authority in orange with a ▼ and its name,
    neighbours in turquoise with a dot; England / region / neighbour mean as labelled, dashed rules."""
    n = max(len(table), 1)
    y_title = "Per cent" if kind == "rate" else "Number"
    roles = ["Home authority", "Statistical neighbour", "Other authority"]
    tooltip = [alt.Tooltip("la_name:N", title="Authority"), alt.Tooltip("shown:N", title="Figure"),
               alt.Tooltip("rank_text:N", title="Rank"), alt.Tooltip("role_word:N", title="Which"),
               alt.Tooltip("source:N", title="Source")]
    x = alt.X("position:O", title=f"Local authorities, highest to lowest ({len(table)} with a published figure)",
              axis=alt.Axis(labels=False, ticks=False, domain=True), sort=None)
    top = max([*table["value"].tolist(), *refs["value"].tolist(), 0.0]) * 1.3
    # Room above the tallest bar for the home authority's name (wrapped to fit a half column); a percentage axis still
    # stops at 100.
    y = (alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(values=list(range(0, 101, 20))))
         if kind == "rate" and top > 100 else alt.Y("value:Q", title=y_title))
    bars = alt.Chart(table).mark_bar().encode(
        x=x,
        y=y,
        color=alt.Color("role_word:N", title="Bars", scale=alt.Scale(domain=roles, range=[HOME_COLOUR, NEIGHBOUR_COLOUR, OTHER_COLOUR]),
                        legend=alt.Legend(orient="bottom", symbolType="square")),
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [bars]
    marked = table[table["role"] != "other"]
    if len(marked):  # an empty layer is an unlabelled graphics-symbol to a screen reader (axe-core's svg-img-alt)
        layers.append(alt.Chart(marked).mark_point(filled=True, size=70, yOffset=-9, opacity=1).encode(
            x=x, y="value:Q",
            shape=alt.Shape("role:N", scale=alt.Scale(domain=["home", "neighbour"], range=["triangle-down", "circle"]),
                            legend=None),
            color=alt.value("#0B0C0C"),
            tooltip=tooltip,
        ))
    home = table[table["role"] == "home"]
    if len(home):
        h = home.iloc[0]
        left = h["position"] <= n / 2
        # The name sits at the top of the plot with a leader down to the bar, clear of the reference lines.
        label = pd.DataFrame([{"position": h["position"], "value": h["value"], "top": top,
                               "text": "\n".join(textwrap.wrap(f"▼ {home_name}: {h['shown']} ({h['rank_text']})", 20))}])
        lead = alt.Chart(label)
        layers.append(lead.mark_rule(strokeDash=[2, 2], color="#0B0C0C").encode(x=x, y="value:Q", y2="top:Q"))
        layers.append(lead.mark_text(align="left" if left else "right", dx=-4 if left else 4, dy=-4, baseline="bottom",
                                     fontSize=12, fontWeight="bold", color="#0B0C0C", lineBreak="\n").encode(x=x, y="top:Q", text="text:N"))
    if not refs.empty:
        names = refs["label"].tolist()
        colour = alt.Color("label:N", title="Lines", scale=alt.Scale(domain=names, range=[TREND_STYLE[s][0] for s in refs["series"]]),
                           legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, labelLimit=260))
        dash = alt.StrokeDash("label:N", scale=alt.Scale(domain=names, range=[TREND_STYLE[s][1] for s in refs["series"]]), legend=None)
        rules = alt.Chart(refs).mark_rule(strokeWidth=2).encode(
            y="value:Q", color=colour, strokeDash=dash,
            tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("shown:N", title="Figure")])
        # Labels sit at the right-hand end (the shortest bars), moved up where values are close so none overprints.
        placed = refs.assign(position=n, label_y=stack_labels(refs["value"].tolist(), top * 0.045),
                             text=refs["label"] + " " + refs["shown"])
        texts = alt.Chart(placed).mark_text(align="right", dy=-3, baseline="bottom", fontSize=11, color="#0B0C0C").encode(
            x=x, y="label_y:Q", text="text:N")
        layers += [rules, texts]
    # Altair types resolve_scale's result as Any.
    chart: alt.LayerChart = layered(*layers).resolve_scale(color="independent", shape="independent").properties(
        width=width, height=height, title=alt.TitleParams(title, anchor="start", fontSize=13, limit=700),
        description=description)
    return chart


def trend_rows(benchmarks: pd.DataFrame, measure: str, *, kind: str, region: str | None, home_name: str) -> pd.DataFrame:
    """The home authority, England, region and neighbour mean for every year of one measure, with sources."""
    rows = benchmarks[(benchmarks["measure"] == measure) & benchmarks["series"].isin(TREND_SERIES)]
    rows = rows[rows["value"].notna()]
    out = pd.DataFrame({
        "period": rows["period"].to_numpy(),
        "period_label": [long_label(p) for p in rows["period"]],
        "series": rows["series"].to_numpy(),
        "label": [series_label(s, region=region, home_name=home_name) for s in rows["series"]],
        "value": rows["value"].astype(float).to_numpy(),
        "shown": [shown(v, kind) for v in rows["value"]],
        "note": rows["note"].fillna("").to_numpy(),
        "source": rows["source"].to_numpy(),
        "release": rows["release"].to_numpy(),
        "file_name": rows["file_name"].to_numpy(),
    })
    out["_k"] = out["period"].map(sort_key)
    out["_s"] = out["series"].map(TREND_SERIES.index)
    return out.sort_values(["_k", "_s"]).drop(columns=["_k", "_s"]).reset_index(drop=True)


def describe_trend(rows: pd.DataFrame, *, label: str) -> str:
    if rows.empty:
        return f"{label}: no published figures."
    periods = sorted(rows["period"].unique(), key=sort_key)
    text = f"{label}: line chart, {long_label(periods[0])} to {long_label(periods[-1])}."
    for series in TREND_SERIES:
        s = rows[rows["series"] == series]
        if len(s):
            first, last = s.iloc[0], s.iloc[-1]
            text += (f" {first['label']}: {first['shown']} in {first['period_label']}" +
                     (f", {last['shown']} in {last['period_label']}." if len(s) > 1 else "."))
    return text


def benchmark_trend_chart(rows: pd.DataFrame, *, title: str, kind: str, description: str,
                          width: int | str = "container", height: int = 300) -> alt.LayerChart:
    """One line each for the home authority, England, region and neighbour mean, told apart by colour, dash
    pattern and a label at the line's end; every point's DfE source in its tooltip."""
    present = [s for s in TREND_SERIES if s in set(rows["series"])]
    names = [rows.loc[rows["series"] == s, "label"].iloc[0] for s in present]
    order = rows.drop_duplicates("period")["period_label"].tolist()
    colour = alt.Color("label:N", title=None, scale=alt.Scale(domain=names, range=[TREND_STYLE[s][0] for s in present]),
                       legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, labelLimit=260))
    dash = alt.StrokeDash("label:N", scale=alt.Scale(domain=names, range=[TREND_STYLE[s][1] for s in present]), legend=None)
    x = alt.X("period_label:O", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelLimit=0, labelOverlap="greedy"))
    y = alt.Y("value:Q", title="Per cent" if kind == "rate" else "Number", scale=alt.Scale(zero=kind == "count"))
    base = alt.Chart(rows)
    lines = base.mark_line(point=alt.OverlayMarkDef(size=50, filled=True), strokeWidth=2.5).encode(
        x=x, y=y, color=colour, strokeDash=dash,
        tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("period_label:N", title="Period"),
                 alt.Tooltip("shown:N", title="Figure"), alt.Tooltip("note:N", title="Note"),
                 alt.Tooltip("source:N", title="Source")])
    ends = rows.groupby("series", sort=False).tail(1)
    span = (rows["value"].max() - min(rows["value"].min(), 0 if kind == "count" else rows["value"].min())) or 1.0
    ends = ends.assign(text=ends["label"] + " " + ends["shown"], label_y=stack_labels(ends["value"].tolist(), span * 0.06))
    labels = alt.Chart(ends).mark_text(align="left", dx=8, fontSize=11, color="#0B0C0C").encode(
        x=x, y=alt.Y("label_y:Q"), text="text:N")
    return layered(lines, labels).properties(
        width=width, height=height, title=alt.TitleParams(title, anchor="start", fontSize=13, limit=700),
        description=description, padding={"right": 190})


def headline(benchmarks: pd.DataFrame, measure: str, period: str, *, kind: str, polarity: str) -> dict[str, dict[str, Any]]:
    """The home authority's figure, rank, quartile band and the three references for one measure and period:
    series → {value, shown, note}."""
    rows = benchmarks[(benchmarks["measure"] == measure) & (benchmarks["period"] == period)]
    out: dict[str, dict[str, Any]] = {}
    # pandas-stubs keys records by Hashable; the benchmark rows' columns are all named by str.
    for r in cast(list[dict[str, Any]], rows.to_dict("records")):
        value = None if pd.isna(r["value"]) else float(r["value"])
        note = None if r["note"] is None or pd.isna(r["note"]) else str(r["note"])
        if r["series"] == "rank":  # "128 of 151"; the note says which end is best
            text = "—" if value is None or pd.isna(r.get("of")) else f"{int(value)} of {int(r['of'])}"
        elif r["series"] == "quartile":  # "Bottom quarter"; the note says whether that is the best or worst
            text = "—" if value is None else QUARTILE_WORDS[int(value)].capitalize()
            note = None if value is None else quartile_words(int(value), polarity)
        else:
            text = shown(value, kind)
        out[r["series"]] = {"value": value, "shown": text, "note": note, "source": r["source"]}
    return out


def difference_words(local: float, dfe: float, unit: Unit) -> str:
    """'ours is 8 lower than DfE's (0.7%)' — the gap in words, in the measure's unit."""
    gap = local - dfe
    if abs(gap) < 1e-9:
        return "the same as DfE's"
    size = format_value(round(abs(gap), 1), unit)
    pct = f" ({abs(gap) / dfe * 100:.1f}% of DfE's figure)" if dfe else ""
    if unit == "percent":
        size = f"{round(abs(gap), 1):g} percentage points"
        pct = ""
    return f"ours is {size} {'higher' if gap > 0 else 'lower'} than DfE's{pct}"


def local_period_words(local_period: str) -> str:
    """Which of our monthly figures were used: 'December 2023', or 'sum of January to December 2024'."""
    if " to " in local_period:
        first, last = local_period.split(" to ", 1)
        return f"sum of {long_label(first).split(' ')[0]} to {long_label(last)}"
    return long_label(local_period)
