"""sendlib.domain.catalogue: the KPI catalogue loads, is complete, and refuses a broken file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from sendlib.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from sendlib.domain.paths import CATALOGUE_DIR

KPI_FILE = CATALOGUE_DIR / "kpis.csv"


def raw_rows() -> list[dict[str, str]]:
    """The catalogue file read with the csv module, not through sendlib."""
    with KPI_FILE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_loads(catalogue):
    assert isinstance(catalogue, Catalogue)
    assert len(catalogue) == len(raw_rows())


def test_scorecard_has_86_kpis(catalogue):
    # The scorecard seed has 86 KPI rows (its section rows aside).
    assert len(catalogue.for_scorecard("scorecard")) == 86


def test_board_has_49_numbered_measures_and_3_tiles(catalogue):
    board = catalogue.for_scorecard("board")
    measures = [k for k in board if k.order <= 49]
    tiles = [k for k in board if k.order > 49]
    assert sorted(k.order for k in measures) == list(range(1, 50))
    assert len(tiles) == 3
    assert sorted(k.name for k in tiles) == ["New EHCNA Requests Received", "Number of EHCPs", "Open EHCNA Caseload"]
    assert len(board) == 52


def test_ids_unique_in_the_file():
    ids = [r["id"] for r in raw_rows()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("row", raw_rows(), ids=lambda r: r["id"])
def test_every_kpi_is_documented(row):
    for column in ("definition", "polarity", "unit", "frequency", "source", "theme", "name"):
        assert row[column].strip(), f"{row['id']} has no {column}"
    assert row["unit"] in {"count", "percent", "days", "score"}
    assert row["polarity"] in {"higher_better", "lower_better", "neutral"}
    if row["target"].strip():
        assert row["target_source"].strip()


def test_every_kpi_theme_is_a_known_theme(catalogue):
    assert {k.theme for k in catalogue} <= set(catalogue.themes)


def test_same_named_rows_are_distinct_kpis_found_by_parent(catalogue):
    # Scorecard seed, Assessments and Requests: `no of above - primary phase` under
    # `No. of requests for EHC assessment` and again under `% request from parents`.
    under_requests = catalogue.find_by_name("scorecard", "no of above - primary phase", "No. of requests for EHC assessment")
    under_parents = catalogue.find_by_name("scorecard", "no of above - primary phase", "% request from parents")
    assert under_requests is not None and under_parents is not None
    assert under_requests.id != under_parents.id
    assert catalogue[under_requests.parent_id].name == "No. of requests for EHC assessment"
    assert catalogue[under_parents.parent_id].name == "% request from parents"


def test_find_by_name_ignores_case_spacing_and_quote_style(catalogue):
    kpi = catalogue.find_by_name("board", "Feedback from parents/carers: 'how helpful did you find contact with  Family Services Coordinators?'")
    assert kpi is not None and kpi.order == 22
    assert catalogue.find_by_name("scorecard", "  no. OF ehcps ").name == "No. of EHCPs"


def test_find_by_name_unknown_is_none(catalogue):
    assert catalogue.find_by_name("scorecard", "No. of unicorns") is None
    # A board name is not found among scorecard KPIs.
    assert catalogue.find_by_name("scorecard", "Number of personal budgets") is None


def test_qualified_name_tells_same_named_rows_apart(catalogue):
    names = {
        catalogue.qualified_name(k)
        for k in catalogue.for_scorecard("scorecard")
        if k.name == "no of above - primary phase"
    }
    assert len(names) == 2


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("No of EHCPs", "No. of EHCPs"),
        ("No. of complaint", "No. of complaints"),
        ("% of EHCPs in mainstream", "% of EHCPs in Mainstream"),
    ],
)
def test_closest_names_suggests_real_names(catalogue, typed, meant):
    suggestions = catalogue.closest_names(typed, "scorecard")
    assert meant in suggestions
    assert set(suggestions) <= {k.name for k in catalogue}


def test_closest_names_of_nonsense_is_empty(catalogue):
    assert catalogue.closest_names("zzzzqqqq", "scorecard") == []


# --- broken catalogue files ------------------------------------------------------------------------


def corrupt(tmp_path: Path, edit) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    path = target / "kpis.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = list(reader)
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


def _set(kpi_id: str, **changes):
    def edit(rows):
        for row in rows:
            if row["id"] == kpi_id:
                row.update(changes)
        return rows

    return edit


def _duplicate(rows):
    return [*rows, dict(rows[0])]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_duplicate, "sen-support"),
        (_set("complaints", theme="no-such-theme"), "no-such-theme"),
        (_set("complaints", unit="furlongs"), "unit"),
        (_set("complaints", target="10", target_source=""), "target_source"),
        (_set("requests-primary", parent_id="no-such-parent"), "no-such-parent"),
        (_set("complaints", polarity="up"), "polarity"),
        (_set("complaints", definition=""), "definition"),
        (_set("complaints", id="Bad Id!"), "id"),
    ],
    ids=["duplicate-id", "unknown-theme", "bad-unit", "target-without-source", "unknown-parent", "bad-polarity",
         "no-definition", "bad-id"],
)
def test_broken_catalogue_raises_catalogue_error(tmp_path, edit, message):
    directory = corrupt(tmp_path, edit)
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(directory)


def test_untouched_copy_loads(tmp_path):
    directory = corrupt(tmp_path, lambda rows: rows)
    assert len(load_catalogue(directory)) == len(raw_rows())


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace("\nhealth,Health,", "\nHealth!,Health,"),
        lambda text: text.rstrip("\n") + "\nhealth,Health again,care-health-and-ap,14,A second theme with the same id.\n",
    ],
    ids=["bad-theme-id", "duplicate-theme-id"],
)
def test_broken_themes_file_raises_catalogue_error(tmp_path, edit):
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    themes = target / "themes.csv"
    text = themes.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    themes.write_text(changed, encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_catalogue(target)
