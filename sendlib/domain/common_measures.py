"""Common definitions: measures several authorities share, so an authority's own measure, once pointed at one,
gets DfE's benchmarks at once.

Kept as data (`data/catalogue/common_measures.csv`, built by `scripts/build_common_measures.py` from
`dfe_benchmarks.csv` and DfE's LAIT data dictionary). `suggest_common` reads a scorecard's own phrasing —
`% EHCPs issued within 20 weeks (excl exceptions)` — and names the closest definition, saying why, or none.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sendlib.domain.catalogue import CatalogueError, Polarity
from sendlib.domain.paths import CATALOGUE_DIR
from sendlib.domain.values import Unit

COMMON_MEASURES_FILE = CATALOGUE_DIR / "common_measures.csv"
DFE_BENCHMARKS_FILE = CATALOGUE_DIR / "dfe_benchmarks.csv"

# Below this a suggestion would be a guess. A unit mismatch, or different figures in the two names (20 weeks,
# 52 weeks), halves the score, so neither ever reaches it.
THRESHOLD = 0.7
MISMATCH_FACTOR = 0.5
NEAR_TIE = 0.1
_FUZZY_TOKEN = 0.85
_WEIGHT_FLOOR = 1.0  # the words nearly every SEND name shares (EHC, plan) still count for something


class CommonMeasure(BaseModel):
    """One definition shared across authorities; `dfe_measure` is what brings DfE's benchmarks with it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")
    name: str = Field(min_length=1)
    unit: Unit
    polarity: Polarity
    source: Literal["dfe-benchmarks", "lait"]
    dfe_measure: str | None = None
    lait_code: str | None = None
    definition: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("synonyms", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(s.strip() for s in value.split(";") if s.strip())
        return value

    @model_validator(mode="after")
    def _source_fits(self) -> CommonMeasure:
        if self.source == "dfe-benchmarks" and not self.dfe_measure:
            raise ValueError(f"{self.id}: a dfe-benchmarks measure needs its dfe_measure")
        if self.source == "lait" and not self.lait_code:
            raise ValueError(f"{self.id}: a LAIT measure needs its lait_code")
        return self


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_common_measures(path: Path = COMMON_MEASURES_FILE,
                         benchmarks: Path = DFE_BENCHMARKS_FILE) -> dict[str, CommonMeasure]:
    """Every row validated; a bad one (or a `dfe_measure` dfe_benchmarks.csv does not have) fails naming its line."""
    known_dfe = {row["measure"] for row in _read_csv(benchmarks)}
    measures: dict[str, CommonMeasure] = {}
    for line, row in enumerate(_read_csv(path), start=2):
        try:
            measure = CommonMeasure.model_validate(row)
        except ValueError as exc:
            raise CatalogueError(f"{path.name} line {line}: {exc}") from exc
        if measure.id in measures:
            raise CatalogueError(f"{path.name} line {line}: id {measure.id!r} appears twice")
        if measure.dfe_measure and measure.dfe_measure not in known_dfe:
            raise CatalogueError(f"{path.name} line {line}: dfe_measure {measure.dfe_measure!r} is not in {benchmarks.name}")
        measures[measure.id] = measure
    return measures


@lru_cache(maxsize=1)
def common_measures() -> dict[str, CommonMeasure]:
    """The bundled definitions, shared by every authority, read once."""
    return load_common_measures()


# --- reading a name ------------------------------------------------------------------------------------------

def _plural(word: str) -> Callable[[re.Match[str]], str]:
    return lambda m: word + ("s" if m.group(1) else "")


# (pattern, what it reads as, whether the reason mentions it). Order matters: expansions before punctuation.
_READINGS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], bool]] = [
    (re.compile(r"\beducation,?\s+health\s+(?:and|&)\s+care\b", re.I), "EHC", False),
    (re.compile(r"\bEHCNA('?s)?\b", re.I), _plural("EHC needs assessment"), True),
    (re.compile(r"\bEHCP('?s)?\b", re.I), _plural("EHC plan"), True),
    (re.compile(r"\bstatements?(?:\s+of\s+\(?SEN\)?)?\s*(?:/|\bor\b|\band\b)\s*(?=EHC)", re.I), "", False),
    (re.compile(r"\b(?:excl|exc)\b\.?", re.I), "excluding", True),
    (re.compile(r"\b(?:incl|inc)\b\.?", re.I), "including", True),
    (re.compile(r"\bRWM\b", re.I), "reading, writing and maths", True),
    (re.compile(r"\bkey\s+stage\b", re.I), "KS", False),
    (re.compile(r"\bCYP\b", re.I), "children and young people", False),
    (re.compile(r"\bwks?\b\.?", re.I), "weeks", True),
    (re.compile(r"\byrs?\b\.?", re.I), "years", True),
    (re.compile(r"\bmths?\b\.?", re.I), "months", True),
    (re.compile(r"\bno\.|\bno\s+of\b|\bnumber\s+of\b|\bnum\b|\bnos\b\.?", re.I), " number ", False),
    (re.compile(r"%|\bpercentage\b|\bper\s?cent\b|\bproportion\b|\bpct\b", re.I), " percent ", False),
    (re.compile(r"&"), " and ", False),
]
_STOPWORDS = frozenset(
    "a an the of in for to by with at on and or who that which where were was is are be been has have had as from "
    "per its their than into this these those it".split()
)
_UNIT_WORDS = frozenset({"number", "percent"})
# `EHC assessment` and `EHC needs assessment` are one thing; `needs` is in nearly every SEND name.
_STEM_STOPWORDS = frozenset({"need"})
_TOKEN_ALIASES = {"send": "sen"}
_UNIT_ALIASES: dict[str, Unit] = {"duration": "days", "%": "percent", "number": "count"}
_UNITS: tuple[str, ...] = get_args(Unit)
# Days and weeks are one kind: a duration kept in either converts; a count and a percentage never do.
_KIND: dict[str, str] = {"count": "a count", "percent": "a percentage", "days": "a duration", "weeks": "a duration",
                         "score": "a score"}


