"""The page per measure (`/measure?id=<kpi id>`): which measure the address names, the link every tile, grid row and
chart makes to it, and the blocks the page lays out. The figures and the sentences come from
`sendlib.presentation.figures`, so the page, the tests and the CLI read the same words."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from sendlib.domain.benchmarks import mappings_for
from sendlib.domain.cases import case_measures, fed_kpis
from sendlib.domain.catalogue import KPI, POLARITY_WORDS, SCORECARDS, UNIT_WORDS
from sendlib.domain.figure import Figure
from sendlib.domain.forecast import Forecast, TooLittleHistory
from sendlib.domain.periods import long_label
from sendlib.domain.values import format_value
from sendlib.presentation.figures import differences, measure_sources, period_note, standing_of
from sendlib.presentation.forecast import LINE_HORIZON, line_measure, line_sentence, no_line_sentence

from . import authority, context, data, forecast
from .peers import our_definitions
from .text import plain

PAGE = "measure"
SOURCE_HEADINGS = {"typed": "As typed in the document", "computed": "Computed from case records",
                   "dfe": "Published by DfE"}


def link(kpi_id: str) -> str:
    """The measure page's address for a KPI, carrying the authority (when there is a choice) and the month, so it
    can be bookmarked and sent."""
    params = {"id": kpi_id}
    if authority.several():
        params["la"] = authority.authority()
    if (month := context.as_at_month()) is not None:
        params["month"] = month
    return f"{PAGE}?{urlencode(params)}"


def chosen_kpi() -> KPI | None:
    """The KPI the address names; None (and a chooser drawn) when it names none the catalogue knows."""
    cat = data.catalogue()
    wanted = st.query_params.get("id")
    if isinstance(wanted, str) and wanted in cat:
        return cat[wanted]
    if wanted:
        st.warning(f"No measure has the id {plain(str(wanted)[:60])!r}; choose one below.")
    ids = [k.id for k in cat]
    picked = st.selectbox("Measure", [None, *ids], format_func=lambda k: "Choose a measure…" if k is None
                          else cat.qualified_name(cat[k]), key="measure-choice")
    if picked:
        st.query_params["id"] = picked
        st.rerun()
    return None


def definition(kpi: KPI) -> str:
    good = POLARITY_WORDS.get(kpi.polarity, kpi.polarity)
    target = f" Target: {format_value(kpi.target, kpi.unit)}." if kpi.target is not None else ""
    return (f"{kpi.definition} {UNIT_WORDS.get(kpi.unit, kpi.unit)}: {good[:1].lower()}{good[1:]}.{target} "
            f"From the {SCORECARDS.get(kpi.scorecard, kpi.scorecard)}.")


def summary_row(kpi: KPI) -> dict:
    summary = data.summary(context.as_at_month())
    return summary.set_index("kpi_id").loc[kpi.id].to_dict() | {"kpi_id": kpi.id}


def fed_by(kpi: KPI) -> str | None:
    """The case measure computed for this KPI, if one is."""
    return next((m for m, k in fed_kpis().items() if k == kpi.id), None)


def sources(kpi: KPI) -> tuple[list[Figure], list[str]]:
    """Every source's figure for the KPI as at the month, and the sentences saying why they differ."""
    table, _ = data.table()
    measure_id = fed_by(kpi)
    cases = data.case_measures() if data.cases_head() and measure_id else pd.DataFrame(columns=["measure", "period",
                                                                                                 "value"])
    as_at = context.as_at_month()
    figures = measure_sources(kpi, table, data.benchmarks(), cases, as_at=as_at,
                              measure=case_measures()[measure_id] if measure_id else None)
    mapping = next((m for m in mappings_for(data.catalogue()) if m.kpi_id == kpi.id and m.primary), None)
    return figures, [d.sentence for d in differences(figures, mapping)]


def sources_table(figures: list[Figure]) -> pd.DataFrame:
    as_at = context.as_at_month()
    return pd.DataFrame({
        "Source": [SOURCE_HEADINGS[f.source] for f in figures],
        "Where": [f.where for f in figures],
        "Period": [f.period_text + (f" ({n})" if (n := period_note(f, as_at)) else "") for f in figures],
        "Figure": [f.text for f in figures],
    })


def standing_words(kpi: KPI) -> str:
    found = standing_of(data.benchmarks(), kpi.id, kpi.polarity, context.as_at_month())
    if found is None:
        return "DfE publishes no figure to rank this measure by."
    return f"Ranked {found.words}, on DfE's published figures for {data.home_la_name()}."


def as_at_words() -> str:
    month = context.as_at_month()
    return f"As at {long_label(month)}" if month else "As at the latest month held"


def forecast_line(kpi: KPI) -> tuple[Forecast | None, str | None]:
    """The EHC plans or requests forecast (DfE basis) for the page, and its sentence; (None, why not) for an
    authority DfE cannot be matched to or with too little history; (None, None) for any other measure."""
    measure = line_measure(kpi.id, our_definitions())
    if measure is None:
        return None, None
    name = authority.shown_name()
    if not authority.matched():
        return None, no_line_sentence(name)
    try:
        made = forecast.made(data.home().old_la_code, measure, LINE_HORIZON)
    except TooLittleHistory as exc:
        return None, no_line_sentence(name, str(exc))
    return made, line_sentence(made)
