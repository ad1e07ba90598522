"""Keyed pseudonymous case references, so a person's records join across returns without their identity.

HMAC-SHA256 with a key the authority holds: without the key a reference cannot be tested against a guessed UPN
(a plain hash of a 13-character UPN could). The UPN is used when there is one, else the ULN, else the identity
fields that are then dropped, so the same child gets the same reference in every return that identifies them the
same way. The key comes from `.streamlit/secrets.toml` (`[cases] key`), else `$SENDLIB_CASES_KEY`, else a key the
store generated on first load (see `workflows.cases`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from pathlib import Path

from sendlib.domain.settings import SETTINGS_FILE

KEY_ENV = "SENDLIB_CASES_KEY"
REF_CHARS = 16  # 64 bits: no collision among a nation's children is likely, and short enough to read aloud


def configured_key(settings_file: Path | None = None) -> bytes | None:
    """The key set by the deployment, or None when it set none."""
    path = settings_file or SETTINGS_FILE
    if path.exists():
        with path.open("rb") as fh:
            key = tomllib.load(fh).get("cases", {}).get("key")
        if key:
            return str(key).encode()
    if env := os.environ.get(KEY_ENV):
        return env.encode()
    return None


def identity_text(upn: str | None, uln: str | None, surname: str | None, forename: str | None,
                  birth_date: str | None) -> str:
    """What is hashed: the first identifier present, tagged with its kind so a UPN never equals a ULN."""
    if upn and upn.strip():
        return "UPN:" + upn.strip().upper()
    if uln and uln.strip():
        return "ULN:" + uln.strip()
    parts = [(p or "").strip().lower() for p in (surname, forename, birth_date)]
    return "ID:" + "|".join(parts)


def case_ref(key: bytes, identity: str) -> str:
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:REF_CHARS]


def ref_for_upn(key: bytes, upn: str) -> str:
    """The reference a UPN typed into "find a case" would have."""
    return case_ref(key, identity_text(upn, None, None, None, None))
