"""The set-up table: an authority's proposed measures as the Upload page edits them, and the edited table checked row
by row, each problem naming the table's row, its column heading and the value.

Kept apart from the proposals themselves (`domain.measure_setup`) because it is about a table people edit: which
fields are still the explorer's guesses, how a cell left blank or ticked reads, what the headings say.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.measure_setup import DUPLICATE_PROBLEM, MeasureProposal, check_proposal, name_taken
from sendlib.domain.values import CellError, CellErrorKind

NO_COMMON = "none"  # the set-up table's choice for "no common definition"
SETUP_COLUMNS = ["name", "reference", "short_name", "section", "theme", "unit", "polarity", "frequency", "cumulative",
                 "target", "common_measure", "common_measure_reason", "suggested", "checked"]
SETUP_HEADINGS: dict[str, str] = {
    "name": "Measure (as printed)", "reference": "Reference", "short_name": "Short name (for tiles)",
    "section": "Section", "theme": "Theme", "unit": "Unit",
    "polarity": "Which way is good", "frequency": "Frequency", "cumulative": "Running total", "target": "Target",
    "common_measure": "Common definition", "common_measure_reason": "Why this definition",
    "suggested": "Suggested — please check", "checked": "Checked",
}
CUMULATIVE_WORDS: dict[str, str] = {"none": "No", "calendar-year": "Yes, restarting each January",
                                    "academic-year": "Yes, restarting each September"}
_SUGGESTION_WORDS = {"theme": "theme", "unit": "unit", "polarity": "which way is good", "frequency": "frequency",
                     "cumulative": "running total", "common_measure": "common definition"}
CHECKED_WORDS = "none (checked)"
_REQUIRED = {"theme": "choose a theme", "unit": "choose a unit", "polarity": "choose which way is good",
             "frequency": "choose how often it is measured", "cumulative": "choose whether it is a running total"}


def _cell(value: object) -> object:
    """A table cell as a proposal field: blanks, NaN and pandas' NA as None, text stripped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _records(table: pd.DataFrame) -> list[dict[str, object]]:
    return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]


def _common_cell(value: object) -> str | None:
    cell = _cell(value)
    return None if cell is None or cell == NO_COMMON else str(cell)


def setup_table(proposals: list[MeasureProposal], *, checked: bool = False) -> pd.DataFrame:
    """The proposals as the set-up table's rows (SETUP_COLUMNS, values as ids; numbered from 1 as the rows a
    problem names): every suggested field listed in words under `suggested` until the row is `checked`."""
    rows = [{
        "name": p.name, "reference": p.reference or "", "short_name": p.short_name or "", "section": p.section or "", "theme": p.theme, "unit": p.unit, "polarity": p.polarity,
        "frequency": p.frequency, "cumulative": p.cumulative, "target": p.target,
        "common_measure": p.common_measure or NO_COMMON, "common_measure_reason": p.common_measure_reason or "",
        "suggested": "", "checked": checked,
    } for p in proposals]
    table = pd.DataFrame(rows, columns=SETUP_COLUMNS).astype({"target": "float64", "checked": "bool"})
    table.index = pd.RangeIndex(1, len(table) + 1, name="Row")
    table["suggested"] = setup_status(table, proposals)
    return table


def still_suggested(proposal: MeasureProposal, row: Mapping[str, object]) -> tuple[str, ...]:
    """The fields of a set-up row that are still the explorer's guesses: suggested, not changed by a person, and
    the row not ticked as checked."""
    if bool(_cell(row.get("checked"))):
        return ()
    chosen = {"common_measure": _common_cell(row.get("common_measure"))}
    return tuple(f for f in proposal.suggested
                 if chosen.get(f, _cell(row.get(f))) == getattr(proposal, f))


def setup_status(table: pd.DataFrame, proposals: list[MeasureProposal]) -> list[str]:
    """The `suggested` column in words, row by row: the fields still to check, or CHECKED_WORDS."""
    out = []
    for offered, row in zip(proposals, _records(table), strict=True):
        fields = still_suggested(offered, row)
        out.append(", ".join(_SUGGESTION_WORDS[f] for f in fields) if fields else
                   CHECKED_WORDS if bool(_cell(row.get("checked"))) else "nothing left to check (tick Checked)")
    return out


def _setup_row(proposal: MeasureProposal, row: Mapping[str, object]) -> dict[str, object]:
    """An edited set-up row as a PROPOSAL.csv row: the name as the file printed it (never edited), the person's
    choices, and nothing left suggested (only a checked row is saved)."""
    polarity = _cell(row.get("polarity"))
    common = _common_cell(row.get("common_measure"))
    return {
        "name": proposal.name, "reference": _cell(row.get("reference")), "short_name": _cell(row.get("short_name")),
        "theme": _cell(row.get("theme")), "section": _cell(row.get("section")),
        "unit": _cell(row.get("unit")), "polarity": polarity,
        "polarity_source": proposal.polarity_source if polarity == proposal.polarity else "domain",
        "frequency": _cell(row.get("frequency")), "cumulative": _cell(row.get("cumulative")),
        "target": _cell(row.get("target")), "common_measure": common,
        "common_measure_reason": (proposal.common_measure_reason if common == proposal.common_measure
                                  else "chosen on the set-up table" if common else None),
        "suggested": "",
    }


def check_setup(table: pd.DataFrame, proposals: list[MeasureProposal], catalogue: Catalogue, *,
                file: str | None = None) -> tuple[list[MeasureProposal], list[CellError]]:
    """Every row of an edited set-up table checked (`check_proposal`), each problem naming the table's row (from
    1), its column heading and the value; a row not ticked as checked, a name set up already or twice, is refused
    too. Any error: the caller saves nothing."""
    if len(table) != len(proposals):
        raise ValueError(f"the set-up table has {len(table)} rows for {len(proposals)} measures")
    confirmed: list[MeasureProposal] = []
    errors: list[CellError] = []
    seen: set[str] = set()
    for line, (offered, row) in enumerate(zip(proposals, _records(table), strict=True), start=1):
        blank = [f for f in _REQUIRED if _cell(row.get(f)) is None]
        if blank:
            checked, problems = None, [CellError("", f"blank: {_REQUIRED[f]}", row=line,
                                                 column=f, file=file) for f in blank]
        else:
            checked, problems = check_proposal(_setup_row(offered, row), catalogue, line=line, file=file)
        errors += [e.at(column=SETUP_HEADINGS.get(e.column or "", e.column)) for e in problems]
        if not bool(_cell(row.get("checked"))):
            words = ", ".join(_SUGGESTION_WORDS[f] for f in still_suggested(offered, row)) or "its fields"
            errors.append(CellError("no", f"not checked yet: look at {words} and tick Checked", row=line,
                                    column=SETUP_HEADINGS["checked"], file=file))
        if name_taken(offered.name, seen, catalogue):
            errors.append(CellError(offered.name, DUPLICATE_PROBLEM, kind=CellErrorKind.DUPLICATE, row=line,
                                    column=SETUP_HEADINGS["name"], file=file))
        if checked is not None:
            confirmed.append(checked)
    return ([] if errors else confirmed), errors
