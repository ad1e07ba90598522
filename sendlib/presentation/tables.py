"""The tables people read: KPI summaries and the glossary, formatted as the documents print them.

The page shows these frames and the download button writes the same frame, so what is
downloaded is exactly what is on screen.
"""

from __future__ import annotations

from typing import Any, SupportsFloat, cast

import pandas as pd

from sendlib.domain.benchmarks import format_dfe, rank_words
from sendlib.domain.cases import BASIS_WORDS, case_measures
from sendlib.domain.catalogue import FREQUENCY_WORDS, KPI, POLARITY_WORDS, SCORECARDS, UNIT_WORDS, Catalogue
from sendlib.domain.periods import long_label, short_label
from sendlib.domain.schema import SERIES_WORDS
from sendlib.domain.trends import change_words, rag_words
from sendlib.domain.values import Unit, format_value, is_missing
from sendlib.presentation.wording import NOT_REPORTED

# How much of a tile's label shows before the ellipsis, four tiles to a row (~28 characters at 1400 px; a little less
# so that a narrower window still tells them apart).
TILE_LABEL_CHARS = 26
_SEPARATORS = " –-:,;("
_JOINING_WORDS = {"of", "at", "for", "in", "on", "the", "a", "an", "to", "by", "with", "and", "who", "are"}

TABLE_COLUMNS = [
    "KPI", "Scorecard", "Theme", "Latest period", "Latest", "Previous period", "Previous", "Change",
    "Compared with previous", "Target", "Against target", "England", "Statistical neighbours",
    "Region", "Good is", "Note",
]



def _number(value: object) -> float:
    """A cell that is_missing has let through, as a float: the frames' cells are typed object, but hold numbers."""
    return float(cast(SupportsFloat, value))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # pandas-stubs keys records by Hashable; every frame here has its columns named by str.
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def format_change(change: object, unit: Unit) -> str:
    if is_missing(change):
        return ""
    if abs(_number(change)) < 1e-9:
        return "No change"
    if unit == "percent":
        return format_value(_number(change), unit, signed=True).replace("%", " pts")
    return format_value(_number(change), unit, signed=True)


def _fmt(value: object, unit: Unit) -> str:
    return "" if is_missing(value) else format_value(_number(value), unit)


