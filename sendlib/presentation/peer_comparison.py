"""How we compare, monthly, among sharing authorities: each sharing authority's own figure for the latest month,
ranked as DfE's yearly figures are, drawn with How we compare's ranked chart, and described in words.

These are the authorities' own monthly figures, not DfE's: local and unpublished, which every output says
(`LOCAL_LABEL`). Only authorities that share the measure (`domain.sharing`) are ever in it: one that has not
shared is not named, counted, averaged or used for a quartile boundary — its rows are dropped before anything is
computed. The rank is `benchmarks.rank_among` (1 = best by the measure's polarity, ties share) and the quartile
DfE's rule for it; a measure where neither higher nor lower is better is ordered by value and not ranked.
Fewer than two authorities with a figure: no ranking, and a sentence saying so.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from sendlib.domain.benchmarks import rank_among
from sendlib.domain.figure import quartile_of, quartile_words
from sendlib.domain.periods import long_label, sort_key
from sendlib.domain.sharing import sharing_authorities
from sendlib.domain.values import Unit, format_value
from sendlib.presentation.charts import AXIS_TITLE
from sendlib.presentation.how_we_compare import HOME_COLOUR, OTHER_COLOUR, ranked_bar_chart

LOCAL_LABEL = "local, unpublished data: the authorities' own monthly figures, not DfE's"
MIN_AUTHORITIES = 2
MONTH = re.compile(r"^\d{4}-\d{2}$")
ROLE_WORDS = {"home": "Home authority", "other": "Sharing authority"}
MEAN_SERIES = "statistical_neighbours"  # the mean of the sharing authorities is drawn as the neighbour mean is
ROW_COLUMNS = ["position", "rank", "rank_text", "quartile", "quartile_text", "la_code", "la_name", "period", "value",
               "shown", "role", "role_word", "source", "data"]
MISSING_COLUMNS = ["la_code", "la_name", "note"]
FIGURE_COLUMNS = ["la_code", "common_measure", "period", "value"]


@dataclass(frozen=True)
class PeerComparison:
    """One measure's monthly comparison: what the page lays out and the tests check."""

    measure: str
    period: str | None
    rows: pd.DataFrame  # the ranked authorities, highest first (empty below MIN_AUTHORITIES)
    missing: pd.DataFrame  # sharing authorities with no usable figure for the month, and why
    mean: float | None
    home_shares: bool
    description: str
    chart: alt.LayerChart | None


