"""`python -m sendlib report` and `comment`: the board report from the command line, with its exit codes."""

from __future__ import annotations

import io
import subprocess

import pypdf
import pytest

from sendlib.cli import main
from sendlib.store.delta import DeltaStore
from sendlib.workflows.commentary import read_comments

RATE = "b04-20-week-rate-excl-exceptions"


@pytest.mark.parametrize(("args", "council", "pages"), [
    (["--la", "X01", "--period", "Mar 24", "--appendix", "glossary"],
     "The council of the board report (not named in its document)", 10),
    (["--period", "2025-01", "--scorecard", "scorecard"], "Bournemouth, Christchurch and Poole", 8),
], ids=["board", "scorecard"])
def test_report_as_pdf_through_the_real_command(built_store: DeltaStore, tmp_path, python, paths, args, council,
                                                pages) -> None:
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [python, "-m", "sendlib", "report", "--store", str(built_store.root), *args, "--format", "pdf", "-o", str(out)],
        cwd=paths["root"], capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "exceptions) to" in done.stdout
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith(f"{council}: ")
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    text = " ".join(texts)
    assert council in texts[0] and "England" in text and "DfE" in text
    assert "TBC" not in text and "Placeholder" not in text
    appendix = next((n for n, t in enumerate(texts) if "Appendix: glossary" in t), len(texts))
    assert appendix <= pages, "the page limit holds before any appendix"
    assert ("Appendix: glossary" in text) == ("--appendix" in args)


def test_comment_then_report_as_html(store: DeltaStore, tmp_path, capsys) -> None:
    root, board = str(store.root), ["--la", "X01"]  # the board report's council
    assert main(["comment", "--store", root, *board, "--period", "2024-03", "--kpi", RATE, "--author", "jo",
                 "Recovery plan agreed with the panel."]) == 0
    assert "saved commentary" in capsys.readouterr().out
    assert main(["comment", "--store", root, *board, "--period", "2024-03", "A month of two halves."]) == 0
    out = tmp_path / "board.html"
    assert main(["report", "--store", root, *board, "--period", "2024-03", "--format", "html", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Recovery plan agreed with the panel." in html and "A month of two halves." in html
    assert "Latest (Mar 24)" in html

    assert main(["comment", "--store", root, *board, "--period", "2024-03", "--kpi", RATE, ""]) == 0
    assert "deleted" in capsys.readouterr().out
    assert set(read_comments(store.authority("X01"))["kpi_id"]) == {""}
    assert read_comments(store).empty, "nothing of the board report's is Bournemouth's"


def test_the_monthly_scorecard_report(built_store: DeltaStore, tmp_path) -> None:
    out = tmp_path / "scorecard.html"
    assert main(["report", "--store", str(built_store.root), "--period", "2025-01", "--scorecard", "scorecard",
                 "-o", str(out)]) == 0
    assert "4,453" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--period", "2019-03", "-o", "x.html"], "no figures for March 2019"),
    (["report", "--period", "someday", "-o", "x.html"], "not a period"),
    (["report", "--period", "2024-03", "--scorecard", "nope", "-o", "x.html"], "no scorecard 'nope'"),
    (["comment", "--period", "2024-03", "--scorecard", "<script>", "text"], "no scorecard '<script>'"),
    (["comment", "--period", "2024-03", "--kpi", "no-such-kpi", "text"], "no KPI"),
    (["comment", "--period", "whenever", "text"], "not a period"),
    (["comment", "--period", "2025-01", "--kpi", "ehcps", "text"], "is a measure of --scorecard scorecard"),
])
def test_bad_arguments_exit_2_and_write_nothing(built_store: DeltaStore, tmp_path, monkeypatch, capsys, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*args, "--store", str(built_store.root)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_an_unknown_appendix_is_refused_by_the_parser(built_store: DeltaStore, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--store", str(built_store.root), "--period", "2024-03", "--appendix", "forecast",
              "-o", str(tmp_path / "x.html")])
    assert exit_.value.code == 2 and "invalid choice: 'forecast'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_a_missing_store_exits_1(tmp_path, capsys) -> None:
    assert main(["report", "--store", str(tmp_path / "none"), "--period", "2024-03", "-o", str(tmp_path / "r.html")]) == 1
    assert main(["comment", "--store", str(tmp_path / "none"), "--period", "2024-03", "text"]) == 1
    assert "holds no data" in capsys.readouterr().err
