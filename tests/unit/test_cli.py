"""`python -m sendlib`: init is idempotent, export writes the agreed columns, errors are clear."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hostile_text import BIDI, BIDI_COMMENT, BIDI_NOTE, write_bidi_text
from store_files import copy_store

from sendlib.cli import HISTORY_FIELDS, main
from sendlib.domain.text import safe_text
from sendlib.workflows.stores import open_store

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
    files = sorted(str(p) for p in (store / "delta").rglob("*"))

    second = run("init", "--store", str(store))
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert sorted(str(p) for p in (store / "delta").rglob("*")) == files, "no log entry or data file added"


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
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames == ["About", "Data"]
    ws = book["Data"]
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


@pytest.mark.parametrize(
    "theme", ["statutory-duty", "early-years", "provision", "tribunals", "preparing-for-adulthood", "sendiass"]
)
def test_export_each_theme_holds_only_that_theme(built_store, tmp_path, catalogue, theme):
    out = tmp_path / f"{theme}.csv"
    assert main(["export", "--store", str(built_store.root), "--theme", theme, "--from", "2024-06", "--to", "2024-12",
                 "-o", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame) > 0
    assert set(frame["theme"]) == {theme}
    assert all("2024-06" <= p <= "2024-12" for p in frame["period"]), set(frame["period"])


def test_export_same_filter_same_rows_in_every_format(built_store, tmp_path):
    args = ["export", "--store", str(built_store.root), "--theme", "tribunals", "--series", "actual", "--from", "2024-01"]
    counts = {}
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"t.{fmt}"
        assert main([*args, "--format", fmt, "-o", str(out)]) == 0
        if fmt == "csv":
            frame = pd.read_csv(out, encoding="utf-8-sig")
        elif fmt == "xlsx":
            frame = pd.read_excel(out, sheet_name="Data")
        else:
            frame = pd.read_parquet(out)
        counts[fmt] = sorted(zip(frame["kpi_id"], frame["period"]))
    assert counts["csv"] == counts["xlsx"] == counts["parquet"]
    assert len(counts["csv"]) > 0


def test_export_derived_columns(built_store, tmp_path):
    out = tmp_path / "d.csv"
    assert main(["export", "--store", str(built_store.root), "--kpi", "complaints", "--from", "2025-01", "--derived",
                 "-o", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns)[-4:] == ["change", "compared_with", "direction", "rag"]
    assert frame.loc[0, "direction"] == "▲ Up – worse"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_wide_loads_back_with_no_changes(built_store, store, tmp_path, run, fmt):
    out = tmp_path / f"wide.{fmt}"
    done = run("export", "--store", str(built_store.root), "--layout", "wide", "--format", fmt, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "improvement board" not in done.stderr, "Bournemouth's figures hold no board values to leave out"
    assert "wrote" in done.stdout
    loaded = run("load", str(out), "--store", str(store.root), "--dry-run")  # an .xlsx: the Data sheet is found
    assert loaded.returncode == 0, loaded.stderr
    assert "wide layout" in loaded.stdout
    assert "0 new, 0 revised, 971 unchanged" in loaded.stdout


def test_export_wide_header(built_store, tmp_path):
    out = tmp_path / "wide.csv"
    assert main(["export", "--store", str(built_store.root), "--layout", "wide", "--scorecard", "scorecard",
                 "--from", "Oct 24", "--to", "Jan 25", "-o", str(out)]) == 0
    header = out.read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header == "KPI,Oct 24,Nov 24,Dec 24,Jan 25,Nat,SN,SW,Target"


def test_export_wide_board_is_refused_in_words(built_store, tmp_path, run):
    out = tmp_path / "board.csv"
    done = run("export", "--store", str(built_store.root), "--scorecard", "board", "--layout", "wide", "-o", str(out))
    assert done.returncode == 2
    assert "long layout" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [(["--kpi", "no-such-kpi"], "no-such-kpi"), (["--from", "Smarch 24"], "Smarch"),
     (["--from", "2025-01", "--to", "2024-01"], "after it ends")],
)
def test_export_bad_filters_exit_2(built_store, tmp_path, run, extra, words):
    out = tmp_path / "x.csv"
    done = run("export", "--store", str(built_store.root), *extra, "-o", str(out))
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("la", ["٨٣٩", "８３９", "999", "839\u3000", "Devon８"])
def test_an_authority_that_is_not_one_exits_2_on_a_read(built_store, tmp_path, capsys, la):
    """Arabic-Indic and full-width digits are `str.isdigit()`; 999 is three ASCII digits and no authority. Each read
    as an authority holding nothing would be a quiet, empty answer."""
    out = tmp_path / "x.csv"
    assert main(["export", "--store", str(built_store.root), "--la", la, "-o", str(out)]) == 2
    assert main(["history", "--store", str(built_store.root), "--la", la]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and err.count(f"--la: no local authority {la!r}") == 2, err
    assert not out.exists()


def test_an_authority_the_deployment_does_not_serve_exits_2_on_a_read(built_store, tmp_path, capsys, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[authorities]\ncodes = ["839", "878"]\n', encoding="utf-8")
    monkeypatch.setattr("sendlib.domain.authorities.SETTINGS_FILE", secrets)
    monkeypatch.delenv("SENDLIB_HOME_LA", raising=False)
    assert main(["history", "--store", str(built_store.root), "--la", "Plymouth"]) == 2
    assert "Plymouth (879) is not one of this deployment's authorities" in capsys.readouterr().err
    assert main(["history", "--store", str(built_store.root), "--la", "E06000058"]) == 0


def test_rollback_of_another_authoritys_version_is_refused(store, capsys):
    from other_councils import COUNCILS, HERE

    from sendlib.workflows.catalogues import add_measures, propose, store_catalogue
    from sendlib.workflows.load import load_file, parse_bytes
    from sendlib.workflows.stores import open_store

    council = COUNCILS[0]
    other = open_store(store.root, la=council.la)
    file = HERE / council.file
    catalogue = store_catalogue(other)
    add_measures(other, propose(parse_bytes(file.read_bytes(), file.name, catalogue).unknown, catalogue))
    _, info = load_file(other, file, store_catalogue(other))
    assert info is not None
    theirs = info.id
    ours = open_store(store.root, la="839")
    before = (ours.head(), [v.id for v in ours.versions()])
    assert theirs not in before[1], "another authority's version is not in this one's history"

    assert main(["rollback", "--store", str(store.root), "--la", "839", theirs]) == 1
    err = capsys.readouterr().err
    assert f"version {theirs} is another authority's, not 839's" in err and council.la not in err
    ours = open_store(store.root, la="839")
    assert (ours.head(), [v.id for v in ours.versions()]) == before, "nothing written"
    assert open_store(store.root, la=council.la).head() == theirs


@pytest.fixture(scope="module")
def bidi_store(built_store, tmp_path_factory) -> Path:
    """The bundled store with overrides, isolates, newlines and an escape in an author, a file name, a note, a KPI's
    name and commentary, as a store written before the text rule holds them. Read-only."""
    path = copy_store(built_store.root, tmp_path_factory.mktemp("bidi") / "store")
    write_bidi_text(open_store(path))
    return path


def _hidden_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if c in BIDI or c == "\x1b"})


def test_history_prints_one_line_a_version_whatever_the_author_or_file_name_holds(bidi_store, run):
    done = run("history", "--store", str(bidi_store))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()  # any Unicode line break splits here, not only \n
    assert [line.split("\t")[0] for line in lines] == [v.id for v in open_store(bidi_store).versions()]
    assert {len(line.split("\t")) for line in lines} == {len(HISTORY_FIELDS)}
    assert _hidden_in(done.stdout) == []
    assert "Jo[U+202E]sggolB 2025-01-01 * forged[U+2066]x[U+2069][U+001B][2J" in done.stdout, "shown, not dropped"


def test_every_export_format_shows_hidden_characters_and_holds_none(bidi_store, tmp_path):
    texts = {}
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"all.{fmt}"
        assert main(["export", "--store", str(bidi_store), "--kpi", "ehcps", "--format", fmt, "-o", str(out)]) == 0
        if fmt == "csv":
            texts[fmt] = out.read_bytes().decode("utf-8-sig")
        elif fmt == "xlsx":
            book = openpyxl.load_workbook(out, read_only=True)
            texts[fmt] = "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row)
        else:
            texts[fmt] = pd.read_parquet(out).to_csv()
    for fmt, text in texts.items():
        assert _hidden_in(text) == [], fmt
        assert safe_text(BIDI_NOTE) in text, fmt


def test_the_report_shows_hidden_characters_in_commentary_and_holds_none(bidi_store, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "--store", str(bidi_store), "--scorecard", "scorecard", "--period", "2025-01",
                 "--format", "html", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert _hidden_in(html) == []
    assert safe_text(BIDI_COMMENT).split("\n")[0] in html and "Jo[U+202E]sggolB" in html


def test_a_failure_is_one_plain_line_whatever_its_message_holds(tmp_path, capsys):
    """A terminal escape code or a line break in what a message quotes (here the store's path) is not passed on."""
    where = tmp_path / "red\x1b[31mstore\nsecond line\rover"
    assert main(["check", "--store", str(where)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: no store at {tmp_path}/redstore second lineover\n"
