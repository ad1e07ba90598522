"""Figures built once, from the tables the store holds: a measure's typed figure as at a month, the same measure
computed from case records and published by DfE, side by side, and a sentence for each difference saying why.

Every function takes `as_at` ("YYYY-MM", or None for the latest held), so a page, the report and a test ask for the
same month the same way."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from sendlib.domain.benchmarks import Mapping as DfeMapping
from sendlib.domain.benchmarks import format_dfe
from sendlib.domain.cases import CaseMeasure
from sendlib.domain.catalogue import KPI, SCORECARDS, Catalogue
from sendlib.domain.figure import Figure, Standing
from sendlib.domain.periods import long_label, short_label, sort_key
from sendlib.domain.trends import change_words, rag_words
from sendlib.domain.values import format_value, is_missing
from sendlib.presentation.cases import dfe_basis_note, gap_words

# A typed figure this far from another source's, in either direction, is read as a slipped decimal point.
SLIP_RATIO = (9.0, 11.0)


def _value(cell: object) -> float | None:
    return None if is_missing(cell) else float(cast(float, cell))


def _month_of(period: str) -> str:
    """The month a period is as at: itself, the January of a census date, the December of a calendar year."""
    if len(period) == 4:
        return f"{period}-12"
    return period[:7]


def on_or_before(period: str, as_at: str | None) -> bool:
    """Whether a period is over by the as-at month (a calendar year counts once its December is reached)."""
    return as_at is None or _month_of(period) <= as_at


def typed_figure(row: Mapping[str, Any], *, standing: Standing | None = None) -> Figure:
    """A summary row (`trends.summarise`, as at its month) as the figure a tile, grid row or measure page shows."""
    has_value = not is_missing(row["latest"])
    return Figure(
        kpi_id=str(row["kpi_id"]), value=_value(row["latest"]),
        period=None if is_missing(row["latest_period"]) else str(row["latest_period"]),
        source="typed", unit=row["unit"], where=SCORECARDS.get(str(row["scorecard"]), str(row["scorecard"])),
        change=change_words(row) if has_value else "",
        rating=rag_words(row["rag"]) if not is_missing(row["target"]) else "",
        standing=standing, note="" if is_missing(row["latest_note"]) else str(row["latest_note"]))


def standing_of(benchmarks: pd.DataFrame, kpi_id: str, polarity: str, as_at: str | None = None) -> Standing | None:
    """The authority's rank among all with a DfE figure, for the latest primary period by the as-at month."""
    ranks = benchmarks[(benchmarks["kpi_id"] == kpi_id) & (benchmarks["series"] == "rank")
                       & benchmarks["primary"].astype(bool) & benchmarks["value"].notna() & benchmarks["of"].notna()]
    ranks = ranks[[on_or_before(str(p), as_at) for p in ranks["period"]]]
    if ranks.empty:
        return None
    last = ranks.iloc[max(range(len(ranks)), key=lambda i: sort_key(str(ranks["period"].iloc[i])))]
    return Standing(int(last["value"]), int(last["of"]), polarity)


def _typed(table: pd.DataFrame, kpi: KPI, period: str) -> Figure | None:
    rows = table[(table["kpi_id"] == kpi.id) & (table["series"] == "actual") & (table["period"] == period)]
    value = _value(rows["value"].iloc[0]) if len(rows) else None
    if value is None:
        return None
    return Figure(kpi.id, value, period, "typed", kpi.unit, where=SCORECARDS.get(kpi.scorecard, kpi.scorecard))


def _computed(measures: pd.DataFrame, kpi: KPI, period: str, measure: CaseMeasure | None) -> Figure | None:
    """The case measure feeding the KPI for a month, a calendar year, or the census in a month
    (`workflows.cases.computed_measures`' rows)."""
    if measure is None or measures.empty:
        return None
    rows = measures[(measures["measure"] == measure.id)
                    & ((measures["period"] == period) | ((measures["period"].str.len() == 10)
                                                        & (measures["period"].str[:7] == period)))]
    value = _value(rows["value"].iloc[0]) if len(rows) else None
    if value is None:
        return None
    return Figure(kpi.id, value, period, "computed", kpi.unit, where="the SEN2 case records loaded",
                  note=f"{measure.id}: {measure.name[:1].lower()}{measure.name[1:]}")


