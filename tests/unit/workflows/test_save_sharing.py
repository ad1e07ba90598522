"""sendlib.workflows.sharing: an authority's choices saved as one version of their own side table, on the parquet store
and on the Delta store; saving what is already so writes nothing; an old version restores; the Sharing page's ticks
and unticks are one version of what changed; an authority's history is its own versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendlib.domain.sharing import shared_kpis, sharing_authorities
from sendlib.store.delta import DeltaStore
from sendlib.workflows.sharing import (
    UnknownMeasure,
    authority_history,
    choice_message,
    read_sharing,
    save_choices,
    save_sharing,
    sharing_store,
)
from sendlib.workflows.stores import open_store


@pytest.fixture(params=["parquet", "delta"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> DeltaStore:
    root = tmp_path / "store"
    return open_store(root) if request.param == "parquet" else DeltaStore(root)  # type: ignore[return-value]


def test_several_measures_are_shared_as_one_version_of_their_own_table(any_store: DeltaStore) -> None:
    info = save_sharing(any_store, "839", ["twenty-week-excl", "appeal-rate"], True, "a@bcp.gov.uk")
    assert info is not None and info.new == 2 and info.revised == 0
    assert info.author == "a@bcp.gov.uk" and info.action == "share" and "839 shares" in (info.message or "")
    assert [v.id for v in sharing_store(any_store).versions()] == [info.id]
    assert not any_store.exists()  # the figures table was not touched
    table = read_sharing(any_store)
    assert shared_kpis(table, "839") == {"twenty-week-excl", "appeal-rate"}
    assert set(table["author"]) == {"a@bcp.gov.uk"} and table["created_at"].notna().all()


def test_two_authorities_share_and_one_withdraws_keeping_the_choice(any_store: DeltaStore) -> None:
    save_sharing(any_store, "839", ["twenty-week-excl"], True, "a@bcp.gov.uk")
    save_sharing(any_store, "908", ["twenty-week-excl", "ehcps"], True, "b@cornwall.gov.uk")
    info = save_sharing(any_store, "908", ["twenty-week-excl"], False, "b@cornwall.gov.uk")
    assert info is not None and info.action == "unshare" and info.revised == 1 and info.new == 0
    table = read_sharing(any_store)
    assert sharing_authorities(table, "twenty-week-excl") == {"839"}
    assert shared_kpis(table, "908") == {"ehcps"}
    row = table[(table["la_code"] == "908") & (table["common_measure"] == "twenty-week-excl")].iloc[0]
    assert not row["shared"] and row["author"] == "b@cornwall.gov.uk"  # who stopped sharing, kept


def test_saving_what_is_already_so_writes_nothing(any_store: DeltaStore) -> None:
    assert save_sharing(any_store, "839", ["ehcps"], False) is None  # never shared: nothing to withdraw
    assert not sharing_store(any_store).exists()
    save_sharing(any_store, "839", ["ehcps"], True)
    assert save_sharing(any_store, "839", ["ehcps"], True) is None
    assert save_sharing(any_store, "839", ["appeal-rate"], False) is None
    assert save_sharing(any_store, "839", [], True) is None
    assert len(sharing_store(any_store).versions()) == 1


def test_an_old_version_restores(any_store: DeltaStore) -> None:
    first = save_sharing(any_store, "839", ["twenty-week-excl", "ehcps"], True, "a@bcp.gov.uk")
    save_sharing(any_store, "839", ["ehcps"], False, "a@bcp.gov.uk")
    assert shared_kpis(read_sharing(any_store), "839") == {"twenty-week-excl"}
    assert first is not None
    side = sharing_store(any_store)
    assert shared_kpis(side.read(first.id), "839") == {"twenty-week-excl", "ehcps"}  # the old version, as it was
    restored = side.restore(first.id, author="a@bcp.gov.uk")
    assert restored.restored_from == first.id
    assert shared_kpis(read_sharing(any_store), "839") == {"twenty-week-excl", "ehcps"}
    assert len(side.versions()) == 3  # history kept, not rewritten


def test_a_measure_that_is_not_a_common_definition_is_refused_before_writing(any_store: DeltaStore) -> None:
    with pytest.raises(UnknownMeasure, match="b04-20-week-rate-excl-exceptions"):
        save_sharing(any_store, "839", ["ehcps", "b04-20-week-rate-excl-exceptions"], True)
    assert not sharing_store(any_store).exists()


def test_ticks_and_unticks_are_saved_as_one_version_of_only_what_changed(any_store: DeltaStore) -> None:
    save_sharing(any_store, "839", ["twenty-week-excl", "ehcps"], True, "a@bcp.gov.uk")
    save_sharing(any_store, "908", ["ehcps"], True, "b@cornwall.gov.uk")
    info = save_choices(any_store, "839", {"twenty-week-excl": True, "ehcps": False, "appeal-rate": True,
                                           "requests": False}, "c@bcp.gov.uk")
    assert info is not None and info.action == "sharing" and info.author == "c@bcp.gov.uk"
    assert (info.new, info.revised) == (1, 1)  # appeal-rate new, ehcps withdrawn; the rest already so
    assert info.message == choice_message("839", ["appeal-rate"], ["ehcps"]) == "839 shares appeal-rate; stops sharing ehcps"
    table = read_sharing(any_store)
    assert shared_kpis(table, "839") == {"twenty-week-excl", "appeal-rate"}
    assert shared_kpis(table, "908") == {"ehcps"}  # another authority's choice untouched
    assert "requests" not in set(table["common_measure"])  # never shared and left so: nothing written for it
    mine = table[table["la_code"] == "839"].set_index("common_measure")
    assert mine.loc["twenty-week-excl", "author"] == "a@bcp.gov.uk"  # unchanged: who chose it stays
    assert mine.loc["ehcps", "author"] == mine.loc["appeal-rate", "author"] == "c@bcp.gov.uk"
    assert mine.loc["ehcps", "created_at"] == mine.loc["appeal-rate", "created_at"]  # one save, one time
    assert len(sharing_store(any_store).versions()) == 3
    assert save_choices(any_store, "839", {"twenty-week-excl": True, "ehcps": False}) is None
    assert len(sharing_store(any_store).versions()) == 3


def test_save_choices_refuses_what_is_not_a_common_definition_before_writing(any_store: DeltaStore) -> None:
    with pytest.raises(UnknownMeasure, match="own-kpi"):
        save_choices(any_store, "839", {"ehcps": True, "own-kpi": False})
    assert not sharing_store(any_store).exists()
    assert save_choices(any_store, "839", {"ehcps": False}) is None  # off by default: nothing to write
    assert not sharing_store(any_store).exists()


def test_an_authoritys_history_is_its_own_versions_only(any_store: DeltaStore) -> None:
    first = save_sharing(any_store, "839", ["ehcps"], True, "a@bcp.gov.uk")
    save_sharing(any_store, "908", ["ehcps"], True, "b@cornwall.gov.uk")
    save_sharing(any_store, "083", ["ehcps"], True)  # a code that "839" is not a prefix of, nor the other way
    last = save_choices(any_store, "839", {"ehcps": False, "appeal-rate": True}, "a@bcp.gov.uk")
    assert first is not None and last is not None
    mine = authority_history(sharing_store(any_store).versions(), "839")
    assert [v.id for v in mine] == [last.id, first.id]
    assert [v.id for v in authority_history(sharing_store(any_store).versions(), "83")] == []