def _period(label: object) -> str:
    return "" if is_missing(label) or not label else short_label(str(label))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 problem`, `3 problems`, `1,204 values`: a count whose noun agrees with it."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def revisions_table(revisions: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Each revised past value (`Preview.revisions`) as a manager reads it: the measure's name, not its id, and the
    old and new values in the measure's unit (`4,453`, `15.9%`), not as stored (`4453.0000`)."""
    kpis = [catalogue[k] for k in revisions["kpi_id"]]
    return pd.DataFrame({
        "KPI": [catalogue.qualified_name(k) for k in kpis],
        "Period": [_period(p) for p in revisions["period"]],
        "Series": [SERIES_WORDS.get(s, s) for s in revisions["series"]],
        "Old value": [_fmt(v, k.unit) or "blank" for v, k in zip(revisions["value_old"], kpis)],
        "New value": [_fmt(v, k.unit) or "blank" for v, k in zip(revisions["value"], kpis)],
    })


def _shared_words(texts: list[str]) -> str:
    """The words every one of `texts` starts with (whatever their case), never ending inside a word or a bracket."""
    n = 0
    for chars in zip(*texts):
        if len({c.casefold() for c in chars}) > 1:
            break
        n += 1
    shared = texts[0][:n]
    if any(len(t) > n and not t[n].isspace() for t in texts):
        shared = shared[:shared.rfind(" ") + 1]
    if shared.count("(") > shared.count(")"):
        shared = shared[:shared.rfind("(")]
    return shared


def _split(name: str, shared: str) -> tuple[str, str]:
    """(what tells `name` apart, the shared words it follows): `– primary phase` → `primary phase`, `(over 32 weeks)
    excl.` → `over 32 weeks excl.`; a bare `1` keeps the word before it (`Tier 1`); a trailing `of` is dropped."""
    words = shared.split()
    lead = name[len(shared):].lstrip(_SEPARATORS.replace("(", ""))
    if lead.startswith("(") and ")" in lead:
        inner, _, after = lead[1:].partition(")")
        lead = f"{inner}{after}"
    if not any(c.isalpha() for c in lead) and words:
        lead = f"{words.pop()} {lead}"
    while words and (words[-1].casefold() in _JOINING_WORDS or not words[-1].strip(_SEPARATORS)):
        words.pop()
    return lead, " ".join(words).rstrip(_SEPARATORS)


def _label(lead: str, context: str) -> str:
    return f"{lead[:1].upper()}{lead[1:]} — {context}" if context else lead


def tile_labels(names: list[str], visible: int = TILE_LABEL_CHARS) -> list[str]:
    """Labels for a row of tiles that can be told apart before they are cut short: names that start alike lead with
    what differs, then the words they share (`Primary phase — No. of requests for EHC assessment`); the others, and
    a name that is the shared words itself (the total), are left as they are."""
    leads, context = list(names), [""] * len(names)
    for _ in range(4):
        groups: dict[str, list[int]] = {}
        for i, (lead, ctx) in enumerate(zip(leads, context)):
            groups.setdefault(_label(lead, ctx)[:visible].casefold(), []).append(i)
        clashes = [g for g in groups.values() if len(g) > 1]
        if not clashes:
            break
        for group in clashes:
            shared = _shared_words([leads[i] for i in group])
            if not shared.strip():
                continue
            # Its siblings too (the same shared words after the same context), not only the names cut short alike.
            contexts = {context[i] for i in group}
            for i, lead in enumerate(leads):
                if (i in group or context[i] in contexts) and lead[:len(shared)].casefold() == shared.casefold() \
                        and lead[len(shared):].strip(_SEPARATORS):
                    leads[i], words = _split(lead, shared)
                    context[i] = f"{context[i]} {words}".strip()
    return [_label(lead, ctx) for lead, ctx in zip(leads, context)]


DFE_COLUMNS = {
    "national": "England (DfE)",
    "regional": "Region (DfE)",
    "statistical_neighbours": "Neighbours (DfE)",
    "home_la": "Our figure (DfE)",
}


def _dfe_cells(latest: pd.DataFrame, unit: Unit) -> dict[str, str]:
    """DfE's latest published figures for one KPI, worded for a table: a suppressed figure says so, never 0."""
    by_series = {r["series"]: r for r in _records(latest)}
    cells = {}
    for series, column in DFE_COLUMNS.items():
        r = by_series.get(series)
        cells[column] = "" if r is None else format_dfe(None if pd.isna(r["value"]) else float(r["value"]), unit)
    rank, quartile = by_series.get("rank"), by_series.get("quartile")
    cells["Rank (DfE)"] = "" if rank is None else (
        rank_words(rank["value"], rank["of"], rank["note"])
        + (f", quartile {int(quartile['value'])} of 4" if quartile is not None else ""))
    sources = sorted({r["source"] for r in by_series.values()})
    notes = [f"{DFE_COLUMNS.get(r['series'], r['series'])}: {r['note']}" for r in by_series.values()
             if isinstance(r["note"], str) and r["note"] and r["series"] in DFE_COLUMNS]
    cells["DfE source"] = "; ".join(sources + notes)
    return cells


def summary_table(summary: pd.DataFrame, catalogue: Catalogue, *, with_trend: bool = False,
                  commentary: dict[str, str] | None = None, dfe: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per KPI: latest, previous, change in symbol and words, target and RAG in words, benchmarks.
    With `commentary` (KPI id → the manager's text on its latest period), a Commentary column after Note.
    With `dfe` (`sendlib.benchmarks.latest_benchmarks`), DfE's published benchmarks and their source."""
    dfe_by_kpi = {k: g for k, g in dfe.groupby("kpi_id")} if dfe is not None and len(dfe) else {}
    dfe_columns = [*DFE_COLUMNS.values(), "Rank (DfE)", "DfE source"] if dfe is not None else []
    rows = []
    for r in _records(summary):
        unit = r["unit"]
        note = r["latest_note"] if not is_missing(r["latest_note"]) else ""
        if is_missing(r["latest"]):
            note = note or "No value reported yet"
        row = {
            "KPI": r["name"],
            "Scorecard": SCORECARDS.get(r["scorecard"], r["scorecard"]),
            "Theme": catalogue.themes[r["theme"]].name if r["theme"] in catalogue.themes else r["theme"],
            "Latest period": _period(r["latest_period"]),
            "Latest": _fmt(r["latest"], unit),
            "Previous period": _period(r["previous_period"]),
            "Previous": _fmt(r["previous"], unit),
            "Change": format_change(r["change"], unit),
            "Compared with previous": change_words(r) if not is_missing(r["latest"]) else "",
            "Target": _fmt(r["target"], unit),
            "Against target": rag_words(r["rag"]) if not is_missing(r["target"]) else "",
            "England": _fmt(r["national"], unit),
            "Statistical neighbours": _fmt(r["statistical_neighbours"], unit),
            "Region": _fmt(r["regional"], unit),
            "Good is": {"higher_better": "Higher", "lower_better": "Lower"}.get(r["polarity"], "Neither"),
            "Note": note,
        }
        if dfe is not None:
            row |= _dfe_cells(dfe_by_kpi[r["kpi_id"]], unit) if r["kpi_id"] in dfe_by_kpi else dict.fromkeys(dfe_columns, "")
        if commentary is not None:
            row["Commentary"] = commentary.get(r["kpi_id"], "")
        if r.get("comparison") == "same period last year":
            row["Compared with previous"] += " (vs same month last year)"
        if with_trend:
            row["Trend"] = list(r["spark"])
        rows.append(row)
    columns = (TABLE_COLUMNS[:-2] + dfe_columns + TABLE_COLUMNS[-2:] + (["Commentary"] if commentary is not None else [])
               + (["Trend"] if with_trend else []))
    return said_blank(pd.DataFrame(rows, columns=columns))


# Why a cell of a summary table is blank, by its column: a manager reads a reason, never an empty cell.
BLANK_WORDS = {
    "Latest period": "none yet", "Latest": NOT_REPORTED, "Previous period": "none", "Previous": NOT_REPORTED,
    "Change": "no comparison", "Compared with previous": "no comparison", "Target": "no target",
    "Against target": "no target", "England": "not in the document", "Statistical neighbours": "not in the document",
    "Region": "not in the document", **dict.fromkeys(DFE_COLUMNS.values(), "not published"),
    "Rank (DfE)": "not published", "DfE source": "no DfE equivalent", "Note": "none", "Commentary": "none yet",
}


def said_blank(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with each blank text cell of a BLANK_WORDS column saying why it is blank."""
    out = table.copy()
    for column, words in BLANK_WORDS.items():
        if column in out:
            out[column] = out[column].map(lambda v, w=words: w if isinstance(v, str) and not v.strip() else v)
    return out


def glossary_table(catalogue: Catalogue) -> pd.DataFrame:
    rows = []
    for kpi in sorted(catalogue, key=lambda k: (catalogue.themes[k.theme].order, k.scorecard != "scorecard", k.order)):
        rows.append({
            "KPI": catalogue.qualified_name(kpi),
            "ID": kpi.id,
            "Theme": catalogue.themes[kpi.theme].name,
            "Scorecard": SCORECARDS.get(kpi.scorecard, kpi.scorecard),
            "Definition": kpi.definition,
            "Good is": POLARITY_WORDS[kpi.polarity] + (" (our judgement)" if kpi.polarity_source == "domain" else ""),
            "Unit": UNIT_WORDS[kpi.unit],
            "Frequency": FREQUENCY_WORDS[kpi.frequency],
            "Cumulative": {"none": "No", "calendar-year": "Yes, resets each January",
                           "academic-year": "Yes, resets each September"}[kpi.cumulative],
            "Target": "no target" if kpi.target is None else format_value(kpi.target, kpi.unit),
            "Action plan": kpi.action_plan or "none",
            "Source": kpi.source,
            "Notes": kpi.notes or "none",
        })
    return pd.DataFrame(rows, columns=GLOSSARY_COLUMNS)


GLOSSARY_COLUMNS = ["KPI", "ID", "Theme", "Scorecard", "Definition", "Good is", "Unit", "Frequency", "Cumulative",
                    "Target", "Action plan", "Source", "Notes"]


CASE_UNIT_WORDS = {"count": "Number", "percent": "Percentage", "weeks": "Weeks", "days": "Days"}


def case_glossary_table(catalogue: Catalogue) -> pd.DataFrame:
    """Every measure computed from case records: its definition, how its cases are placed in a period (its basis),
    its unit and the scorecard KPI its figure sits beside, in the order of `data/catalogue/case_measures.csv`."""
    measures = case_measures()
    rows = []
    for m in measures.values():
        kpi = catalogue.get(m.feeds) if m.feeds else None
        rows.append({
            "Measure": m.name,
            "ID": m.id,
            "Definition": m.definition,
            "Counted": BASIS_WORDS[m.basis][:1].upper() + BASIS_WORDS[m.basis][1:],
            "Unit": CASE_UNIT_WORDS[m.unit],
            "Numerator of": measures[m.numerator_of].name if m.numerator_of in measures else "none",
            "Sits beside KPI": catalogue.qualified_name(kpi) if kpi else (m.feeds or "none"),
        })
    return pd.DataFrame(rows)


def dfe_table(latest: pd.DataFrame, catalogue: Catalogue, scorecards: list[str] | None = None) -> pd.DataFrame:
    """DfE's latest published figures for every benchmarked KPI: the home LA beside England, its region and its
    statistical neighbours, with rank and source — the overview's "how do we compare?" at a glance."""
    rows = []
    for kpi_id, group in latest.groupby("kpi_id", sort=False):
        kpi = catalogue.get(cast(str, kpi_id))  # grouped by the kpi_id column, which holds text
        if kpi is None or (scorecards and kpi.scorecard not in scorecards):
            continue
        period = group["period"].iloc[0]
        rows.append({"KPI": catalogue.qualified_name(kpi), "Scorecard": SCORECARDS.get(kpi.scorecard, kpi.scorecard),
                     "DfE period": short_label(period), **_dfe_cells(group, kpi.unit), "_order": (kpi.scorecard, kpi.order)})
    columns = ["KPI", "Scorecard", "DfE period", *DFE_COLUMNS.values(), "Rank (DfE)", "DfE source"]
    out = pd.DataFrame(rows, columns=[*columns, "_order"])
    return said_blank(out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True))


def catalogue_rows(catalogue: Catalogue) -> pd.DataFrame:
    """Every measure of a catalogue, one a row, the id first: what `catalogue list` writes."""
    fields = list(KPI.model_fields)
    return pd.DataFrame([k.model_dump() for k in catalogue], columns=fields)


# The bundled documents' own headline measures (the overview's tiles and the report's first page).
HEADLINES = {
    "scorecard": ["ehcps", "ehcna-under-assessment", "requests", "sen-support"],
    "board": ["ctx-ehcps", "ctx-open-ehcna-caseload", "ctx-new-ehcna-requests", "b04-20-week-rate-excl-exceptions"],
}


def headlines(catalogue: Catalogue, scorecard: str, held: set[str] | frozenset[str] = frozenset(), n: int = 4
              ) -> list[str]:
    """The headline measures of a scorecard: the bundled documents' own where the catalogue has them, else an
    authority's first `n` top-level measures with figures (in catalogue order), else its first `n`."""
    bundled = [k for k in HEADLINES.get(scorecard, []) if k in catalogue]
    if bundled:
        return bundled
    top = [k.id for k in catalogue.for_scorecard(scorecard) if k.parent_id is None]
    return ([k for k in top if k in held] or top)[:n]


# The extract's columns (`presentation.extracts`) as its on-screen preview heads them; the file keeps its own.
PREVIEW_HEADINGS = {"scorecard": "Document", "kpi_name": "Measure", "period": "Period", "series": "Figure",
                    "value": "Value", "count": "Count", "note": "Note", "theme": "Theme", "unit": "Unit",
                    "change": "Change", "compared_with": "Compared with", "direction": "Direction",
                    "rag": "Against target"}
NO_NOTE = "no note"


def extract_preview(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """An extract's rows as the Extract page previews them, in words: measures by name (no `kpi_id`), documents,
    periods and series as people say them, and a missing figure as "not reported" rather than an empty cell. A wide
    extract's section headings (rows with no figure at all) stay blank."""
    out = rows.drop(columns=[c for c in ("kpi_id",) if c in rows and "kpi_name" in rows]).astype(object)
    words = {"scorecard": SCORECARDS, "series": SERIES_WORDS, "unit": UNIT_WORDS,
             "theme": {t: theme.name for t, theme in catalogue.themes.items()}}
    for column, mapping in words.items():
        if column in out:
            out[column] = out[column].map(lambda v, m=mapping: m.get(v, v) if isinstance(v, str) else v)
    if "period" in out:
        out["period"] = out["period"].map(lambda p: long_label(p) if isinstance(p, str) and p else "undated")
    heading_rows = out.drop(columns=out.columns[:1]).map(is_missing).all(axis=1) if out.shape[1] > 1 else None
    out = out.map(lambda v: NOT_REPORTED if is_missing(v) else str(v))
    if "note" in out:
        out["note"] = out["note"].replace(NOT_REPORTED, NO_NOTE)
    if heading_rows is not None and "kpi_name" not in rows:
        out.loc[heading_rows, out.columns[1:]] = ""
    if "kpi_name" in out:
        out = out[["kpi_name", *(c for c in out.columns if c != "kpi_name")]]
    return out.rename(columns=PREVIEW_HEADINGS)
