import pandas as pd
import streamlit as st

from explorer import compare, data
from explorer.components import chart_downloads, kpi_table
from explorer.menu import end_page
from explorer.text import plain
from sendlib.domain.benchmarks import SN_SETS
from sendlib.domain.periods import long_label
from sendlib.domain.values import format_value
from sendlib.presentation.how_we_compare import (
    describe_ranked,
    describe_trend,
    difference_words,
    headline,
    local_period_words,
    measure_choices,
    periods_of,
    ranked,
    references,
    trend_rows,
)

st.title("How we compare")
st.markdown(
    "Every local authority's figure from the Department for Education's **published statistics**, ranked, with "
    "England, our region and our statistical neighbours. These are DfE's figures for every authority, not our own "
    "monthly data: DfE counts at a fixed date and by its own definitions, so its figure for us can differ from ours "
    "(see *Data quality* at the foot of the page)."
)

DEFAULT_MEASURE = "twenty-week-excl"
cat = data.catalogue()
home = compare.home()
home_name, region = home["la_name"], home.get("region_name")
choices = {m.measure: m for m in measure_choices(compare.mappings()) if m.kpi_id in cat}
if not choices:
    st.info("No DfE measures are mapped to this explorer's KPIs (data/catalogue/dfe_benchmarks.csv).")
    end_page()


def _choice_label(measure: str) -> str:
    m = choices[measure]
    kpi = cat[m.kpi_id]
    extra = "context for " if not m.primary else "benchmarks "
    return f"{m.label} — {extra}“{kpi.name}”"


with st.container(horizontal=True, gap="medium"):
    # Opens on the 20-week rate: the timeliness measure a board asks about first, and a rate (every LA comparable).
    measure = st.selectbox("DfE measure", list(choices), format_func=_choice_label, key="compare-measure",
                           index=list(choices).index(DEFAULT_MEASURE) if DEFAULT_MEASURE in choices else 0,
                           help="Each DfE measure and the explorer KPI it benchmarks. Context measures (such as the "
                           "20-week rate including exceptions) are shown here only.")
    mapping = choices[measure]
    kpi = cat[mapping.kpi_id]
    areas = compare.areas(measure)
    periods = periods_of(areas)
    if not periods:
        st.info("DfE has published no figures for this measure in the releases loaded.")
        end_page()
    period = st.selectbox("Year", periods[::-1], format_func=long_label, key=f"compare-period-{measure}",
                          help="The years DfE has published for this measure; the latest first.")

kind = mapping.kind
bench = data.benchmarks()
releases = sorted(areas.loc[areas["period"] == period, "release"].unique())
source = f"Source: DfE, {'; '.join(releases)} — Open Government Licence v3.0. Published statistics, not local data."
st.caption(plain(f"{mapping.note} {source}"))

# Headline numbers for the home authority.
st.subheader(plain(f"{home_name}, {long_label(period)}"))
figures = headline(bench, measure, period, kind=kind, polarity=kpi.polarity)
tiles = [("home_la", home_name), ("rank", "Rank among authorities"), ("quartile", "Quartile band"),
         ("national", "England"), ("regional", f"Region ({region})" if region else "Region"),
         ("statistical_neighbours", "Statistical neighbours (mean)")]
tiles = [(s, label) for s, label in tiles if s in figures]
for start in range(0, len(tiles), 3):
    for col, (series, label) in zip(st.columns(3), tiles[start:start + 3], strict=False):
        with col:
            f = figures[series]
            st.metric(plain(label), f["shown"], help=plain(f"{f['note'] + '. ' if f['note'] else ''}{f['source']}."),
                      border=True)
            if f["note"]:
                st.caption(plain(f["note"][:1].upper() + f["note"][1:]))
if kind == "count":
    st.caption("A count depends on the size of the authority, so England, region and neighbour figures are not "
               "drawn for it; the rank is by size.")

# Every authority, ranked.
st.subheader(f"Every authority, {long_label(period)}", anchor="ranked")
table, missing = ranked(areas, period, home=home["old_la_code"], neighbours=compare.neighbours(),
                        polarity=kpi.polarity, kind=kind)
