import streamlit as st

from explorer import data, how_we_compare
from explorer.components import compare_with_selector, not_matched_note, page_title
from explorer.details import how_this_works
from explorer.menu import end_page
from explorer.pages_how_we_compare import (
    data_quality_section,
    headline_tiles,
    peers_section,
    ranked_section,
    trend_section,
)
from explorer.text import plain
from sendlib.domain.periods import long_label
from sendlib.presentation.how_we_compare import measure_choices, periods_of

page_title("How we compare")
st.markdown(
    "Every local authority's figure from the Department for Education's **published statistics**, ranked, with "
    "England, our region and our statistical neighbours."
)
how_this_works(
    "These are DfE's figures for every authority, not our own monthly data: DfE counts at a fixed date and by its own "
    "definitions, so its figure for us can differ from ours (see *Data quality* below). At the foot of the page, "
    "*Monthly, among sharing authorities* ranks the monthly figures of the authorities that choose to share their "
    "own: local, unpublished data.", key="how-we-compare-how")

if not compare_with_selector():
    not_matched_note()
    end_page()

DEFAULT_MEASURE = "twenty-week-excl"
cat = data.catalogue()
home = data.home()
choices = {m.measure: m for m in measure_choices(how_we_compare.mappings()) if m.kpi_id in cat}
if not choices:
    st.info("None of this authority's measures is matched to a measure DfE publishes yet.")
    peers_section()
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
    areas = how_we_compare.areas(measure)
    periods = periods_of(areas)
    period = st.selectbox("Year", periods[::-1], format_func=long_label, key=f"compare-period-{measure}",
                          help="The years DfE has published for this measure; the latest first.") if periods else None
if period is None:
    st.info("DfE has published no figures for this measure in the releases loaded.")
    peers_section()
    end_page()

kind = mapping.kind
bench = data.benchmarks()
releases = sorted(areas.loc[areas["period"] == period, "release"].unique())
source = f"Source: DfE, {'; '.join(releases)} — Open Government Licence v3.0. Published statistics, not local data."
st.caption(plain(f"{mapping.note} {source}"))

headline_tiles(bench, mapping, kpi, period, home)
ranked_section(areas, bench, mapping, kpi, period, home, source)
trend_section(bench, mapping, home, source)
data_quality_section(choices, cat, measure)
peers_section()
