"""The Upload and History pages' words: what a file would change, by measure and month; what looks odd, in a
sentence naming the measure and month; what was saved; what an undo takes away; and the versions of the data as
a manager reads them (local dates, files and people). Version ids, checksums and layouts go to `technical_*`, for
the one "Technical details" expander a page has."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, SupportsFloat, cast

import pandas as pd

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.periods import long_label, sort_key
from sendlib.domain.schema import SERIES_WORDS
from sendlib.domain.values import format_value, is_missing
from sendlib.files.parsed import Notice, WarningKind
from sendlib.presentation.tables import counted
from sendlib.presentation.wording import local_when

# Of each kind of warning, how many sentences a page lists before "… and N more".
WARNINGS_SHOWN = 10
NOT_REPORTED = "not reported"


class Previewed(Protocol):
    """What `workflows.load.Preview` holds that these words are made from (presentation does not import workflows)."""

    file_name: str
    sha256: str
    layout: str
    incoming: pd.DataFrame
    change: pd.Series
    revisions: pd.DataFrame
    warnings: list[Notice]
    new: int
    revised: int
    unchanged: int


class Version(Protocol):
    """What `store.versioned.VersionInfo` holds that the History page's words are made from."""

    id: str
    created_at: str
    action: str
    author: str | None
    file_name: str | None
    sha256: str | None
    rows: int
    new: int
    revised: int
    unchanged: int
    restored_from: str | None
    message: str | None


@dataclass(frozen=True)
class WarningSection:
    """One kind of thing worth a second look: a heading, how many, and a sentence for each (the first few)."""

    heading: str
    count: int
    sentences: list[str]

    @property
    def more(self) -> int:
        return self.count - len(self.sentences)


@dataclass(frozen=True)
class UploadSummary:
    """A previewed file as the Upload page shows it."""

    headline: str
    new: pd.DataFrame  # Measure, Month, Figure: one row a new figure, sorted by measure then month
    revised: pd.DataFrame  # Measure, Month, Was, Now
    unchanged: pd.DataFrame  # Measure, Months, Figures: one row a measure
    warnings: list[WarningSection]
    new_periods: list[str]
    revised_periods: list[str]
    technical: list[tuple[str, str]]


def periods_in_words(periods: Iterable[str]) -> str:
    """`March 2025`, `February 2025 and March 2025`, `January 2024 to March 2025`: the periods as people say them."""
    ordered = sorted({p for p in periods if p}, key=sort_key)
    if not ordered:
        return ""
    words = [long_label(p) for p in ordered]
    if len(words) == 1:
        return words[0]
    return f"{words[0]} and {words[1]}" if len(words) == 2 else f"{words[0]} to {words[-1]}"


def _measure(catalogue: Catalogue, kpi_id: str, series: str = "actual") -> str:
    kpi = catalogue.get(kpi_id)
    name = catalogue.qualified_name(kpi) if kpi is not None else kpi_id
    return name if series == "actual" else f"{name} ({SERIES_WORDS.get(series, series).lower()})"


def _figure(catalogue: Catalogue, kpi_id: str, value: object, note: object = None) -> str:
    if is_missing(value):
        return f"{NOT_REPORTED} ({note})" if not is_missing(note) and str(note).strip() else NOT_REPORTED
    kpi = catalogue.get(kpi_id)
    number = float(cast(SupportsFloat, value))
    return format_value(number, kpi.unit) if kpi is not None else f"{number:g}"


def _month(period: object) -> str:
    return long_label(str(period)) if not is_missing(period) and str(period) else "no period (undated)"


def _sorted(frame: pd.DataFrame, periods: Sequence[object]) -> pd.DataFrame:
    order = sorted(range(len(frame)), key=lambda i: (str(frame["Measure"].iloc[i]).casefold(),
                                                     sort_key(None if is_missing(periods[i]) else str(periods[i]))))
    return frame.iloc[order].reset_index(drop=True)


def new_figures(preview: Previewed, catalogue: Catalogue) -> pd.DataFrame:
    """Each figure the file adds, by measure name and month, sorted by measure."""
    rows = preview.incoming[preview.change.reindex(preview.incoming.index).eq("new").to_numpy(dtype=bool)]
    frame = pd.DataFrame({
        "Measure": [_measure(catalogue, k, s) for k, s in zip(rows["kpi_id"], rows["series"], strict=True)],
        "Month": [_month(p) for p in rows["period"]],
        "Figure": [_figure(catalogue, k, v, n) for k, v, n in zip(rows["kpi_id"], rows["value"], rows["note"],
                                                                 strict=True)],
    }, columns=["Measure", "Month", "Figure"])
    return _sorted(frame, rows["period"].tolist())


