"""A long extract of the store loads back unchanged, in every format: a figure never changes on the way out and in
(percentages under 1, such as 0.02% of pupils permanently excluded, were read back as pasted fractions: 2%)."""

from __future__ import annotations

import pytest

from sendlib.domain.catalogue import Catalogue
from sendlib.presentation.extracts import build_extract, export_bytes
from sendlib.store.delta import DeltaStore
from sendlib.workflows.load import preview_bytes


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_extract_loads_back_unchanged(built_store: DeltaStore, catalogue: Catalogue, fmt: str) -> None:
    table = built_store.read()
    small = table[(table["series"] == "actual") & (table["value"] > 0) & (table["value"] < 1)]
    assert len(small), "the bundled store holds percentages under 1 (the case this guards)"
    data = export_bytes(build_extract(table, catalogue), catalogue, fmt, version=built_store.head())
    preview = preview_bytes(data, f"extract.{fmt}", built_store, catalogue)
    assert preview.errors == []
    assert (preview.new, preview.revised, preview.unchanged) == (0, 0, len(table))


def _percent_file(unit_cell: str | None) -> bytes:
    heading = "kpi_id,period,value" + (",unit" if unit_cell is not None else "")
    cells = ["ehcps-statutory-school-age-pct", "2025-01", "0.316"] + ([unit_cell] if unit_cell is not None else [])
    return f"{heading}\n{','.join(cells)}\n".encode()


@pytest.mark.parametrize(("unit_cell", "value", "noted"), [
    (None, 31.6, True),  # a person's file: 0.316 among percentages is a pasted fraction, read so and said so
    ("percent", 0.316, False),  # an extract names each row's unit: the figure is in the store's terms
    ("Percent ", 0.316, False),
    ("count", 31.6, True),  # a unit that is not the KPI's says nothing about the figure
])
def test_a_row_that_names_its_unit_is_read_in_the_stores_terms(built_store: DeltaStore, catalogue: Catalogue,
                                                              unit_cell: str | None, value: float, noted: bool) -> None:
    preview = preview_bytes(_percent_file(unit_cell), "mine.csv", built_store, catalogue)
    assert preview.errors == []
    row = preview.incoming.iloc[0]
    assert row["value"] == pytest.approx(value)
    assert (isinstance(row["note"], str) and "fraction" in row["note"]) is noted
