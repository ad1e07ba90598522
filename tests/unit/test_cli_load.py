"""`python -m sendlib load / history / rollback`, run as other tools run them: a subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from locations import DATA_DIR

from sendlib.cli import main
from sendlib.domain.paths import ROOT
from sendlib.store.delta import DeltaStore
from sendlib.workflows.load import load_file
from sendlib.workflows.stores import open_store


def sendlib(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sendlib", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    assert sendlib("init", "--store", str(path)).returncode == 0
    return path


def test_dry_run_reports_and_writes_nothing(store: Path) -> None:
    result = sendlib("load", str(DATA_DIR / "scorecard_new_month.csv"), "--store", str(store), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "2 new, 1 revised, 970 unchanged; nothing written" in result.stdout
    assert "revised 4453 → 4460" in result.stdout
    assert open_store(store).head() == "000001", "839's own bundled version (000002 is the board report's council's)"


def test_load_then_load_again_changes_nothing(store: Path) -> None:
    first = sendlib("load", str(DATA_DIR / "scorecard_new_month.csv"), "--store", str(store), "--author", "a.manager")
    assert "version 000003: 2 new, 1 revised" in first.stdout
    second = sendlib("load", str(DATA_DIR / "scorecard_new_month.csv"), "--store", str(store))
    assert "no change" in second.stdout
    assert open_store(store).head() == "000003"
    assert open_store(store).info("000003").author == "a.manager"


def test_refused_file_exits_1_names_the_cells_and_leaves_the_store(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi_id,period,value\nehcps,2025-02,4500\nnot-a-kpi,2025-02,1\ncomplaints,2025-02,-2\n", encoding="utf-8")
    before = sorted(str(p) for p in (store / "delta").rglob("*"))
    result = sendlib("load", str(bad), "--store", str(store))
    assert result.returncode == 1
    assert "bad.csv, row 3, column 'kpi_id': value 'not-a-kpi': unknown KPI" in result.stderr
    assert "bad.csv, row 4, column 'value': value '-2': a count cannot be negative" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(str(p) for p in (store / "delta").rglob("*")) == before


def test_history_newest_first_with_id_first_and_rollback(store: Path) -> None:
    sendlib("load", str(DATA_DIR / "scorecard_new_month.csv"), "--store", str(store))
    out = sendlib("history", "--store", str(store)).stdout
    assert out.endswith("\n"), "the last line ends like the others"
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[0], r[1]) for r in rows] == [("000003", "*"), ("000001", "-")], "839's own versions only"
    assert {len(r) for r in rows} == {10}, "id, current, created_at, action, new, revised, unchanged, rows, author, what"
    assert rows[0][3:8] == ["upload", "2", "1", "970", "973"] and rows[0][9] == "scorecard_new_month.csv"
    # The id alone in the first field, as a script takes it: `rollback $(history | awk 'NR==2 {print $1}')`.
    result = sendlib("rollback", "--store", str(store), out.splitlines()[1].split()[0])
    assert result.returncode == 0
    assert open_store(store).head() == "000004"
    assert open_store(store).read().equals(open_store(store).read("000001"))
    assert sendlib("rollback", "--store", str(store), "999999").returncode == 1


def test_warnings_are_grouped_by_kind_with_counts(store: Path, tmp_path: Path) -> None:
    """Every actual value revised: hundreds of warnings, still a screenful of lines."""
    table = open_store(store).read()
    actual = table[(table["series"] == "actual") & table["value"].notna() & (table["scorecard"] == "scorecard")]
    lines = ["kpi_id,period,value"] + [f"{r.kpi_id},{r.period},{r.value + 1:g}" for r in actual.itertuples()
                                     if r.value <= 98]
    upload = tmp_path / "revised.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = sendlib("load", str(upload), "--store", str(store), "--dry-run")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    more = [line for line in warnings if line.startswith("warning: … and ")]
    assert more, result.stdout
    assert len(warnings) <= 4 * len(more) + 3 * 4, "at most three examples and one count line of each kind"
    revised = next(line for line in more if "revised" in line)
    assert f"({len(lines) - 1:,} in all)" in revised


def _racing(store: Path, theirs: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Another load of `theirs` lands between the next load's read and its commit, which is then retried; the
    file each comparison ran for, in order."""
    real = DeltaStore.commit
    runs: list[str] = []

    def commit(self: DeltaStore, change: Callable[..., Any], **kwargs: Any) -> Any:
        def racing(current: Any) -> Any:
            runs.append(str(kwargs.get("file_name")))
            if len(runs) == 1:
                load_file(open_store(store), theirs)
            return change(current)

        return real(self, racing, **kwargs)

    monkeypatch.setattr(DeltaStore, "commit", commit)
    return runs


def test_a_load_retried_after_a_concurrent_one_prints_the_counts_that_landed(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Two loads of the same month: what lands of ours is a revision of the other's figure, not the new figure
    its preview saw."""
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    ours.write_text("kpi_id,period,value\ncomplaints,2025-03,12\n", encoding="utf-8")
    theirs.write_text("kpi_id,period,value\ncomplaints,2025-03,11\n", encoding="utf-8")
    runs = _racing(store, theirs, monkeypatch)
    assert main(["load", str(ours), "--store", str(store)]) == 0
    assert runs == ["ours.csv", "theirs.csv", "ours.csv"], "the other load landed first and ours was retried"
    landed = open_store(store).versions()[0]
    assert (landed.file_name, landed.new, landed.revised) == ("ours.csv", 0, 1)
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"version {landed.id}: {landed.new} new, {landed.revised} revised, {landed.unchanged} unchanged")


def test_a_load_another_one_landed_first_says_no_change_without_stale_counts(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    for path in (ours, theirs):
        path.write_text("kpi_id,period,value\ncomplaints,2025-03,12\n", encoding="utf-8")
    _racing(store, theirs, monkeypatch)
    assert main(["load", str(ours), "--store", str(store)]) == 0
    assert open_store(store).versions()[0].file_name == "theirs.csv", "ours wrote nothing"
    assert capsys.readouterr().out.splitlines()[-1] == (
        "no change: another load wrote every figure in ours.csv first; no new version written")
