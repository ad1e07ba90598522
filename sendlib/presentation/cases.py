"""Case-level figures as people read them: the cases behind a figure, computed beside typed, and our figure beside
DfE's, each difference said in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from sendlib.domain.case_measures import CASE_LIST_COLUMNS
from sendlib.domain.cases import case_measures, fed_kpis
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.periods import long_label
from sendlib.domain.values import Unit, format_value

CASE_HEADINGS = {
    "case_ref": "Case reference",
    "received": "Request received",
    "request_outcome": "Request outcome",
    "request_outcome_date": "Request decided",
    "days_to_decision": "Days to decision",
    "assessment_outcome": "Assessment outcome",
    "plan_start": "Plan issued",
    "days_to_plan": "Days to plan",
    "weeks_to_plan": "Weeks to plan",
    "week20": "20-week exception",
    "mediation_or_tribunal": "Mediation or tribunal",
    "cease_date": "Plan ceased",
    "review_meeting": "Latest review meeting",
    "age": "Age at census",
    "need_type": "Primary need",
    "setting_type": "Setting type",
    "counted": "Counted in the figure",
}
_DATES = ["received", "request_outcome_date", "plan_start", "cease_date", "review_meeting"]
_FLAGS = ["week20", "mediation_or_tribunal", "counted"]


def case_table(cases: pd.DataFrame) -> pd.DataFrame:
    """A case list with headings in words, dates as YYYY-MM-DD and flags as Yes / No (a download is the same)."""
    out = cases[CASE_LIST_COLUMNS].copy()
    for column in _DATES:
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d").astype("string")
    for column in _FLAGS:
        out[column] = out[column].map({True: "Yes", False: "No"}).astype("string")
    return out.rename(columns=CASE_HEADINGS)


# SEN2's codes, each with its meaning, so a case list reads without the DfE guide beside it.
REQUEST_OUTCOME_WORDS = {"Y": "Y: agreed to assess", "N": "N: refused to assess", "A": "A: awaiting a decision",
                         "W": "W: withdrawn", "H": "H (SEN2 code H)"}
ASSESSMENT_OUTCOME_WORDS = {"Y": "Y: a plan to be issued", "N": "N: no plan", "A": "A: awaiting a decision",
                            "W": "W: withdrawn", "H": "H (SEN2 code H)", "S": "S (SEN2 code S)"}
SETTING_WORDS = {"URN": "a school (by its URN)", "UKPRN": "a college or provider (by its UKPRN)",
                 "OLA": "other arrangements by the authority (EOTAS)", "OPA": "other arrangements by parents",
                 "EHE": "elective home education", "EYP": "an early years provider", "OTH": "another setting",
                 "NEET": "not in education, employment or training", "NIEC": "not in education (NIEC)",
                 "NIEO": "not in education (NIEO)"}
# A rate's cases in words: (counted in the numerator, not counted, whether the counted ones are the failures).
RESULT_WORDS: dict[str, tuple[str, str, bool]] = {
    "rate_ex": ("in time: issued within 20 weeks", "late: issued after 20 weeks", False),
    "rate_incl": ("in time: issued within 20 weeks", "late: issued after 20 weeks", False),
    "rate_dfe": ("in time: issued within 20 weeks", "late: issued after 20 weeks", False),
    "rate_6": ("in time: decided within 6 weeks", "late: decided after 6 weeks", False),
    "review_rate": ("in time: reviewed within 12 months", "late: not reviewed within 12 months", False),
    "pct_over_32_ex": ("late: issued after more than 32 weeks", "issued within 32 weeks", True),
    "pct_over_52_ex": ("late: issued after more than 52 weeks", "issued within 52 weeks", True),
}
FIND_A_CASE = ("The case reference is a keyed pseudonym of the child's UPN, not the UPN itself: to find the child in the "
               "case-management system, type their UPN into “Find a case by UPN” (or run `python -m sendlib cases "
               "find`), which matches it to the reference without keeping it.")


def result_of(measure_id: str, counted: bool) -> str:
    """A case's part in a rate, in words ('late: issued after 20 weeks'); 'counted' / 'not counted' for others."""
    met, missed, _ = RESULT_WORDS.get(measure_id, ("counted", "not counted", False))
    return met if counted else missed


def failed(measure_id: str, counted: pd.Series) -> pd.Series:
    """Which cases made the rate fail: those outside the numerator, or inside it where the numerator counts failures."""
    counts_failures = RESULT_WORDS.get(measure_id, ("", "", False))[2]
    return counted.astype(bool) if counts_failures else ~counted.astype(bool)


