"""Benchmarks computed from DfE's published statistics: England, the home LA's region, the mean of its ten
statistical neighbours, its own published figure, and its rank and quartile among all authorities.

The arithmetic for each KPI is data (`data/catalogue/dfe_benchmarks.csv`), so an analyst can read and check
it. Where DfE publishes a percentage we use it as published (our sums would differ from DfE's in the last
place); otherwise the rate is numerator / denominator × 100 from the published counts. The neighbour mean is
the simple mean of the neighbours' rates, as DfE's LAIT does. A suppressed figure is missing with its reason,
never zero; a neighbour mean says how many of the ten it rests on.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.dfe import SUPPRESSION
from sendlib.domain.figure import quartile_of
from sendlib.domain.paths import catalogue_dir
from sendlib.domain.periods import long_label, sort_key
from sendlib.domain.values import Unit, format_value

BENCHMARK_COLUMNS = ["measure", "kpi_id", "label", "period", "series", "value", "of", "note", "source", "release",
                     "file_name", "primary"]
DFE_SERIES = ["national", "regional", "statistical_neighbours", "home_la", "rank", "quartile"]
DFE_SERIES_WORDS = {
    "national": "England",
    "regional": "Region",
    "statistical_neighbours": "Statistical neighbours",
    "home_la": "Our published figure",
    "rank": "Rank among authorities",
    "quartile": "Quartile band",
}
SN_SETS = {"2021": "April 2021 groups", "2025": "May 2025 groups"}
DEFAULT_SN_SET = "2021"


class Mapping(BaseModel):
    """One KPI's DfE equivalent in one dataset."""

    model_config = ConfigDict(frozen=True)

    measure: str
    kpi_id: str
    label: str
    dataset: str
    priority: int = 1
    published: str | None = None
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    kind: Literal["rate", "count"]
    local: Literal["none", "same-month", "year-sum", "year-end"] = "none"
    primary: bool = True
    note: str

    @field_validator("published", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("numerator", "denominator", mode="before")
    @classmethod
    def _terms(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(t.strip() for t in value.split("+") if t.strip())
        return value

    @field_validator("primary", mode="before")
    @classmethod
    def _yes(cls, value: object) -> object:
        return str(value).strip().lower() in ("yes", "true", "1") if isinstance(value, str) else value

    @property
    def indicators(self) -> set[str]:
        return {t for t in (self.published, *self.numerator, *self.denominator) if t}


def load_mappings(path: Path | None = None, catalogue: Catalogue | None = None) -> list[Mapping]:
    path = path or catalogue_dir() / "dfe_benchmarks.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [Mapping.model_validate(r) for r in csv.DictReader(fh)]
    for m in rows:
        if m.published is None and not (m.numerator and m.denominator) and m.kind == "rate":
            raise ValueError(f"{path.name}: {m.measure} ({m.dataset}) needs a published column or numerator/denominator")
        if catalogue is not None and m.kpi_id not in catalogue:
            raise ValueError(f"{path.name}: {m.measure} names unknown KPI {m.kpi_id!r}")
    return rows


def mappings_for(catalogue: Catalogue, path: Path | None = None) -> list[Mapping]:
    """The DfE mappings that apply to a catalogue: the bundled ones for the KPIs it holds, and, for each KPI that
    points at a common definition DfE publishes, that definition's mappings aimed at the KPI. So an authority's own
    measure gets DfE benchmarks once it is mapped, whatever its id."""
    from sendlib.domain.common_measures import common_measures

    rows = load_mappings(path)
    found = [m for m in rows if m.kpi_id in catalogue]
    have = {(m.kpi_id, m.measure, m.dataset) for m in found}
    common = common_measures()
    for kpi in catalogue:
        measure = common.get(kpi.common_measure or "")
        if measure is None or not measure.dfe_measure:
            continue
        for m in rows:
            if m.measure == measure.dfe_measure and (kpi.id, m.measure, m.dataset) not in have:
                found.append(m.model_copy(update={"kpi_id": kpi.id}))
                have.add((kpi.id, m.measure, m.dataset))
    return found


class LaNotFound(LookupError):
    """No local authority matches the name or code given."""


def la_index(dfe: pd.DataFrame) -> pd.DataFrame:
    """Every authority DfE publishes: old code (the neighbour files' key), new code, name and region, latest first."""
    las = dfe[dfe["geographic_level"] == "local_authority"]
    las = las.sort_values("period", ascending=False).drop_duplicates("old_la_code")
    return las[["old_la_code", "la_code", "la_name", "region_code", "region_name"]].sort_values("la_name").reset_index(drop=True)


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


class Authority(BaseModel):
    """A local authority as DfE publishes it: what the sidebar, How we compare and the benchmarks are computed for."""

    model_config = ConfigDict(frozen=True)

    old_la_code: str
    la_code: str | None = None
    la_name: str
    region_code: str | None = None
    region_name: str | None = None

    @property
    def region(self) -> str:
        """The region's name, or "" where DfE gives none."""
        return self.region_name or ""


def _first_row(frame: pd.DataFrame) -> Authority:
    row = frame.iloc[0]
    return Authority.model_validate({c: None if pd.isna(row[c]) else str(row[c]) for c in Authority.model_fields})


def resolve_la(dfe: pd.DataFrame, la: str, *, index: pd.DataFrame | None = None) -> Authority:
    """Find an authority by old code (839), new code (E06000058) or name, case and punctuation aside."""
    index = la_index(dfe) if index is None else index
    wanted = la.strip()
    for column in ("old_la_code", "la_code"):
        hit = index[index[column].fillna("").str.upper() == wanted.upper()]
        if len(hit):
            return _first_row(hit)
    hit = index[index["la_name"].fillna("").map(_fold) == _fold(wanted)]
    if len(hit):
        return _first_row(hit)
    near = index[index["la_name"].fillna("").map(_fold).str.contains(_fold(wanted), regex=False)] if wanted else index.iloc[0:0]
    if len(near) == 1:
        return _first_row(near)
    hint = f" (did you mean {', '.join(near['la_name'].head(3))}?)" if len(near) else ""
    raise LaNotFound(f"no local authority {la!r} in the DfE data{hint}")


def neighbours_of(neighbours: pd.DataFrame, old_code: str, sn_set: str) -> list[str]:
    rows = neighbours[(neighbours["sn_set"] == sn_set) & (neighbours["old_la_code"] == old_code)]
    return rows.sort_values("rank")["neighbour_code"].tolist()


def _reason(symbols: tuple[object, ...]) -> str | None:
    found = list(dict.fromkeys(s for s in symbols if isinstance(s, str)))
    if not found:
        return None
    return "; ".join(f"{s}: {SUPPRESSION.get(s, 'not published')}" for s in found)


AREA_KEYS = ["period", "geographic_level", "region_name", "old_la_code", "la_code", "la_name", "release", "file_name"]
VALUE_COLUMNS = [*AREA_KEYS, "value", "note", "num", "den"]


def _total(cells: dict[str, tuple[Any, Any]], terms: tuple[str, ...]) -> float | None:
    values = [cells.get(t, (None, None))[0] for t in terms]
    return None if not terms or any(v is None for v in values) else float(sum(values))


def _area_records(dfe: pd.DataFrame, mapping: Mapping) -> list[dict[str, Any]]:
    """Every area's figure for one mapping, as plain records: the arithmetic is a few thousand rows a measure, and
    plain Python over them is many times quicker than reshaping pandas frames for each one."""
    rows = dfe[(dfe["dataset"] == mapping.dataset) & dfe["indicator"].isin(mapping.indicators)]
    # pandas-stubs has no overload for na_value=None (missing as None), which pandas documents and this relies on.
    columns = [rows[c].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
               for c in (*AREA_KEYS, "indicator", "value", "symbol")]
    areas: dict[tuple[Any, ...], dict[str, tuple[Any, Any]]] = {}
    for *key, indicator, value, symbol in zip(*columns, strict=True):
        areas.setdefault(tuple(key), {})[indicator] = (value, symbol)
    used = (mapping.published,) if mapping.published else mapping.numerator + mapping.denominator
    out = []
    for area, cells in areas.items():
        num, den = _total(cells, mapping.numerator), _total(cells, mapping.denominator)
        if mapping.published:
            value = cells.get(mapping.published, (None, None))[0]
        elif mapping.kind == "rate":
            value = num / den * 100 if num is not None and den else None
        else:
            value = num
        note = None if value is not None else _reason(tuple(cells.get(t, (None, "x"))[1] for t in used))
        out.append(dict(zip(AREA_KEYS, area, strict=True)) | {"value": value, "note": note, "num": num, "den": den})
    return out


def measure_values(dfe: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Every area's figure for one mapping: one row per period × area with `value` (missing when not published)
    and `note` (the suppression reason)."""
    out = pd.DataFrame.from_records(_area_records(dfe, mapping), columns=VALUE_COLUMNS)
    out["value"] = pd.to_numeric(out["value"]).astype("float64")
    return out


def rank_among(values: list[float], value: float, *, lower_better: bool) -> int:
    """1 + how many authorities did better (ties share a rank): 1 = lowest where lower is better, else highest.
    The one ranking rule, used by the benchmarks and by How we compare's chart so the two always agree."""
    return 1 + sum(1 for v in values if (v < value if lower_better else v > value))


def _number(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _period_rows(mapping: Mapping, polarity: str, period: str, areas: list[dict[str, Any]], home: Authority,
                 sns: list[str]) -> list[dict[str, Any]]:
    """The benchmark rows of one measure for one period, from every area's figure for that period."""
    code, region = home.old_la_code, home.region
    first = areas[0]
    base = {"measure": mapping.measure, "kpi_id": mapping.kpi_id, "label": mapping.label, "period": period, "release": first["release"],
            "file_name": first["file_name"], "primary": mapping.primary,
            "source": f"from DfE {first['release']}, {long_label(period)} ({first['file_name']})"}
    out: list[dict[str, Any]] = []

    def add(series: str, value: float | None, note: str | None, of: int | None = None) -> None:
        out.append(base | {"series": series, "value": _number(value), "note": note, "of": of})

    las = [a for a in areas if a["geographic_level"] == "local_authority"]
    own = next((a for a in las if a["old_la_code"] == code), None)
    if own is None:
        add("home_la", None, f"{home.la_name} has no figure for {long_label(period)} in this file")
    else:
        add("home_la", own["value"], own["note"])
    if mapping.kind == "rate":
        for a in areas:
            if a["geographic_level"] == "national":
                add("national", a["value"], a["note"])
        reg = next((a for a in areas if a["geographic_level"] == "regional" and a["region_name"] == region), None)
        if reg is not None:
            add("regional", reg["value"], reg["note"])
        elif region and mapping.numerator and mapping.denominator:
            in_region = [a for a in las if a["region_name"] == region]
            num = sum(a["num"] for a in in_region if _number(a["num"]) is not None)
            den = sum(a["den"] for a in in_region if _number(a["den"]) is not None)
            add("regional", num / den * 100 if den else None, f"computed from the {len(in_region)} authorities in the "
                f"{region}: their appeals (numerators) over their appealable decisions (denominators)"
                if mapping.dataset == "appeal_rate" else f"computed from the {len(in_region)} authorities in the {region}")
        if sns:
            theirs = [a for a in las if a["old_la_code"] in sns]
            have = [float(a["value"]) for a in theirs if _number(a["value"]) is not None]
            note = None
            if len(have) < len(sns):
                absent, unpublished = len(sns) - len(theirs), len(theirs) - len(have)
                why = [f"{unpublished} not published"] if unpublished else []
                why += [f"{absent} not in this file (the authority did not exist then)"] if absent else []
                note = f"mean of {len(have)} of {len(sns)} neighbours ({', '.join(why)})"
            add("statistical_neighbours", sum(have) / len(have) if have else None, note)
    ranked = [float(a["value"]) for a in las if _number(a["value"]) is not None]
    mine = _number(own["value"]) if own is not None else None
    if mine is not None and len(ranked) > 1:
        ascending = polarity == "lower_better"
        rank = rank_among(ranked, mine, lower_better=ascending)
        best = "" if polarity == "neutral" else " and best"
        add("rank", rank, f"{'1 = lowest' if ascending else '1 = highest'}{best}", len(ranked))
        add("quartile", quartile_of(rank, len(ranked)),
            f"1 = the top quarter{'' if polarity == 'neutral' else ' (best)'}, 4 = the bottom quarter", len(ranked))
    return out


@dataclass(frozen=True)
class Prepared:
    """Every area's figure for every mapping, by period: the part of the arithmetic that does not depend on which
    authority is "us". Built once per DfE release; each authority's benchmarks are then a quick pass over it."""

    areas: dict[int, dict[str, list[dict[str, Any]]]]
    las: pd.DataFrame
    mappings: tuple[Mapping, ...]


def prepare(dfe: pd.DataFrame, mappings: list[Mapping]) -> Prepared:
    used = dfe[dfe["indicator"].isin({i for m in mappings for i in m.indicators})]
    by_dataset = dict(tuple(used.groupby("dataset", sort=False)))
    areas: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for n, mapping in enumerate(mappings):
        by_period: dict[str, list[dict[str, Any]]] = {}
        for row in _area_records(by_dataset.get(mapping.dataset, used.iloc[0:0]), mapping):
            by_period.setdefault(row["period"], []).append(row)
        areas[n] = by_period
    return Prepared(areas, la_index(dfe), tuple(mappings))


def compute(dfe: pd.DataFrame, neighbours: pd.DataFrame, catalogue: Catalogue, mappings: list[Mapping], *,
            la: str, sn_set: str = DEFAULT_SN_SET, primary_only: bool = False,
            prepared: Prepared | None = None) -> pd.DataFrame:
    """Every benchmark row for one home authority: `measure, kpi_id, period, series, value, note, source, …`.
    Pass `prepared` (from `prepare`, for the same DfE table and mappings) to skip the authority-independent part."""
    prepared = prepared or prepare(dfe, mappings)
    home = resolve_la(dfe, la, index=prepared.las)
    sns = neighbours_of(neighbours, home.old_la_code, sn_set)
    records: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    order = sorted(range(len(prepared.mappings)), key=lambda n: (prepared.mappings[n].measure, prepared.mappings[n].priority))
    for n in order:
        mapping = prepared.mappings[n]
        kpi = catalogue.get(mapping.kpi_id)
        if kpi is None or (primary_only and not mapping.primary):
            continue
        by_period = prepared.areas[n]
        for period in sorted(by_period, key=sort_key):
            if (mapping.measure, period) in seen:
                continue
            seen.add((mapping.measure, period))
            records += _period_rows(mapping, kpi.polarity, period, by_period[period], home, sns)
    out = pd.DataFrame.from_records(records, columns=BENCHMARK_COLUMNS)
    out["value"] = out["value"].astype("Float64")
    out["of"] = out["of"].astype("Int64")
    return out


def rank_words(rank: float, of: int, note: object) -> str:
    """'43 of 153 authorities (1 = highest)': the rank and how many it is among, carried as numbers, worded here."""
    return f"{int(rank)} of {int(of)} authorities" + (f" ({note})" if isinstance(note, str) and note else "")


def latest_benchmarks(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The most recent DfE figure of each series for each KPI's primary measure: what tables and tiles show."""
    primary = benchmarks[benchmarks["primary"].astype(bool)]
    ordered = primary.assign(_k=primary["period"].map(sort_key)).sort_values("_k", kind="stable")
    return ordered.groupby(["kpi_id", "series"]).tail(1).drop(columns="_k").reset_index(drop=True)


def _local_value(actual: pd.DataFrame, kpi_id: str, period: str, how: str) -> tuple[float | None, str | None]:
    """The LA's own monthly figure that describes what DfE's figure for `period` describes, or None."""
    rows = actual[actual["kpi_id"] == kpi_id].dropna(subset=["value"]).set_index("period")["value"]
    if how == "same-month" and period in rows.index:
        return float(rows[period]), period
    if how in ("year-sum", "year-end") and len(period) == 4:
        months = [f"{period}-{m:02d}" for m in range(1, 13)]
        if how == "year-end":
            return (float(rows[months[-1]]), months[-1]) if months[-1] in rows.index else (None, None)
        if all(m in rows.index for m in months):
            return float(rows[months].sum()), f"{period}-01 to {period}-12"
    return None, None


def local_differences(table: pd.DataFrame, benchmarks: pd.DataFrame, mappings: list[Mapping]) -> pd.DataFrame:
    """Where the LA's own monthly figures and DfE's published figure describe the same thing — the January caseload,
    a calendar year's requests — both, and the difference: a gap is a data-quality question worth asking."""
    how = {m.measure: m.local for m in mappings if m.local != "none"}
    own = benchmarks[(benchmarks["series"] == "home_la") & benchmarks["measure"].isin(how) & benchmarks["value"].notna()]
    actual = table[table["series"] == "actual"]
    records = []
    for r in own.itertuples(index=False):
        # pandas-stubs types itertuples' fields as any scalar; these columns hold text, and value a float.
        kpi_id, measure, period = cast(str, r.kpi_id), cast(str, r.measure), cast(str, r.period)
        local, local_period = _local_value(actual, kpi_id, period, how[measure])
        if local is None:
            continue
        dfe_value = float(cast(float, r.value))
        records.append({"kpi_id": kpi_id, "measure": measure, "period": period, "local_period": local_period,
                        "local": local, "dfe": dfe_value, "difference": local - dfe_value,
                        "difference_pct": (local - dfe_value) / dfe_value * 100 if dfe_value else None,
                        "source": r.source})
    return pd.DataFrame.from_records(records, columns=["kpi_id", "measure", "period", "local_period", "local", "dfe",
                                                       "difference", "difference_pct", "source"])


CLI_COLUMNS = ["kpi_id", "kpi_name", "period", "series", "value", "source"]


def benchmark_rows(benchmarks: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The `benchmarks` command's rows. A figure DfE did not publish has a blank value and its reason in `source`,
    never a zero; a neighbour mean resting on fewer than ten says so there too."""
    out = benchmarks.copy()
    names = out["kpi_id"].map(lambda k: catalogue.qualified_name(catalogue[k]))
    out["kpi_name"] = names.where(out["primary"].astype(bool), names + " — DfE context: " + out["label"])
    notes = out["note"].fillna("")
    ranks = out["series"].eq("rank") & out["value"].notna() & out["of"].notna()
    notes = notes.where(~ranks, [rank_words(v, n, t) if r else t for v, n, t, r in
                                 zip(out["value"], out["of"], notes, ranks, strict=True)])
    out["source"] = out["source"] + notes.map(lambda n: f" — {n}" if n else "")
    out["value"] = out["value"].round(6)
    return out[CLI_COLUMNS]


def format_dfe(value: float | None, unit: Unit) -> str:
    """DfE prints rates to one decimal place (two below 1%, as its appeal rates); a neighbour mean of 41.21 reads
    as DfE's own tables would, 41.2%; counts are whole."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not published"
    if unit == "percent":
        return format_value(round(float(value), 2 if abs(value) < 1 else 1), unit)
    return format_value(float(round(value)) if unit == "count" else float(value), unit)
