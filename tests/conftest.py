"""Shared fixtures: the bundled store is built once per session; tests that write get their own copy."""

from __future__ import annotations

import hashlib
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import azurite_service
import pandas as pd
import pytest
from store_files import copy_store

from sendlib.domain.authorities import BOARD_AUTHORITY
from sendlib.domain.catalogue import Catalogue, load_catalogue
from sendlib.store.delta import DeltaStore
from sendlib.store.location import Location
from sendlib.store.versioned import ParquetStore
from sendlib.workflows.load import init_store
from sendlib.workflows.stores import open_store

ROOT = Path(__file__).resolve().parents[1]
TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"
SEEDS_DIR = Path("/work/shared/seeds")
SCORECARD_SEED = SEEDS_DIR / "001_c4a3362b33691dbe.txt"
BOARD_SEED = SEEDS_DIR / "000_dae6423632dd882b.txt"
PYTHON = ROOT / ".venv" / "bin" / "python"


TIERS = ("unit", "app", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its tier, the folder it sits in: `pytest -m unit`, `make test-unit`."""
    for item in items:
        if (tier := _tier(item)) in TIERS:
            item.add_marker(getattr(pytest.mark, tier))


def _tier(item: pytest.Item) -> str:
    return Path(item.path).resolve().relative_to(TESTS_DIR).parts[0]


def python_exe() -> str:
    """The venv's python when it is there (the brief's interpreter), else the one running the tests."""
    return str(PYTHON) if PYTHON.exists() else sys.executable


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (lock file aside) by relative path → sha256: 'unchanged byte-for-byte'."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != ".lock":
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def snapshot():
    """`snapshot(root)`: every file under root by path → sha256, to assert 'unchanged byte-for-byte'."""
    return _snapshot


@pytest.fixture(scope="session")
def paths() -> dict[str, Path]:
    return {"root": ROOT, "data": DATA_DIR, "scorecard_seed": SCORECARD_SEED, "board_seed": BOARD_SEED}


@pytest.fixture(scope="session")
def python() -> str:
    """The interpreter for `python -m sendlib` subprocesses."""
    return python_exe()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> DeltaStore:
    """The store built from the bundled documents. Read-only: copy it (fixture `store`) to write."""
    store = open_store(tmp_path_factory.mktemp("built") / "store")
    init_store(store, catalogue)
    return store


@pytest.fixture(scope="session")
def parquet_built_store(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> ParquetStore:
    """The bundled documents in a store of the parquet layout from before the Delta store, as that code built it
    (the workflows take either store): what the migration tests migrate. Read-only: copy it to write."""
    store = ParquetStore(tmp_path_factory.mktemp("parquet") / "store")
    init_store(store, catalogue)  # type: ignore[arg-type]
    return store


@pytest.fixture(scope="session")
def table(built_store: DeltaStore) -> pd.DataFrame:
    """Both bundled documents' rows, each read from its own council's partition (the scorecard Bournemouth,
    Christchurch and Poole's, the board report its unnamed council's): the input of the pure functions, which take
    one document at a time."""
    return pd.concat([built_store.read(), built_store.authority(BOARD_AUTHORITY).read()], ignore_index=True)


@pytest.fixture
def store(built_store: DeltaStore, tmp_path: Path) -> DeltaStore:
    """A private, writable copy of the built store."""
    target = tmp_path / "store"
    copy_store(built_store.root, target)
    return open_store(target)


@pytest.fixture
def empty_store(tmp_path: Path) -> DeltaStore:
    return open_store(tmp_path / "empty-store")


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Location]:
    """Azurite, started for the session and stopped after it (`azurite_service`): a container to put stores in."""
    with azurite_service.running(tmp_path_factory.mktemp("azurite")) as location:
        yield location


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """The app's caches cleared on the way in and out, for a test that changes what a process holds for its life
    (the home authority, the store's location, a deployment's secrets): the next test in the process sees its own."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def azurite_store(azurite: Location, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> str:
    """A store on Azurite no test has used, built from the bundled data, that the app opens as a replica would:
    `$SENDLIB_STORE` an az:// URI, the credentials in the environment."""
    for name, value in azurite_service.environment(azurite).items():
        monkeypatch.setenv(name, value)
    uri = azurite.child(uuid.uuid4().hex).uri
    init_store(open_store(uri))
    monkeypatch.setenv("SENDLIB_STORE", uri)
    return uri


@pytest.fixture
def store_dir(built_store: DeltaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store built from the bundled data (a copy of the session's), private to the test, that the app opens
    ($SENDLIB_STORE)."""
    path = tmp_path / "store"
    copy_store(built_store.root, path)
    monkeypatch.setenv("SENDLIB_STORE", str(path))
    return path
