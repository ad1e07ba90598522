"""The sections of the "How we compare" page (app_pages/how_we_compare.py lays them out): headline tiles, every
authority ranked, the trend, our own figures against DfE's, and the monthly figures of the authorities that share
them, ranked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sendlib.domain.benchmarks import SN_SETS, Authority, Mapping
from sendlib.domain.catalogue import KPI, Catalogue
from sendlib.domain.periods import long_label
from sendlib.domain.values import Unit, format_value
from sendlib.presentation.how_we_compare import (
    describe_ranked,
    describe_trend,
    difference_words,
    headline,
    local_period_words,
    ranked,
    references,
    trend_rows,
)
from sendlib.presentation.peer_comparison import LOCAL_LABEL, PeerComparison

from . import data, how_we_compare, peers
from .authority import authority, name_of
from .components import chart_downloads, kpi_table
from .measure import link as measure_link
from .text import label_text, plain


def headline_tiles(bench: pd.DataFrame, mapping: Mapping, kpi: KPI, period: str, home: Authority) -> None:
    """The home authority's figure, rank and quartile beside England, region and neighbours."""
    measure, kind, home_name, region = mapping.measure, mapping.kind, home.la_name, home.region_name
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
    st.markdown(f"[{plain(kpi.title)}: our own figures, every source and why they differ ›]({measure_link(kpi.id)})")
    if kind == "count":
        st.caption("A count depends on the size of the authority, so England, region and neighbour figures are not "
                   "drawn for it; the rank is by size.")


def ranked_section(areas: pd.DataFrame, bench: pd.DataFrame, mapping: Mapping, kpi: KPI, period: str, home: Authority,
                   source: str) -> None:
    """Every authority's figure for the year, ranked: the chart, its description and the table."""
    measure, kind, home_name, region = mapping.measure, mapping.kind, home.la_name, home.region_name
    st.subheader(f"Every authority, {long_label(period)}", anchor="ranked")
    table, missing = ranked(areas, period, home=home.old_la_code, neighbours=how_we_compare.neighbours(),
                            polarity=kpi.polarity, kind=kind)
    refs = references(bench, measure, period, region=region, kind=kind)
    description = describe_ranked(table, refs, missing, label=mapping.label, period=period, home_name=home_name)
    title = f"{mapping.label}, {long_label(period)}: every local authority"
    chart = how_we_compare.ranked_spec(table, refs, title=title, kind=kind, home_name=home_name, description=description)
    st.vega_lite_chart(spec=chart, width="stretch", key="compare-ranked")
    caption = f"{description} Statistical neighbours: DfE's {SN_SETS.get(data.sn_groups(), data.sn_groups())} (change in the sidebar)."
    st.caption(plain(caption))
    chart_downloads(chart, name=f"how-we-compare-{measure}-{period}", key="compare-ranked", title=title,
                    caption=f"{caption} {source}")
    with st.expander(f"Every authority's figure as a table ({len(table) + len(missing)} authorities)"):
        every = pd.concat([
            pd.DataFrame({"Rank": table["rank_text"], "Authority": table["la_name"], "Region": table["region_name"],
                          "Figure": table["shown"], "Which": table["role_word"], "Note": "none"}),
            pd.DataFrame({"Rank": "not ranked", "Authority": missing["la_name"], "Region": missing["region_name"],
                          "Figure": "not published", "Which": "not ranked", "Note": missing["note"]}),
        ], ignore_index=True)
        kpi_table(every, key="compare-every", file_name=f"dfe-{measure}-{period}-every-authority.csv",
                  caption=f"{mapping.label}, {long_label(period)}: every authority, ranked. {source}")


