"""`python -m sendlib`: init is idempotent, export writes the agreed columns, errors are clear."""

from __future__ import annotations

import io
import subprocess

import openpyxl
import pandas as pd
import pytest

from sendlib.cli import main

EXPORT_HEADER = "scorecard,kpi_id,period,series,value,count,note,kpi_name,theme,unit"


@pytest.fixture
def run(python, paths):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, "-m", "sendlib", *args], cwd=paths["root"], capture_output=True, text=True, timeout=120)

    return run


def test_init_twice_is_safe(tmp_path, run):
    store = tmp_path / "store"
    first = run("init", "--store", str(store))
    assert first.returncode == 0, first.stderr
    assert "send_scorecard.csv" in first.stdout and "board_report_2024-05.csv" in first.stdout
    files = sorted(p.name for p in (store / "versions").iterdir())
    head = (store / "HEAD").read_text()

    second = run("init", "--store", str(store))
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert sorted(p.name for p in (store / "versions").iterdir()) == files
    assert (store / "HEAD").read_text() == head


def test_export_csv_columns(built_store, tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert main(["export", "--store", str(built_store.root), "-o", str(out)]) == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == EXPORT_HEADER
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert len(frame) == len(built_store.read())
    assert f"wrote {len(frame)} rows" in capsys.readouterr().out


def test_export_theme_as_xlsx(built_store, tmp_path, catalogue):
    out = tmp_path / "statutory.xlsx"
    assert main(["export", "--store", str(built_store.root), "--theme", "statutory-duty", "--format", "xlsx", "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active
    header = [c.value for c in ws[1]]
    assert ",".join(header) == EXPORT_HEADER
    themes = {row[header.index("theme")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert themes == {"statutory-duty"}
    table = built_store.read()
    ids = {k.id for k in catalogue if k.theme == "statutory-duty"}
    assert ws.max_row - 1 == int(table["kpi_id"].isin(ids).sum())


def test_export_filters_from_the_command_line(built_store, tmp_path):
    out = tmp_path / "complaints.csv"
    args = ["export", "--store", str(built_store.root), "--kpi", "complaints", "--series", "actual",
            "--from", "2024-11", "--to", "2025-01", "-o", str(out)]
    assert main(args) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    # Scorecard `No. of complaints`: Nov 24 `17 ▼`, Dec 24 `12 ▼`, Jan 25 `13 ▲`.
    assert frame[["period", "value"]].values.tolist() == [["2024-11", "17.0"], ["2024-12", "12.0"], ["2025-01", "13.0"]]


def test_export_parquet(built_store, tmp_path):
    out = tmp_path / "all.parquet"
    assert main(["export", "--store", str(built_store.root), "--format", "parquet", "-o", str(out)]) == 0
    assert len(pd.read_parquet(out)) == len(built_store.read())


def test_unknown_theme_exits_2(built_store, tmp_path, run):
    out = tmp_path / "x.csv"
    done = run("export", "--store", str(built_store.root), "--theme", "no-such-theme", "-o", str(out))
    assert done.returncode == 2
    assert "no-such-theme" in done.stderr
    assert "statutory-duty" in done.stderr  # the known themes are listed
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_missing_store_exits_1_with_a_clear_message(tmp_path, run):
    missing = tmp_path / "nowhere"
    out = tmp_path / "x.csv"
    done = run("export", "--store", str(missing), "-o", str(out))
    assert done.returncode == 1
    assert done.stderr.startswith("error:")
    assert str(missing) in done.stderr
    assert "init" in done.stderr  # says how to fix it
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("argv", [["export", "-o", "x.csv", "--format", "pdf"], ["frobnicate"], []])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_store_from_environment(built_store, tmp_path, monkeypatch):
    monkeypatch.setenv("SENDLIB_STORE", str(built_store.root))
    out = tmp_path / "env.csv"
    assert main(["export", "--kpi", "complaints", "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == 14