def common_measure_figures(figures: pd.DataFrame, common_of: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The figures table (`la_code, kpi_id, period, series, value`) with each row's common definition, through each
    authority's own kpi_id → definition (`sharing.common_measure_of` on its catalogue); rows with none dropped."""
    common = [common_of.get(la, {}).get(kpi) for la, kpi in zip(figures["la_code"], figures["kpi_id"])]
    out = figures.assign(common_measure=pd.Series(common, index=figures.index, dtype="object"))
    return out[out["common_measure"].notna()].reset_index(drop=True)


def _candidates(figures: pd.DataFrame, measure: str, sharers: set[str]) -> pd.DataFrame:
    """The sharing authorities' actual monthly figures for one definition; everyone else's rows go here, first."""
    rows = figures[(figures["common_measure"] == measure) & figures["la_code"].astype(str).isin(sharers)]
    if "series" in rows:
        rows = rows[rows["series"] == "actual"]
    rows = rows[rows["period"].astype(str).str.match(MONTH) & rows["value"].notna()]
    return rows[FIGURE_COLUMNS].assign(la_code=rows["la_code"].astype(str), value=rows["value"].astype(float))


def latest_month(rows: pd.DataFrame) -> str | None:
    """The latest month at least two authorities have a figure for (else the latest any has): one authority's early
    upload does not leave the others out of the comparison until they catch up."""
    counts = rows.groupby("period")["la_code"].nunique()
    months = sorted(counts.index, key=sort_key)
    full = [m for m in months if counts[m] >= MIN_AUTHORITIES]
    chosen = full or months
    return str(chosen[-1]) if chosen else None


def _missing(rows: pd.DataFrame, sharers: set[str], period: str, names: Mapping[str, str]) -> pd.DataFrame:
    """Sharing authorities left out of the month: no figure for it yet, or two different ones (two of its KPIs
    point at the definition)."""
    month = rows[rows["period"] == period]
    figures = month.groupby("la_code")["value"].nunique()
    out = []
    for la in sorted(sharers, key=lambda c: names.get(c, c)):
        if figures.get(la, 0) > 1:
            note = f"more than one figure for {long_label(period)} (two of its measures share this definition)"
        elif la not in figures.index:
            theirs = rows.loc[rows["la_code"] == la, "period"]
            latest = max(theirs, key=sort_key) if len(theirs) else None
            note = f"no figure for {long_label(period)}" + (f" (latest: {long_label(latest)})" if latest else " yet")
        else:
            continue
        out.append({"la_code": la, "la_name": names.get(la, la), "note": note})
    return pd.DataFrame(out, columns=MISSING_COLUMNS)


def peer_rows(rows: pd.DataFrame, period: str, *, home: str, names: Mapping[str, str], polarity: str,
              unit: Unit, missing: Collection[str] = ()) -> pd.DataFrame:
    """The month's figures, highest first, with rank, quartile and role: the same order and ranking rule as How we
    compare's `ranked`, over the sharing authorities only."""
    month = rows[(rows["period"] == period) & ~rows["la_code"].isin(missing)].drop_duplicates("la_code")
    month = month.assign(la_name=[names.get(c, c) for c in month["la_code"]])
    out = month.sort_values(["value", "la_name"], ascending=[False, True]).reset_index(drop=True)
    values, n = out["value"].tolist(), len(out)
    directed = polarity != "neutral"
    ranks = [rank_among(values, v, lower_better=polarity == "lower_better") if directed else None for v in values]
    out["position"] = range(1, n + 1)
    out["rank"] = pd.array(ranks, dtype="Int64")
    out["rank_text"] = [f"{r} of {n}" if r is not None else "not ranked" for r in ranks]
    out["quartile"] = pd.array([quartile_of(r, n) if r is not None else None for r in ranks], dtype="Int64")
    out["quartile_text"] = [quartile_words(quartile_of(r, n), polarity) if r is not None else "" for r in ranks]
    out["shown"] = [format_value(v, unit) for v in values]
    out["role"] = ["home" if c == home else "other" for c in out["la_code"]]
    out["role_word"] = out["role"].map(ROLE_WORDS)
    out["source"] = [f"{name}'s own figure for {long_label(period)} — {LOCAL_LABEL}" for name in out["la_name"]]
    out["data"] = LOCAL_LABEL
    return out[ROW_COLUMNS]


def _polarity_words(polarity: str) -> str:
    if polarity == "neutral":
        return "Not ranked: for this measure neither higher nor lower is better."
    return f"Rank 1 = best ({'lowest' if polarity == 'lower_better' else 'highest'} is best)."


def describe_peers(rows: pd.DataFrame, missing: pd.DataFrame, *, label: str, period: str | None, home_name: str,
                   home_shares: bool, mean: float | None, polarity: str, unit: Unit) -> str:
    """The comparison in words (the chart's text alternative): who is in it, where the home authority stands, the
    mean, and which sharing authorities have no figure for the month. Names no authority that has not shared."""
    head = f"{label}, monthly, among sharing authorities ({LOCAL_LABEL})"
    absent = "" if home_shares else f" {home_name} does not share this measure, so is not among them."
    if len(rows) < MIN_AUTHORITIES:
        month = f" for {long_label(period)}" if period else ""
        have = "no authority has" if rows.empty else "only one authority has"
        return (f"{head}: {have} shared a figure{month}, so there is no ranking; a comparison needs at least "
                f"{MIN_AUTHORITIES} sharing authorities.{absent}")
    top, bottom = rows.iloc[0], rows.iloc[-1]
    text = (f"{head}, {long_label(period or '')}: bar chart of the {len(rows)} sharing authorities with a figure, "
            f"highest first, from {top['la_name']} ({top['shown']}) to {bottom['la_name']} ({bottom['shown']}). "
            f"{_polarity_words(polarity)}")
    home = rows[rows["role"] == "home"]
    if len(home):
        h = home.iloc[0]
        standing = f", ranked {h['rank_text']}, {h['quartile_text']}" if polarity != "neutral" else ""
        text += f" {home_name}: {h['shown']}{standing}."
    text += f" Mean of the {len(rows)} sharing authorities: {format_value(mean, unit)}.{absent}"
    if len(missing):
        text += " Sharing but left out: " + "; ".join(f"{n} — {w}" for n, w in zip(missing["la_name"], missing["note"])) + "."
    return text


def _references(mean: float | None, count: int, unit: Unit) -> pd.DataFrame:
    rows = [] if mean is None else [{"series": MEAN_SERIES, "label": f"Mean of the {count} sharing authorities",
                                     "value": mean, "shown": format_value(mean, unit), "note": LOCAL_LABEL}]
    return pd.DataFrame(rows, columns=["series", "label", "value", "shown", "note"])


def peer_chart(rows: pd.DataFrame, mean: float | None, *, label: str, period: str, unit: Unit, home_name: str,
               description: str, width: int | str = "container", height: int = 340) -> alt.LayerChart:
    """How we compare's ranked chart (`ranked_bar_chart`) over the sharing authorities: the home authority in orange
    with a ▼ and its name, the mean as a labelled rule; the axes, legend and title retold as local data."""
    chart = ranked_bar_chart(rows, _references(mean, len(rows), unit), kind="rate" if unit == "percent" else "count",
                             title=f"{label}, {long_label(period)}: monthly, among sharing authorities",
                             home_name=home_name, description=description, width=width, height=height)
    # A subtitle of its own line, so a long measure name never truncates the label away.
    title: Any = chart.title
    title.subtitle = LOCAL_LABEL[0].upper() + LOCAL_LABEL[1:]
    x_title = f"Sharing authorities, highest to lowest ({len(rows)} with a figure for {long_label(period)})"
    for layer in chart.layer:
        encoding: Any = layer.encoding  # Altair types a layer's encoding loosely; each is a FacetedEncoding
        if encoding.x is not alt.Undefined:
            encoding.x.title = x_title
    bars: Any = chart.layer[0].encoding
    bars.y.title = AXIS_TITLE.get(unit, "Number")
    bars.color.scale = alt.Scale(domain=list(ROLE_WORDS.values()), range=[HOME_COLOUR, OTHER_COLOUR])
    return chart


def compare_peers(figures: pd.DataFrame, sharing: pd.DataFrame, measure: str, *, home: str,
                  names: Mapping[str, str], polarity: str, unit: Unit, label: str,
                  among: Collection[str] | None = None, period: str | None = None) -> PeerComparison:
    """The monthly comparison for one common definition: `figures` with `la_code, common_measure, period, value`
    (and `series`, of which only `actual` counts), `sharing` the sharing table, `among` the deployment's
    authorities, `period` a month to show instead of the latest."""
    sharers = sharing_authorities(sharing, measure, among=among)
    candidates = _candidates(figures, measure, sharers)
    period = period or latest_month(candidates)
    home_name, home_shares = names.get(home, home), home in sharers
    missing = _missing(candidates, sharers, period, names) if period else pd.DataFrame(columns=MISSING_COLUMNS)
    rows = (peer_rows(candidates, period, home=home, names=names, polarity=polarity, unit=unit,
                      missing=set(missing["la_code"])) if period else pd.DataFrame(columns=ROW_COLUMNS))
    ranked = len(rows) >= MIN_AUTHORITIES
    mean = float(rows["value"].mean()) if ranked else None
    description = describe_peers(rows, missing, label=label, period=period, home_name=home_name,
                                 home_shares=home_shares, mean=mean, polarity=polarity, unit=unit)
    rows = rows if ranked else pd.DataFrame(columns=ROW_COLUMNS)
    chart = (peer_chart(rows, mean, label=label, period=period, unit=unit, home_name=home_name,
                        description=description) if ranked and period else None)
    return PeerComparison(measure, period, rows, missing, mean, home_shares, description, chart)
