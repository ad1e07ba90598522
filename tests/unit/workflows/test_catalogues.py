"""Another council's scorecard, from refusal to loaded: its measures set up from the file itself, each value exact in
the export, its 20-week measure mapped to DfE's and benchmarked for that authority."""

from __future__ import annotations

from pathlib import Path

import pytest
from other_councils import COUNCILS, HERE, Council

from sendlib.domain.catalogue import load_catalogue
from sendlib.presentation.extracts import build_extract
from sendlib.store.delta import DeltaStore
from sendlib.workflows.catalogues import add_measures, measures_store, propose, store_catalogue
from sendlib.workflows.dfe_releases import benchmarks_for_store
from sendlib.workflows.load import ImportRefused, load_file, parse_bytes
from sendlib.workflows.stores import open_store


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return open_store(tmp_path / "store")


def _set_up(store: DeltaStore, council: Council) -> list[str]:
    path = HERE / council.file
    catalogue = store_catalogue(store, council.la)
    parsed = parse_bytes(path.read_bytes(), path.name, catalogue)
    assert parsed.errors and all(e.kind == "unknown-kpi" for e in parsed.errors)
    proposals = propose(parsed.unknown, catalogue)
    kpis, info = add_measures(store, proposals, la=council.la, author="a.manager", file_name=path.name)
    assert info is not None
    return [k.id for k in kpis]


@pytest.mark.parametrize("council", COUNCILS, ids=lambda c: c.file)
def test_refused_then_set_up_then_loaded_every_value_exact(store: DeltaStore, council: Council) -> None:
    path = HERE / council.file
    with pytest.raises(ImportRefused):
        load_file(store, path, store_catalogue(store, council.la))
    ids = _set_up(store, council)
    catalogue = store_catalogue(store, council.la)
    _, info = load_file(store, path, catalogue, author="a.manager")
    assert info is not None
    rows = build_extract(store.read(), catalogue).rows
    for kpi_id, measure in zip(ids, council.measures, strict=True):
        mine = rows[(rows["kpi_id"] == kpi_id) & (rows["series"] == "actual")].set_index("period")["value"]
        assert {p: mine.get(p) for p in council.periods} == dict(zip(council.periods, measure.values, strict=True))
        target = rows[(rows["kpi_id"] == kpi_id) & (rows["series"] == "target")]["value"].tolist()
        assert target == ([measure.target_value] if measure.target_value is not None else [])


@pytest.mark.parametrize("council", COUNCILS, ids=lambda c: c.file)
def test_the_suggestions_are_right(store: DeltaStore, council: Council) -> None:
    path = HERE / council.file
    catalogue = store_catalogue(store, council.la)
    proposals = propose(parse_bytes(path.read_bytes(), path.name, catalogue).unknown, catalogue)
    assert [p.name for p in proposals] == [m.name for m in council.measures]
    for p, m in zip(proposals, council.measures, strict=True):
        assert (p.unit, p.polarity, p.cumulative, p.target, p.section) == (
            m.unit, m.expected_polarity, m.cumulative, m.target_value, m.section), p.name
        assert p.frequency == ("quarter" if council.periods[0].endswith("Q1") else "month")
        assert p.common_measure == m.common, (p.name, p.common_measure_reason)
        assert p.common_measure_reason


def test_each_authority_has_its_own_catalogue(store: DeltaStore) -> None:
    north, east = COUNCILS[0], COUNCILS[1]
    _set_up(store, north)
    assert len(store_catalogue(store, north.la)) == len(north.measures)
    assert len(store_catalogue(store, east.la)) == 0
    assert len(store_catalogue(store, "839")) == len(load_catalogue())
    assert len(measures_store(store.authority(north.la)).versions()) == 1
    assert measures_store(store).versions() == [], "one authority's set-up is not in another's history"


def test_a_new_authoritys_20_week_measure_gets_dfe_benchmarks_for_that_authority(store: DeltaStore) -> None:
    council = COUNCILS[0]
    ids = _set_up(store, council)
    twenty = ids[[m.common for m in council.measures].index("twenty-week-excl")]
    catalogue = store_catalogue(store, council.la)
    rows = benchmarks_for_store(store, catalogue, la=council.la)
    mine = rows[rows["kpi_id"] == twenty]
    assert set(mine["measure"]) >= {"twenty-week-excl"}
    assert {"national", "regional", "statistical_neighbours", "home_la"} <= set(mine["series"])
    bundled = benchmarks_for_store(store, load_catalogue(), la=council.la)
    board = bundled[(bundled["kpi_id"] == "b04-20-week-rate-excl-exceptions")
                    & (bundled["measure"] == "twenty-week-excl")]
    key = ["period", "series"]
    assert mine[mine["measure"] == "twenty-week-excl"].set_index(key)["value"].equals(
        board.set_index(key)["value"])


def test_set_up_and_load_writes_the_authority_it_is_asked_for(store: DeltaStore) -> None:
    """A store opened for the bundled authority, asked to set up and load another's file: the measures and the
    figures both go to that authority, read with its own catalogue; the store's own authority is untouched."""
    from sendlib.workflows.catalogues import set_up_and_load

    council = COUNCILS[0]
    path = HERE / council.file
    home = store.authority("839")
    catalogue = store_catalogue(home, council.la)
    proposals = propose(parse_bytes(path.read_bytes(), path.name, catalogue).unknown, catalogue)
    done = set_up_and_load(home, proposals, path.read_bytes(), path.name, la=council.la, author="a.manager")
    assert done.preview.ok and done.figures is not None, done.preview.errors[:3]
    theirs = store.authority(council.la).read()
    assert set(theirs["kpi_id"]) == {k.id for k in done.kpis}
    assert len(theirs) == done.figures.new
    assert not home.exists() or home.read_or_empty().empty
    assert {k.id for k in done.kpis} <= {k.id for k in store_catalogue(store, council.la)}
    assert not ({k.id for k in done.kpis} & {k.id for k in store_catalogue(home)})


def test_pages_list_own_measures_and_only_the_common_definitions_held(store: DeltaStore) -> None:
    """Every common definition is read (by id, name or synonym), but a page lists one only once figures for it are
    held; the bundled catalogue's own measures are listed whatever is held, and a definition a bundled KPI
    benchmarks is that KPI, not a second measure."""
    from sendlib.workflows.catalogues import listed

    bundled = store_catalogue(store.authority("839"), with_common=True)
    assert {k.id for k in listed(bundled, [])} == {k.id for k in load_catalogue()}
    assert "twenty-week-excl" not in bundled  # the bundled 20-week KPI carries it
    new = store_catalogue(store.authority("880"), with_common=True)
    assert len(listed(new, [])) == 0 and "ehcps" in new
    shown = listed(new, ["ehcps"])
    assert [k.id for k in shown] == ["ehcps"] and shown.find_by_name("scorecard", "Number of EHCPs") is not None
