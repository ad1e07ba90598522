"""A minimal OpenID Connect provider, for tests only: the sign-in Streamlit's `st.login` does in a real browser,
without a real identity provider.

    with OIDCProvider() as provider:
        provider.sign_in_as("sam@northshire.gov.uk")
        ...  # [auth] in the app's secrets: provider.auth_section(redirect_uri)

It runs in-process (http.server on a thread, a free localhost port) and serves the authorization-code flow as
Authlib's client (Streamlit's `/auth/login` and `/oauth2callback`) uses it:

- `/.well-known/openid-configuration`: the discovery document (issuer, endpoints, RS256, PKCE S256);
- `/authorize`: no login form: it redirects straight back to `redirect_uri` with a one-time code and the `state`,
  signed in as the address the test chose with `sign_in_as` (with nobody chosen: `error=access_denied`);
- `/token`: the code (once, for the client that asked, the same redirect_uri, the PKCE verifier when a challenge
  was sent; client secret by HTTP Basic or in the form) for an access token and an RS256 id_token with iss,
  aud = client_id, sub, email, email_verified, name, nonce from `/authorize`, iat and exp;
- `/jwks`: the public half of an RSA key made when the provider starts;
- `/userinfo`: the same claims, for the access token's bearer.

Nothing here is fit for anything but a test: there is no user, password or consent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "send-explorer-tests"
TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class Identity:
    email: str
    email_verified: bool = True
    name: str | None = None

    @property
    def sub(self) -> str:
        return hashlib.sha256(self.email.lower().encode()).hexdigest()[:24]


@dataclass(frozen=True)
class _Grant:
    identity: Identity
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None


class OIDCProvider:
    """The provider; a context manager that starts it on entry and stops it on exit."""

    def __init__(self, *, client_id: str = CLIENT_ID, client_secret: str | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"},
                                       private=True)
        self._lock = threading.Lock()
        self._identity: Identity | None = None
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, dict[str, Any]] = {}
        self.sign_ins: list[str] = []  # the address of each id_token issued, in order
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- what a test uses -------------------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        if self._server is None:
            raise RuntimeError("the provider is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def sign_in_as(self, email: str, *, verified: bool = True, name: str | None = None) -> None:
        """Whoever comes to `/authorize` from now on is signed in as `email`."""
        with self._lock:
            self._identity = Identity(email, verified, name)

    def sign_out(self) -> None:
        """`/authorize` refuses from now on (error=access_denied), as a provider does for a visitor who cancels."""
        with self._lock:
            self._identity = None

    def auth_section(self, redirect_uri: str, cookie_secret: str | None = None) -> dict[str, str]:
        """The `[auth]` section of secrets.toml for an app signing in here."""
        return {
            "redirect_uri": redirect_uri,
            "cookie_secret": cookie_secret or secrets.token_urlsafe(32),
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "server_metadata_url": self.metadata_url,
        }

    def start(self) -> OIDCProvider:
        provider = self

        class Handler(_Handler):
            owner = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- the endpoints' logic ---------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        iss = self.issuer
        return {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "jwks_uri": f"{iss}/jwks",
            "userinfo_endpoint": f"{iss}/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, query: dict[str, str]) -> tuple[int, str | dict[str, str]]:
        """(302, the redirect back) or (400, an error for a request that names no usable redirect_uri)."""
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri or query.get("client_id") != self.client_id:
            return 400, {"error": "invalid_request", "error_description": "unknown client_id or no redirect_uri"}
        back: dict[str, str] = {"state": query["state"]} if "state" in query else {}
        with self._lock:
            identity = self._identity
        if query.get("response_type") != "code":
            back |= {"error": "unsupported_response_type"}
        elif "openid" not in query.get("scope", "").split():
            back |= {"error": "invalid_scope"}
        elif identity is None:
            back |= {"error": "access_denied", "error_description": "nobody chose to sign in (sign_in_as)"}
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._grants[code] = _Grant(identity, self.client_id, redirect_uri, query.get("nonce"),
                                            query.get("code_challenge"), query.get("code_challenge_method"))
            back |= {"code": code}
        return 302, _with_query(redirect_uri, back)

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        client_id, client_secret = _client_credentials(form, authorization)
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant.code_challenge is not None and not _pkce_ok(grant, form.get("code_verifier")):
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        now = int(time.time())
        claims = self._claims(grant.identity)
        id_claims = claims | {"iss": self.issuer, "aud": client_id, "iat": now, "exp": now + TOKEN_LIFETIME}
        if grant.nonce is not None:
            id_claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, id_claims, self.key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access_token] = claims
            self.sign_ins.append(grant.identity.email)
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                     "scope": "openid email profile", "id_token": id_token}

    def userinfo(self, authorization: str | None) -> tuple[int, dict[str, Any]]:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            claims = self._access.get(token) if scheme.lower() == "bearer" else None
        return (200, claims) if claims is not None else (401, {"error": "invalid_token"})

    @staticmethod
    def _claims(identity: Identity) -> dict[str, Any]:
        return {"sub": identity.sub, "email": identity.email, "email_verified": identity.email_verified,
                "name": identity.name or identity.email.split("@")[0]}


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str | None, str | None]:
    """client_secret_basic (the Authorization header; RFC 6749 form-encodes both halves) or client_secret_post."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        from urllib.parse import unquote_plus

        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return unquote_plus(user), unquote_plus(password)
    return form.get("client_id"), form.get("client_secret")


def _pkce_ok(grant: _Grant, verifier: str | None) -> bool:
    if not verifier:
        return False
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant.code_challenge
    return verifier == grant.code_challenge  # "plain"


class _Handler(BaseHTTPRequestHandler):
    owner: OIDCProvider

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: pytest shows what a failing test printed, and this would be most of it

    def do_GET(self) -> None:
        path, _, raw = self.path.partition("?")
        query = {k: v[0] for k, v in parse_qs(raw).items()}
        if path == "/.well-known/openid-configuration":
            self._json(200, self.owner.metadata())
        elif path == "/jwks":
            self._json(200, self.owner.jwks())
        elif path == "/authorize":
            status, answer = self.owner.authorize(query)
            if isinstance(answer, str):
                self.send_response(status)
                self.send_header("Location", answer)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(status, answer)
        elif path == "/userinfo":
            self._json(*self.owner.userinfo(self.headers.get("Authorization")))
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path.partition("?")[0] == "/token":
            self._json(*self.owner.token(form, self.headers.get("Authorization")))
        elif self.path.partition("?")[0] == "/userinfo":
            self._json(*self.owner.userinfo(self.headers.get("Authorization")))
        else:
            self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
