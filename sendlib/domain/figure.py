"""A figure, typed: one value of one measure for one period from one source, with the words people read beside it.

Tiles, grids, measure pages, exceptions and the report are each handed a `Figure` rather than a row of loose cells,
so the value, its period, where it came from and its standing among authorities travel together, as numbers. The
quartile rule DfE uses lives here, once (`quartile_of`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sendlib.domain.periods import long_label
from sendlib.domain.values import Unit, format_value

Source = Literal["typed", "computed", "dfe"]
SOURCE_WORDS: dict[Source, str] = {
    "typed": "typed in the document",
    "computed": "computed from case records",
    "dfe": "published by DfE",
}
QUARTILE_WORDS = {1: "top quarter", 2: "second quarter", 3: "third quarter", 4: "bottom quarter"}


def quartile_of(rank: int, count: int) -> int:
    """DfE's quartile band for a rank among `count` authorities (1 = the top quarter): the one rule, for DfE's yearly
    figures and for the monthly figures authorities share."""
    return min(4, 1 + (rank - 1) * 4 // count)


def quartile_words(quartile: int, polarity: str) -> str:
    """Quartile 1..4 in words, saying whether the top is the best (only where the measure has a direction)."""
    words = QUARTILE_WORDS[int(quartile)]
    if polarity == "neutral":
        return f"{words} (1 = highest)"
    return f"{words} ({'best' if quartile == 1 else 'worst' if quartile == 4 else 'middle'} — 1 = best)"


@dataclass(frozen=True)
class Standing:
    """Where a figure ranks among the authorities with one: numbers, worded only when shown."""

    rank: int
    of: int
    polarity: str = "neutral"

    def __post_init__(self) -> None:
        if not 1 <= self.rank <= self.of:
            raise ValueError(f"rank {self.rank} is not among {self.of}")

    @property
    def quartile(self) -> int:
        return quartile_of(self.rank, self.of)

    @property
    def text(self) -> str:
        """'43 of 153'."""
        return f"{self.rank} of {self.of}"

    @property
    def words(self) -> str:
        """'43 of 153 authorities, second quarter (middle — 1 = best)'."""
        return f"{self.text} authorities, {quartile_words(self.quartile, self.polarity)}"


@dataclass(frozen=True)
class Figure:
    """One value of one measure: what it is, for when, from where, and how it reads."""

    kpi_id: str
    value: float | None
    period: str | None
    source: Source
    unit: Unit
    where: str = ""  # the document, the case records' version, or DfE's release
    change: str = ""  # `trends.change_words`: "▲ Up – better"
    rating: str = ""  # `trends.rag_words`: "✖ Off target"
    standing: Standing | None = None
    note: str = ""

    @property
    def text(self) -> str:
        """The value as the unit prints it ('15.9%', '4,453', '38 weeks 4 days'), or a dash."""
        return "—" if self.value is None else format_value(self.value, self.unit)

    @property
    def period_text(self) -> str:
        if not self.period:
            return "no period"
        return f"calendar year {self.period}" if len(self.period) == 4 else long_label(self.period)

    @property
    def source_words(self) -> str:
        return SOURCE_WORDS[self.source] + (f" ({self.where})" if self.where else "")
