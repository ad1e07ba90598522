"""Widgets the pages share: tiles, the KPI table, charts with captions, downloads, a theme page."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs

import altair as alt
import pandas as pd
import streamlit as st

from sendlib.domain.authorities import NOT_MATCHED
from sendlib.domain.benchmarks import SN_SETS
from sendlib.domain.cases import case_measures, fed_kpis
from sendlib.domain.catalogue import SCORECARDS
from sendlib.domain.periods import long_label, short_label
from sendlib.domain.trends import RAG_LABEL, RAG_SYMBOL
from sendlib.domain.values import format_value, is_missing
from sendlib.presentation.cases import (
    COMPARED_COLUMNS,
    computed_lookup,
    computed_vs_typed,
    default_period,
    figure_periods,
    period_words,
    tile_line,
)
from sendlib.presentation.extracts import to_csv_bytes
from sendlib.presentation.figures import theme_grid as figures_grid
from sendlib.presentation.images import MIME as IMAGE_MIME
from sendlib.presentation.images import ImageFormat, image_name, print_spec, render_spec
from sendlib.presentation.tables import format_change, tile_labels
from sendlib.presentation.wording import figures_updated

from . import authority, context, data
from .cases import drill_down, find_a_case
from .context import older_words
from .measure import link as measure_link
from .text import plain

# GOV.UK tag colours: dark text on a light tint, each pair above 4.5:1 contrast.
TAG_STYLE = {
    "better": "background-color:#cce2d8;color:#005a30",
    "worse": "background-color:#f4cdc6;color:#2a0b06",
    "On target": "background-color:#cce2d8;color:#005a30",
    "Near target": "background-color:#fcd6c3;color:#6e3619",
    "Off target": "background-color:#f4cdc6;color:#2a0b06",
}
STYLE_MAX_ROWS = 400
DFE_CAPTION = ("Columns marked (DfE) are published by the Department for Education for the authority shown, not "
               "local data: each row's DfE source names the release and period.")
DELTA_COLOUR = {"higher_better": "normal", "lower_better": "inverse", "neutral": "off"}
ComputedLookup = dict[tuple[str, str], tuple[float | None, str]]
NO_CASE_RECORDS = ("Figures can be computed from case records by loading a SEN2 return (the case-level section of the "
                   "Upload page); none is loaded yet.")
DRILL_DOWN_DEFAULT = "rate_ex"


def page_title(title: str) -> None:
    """Every page's heading, naming the authority whose figures it shows ("Overview — Bournemouth, Christchurch and
    Poole")."""
    st.title(f"{title} — {authority.shown_name()}")


def not_matched_note() -> bool:
    """For an authority DfE cannot be matched to, say so where DfE's figures would be (and True); else False."""
    if authority.matched():
        return False
    st.info(f"{NOT_MATCHED}: {authority.shown_name()} is not one DfE publishes figures for, so no DfE figure is "
            "shown for it (another council's would not be its own).", icon=":material/info:")
    return True


def data_caption(version: str) -> None:
    """When the figures were last changed, by whom and from which file: never a version id or UTC."""
    info = data.store().info(version) if version else None
    updated = figures_updated(info.created_at, author=info.author, file_name=info.file_name) if info else \
        figures_updated(None)
    st.caption(plain(updated) + " Figures are as the service reported them; see the Glossary for definitions and "
               "sources.")


def computed_lines() -> ComputedLookup:
    """(kpi_id, month) -> the figure computed from case records, for the lines under tiles; empty (and nothing read)
    when no case records are held, so a page without them pays nothing."""
    if not data.cases_head():
        return {}
    return computed_lookup(data.computed())


