"""sendlib.presentation.wording: the store's time stamps in UK time as people say them, and the line that says when
the figures were last changed, by whom and from which file, with no version id or UTC."""

from __future__ import annotations

import pytest

from sendlib.presentation.wording import figures_updated, local_when, written_by


@pytest.mark.parametrize(("stamp", "said"), [
    ("2026-12-07T14:02:31+00:00", "7 December 2026 at 14:02"),  # GMT in winter
    ("2025-04-01T09:30:00+00:00", "1 April 2025 at 10:30"),  # British Summer Time
    ("2025-04-01T09:30:00", "1 April 2025 at 10:30"),  # no zone: the store writes UTC
    ("2025-10-26T00:30:00+00:00", "26 October 2025 at 01:30"),  # the hour before the clocks go back
    ("not a time", ""),
    (None, ""),
])
def test_local_when(stamp: object, said: str) -> None:
    assert local_when(stamp) == said


def test_figures_updated_names_the_person_and_file_not_the_version() -> None:
    line = figures_updated("2026-12-07T14:02:00+00:00", author="send.manager@council.gov.uk",
                           file_name="feb25_scorecard.xlsx")
    assert line == ("Figures last updated on 7 December 2026 at 14:02 by send.manager@council.gov.uk, "
                    "from feb25_scorecard.xlsx.")
    assert figures_updated("2026-12-07T14:02:00+00:00") == "Figures last updated on 7 December 2026 at 14:02."
    assert figures_updated(None) == "No figures have been loaded yet."


def test_written_by() -> None:
    assert written_by("Jo Bloggs", "2024-04-10T09:12:00+00:00") == "Written by Jo Bloggs on 10 April 2024 at 10:12"
    assert written_by(None, "") == "Written by someone not recorded"
