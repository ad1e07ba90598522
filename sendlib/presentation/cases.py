"""Case-level figures as people read them: the cases behind a figure, computed beside typed, and our figure beside
DfE's, each difference said in words."""

from __future__ import annotations

import pandas as pd

from sendlib.domain.case_measures import CASE_LIST_COLUMNS
from sendlib.domain.cases import case_measures
from sendlib.domain.catalogue import Catalogue
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


def measure_unit(measure_id: str) -> Unit:
    unit = case_measures()[measure_id].unit
    return "percent" if unit == "percent" else "days" if unit == "days" else "score" if unit == "weeks" else "count"


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def difference_words(computed: object, typed: object, unit: Unit) -> str:
    """How the computed figure stands against the typed one, in words (never by colour alone)."""
    ours, theirs = _number(computed), _number(typed)
    if ours is None:
        return "Not computed for this period"
    if theirs is None:
        return "Nothing typed for this period"
    gap = ours - theirs
    if abs(gap) < 0.05:
        return "Same as typed"
    size = f"{abs(gap):.1f} percentage points" if unit == "percent" else format_value(abs(gap), unit)
    return f"Computed is {size} {'higher' if gap > 0 else 'lower'} than typed"


def computed_vs_typed(values: pd.DataFrame, computed: pd.DataFrame, catalogue: Catalogue,
                      period: str | None = None) -> pd.DataFrame:
    """For each KPI a computed measure feeds: its latest computed month (or `period`), the typed actual for the same
    month, both in the KPI's own unit, and the difference in words."""
    columns = ["kpi_id", "KPI", "Month", "Computed", "Typed", "Difference", "computed_value", "typed_value"]
    if computed.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    typed = values[values["series"] == "actual"].set_index(["kpi_id", "period"])["value"]
    for kpi_id, kpi_rows in computed.groupby("kpi_id", sort=False):
        kpi = catalogue.get(str(kpi_id))
        if kpi is None:
            continue
        held = kpi_rows[kpi_rows["value"].notna()]
        if period:
            held = held[held["period"] == period]
        if held.empty:
            continue
        latest = held.sort_values("period").iloc[-1]
        typed_value = typed.get((kpi_id, latest["period"]))
        typed_value = None if typed_value is None or pd.isna(typed_value) else float(typed_value)
        rows.append({
            "kpi_id": kpi_id,
            "KPI": kpi.name,
            "Month": latest["period"],
            "Computed": format_value(latest["value"], kpi.unit),
            "Typed": format_value(typed_value, kpi.unit) if typed_value is not None else "not typed",
            "Difference": difference_words(latest["value"], typed_value, kpi.unit),
            "computed_value": float(latest["value"]),
            "typed_value": typed_value,
        })
    return pd.DataFrame(rows, columns=columns)


def reconciliation(measures: pd.DataFrame, dfe_rate: dict[str, float]) -> pd.DataFrame:
    """Each calendar year held: our 20-week rates (both bases) beside DfE's published rate for the home authority.

    DfE's published timeliness includes exceptions and leaves out cases that went to mediation or tribunal; our
    `rate_dfe` is built on that basis, so it is the one to set against DfE's figure."""
    columns = ["Year", "Ours (DfE basis)", "Ours (board basis, excl. exceptions)", "DfE published", "Difference"]
    years = measures[(measures["period"].str.len() == 4) & measures["measure"].isin(["rate_dfe", "rate_ex"])]
    rows = []
    for year, group in years.groupby("period"):
        by = dict(zip(group["measure"], group["value"], strict=True))
        ours, board = by.get("rate_dfe"), by.get("rate_ex")
        published = dfe_rate.get(str(year))
        rows.append({
            "Year": str(year),
            "Ours (DfE basis)": format_value(ours, "percent") if ours is not None and pd.notna(ours) else "none",
            "Ours (board basis, excl. exceptions)": format_value(board, "percent")
            if board is not None and pd.notna(board) else "none",
            "DfE published": format_value(published, "percent") if published is not None else "not published",
            "Difference": difference_words(ours, published, "percent").replace("Computed", "Ours").replace(
                "typed", "DfE's").replace("Nothing DfE's", "DfE has published nothing"),
        })
    return pd.DataFrame(rows, columns=columns)
