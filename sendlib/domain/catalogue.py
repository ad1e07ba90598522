"""The KPI catalogue: what each measure is, how it is read, and which way is good.

Kept as data (`data/catalogue/kpis.csv`, `themes.csv`) so a manager can read and correct it;
validated here by pydantic so a typo in the file fails loudly at load, not in a chart.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sendlib.domain.paths import CATALOGUE_DIR, catalogue_dir
from sendlib.domain.text import one_line, safe_text
from sendlib.domain.values import Unit

Polarity = Literal["higher_better", "lower_better", "neutral"]
Frequency = Literal["month", "quarter", "half-term", "term", "academic-year", "calendar-year"]
Cumulative = Literal["none", "calendar-year", "academic-year"]
ScorecardId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]

SCORECARDS: dict[str, str] = {
    "scorecard": "SEND scorecard (monthly)",
    "board": "Improvement board report",
}
POLARITY_WORDS: dict[str, str] = {
    "higher_better": "Higher is better",
    "lower_better": "Lower is better",
    "neutral": "Neither higher nor lower is better",
}
UNIT_WORDS: dict[str, str] = {
    "count": "Number",
    "percent": "Percentage",
    "days": "Duration (days)",
    "weeks": "Duration (weeks)",
    "score": "Score",
}
FREQUENCY_WORDS: dict[str, str] = {
    "month": "Monthly",
    "quarter": "Quarterly",
    "half-term": "Half-termly",
    "term": "Termly",
    "academic-year": "Annual (academic year)",
    "calendar-year": "Annual",
}


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class Theme(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    page: str = Field(pattern=r"^[a-z0-9-]+$")
    order: int
    description: str


class KPI(BaseModel):
    """One measure of one scorecard. Same-named rows are distinct KPIs, told apart by parent."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")
    scorecard: ScorecardId
    order: int
    name: str = Field(min_length=1)
    # What a tile or a small chart leads with (`EHCPs in mainstream (%)`); the full name is on hover and the page.
    short_name: str | None = None
    parent_id: str | None = None
    theme: str
    section: str
    unit: Unit
    polarity: Polarity
    polarity_source: Literal["document", "domain"]
    frequency: Frequency
    cumulative: Cumulative = "none"
    target: float | None = None
    target_source: str | None = None
    tolerance: float | None = Field(default=None, ge=0)
    definition: str = Field(min_length=1)
    source: str = Field(min_length=1)
    action_plan: str | None = None
    notes: str | None = None
    # A definition several authorities share (`data/catalogue/common_measures.csv`): DfE benchmarks, How we compare
    # and comparisons between authorities follow it.
    common_measure: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("name", "section", mode="after")
    @classmethod
    def _one_line(cls, value: str) -> str:
        """A name a person may have typed (an authority's own measure): one line, hidden characters shown."""
        return one_line(value)

    @field_validator("definition", "source", "action_plan", "notes", mode="after")
    @classmethod
    def _safe_text(cls, value: str | None) -> str | None:
        return safe_text(value) if value is not None else None

    @model_validator(mode="after")
    def _target_needs_source(self) -> KPI:
        if self.target is not None and not self.target_source:
            raise ValueError(f"{self.id}: a target needs a target_source")
        return self

    @property
    def title(self) -> str:
        """The short name where the catalogue gives one (an authority's own measure may not), else the name."""
        return self.short_name or self.name

    @property
    def is_placeholder(self) -> bool:
        return self.name.strip().upper() == "TBC"


class CatalogueError(ValueError):
    """The catalogue files are inconsistent (duplicate id, unknown theme, dangling parent…)."""


