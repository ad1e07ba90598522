"""The Upload and History pages' words, from a real preview of next month's scorecard over the bundled store."""

from __future__ import annotations

import re

import pytest
from locations import DATA_DIR

from sendlib.domain.catalogue import Catalogue
from sendlib.files.parsed import Notice, WarningKind
from sendlib.presentation.upload_preview import (
    UploadSummary,
    history_table,
    outcome_sentence,
    periods_in_words,
    summarise,
    technical_table,
    undo_sentence,
    version_label,
    warning_sentence,
)
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import VersionInfo
from sendlib.workflows.load import Preview, preview_bytes


@pytest.fixture(scope="module")
def preview(built_store: DeltaStore, catalogue: Catalogue) -> Preview:
    return preview_bytes((DATA_DIR / "scorecard_new_month.xlsx").read_bytes(), "feb25_scorecard.xlsx", built_store,
                         catalogue)


@pytest.fixture(scope="module")
def summary(preview: Preview, catalogue: Catalogue) -> UploadSummary:
    return summarise(preview, catalogue)


def test_new_figures_are_listed_by_measure_name_and_month_sorted_by_measure(summary: UploadSummary) -> None:
    assert summary.new.to_dict("records") == [
        {"Measure": "No. of complaints", "Month": "March 2025", "Figure": "9"},
        {"Measure": "No. of EHCPs", "Month": "March 2025", "Figure": "4,501"},
    ]


def test_revised_figures_show_old_and_new_in_the_measures_unit(summary: UploadSummary) -> None:
    assert summary.revised.to_dict("records") == [
        {"Measure": "No. of EHCPs", "Month": "January 2025", "Was": "4,453", "Now": "4,460"}]


def test_unchanged_figures_are_one_row_a_measure_adding_up_to_the_count(summary: UploadSummary, preview: Preview) -> None:
    assert summary.unchanged["Figures"].sum() == preview.unchanged == 970
    assert summary.unchanged["Measure"].is_unique
    assert not summary.unchanged.isna().any().any()


def test_headline_names_the_new_month(summary: UploadSummary) -> None:
    assert summary.headline == ("feb25_scorecard.xlsx adds 2 new figures for March 2025 and changes 1 figure saved "
                                "before. 970 other figures in it are already saved as they are.")


def test_each_warning_names_its_measure_and_month_never_a_row_or_column(summary: UploadSummary) -> None:
    arrows = next(s for s in summary.warnings if s.heading == "Arrows that contradict the figures")
    assert arrows.count == 13
    assert ("No. of Children accessing SEN Funding - Tier 1, April 2024: the arrow ▼ says it went down, but the figure "
            "rose from 61 to 130.") in arrows.sentences
    sentences = [t for s in summary.warnings for t in s.sentences]
    assert not [t for t in sentences if re.search(r"\brow \d|column|00:00:00", t)]
    assert [s.heading for s in summary.warnings] == ["Arrows that contradict the figures",
                                                     "Fractions read as percentages"], "revisions have their own table"


def test_a_warning_no_reader_could_place_keeps_its_message(catalogue: Catalogue) -> None:
    assert warning_sentence(Notice(WarningKind.SECTION, "row 3: odd"), catalogue) == "row 3: odd"


def test_periods_read_as_people_say_them() -> None:
    assert periods_in_words(["2025-03"]) == "March 2025"
    assert periods_in_words(["2025-03", "2025-02"]) == "February 2025 and March 2025"
    assert periods_in_words(["2025-03", "2024-01", "2024-07"]) == "January 2024 to March 2025"


def test_outcome_sentence() -> None:
    assert outcome_sentence(2, 1, ["2025-03"]) == "Saved: 2 new figures for March 2025, 1 revised. Every page now shows them."
    assert outcome_sentence(0, 1, [], ["2025-01"]) == "Saved: 1 revised figure for January 2025. Every page now shows it."
    assert outcome_sentence(0, 0, []).startswith("Nothing changed")


def _version(vid: str, action: str = "upload", **kw: object) -> VersionInfo:
    return VersionInfo.model_validate({"id": vid, "created_at": "2026-12-07T14:02:00+00:00", "action": action,
                                       "rows": 10, **kw})


def test_undo_names_what_will_go_the_file_and_when() -> None:
    upload = _version("000003", file_name="feb25_scorecard.xlsx", new=2, revised=1, author="send.manager@example.org")
    assert undo_sentence(upload) == ("This removes the 2 new figures and puts back 1 revised figure from "
                                     "feb25_scorecard.xlsx, uploaded on 7 December 2026 at 14:02. Every other figure "
                                     "stays as it is.")


def test_history_speaks_of_files_people_and_local_dates_never_ids() -> None:
    versions = [_version("000004", "restore", restored_from="000002"),
                _version("000003", file_name="feb25_scorecard.xlsx", new=2, revised=1, author="send.manager@example.org",
                         sha256="9e76" * 16),
                _version("000002", file_name="send_scorecard.csv", new=971)]
    table = history_table(versions, "000004")
    assert table["What"].tolist() == ["Went back to the figures as they were on 7 December 2026 at 14:02",
                                      "Upload of feb25_scorecard.xlsx", "Upload of send_scorecard.csv"]
    assert table["By"].tolist() == ["not recorded", "send.manager@example.org", "not recorded"]
    words = table.astype(str).to_string()
    assert "0000" not in words and "9e76" not in words and "None" not in words and "nan" not in words
    assert version_label(versions[1], versions, "000004") == "7 December 2026 at 14:02 — Upload of feb25_scorecard.xlsx"
    technical = technical_table([("Figures", versions)])
    assert technical["Version"].tolist() == ["000004", "000003", "000002"] and "9e769e769e76" in technical.to_string()