@dataclass(frozen=True)
class _Read:
    tokens: frozenset[str]
    unit: Unit | None
    readings: tuple[str, ...]


def _stem(word: str) -> str:
    word = _TOKEN_ALIASES.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    if len(word) > 5 and word.endswith("ed"):
        return word[:-2]
    return word


def _name_unit(words: list[str]) -> Unit | None:
    """The unit a name gives away: `%` is a percentage; `average … weeks` a duration; `number of` a count."""
    found = set(words)
    if "percent" in found:
        return "percent"
    if found & {"average", "mean", "median", "time"} and found & {"week", "weeks", "day", "days"}:
        return "weeks" if found & {"week", "weeks"} else "days"
    if "number" in found:
        return "count"
    return None


def _read_name(name: str) -> _Read:
    """A name as comparable tokens, the unit it implies, and the readings worth telling a person about."""
    text = name.replace("’", "'").replace("‘", "'")
    text = re.sub(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)", " ", text)
    readings: list[str] = []
    for pattern, replacement, told in _READINGS:
        if told:
            for match in pattern.finditer(text):
                said = match.group(0).rstrip(".")
                note = f'"{said}" read as "{replacement(match) if callable(replacement) else replacement}"'
                if note not in readings:
                    readings.append(note)
        text = pattern.sub(replacement, text)
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    tokens = frozenset(_stem(w) for w in words if w not in _STOPWORDS and w not in _UNIT_WORDS) - _STEM_STOPWORDS
    return _Read(tokens, _name_unit(words), tuple(readings))


# --- matching ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """The closest common definition (or none), the reason in words, and the score it was chosen on."""

    measure_id: str | None
    reason: str
    score: float


@dataclass(frozen=True)
class _Variant:
    measure: CommonMeasure
    label: str
    tokens: frozenset[str]
    total: float
    figures: frozenset[str]


@dataclass(frozen=True)
class _Query:
    stands_for: dict[str, list[tuple[str, float]]]  # a word in the definitions → the query words it matches, how well
    weight: dict[str, float]
    total: float


class _Index:
    """Every definition's name and synonyms as token sets, weighted by how rare each word is, built once."""

    def __init__(self, measures: dict[str, CommonMeasure]):
        labels = [(m, label, _read_name(label).tokens) for m in measures.values() for label in (m.name, *m.synonyms)]
        frequency: dict[str, int] = {}
        for m in measures.values():
            for token in {t for measure, _, tokens in labels if measure is m for t in tokens}:
                frequency[token] = frequency.get(token, 0) + 1
        total = len(measures) + 1
        self.weight = {t: max(math.log(total / (n + 0.5)), _WEIGHT_FLOOR) for t, n in frequency.items()}
        self.variants = [_Variant(m, label, tokens, sum(self.weight[t] for t in tokens), _figures(tokens))
                         for m, label, tokens in labels]
        self._holding: dict[str, list[int]] = {}
        for at, variant in enumerate(self.variants):
            for token in variant.tokens:
                self._holding.setdefault(token, []).append(at)
        self.unknown_weight = math.log(total / 0.5)
        self.kinds = {_KIND[m.unit] for m in measures.values()}
        self._by_prefix: dict[str, list[str]] = {}
        for token in self.weight:
            if token.isalpha() and len(token) >= 4:
                self._by_prefix.setdefault(token[:2], []).append(token)

    def alike(self, token: str) -> dict[str, float]:
        """Words in the definitions a query word may stand for: itself, or a near spelling (`issue` / `issued`)."""
        found = {token: 1.0} if token in self.weight else {}
        if token.isalpha() and len(token) >= 4:
            for other in self._by_prefix.get(token[:2], ()):
                if other != token and abs(len(other) - len(token)) <= 2:
                    ratio = difflib.SequenceMatcher(None, token, other).ratio()
                    if ratio >= _FUZZY_TOKEN:
                        found[other] = ratio
        return found

    def query(self, tokens: frozenset[str]) -> _Query:
        stands_for: dict[str, list[tuple[str, float]]] = {}
        weight: dict[str, float] = {}
        for q in tokens:
            alike = self.alike(q)
            weight[q] = max((self.weight[t] for t in alike), default=self.unknown_weight)
            for token, ratio in alike.items():
                stands_for.setdefault(token, []).append((q, ratio))
        return _Query(stands_for, weight, sum(weight.values()))

    def sharing(self, query: _Query) -> list[_Variant]:
        """Only names with a word in common can score at all."""
        found = {at for token in query.stands_for for at in self._holding[token]}
        return [self.variants[at] for at in sorted(found)]

    def similarity(self, query: _Query, variant: _Variant) -> float:
        """A soft Dice coefficient weighted by rarity: shared rare words count, shared `EHC plan` hardly."""
        matched_c = 0.0
        best_q: dict[str, float] = {}
        for c in variant.tokens:
            hits = query.stands_for.get(c)
            if hits:
                matched_c += self.weight[c] * max(ratio for _, ratio in hits)
                for q, ratio in hits:
                    if ratio > best_q.get(q, 0.0):
                        best_q[q] = ratio
        matched_q = sum(query.weight[q] * ratio for q, ratio in best_q.items())
        return (matched_q + matched_c) / (query.total + variant.total)


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(common_measures())


