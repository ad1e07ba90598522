"""Keyed pseudonymous case references, so a person's records join across returns without their identity.

HMAC-SHA256 with a key the authority holds: without the key a reference cannot be tested against a guessed UPN
(a plain hash of a 13-character UPN could). The UPN is used when there is one, else the ULN, else the identity
fields that are then dropped, so the same child gets the same reference in every return that identifies them the
same way. The key comes from `.streamlit/secrets.toml` (`[cases] key`), else `$SENDLIB_CASES_KEY`, else a key the
store generated on first load (see `workflows.cases`); one shorter than MIN_KEY_BYTES is refused wherever it
comes from.

One key for the life of the records. References are kept, identities never are, so a new key cannot recompute
references from identities: re-keying (`python -m sendlib cases rekey`) carries each reference onward instead,
`HMAC(new, "REF:" + old_ref)`. The references are therefore made under a *key chain* K0 … Kn (oldest first):
`ref = HMAC(Kn, … HMAC(K1, "REF:" + HMAC(K0, identity)) …)`, each truncated to REF_CHARS. A chain of one key is the
plain HMAC the records always had. Every later load must make the same reference for the same child, so it needs
every key of the chain; only the newest is configured, and each earlier key is kept in the store wrapped (XORed
with an HMAC-SHA256 keystream) under the key that followed it (`KeyChain.links`). Whoever holds the newest key can
unwind the chain; whoever holds only an older one (a key that leaked) can test no current reference, as the newest
key is applied last. The store records each key's fingerprint (an HMAC of a fixed label, never the key), so a load
with any other key is refused instead of making every child someone new.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sendlib.domain.settings import SETTINGS_FILE

KEY_ENV = "SENDLIB_CASES_KEY"
REF_CHARS = 16  # 64 bits: no collision among a nation's children is likely, and short enough to read aloud
MIN_KEY_BYTES = 32  # 256 bits, as much as HMAC-SHA256 can use
FINGERPRINT_CHARS = 16
_FINGERPRINT_LABEL = b"sendlib case key fingerprint"
_WRAP_LABEL = b"sendlib case key wrap"
_NONCE_BYTES = 16


class KeyRefused(ValueError):
    """A case key that cannot be used: too short, or a wrapped link that does not unwind with it."""


def checked_key(key: bytes, where: str) -> bytes:
    """`key`, or KeyRefused naming where it came from and its length."""
    if len(key) < MIN_KEY_BYTES:
        raise KeyRefused(f"the case key {where} is {len(key)} bytes; a case key must be at least {MIN_KEY_BYTES} "
                         "bytes (make one with `python -c \"import secrets; print(secrets.token_hex(32))\"`)")
    return key


def configured_key(settings_file: Path | None = None) -> bytes | None:
    """The key set by the deployment, or None when it set none; KeyRefused for one too short."""
    path = settings_file or SETTINGS_FILE
    if path.exists():
        with path.open("rb") as fh:
            key = tomllib.load(fh).get("cases", {}).get("key")
        if key:
            return checked_key(str(key).encode(), f"set as [cases] key in {path.name}")
    if env := os.environ.get(KEY_ENV):
        return checked_key(env.encode(), f"in ${KEY_ENV}")
    return None


def fingerprint(key: bytes) -> str:
    """What the store records of a key: it tells two keys apart and reveals nothing of either."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:FINGERPRINT_CHARS]


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


def onward_ref(key: bytes, ref: str) -> str:
    """A reference carried on to the next key of a chain (tagged, so it never equals a reference of an identity)."""
    return case_ref(key, "REF:" + ref)


def ref_for_upn(key: bytes, upn: str) -> str:
    """The reference a UPN typed into "find a case" would have, under a chain of this one key."""
    return case_ref(key, identity_text(upn, None, None, None, None))


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, _WRAP_LABEL + nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
              for i in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


@dataclass(frozen=True)
class KeyChain:
    """The keys the records' references were made under, oldest first; the last is the one configured now."""

    keys: tuple[bytes, ...]

    @property
    def key(self) -> bytes:
        return self.keys[-1]

    @property
    def root(self) -> bytes:
        """The key a return's identities are hashed with; the later keys then carry the reference on."""
        return self.keys[0]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    def onward(self, root_ref: str) -> str:
        """A reference made with the root key, as the whole chain makes it."""
        for key in self.keys[1:]:
            root_ref = onward_ref(key, root_ref)
        return root_ref

    def ref_for_upn(self, upn: str) -> str:
        return self.onward(ref_for_upn(self.root, upn))

    def then(self, new: bytes) -> KeyChain:
        return KeyChain((*self.keys, new))

    def links(self) -> str | None:
        """Each earlier key wrapped under the key that followed it, oldest first, as `fingerprint.nonce.wrapped`
        (hex) separated by spaces: what the store keeps so the chain can be unwound from the newest key alone."""
        links = []
        for old, new in zip(self.keys, self.keys[1:], strict=False):
            nonce = secrets.token_bytes(_NONCE_BYTES)
            wrapped = _xor(old, _keystream(new, nonce, len(old)))
            links.append(f"{fingerprint(old)}.{nonce.hex()}.{wrapped.hex()}")
        return " ".join(links) or None

    @classmethod
    def unwound(cls, key: bytes, links: str | None) -> KeyChain:
        """The chain ending in `key`, its earlier keys unwrapped from `links`; KeyRefused when one does not unwind
        to the key its fingerprint names (the links were not made with this key)."""
        keys = [key]
        for link in reversed((links or "").split()):
            print_, nonce, wrapped = _link_parts(link)
            old = _xor(wrapped, _keystream(keys[0], nonce, len(wrapped)))
            if fingerprint(old) != print_:
                raise KeyRefused(f"the store's record of the earlier case key {print_} does not unwind with the key "
                                 f"{fingerprint(keys[0])}")
            keys.insert(0, old)
        return cls(tuple(keys))


def _link_parts(link: str) -> tuple[str, bytes, bytes]:
    parts = link.split(".")
    try:
        if len(parts) != 3:
            raise ValueError(link)
        return parts[0], bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except ValueError:
        raise KeyRefused("the store's record of earlier case keys does not read") from None
