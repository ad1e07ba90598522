"""What one versioned table holds, as the store needs to know it: a name, an Arrow schema, a normaliser.

Kept apart from the tables themselves so the store (and `history` / `check`) can name it without importing pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


AUTHORITY = "la_code"


@dataclass(frozen=True)
class TableSpec:
    """The values table is the store's main table; commentary and DfE releases are side tables with their own
    version chains, so an upload or a restore of the values never touches them (and the reverse)."""

    name: str
    arrow_schema: pa.Schema
    normalise: Callable[[pd.DataFrame], pd.DataFrame]
    # Columns the Delta store partitions by, so a commit rewrites only the partitions it changes and a reader of one
    # authority opens only that authority's files. The parquet store ignores it.
    partition_by: tuple[str, ...] = ()
    # Each authority's rows are its own: the Delta store keeps them under `la_code=<old code>/` (AUTHORITY, a
    # column the store adds and the spec's columns never hold), a store opened for one authority reads and writes
    # only its partition, and `read_all` is how the peer comparison (and an analyst) sees them side by side.
    per_authority: bool = False

    @property
    def columns(self) -> list[str]:
        return list(self.arrow_schema.names)

    def empty(self) -> pd.DataFrame:
        import pandas as pd

        return self.normalise(pd.DataFrame({c: [] for c in self.columns}))
