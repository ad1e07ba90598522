"""Who may change the data. With Streamlit's OIDC login configured (`[auth]` in .streamlit/secrets.toml),
only emails listed under `[editors] emails = [...]` see upload and restore; without login (the local
default) anyone with the link can, and the page says so."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from .text import plain


def _secrets_section(name: str) -> dict | None:
    try:
        return dict(st.secrets[name]) if name in st.secrets else None
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return None


def login_configured() -> bool:
    return _secrets_section("auth") is not None


def _address(email: object) -> str:
    """An email address as compared and recorded: `Jo.Bloggs@Council.gov.uk ` and `jo.bloggs@council.gov.uk` are one."""
    return str(email or "").strip().casefold()


def current_user() -> str | None:
    """Who is recorded as the author of a change: the signed-in address (or name), None without sign-in."""
    if login_configured() and st.user.is_logged_in:
        return _address(st.user.get("email")) or str(st.user.get("name") or "signed-in user")
    return None


def unverified(verified: object) -> bool:
    """The sign-in provider says the address is not verified (`email_verified` false; some send it as a string).
    A provider that does not send the claim at all is trusted as configured."""
    return str(verified).strip().lower() == "false"


def editor_allowed(email: str | None, verified: object, editors: Iterable[str] | str) -> bool:
    """Whether a signed-in address may change data: on the editors list, whatever its case or stray spaces, and not
    an address the provider has not verified."""
    if not _address(email) or unverified(verified):
        return False
    listed = [editors] if isinstance(editors, str) else editors
    return _address(email) in {_address(e) for e in listed}


def is_editor() -> bool:
    """Whether this visitor may change data, without drawing anything (commentary boxes sit under every chart)."""
    if not login_configured():
        return True
    if not st.user.is_logged_in:
        return False
    return editor_allowed(st.user.get("email"), st.user.get("email_verified"),
                          (_secrets_section("editors") or {}).get("emails", []))


def may_edit() -> bool:
    """Render the sign-in state and say whether this visitor may upload or restore."""
    if not login_configured():
        st.info("Sign-in is not configured for this copy of the explorer: anyone with the link can upload "
                "and restore data. See the README to restrict this to named editors.", icon=":material/info:")
        return True
    if not st.user.is_logged_in:
        st.button("Sign in to upload or restore", on_click=st.login, icon=":material/login:")
        return False
    email = plain(_address(st.user.get("email")) or "an account with no email address")
    if is_editor():
        st.caption(f"Signed in as {email} (editor).")
        return True
    if unverified(st.user.get("email_verified")):
        st.warning(f"Signed in as {email}, an address your sign-in provider has not verified: you can view but not "
                   "change the data.")
    else:
        st.warning(f"Signed in as {email}, who is not on the editors list: you can view but not change the data.")
    return False