def _dfe(benchmarks: pd.DataFrame, kpi: KPI, as_at: str | None, polarity: str) -> Figure | None:
    rows = benchmarks[(benchmarks["kpi_id"] == kpi.id) & (benchmarks["series"] == "home_la")
                      & benchmarks["primary"].astype(bool) & benchmarks["value"].notna()]
    rows = rows[[on_or_before(str(p), as_at) for p in rows["period"]]]
    if rows.empty:
        return None
    last = rows.iloc[max(range(len(rows)), key=lambda i: sort_key(str(rows["period"].iloc[i])))]
    return Figure(kpi.id, float(last["value"]), str(last["period"]), "dfe", kpi.unit, where=str(last["release"]),
                  standing=standing_of(benchmarks, kpi.id, polarity, as_at), note=str(last["measure"]))


def measure_sources(kpi: KPI, table: pd.DataFrame, benchmarks: pd.DataFrame, case_figures: pd.DataFrame, *,
                    as_at: str | None, measure: CaseMeasure | None = None) -> list[Figure]:
    """Every source's figure for one measure: as typed as at the month, computed from case records for that month,
    DfE's latest published figure by then, and the typed and computed figures for DfE's period where there are any
    (so like can be set beside like). Each figure once, in that order. `case_figures`: every case measure × period
    (`workflows.cases.computed_measures`); `measure`: the one that feeds this KPI, if any."""
    actual = table[(table["kpi_id"] == kpi.id) & (table["series"] == "actual") & table["value"].notna()]
    months = sorted((str(p) for p in actual["period"] if on_or_before(str(p), as_at)), key=sort_key)
    out: list[Figure | None] = []
    if months:
        out += [_typed(table, kpi, months[-1]), _computed(case_figures, kpi, months[-1], measure)]
    dfe = _dfe(benchmarks, kpi, as_at, kpi.polarity)
    if dfe is not None and dfe.period:
        out += [_typed(table, kpi, dfe.period), _computed(case_figures, kpi, dfe.period, measure), dfe]
    seen: set[tuple[str, str | None]] = set()
    figures = []
    for f in out:
        if f is not None and (f.source, f.period) not in seen:
            seen.add((f.source, f.period))
            figures.append(f)
    return figures


@dataclass(frozen=True)
class Difference:
    """Two sources' figures for one measure and why they differ, in a sentence with the numbers."""

    first: Figure
    second: Figure
    sentence: str


DOCUMENT_NAMES = {"SEND scorecard (monthly)": "the scorecard", "Improvement board report": "the board report"}


def _document(f: Figure) -> str:
    return DOCUMENT_NAMES.get(f.where, f"the {f.where}" if f.where else "the document")


def _who(f: Figure) -> str:
    return {"typed": f"{_document(f)}'s", "computed": "the case records'", "dfe": "DfE's"}[f.source]


def suspected_slip(a: float, b: float) -> bool:
    """A figure about ten times another, or the same digits in another order: a typing slip worth checking."""
    if a and b and SLIP_RATIO[0] <= max(abs(a / b), abs(b / a)) <= SLIP_RATIO[1]:
        return True
    da, db = (f"{abs(v):.1f}".replace(".", "").lstrip("0") for v in (a, b))
    return da != db and len(da) > 1 and sorted(da) == sorted(db)


def _reason(a: Figure, b: Figure, mapping: DfeMapping | None) -> str:
    if a.period != b.period:
        kind = "a calendar year" if b.period and len(b.period) == 4 else "another period"
        return (f"they are for different periods ({a.period_text} and {b.period_text}); {_who(b)} covers {kind}, so "
                "the two need not agree")
    if b.source == "dfe" and b.period and b.period.endswith("-01"):
        why = f" ({mapping.note.rstrip('.')})" if mapping is not None and mapping.note else ""
        return f"DfE counts at its January census date, {_document(a)} at the end of the month{why}"
    if b.source == "dfe" and a.source == "computed" and (basis := dfe_basis_note(a.note.split(":")[0])):
        return f"a different definition — {basis[:1].lower()}{basis[1:].rstrip('.')}"
    if b.source == "dfe" and mapping is not None:
        return f"a different definition may apply: DfE's is {mapping.label} ({mapping.note.rstrip('.')})"
    if "computed" in (a.source, b.source):
        computed = a if a.source == "computed" else b
        basis = f" as {computed.note.split(': ', 1)[-1]}" if computed.note else ""
        return (f"the case records loaded are counted{basis}; {_document(a if a is not computed else b)} was typed "
                "from the service's own system, perhaps at another date or on another definition")
    return "they come from different documents"


