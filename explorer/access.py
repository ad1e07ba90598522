"""Who may change the data. With Streamlit's OIDC login configured (`[auth]` in .streamlit/secrets.toml),
only the shown authority's editors (`[editors] emails = [...]` for the home one, `[editors] "839" = [...]` for each
of several) see upload, restore and commentary; without login (the local default) anyone with the link can, and the
page says so."""

from __future__ import annotations

import logging

import streamlit as st

# The rule itself is the library's (sendlib.domain.authorities), so the CLI and per-authority roles share it.
from sendlib.domain.authorities import AuthorityError, verified
from sendlib.domain.authorities import address as _address

from .authority import authority, login_configured, may_write
from .text import plain

# For a page's "Technical details" (explorer.details) when sign-in is off: where whoever runs the explorer turns it on.
SIGN_IN_DETAILS = ("Sign-in is Streamlit's OpenID Connect login, set in `.streamlit/secrets.toml`: an `[auth]` section "
                   "turns it on and `[editors] emails = [...]` names who may change the data (the README's sign-in "
                   "section has the steps).")


def current_user() -> str | None:
    """Who is recorded as the author of a change: the signed-in address (or name), None without sign-in."""
    if login_configured() and st.user.is_logged_in:
        return _address(st.user.get("email")) or str(st.user.get("name") or "signed-in user")
    return None


def is_editor() -> bool:
    """Whether this visitor may change data, without drawing anything (commentary boxes sit under every chart)."""
    if not login_configured():
        return True
    if not st.user.is_logged_in:
        return False
    return may_write(authority())


def may_edit() -> bool:
    """Render the sign-in state and say whether this visitor may upload or restore."""
    if not login_configured():
        st.info("Anyone with the link can upload and restore figures here: sign-in is not turned on. Whoever runs the "
                "explorer can turn it on so that only named editors can.", icon=":material/info:")
        return True
    if not st.user.is_logged_in:
        st.button("Sign in to upload or restore", on_click=st.login, icon=":material/login:")
        return False
    email = plain(_address(st.user.get("email")) or "an account with no email address")
    if is_editor():
        st.caption(f"Signed in as {email} (editor).")
        return True
    if not verified(st.user.get("email_verified")):
        st.warning(f"Signed in as {email}, an address your sign-in provider has not verified: you can view "
                   "but not change the data.")
    else:
        st.warning(f"Signed in as {email}, who is not on the editors list for this authority: you can view but not "
                   "change its data.")
    return False


def no_authority() -> None:
    """The page in place of any other when the visitor may see no authority's data (`[viewers]` is set and they are
    on no list): why, and the way in."""
    st.title("SEND Performance Explorer")
    if not st.user.is_logged_in:
        st.info("This explorer's data is for its authorities' own viewers and editors. Sign in to see it.",
                icon=":material/lock:")
        st.button("Sign in", on_click=st.login, icon=":material/login:", key="sign-in-to-view")
        return
    email = plain(_address(st.user.get("email")) or "an account with no email address")
    st.warning(f"Signed in as {email}, who is not a viewer or editor of any authority this explorer serves. Ask "
               "your authority's SEND performance lead to add you.", icon=":material/lock:")


def setup_error(exc: AuthorityError) -> None:
    """The page in place of any other when the deployment's settings do not read (an authority DfE does not know, a
    look-alike address in a list): nobody is let in on a guess. The detail names configured addresses, so it goes
    to the server's log for whoever runs the explorer, not to every visitor."""
    logging.getLogger(__name__).error("the explorer's settings do not read: %s", exc)
    st.title("SEND Performance Explorer")
    st.error("This explorer is not set up correctly: its list of authorities, editors or viewers does not read, so no "
             "one can be signed in to it. Whoever runs it will find what to fix in the server's log.",
             icon=":material/error:")
