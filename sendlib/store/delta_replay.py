"""A Delta table read from its JSON commit entries alone, for when its newest checkpoint is damaged.

delta-rs reads a table from its newest checkpoint and will not read past one that does not read, though the commit
entries it summarises may all be whole. Replaying those entries (each `add` names a file, each `remove` takes one
away, the last `metaData` is the table's schema) gives the same files of any version, so reads carry on while the
checkpoint waits for `repair`. `LogReplay` offers the few `DeltaTable` methods the store reads through (version,
history, add actions with their statistics, a pyarrow dataset, count); it writes nothing, and the store refuses
every write until the checkpoint is rebuilt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs

_PRIMITIVE = {"string": "string", "long": "int64", "integer": "int32", "short": "int16", "byte": "int8",
              "double": "float64", "float": "float32", "boolean": "bool_", "date": "date32", "binary": "binary"}


class ReplayError(ValueError):
    """The entries replay to something this reader does not know (a type, a missing schema)."""


def arrow_type(delta_type: Any) -> pa.DataType:
    """A Delta schema type as Arrow's: the primitive types Delta tables of rows hold."""
    import pyarrow as pa

    if isinstance(delta_type, str):
        if delta_type in _PRIMITIVE:
            made: pa.DataType = getattr(pa, _PRIMITIVE[delta_type])()
            return made
        if delta_type == "timestamp":
            return pa.timestamp("us", tz="UTC")
        if delta_type == "timestamp_ntz":
            return pa.timestamp("us")
        if delta_type.startswith("decimal("):
            precision, scale = (int(n) for n in delta_type[len("decimal("):-1].split(","))
            return pa.decimal128(precision, scale)
    raise ReplayError(f"a column of Delta type {json.dumps(delta_type)}, which a log replay does not read")


def arrow_schema(metadata: dict[str, Any]) -> pa.Schema:
    import pyarrow as pa

    fields = json.loads(metadata["schemaString"])["fields"]
    return pa.schema([pa.field(f["name"], arrow_type(f["type"]), bool(f.get("nullable", True))) for f in fields])


class LogReplay:
    """Version `version` of a table replayed from its commit entries 0..version (`actions(v)` reads entry v)."""

    def __init__(self, version: int, actions: Callable[[int], list[dict[str, Any]]], fs: pafs.FileSystem):
        self._version = version
        self._fs = fs
        self._commits: list[dict[str, Any]] = []
        self._files: dict[str, dict[str, Any]] = {}
        metadata: dict[str, Any] | None = None
        for v in range(version + 1):
            commit: dict[str, Any] = {}
            for action in actions(v):
                kind, body = next(iter(action.items()))
                if kind == "add":
                    self._files[unquote(body["path"])] = body
                elif kind == "remove":
                    self._files.pop(unquote(body["path"]), None)
                elif kind == "metaData":
                    metadata = body
                elif kind == "commitInfo":
                    commit = body
            self._commits.append({**commit, "version": v})
        if metadata is None:
            raise ReplayError("no metaData action (the table's schema)")
        self.partition_columns: list[str] = list(metadata.get("partitionColumns") or [])
        self.arrow_schema = arrow_schema(metadata)

    def version(self) -> int:
        return self._version

    def history(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Each commit's `commitInfo` with its version, newest first, as `DeltaTable.history`."""
        newest_first = list(reversed(self._commits))
        return newest_first if limit is None else newest_first[:limit]

    def count(self) -> int:
        return sum(int(_stats(add).get("numRecords") or 0) for add in self._files.values())

    def get_add_actions(self, flatten: bool = True) -> pa.Table:
        """The current files as `DeltaTable.get_add_actions(flatten=True)` lists them: path, size, and per column the
        statistics the log records (in the column's type) and its partition value."""
        import pyarrow as pa

        rows = [self._row(add) for add in self._files.values()]
        columns = {"path": pa.array(list(self._files), pa.string()),
                   "size_bytes": pa.array([int(a["size"]) for a in self._files.values()], pa.int64())}
        for key in sorted({k for row in rows for k in row}):
            columns[key] = self._typed(key, [row.get(key) for row in rows])
        return pa.table(columns)

    def _row(self, add: dict[str, Any]) -> dict[str, Any]:
        stats = _stats(add)
        row: dict[str, Any] = {"num_records": stats.get("numRecords")}
        for kind, key in (("null_count", "nullCount"), ("min", "minValues"), ("max", "maxValues")):
            for column, value in (stats.get(key) or {}).items():
                if not isinstance(value, dict):
                    row[f"{kind}.{column}"] = value
        for column, value in (add.get("partitionValues") or {}).items():
            row[f"partition.{column}"] = value
        return row

    def _typed(self, key: str, values: list[Any]) -> pa.Array:
        """A statistics column in its column's type (JSON holds a date as text), or as JSON gave it."""
        import pyarrow as pa

        kind, _, column = key.partition(".")
        if kind in ("min", "max", "partition") and column in self.arrow_schema.names:
            target = self.arrow_schema.field(column).type
            try:
                return pa.array(values).cast(target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                return pa.array([None] * len(values), target)
        return pa.array(values)

    def to_pyarrow_dataset(self, file_pruning_predicate: list[tuple[str, str, Any]] | None = None) -> ds.Dataset:
        """The current files (those whose partition values `file_pruning_predicate` keeps) as a dataset in the
        table's schema, each file's partition values filled in as `DeltaTable.to_pyarrow_dataset` does."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        kept = [(path, add) for path, add in self._files.items() if _keeps(add, file_pruning_predicate or [])]
        expressions = []
        for _, add in kept:
            expression = pc.scalar(True)
            for column, value in (add.get("partitionValues") or {}).items():
                field = pc.field(column)
                typed = None if value is None else pa.scalar(value).cast(self.arrow_schema.field(column).type)
                expression = expression & (field.is_null() if typed is None else field == typed)
            expressions.append(expression)
        dataset: ds.Dataset = ds.FileSystemDataset.from_paths(
            [path for path, _ in kept], schema=self.arrow_schema, format=ds.ParquetFileFormat(), filesystem=self._fs,
            partitions=expressions)
        return dataset


def _stats(add: dict[str, Any]) -> dict[str, Any]:
    stats = add.get("stats")
    parsed = json.loads(stats) if isinstance(stats, str) else None
    return parsed if isinstance(parsed, dict) else {}


def _keeps(add: dict[str, Any], predicate: list[tuple[str, str, Any]]) -> bool:
    values = add.get("partitionValues") or {}
    for column, op, wanted in predicate:
        have = values.get(column)
        if op == "=" and have != wanted:
            return False
        if op == "in" and have not in list(wanted):
            return False
    return True