def difference(a: Figure, b: Figure, mapping: DfeMapping | None = None) -> Difference | None:
    """The sentence for two sources' figures, or None when they agree or one is blank."""
    if a.value is None or b.value is None or math.isclose(a.value, b.value, abs_tol=0.05):
        return None
    who = _who(b)
    gap = gap_words(b.value, a.value, a.unit, against=_who(a))
    head = f"{who[:1].upper()}{who[1:]} {b.text} for {b.period_text} is {gap} ({a.text} for {a.period_text})"
    if suspected_slip(a.value, b.value):
        return Difference(a, b, f"{head}: a suspected typing slip — one is about ten times the other, or the same "
                                f"digits in another order; check the typed figure against the system.")
    return Difference(a, b, f"{head}: {_reason(a, b, mapping)}.")


def differences(figures: list[Figure], mapping: DfeMapping | None = None) -> list[Difference]:
    """Each source set beside like: the computed figure against the typed one for the same month; DfE's against
    the typed or computed figure for DfE's own period where there is one, and against the typed figure as at the
    month when that is another period."""
    if len(figures) < 2:
        return []
    out = []
    first = figures[0]
    for other in figures[1:]:
        same = [f for f in figures if f.period == other.period and f is not other and f.source != other.source]
        if other.source == "dfe":
            bases = same[:1] + ([first] if first.period != other.period else [])
        elif other.period == first.period:
            bases = same[:1]
        else:
            continue  # DfE's figure is set beside it, like with like
        for base in bases:
            found = difference(base, other, mapping if other.source == "dfe" else None)
            if found is not None:
                out.append(found)
    return out


def period_note(figure: Figure, as_at: str | None) -> str:
    """'January 2025 — latest available' beside a figure older than the month asked for, else ''."""
    if as_at is None or figure.period is None or _month_of(figure.period) >= as_at:
        return ""
    return f"{long_label(figure.period)} — latest available by {long_label(as_at)}"


GRID_COLUMNS = ["Section", "Measure", "Figure", "Change", "Target", "Against target", "England", "Region",
                "Neighbours", "Rank", "Trend", "Open"]
_REFERENCES = {"England": "national", "Region": "regional", "Neighbours": "statistical_neighbours"}


def dfe_as_at(benchmarks: pd.DataFrame, as_at: str | None) -> pd.DataFrame:
    """DfE's latest primary figure of each series per KPI published for a period over by the as-at month."""
    from sendlib.domain.benchmarks import latest_benchmarks

    kept = benchmarks[[on_or_before(str(p), as_at) for p in benchmarks["period"]]] if len(benchmarks) else benchmarks
    return latest_benchmarks(kept)


def _reference(row: Mapping[str, Any], series: str, dfe: Mapping[tuple[str, str], Mapping[str, Any]]) -> str:
    """A benchmark as the document typed it, else DfE's published one, marked with its period."""
    typed = _value(row[series])
    if typed is not None:
        return format_value(typed, row["unit"]) + " (typed)"
    published = dfe.get((str(row["kpi_id"]), series))
    if published is None or _value(published["value"]) is None:
        return ""
    return f"{format_dfe(_value(published['value']), row['unit'])} (DfE {short_label(str(published['period']))})"


def theme_grid(summary: pd.DataFrame, catalogue: Catalogue, benchmarks: pd.DataFrame, *, as_at: str | None,
               link: Callable[[str], str]) -> pd.DataFrame:
    """A theme's measures as one compact grid, LAIT-style, in the summary's order: each row the measure's full
    name, its figure as at the month (`typed_figure`), change and rating in words, England / region / neighbours
    (typed, else DfE's, marked), rank and quartile, a sparkline, and `link(kpi_id)` to its measure page."""
    dfe = dfe_as_at(benchmarks, as_at)
    by_series = {(str(k), str(s)): r for k, s, r in zip(dfe["kpi_id"], dfe["series"],
                                                         cast(list[dict[str, Any]], dfe.to_dict("records")), strict=True)}
    rows = []
    for row in cast(list[dict[str, Any]], summary.to_dict("records")):
        kpi = catalogue[row["kpi_id"]]
        figure = typed_figure(row, standing=standing_of(benchmarks, kpi.id, kpi.polarity, as_at))
        when = f" ({short_label(figure.period)})" if figure.period else ""
        rank = figure.standing
        rows.append({
            "Section": kpi.section, "Measure": row["name"],
            "Figure": f"{figure.text}{when}" if figure.value is not None else "no figure yet",
            "Change": figure.change, "Target": "" if is_missing(row["target"]) else format_value(row["target"], kpi.unit),
            "Against target": figure.rating,
            **{column: _reference(row, series, by_series) for column, series in _REFERENCES.items()},
            "Rank": f"{rank.text}, quartile {rank.quartile}" if rank else "",
            "Trend": list(row["spark"]) if isinstance(row["spark"], list) else [],
            "Open": link(kpi.id),
        })
    return pd.DataFrame(rows, columns=GRID_COLUMNS)