def _unit(unit: str | None) -> Unit | None:
    if unit is None or not unit.strip():
        return None
    unit = unit.strip().lower()
    if unit in _UNITS:
        return unit  # type: ignore[return-value]
    if unit in _UNIT_ALIASES:
        return _UNIT_ALIASES[unit]
    raise ValueError(f"unknown unit {unit!r}: one of {', '.join(_UNITS)}")


def _figures(tokens: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if t.isdigit())


@dataclass(frozen=True)
class _Scored:
    variant: _Variant
    name_score: float
    score: float
    unit_words: str
    figures_differ: bool

    def words(self) -> str:
        label, measure = self.variant.label, self.variant.measure
        via = "" if label == measure.name else f', as "{label}"'
        said = f"name alike ({self.name_score:.2f}{via}), {self.unit_words}"
        if self.figures_differ:
            said += f" (different figures: {', '.join(sorted(self.variant.figures, key=int))})"
        return said


def _score(index: _Index, query: _Query, figures: frozenset[str], variant: _Variant, unit: Unit | None,
           unit_from_name: bool) -> _Scored:
    name_score = index.similarity(query, variant)
    theirs = variant.measure.unit
    if unit is None:
        unit_words, clash = "unit not known", False
    elif theirs == unit:
        unit_words, clash = f"same unit ({unit}{', read from the name' if unit_from_name else ''})", False
    elif _KIND[theirs] == _KIND[unit]:
        unit_words, clash = f"both durations ({theirs} / {unit}{', read from the name' if unit_from_name else ''})", False
    else:
        unit_words, clash = f"but it is {_KIND[theirs]} and this is {_KIND[unit]}", True
    figures_differ = bool(figures and variant.figures and not figures & variant.figures)
    score = name_score * (MISMATCH_FACTOR if clash else 1.0) * (MISMATCH_FACTOR if figures_differ else 1.0)
    return _Scored(variant, name_score, score, unit_words, figures_differ)


def suggest_common(name: str, unit: str | None) -> Suggestion:
    """The common definition closest to `name` and `unit` (the unit read from the name when not given).

    Raises ValueError for a unit that is none of the catalogue's (`duration` is read as days). Days and weeks
    match each other; any other difference of unit counts strongly against a match."""
    return _suggest(" ".join(name.split()), _unit(unit))


@lru_cache(maxsize=4096)
def _suggest(name: str, given: Unit | None) -> Suggestion:
    read = _read_name(name)
    if not read.tokens:
        return Suggestion(None, "nothing close enough: no words to match", 0.0)
    index = _index()
    unit = given or read.unit
    query = index.query(read.tokens)
    figures = _figures(read.tokens)
    best: dict[str, _Scored] = {}
    for variant in index.sharing(query):
        scored = _score(index, query, figures, variant, unit, given is None)
        held = best.get(variant.measure.id)
        if held is None or scored.score > held.score:
            best[variant.measure.id] = scored
    if not best:
        return Suggestion(None, "nothing close enough: no word in common with any common definition", 0.0)
    top, *others = sorted(best.values(), key=lambda s: -s.score)
    if top.score < THRESHOLD:
        why = "nothing close enough"
        if unit is not None and _KIND[unit] not in index.kinds:
            why += f": no common definition is {_KIND[unit]}"
        return Suggestion(None, f'{why} (closest: "{top.variant.measure.name}", {top.words()})', top.score)
    reason = top.words()
    if read.readings:
        reason += "; " + ", ".join(read.readings)
    if others and others[0].score >= THRESHOLD and top.score - others[0].score < NEAR_TIE:
        reason += f'; also close: "{others[0].variant.measure.name}" ({others[0].score:.2f})'
    return Suggestion(top.variant.measure.id, reason, top.score)
