"""The deployment's authorities and who may do what with each one's data.

Set in `.streamlit/secrets.toml` (never committed), beside `[explorer]` and `[auth]`:

    [authorities]
    codes = ["839", "E06000052", "Devon"]    # names, old codes or new codes; resolved to old codes

    [editors]
    emails = ["send.manager@bcp.gov.uk"]     # the flat list of old: editors of the home authority
    "839" = ["a@bcp.gov.uk"]                 # one key per authority (a code or a name) → its editors
    "E06000052" = ["b@cornwall.gov.uk"]

    [viewers]
    "878" = ["c@devon.gov.uk"]

Without `[authorities]` (the local default) any English authority DfE publishes may be named and written, as the
CLI's `--la` does. Without `[viewers]` the home authority's data is open to everyone who reaches the app, as it
always was; with it, each authority's data is for its own viewers and editors.

Addresses are compared exactly, after trimming spaces and lower-casing the ASCII letters A-Z, and nothing else: no
Unicode case folding or normalisation, which would make `roß@`, `Kate@` with a Kelvin sign (U+212A) or `roſs@` into
`ross@` and `kate@`, letting a look-alike sign in as an editor. A configured address must be plain ASCII (a listed
look-alike is refused at load, naming it), and a signed-in address holding anything else matches nobody. An address
holds a role only if the sign-in provider vouches for it: `email_verified` the boolean true or the string "true".
Authorities are named in plain ASCII too: `839`, `E06000058` or a name, never full-width or Arabic-Indic digits.

Pure: the caller passes the settings (a parsed TOML mapping, or `load_authorities` reads the file) and the DfE
authority index (`benchmarks.la_index`), so this module reads nothing but the settings file.
"""

from __future__ import annotations

import re
import string
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from sendlib.domain.benchmarks import Authority, LaNotFound, resolve_la
from sendlib.domain.own_measures import BUNDLED_AUTHORITY
from sendlib.domain.settings import SETTINGS_FILE, load_settings

Role = Literal["editor", "viewer"]
LEGACY_KEY = "emails"  # `[editors] emails = [...]`: the home authority's editors, from before there were several
OLD_CODE = re.compile(r"[0-9]{3}", re.ASCII)  # DfE's old three-digit code, in ASCII digits only
_ASCII_SPACE = " \t\r\n\v\f"
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# A listed address: printable ASCII without spaces, one @ with something either side.
_LISTABLE = re.compile(r"[!-?A-~]+@[!-?A-~]+", re.ASCII)

# The two bundled documents are two councils' (issue 19): the scorecard is Bournemouth, Christchurch and Poole's (DfE's
# 839), the board report another, larger council's that its document does not name. That council is an authority like
# any other, under a code none of DfE's three-digit codes can be, so no DfE figure is ever taken for it.
BOARD_AUTHORITY = "X01"
LOCAL_AUTHORITIES = {BOARD_AUTHORITY: "The council of the board report (not named in its document)"}
# Each bundled council and the bundled document that holds its figures (`schema` scorecard names).
BUNDLED_DOCUMENTS = {BUNDLED_AUTHORITY: "scorecard", BOARD_AUTHORITY: "board"}
NOT_MATCHED = "DfE comparisons are made only for an authority DfE can be matched to"


def dfe_matched(la: str) -> bool:
    """Whether DfE publishes figures for the authority: only one of DfE's own old codes can be matched."""
    return OLD_CODE.fullmatch(la) is not None


def local_authority(la: str) -> Authority | None:
    """An authority DfE does not know (`LOCAL_AUTHORITIES`), by its code or its name; None for any other."""
    wanted = " ".join(la.split()).casefold()
    for code, name in LOCAL_AUTHORITIES.items():
        if wanted in (code.casefold(), name.casefold()):
            return Authority(old_la_code=code, la_name=name)
    return None


class AuthorityError(ValueError):
    """The settings name an authority DfE does not know, or one the deployment does not serve."""


def address(email: object) -> str:
    """An email address as compared and recorded: ASCII spaces trimmed and A-Z lower-cased, nothing else (see the
    module docstring: `Jo@Council.gov.uk ` and `jo@council.gov.uk` are one, `roß@` and `ross@` are two)."""
    return str(email or "").strip(_ASCII_SPACE).translate(_ASCII_LOWER)


