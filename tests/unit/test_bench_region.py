"""bench/bench_region.py: the synthetic region the benchmark runs on must be a store the app can read.

Kept at 3 authorities x 6 months so it runs in a few seconds; the benchmark builds 150 x 120 the same way.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from locations import ROOT

from sendlib.domain.catalogue import load_catalogue
from sendlib.domain.table_spec import AUTHORITY
from sendlib.workflows.dfe_releases import dfe_tables
from sendlib.workflows.load import preview_bytes
from sendlib.workflows.stores import open_store

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_region import HOME, MONTH, Region, build_region, next_month, region_codes

AUTHORITIES = 3
MONTHS = 6


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Region:
    return build_region(tmp_path_factory.mktemp("region") / "store", region_codes(AUTHORITIES), MONTHS)


def test_every_authority_has_its_own_partition_of_the_same_rows(region: Region) -> None:
    assert len(region.codes) == len(set(region.codes)) == AUTHORITIES
    assert HOME in region.codes
    every = open_store(region.root, la=HOME).read_all()
    assert region.rows == len(every) == AUTHORITIES * region.rows_per_authority
    assert every.groupby(AUTHORITY).size().to_dict() == dict.fromkeys(region.codes, region.rows_per_authority)
    for code in region.codes:
        assert (region.root / "delta" / "values" / f"{AUTHORITY}={code}").is_dir()
    monthly = every[every["period"].str.fullmatch(MONTH)]
    assert monthly.groupby([AUTHORITY, "scorecard", "kpi_id", "series"]).size().eq(MONTHS).all()


def test_an_authority_opened_alone_reads_its_rows_only(region: Region) -> None:
    every = open_store(region.root, la=HOME).read_all()
    tables = {}
    for code in region.codes:
        store = open_store(region.root, la=code)
        table = store.read()
        mine = every[every[AUTHORITY] == code].drop(columns=AUTHORITY)
        assert len(table) == region.rows_per_authority
        assert table.equals(store.spec.normalise(mine))
        assert [v.action for v in store.versions()] == ["init"]  # the one commit, made for every authority
        tables[code] = table
    home = tables[HOME]
    latest = home[(home["kpi_id"] == "ehcps") & (home["series"] == "actual")].iloc[-1]
    assert (latest["period"], latest["value"]) == ("2025-01", 4453)  # the bundled document's own figure, kept
    other = next(t for c, t in tables.items() if c != HOME)
    assert not np.allclose(other["value"].fillna(-1).to_numpy(float), home["value"].fillna(-1).to_numpy(float))
    figures, groups = dfe_tables(open_store(region.root, la=HOME))
    assert figures.exists() and groups.exists()


def test_next_months_upload_is_all_new_rows_with_no_errors(region: Region) -> None:
    code = next(c for c in region.codes if c != HOME)
    catalogue = load_catalogue()
    data = next_month(region, code, catalogue, np.random.default_rng(0))
    preview = preview_bytes(data, "next.csv", open_store(region.root, la=code), catalogue)
    assert preview.errors == []
    assert preview.counts["new"] == len(preview.incoming) == data.count(b"\n") - 1
