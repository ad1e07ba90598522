"""Whose catalogue: the measures an authority's files are read against, and setting up new ones from a file.

`store_catalogue(store, la)` is the one place every reader of the catalogue asks. For the bundled documents'
authority it is the bundled catalogue plus the measures added on the upload page and set up from files; for any
other authority it is the measures that authority set up (each may point at a common definition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from sendlib.domain.benchmarks import la_index, resolve_la
from sendlib.domain.catalogue import KPI, Catalogue, load_catalogue, load_themes, normalise_name
from sendlib.domain.common_measures import suggest_common
from sendlib.domain.measure_setup import MeasureProposal, check_proposal, infer_unit, proposal, to_kpis
from sendlib.domain.own_measures import BUNDLED_AUTHORITY, OWN_MEASURES, kpis_of, measure_rows
from sendlib.domain.paths import catalogue_dir
from sendlib.domain.settings import load_settings
from sendlib.domain.values import CellError, CellErrorKind
from sendlib.files.parsed import UnknownMeasure
from sendlib.store.versioned import Store, VersionInfo
from sendlib.workflows.dfe_releases import BUNDLED_DFE

if TYPE_CHECKING:
    from sendlib.workflows.load import Preview


@cache
def _authorities() -> pd.DataFrame:
    return la_index(pd.read_parquet(BUNDLED_DFE, columns=["geographic_level", "period", "old_la_code", "la_code",
                                                          "la_name", "region_code", "region_name"]))


def authority_code(la: str | None = None) -> str:
    """An authority's old three-digit code from a name, an old or a new code (default: the configured home
    authority). LaNotFound for one DfE does not know."""
    wanted = la or load_settings().home_la
    if wanted.isdigit() and len(wanted) == 3:
        return wanted
    return resolve_la(pd.DataFrame(), wanted, index=_authorities()).old_la_code


def measures_store(store: Store) -> Store:
    return store.side(OWN_MEASURES)


def store_catalogue(store: Store, la: str | None = None) -> Catalogue:
    """The catalogue an authority's files are read against (see the module docstring)."""
    code = authority_code(la)
    side = measures_store(store)
    own = kpis_of(side.read_or_empty(), code) if side.exists() else []
    if code != BUNDLED_AUTHORITY:
        return Catalogue(own, load_themes(catalogue_dir()))
    base = load_catalogue()
    extras = store.extra_kpis()
    try:
        extra = [KPI.model_validate(k) for k in extras]
        return base.with_extra([*extra, *own]) if extra or own else base
    except ValueError:  # pydantic's ValidationError, or an added KPI that clashes with the catalogue
        raise store.damaged(store.extras_file, "holds a KPI the catalogue cannot accept") from None


def propose(unknown: list[UnknownMeasure], catalogue: Catalogue) -> list[MeasureProposal]:
    """One proposal per measure a file names that the catalogue does not know, in the file's order."""
    themes = {t.id: t.name for t in catalogue.themes.values()}
    out = []
    for measure in unknown:
        common = suggest_common(measure.name, infer_unit(measure.name, measure.values.values()))
        out.append(proposal(measure.name, section=measure.section, values=measure.values, themes=themes,
                            target=measure.target, polarity_cell=measure.polarity,
                            common=(common.measure_id, common.reason)))
    return out


def add_measures(store: Store, proposals: list[MeasureProposal], *, la: str | None = None, author: str | None = None,
                 file_name: str | None = None) -> tuple[list[KPI], VersionInfo | None]:
    """The confirmed measures saved as one version of the authority's catalogue."""
    code = authority_code(la)
    catalogue = store_catalogue(store, code)
    kpis = to_kpis(proposals, catalogue, source=f"set up from {file_name or 'a file'}")
    rows = measure_rows(code, kpis)

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        return pd.concat([current, rows], ignore_index=True), {"new": len(rows)}

    info = measures_store(store).commit(change, action="measures", author=author, file_name=file_name,
                                         message=f"{len(kpis)} measures set up for authority {code}")
    return kpis, info


# --- the Upload page's set-up table: the proposals as rows a person edits, the edited rows checked, and the file
# loaded once they are saved -------------------------------------------------------------------------------------

NO_COMMON = "none"  # the set-up table's choice for "no common definition"
SETUP_COLUMNS = ["name", "section", "theme", "unit", "polarity", "frequency", "cumulative", "target", "common_measure",
                 "common_measure_reason", "suggested", "checked"]
SETUP_HEADINGS: dict[str, str] = {
    "name": "Measure (as printed)", "section": "Section", "theme": "Theme", "unit": "Unit",
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
        "name": p.name, "section": p.section or "", "theme": p.theme, "unit": p.unit, "polarity": p.polarity,
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
        "name": proposal.name, "theme": _cell(row.get("theme")), "section": _cell(row.get("section")),
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
        key = normalise_name(offered.name)
        if key in seen or catalogue.find_by_name("scorecard", offered.name):
            errors.append(CellError(offered.name, "this measure is already set up (or named twice in the file)",
                                    kind=CellErrorKind.DUPLICATE, row=line, column=SETUP_HEADINGS["name"], file=file))
        seen.add(key)
        if checked is not None:
            confirmed.append(checked)
    return ([] if errors else confirmed), errors


@dataclass(frozen=True)
class SetUp:
    """What Confirm on the set-up table did: the measures saved (one version of the measures table), the file read
    again against the new catalogue, and the figures version it was saved as (None: refused, or nothing new)."""

    kpis: list[KPI]
    measures: VersionInfo | None
    preview: Preview
    figures: VersionInfo | None


def set_up_and_load(store: Store, proposals: list[MeasureProposal], data: bytes, file_name: str, *,
                    la: str | None = None, author: str | None = None, sheet: str | None = None) -> SetUp:
    """Save the confirmed measures as one version of the authority's catalogue, then load the file they came from
    with it (preview → commit, as an upload is; a file with other problems is not loaded and says why)."""
    from sendlib.workflows.load import commit_preview, preview_bytes  # load reads its catalogue from this module

    kpis, measures = add_measures(store, proposals, la=la, author=author, file_name=file_name)
    preview = preview_bytes(data, file_name, store, store_catalogue(store, la), sheet=sheet)
    figures = commit_preview(store, preview, author=author) if preview.ok and (preview.new or preview.revised) else None
    return SetUp(kpis, measures, preview, figures)