def revised_figures(preview: Previewed, catalogue: Catalogue) -> pd.DataFrame:
    """Each figure saved before that the file changes, old → new, by measure name and month."""
    rev = preview.revisions
    if not len(rev):
        return pd.DataFrame(columns=["Measure", "Month", "Was", "Now"])
    frame = pd.DataFrame({
        "Measure": [_measure(catalogue, k, s) for k, s in zip(rev["kpi_id"], rev["series"], strict=True)],
        "Month": [_month(p) for p in rev["period"]],
        "Was": [_figure(catalogue, k, v, n) for k, v, n in zip(rev["kpi_id"], rev["value_old"], rev["note_old"],
                                                              strict=True)],
        "Now": [_figure(catalogue, k, v, n) for k, v, n in zip(rev["kpi_id"], rev["value"], rev["note"], strict=True)],
    })
    return _sorted(frame, rev["period"].tolist())


def unchanged_figures(preview: Previewed, catalogue: Catalogue) -> pd.DataFrame:
    """The figures already saved as they are, one row a measure: which months, how many."""
    rows = preview.incoming[preview.change.reindex(preview.incoming.index).eq("unchanged").to_numpy(dtype=bool)]
    out = [{"Measure": _measure(catalogue, str(kpi_id), str(series)),
            "Months": periods_in_words(p for p in group["period"].tolist() if not is_missing(p)) or "undated",
            "Figures": len(group)}
           for (kpi_id, series), group in rows.groupby(["kpi_id", "series"], sort=False)]
    frame = pd.DataFrame(out, columns=["Measure", "Months", "Figures"])
    return frame.sort_values("Measure", key=lambda s: s.str.casefold(), kind="stable").reset_index(drop=True)


def warning_sentence(notice: Notice, catalogue: Catalogue) -> str:
    """`No. of EHCPs, April 2024: the arrow ▼ says it went down, but the figure rose from 61 to 130.` A notice a
    reader could not place on a measure keeps its own message."""
    if notice.kpi_id is None or notice.odd is None:
        return notice.message
    where = _measure(catalogue, notice.kpi_id) + (f", {long_label(notice.period)}" if notice.period else "")
    return f"{where}: {notice.odd}."


def warning_sections(notices: Sequence[Notice], catalogue: Catalogue, *, shown: int = WARNINGS_SHOWN,
                     leave_out: Iterable[WarningKind] = ()) -> list[WarningSection]:
    """The warnings one heading per kind (in WarningKind's order), each a sentence, sorted by measure then month."""
    skip = set(leave_out)
    sections = []
    for kind in WarningKind:
        found = [n for n in notices if n.kind is kind]
        if not found or kind in skip:
            continue
        found.sort(key=lambda n: (_measure(catalogue, n.kpi_id).casefold() if n.kpi_id else "\uffff",
                                  sort_key(n.period)))
        heading = kind.label[:1].upper() + kind.label[1:]
        sections.append(WarningSection(heading, len(found), [warning_sentence(n, catalogue) for n in found[:shown]]))
    return sections


def _changed_periods(preview: Previewed, change: str) -> list[str]:
    rows = preview.incoming[preview.change.reindex(preview.incoming.index).eq(change).to_numpy(dtype=bool)]
    return sorted({str(p) for p in rows["period"].tolist() if not is_missing(p) and str(p)}, key=sort_key)


def preview_headline(file_name: str, new: int, revised: int, unchanged: int, new_periods: Sequence[str]) -> str:
    """`feb25.xlsx adds 2 new figures for March 2025 and changes 1 figure saved before. 970 are already saved.`"""
    if not new and not revised:
        return f"{file_name} holds nothing new: every figure in it is already saved as it is."
    parts = []
    if new:
        when = periods_in_words(new_periods)
        parts.append(f"adds {counted(new, 'new figure')}" + (f" for {when}" if when else ""))
    if revised:
        parts.append(f"changes {counted(revised, 'figure')} saved before")
    text = f"{file_name} {' and '.join(parts)}."
    if unchanged:
        text += f" {counted(unchanged, 'other figure')} in it {'is' if unchanged == 1 else 'are'} already saved as " \
                f"{'it is' if unchanged == 1 else 'they are'}."
    return text


def summarise(preview: Previewed, catalogue: Catalogue, *, sheet: str | None = None) -> UploadSummary:
    """Everything the Upload page says about a file that has no problems, before Confirm."""
    new_periods = _changed_periods(preview, "new")
    technical = [("File", preview.file_name), ("Read as", f"the {preview.layout} layout"),
                 ("Worksheet", sheet or "the first with a header row"), ("File sha256", preview.sha256)]
    return UploadSummary(
        headline=preview_headline(preview.file_name, preview.new, preview.revised, preview.unchanged, new_periods),
        new=new_figures(preview, catalogue),
        revised=revised_figures(preview, catalogue),
        unchanged=unchanged_figures(preview, catalogue),
        warnings=warning_sections(preview.warnings, catalogue, leave_out=[WarningKind.REVISED]),
        new_periods=new_periods,
        revised_periods=_changed_periods(preview, "revised"),
        technical=technical,
    )