def trend_section(bench: pd.DataFrame, mapping: Mapping, home: Authority, source: str) -> None:
    """The home authority against England, region and neighbours since the earliest year DfE publishes."""
    measure, kind, home_name, region = mapping.measure, mapping.kind, home.la_name, home.region_name
    st.subheader("Over the years", anchor="trend")
    trend = trend_rows(bench, measure, kind=kind, region=region, home_name=home_name)
    if trend.empty:
        st.info("No published figures for this measure.")
    else:
        trend_title = f"{mapping.label}: {home_name} against England, region and neighbours"
        trend_text = describe_trend(trend, label=mapping.label)
        trend_chart = how_we_compare.trend_spec(trend, title=trend_title, kind=kind, description=trend_text)
        st.vega_lite_chart(spec=trend_chart, width="stretch", key="compare-trend")
        used = trend[["release", "file_name"]].drop_duplicates()
        st.caption(plain(trend_text + " Hover over a point for its source. Figures from DfE: "
                         + "; ".join(f"{release} ({file})" for release, file in used.itertuples(index=False)) + "."))
        chart_downloads(trend_chart, name=f"how-we-compare-{measure}-trend", key="compare-trend", title=trend_title,
                        caption=f"{trend_text} {source}")
        shown = pd.DataFrame({"Period": trend["period_label"], "Line": trend["label"], "Figure": trend["shown"],
                              "Note": trend["note"].fillna("").replace("", "none"), "Source": trend["source"]})
        kpi_table(shown, key="compare-figures", file_name=f"dfe-{measure}-{home.old_la_code}.csv",
                  caption=f"{mapping.label}: every published figure for {home_name}, England, region and neighbours, "
                  "with its source.")


def data_quality_section(choices: dict[str, Mapping], cat: Catalogue, measure: str) -> None:
    """Our own monthly figures against DfE's published ones, where both describe the same thing."""
    st.subheader("Data quality: our figures against DfE's", anchor="data-quality")
    st.markdown("Where our monthly figures and DfE's published figure describe the same thing — the January caseload, "
                "a calendar year's requests — both are shown. A gap is a question for the data team, not an error in "
                "either: DfE's figures are returned by the authority months later and may be revised.")
    diff = how_we_compare.differences()
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
    reconciliation_section()


def reconciliation_section() -> None:
    """Each calendar year of case records: our computed 20-week rates against DfE's published ones, like with like."""
    table, warning = how_we_compare.reconciled()
    st.markdown("#### Computed from case records against DfE's published 20-week rate")
    if not data.cases_head():
        st.info("Load a SEN2 return (the case-level section of the Upload page) to set our computed 20-week rate "
                "beside DfE's published figure for each calendar year.", icon=":material/info:")
        return
    st.markdown(
        "For each calendar year of the case records, our 20-week rate computed from them beside DfE's published rate "
        f"for {plain(data.home_la_name())}, like with like. DfE's published timeliness leaves out cases that went to "
        "mediation or tribunal: our **DfE basis** does the same (exceptions included), so it is the one to set "
        "against DfE's including-exceptions figure. The **board basis** (excluding exceptions, mediation and tribunal "
        "cases kept) is set against DfE's excluding-exceptions figure, which is close but not the same basis.")
    if warning:
        st.warning(plain(warning), icon=":material/warning:")
    if table.empty:
        st.info("The case records hold no new plans issued in any calendar year, so there is nothing to reconcile.")
        return
    kpi_table(table, key="compare-reconciliation", file_name=f"computed-against-dfe-{data.home_la()}.csv",
              caption=f"Our computed 20-week rates against DfE's published figures for {data.home_la_name()}, each "
              "calendar year held, each basis named.")


LOCAL_WORDS = LOCAL_LABEL[:1].upper() + LOCAL_LABEL[1:]