def kpi_tile(row: dict, *, label: str | None = None, computed: ComputedLookup | None = None, link: bool = True) -> None:
    """A headline figure: value, change with its direction *and* its judgement in words, RAG in words; with
    `computed` (`computed_lines()`), the figure computed from case records for the same month and the difference."""
    unit = row["unit"]
    value = "—" if is_missing(row["latest"]) else format_value(row["latest"], unit)
    delta = None if is_missing(row["change"]) else format_change(row["change"], unit)
    judgement = row["assessment"] if not is_missing(row["assessment"]) else None
    description = None
    if delta is not None and not is_missing(row["previous_period"]):
        compared = "same month last year" if row["comparison"] == "same period last year" else short_label(row["previous_period"])
        description = f"{judgement if judgement in ('better', 'worse') else 'change'} vs {compared}"
    period = "" if is_missing(row["latest_period"]) else long_label(row["latest_period"])
    help_text = f"{plain(row['name'])}. Latest: {period}."
    if not is_missing(row["target"]):
        help_text += f" Target {format_value(row['target'], unit)}."
    st.metric(
        plain(label or row["name"]),
        value,
        delta=delta,
        delta_color="off" if row["direction"] == "flat" else DELTA_COLOUR[row["polarity"]],
        delta_description=description,
        help=help_text,
        border=True,
        delta_arrow="off" if row["direction"] == "flat" else "auto",
    )
    older = older_words(None if is_missing(row["latest_period"]) else row["latest_period"], data.as_at())
    bits = [older or period] if period else []
    if row["rag"] in RAG_LABEL:
        bits.append(f"{RAG_SYMBOL[row['rag']]} {RAG_LABEL[row['rag']]} (target {format_value(row['target'], unit)})")
    if bits:
        st.caption(" · ".join(bits))
    if link:  # within the session, so the authority and month chosen hold
        st.page_link("app_pages/measure.py", label="Open the measure", icon=":material/query_stats:",
                      query_params=parse_qs_flat(measure_link(row["kpi_id"])),
                      help=f"{plain(row['name'])}: trend, every source's figure and the cases behind it")
    line = tile_line(computed, row["kpi_id"], row["latest_period"], row["latest"], unit) if computed else None
    if line:
        st.caption(line)


def tile_titles(tiles: list[dict]) -> list[str]:
    """Each tile leads with its measure's short name (the full name is its help, on hover), told apart from its
    neighbours where two would read alike."""
    cat = data.catalogue()
    return tile_labels([cat[row["kpi_id"]].title if row["kpi_id"] in cat else row["name"] for row in tiles])


def headline_tiles(summary: pd.DataFrame, kpi_ids: list[str], *, computed: ComputedLookup | None = None) -> None:
    rows = summary.set_index("kpi_id")
    tiles = [rows.loc[k].to_dict() | {"kpi_id": k} for k in kpi_ids if k in rows.index]
    labels = tile_titles(tiles)
    for col, row, label in zip(st.columns(len(tiles) or 1), tiles, labels, strict=False):
        with col:
            kpi_tile(row, label=label, computed=computed)


def _style(df: pd.DataFrame):
    def colour(value: object) -> str:
        text = str(value)
        for key, style in TAG_STYLE.items():
            if key in text:
                return style
        return ""

    cols = [c for c in ("Compared with previous", "Against target") if c in df.columns]
    # A table with nothing to colour (the DfE table) skips pandas' Styler, which renders every cell (~0.02 ms each).
    return df.style.map(colour, subset=cols) if cols else df