def outcome_sentence(new: int, revised: int, new_periods: Sequence[str], revised_periods: Sequence[str] = ()) -> str:
    """`Saved: 2 new figures for March 2025, 1 revised.` What Confirm did, for the top of the page."""
    if not new and not revised:
        return "Nothing changed: every figure in the file was already saved."
    parts = []
    if new:
        when = periods_in_words(new_periods)
        parts.append(counted(new, "new figure") + (f" for {when}" if when else ""))
    if revised and new:
        parts.append(f"{revised:,} revised")
    elif revised:
        when = periods_in_words(revised_periods)
        parts.append(counted(revised, "revised figure") + (f" for {when}" if when else ""))
    return f"Saved: {', '.join(parts)}. Every page now shows {'it' if new + revised == 1 else 'them'}."


def undo_sentence(version: Version) -> str:
    """`This removes the 2 new figures and puts back 1 revised figure from feb25_scorecard.xlsx, uploaded on
    7 December 2026 at 14:02.` What undoing an upload (restoring the version before it) takes away, asked first."""
    source = f"from {version.file_name}, " if version.file_name else ""
    when = f"{source}uploaded on {local_when(version.created_at)}"
    parts = []
    if version.new:
        parts.append(f"removes the {counted(version.new, 'new figure')}")
    if version.revised:
        parts.append(f"puts back {counted(version.revised, 'revised figure')}")
    if not parts:
        return f"This puts the figures back as they were before the upload {when}."
    return f"This {' and '.join(parts)} {when}. Every other figure stays as it is."


def _what(version: Version, by_id: dict[str, Version]) -> str:
    if version.action == "upload":
        return f"Upload of {version.file_name}" if version.file_name else "Upload"
    if version.message:
        return version.message
    if version.action == "restore":
        earlier = by_id.get(version.restored_from or "")
        return (f"Went back to the figures as they were on {local_when(earlier.created_at)}" if earlier is not None
                else "Went back to earlier figures")
    return version.action.replace("-", " ").capitalize()


def version_label(version: Version, versions: Sequence[Version], head: str | None) -> str:
    """`7 December 2026 at 14:02 — Upload of feb25.xlsx (now showing)`: a version as a choice in a list."""
    by_id = {v.id: v for v in versions}
    return (f"{local_when(version.created_at)} — {_what(version, by_id)}"
            + (" (now showing)" if version.id == head else ""))


def history_table(versions: Sequence[Version], head: str | None) -> pd.DataFrame:
    """Every version of the figures, newest first, as a manager reads them: when (in England), what, who, how many."""
    by_id = {v.id: v for v in versions}
    return pd.DataFrame([{
        "When": local_when(v.created_at),
        "What": _what(v, by_id),
        "By": v.author or "not recorded",
        "New figures": v.new,
        "Revised": v.revised,
        "Unchanged": v.unchanged,
        "Now showing": "yes" if v.id == head else "no",
    } for v in versions], columns=["When", "What", "By", "New figures", "Revised", "Unchanged", "Now showing"])


def technical_table(tables: Sequence[tuple[str, Sequence[Version]]]) -> pd.DataFrame:
    """The machine-room view of the same versions, for the Technical details expander: ids, UTC times, checksums."""
    return pd.DataFrame([{
        "Table": what,
        "Version": v.id,
        "Created (UTC)": v.created_at.replace("T", " ")[:19],
        "Action": v.action,
        "Restored from": v.restored_from or "-",
        "Rows": v.rows,
        "File sha256": (v.sha256 or "-")[:12],
    } for what, versions in tables for v in versions],
        columns=["Table", "Version", "Created (UTC)", "Action", "Restored from", "Rows", "File sha256"])


def side_versions_table(tables: Sequence[tuple[str, Sequence[Version]]], heads: dict[str, str | None]) -> pd.DataFrame:
    """A side table's versions (DfE releases, commentary, measures, case records), newest first, in plain words."""
    rows = []
    for what, versions in tables:
        by_id = {v.id: v for v in versions}
        rows += [(v.created_at, {
            "Table": what,
            "When": local_when(v.created_at),
            "What": v.message or _what(v, by_id),
            "File": v.file_name or "not from a file",
            "Rows": v.rows,
            "By": v.author or "not recorded",
            "Now showing": "yes" if v.id == heads.get(what) else "no",
        }) for v in versions]
    rows.sort(key=lambda r: r[0], reverse=True)
    return pd.DataFrame([r for _, r in rows], columns=["Table", "When", "What", "File", "Rows", "By", "Now showing"])