class Catalogue:
    """Lookups over the KPIs and themes. Immutable once built."""

    def __init__(self, kpis: Iterable[KPI], themes: Iterable[Theme], aliases: dict[str, str] | None = None):
        """`aliases`: other names (normalised) a measure is found by, to its id: a common definition's synonyms."""
        self.aliases = dict(aliases or {})
        self.themes: dict[str, Theme] = {}
        for theme in sorted(themes, key=lambda t: t.order):
            if theme.id in self.themes:
                raise CatalogueError(f"theme id {theme.id!r} appears twice")
            self.themes[theme.id] = theme
        self._kpis: dict[str, KPI] = {}
        for kpi in kpis:
            if kpi.id in self._kpis:
                raise CatalogueError(f"KPI id {kpi.id!r} appears twice")
            if kpi.theme not in self.themes:
                raise CatalogueError(f"KPI {kpi.id!r} has unknown theme {kpi.theme!r}")
            self._kpis[kpi.id] = kpi
        for kpi in self._kpis.values():
            if kpi.parent_id and kpi.parent_id not in self._kpis:
                raise CatalogueError(f"KPI {kpi.id!r} names unknown parent {kpi.parent_id!r}")

    def __iter__(self) -> Iterator[KPI]:
        return iter(self._kpis.values())

    def __len__(self) -> int:
        return len(self._kpis)

    def __contains__(self, kpi_id: object) -> bool:
        return kpi_id in self._kpis

    def __getitem__(self, kpi_id: str) -> KPI:
        return self._kpis[kpi_id]

    def get(self, kpi_id: str) -> KPI | None:
        return self._kpis.get(kpi_id)

    def for_scorecard(self, scorecard: str) -> list[KPI]:
        return sorted((k for k in self if k.scorecard == scorecard), key=lambda k: k.order)

    def for_theme(self, theme: str) -> list[KPI]:
        return sorted(
            (k for k in self if k.theme == theme),
            key=lambda k: (list(SCORECARDS).index(k.scorecard) if k.scorecard in SCORECARDS else 99, k.scorecard, k.order),
        )

    def qualified_name(self, kpi: KPI) -> str:
        """`no of above - primary phase` alone is ambiguous: `No. of requests for EHC assessment – primary phase`."""
        if kpi.parent_id:
            part = re.sub(r"^no of above\s*-\s*", "", kpi.name, flags=re.IGNORECASE)
            return f"{self[kpi.parent_id].name} – {part}"
        return kpi.name

    @cached_property
    def _by_name(self) -> dict[tuple[str, str, str | None], KPI]:
        index: dict[tuple[str, str, str | None], KPI] = {}
        for kpi in self:
            parent = normalise_name(self[kpi.parent_id].name) if kpi.parent_id else None
            index[(kpi.scorecard, normalise_name(kpi.name), parent)] = kpi
        return index

    def find_by_name(self, scorecard: str, name: str, parent_name: str | None = None) -> KPI | None:
        parent = normalise_name(parent_name) if parent_name else None
        found = self._by_name.get((scorecard, normalise_name(name), parent))
        if found is None and parent is not None:
            found = self._by_name.get((scorecard, normalise_name(name), None))
        if found is None and (alias := self.aliases.get(normalise_name(name))) is not None:
            found = self._kpis.get(alias) if self._kpis[alias].scorecard == scorecard else None
        return found

    @cached_property
    def _names_for_hints(self) -> dict[str | None, dict[str, str]]:
        """Normalised name → name, per scorecard (and for all under None): built once, not for every row."""
        index: dict[str | None, dict[str, str]] = {None: {}}
        for kpi in self:
            key = normalise_name(kpi.name)
            index[None].setdefault(key, kpi.name)
            index.setdefault(kpi.scorecard, {}).setdefault(key, kpi.name)
        return index

    @cached_property
    def _closest_seen(self) -> dict[tuple[str, str | None, int], list[str]]:
        return {}

    def closest_names(self, name: str, scorecard: str | None = None, n: int = 3) -> list[str]:
        """Known names like `name`, for an "unknown KPI" message. A file repeats its unknown names row after
        row, so each distinct one is matched once per catalogue."""
        key = (normalise_name(name), scorecard, n)
        if key not in self._closest_seen:
            lookup = self._names_for_hints.get(scorecard, {})
            hits = difflib.get_close_matches(key[0], list(lookup), n=n, cutoff=0.5)
            self._closest_seen[key] = [lookup[h] for h in hits]
        return list(self._closest_seen[key])

    def with_extra(self, kpis: Iterable[KPI], aliases: dict[str, str] | None = None) -> Catalogue:
        return Catalogue([*self, *kpis], self.themes.values(), {**self.aliases, **(aliases or {})})


def normalise_name(name: str) -> str:
    """Case, spacing and quote style differ between exports of the same spreadsheet."""
    text = name.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_themes(directory: Path = CATALOGUE_DIR) -> list[Theme]:
    themes = []
    for line, row in enumerate(_read_csv(directory / "themes.csv"), start=2):
        try:
            themes.append(Theme.model_validate(row))
        except ValueError as exc:
            raise CatalogueError(f"themes.csv line {line}: {exc}") from exc
    return themes


def load_kpis(path: Path) -> list[KPI]:
    kpis = []
    for line, row in enumerate(_read_csv(path), start=2):
        try:
            kpis.append(KPI.model_validate(row))
        except ValueError as exc:
            raise CatalogueError(f"{path.name} line {line}: {exc}") from exc
    return kpis


def load_catalogue(directory: Path | None = None) -> Catalogue:
    directory = directory or catalogue_dir()
    return Catalogue(load_kpis(directory / "kpis.csv"), load_themes(directory))


def slug(text: str, taken: set[str]) -> str:
    """A readable, unique id for a KPI a manager adds: `No. of tribunal hearings` → `no-of-tribunal-hearings`."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-") or "kpi"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def new_kpi(catalogue: Catalogue, *, name: str, theme: str, unit: str, polarity: str, scorecard: str = "scorecard",
            section: str | None = None, definition: str | None = None, frequency: str = "month") -> KPI:
    """A KPI added on the upload page. Validated like the bundled ones; raises ValueError when it can't be."""
    name = " ".join(name.split())
    if catalogue.find_by_name(scorecard, name):
        raise ValueError(f"a KPI named {name!r} already exists")
    if theme not in catalogue.themes:
        raise ValueError(f"unknown theme {theme!r}")
    return KPI(
        id=slug(name, {k.id for k in catalogue}),
        scorecard=scorecard,
        order=1000 + len(catalogue),
        name=name,
        theme=theme,
        section=section or catalogue.themes[theme].name,
        unit=unit,  # type: ignore[arg-type]
        polarity=polarity,  # type: ignore[arg-type]
        polarity_source="domain",
        frequency=frequency,  # type: ignore[arg-type]
        definition=definition or f"Added on the upload page: {name}.",
        source="Added by a manager on the upload page",
    )