def verified(claim: object) -> bool:
    """Whether the sign-in provider vouches for the address: `email_verified` the boolean true, or the string "true"
    as some providers send it. Anything else (absent, `0`, `"0"`, `"no"`, `""`) is not a yes."""
    return claim is True or (isinstance(claim, str) and claim.translate(_ASCII_LOWER) == "true")


def editor_allowed(email: str | None, claim: object, editors: Iterable[str] | str) -> bool:
    """Whether a signed-in address is on a list, whatever the case of its ASCII letters or stray spaces, and
    verified: the one rule every role check goes through. An address outside ASCII matches nothing."""
    found = address(email)
    if not found or not found.isascii() or not verified(claim):
        return False
    listed = [editors] if isinstance(editors, str) else editors
    return found in {address(e) for e in listed}


def find_authority(la: str, index: pd.DataFrame) -> Authority:
    """The authority a name, old code or new code means; LaNotFound for one DfE does not know, and for any text
    outside printable ASCII (`８３９`, `٨٣٩`), which no DfE name or code holds."""
    text = str(la).strip(_ASCII_SPACE)
    if not text.isascii() or not text.isprintable():
        raise LaNotFound(f"no local authority {la!r}: names and codes are plain ASCII (839, E06000058, Devon)")
    if (local := local_authority(text)) is not None:
        return local
    return resolve_la(pd.DataFrame(), text, index=index)


class Authorities(BaseModel):
    """A deployment's authorities (old codes) and each one's editors and viewers, as settled from the settings."""

    model_config = ConfigDict(frozen=True)

    home: str
    # None: the local default, every authority in `known` may be written.
    codes: tuple[str, ...] | None = None
    known: frozenset[str] = frozenset()
    editors: dict[str, tuple[str, ...]] = {}
    viewers: dict[str, tuple[str, ...]] = {}
    # No `[viewers]` section: the home authority is open to everyone, as before there were several.
    open_viewing: bool = True

    @property
    def shown(self) -> tuple[str, ...]:
        """The authorities the app offers: `[authorities]` codes, else the home one, with the other bundled council
        when the home one is a bundled document's (the bundled deployment serves both documents' councils)."""
        if self.codes is not None:
            return self.codes
        if self.home in BUNDLED_DOCUMENTS:
            return (self.home, *(code for code in BUNDLED_DOCUMENTS if code != self.home))
        return (self.home,)

    @property
    def served(self) -> tuple[str, ...]:
        """The authorities whose data this deployment holds (every known one in the local default)."""
        return self.codes if self.codes is not None else tuple(sorted(self.known))

    def serves(self, la: str) -> bool:
        return la in self.codes if self.codes is not None else la in self.known

    def authority(self, la: str, index: pd.DataFrame, *, where: str = "the authority asked for") -> Authority:
        """The authority a name or code means, if the deployment serves it (else AuthorityError naming it): what the
        CLI's `--la` and the app's authority choice go through."""
        found = _resolve(la, index, where=where)
        if not self.serves(found.old_la_code):
            raise AuthorityError(f"{where}: {found.la_name} ({found.old_la_code}) is not one of this deployment's "
                                 f"authorities ([authorities] codes: {', '.join(self.served)})")
        return found

    def roles(self, email: str | None, claim: object) -> dict[str, Role]:
        """Each authority this address holds a role in; an editor of one is also its viewer, so "editor" wins."""
        out: dict[str, Role] = {}
        for code, listed in self.viewers.items():
            if editor_allowed(email, claim, listed):
                out[code] = "viewer"
        for code, listed in self.editors.items():
            if editor_allowed(email, claim, listed):
                out[code] = "editor"
        return out

    def may_write(self, email: str | None, claim: object, la: str) -> bool:
        """Upload, restore, comment, set up or share for `la`: only its own editors, and only if it is served."""
        return self.serves(la) and self.roles(email, claim).get(la) == "editor"

    def may_see(self, email: str | None, claim: object, la: str) -> bool:
        """See `la`'s own data (what it shares with the others is the peer comparison's affair, not this)."""
        if not self.serves(la):
            return False
        bundled = self.codes is None and la in self.shown  # the other bundled council, where none are configured
        return la in self.roles(email, claim) or (self.open_viewing and (la == self.home or bundled))


