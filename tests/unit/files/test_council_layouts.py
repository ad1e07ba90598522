"""Twelve councils' own files (`tests/council_layouts.py`), each proposed, set up, loaded into a fresh store and
exported, every value exact: through the library, and through the CLI as a council's analyst would run it.

Each layout is its own authority in one store built once for the module (one for the library, one for the CLI)."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from council_layouts import LAYOUTS, Layout, write

from sendlib.cli import main
from sendlib.domain.measure_setup import MeasureProposal
from sendlib.domain.paths import ROOT
from sendlib.workflows.catalogues import propose, set_up_and_load, store_catalogue
from sendlib.workflows.load import parse_bytes
from sendlib.workflows.stores import open_store

Row = tuple[str, str, str, float, str | None]
IDS = [layout.file for layout in LAYOUTS]


@dataclass
class Outcome:
    proposals: list[MeasureProposal]
    problems: list[str]
    rows: set[Row]
    references: dict[str, str | None]


def _rows(table: pd.DataFrame, names: dict[str, str]) -> set[Row]:
    out = set()
    for kpi_id, period, series, value, note in zip(table["kpi_id"], table["period"], table["series"], table["value"],
                                                  table["note"], strict=True):
        v = None if pd.isna(value) else float(value)
        out.add((names.get(str(kpi_id), str(kpi_id)), str(period), str(series), v,  # type: ignore[arg-type]
                 None if pd.isna(note) or note == "" else str(note)))
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layouts")
    return {layout.file: write(layout, folder) for layout in LAYOUTS}


def _through_library(root: Path, layout: Layout, path: Path) -> Outcome:
    store = open_store(root, la=layout.la)
    data = path.read_bytes()
    try:
        parsed = parse_bytes(data, layout.file, store_catalogue(store, layout.la), sheet=layout.sheet)
        proposals = propose(parsed.unknown, store_catalogue(store, layout.la))
        done = set_up_and_load(store, proposals, data, layout.file, la=layout.la, sheet=layout.sheet)
    except Exception as exc:
        return Outcome([], [f"{type(exc).__name__}: {exc}"], set(), {})
    catalogue = store_catalogue(store, layout.la)
    names = {k.id: k.name for k in catalogue}
    references = {k.name: k.notes for k in catalogue}
    return Outcome(proposals, [str(e) for e in done.preview.errors], _rows(store.read_or_empty(), names), references)


@pytest.fixture(scope="module")
def library(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("library") / "store"
    return {layout.file: _through_library(root, layout, files[layout.file]) for layout in LAYOUTS}


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _through_cli(root: Path, work: Path, layout: Layout, path: Path) -> Outcome:
    store = ["--store", str(root), "--la", layout.la]
    sheet = ["--sheet", layout.sheet] if layout.sheet else []
    proposal = work / f"{layout.file}.proposal.csv"
    problems = []
    code, _, err = _cli("catalogue", "propose", str(path), *store, *sheet, "-o", str(proposal))
    if code:
        return Outcome([], [f"propose: {err}"], set(), {})
    code, _, err = _cli("catalogue", "add", str(proposal), *store)
    if code:
        problems.append(f"add: {err}")
    code, _, err = _cli("load", str(path), *store, *sheet)
    if code:
        problems.append(f"load: {err}")
    listed, export = work / f"{layout.file}.list.csv", work / f"{layout.file}.export.csv"
    _cli("catalogue", "list", *store, "--format", "csv", "-o", str(listed))
    _cli("export", *store, "--format", "csv", "-o", str(export))
    names = {r["id"]: r["name"] for r in _csv(listed)}
    rows = {(names.get(r["kpi_id"], r["kpi_id"]), r["period"], r["series"],
             float(r["value"]) if r["value"] else math.nan, r["note"] or None)
            for r in _csv(export)} if export.exists() else set()
    return Outcome([], problems, rows, {r["name"]: r["notes"] or None for r in _csv(listed)})


@pytest.fixture(scope="module")
def through_cli(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("cli") / "store"
    work = tmp_path_factory.mktemp("cli-work")
    return {layout.file: _through_cli(root, work, layout, files[layout.file]) for layout in LAYOUTS}


def _layout(file: str) -> Layout:
    return next(layout for layout in LAYOUTS if layout.file == file)


@pytest.mark.parametrize("file", IDS)
def test_set_up_proposes_what_a_person_would(file: str, library: dict[str, Outcome]) -> None:
    layout, outcome = _layout(file), library[file]
    assert outcome.problems == []
    said = {p.name: (p.unit, p.polarity, p.polarity_source, p.target) for p in outcome.proposals}
    assert said == {m.name: (m.unit, m.polarity, m.polarity_source, m.kpi_target) for m in layout.measures}
    assert all("polarity" in p.suggested for p in outcome.proposals if p.polarity_source == "domain")


@pytest.mark.parametrize("file", IDS)
def test_every_value_loads_exactly_through_the_library(file: str, library: dict[str, Outcome]) -> None:
    outcome = library[file]
    assert outcome.problems == []
    assert outcome.rows == _layout(file).rows()


@pytest.mark.parametrize("file", IDS)
def test_identifiers_are_kept_as_each_measures_reference(file: str, library: dict[str, Outcome]) -> None:
    layout = _layout(file)
    refs = library[file].references
    assert {m.name: refs.get(m.name) for m in layout.measures} == {
        m.name: (f"Reference: {m.reference}" if m.reference else None) for m in layout.measures}


@pytest.mark.parametrize("file", IDS)
def test_every_value_loads_exactly_through_the_cli(file: str, through_cli: dict[str, Outcome]) -> None:
    outcome = through_cli[file]
    assert outcome.problems == []
    assert outcome.rows == _layout(file).rows()


def test_python_m_sendlib_runs_one_layout_end_to_end(files: dict[str, Path], tmp_path: Path) -> None:
    """The same commands as separate processes, as a scheduler would run them (one layout: each is seconds)."""
    layout = _layout("fenwick_bi_export.csv")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    store = ["--store", str(tmp_path / "store"), "--la", layout.la]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sendlib", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=180, env=env)

    proposal, export = tmp_path / "p.csv", tmp_path / "e.csv"
    for args in (("catalogue", "propose", str(files[layout.file]), *store, "-o", str(proposal)),
                 ("catalogue", "add", str(proposal), *store), ("load", str(files[layout.file]), *store),
                 ("export", *store, "-o", str(export))):
        done = run(*args)
        assert done.returncode == 0, done.stderr
    assert len(_csv(export)) == len(layout.rows())


def test_a_file_of_common_definitions_loads_for_any_authority_with_no_set_up(tmp_path: Path) -> None:
    """By id, by name and by synonym; a monthly figure of a definition DfE publishes yearly is taken as it is."""
    path = tmp_path / "common.csv"
    path.write_text("Indicator Name,Month,Actual\nehcps,01/10/2024,1210\n"
                    "% of EHC plans in mainstream schools,01/10/2024,41.5\nNumber of EHCPs,01/11/2024,1224\n",
                    encoding="utf-8")
    store = ["--store", str(tmp_path / "store"), "--la", "880"]
    code, _, err = _cli("load", str(path), *store)
    assert code == 0, err
    export = tmp_path / "e.csv"
    assert _cli("export", *store, "-o", str(export))[0] == 0
    assert {(r["kpi_id"], r["period"], float(r["value"])) for r in _csv(export)} == {
        ("ehcps", "2024-10", 1210.0), ("mainstream-pct", "2024-10", 41.5), ("ehcps", "2024-11", 1224.0)}
    listed = tmp_path / "l.csv"
    assert _cli("catalogue", "list", *store, "--format", "csv", "-o", str(listed))[0] == 0
    assert {"ehcps", "mainstream-pct"} <= {r["id"] for r in _csv(listed)}


def test_benchmarks_for_an_authority_with_nothing_set_up(tmp_path: Path) -> None:
    out = tmp_path / "b.csv"
    code, said, err = _cli("benchmarks", "--store", str(tmp_path / "store"), "--la", "879", "-o", str(out))
    assert code == 0, err
    rows = _csv(out)
    assert {"ehcps", "mainstream-pct"} <= {r["kpi_id"] for r in rows}
    assert f"wrote {len(rows)} rows" in said


def test_an_empty_export_says_why(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Indicator Name,Month,Actual\nehcps,01/10/2024,1210\n", encoding="utf-8")
    assert _cli("load", str(path), "--store", str(tmp_path / "store"), "--la", "880")[0] == 0
    code, _, err = _cli("export", "--store", str(tmp_path / "store"), "--la", "881", "-o", str(tmp_path / "e.csv"))
    assert code == 0 and "nothing to export: authority 881 has no figures" in err
