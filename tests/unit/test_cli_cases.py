"""`python -m sendlib cases load | measures | list`, run as other tools run them: a subprocess."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import sen2_synthetic as synth

from sendlib.cli import main
from sendlib.domain.paths import ROOT
from sendlib.domain.pseudonym import fingerprint
from sendlib.store.delta import DeltaStore
from sendlib.workflows.cases import cases_store, commit_cases, preview_cases
from sendlib.workflows.stores import open_store


def sendlib(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a subprocess; `env` adds to the environment, which never sets a case key of its own."""
    environ = {k: v for k, v in os.environ.items() if k != "SENDLIB_CASES_KEY"} | (env or {})
    return subprocess.run([sys.executable, "-m", "sendlib", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=environ)


@pytest.fixture(scope="module")
def made() -> synth.Synthetic:
    return synth.generate(700, seed=31)


@pytest.fixture
def loaded(tmp_path: Path, made: synth.Synthetic) -> Path:
    xml = tmp_path / "return.xml"
    xml.write_bytes(made.xml)
    store = tmp_path / "store"
    result = sendlib("cases", "load", str(xml), "--store", str(store), "--author", "a.manager")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("cases version 000001: ")
    return store


def test_dry_run_writes_nothing(tmp_path: Path, made: synth.Synthetic) -> None:
    xml = tmp_path / "return.xml"
    xml.write_bytes(made.xml)
    result = sendlib("cases", "load", str(xml), "--store", str(tmp_path / "s"), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "nothing written" in result.stdout
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").rglob("*"))


def test_loading_again_changes_nothing(loaded: Path, made: synth.Synthetic, tmp_path: Path) -> None:
    result = sendlib("cases", "load", str(tmp_path / "return.xml"), "--store", str(loaded))
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1].startswith("no change (0 new, 0 revised, ")
    assert cases_store(open_store(loaded)).head() == "000001"


@pytest.mark.parametrize("name", ["impossible_date", "wrong_place", "truncated", "not_xml"])
def test_a_refused_return_is_one_line_a_problem_and_exit_1(tmp_path: Path, name: str) -> None:
    data, must_name = synth.broken_returns()[name]
    bad = tmp_path / "bad.xml"
    bad.write_bytes(data)
    result = sendlib("cases", "load", str(bad), "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("refused: bad.xml has ") and lines[0].endswith("nothing was written")
    assert all(line.startswith("refused: ") for line in lines)
    assert must_name in result.stderr
    assert "Traceback" not in result.stderr
    assert not cases_store(open_store(tmp_path / "s")).exists()


def test_bad_arguments_exit_2(tmp_path: Path, loaded: Path) -> None:
    assert sendlib("cases", "load", str(tmp_path / "missing.xml"), "--store", str(loaded)).returncode == 2
    assert sendlib("cases", "measures", "--store", str(loaded), "--format", "json", "-o", "x").returncode == 2
    unknown = sendlib("cases", "list", "--store", str(loaded), "--measure", "rate", "--period", "2024", "--format",
                      "csv", "-o", str(tmp_path / "x.csv"))
    assert unknown.returncode == 2 and "rate_ex" in unknown.stderr


def _expected(made: synth.Synthetic, measure: str, period: str) -> synth.Expected:
    return made.expected[(measure, period)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_measures_in_every_format(loaded: Path, made: synth.Synthetic, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"m.{fmt}"
    result = sendlib("cases", "measures", "--store", str(loaded), "--from", "2024-01", "--to", "2024-12",
                     "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    frame = (pd.read_csv(out, encoding="utf-8-sig", dtype={"period": str}) if fmt == "csv"
             else pd.read_excel(out, dtype={"period": str}) if fmt == "xlsx" else pd.read_parquet(out))
    assert list(frame.columns) == ["measure", "period", "value", "numerator", "denominator", "note"]
    assert set(frame["period"]) == {f"2024-{m:02d}" for m in range(1, 13)} | {"2024"}
    month = synth.edge_issue_date(made.census).strftime("%Y-%m")
    row = frame[(frame["measure"] == "rate_ex") & (frame["period"] == month)].iloc[0]
    expected = _expected(made, "rate_ex", month)
    assert (row["value"], row["numerator"], row["denominator"]) == (expected.value, expected.numerator,
                                                                   expected.denominator)


def test_census_measures_are_dated_by_the_census(loaded: Path, made: synth.Synthetic, tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    sendlib("cases", "measures", "--store", str(loaded), "--format", "csv", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    census = [r for r in rows if r["measure"] == "active_plans"]
    assert [r["period"] for r in census] == [made.census.isoformat()]
    assert float(census[0]["value"]) == _expected(made, "active_plans", made.census.isoformat()).value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_list_the_cases_behind_a_figure(loaded: Path, made: synth.Synthetic, tmp_path: Path, fmt: str) -> None:
    month = synth.edge_issue_date(made.census).strftime("%Y-%m")
    out = tmp_path / f"cases.{fmt}"
    result = sendlib("cases", "list", "--store", str(loaded), "--measure", "rate_ex", "--period", month, "--format",
                     fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        count = sheet.max_row - 1
    else:
        table = pd.read_csv(out, encoding="utf-8-sig")
        header, count = list(table.columns), len(table)
        assert (table["Counted in the figure"] == "Yes").sum() == _expected(made, "rate_ex", month).numerator
    assert header[0] == "Case reference"
    assert count == _expected(made, "rate_ex", month).denominator
    assert len(made.expected_cases[("rate_ex", month)]) == count


def test_a_bad_period_bound_exits_2(loaded: Path, tmp_path: Path) -> None:
    result = sendlib("cases", "measures", "--store", str(loaded), "--from", "March", "--format", "csv", "-o",
                     str(tmp_path / "m.csv"))
    assert result.returncode == 2 and "--from" in result.stderr and "Traceback" not in result.stderr


def test_load_recognises_a_return_by_its_content(tmp_path: Path, made: synth.Synthetic) -> None:
    """`load` tells file kinds apart: a SEN2 return, whatever its name, goes to the case records."""
    xml = tmp_path / "export.dat"
    xml.write_bytes(made.xml)
    result = sendlib("load", str(xml), "--store", str(tmp_path / "s"), "--author", "a.manager")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("cases version 000001: ")
    assert not open_store(tmp_path / "s").exists()


NEW_KEY = "a-new-case-key-held-in-a-vault-0123456789"


def test_rekey_moves_the_records_and_the_store_goes_on(loaded: Path, tmp_path: Path) -> None:
    old = (loaded / "cases.key").read_bytes().strip()
    new_file = tmp_path / "new.key"
    new_file.write_text(NEW_KEY + "\n")
    result = sendlib("cases", "rekey", "--store", str(loaded), "--from", str(loaded / "cases.key"), "--to",
                     str(new_file), "--author", "a.manager")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (f"cases version 000002: {len(cases_store(open_store(loaded)).read())} "
                                             f"requests re-keyed from key fingerprint {fingerprint(old)} to "
                                             f"{fingerprint(NEW_KEY.encode())}")
    assert (loaded / "cases.key").read_bytes() == NEW_KEY.encode()
    assert old.decode() not in result.stdout + result.stderr and NEW_KEY not in result.stdout + result.stderr
    again = sendlib("cases", "load", str(tmp_path / "return.xml"), "--store", str(loaded))
    assert again.returncode == 0 and again.stdout.splitlines()[-1].startswith("no change (0 new, 0 revised, ")
    assert [v.action for v in cases_store(open_store(loaded)).versions()] == ["rekey", "cases"]


def test_a_different_key_is_refused_in_one_line(loaded: Path, tmp_path: Path) -> None:
    held = fingerprint((loaded / "cases.key").read_bytes().strip())
    other = {"SENDLIB_CASES_KEY": NEW_KEY}
    for args in (("load", str(tmp_path / "return.xml")), ("measures", "--format", "csv", "-o", str(tmp_path / "m")),
                 ("list", "--measure", "rate_ex", "--period", "2024", "--format", "csv", "-o", str(tmp_path / "l"))):
        result = sendlib("cases", *args, "--store", str(loaded), env=other)
        assert result.returncode == 1, result.stderr
        assert result.stderr == (f"error: the case records were made with key fingerprint {held}; the key now "
                                 f"configured has {fingerprint(NEW_KEY.encode())}: restore the old key, or run "
                                 "`python -m sendlib cases rekey --from OLD --to NEW`\n")
    assert not (tmp_path / "m").exists() and not (tmp_path / "l").exists()
    assert cases_store(open_store(loaded)).head() == "000001"


def test_rekey_takes_key_sources_never_keys(loaded: Path, tmp_path: Path) -> None:
    key_file = str(loaded / "cases.key")
    literal = sendlib("cases", "rekey", "--store", str(loaded), "--from", key_file, "--to", NEW_KEY)
    assert literal.returncode == 2 and "never the key itself" in literal.stderr
    unset = sendlib("cases", "rekey", "--store", str(loaded), "--from", key_file, "--to", "env:NO_SUCH_KEY_VAR")
    assert unset.returncode == 2 and "NO_SUCH_KEY_VAR" in unset.stderr
    short = sendlib("cases", "rekey", "--store", str(loaded), "--from", key_file, "--to", "env:SHORT_KEY",
                    env={"SHORT_KEY": "k" * 20})
    assert short.returncode == 1 and "is 20 bytes; a case key must be at least 32 bytes" in short.stderr
    wrong = sendlib("cases", "rekey", "--store", str(loaded), "--from", "env:WRONG", "--to", "env:NEW",
                    env={"WRONG": "w" * 40, "NEW": NEW_KEY})
    assert wrong.returncode == 1 and "the --from key has" in wrong.stderr
    assert all("Traceback" not in r.stderr for r in (literal, unset, short, wrong))
    assert cases_store(open_store(loaded)).head() == "000001"


def _problems(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_another_authority_s_return_is_refused_naming_both_and_listed(tmp_path: Path) -> None:
    xml, listed = tmp_path / "theirs.xml", tmp_path / "problems.csv"
    xml.write_bytes(synth.other_authority_return("201"))
    result = sendlib("cases", "load", str(xml), "--store", str(tmp_path / "s"), "--problems", str(listed))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "refused: theirs.xml has 1 error, 2 queries; nothing was written"
    assert lines[1].startswith("refused: S2E07 line 9: Message/Header/Source/LEA '201' is the return of City of London "
                               "(201), not of Bournemouth, Christchurch and Poole (839)")
    assert "--la" in lines[1], "the line says what to fix"
    assert result.stdout.strip() == f"wrote the list of 1 error, 2 queries to {listed}"
    table = _problems(listed)
    assert list(table.columns) == ["code", "severity", "person", "line", "field", "problem", "what to fix"]
    assert table["code"].tolist() == ["S2E07", "S2Q05", "S2Q06"]
    assert table["severity"].tolist() == ["error", "query", "query"]
    assert (table["line"] != "").all() and table["person"].iloc[1].startswith("Person ")
    assert not cases_store(open_store(tmp_path / "s")).exists()


def test_a_return_with_queries_loads_showing_the_counts_and_lists_them(tmp_path: Path) -> None:
    data, _ = synth.faulty_returns()["over_25"]
    xml, listed = tmp_path / "r.xml", tmp_path / "problems.csv"
    xml.write_bytes(data)
    result = sendlib("cases", "load", str(xml), "--store", str(tmp_path / "s"), "--problems", str(listed))
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert "checked: 0 errors, 3 queries" in out
    assert sorted(line.split(" ")[1] for line in out if line.startswith("query: ")) == ["S2Q03", "S2Q05", "S2Q06"]
    assert out[-1].startswith("cases version 000001: ")
    text = listed.read_text(encoding="utf-8-sig")
    assert "S2Q03" in text and "over 25" in text
    for identity in synth.edge_case_return().identities:
        assert not [v for v in identity.values() if v and v in text + result.stdout]


def test_a_problems_file_that_cannot_be_written_stops_the_load_in_one_line(tmp_path: Path) -> None:
    xml = tmp_path / "r.xml"
    xml.write_bytes(synth.edge_case_return().xml)
    result = sendlib("cases", "load", str(xml), "--store", str(tmp_path / "s"), "--problems",
                     str(xml / "p.csv"))
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1 and "p.csv" in result.stderr
    assert "Traceback" not in result.stderr and not cases_store(open_store(tmp_path / "s")).exists()


def _racing_cases(store: Path, theirs: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Another load of the return `theirs` lands between the next load's read and its commit, which is then
    retried; the file each comparison ran for, in order."""
    real = DeltaStore.commit
    runs: list[str] = []

    def commit(self: DeltaStore, change: Callable[..., Any], **kwargs: Any) -> Any:
        def racing(current: Any) -> Any:
            runs.append(str(kwargs.get("file_name")))
            if len(runs) == 1:
                commit_cases(open_store(store), preview_cases(open_store(store), theirs, theirs.name))
            return change(current)

        return real(self, racing, **kwargs)

    monkeypatch.setattr(DeltaStore, "commit", commit)
    return runs


def test_a_cases_load_retried_after_a_concurrent_one_prints_the_counts_that_landed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The other return holds the first persons of ours: what lands of ours is partly unchanged, not all new as
    its preview saw."""
    monkeypatch.delenv("SENDLIB_CASES_KEY", raising=False)
    ours, theirs = tmp_path / "ours.xml", tmp_path / "theirs.xml"
    ours.write_bytes(synth.generate(12, seed=5, edge_cases=False).xml)
    theirs.write_bytes(synth.generate(6, seed=5, edge_cases=False).xml)
    store = tmp_path / "store"
    runs = _racing_cases(store, theirs, monkeypatch)
    assert main(["cases", "load", str(ours), "--store", str(store)]) == 0
    assert runs == ["ours.xml", "theirs.xml", "ours.xml"], "the other load landed first and ours was retried"
    landed = cases_store(open_store(store)).versions()[0]
    assert landed.file_name == "ours.xml" and landed.unchanged > 0, landed
    out = capsys.readouterr().out
    assert f"cases version {landed.id}: {landed.new} new, {landed.revised} revised, {landed.unchanged} unchanged (" \
        in out.splitlines()[-1], out


def test_a_cases_load_another_one_landed_first_says_no_change_without_stale_counts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SENDLIB_CASES_KEY", raising=False)
    ours, theirs = tmp_path / "ours.xml", tmp_path / "theirs.xml"
    for path in (ours, theirs):
        path.write_bytes(synth.generate(6, seed=5, edge_cases=False).xml)
    store = tmp_path / "store"
    _racing_cases(store, theirs, monkeypatch)
    assert main(["cases", "load", str(ours), "--store", str(store)]) == 0
    assert cases_store(open_store(store)).versions()[0].file_name == "theirs.xml", "ours wrote nothing"
    assert capsys.readouterr().out.splitlines()[-1] == (
        "no change: another load wrote every record in ours.xml first; no new version written")
