"""Where the bundled data lives, and where a store is found when none is named."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
CATALOGUE_DIR = DATA_DIR / "catalogue"
SOURCE_DIR = DATA_DIR / "source"
DEFAULT_STORE = DATA_DIR / "store"
STORE_ENV = "SENDLIB_STORE"
CATALOGUE_ENV = "SENDLIB_CATALOGUE"

SCORECARD_FILE = SOURCE_DIR / "send_scorecard.csv"
BOARD_FILE = SOURCE_DIR / "board_report_2024-05.csv"


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--store` first, then $SENDLIB_STORE, then data/store (built from the bundled data on first use)."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(STORE_ENV):
        return Path(env)
    return DEFAULT_STORE


def store_address(explicit: str | os.PathLike[str] | None = None) -> str:
    """As `store_path`, as given: a URI (`az://container/path`) stays one rather than becoming a path."""
    if explicit:
        return os.fspath(explicit)
    return os.environ.get(STORE_ENV) or str(DEFAULT_STORE)


def catalogue_dir() -> Path:
    """$SENDLIB_CATALOGUE (a folder with kpis.csv and themes.csv) or the bundled catalogue.

    Used by bench/ to run the app on synthetic catalogues 100 times the bundled size."""
    return Path(os.environ.get(CATALOGUE_ENV) or CATALOGUE_DIR)