def peers_section() -> None:
    """Each sharing authority's own figure for the latest month, ranked as DfE's yearly figures are: only authorities
    that share the measure are in it (explorer.peers reads no one else's figures)."""
    st.subheader("Monthly, among sharing authorities", anchor="monthly")
    name = name_of(authority())
    st.markdown(
        "Authorities using this explorer can choose to share their **own monthly figures** for measures with a common "
        "definition (the *Sharing* page). Here each sharing authority's figure for the latest month is ranked as "
        "DfE's yearly figures are above: rank 1 = best, quartile bands by DfE's rule, the mean of the sharing "
        "authorities drawn as a line. An authority that has not shared a measure is never shown, counted or averaged.")
    st.info("**Local, unpublished data.** These are the authorities' own monthly figures, not DfE's: not checked or "
            "published by DfE, and they may be revised. Read them as a prompt for a conversation between authorities, "
            "not a league table.", icon=":material/info:")
    options = peers.options()
    if not options:
        st.info("No measure is shared by at least two authorities yet, so there is nothing to compare month by month.",
                icon=":material/info:")
        _opt_in(name)
        return
    ids = list(options)
    measure = st.selectbox("Shared measure", ids, format_func=lambda m: options[m].name, key="peers-measure",
                           index=ids.index(peers.DEFAULT_MEASURE) if peers.DEFAULT_MEASURE in ids else 0,
                           help="The common definitions at least two authorities share, by name.")
    common = options[measure]
    got, spec = (shown := peers.comparison(measure)).comparison, shown.spec
    st.caption(plain(f"{common.definition} Shared by {peers.sharer_count(measure)} authorities."))
    if not got.home_shares:
        st.info(plain(f"{name} is not among the sharing authorities for this measure: it does not share it.")
                + " Its editors can choose to on the Sharing page (off by default, withdrawn at any time).",
                icon=":material/visibility_off:")
        _opt_in(name)
    if spec is None or got.period is None:
        st.info(plain(got.description), icon=":material/info:")
        return
    _peer_tiles(got, common.unit)
    title = f"{common.name}, {long_label(got.period)}: monthly, among sharing authorities"
    st.vega_lite_chart(spec=spec, width="stretch", key="peers-ranked")
    st.caption(plain(got.description))
    chart_downloads(spec, name=f"sharing-{measure}-{got.period}", key="peers-ranked", title=title,
                    caption=got.description)
    _peer_table(got, common.name)


def _opt_in(name: str) -> None:
    st.page_link("app_pages/sharing.py", label=label_text(f"Sharing: what {name} shares"), icon=":material/share:")


def _peer_tiles(got: PeerComparison, unit: Unit) -> None:
    """The home authority's figure, rank and quartile, and the mean, when it is among the sharers with a figure."""
    home = got.rows[got.rows["role"] == "home"]
    if home.empty:
        return
    row = home.iloc[0]
    tiles = [(f"{row['la_name']}, {long_label(got.period or '')}", row["shown"]),
             ("Rank among sharing authorities", row["rank_text"]),
             ("Quartile band", row["quartile_text"] or "not ranked"),
             (f"Mean of the {len(got.rows)} sharing authorities", format_value(got.mean, unit))]
    for col, (label, value) in zip(st.columns(len(tiles)), tiles, strict=True):
        with col:
            st.metric(plain(label), value, help=plain(f"{LOCAL_WORDS}."), border=True)


def _peer_table(got: PeerComparison, label: str) -> None:
    rows, missing = got.rows, got.missing
    every = pd.concat([
        pd.DataFrame({"Rank": rows["rank_text"], "Authority": rows["la_name"], "Figure": rows["shown"],
                      "Quartile band": rows["quartile_text"], "Which": rows["role_word"], "Note": "none"}),
        pd.DataFrame({"Rank": "not ranked", "Authority": missing["la_name"], "Figure": "no figure",
                      "Quartile band": "not ranked",
                      "Which": "Sharing authority", "Note": missing["note"]}),
    ], ignore_index=True)
    month = long_label(got.period or "")
    kpi_table(every, key="peers-table", file_name=f"sharing-{got.measure}-{got.period}.csv",
              caption=f"{label}, {month}: every sharing authority's own figure, ranked ({LOCAL_LABEL}).")
    st.caption(plain(f"{LOCAL_WORDS}. Only authorities that share this measure are listed."))
