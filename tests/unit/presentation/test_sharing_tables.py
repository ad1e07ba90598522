"""sendlib.presentation.sharing: the Sharing page's table of an authority's common definitions and its choice for
each (off by default, withdrawn kept in words, who and when), and its history in words; no other authority's row is
read."""

from __future__ import annotations

import pandas as pd

from sendlib.domain.catalogue import Catalogue
from sendlib.domain.common_measures import common_measures
from sendlib.domain.sharing import SHARING
from sendlib.presentation.sharing import CHOICE_COLUMNS, choice_words, choices_table, history_table
from sendlib.store.versioned import VersionInfo

COMMONS = common_measures()
TWENTY = "% of new EHC plans issued within 20 weeks, excluding exceptions"
EHCPS = "Number of EHC plans (January census)"
APPEALS = "SEND tribunal appeal rate (% of appealable decisions)"


def _sharing(rows: list[tuple[str, str, bool, str | None, str]]) -> pd.DataFrame:
    return SHARING.normalise(pd.DataFrame(rows, columns=["la_code", "common_measure", "shared", "author", "created_at"]))


def test_each_definition_once_with_its_measures_choice_and_who(catalogue: Catalogue) -> None:
    common_of = {"b04-20-week-rate-excl-exceptions": "twenty-week-excl", "ehcps": "ehcps",
                 "b48-send-appeals-rate": "appeal-rate", "not-in-the-catalogue": "appeal-rate",
                 "requests": "not-a-definition"}
    sharing = _sharing([("839", "twenty-week-excl", True, "a@bcp.gov.uk", "2025-04-01T09:30:00+00:00"),
                        ("839", "ehcps", False, None, "2025-04-02T10:00:00+00:00"),
                        ("908", "appeal-rate", True, "b@cornwall.gov.uk", "2025-04-03T11:00:00+00:00")])
    table = choices_table(common_of, catalogue, sharing, "839", COMMONS)
    assert table.columns.tolist() == CHOICE_COLUMNS
    assert table["Common definition"].tolist() == [TWENTY, EHCPS, APPEALS]  # by name; an unknown definition left out
    rows = table.set_index("common_measure")
    assert rows.loc["twenty-week-excl", "Our measures"] == catalogue["b04-20-week-rate-excl-exceptions"].name
    assert rows.loc["appeal-rate", "Our measures"] == f"{catalogue['b48-send-appeals-rate'].name}; not-in-the-catalogue"
    assert rows["Shared now"].to_dict() == {"twenty-week-excl": "Shared", "ehcps": "Not shared (withdrawn)",
                                            "appeal-rate": "Not shared"}  # Cornwall's choice is not ours
    assert rows["Last changed by"].to_dict() == {"twenty-week-excl": "a@bcp.gov.uk", "ehcps": "not recorded",
                                                 "appeal-rate": "no one yet (off by default)"}
    assert rows["When"].to_dict() == {"twenty-week-excl": "1 April 2025 at 10:30", "ehcps": "2 April 2025 at 11:00",
                                      "appeal-rate": "never"}  # UK time: British Summer Time in April
    assert rows["Which way is good"].to_dict() == {"twenty-week-excl": "higher is better",
                                                   "appeal-rate": "lower is better", "ehcps": "neither (not ranked)"}
    assert "b@cornwall.gov.uk" not in table.to_csv()


def test_nothing_to_share_is_an_empty_table_with_the_columns(catalogue: Catalogue) -> None:
    table = choices_table({}, catalogue, SHARING.empty(), "839", COMMONS)
    assert table.empty and table.columns.tolist() == CHOICE_COLUMNS


def test_the_history_in_words_by_name() -> None:
    assert choice_words("839 shares twenty-week-excl, ehcps; stops sharing appeal-rate", "839", COMMONS) == (
        f"Shared: {TWENTY}; {EHCPS}. Stopped sharing: {APPEALS}")
    assert choice_words("839 stops sharing gone-away", "839", COMMONS) == "Stopped sharing: gone-away"
    versions = [VersionInfo(id="000002", created_at="2025-04-02T10:00:00+00:00", action="sharing", rows=2,
                            message="839 stops sharing ehcps"),
                VersionInfo(id="000001", created_at="2025-04-01T09:30:00+00:00", action="share", rows=1,
                            author="a@bcp.gov.uk", message="839 shares ehcps")]
    table = history_table(versions, "839", COMMONS)
    assert table.to_dict("records") == [
        {"Version": "000002", "When": "2 April 2025 at 11:00", "Choice": f"Stopped sharing: {EHCPS}",
         "By": "not recorded"},
        {"Version": "000001", "When": "1 April 2025 at 10:30", "Choice": f"Shared: {EHCPS}", "By": "a@bcp.gov.uk"}]