refs = references(bench, measure, period, region=region, kind=kind)
description = describe_ranked(table, refs, missing, label=mapping.label, period=period, home_name=home_name)
title = f"{mapping.label}, {long_label(period)}: every local authority"
chart = compare.ranked_spec(table, refs, title=title, kind=kind, home_name=home_name, description=description)
st.vega_lite_chart(spec=chart, width="stretch", key="compare-ranked")
caption = f"{description} Statistical neighbours: DfE's {SN_SETS.get(data.sn_groups(), data.sn_groups())} (change in the sidebar)."
st.caption(plain(caption))
chart_downloads(chart, name=f"how-we-compare-{measure}-{period}", key="compare-ranked", title=title,
                caption=f"{caption} {source}")
with st.expander(f"Every authority's figure as a table ({len(table) + len(missing)} authorities)"):
    every = pd.concat([
        pd.DataFrame({"Rank": table["rank_text"], "Authority": table["la_name"], "Region": table["region_name"],
                      "Figure": table["shown"], "Which": table["role_word"], "Note": ""}),
        pd.DataFrame({"Rank": "", "Authority": missing["la_name"], "Region": missing["region_name"],
                      "Figure": "not published", "Which": "", "Note": missing["note"]}),
    ], ignore_index=True)
    kpi_table(every, key="compare-every", file_name=f"dfe-{measure}-{period}-every-authority.csv",
              caption=f"{mapping.label}, {long_label(period)}: every authority, ranked. {source}")

# The trend since the earliest year DfE publishes.
st.subheader("Over the years", anchor="trend")
trend = trend_rows(bench, measure, kind=kind, region=region, home_name=home_name)
if trend.empty:
    st.info("No published figures for this measure.")
else:
    trend_title = f"{mapping.label}: {home_name} against England, region and neighbours"
    trend_text = describe_trend(trend, label=mapping.label)
    trend_chart = compare.trend_spec(trend, title=trend_title, kind=kind, description=trend_text)
    st.vega_lite_chart(spec=trend_chart, width="stretch", key="compare-trend")
    used = trend[["release", "file_name"]].drop_duplicates()
    st.caption(plain(trend_text + " Hover over a point for its source. Figures from DfE: "
                     + "; ".join(f"{release} ({file})" for release, file in used.itertuples(index=False)) + "."))
    chart_downloads(trend_chart, name=f"how-we-compare-{measure}-trend", key="compare-trend", title=trend_title,
                    caption=f"{trend_text} {source}")
    shown = pd.DataFrame({"Period": trend["period_label"], "Line": trend["label"], "Figure": trend["shown"],
                          "Note": trend["note"], "Source": trend["source"]})
    kpi_table(shown, key="compare-figures", file_name=f"dfe-{measure}-{home['old_la_code']}.csv",
              caption=f"{mapping.label}: every published figure for {home_name}, England, region and neighbours, "
              "with its source.")

# Our own monthly figures against DfE's.
st.subheader("Data quality: our figures against DfE's", anchor="data-quality")
st.markdown("Where our monthly figures and DfE's published figure describe the same thing — the January caseload, "
            "a calendar year's requests — both are shown. A gap is a question for the data team, not an error in "
            "either: DfE's figures are returned by the authority months later and may be revised.")
diff = compare.differences()
if diff.empty:
    st.info("None of our monthly figures can be set beside a DfE figure yet.")
else:
    labels = {m.measure: m.label for m in choices.values()}

    def _unit(kpi_id: str) -> str:
        return cat[kpi_id].unit if kpi_id in cat else "count"

    rows = pd.DataFrame({
        "Measure": diff["measure"].map(labels).fillna(diff["measure"]),
        "DfE period": diff["period"].map(long_label),
        "Our figure": [f"{format_value(v, _unit(k))} ({local_period_words(p)})"
                       for v, k, p in zip(diff["local"], diff["kpi_id"], diff["local_period"])],
        "DfE's figure": [format_value(round(v, 1), _unit(k)) for v, k in zip(diff["dfe"], diff["kpi_id"])],
        "Difference": [difference_words(a, b, _unit(k)) for a, b, k in zip(diff["local"], diff["dfe"], diff["kpi_id"])],
        "Source": diff["source"],
    })
    mine = rows[diff["measure"].to_numpy() == measure]
    for r in mine.itertuples(index=False):
        st.markdown(f"- **{r[1]}**: our figure {r[2]}, DfE's {r[3]}: {r[4]}.")
    kpi_table(rows, key="compare-quality", file_name="our-figures-against-dfe.csv",
              caption="Our monthly figures against DfE's published figures for the same thing, every measure.")
