"""sendlib.domain.sharing: which common definitions each authority shares, the latest choice winning, a withdrawal
kept as a choice, and which of a catalogue's KPIs have a definition to share by."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from sendlib.domain.benchmarks import load_mappings
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.common_measures import common_measures
from sendlib.domain.sharing import (
    SHARING,
    SHARING_COLUMNS,
    SharingChange,
    changes,
    common_measure_of,
    shared_kpis,
    sharing_authorities,
)


def _table(*rows: tuple[str, str, bool]) -> pd.DataFrame:
    return SHARING.normalise(pd.DataFrame([{"la_code": la, "common_measure": m, "shared": s, "author": "a@x.gov.uk",
                                            "created_at": f"2025-04-0{n + 1}T00:00:00+00:00"}
                                           for n, (la, m, s) in enumerate(rows)]))


def test_the_table_keeps_one_choice_per_authority_and_definition_the_last_winning() -> None:
    table = _table(("908", "twenty-week-excl", True), ("839", "twenty-week-excl", True),
                   ("908", "twenty-week-excl", False), ("839", "ehcps", True))
    assert list(table.columns) == SHARING_COLUMNS
    assert table[["la_code", "common_measure", "shared"]].values.tolist() == [
        ["839", "ehcps", True], ["839", "twenty-week-excl", True], ["908", "twenty-week-excl", False]]
    assert SHARING.empty().columns.tolist() == SHARING_COLUMNS and SHARING.empty().empty


def test_shared_kpis_and_sharing_authorities_count_only_choices_to_share() -> None:
    table = _table(("839", "twenty-week-excl", True), ("839", "ehcps", True), ("908", "twenty-week-excl", True),
                   ("908", "twenty-week-excl", False), ("878", "twenty-week-excl", True), ("878", "ehcps", False))
    assert shared_kpis(table, "839") == {"twenty-week-excl", "ehcps"}
    assert shared_kpis(table, "908") == set()  # withdrawn
    assert shared_kpis(table, "878") == {"twenty-week-excl"}
    assert shared_kpis(table, "879") == set()  # never chose
    assert sharing_authorities(table, "twenty-week-excl") == {"839", "878"}
    assert sharing_authorities(table, "ehcps") == {"839"}
    assert sharing_authorities(table, "appeal-rate") == set()


def test_an_authority_the_deployment_no_longer_serves_is_not_sharing() -> None:
    table = _table(("839", "ehcps", True), ("879", "ehcps", True))
    assert sharing_authorities(table, "ehcps", among=("839", "908")) == {"839"}


def test_a_change_is_validated_and_several_share_one_time_stamp() -> None:
    made = changes("839", ["ehcps", "appeal-rate", "ehcps"], True, "a@bcp.gov.uk")
    assert [c.common_measure for c in made] == ["ehcps", "appeal-rate"]
    assert len({c.created_at for c in made}) == 1 and made[0].key == ("839", "ehcps")
    with pytest.raises(ValidationError):
        SharingChange(la_code="", common_measure="ehcps", shared=True)
    with pytest.raises(ValidationError):
        SharingChange(la_code="839", common_measure="Not An Id!", shared=True)


def test_a_kpi_is_shared_by_its_common_definition(catalogue: Catalogue) -> None:
    commons = common_measures()
    found = common_measure_of(catalogue, load_mappings(catalogue=catalogue), commons)
    # The bundled catalogue's KPIs through their primary DfE mapping: b04 counts the 20-week rate excluding exceptions,
    # not the non-primary "including exceptions" context measure.
    assert found["b04-20-week-rate-excl-exceptions"] == "twenty-week-excl"
    assert found["b48-send-appeals-rate"] == "appeal-rate"
    assert "sen-support" not in found  # no DfE mapping, no common definition: nothing to compare
    assert set(found.values()) <= set(commons)


def test_an_authoritys_own_measure_is_shared_by_the_definition_it_names(catalogue: Catalogue) -> None:
    base = next(iter(catalogue))
    own = base.model_copy(update={"id": "own-rate", "common_measure": "appeal-rate"})
    stray = base.model_copy(update={"id": "own-stray", "common_measure": "no-such-definition"})
    theirs = Catalogue([own, stray], catalogue.themes.values())
    assert common_measure_of(theirs, [], common_measures()) == {"own-rate": "appeal-rate"}
