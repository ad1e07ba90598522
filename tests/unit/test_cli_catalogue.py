"""`python -m sendlib catalogue propose | add | list`, then `load`, run as other tools run them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from other_councils import COUNCILS, HERE

from sendlib.domain.paths import ROOT

COUNCIL = COUNCILS[0]


def sendlib(*args: str, la: str | None = None) -> subprocess.CompletedProcess[str]:
    env = os.environ | ({"SENDLIB_HOME_LA": la} if la else {})
    return subprocess.run([sys.executable, "-m", "sendlib", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture
def proposal(tmp_path: Path) -> Path:
    out = tmp_path / "PROPOSAL.csv"
    result = sendlib("catalogue", "propose", str(HERE / COUNCIL.file), "--store", str(tmp_path / "store"), "--la",
                     COUNCIL.la, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_propose_writes_one_row_a_new_measure(proposal: Path) -> None:
    rows = _rows(proposal)
    assert list(rows[0]) == ["name", "theme", "section", "unit", "polarity", "polarity_source", "frequency",
                             "cumulative", "target", "common_measure", "common_measure_reason", "suggested",
                             "reference", "short_name"]
    assert [r["name"] for r in rows] == [m.name for m in COUNCIL.measures]
    assert all("unit" in r["suggested"].split(";") for r in rows)


def test_propose_add_load_export(proposal: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    added = sendlib("catalogue", "add", str(proposal), "--store", store, "--la", COUNCIL.la, "--author", "a.manager")
    assert added.returncode == 0, added.stderr
    ids = [line.split("\t")[0] for line in added.stdout.splitlines()]
    assert len(ids) == len(COUNCIL.measures) and "catalogue version 000001" in added.stderr
    listed = tmp_path / "list.csv"
    assert sendlib("catalogue", "list", "--store", store, "--la", COUNCIL.la, "--format", "csv", "-o",
                   str(listed)).returncode == 0
    listed_rows = _rows(listed)  # the authority's own measures, then the common definitions beside them
    assert [r["id"] for r in listed_rows][: len(ids)] == ids
    assert {r["source"] for r in listed_rows[len(ids):]} == {"common definition"}
    loaded = sendlib("load", str(HERE / COUNCIL.file), "--store", store, la=COUNCIL.la)
    assert loaded.returncode == 0, loaded.stderr
    export = tmp_path / "export.csv"
    assert sendlib("export", "--store", store, "--format", "csv", "-o", str(export), la=COUNCIL.la).returncode == 0
    values = {(r["kpi_id"], r["period"]): float(r["value"]) for r in _rows(export) if r["series"] == "actual"}
    for kpi_id, measure in zip(ids, COUNCIL.measures, strict=True):
        assert [values[(kpi_id, p)] for p in COUNCIL.periods] == measure.values


@pytest.mark.parametrize(("column", "value"), [("unit", "furlongs"), ("theme", "astrology"),
                                               ("common_measure", "no-such-measure")])
def test_a_bad_proposal_is_refused_naming_row_column_value(proposal: Path, tmp_path: Path, column: str,
                                                           value: str) -> None:
    rows = _rows(proposal)
    rows[1][column] = value
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    proposal.write_text(buffer.getvalue(), encoding="utf-8")
    result = sendlib("catalogue", "add", str(proposal), "--store", str(tmp_path / "store"), "--la", COUNCIL.la)
    assert result.returncode == 1
    assert f"row 3, column '{column}': value '{value}'" in result.stderr
    assert not (tmp_path / "store" / "tables" / "measures").exists()


def test_an_unknown_authority_exits_2(proposal: Path, tmp_path: Path) -> None:
    result = sendlib("catalogue", "list", "--store", str(tmp_path / "s"), "--la", "Atlantis", "--format", "csv",
                     "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "Atlantis" in result.stderr
