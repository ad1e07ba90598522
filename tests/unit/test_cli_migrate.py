"""`python -m sendlib migrate --store DIR [--finish]`, run as other tools run it: a subprocess.

One line a table, tab-separated (`table`, `versions`, `what`); exit 0 done, 1 a store problem, 2 bad arguments.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from store_files import copy_store

from sendlib.domain.paths import ROOT
from sendlib.store.delta import DeltaStore
from sendlib.store.versioned import ParquetStore

TABLES = ["values", "dfe", "neighbours"]  # the bundled documents' store: the figures and DfE's two tables


def sendlib(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sendlib", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def rows(result: subprocess.CompletedProcess[str]) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines()]


@pytest.fixture
def root(parquet_built_store: ParquetStore, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    copy_store(parquet_built_store.root, target)
    return target


def test_migrate_then_again_then_finish(root: Path) -> None:
    first = sendlib("migrate", "--store", str(root))
    assert first.returncode == 0, first.stderr
    assert rows(first) == [["values", "2", "migrated"], ["dfe", "1", "migrated"], ["neighbours", "1", "migrated"]]
    assert (root / "versions" / "000002.parquet").exists() and (root / "HEAD").exists()

    again = sendlib("migrate", "--store", str(root))
    assert again.returncode == 0, again.stderr
    assert [r[2] for r in rows(again)] == ["already migrated"] * 3

    finish = sendlib("migrate", "--store", str(root), "--finish")
    assert finish.returncode == 0, finish.stderr
    assert rows(finish) == [
        ["values", "2", "removed versions/ (4 files), HEAD, .lock"],
        ["dfe", "1", "removed tables/dfe/versions/ (2 files), tables/dfe/HEAD, tables/dfe/.lock, tables/dfe/"],
        ["neighbours", "1", "removed tables/neighbours/versions/ (2 files), tables/neighbours/HEAD, "
                            "tables/neighbours/.lock, tables/neighbours/, tables/"],
    ]
    assert sorted(p.name for p in root.iterdir()) == ["delta"]
    assert DeltaStore(root, la="839").head() == "000002" and len(DeltaStore(root, la="839").read()) > 0


def test_finish_before_migrating_refuses_with_exit_1(root: Path) -> None:
    result = sendlib("migrate", "--store", str(root), "--finish")
    assert result.returncode == 1
    assert [r[0] for r in rows(result)] == TABLES
    assert all(r[2].startswith("refused: not migrated yet") for r in rows(result))
    assert result.stderr.strip() == "refused: values, dfe, neighbours (see above); nothing was removed"
    assert (root / "HEAD").exists() and not (root / "delta").exists()


def test_a_damaged_version_refuses_its_table_with_exit_1(root: Path) -> None:
    parquet = root / "versions" / "000001.parquet"
    parquet.write_bytes(parquet.read_bytes()[:64])
    result = sendlib("migrate", "--store", str(root))
    assert result.returncode == 1
    values, dfe, neighbours = rows(result)
    assert values[:2] == ["values", "2"]
    assert values[2].startswith("refused: versions/000001.parquet does not match the sha256 recorded")
    assert values[2].endswith("; nothing was written for this table")
    assert dfe[2] == neighbours[2] == "migrated"
    assert not (root / "delta" / "values").exists()


@pytest.mark.parametrize("where", ["absent", "az://container/store"])
def test_a_store_that_is_not_a_folder_exits_2(tmp_path: Path, where: str) -> None:
    result = sendlib("migrate", "--store", str(tmp_path / where) if where == "absent" else where)
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.startswith("error: ")


def test_a_folder_with_no_store_exits_1(tmp_path: Path) -> None:
    result = sendlib("migrate", "--store", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {tmp_path} holds no store to migrate")


def test_an_unknown_option_exits_2(root: Path) -> None:
    assert sendlib("migrate", "--store", str(root), "--finsh").returncode == 2
