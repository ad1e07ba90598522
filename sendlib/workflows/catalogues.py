"""Whose catalogue: the measures an authority's files are read against, and setting up new ones from a file.

`store_catalogue(store, la)` is the one place every reader of the catalogue asks. For the bundled documents'
authority it is the bundled catalogue plus the measures added on the upload page and set up from files; for any
other authority it is the measures that authority set up (each may point at a common definition).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from sendlib.domain.authorities import BUNDLED_DOCUMENTS, LOCAL_AUTHORITIES, OLD_CODE, find_authority
from sendlib.domain.benchmarks import la_index, load_mappings
from sendlib.domain.catalogue import KPI, Catalogue, load_catalogue, load_themes, normalise_name
from sendlib.domain.common_measures import common_measures, suggest_common
from sendlib.domain.measure_setup import MeasureProposal, infer_theme, infer_unit, proposal, to_kpis
from sendlib.domain.own_measures import OWN_MEASURES, kpis_of, measure_rows
from sendlib.domain.paths import catalogue_dir
from sendlib.domain.periods import sort_key
from sendlib.domain.settings import load_settings
from sendlib.domain.sharing import common_measure_of
from sendlib.files.headings import year_covers
from sendlib.files.parsed import UnknownMeasure
from sendlib.store.delta import LOG_DIR, DeltaStore
from sendlib.store.versioned import VersionInfo
from sendlib.workflows.dfe_releases import BUNDLED_DFE

if TYPE_CHECKING:
    from sendlib.workflows.load import Preview


@cache
def authority_index() -> pd.DataFrame:
    """Every authority DfE publishes (codes, name, region), from the bundled release: what names and codes resolve on."""
    return la_index(pd.read_parquet(BUNDLED_DFE, columns=["geographic_level", "period", "old_la_code", "la_code",
                                                          "la_name", "region_code", "region_name"]))


def authority_code(la: str | None = None) -> str:
    """An authority's old three-digit code from a name, an old or a new code (default: the configured home
    authority). LaNotFound for one DfE does not know, and for any look-alike of a code (`８３９`, `٨٣٩`)."""
    wanted = la or load_settings().home_la
    if OLD_CODE.fullmatch(wanted) or wanted in LOCAL_AUTHORITIES:
        return wanted
    return find_authority(wanted, authority_index()).old_la_code


def measures_store(store: DeltaStore) -> DeltaStore:
    return store.side(OWN_MEASURES)


def store_catalogue(store: DeltaStore, la: str | None = None, *, with_common: bool = False) -> Catalogue:
    """The catalogue an authority's files are read against (see the module docstring); by default the authority
    the store is opened for. `with_common`: every common definition too, by its id, name and synonyms, so a file
    naming them loads with no set-up and DfE's benchmarks follow (see `with_common_measures`)."""
    code = authority_code(la or store.la)
    side = measures_store(store.authority(code))
    own = kpis_of(side.read_or_empty(), code) if side.exists() else []
    if code not in BUNDLED_DOCUMENTS:
        mine = Catalogue(own, load_themes(catalogue_dir()))
        return with_common_measures(mine) if with_common else mine
    catalogue = _bundled_with(own, side, code)
    return with_common_measures(catalogue) if with_common else catalogue


COMMON_SOURCE = "common definition"


def with_common_measures(catalogue: Catalogue) -> Catalogue:
    """The catalogue and every common definition none of its measures counts (`sharing.common_measure_of`: its own
    pointer, or the bundled KPI DfE's figures for it benchmark), as a measure of its own (id the definition's, monthly: a monthly figure of a definition DfE publishes yearly is the same concept at a finer
    period); each definition's name and synonyms find the measure that carries it."""
    themes = {t.id: t.name for t in catalogue.themes.values()}
    carried: dict[str, str] = {}
    for kpi_id, common in common_measure_of(catalogue, load_mappings(), common_measures()).items():
        carried.setdefault(common, kpi_id)
    order = max((k.order for k in catalogue), default=0)
    extra: list[KPI] = []
    for n, measure in enumerate(common_measures().values(), start=1):
        if measure.id in carried or measure.id in catalogue:
            continue
        theme = infer_theme(None, measure.name, themes)
        extra.append(KPI(id=measure.id, scorecard="scorecard", order=order + n, name=measure.name, theme=theme,
                         section=catalogue.themes[theme].name, unit=measure.unit, polarity=measure.polarity,
                         polarity_source="document", frequency="month", definition=measure.definition,
                         source=COMMON_SOURCE, common_measure=measure.id))
        carried[measure.id] = measure.id
    aliases = {normalise_name(label): carried[m.id] for m in common_measures().values() if m.id in carried
               for label in (m.name, *m.synonyms, m.id)}
    return catalogue.with_extra(extra, aliases)


