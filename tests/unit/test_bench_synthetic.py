"""bench/synthetic.py: the N-times scorecard the benchmark runs on must load and import cleanly.

Kept at scale 2 so it runs in a couple of seconds; bench/bench.py uses the same generator at 100.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from locations import ROOT

from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.paths import CATALOGUE_DIR, SCORECARD_FILE
from sendlib.workflows.load import preview_bytes
from sendlib.workflows.stores import open_store

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import Synthetic, generate

SCALE = 2


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Synthetic:
    return generate(tmp_path_factory.mktemp("synthetic"), SCALE)


def test_catalogue_loads_with_distinct_ids_and_names(synthetic: Synthetic) -> None:
    bundled = load_catalogue(CATALOGUE_DIR)
    catalogue = load_catalogue(synthetic.catalogue_dir)
    scorecard = bundled.for_scorecard("scorecard")
    assert len(catalogue) == len(bundled) + (SCALE - 1) * len(scorecard) == synthetic.kpis
    copies = catalogue.for_scorecard("scorecard")
    assert len(copies) == SCALE * len(scorecard)
    # told apart as the wide reader tells them apart: by name, and a child row by its parent's name
    assert len({(k.name, k.parent_id and catalogue[k.parent_id].name) for k in copies}) == len(copies)
    for kpi in scorecard:  # copy 0 is the bundled scorecard itself: the overview's headline ids still exist
        assert catalogue[kpi.id].name == kpi.name
    child = catalogue["a01-requests-primary"]
    assert child.name.lower().startswith("no of above")
    assert child.parent_id == "a01-requests"
    assert catalogue.qualified_name(child).startswith("No. of requests for EHC assessment [area 001] – ")


def test_wide_csv_imports_with_no_errors_and_every_row(synthetic: Synthetic, tmp_path: Path) -> None:
    catalogue = load_catalogue(synthetic.catalogue_dir)
    bundled = preview_bytes(SCORECARD_FILE.read_bytes(), SCORECARD_FILE.name, open_store(tmp_path / "a"), load_catalogue(CATALOGUE_DIR))
    preview = preview_bytes(synthetic.scorecard_csv.read_bytes(), synthetic.scorecard_csv.name, open_store(tmp_path / "b"), catalogue)

    assert preview.layout == "wide"
    assert preview.errors == []
    assert synthetic.scorecard_kpi_rows == SCALE * 86
    assert len(preview.incoming) == synthetic.expected_records == SCALE * len(bundled.incoming)
    copies = preview.incoming[preview.incoming["kpi_id"].str.startswith("a01-")]
    assert len(copies) == len(bundled.incoming)
    assert {"a01-requests-primary", "a01-parent-requests-primary"} <= set(copies["kpi_id"])
    # the copy's arrows agree with its own figures: no more arrow warnings than the bundled file has
    arrows = [w for w in preview.warnings if "the arrow" in w]
    assert len(arrows) == len([w for w in bundled.warnings if "the arrow" in w])


def test_figures_keep_their_units_and_are_deterministic(synthetic: Synthetic, tmp_path: Path) -> None:
    catalogue = load_catalogue(synthetic.catalogue_dir)
    table = preview_bytes(synthetic.scorecard_csv.read_bytes(), "s.csv", open_store(tmp_path / "s"), catalogue).incoming
    values = table[table["value"].notna()]
    units = values["kpi_id"].map(lambda i: catalogue[i].unit)
    percent = values.loc[units == "percent", "value"].astype(float)
    count = values.loc[units == "count", "value"].astype(float)
    assert percent.between(0, 100).all()
    assert (count >= 0).all() and (count == count.round()).all()
    assert table["count"].dropna().ge(0).all()

    again = generate(tmp_path / "again", SCALE)
    assert again.scorecard_csv.read_bytes() == synthetic.scorecard_csv.read_bytes()
    assert (again.catalogue_dir / "kpis.csv").read_bytes() == (synthetic.catalogue_dir / "kpis.csv").read_bytes()
