"""Whose data this session shows, and who signed in: the deployment's authorities (`[authorities]`, `[editors]`,
`[viewers]` in secrets, read by `sendlib.domain.authorities`) applied to the signed-in address.

Without `[authorities]` the explorer serves the configured home authority (and, when that is a bundled document's
council, the other bundled council: the scorecard and the board report are two councils'). With it, each session
shows one authority at a time, chosen in the sidebar among those the visitor may see; every page, cache and write goes
through `authority()`, so nothing of another authority's is read for it, and every page's heading names it.
"""

from __future__ import annotations

import functools
import json

import streamlit as st

from sendlib.domain.authorities import BUNDLED_DOCUMENTS, LOCAL_AUTHORITIES, Authorities, dfe_matched, parse_authorities
from sendlib.domain.settings import load_settings
from sendlib.workflows.catalogues import authority_index

AUTHORITY_KEY = "authority"
SECTIONS = ("authorities", "editors", "viewers")


def secrets_section(name: str) -> dict | None:
    try:
        return st.secrets[name].to_dict() if name in st.secrets else None
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return None


def login_configured() -> bool:
    return secrets_section("auth") is not None


def claims() -> tuple[str | None, object]:
    """The signed-in address and whether the provider verified it; (None, None) when nobody is signed in."""
    if login_configured() and st.user.is_logged_in:
        return st.user.get("email"), st.user.get("email_verified")
    return None, None


@functools.cache
def names() -> dict[str, str]:
    """Every authority's name by old code, as DfE publishes it, and the authorities DfE does not know."""
    index = authority_index()
    return dict(zip(index["old_la_code"].astype(str), index["la_name"].astype(str), strict=True)) | LOCAL_AUTHORITIES


def name_of(la: str) -> str:
    return names().get(la, la)


@st.cache_resource(max_entries=8)
def _deployment(sections: str, home_la: str) -> Authorities:
    return parse_authorities(json.loads(sections), authority_index(), home_la=home_la)


def deployment() -> Authorities:
    """The deployment as the secrets set it (parsed once per distinct setting)."""
    sections = {name: found for name in SECTIONS if (found := secrets_section(name)) is not None}
    return _deployment(json.dumps(sections, sort_keys=True), load_settings().home_la)


def several() -> bool:
    """A deployment serving more than one authority: the sidebar offers the choice of whose figures."""
    return len(deployment().shown) > 1


def visible() -> list[str]:
    """The authorities (old codes) this visitor may see, the home one first: every served one without sign-in."""
    dep = deployment()
    served = list(dep.shown)
    if not login_configured():
        return served
    email, verified = claims()
    return sorted((la for la in served if dep.may_see(email, verified, la)), key=lambda la: la != dep.home)


def authority() -> str:
    """The authority this session shows: the visitor's choice if they may see it, else the first they may. Only
    reached once `visible()` is not empty (the app says so and stops before any page otherwise)."""
    allowed = visible()
    chosen = st.session_state.get(AUTHORITY_KEY)
    if chosen in allowed:
        return str(chosen)
    return allowed[0] if allowed else deployment().home


def shown_name() -> str:
    """The name of the authority this session shows, as every page's heading and every write's button say it."""
    return name_of(authority())


def save_label(what: str = "figures") -> str:
    """A write's button, naming the authority it writes to ("Save to Bournemouth, Christchurch and Poole's figures"):
    every write goes to the authority shown."""
    return f"Save to {shown_name()}'s {what}"


def matched() -> bool:
    """Whether DfE's published figures can be matched to the authority shown (the board report's council's cannot)."""
    return dfe_matched(authority())


def main_document(la: str | None = None) -> str | None:
    """The bundled document that holds a bundled council's figures (whose latest month is the as-at default); None
    for any other authority, whose own files may be either layout."""
    return BUNDLED_DOCUMENTS.get(la or authority())


def may_write(la: str | None = None) -> bool:
    """Whether this visitor may change `la`'s data (default: the authority shown): anyone, without sign-in."""
    if not login_configured():
        return True
    email, verified = claims()
    return deployment().may_write(email, verified, la or authority())