def cases_behind_table(cases: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    """The cases behind a figure as a manager reads them: for a rate, the failing cases first with what went wrong
    in words; codes with their meanings; every blank cell empty, never 'None'. The CLI's list keeps `case_table`."""
    failing = failed(measure_id, cases["counted"]) if len(cases) else pd.Series([], dtype=bool)
    ordered = cases.assign(_late=failing).sort_values(["_late", "received"], ascending=[False, True], kind="stable")
    table = case_table(ordered.drop(columns="_late"))
    table.insert(1, "Result", [result_of(measure_id, bool(c)) for c in ordered["counted"]])
    table["Request outcome"] = table["Request outcome"].map(lambda c: REQUEST_OUTCOME_WORDS.get(c, c))
    table["Assessment outcome"] = table["Assessment outcome"].map(lambda c: ASSESSMENT_OUTCOME_WORDS.get(c, c))
    table["Setting type"] = table["Setting type"].map(lambda c: SETTING_WORDS.get(c, c))
    table = table.drop(columns=[CASE_HEADINGS["counted"]])
    return table.astype("string").fillna("").reset_index(drop=True)


def measure_unit(measure_id: str) -> Unit:
    """A case measure's unit as the catalogue's units name it (they are the same four)."""
    return case_measures()[measure_id].unit


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def gap_words(ours: float, theirs: float, unit: Unit, *, against: str = "typed") -> str:
    """`59.1 percentage points higher than typed`, `the same as typed`: the gap alone, in the measure's unit."""
    gap = ours - theirs
    if abs(gap) < 0.05:
        return f"the same as {against}"
    if unit == "percent":
        size = f"{abs(gap):.1f} percentage points"
    elif unit == "days" and abs(gap) < 0.5:
        size = "less than a day"
    else:
        size = format_value(round(abs(gap), 1), unit)
    return f"{size} {'higher' if gap > 0 else 'lower'} than {against}"


def difference_words(computed: object, typed: object, unit: Unit, *, ours: str = "Computed",
                     against: str = "typed") -> str:
    """How the computed figure stands against the typed one, in words (never by colour alone):
    `Computed is 59.1 percentage points higher than typed`, `Same as typed`."""
    mine, theirs = _number(computed), _number(typed)
    if mine is None:
        return "Not computed for this period"
    if theirs is None:
        return f"Nothing {against} for this period"
    words = gap_words(mine, theirs, unit, against=against)
    return "S" + words.removeprefix("the s") if words.startswith("the same") else f"{ours} is {words}"


def period_words(period: str) -> str:
    """`March 2024`, `2024`, `the census on 16 January 2025`."""
    if len(period) == 10:
        day = dt.date.fromisoformat(period)
        return f"the census on {day.day} {day:%B %Y}"
    return long_label(period)


COMPARED_COLUMNS = ["KPI", "Month", "Computed", "Typed", "Difference"]


def _typed_lookup(values: pd.DataFrame) -> dict[tuple[str, str], float]:
    typed = values[(values["series"] == "actual") & values["value"].notna()]
    return {(str(k), str(p)): float(v) for k, p, v in zip(typed["kpi_id"], typed["period"], typed["value"], strict=True)}


def _compared_month(held: pd.DataFrame, kpi_id: str, typed: dict[tuple[str, str], float], period: str | None) -> str | None:
    """The month a KPI is compared in: `period` when given; else its latest month with both a computed and a typed
    figure, else its latest computed month."""
    months = sorted(held["period"])
    if period:
        return period if period in months else None
    both = [m for m in months if (kpi_id, m) in typed]
    chosen = both or months
    return str(chosen[-1]) if chosen else None


def computed_vs_typed(values: pd.DataFrame, computed: pd.DataFrame, catalogue: Catalogue,
                      period: str | None = None, *, scorecards: Iterable[str] | None = None) -> pd.DataFrame:
    """For each KPI a computed measure feeds (in `scorecards`, when given): the computed figure and the typed actual
    for the same month, both in the KPI's own unit, and the difference in words (`COMPARED_COLUMNS` are shown; the
    rest are for code). The month is `period`, or for each KPI its latest month with both figures (else its latest
    computed month)."""
    columns = [*COMPARED_COLUMNS, "kpi_id", "period", "measure_id", "computed_value", "typed_value"]
    if computed.empty:
        return pd.DataFrame(columns=columns)
    typed = _typed_lookup(values)
    measure_of = {kpi: m for m, kpi in fed_kpis().items()}
    wanted = set(scorecards) if scorecards is not None else None
    rows = []
    for kpi_id, kpi_rows in computed.groupby("kpi_id", sort=False):
        kpi = catalogue.get(str(kpi_id))
        if kpi is None or (wanted is not None and kpi.scorecard not in wanted):
            continue
        held = kpi_rows[kpi_rows["value"].notna()]
        month = _compared_month(held, kpi.id, typed, period)
        if month is None:
            continue
        value = float(held.loc[held["period"] == month, "value"].iloc[0])
        typed_value = typed.get((kpi.id, month))
        rows.append({
            "KPI": catalogue.qualified_name(kpi),
            "Month": long_label(month),
            "Computed": format_value(value, kpi.unit),
            "Typed": format_value(typed_value, kpi.unit) if typed_value is not None else "not typed",
            "Difference": difference_words(value, typed_value, kpi.unit),
            "kpi_id": kpi.id,
            "period": month,
            "measure_id": measure_of.get(kpi.id, ""),
            "computed_value": value,
            "typed_value": typed_value,
        })
    return pd.DataFrame(rows, columns=columns)


def computed_lookup(computed: pd.DataFrame) -> dict[tuple[str, str], tuple[float | None, str]]:
    """(kpi_id, month) -> (computed value or None when blank, the reason it is blank): built once per rerun, read
    by every tile."""
    notes = computed["note"].fillna("").astype(str)
    return {(str(k), str(p)): (_number(v), n.split("; ", 1)[1] if "; " in n else "")
            for k, p, v, n in zip(computed["kpi_id"], computed["period"], computed["value"], notes, strict=True)}


def tile_line(lookup: dict[tuple[str, str], tuple[float | None, str]], kpi_id: str, period: object, typed: object,
              unit: Unit) -> str | None:
    """`Computed from case records: 75.0% (59.1 percentage points higher than typed)` under a tile whose KPI has a
    computed figure for the tile's month; None when it has none."""
    found = lookup.get((kpi_id, str(period)))
    if found is None:
        return None
    value, why = found
    if value is None:
        return f"Computed from case records: blank ({why.removeprefix('blank: ') or 'nothing to count'})"
    theirs = _number(typed)
    words = gap_words(value, theirs, unit) if theirs is not None else "nothing typed for this month"
    return f"Computed from case records: {format_value(value, unit)} ({words})"


def figure_periods(measures: pd.DataFrame, measure_id: str) -> list[str]:
    """The periods a measure has figures for, as a drill-down offers them: months newest first, then calendar years
    newest first, then census dates."""
    held = measures.loc[measures["measure"] == measure_id, "period"].astype(str).tolist()
    months = sorted((p for p in held if len(p) == 7), reverse=True)
    years = sorted((p for p in held if len(p) == 4), reverse=True)
    census = sorted((p for p in held if len(p) == 10), reverse=True)
    return months + years + census


def default_period(measures: pd.DataFrame, measure_id: str) -> str | None:
    """The figure a drill-down opens on: the measure's latest month with something counted (for a rate or mean, with
    a denominator: the 20-week rate opens on the latest month with plans); for a census measure, the latest census."""
    rows = measures[measures["measure"] == measure_id]
    counted = rows["denominator"].fillna(0) > 0 if rows["denominator"].notna().any() else rows["value"].fillna(0) > 0
    months = rows[(rows["period"].str.len() == 7) & counted]
    if len(months):
        return str(months["period"].max())
    periods = figure_periods(measures, measure_id)
    census = [p for p in periods if len(p) == 10]
    chosen = census or periods
    return chosen[0] if chosen else None


# DfE's two published 20-week measures, and which of ours sets beside each (like with like).
DFE_EXCL, DFE_INCL = "twenty-week-excl", "twenty-week-incl"
_COMPARISONS = (
    ("rate_ex", DFE_EXCL, "20 weeks, excluding exceptions",
     "Board basis: exceptions left out; mediation and tribunal cases kept",
     "Exceptions left out; mediation and tribunal cases left out",
     "Close, not exact: DfE leaves out cases that went to mediation or tribunal; the board basis keeps them."),
    ("rate_dfe", DFE_INCL, "20 weeks, including exceptions (DfE basis)",
     "DfE basis: exceptions kept; mediation and tribunal cases left out",
     "Exceptions kept; mediation and tribunal cases left out",
     "Like with like: the basis of DfE's published figure."),
    ("rate_incl", DFE_INCL, "20 weeks, including exceptions (every case)",
     "Every new plan: exceptions, mediation and tribunal cases all kept",
     "Exceptions kept; mediation and tribunal cases left out",
     "Not like with like: ours keeps the mediation and tribunal cases DfE leaves out."),
)
_OURS = [c[0] for c in _COMPARISONS]
RECONCILIATION_COLUMNS = ["Year", "Comparison", "Our figure", "Our basis", "DfE's figure", "DfE's basis",
                          "Difference", "Note", "DfE source"]


def dfe_basis_note(measure_id: str) -> str | None:
    """Why our 20-week rate on one basis differs from DfE's published one, or None for a measure not compared."""
    return next((c[5] for c in _COMPARISONS if c[0] == measure_id), None)


def dfe_published(bench: pd.DataFrame) -> dict[tuple[str, str], tuple[float, str]]:
    """(DfE measure, year) -> (the home authority's published 20-week rate, its source), from the DfE benchmarks."""
    rows = bench[(bench["series"] == "home_la") & bench["measure"].isin([DFE_EXCL, DFE_INCL]) & bench["value"].notna()]
    return {(str(m), str(p)): (float(v), str(s))
            for m, p, v, s in zip(rows["measure"], rows["period"], rows["value"], rows["source"], strict=True)}


def _ours(row: pd.Series | None) -> tuple[float | None, str]:
    if row is None:
        return None, "not computed"
    value = _number(row["value"])
    if value is None:
        return None, "blank"
    return value, f"{format_value(value, 'percent')} ({int(row['numerator'])} of {int(row['denominator'])})"


def _year_note(year: str, full_years: set[str] | None, census: str | None) -> str:
    if census and year == census[:4]:
        return f"Part year: the records run only to {period_words(census)}. "
    if full_years is not None and year not in full_years:
        return ("A return reports in full on the calendar year before its census; this year holds only the requests "
                "the return carried. ")
    return ""


def reconciliation(measures: pd.DataFrame, bench: pd.DataFrame, *, full_years: Iterable[str] | None = None,
                   census: str | None = None) -> pd.DataFrame:
    """Each calendar year held: our computed 20-week rates against DfE's published ones for the home authority, like
    with like (`_COMPARISONS`): our rate excluding exceptions against DfE's excluding-exceptions figure, our DfE-basis
    and every-case rates against DfE's including-exceptions figure, each basis named and the difference in words.

    `bench`: the DfE benchmarks (`sendlib.domain.benchmarks.compute`); `full_years`: the calendar years a return
    held reports on in full (the year before each census); `census`: the latest census date, whose year is partial."""
    yearly = measures[measures["period"].str.len() == 4]
    by = {(str(r["measure"]), str(r["period"])): r for _, r in yearly.iterrows()}
    published = dfe_published(bench)
    full = set(full_years) if full_years is not None else None
    rows = []
    # A year with no figure on any basis (a stray early request) has nothing to reconcile.
    ours = yearly[yearly["measure"].isin(_OURS) & yearly["value"].notna()]
    years = {str(p) for p in ours["period"]}
    for year in sorted(years):
        note = _year_note(year, full, census)
        for ours_id, dfe_id, comparison, our_basis, dfe_basis, why in _COMPARISONS:
            figure = by.get((ours_id, year))
            value, shown = _ours(figure)
            dfe_value, source = published.get((dfe_id, year), (None, ""))
            blank_note = f"{figure['note']}. " if figure is not None and value is None and _present(figure["note"]) else ""
            rows.append({
                "Year": year, "Comparison": comparison, "Our figure": shown, "Our basis": our_basis,
                "DfE's figure": format_value(dfe_value, "percent") if dfe_value is not None else "not published",
                "DfE's basis": dfe_basis,
                "Difference": ("Nothing to compare" if value is None or dfe_value is None
                               else difference_words(value, dfe_value, "percent", ours="Ours", against="DfE's")),
                "Note": (note + blank_note + why).strip(),
                "DfE source": source,
            })
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)


def _present(code: object) -> bool:
    return code is not None and code is not pd.NA and code == code and bool(str(code).strip())


def la_warning(las: Iterable[object], home_code: str, home_name: str) -> str | None:
    """Words for when the case records are not the home authority's (the return's 3-digit LA code): DfE's figures
    are then another authority's."""
    codes = sorted({str(c) for c in las if _present(c)})
    others = [c for c in codes if c != home_code]
    if not others:
        return None
    which = ", ".join(others)
    return (f"The case records are from local authority {which}, not the home authority {home_name} ({home_code}): "
            f"DfE's figures here are {home_name}'s, so the comparison is not like with like. Choose the records' "
            "authority as the home authority in the sidebar to compare it with its own published figures.")
