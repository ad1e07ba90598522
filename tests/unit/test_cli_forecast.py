"""`python -m sendlib forecast` and `forecast backtest`, run in-process through `sendlib.cli.main` (a subprocess would
prove nothing more: the command only reads the store and writes one file atomically)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from store_files import copy_store

from sendlib.cli import main
from sendlib.domain.forecast import BACKTEST_COLUMNS, METHODS
from sendlib.domain.scenarios import SavedScenario
from sendlib.store.delta import DeltaStore
from sendlib.workflows.forecast import save_scenario
from sendlib.workflows.stores import open_store


@pytest.fixture(scope="module")
def store_path(built_store: DeltaStore, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = copy_store(built_store.root, tmp_path_factory.mktemp("forecast") / "store")
    save_scenario(open_store(path, la="839"), SavedScenario(name="fast growth", request_growth=10.0))
    return str(path)


def test_forecast_writes_one_row_a_period(store_path: str, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    assert main(["forecast", "--store", store_path, "--la", "Dorset", "--measure", "requests", "--horizon", "3",
                 "--format", "csv", "-o", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"period": str})
    assert list(frame.columns) == ["period", "value", "lower", "upper", "lower50", "upper50", "method"]
    assert frame["period"].tolist() == ["2025", "2026", "2027"]
    assert ((frame["lower"] <= frame["lower50"]) & (frame["lower50"] <= frame["upper50"])
            & (frame["upper50"] <= frame["upper"])).all()


def test_forecast_of_a_census_measure_as_excel(store_path: str, tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    assert main(["forecast", "--store", store_path, "--la", "839", "--measure", "ehcps", "--format", "xlsx",
                 "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).worksheets[-1]
    assert [c.value for c in sheet["A"]][1:] == ["2026-01", "2027-01", "2028-01", "2029-01", "2030-01"]


def test_backtest_writes_every_method_origin_and_horizon(store_path: str, tmp_path: Path) -> None:
    out = tmp_path / "b.csv"
    assert main(["forecast", "backtest", "--store", store_path, "--measure", "ehcps", "--la", "839", "--format", "csv",
                 "-o", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"la_code": str, "origin": str, "period": str})
    assert list(frame.columns) == BACKTEST_COLUMNS and set(frame["la_code"]) == {"839"}
    # Dorset was formed in 2019: its first census figure is 2020-01, so three in a row first end at 2022-01.
    assert set(frame["method"]) == set(METHODS) and set(frame["origin"]) == {"2022-01", "2023-01", "2024-01"}
    assert (frame["error_pct"] - (frame["forecast"] - frame["actual"]) / frame["actual"] * 100).abs().max() < 1e-9


def test_a_saved_scenario_changes_the_forecast(store_path: str, tmp_path: Path) -> None:
    made = {}
    for name, extra in (("fitted", []), ("fast", ["--scenario", "fast growth"])):
        out = tmp_path / f"{name}.csv"
        assert main(["forecast", "--store", store_path, "--la", "839", "--measure", "requests", "--horizon", "2",
                     "-o", str(out), *extra]) == 0
        made[name] = pd.read_csv(out, encoding="utf-8-sig")
    ratio = made["fast"]["value"] / made["fitted"]["value"]
    assert ratio.tolist() == pytest.approx([1.1, 1.21])


@pytest.mark.parametrize(("args", "code", "says"), [
    (["--la", "942", "--measure", "ehcps"], 1, "Cumberland has 2 published figures"),
    (["--la", "839", "--measure", "ehcps", "--horizon", "9"], 2, "--horizon is 1 to 5"),
    (["--la", "839", "--measure", "ehcps", "--scenario", "high"], 2, "no scenario named 'high' is saved for authority 839 (saved: 'fast growth')"),
    (["--la", "839"], 2, "needs --measure"),
])
def test_refusals_are_one_line_and_write_nothing(store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 args: list[str], code: int, says: str) -> None:
    out = tmp_path / "f.csv"
    assert main(["forecast", "--store", store_path, *args, "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_the_board_pack_has_a_forecast_section_only_when_asked(store_path: str, tmp_path: Path) -> None:
    pages = {}
    for name, extra in (("plain", []), ("with", ["--forecast"])):
        out = tmp_path / f"{name}.html"
        assert main(["report", "--store", store_path, "--period", "2024-03", "--format", "html", "-o", str(out),
                     *extra]) == 0
        pages[name] = out.read_text(encoding="utf-8")
    assert 'id="report-forecast"' not in pages["plain"]
    section = pages["with"].split('id="report-forecast"')[1].split('id="report-glossary"')[0]
    assert "EHC plans at the January census for Bournemouth, Christchurch and Poole: 4,432 in 2025-01" in section
    assert section.count("80% likely range</th>") == 3 and "2-year forecasts were within" in section
