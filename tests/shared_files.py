"""Where DfE's original files are: beside the repo as ../shared/dfe (CI has them there). Tests that read them
say why; without them (a user's clone) those tests skip, except in CI where they must run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DFE_DIR = next((p for p in (ROOT.parent / "shared" / "dfe", Path("/work/shared/dfe")) if p.is_dir()),
               ROOT.parent / "shared" / "dfe")
requires_dfe = pytest.mark.skipif(
    not DFE_DIR.is_dir() and not os.environ.get("CI"), reason=f"DfE's original files are not at {DFE_DIR}"
)
