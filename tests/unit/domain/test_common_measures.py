"""Common definitions: the bundled CSV holds together, and a new authority's own phrasing finds the right one."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from sendlib.domain.catalogue import CatalogueError
from sendlib.domain.common_measures import (
    COMMON_MEASURES_FILE,
    DFE_BENCHMARKS_FILE,
    THRESHOLD,
    common_measures,
    load_common_measures,
    suggest_common,
)


def _benchmark_rows() -> list[dict[str, str]]:
    with DFE_BENCHMARKS_FILE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_bundled_csv_validates() -> None:
    measures = load_common_measures()
    assert len(measures) > 50
    assert {m.source for m in measures.values()} == {"dfe-benchmarks", "lait"}
    assert all(m.definition.endswith(".") for m in measures.values())
    lait_codes = [m.lait_code for m in measures.values() if m.lait_code]
    assert len(lait_codes) == len(set(lait_codes)), "a LAIT measure appears twice"


def test_every_dfe_measure_exists_in_dfe_benchmarks() -> None:
    known = {row["measure"] for row in _benchmark_rows()}
    mapped = {m.dfe_measure for m in common_measures().values() if m.dfe_measure}
    assert mapped <= known


def test_every_dfe_benchmarks_measure_has_a_common_definition() -> None:
    """Board tiles re-using a DfE measure under another id share its row (same label), not a row of their own."""
    by_name = {m.name: m for m in common_measures().values() if m.source == "dfe-benchmarks"}
    for row in _benchmark_rows():
        assert row["label"] in by_name, row["measure"]
        assert by_name[row["label"]].unit == {"count": "count", "rate": "percent"}[row["kind"]]


def test_a_lait_measure_that_is_a_dfe_measure_is_one_row() -> None:
    measures = common_measures()
    assert measures["twenty-week-excl"].lait_code == "SEN_EHC_Excpt_20wks"
    assert measures["twenty-week-incl"].lait_code == "SEN_EHC_All_20wks"
    assert measures["requests"].lait_code == "SEN_INIT_REQ"
    assert not any(m.source == "lait" and "20 weeks" in m.name for m in measures.values())


def test_polarity_comes_from_the_bundled_kpi_and_from_lait() -> None:
    measures = common_measures()
    assert measures["twenty-week-excl"].polarity == "higher_better"
    assert measures["appeal-rate"].polarity == "lower_better"
    assert measures["requests"].polarity == "neutral"
    assert measures["lait-specperabnew"].polarity == "lower_better"
    assert measures["lait-sen-stat-avg-prog8-score"].unit == "score"


def _write(tmp_path: Path, *rows: str) -> Path:
    header = COMMON_MEASURES_FILE.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "common_measures.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = "ehcps,Number of EHC plans,count,neutral,dfe-benchmarks,ehcps,,Plans at the census.,EHCPs;EHC plans"


@pytest.mark.parametrize(("bad", "says"), [
    ("x,Name,hours,neutral,lait,,CODE,A measure.,", "unit"),
    ("x,Name,count,sideways,lait,,CODE,A measure.,", "polarity"),
    ("x,Name,count,neutral,dfe-benchmarks,,,A measure.,", "needs its dfe_measure"),
    ("x,Name,count,neutral,lait,,,A measure.,", "needs its lait_code"),
    ("x,Name,count,neutral,dfe-benchmarks,no-such-measure,,A measure.,", "'no-such-measure' is not in"),
    (GOOD, "appears twice"),
])
def test_a_bad_row_fails_naming_its_line(tmp_path: Path, bad: str, says: str) -> None:
    with pytest.raises(CatalogueError, match=rf"(?s)line 3: .*{re.escape(says)}"):
        load_common_measures(_write(tmp_path, GOOD, bad))


def test_synonyms_are_split_and_blanks_are_none(tmp_path: Path) -> None:
    loaded = load_common_measures(_write(tmp_path, GOOD, "y,Name,count,neutral,lait,,CODE,A measure., "))
    assert loaded["ehcps"].synonyms == ("EHCPs", "EHC plans")
    assert loaded["y"].synonyms == ()
    assert loaded["y"].dfe_measure is None


@pytest.mark.parametrize(("name", "unit", "expected"), [
    ("% EHCPs issued within 20 weeks (excl exceptions)", "percent", "twenty-week-excl"),
    ("% EHCPs issued within 20 weeks (excl exceptions)", None, "twenty-week-excl"),
    ("Percentage of new EHC plans issued in 20 weeks including exceptions", None, "twenty-week-incl"),
    ("Percentage of new EHC plans issued in 20 weeks including exceptions", "percent", "twenty-week-incl"),
    ("Number of new EHCNA requests", "count", "requests"),
    ("% of pupils with an EHCP in mainstream schools", "percent", "mainstream-pct"),
    ("No. of EHCPs", "count", "ehcps"),
    ("EHCP: % of new EHCPs issued late (over 52 weeks) excl. exceptions", "percent", "over-52-weeks-excl"),
    ("KS2 RWM expected standard - EHCP", "percent", "lait-new-ks2-rwm-sen-withsta"),
])
def test_suggestions(name: str, unit: str | None, expected: str) -> None:
    suggestion = suggest_common(name, unit)
    assert suggestion.measure_id == expected, suggestion.reason
    assert suggestion.score >= THRESHOLD


def test_the_reason_names_the_similarity_the_unit_and_the_readings() -> None:
    reason = suggest_common("% EHCPs issued within 20 weeks (excl exceptions)", "percent").reason
    assert re.match(r"name alike \(0\.\d\d\), same unit \(percent\); ", reason), reason
    assert '"excl" read as "excluding"' in reason
    assert '"EHCPs" read as "EHC plans"' in reason
    assert "read from the name" in suggest_common("% EHCPs issued within 20 weeks (excl exceptions)", None).reason


def test_an_ambiguous_name_says_what_else_is_close() -> None:
    suggestion = suggest_common("% of new EHC plans issued within 20 weeks", "percent")
    assert suggestion.measure_id in {"twenty-week-incl", "twenty-week-excl"}
    assert "also close:" in suggestion.reason


def test_a_duration_finds_an_average_time_measure_or_says_there_is_none() -> None:
    suggestion = suggest_common("Average weeks to issue a final EHCP", "days")
    durations = [m.id for m in common_measures().values() if m.unit in ("days", "weeks")]
    if durations:
        assert suggestion.measure_id in durations
    else:
        assert suggestion.measure_id is None
        assert suggestion.reason.startswith("nothing close enough: no common definition is a duration")
        assert "but it is a percentage and this is a duration" in suggestion.reason
    for unit in ("weeks", None):
        assert suggest_common("Average weeks to issue a final EHCP", unit).measure_id == suggestion.measure_id


@pytest.mark.parametrize("unit", ["count", None])
def test_nothing_close_enough(unit: str | None) -> None:
    suggestion = suggest_common("Number of compliments received", unit)
    assert suggestion.measure_id is None
    assert suggestion.reason.startswith("nothing close enough")
    assert suggestion.score < THRESHOLD


def test_different_figures_are_different_measures() -> None:
    suggestion = suggest_common("EHCP: % of new EHCPs issued late (over 32 weeks) excl. exceptions", "percent")
    assert suggestion.measure_id is None
    assert "different figures: 52" in suggestion.reason


def test_a_count_never_maps_to_a_percentage() -> None:
    measures = common_measures()
    for measure in measures.values():
        for name in (measure.name, *measure.synonyms):
            for unit, other in (("count", "percent"), ("percent", "count")):
                found = suggest_common(name, unit).measure_id
                assert found is None or measures[found].unit != other, (name, unit, found)


def test_every_definition_finds_itself() -> None:
    for measure in common_measures().values():
        assert suggest_common(measure.name, measure.unit).measure_id == measure.id


def test_an_unknown_unit_is_refused_and_duration_is_days() -> None:
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        suggest_common("Number of EHCPs", "furlongs")
    assert suggest_common("Average weeks to issue a final EHCP", "duration") == suggest_common(
        "Average weeks to issue a final EHCP", "days")
