import pandas as pd
import streamlit as st

from explorer import data
from explorer.components import data_caption, page_title
from explorer.context import in_time_order
from explorer.details import how_this_works
from explorer.menu import end_page
from explorer.pages_extract import preview_and_downloads
from sendlib.domain.catalogue import SCORECARDS
from sendlib.domain.periods import long_label
from sendlib.domain.schema import EXTRACT_SERIES, SERIES, SERIES_WORDS
from sendlib.presentation.extracts import (
    LAYOUTS,
    ExtractError,
    ExtractQuery,
    build_extract,
)

BOTH = "both"

page_title("Extract data")
st.markdown("Choose the measures and months you need and download them as CSV, Excel or Parquet.")
how_this_works(
    "A file can be laid out in one of two ways. **Long**, one value a row, suits a pivot table or another tool. "
    "**Wide** is the monthly scorecard's own: measures down and months across, then England, statistical "
    "neighbours, region and target; it can be uploaded back unchanged.", key="extract-how")
cat = data.catalogue()
table, version = data.table()
computed = data.computed()
if len(computed):
    table = pd.concat([table, computed], ignore_index=True)
offered = EXTRACT_SERIES if len(computed) else SERIES
data_caption(version)

layout = st.radio("Layout", list(LAYOUTS), format_func=LAYOUTS.get, horizontal=True, key="extract-layout")
scorecard = st.radio(
    "Scorecard",
    [BOTH, *SCORECARDS],
    format_func=lambda s: "Both documents" if s == BOTH else SCORECARDS[s],
    horizontal=True,
    key="extract-scorecard",
    help="Wide is the monthly scorecard's own; the improvement board report comes long, one value a row.",
)
left, right = st.columns(2)
with left:
    themes = st.multiselect("Themes", list(cat.themes), format_func=lambda t: cat.themes[t].name,
                            placeholder="All themes", key="extract-themes")
with right:
    kpis = st.multiselect(
        "KPIs (type to search)",
        [k.id for k in sorted(cat, key=lambda k: (cat.themes[k.theme].order, k.scorecard != "scorecard", k.order))],
        format_func=lambda i: f"{cat.qualified_name(cat[i])} ({'board' if cat[i].scorecard == 'board' else 'scorecard'})",
        placeholder="All KPIs in the chosen themes",
        key="extract-kpis",
    )
periods = in_time_order(table["period"].dropna().astype(str))
as_at = data.as_at()
left, right = st.columns(2)
with left:
    period_from = st.selectbox("From", [None, *periods], format_func=lambda p: "The earliest" if p is None else long_label(p),
                               key="extract-from", help="Months first, then terms, then years, each in time order.")
with right:
    # The latest month by default names it; an earlier as-at month chosen in the sidebar is the default "to".
    latest = f"The latest ({long_label(as_at)})" if as_at and as_at == next(iter(data.months()), None) else "The latest"
    period_to = st.selectbox("To", [None, *periods], format_func=lambda p: latest if p is None else long_label(p),
                             index=periods.index(as_at) + 1 if as_at in periods and latest == "The latest" else 0,
                             key="extract-to", help="The as-at month chosen in the sidebar, by default.")
series = st.pills("Series", offered, selection_mode="multi", default=offered, format_func=SERIES_WORDS.get,
                  key="extract-series", help="Targets and benchmarks (England, statistical neighbours, region) have no "
                  "period of their own, so a period range leaves them out.")
derived = st.checkbox("Add change, direction and RAG columns", key="extract-derived", disabled=layout == "wide",
                      help="Long only: the change on the previous period (or the same period a year earlier for "
                      "cumulative totals), whether that is better or worse, and the rating against the target.")

query = ExtractQuery(
    scorecard=None if scorecard == BOTH else scorecard,
    themes=themes,
    kpis=kpis,
    period_from=period_from,
    period_to=period_to,
    series=[] if len(series) in (0, len(offered)) else list(series),
    layout=layout,
    derived=derived and layout == "long",
)
try:
    ext = build_extract(table, cat, query)
except ExtractError as exc:
    st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.", icon=":material/block:")
    end_page()

preview_and_downloads(ext, cat, query, version, layout)