def kpi_table(display: pd.DataFrame, *, key: str, file_name: str, caption: str) -> None:
    """The table as shown, and a CSV of exactly it."""
    config = {
        "KPI": st.column_config.TextColumn("KPI", width="large", pinned=True),
        "Trend": st.column_config.LineChartColumn("Trend", width="small", help="Up to the last 15 values"),
        "Note": st.column_config.TextColumn("Note", width="medium"),
        "Commentary": st.column_config.TextColumn("Commentary", width="medium", help="The manager's commentary on the latest period"),
    }
    shown = display.drop(columns=[c for c in ("Scorecard",) if c in display and display[c].nunique() <= 1]) if len(display) else display
    # Cell colours are a courtesy (every rating is in words too); pandas' Styler costs ~0.1 ms a cell, so a very
    # long table is shown without them to keep reruns quick.
    styled = _style(shown) if len(shown) <= STYLE_MAX_ROWS else shown
    st.dataframe(styled, hide_index=True, column_config=config, key=key, alt=caption)
    st.caption(plain(caption))
    csv = shown.drop(columns=["Trend"], errors="ignore")
    st.download_button(
        "Download this table (CSV)",
        lambda: to_csv_bytes(csv),  # built when clicked, not on every rerun
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        key=f"{key}-download",
        icon=":material/download:",
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _chart_image(spec_json: str, fmt: ImageFormat) -> bytes:
    """Rendered once per distinct chart (its JSON is the key), however often it is downloaded."""
    return render_spec(spec_json, fmt)


def _image_maker(chart: alt.TopLevelMixin | dict, fmt: ImageFormat, title: str | None, caption: str | None) -> Callable[[], bytes]:
    return lambda: _chart_image(json.dumps(print_spec(chart, title=title, caption=caption), sort_keys=True), fmt)


def chart_downloads(chart: alt.TopLevelMixin | dict, *, name: str, key: str, title: str | None = None,
                    caption: str | None = None) -> None:
    """PNG and SVG of a chart for a board paper: fixed width, titled, captioned. Rendered on the server only
    when a button is clicked (deferred data), so drawing the page costs nothing extra."""
    with st.container(horizontal=True, gap="small"):
        for fmt in ("png", "svg"):
            st.download_button(
                f"Download {fmt.upper()}",
                _image_maker(chart, fmt, title, caption),
                file_name=image_name(name, fmt),
                mime=IMAGE_MIME[fmt],
                on_click="ignore",
                key=f"{key}-{fmt}",
                icon=":material/image:",
                type="tertiary",
                help=f"This chart as a{'n' if fmt == 'svg' else ''} {fmt.upper()} image, with its title and caption, "
                "for a report",
            )


def scorecard_choice(key: str) -> list[str]:
    """The documents to show, among those the authority holds figures for (each bundled council holds one: offered
    only when there is a choice)."""
    held = set(data.table()[0]["scorecard"].dropna())
    options = [s for s in SCORECARDS if s in held] or list(SCORECARDS)
    if len(options) == 1:
        return options
    chosen = st.segmented_control(
        "Scorecard",
        options,
        selection_mode="multi",
        default=options,
        format_func=lambda s: SCORECARDS[s],
        key=key,
        help="The monthly SEND scorecard and the improvement board report are separate documents.",
    )
    return chosen or options


def _month_choice(computed: pd.DataFrame) -> str | None:
    months = sorted({p for p in computed["period"].dropna()}, reverse=True)
    return st.selectbox(
        "Month compared", [None, *months], format_func=lambda m: "Latest month with both figures" if m is None
        else long_label(m), key="computed-month",
        help="By default each measure is compared in its latest month with both a computed and a typed figure.")


def figure_choice(*, key: str) -> tuple[str, str] | None:
    """Which computed figure to open: a measure (the 20-week rate excluding exceptions by default) and a period (its
    latest month with something counted by default)."""
    measures = data.case_measures()
    names = {m.id: m.name for m in case_measures().values()}
    ids = list(names)
    left, right = st.columns(2)
    measure_id = left.selectbox("Figure", ids, index=ids.index(DRILL_DOWN_DEFAULT), format_func=names.get,
                                key=f"{key}-measure")
    periods = figure_periods(measures, measure_id)
    if not periods:
        st.info("This measure has no figures in the case records held.")
        return None
    default = default_period(measures, measure_id)
    period = right.selectbox("Period", periods, index=periods.index(default) if default in periods else 0,
                             format_func=period_words, key=f"{key}-period-{measure_id}",
                             help="Months newest first, then calendar years, then the census.")
    return measure_id, period


def computed_section(scorecards: list[str]) -> None:
    """The statutory figures computed from case records beside the typed ones, and the cases behind any figure."""
    st.subheader("Computed from case records", anchor="computed-from-case-records")
    if not data.cases_head():
        st.info(NO_CASE_RECORDS, icon=":material/info:")
        return
    table, version = data.table()
    computed = data.computed()
    st.markdown("Each statutory measure computed from the SEN2 case records, beside the figure typed into the "
                "document for the same month, the difference in words. The 20-week rate is on the board report's "
                "basis: excluding exceptions, with cases that went to mediation or tribunal included (DfE's published "
                "figure leaves those out; How we compare sets the two side by side).")
    month = _month_choice(computed)
    compared = computed_vs_typed(table, computed, data.catalogue(), month, scorecards=scorecards)
    if compared.empty:
        st.info("None of the chosen documents' measures has a computed figure for this month.")
    else:
        kpi_table(compared[COMPARED_COLUMNS], key="computed-table", file_name=f"computed-vs-typed-{version}.csv",
                  caption=f"{len(compared)} measures computed from the case records loaded now, beside the typed "
                  "figures for the same month.")
    st.markdown("#### The cases behind a figure")
    chosen = figure_choice(key="drill")
    if chosen:
        drill_down(*chosen, key="statutory-drill")
    find_a_case(key="statutory-find")


GRID_ROW_HEIGHT = 40
GRID_MAX_HEIGHT = 1600


def theme_grid(rows: pd.DataFrame, *, key: str, file_name: str, caption: str) -> None:
    """A theme's measures as one compact grid; choosing a row (or its Open link) opens the measure's page."""
    grid = figures_grid(rows, data.catalogue(), data.benchmarks(), as_at=context.as_at_month(), link=measure_link)
    config = {
        "Section": st.column_config.TextColumn("Section", width="small"),
        "Measure": st.column_config.TextColumn("Measure", width="large", pinned=True,
                                               help="Choose a row, or Open, for the measure's own page"),
        "Trend": st.column_config.LineChartColumn("Trend", width="small", help="Up to the last 15 values"),
        "Open": st.column_config.LinkColumn("Open", width="small", display_text="Open ›",
                                            help="The measure's page: its trend, every source and the cases behind it"),
        "Rank": st.column_config.TextColumn("Rank", help="Among all authorities on DfE's latest published figure; "
                                            "quartile 1 = the top quarter"),
    }
    height = min(GRID_MAX_HEIGHT, (len(grid) + 1) * GRID_ROW_HEIGHT + 3)
    event = st.dataframe(_style(grid), hide_index=True, column_config=config, key=key, alt=caption,
                         row_height=GRID_ROW_HEIGHT, height=height, on_select="rerun", selection_mode="single-row")
    chosen = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if chosen:
        st.switch_page("app_pages/measure.py", query_params=parse_qs_flat(grid["Open"].iloc[chosen[0]]))
    st.caption(plain(caption))
    csv = grid.drop(columns=["Trend", "Open"])
    st.download_button("Download this table (CSV)", lambda: to_csv_bytes(csv), file_name=file_name, mime="text/csv",
                       on_click="ignore", key=f"{key}-download", icon=":material/download:")


def parse_qs_flat(address: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(address.split("?", 1)[-1]).items()}


def theme_page(page: str) -> None:
    """Every theme filed under this page as one compact grid (charts live on the measure pages); where the page's
    KPIs are fed by measures computed from case records, those beside the typed figures, folded away."""
    cat = data.catalogue()
    themes = [t for t in cat.themes.values() if t.page == page]
    version = data.store().head() or ""
    summary = data.summary(context.as_at_month())
    title = " and ".join(t.name for t in themes) if len(themes) <= 2 else ", ".join(t.name for t in themes[:-1]) + " and " + themes[-1].name
    page_title(title[:1].upper() + title[1:])
    data_caption(version)
    scorecards = scorecard_choice(f"{page}-scorecards")
    fed = any(k in cat and cat[k].theme in {t.id for t in themes} for k in fed_kpis().values())
    for theme in themes:
        if len(themes) > 1:
            st.header(theme.name)
        st.caption(plain(theme.description))
        rows = summary[(summary["theme"] == theme.id) & summary["scorecard"].isin(scorecards)]
        rows = rows.assign(_sc=rows["scorecard"].map(list(SCORECARDS).index), _order=rows["kpi_id"].map(lambda i: cat[i].order))
        rows = rows.sort_values(["_sc", "_order"]).drop(columns=["_sc", "_order"])
        if rows.empty:
            st.info("No measures in this theme for the chosen scorecard.")
            continue
        theme_grid(rows, key=f"grid-{theme.id}", file_name=f"{theme.id}-{version}.csv",
                   caption=f"{theme.name}: {len(rows)} measures, each figure as at the month with its change, target "
                   "and benchmarks (typed in the document, or DfE's published figure marked with its period). Choose "
                   "a row for the measure's page.")
    if fed:
        with st.expander("Computed from case records, and the cases behind a figure", icon=":material/fact_check:"):
            computed_section(scorecards)


def authority_selector() -> None:
    """Which of the deployment's authorities this session shows, among those the visitor may see: only drawn when
    there is a choice. Every page, figure and comparison follows it."""
    allowed = authority.visible()
    if len(allowed) < 2:
        return
    st.selectbox(
        "Authority",
        allowed,
        index=allowed.index(authority.authority()),
        format_func=lambda code: f"{authority.name_of(code)} ({code})",
        key=authority.AUTHORITY_KEY,
        help="The authority whose figures, commentary and uploads every page shows. You see the authorities your "
        "sign-in lets you see.",
    )


def compare_with_selector() -> bool:
    """How we compare's "Compare with…": DfE's figures for the authority shown, or for any other authority DfE
    publishes, on this page only; whose figures the app shows, and where every write goes, never move. False when
    nothing is chosen (the authority shown is not one DfE can be matched to, and no other was picked)."""
    st.session_state[data.COMPARING] = True
    las = data.la_choices()
    codes = las["old_la_code"].tolist()
    names = dict(zip(codes, las["la_name"], strict=True))
    shown = authority.authority()
    chosen = st.selectbox(
        "Compare with…", codes, index=codes.index(shown) if shown in codes else None,
        format_func=lambda code: f"{names[code]} ({code})", key=data.compare_key(),
        placeholder="Choose an authority DfE publishes figures for",
        help=f"DfE's published figures on this page are for {authority.shown_name()} unless you choose another "
        "authority here. This changes this page only: every other page, and every save, stays with "
        f"{authority.shown_name()}.")
    return chosen is not None


def month_selector() -> None:
    """The one as-at month every page shows, chosen once (the latest month the authority's main document holds, by
    default); kept in the session and in the address (`?month=`), so a sent link opens on it."""
    held = data.months()
    if not held:
        return
    chosen = context.as_at_month()
    options: list[str | None] = [None, *held]  # None: the latest, whichever month that is after the next upload
    st.selectbox(
        "As at month",
        options,
        index=options.index(chosen) if chosen in held else 0,
        format_func=lambda m: f"Latest ({long_label(held[0])})" if m is None else long_label(m),
        key=context.MONTH_KEY,
        help="Every page's tiles, tables, exceptions and board report show the figures as at this month; a measure "
        "reported less often shows its latest period up to it, and says so.",
    )
    if picked := st.session_state.get(context.MONTH_KEY):
        st.query_params["month"] = picked
    elif "month" in st.query_params:
        del st.query_params["month"]


def home_la_selector() -> None:
    """The sidebar: whose figures (where the deployment serves several), the as-at month, and DfE's neighbour groups
    (for an authority DfE can be matched to). Comparing with another authority is How we compare's own control,
    never a choice of whose figures these are."""
    authority_selector()
    month_selector()
    if authority.matched():
        sn_groups_selector()


def sn_groups_selector() -> None:
    st.radio(
        "Statistical neighbours",
        list(SN_SETS),
        index=list(SN_SETS).index(data.sn_groups()) if data.sn_groups() in SN_SETS else 0,
        format_func=lambda s: f"DfE {SN_SETS[s]}",
        key=data.SN_GROUPS_KEY,
        horizontal=True,
        help="DfE's children's services statistical neighbour groups: the 10 authorities most like the home one.",
    )