def listed(catalogue: Catalogue, held: Iterable[str]) -> Catalogue:
    """The measures an authority's pages list: its own, and a common definition only once it holds figures for it
    (every definition stays in `catalogue` for reading files and DfE's benchmarks; 98 empty rows are not its own)."""
    have = set(held)
    kept = [k for k in catalogue if not _bare_common(k) or k.id in have]
    ids = {k.id for k in kept}
    return Catalogue(kept, catalogue.themes.values(), {a: i for a, i in catalogue.aliases.items() if i in ids})


def _bare_common(kpi: KPI) -> bool:
    """A common definition added by `with_common_measures`, not a measure the authority has (its id the definition's)."""
    return kpi.source == COMMON_SOURCE and kpi.id == kpi.common_measure


def _bundled_with(own: list[KPI], side: DeltaStore, code: str) -> Catalogue:
    base = load_catalogue()
    try:
        return base.with_extra(own) if own else base
    except ValueError:  # a measure that clashes with the bundled catalogue
        raise side.damaged(LOG_DIR, f"holds a measure of authority {code} that the bundled catalogue cannot "
                                    "accept (see `history`, and restore an earlier version)") from None


def add_kpi(store: DeltaStore, kpi: KPI, *, author: str | None = None) -> VersionInfo | None:
    """One KPI added on the upload page, as a version of the authority's own measures (replacing one of its id)."""
    code = authority_code(store.la)
    row = measure_rows(code, [kpi])

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        known = bool(((current["la"] == code) & (current["id"] == kpi.id)).any())
        return pd.concat([current, row], ignore_index=True), {"revised" if known else "new": 1}

    return measures_store(store).commit(change, action="measures", author=author,
                                        message=f"KPI {kpi.id} added for authority {code}")


def propose(unknown: list[UnknownMeasure], catalogue: Catalogue) -> list[MeasureProposal]:
    """One proposal per measure a file names that the catalogue does not know, in the file's order."""
    themes = {t.id: t.name for t in catalogue.themes.values()}
    out = []
    for measure in unknown:
        common = suggest_common(measure.name, infer_unit(measure.name, measure.values.values(), measure.unit))
        out.append(proposal(measure.name, section=measure.section, values=measure.values, themes=themes,
                            target=current_target(measure), polarity_cell=measure.polarity,
                            common=(common.measure_id, common.reason), unit_cell=measure.unit,
                            reference=measure.reference))
    return out


def current_target(measure: UnknownMeasure) -> object:
    """The target that applies to the figures shown: an undated Target, else the dated one for the latest period
    shown or the year holding it (`Target 2024/25` over 2024/25's months); never one dated after them."""
    if measure.target is not None or not measure.values:
        return measure.target
    latest = max(measure.values, key=sort_key)
    for period, cell in measure.milestones.items():
        if period == latest:
            return cell
    return next((cell for period, cell in measure.milestones.items() if year_covers(period, latest)), None)


def add_measures(store: DeltaStore, proposals: list[MeasureProposal], *, la: str | None = None, author: str | None = None,
                 file_name: str | None = None) -> tuple[list[KPI], VersionInfo | None]:
    """The confirmed measures saved as one version of the authority's catalogue."""
    code = authority_code(la or store.la)
    catalogue = store_catalogue(store, code, with_common=True)  # an id never a common definition's
    kpis = to_kpis(proposals, catalogue, source=f"set up from {file_name or 'a file'}")
    rows = measure_rows(code, kpis)

    def change(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        return pd.concat([current, rows], ignore_index=True), {"new": len(rows)}

    info = measures_store(store.authority(code)).commit(change, action="measures", author=author, file_name=file_name,
                                         message=f"{len(kpis)} measures set up for authority {code}")
    return kpis, info


# --- the Upload page's set-up table: the proposals as rows a person edits, the edited rows checked, and the file
# loaded once they are saved -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SetUp:
    """What Confirm on the set-up table did: the measures saved (one version of the measures table), the file read
    again against the new catalogue, and the figures version it was saved as (None: refused, or nothing new)."""

    kpis: list[KPI]
    measures: VersionInfo | None
    preview: Preview
    figures: VersionInfo | None


def set_up_and_load(store: DeltaStore, proposals: list[MeasureProposal], data: bytes, file_name: str, *,
                    la: str | None = None, author: str | None = None, sheet: str | None = None) -> SetUp:
    """Save the confirmed measures as one version of the authority's catalogue, then load the file they came from
    with it (preview → commit, as an upload is; a file with other problems is not loaded and says why)."""
    from sendlib.workflows.load import commit_preview, preview_bytes  # load reads its catalogue from this module

    code = authority_code(la or store.la)
    written = store if code == store.la else store.authority(code)  # figures go where the measures went
    kpis, measures = add_measures(written, proposals, author=author, file_name=file_name)
    preview = preview_bytes(data, file_name, written, store_catalogue(written, with_common=True), sheet=sheet)
    figures = commit_preview(written, preview, author=author) if preview.ok and (preview.new or preview.revised) else None
    return SetUp(kpis, measures, preview, figures)
