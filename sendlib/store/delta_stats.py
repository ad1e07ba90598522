"""A data file's content held against what the Delta log records of it when it was written: its row count, and per
column its empty cells, least and greatest value (the `stats` of its `add` action).

Delta records no checksum of a file, only its size and these statistics, so this is what shows a same-size change
inside a file (bit rot, a bad disk, a hand edit) that still reads as parquet. It sees a change that alters a row count,
an empty cell or a column's least or greatest value in that file; a value changed to another inside its file's range
is not seen (README: what `check` cannot see). Computing it costs one pass of vectorised min/max over rows already
read, so reads do it too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import DeltaTable

    from sendlib.store.delta_replay import LogReplay

_TRUNCATED = 32  # writers may cut long strings' statistics to a prefix


def stats_by_path(table: DeltaTable | LogReplay) -> dict[str, dict[str, Any]]:
    """Each current data file's statistics from the log, by its path in the table (unquoted)."""
    import pyarrow as pa

    rows = pa.table(table.get_add_actions(flatten=True)).to_pylist()
    return {unquote(str(r["path"])): r for r in rows}


def _same(found: Any, logged: Any) -> bool:
    if logged is None or found is None:
        return True  # no statistic recorded, or a column of nothing but empty cells
    if isinstance(found, float) and isinstance(logged, (float, int)):
        return math.isnan(found) or math.isnan(logged) or found == logged
    if isinstance(found, str) and isinstance(logged, str) and len(logged) >= _TRUNCATED:
        return found[: len(logged) - 1] == logged[:-1]
    return bool(found == logged)


def mismatch(data: pa.Table, stats: Mapping[str, Any] | None) -> str | None:
    """How a data file's rows differ from what the log records of it, or None when they agree."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if stats is None:
        return None
    if (rows := stats.get("num_records")) is not None and data.num_rows != rows:
        return f"holds {data.num_rows} rows where the log records {rows} (its content changed)"
    for column in data.column_names:
        nulls = stats.get(f"null_count.{column}")
        values = data.column(column)
        if nulls is not None and values.null_count != nulls:
            return (f"holds {values.null_count} empty cells in column {column} where the log records {nulls} (its "
                    "content changed)")
        low, high = stats.get(f"min.{column}"), stats.get(f"max.{column}")
        if (low is None and high is None) or values.null_count == len(values):
            continue
        if pa.types.is_string_view(values.type) or pa.types.is_large_string(values.type):
            values = values.cast(pa.string())
        extremes = pc.min_max(values).as_py()
        if not (_same(extremes["min"], low) and _same(extremes["max"], high)):
            # The values themselves are not shown: a table may hold personal data.
            return f"holds other least or greatest values in column {column} than the log records (its content changed)"
    return None