def _resolve(la: str, index: pd.DataFrame, *, where: str) -> Authority:
    try:
        return find_authority(la, index)
    except LaNotFound as exc:
        raise AuthorityError(f"{where}: {exc}") from None


def _listable(entry: str, *, where: str) -> str:
    """A configured address as compared, or AuthorityError naming it: a look-alike (`roß@`, a Kelvin sign, a Cyrillic
    а, full-width letters) would otherwise stand for someone else, or for no one the list's author meant."""
    found = address(entry)
    if _LISTABLE.fullmatch(found):
        return found
    odd = [f"U+{ord(c):04X} {unicodedata.name(c, 'a control character')}" for c in dict.fromkeys(found)
           if not c.isascii() or not c.isprintable()]
    why = (f"holds {', '.join(odd)}: addresses are compared exactly, in plain ASCII, so a look-alike cannot stand "
           "for another; write it as the sign-in provider sends it" if odd
           else "is not an email address (one @, no spaces)")
    raise AuthorityError(f"{where}: {entry!r} {why}")


def _listed(value: object, *, where: str) -> tuple[str, ...]:
    """A TOML list of strings (one string is one entry, not read letter by letter)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise AuthorityError(f"{where} must be a list of strings, not {value!r}")
    return tuple(items)


def _codes(section: Mapping[str, Any], index: pd.DataFrame) -> tuple[str, ...]:
    listed = _listed(section.get("codes", []), where="[authorities] codes")
    if not listed:
        raise AuthorityError("[authorities] codes lists no authority (leave the section out for the local default: "
                             "any English authority)")
    codes = [_resolve(la, index, where="[authorities] codes").old_la_code for la in listed]
    return tuple(dict.fromkeys(codes))


def _people(section: object, name: str, index: pd.DataFrame, served: Authorities) -> dict[str, tuple[str, ...]]:
    """`[editors]` or `[viewers]`: each key an authority (the legacy `emails` the home one) → its addresses."""
    if not isinstance(section, Mapping):
        raise AuthorityError(f"[{name}] must be a table of authority = [emails]")
    out: dict[str, set[str]] = {}
    for key, value in section.items():
        where = f"[{name}] {key!r}"
        code = served.home if key == LEGACY_KEY else served.authority(key, index, where=where).old_la_code
        out.setdefault(code, set()).update(_listable(e, where=where) for e in _listed(value, where=where) if address(e))
    return {code: tuple(sorted(emails)) for code, emails in out.items()}


def parse_authorities(secrets: Mapping[str, Any], index: pd.DataFrame, *, home_la: str) -> Authorities:
    """The deployment from the settings' `[authorities]`, `[editors]` and `[viewers]` (a parsed secrets.toml, or
    Streamlit's `st.secrets.to_dict()`), every authority resolved on `index`; AuthorityError names any it cannot."""
    home = _resolve(home_la, index, where="[explorer] home_la").old_la_code
    section = secrets.get("authorities")
    if section is not None and not isinstance(section, Mapping):
        raise AuthorityError("[authorities] must be a table with codes = [...]")
    codes = None if section is None else _codes(section, index)
    if codes is not None and home not in codes:
        raise AuthorityError(f"the home authority ({home_la}, {home}) is not among [authorities] codes "
                             f"({', '.join(codes)}): add it, or set [explorer] home_la to one of them")
    known = frozenset(index["old_la_code"].dropna().astype(str)) | frozenset(LOCAL_AUTHORITIES)
    served = Authorities(home=home, codes=codes, known=known)
    editors = _people(secrets.get("editors", {}), "editors", index, served)
    viewers = _people(secrets.get("viewers", {}), "viewers", index, served)
    return served.model_copy(update={"editors": editors, "viewers": viewers, "open_viewing": "viewers" not in secrets})


def load_authorities(index: pd.DataFrame, path: Path | None = None, *, home_la: str | None = None) -> Authorities:
    """The deployment as `.streamlit/secrets.toml` sets it (the file `settings.load_settings` reads), the home
    authority from `[explorer] home_la` (or `$SENDLIB_HOME_LA`) unless given."""
    path = path or SETTINGS_FILE
    secrets: dict[str, Any] = {}
    if path.exists():
        with path.open("rb") as fh:
            secrets = tomllib.load(fh)
    return parse_authorities(secrets, index, home_la=home_la or load_settings(path).home_la)
