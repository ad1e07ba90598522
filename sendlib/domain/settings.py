"""The explorer's own settings: which authority is "us", and which statistical-neighbour groups to compare with.

Set once in `.streamlit/secrets.toml` (never committed), read by the app and the CLI alike:

    [explorer]
    home_la = "Bournemouth, Christchurch and Poole"   # a name, an old code (839) or a new code (E06000058)
    sn_groups = "2021"                               # DfE's April 2021 or May 2025 neighbour groups

`$SENDLIB_HOME_LA` and `$SENDLIB_SN_GROUPS` override the file (handy for scripts and tests).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, Field

from sendlib.domain.paths import ROOT

SETTINGS_FILE = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_HOME_LA = "839"
DEFAULT_SN_GROUPS = "2021"


class Settings(BaseModel):
    home_la: str = Field(default=DEFAULT_HOME_LA, min_length=1)
    sn_groups: str = Field(default=DEFAULT_SN_GROUPS, pattern=r"^(2021|2025)$")


def load_settings(path: Path | None = None) -> Settings:
    path = path or SETTINGS_FILE
    found: dict[str, object] = {}
    if path.exists():
        with path.open("rb") as fh:
            found = dict(tomllib.load(fh).get("explorer", {}))
    if env := os.environ.get("SENDLIB_HOME_LA"):
        found["home_la"] = env
    if env := os.environ.get("SENDLIB_SN_GROUPS"):
        found["sn_groups"] = env
    return Settings.model_validate({k: str(v) for k, v in found.items() if k in Settings.model_fields})
