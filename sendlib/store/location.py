"""Where a store lives: a folder on local disk, or a URI on object storage with the options to reach it.

`--store` (or `$SENDLIB_STORE`) may be a path or `az://container/path`, `abfss://container@account.dfs.core.windows.net/
path`, `s3://bucket/path`, `gs://bucket/path`. The options for object storage come from `.streamlit/secrets.toml`
(never committed):

    [storage]
    account_name = "mystorageaccount"
    account_key = "…"

and from the environment variables delta-rs knows for that backend (`AZURE_STORAGE_ACCOUNT_NAME`,
`AZURE_CLIENT_ID`, `AWS_ACCESS_KEY_ID`, `GOOGLE_SERVICE_ACCOUNT`, …), which override the file as `$SENDLIB_HOME_LA`
overrides `[explorer]`. They are gathered here, not left to delta-rs alone, so any other reader handed a `Location`
(pyarrow, Polars, DuckDB) reaches the same store with the same credentials.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+)://")
# Each backend's schemes, as delta-rs (object_store) names them, and the prefix of its environment variables.
BACKENDS: dict[str, tuple[str, ...]] = {
    "AZURE_": ("az", "azure", "abfs", "abfss", "adl"),
    "AWS_": ("s3", "s3a"),
    "GOOGLE_": ("gs",),
}
# Short and long spellings of one option (`account_name`, `azure_storage_account_name`) are one option.
_OPTION_PREFIXES = ("azure_storage_", "azure_", "aws_", "google_")


class LocationError(ValueError):
    """The store's location cannot be understood: a scheme no backend serves, or an unreadable secrets file."""


@dataclass(frozen=True)
class Location:
    """A store's address. `storage_options` carry credentials, so they are kept out of `repr` and messages."""

    uri: str
    storage_options: dict[str, str] = field(default_factory=dict, repr=False, compare=False, hash=False)
    is_local: bool = True

    def child(self, *parts: str) -> Location:
        """A location inside this one (a table of the store), reached with the same options."""
        if self.is_local:
            return Location(str(Path(self.uri).joinpath(*parts)), dict(self.storage_options), True)
        return Location("/".join([self.uri.rstrip("/"), *parts]), dict(self.storage_options), False)

    def __str__(self) -> str:
        return self.uri


def _backend_prefix(scheme: str) -> str:
    for prefix, schemes in BACKENDS.items():
        if scheme in schemes:
            return prefix
    known = ", ".join(f"{s}://" for schemes in BACKENDS.values() for s in schemes)
    raise LocationError(f"{scheme}:// is not a store location this explorer can use (a folder, or one of {known})")


def _alias(key: str) -> str:
    key = key.lower()
    for prefix in _OPTION_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def _secrets_options(secrets: Path) -> dict[str, str]:
    try:
        with secrets.open("rb") as fh:
            found = tomllib.load(fh).get("storage", {})
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LocationError(f"{secrets} cannot be read for its [storage] settings ({exc})") from None
    if not isinstance(found, dict):
        raise LocationError(f"{secrets}: [storage] must be a table of settings")
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in found.items()}


def store_location(raw: str | os.PathLike[str], *, secrets: Path | None = None,
                   environ: Mapping[str, str] | None = None) -> Location:
    """A path or URI as a `Location`: local paths made absolute, object storage with its options gathered."""
    text = os.fspath(raw)
    match = SCHEME.match(text)
    if match is None or match["scheme"].lower() == "file":
        path = text[len("file://"):] if match else text
        return Location(str(Path(path).expanduser().absolute()), {}, True)
    scheme = match["scheme"].lower()
    prefix = _backend_prefix(scheme)
    if secrets is None:
        from sendlib.domain.settings import SETTINGS_FILE

        secrets = SETTINGS_FILE
    options = _secrets_options(secrets)
    env = os.environ if environ is None else environ
    for name, value in env.items():
        if name.upper().startswith(prefix) and value:
            key = name.lower()
            options = {k: v for k, v in options.items() if _alias(k) != _alias(key)}
            options[key] = value
    return Location(scheme + text[len(match["scheme"]):], options, False)
