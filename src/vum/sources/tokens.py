# SPDX-License-Identifier: EUPL-1.2
"""API tokens with which a party's system uploads its dataset: shown once, stored only as argon2 hashes."""

from __future__ import annotations

import contextlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vum.sources.errors import InvalidTokenLabel, check_party
from vum.store import Store, TokenRow

PREFIX = "vum_"
#: a label names what a token is for (the store keeps up to 200 characters)
MAX_LABEL = 200
_KEY = re.compile(r"[0-9a-f]{16}")
# Verifying against this when the key is unknown keeps the answer time the same either way.
_DUMMY_SECRET = "vum_0000000000000000_not-a-token"


def default_hasher() -> PasswordHasher:
    """argon2id at OWASP's minimum (19 MiB, 2 passes).

    A token carries 256 random bits, so the hash guards a leaked table rather than a guessable
    secret; heavier settings would only slow every upload down.
    """
    return PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


class TokenService:
    """Create, verify and revoke a party's API tokens.

    A token reads ``vum_<key>_<secret>``: the key finds the row (so verification costs one
    argon2 check, not one per token), the argon2 hash covers the whole token.
    """

    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._hasher = hasher or default_hasher()
        self._dummy_hash: str | None = None

    def create(self, party: str, label: str = "") -> str:
        """A new token for ``party``; the only time the token is visible."""
        party = check_party(party)
        label = label.strip()
        # The same rule on every database: SQLite would keep a longer label, PostgreSQL refuse it.
        if len(label) > MAX_LABEL or not label.isprintable():
            raise InvalidTokenLabel(
                f"label: hoogstens {MAX_LABEL} afdrukbare tekens "
                f"(at most {MAX_LABEL} printable characters; got {len(label)})"
            )
        key = secrets.token_hex(8)
        token = f"{PREFIX}{key}_{secrets.token_urlsafe(32)}"
        self._store.tokens.add(party, key, self._hasher.hash(token), label)
        return token

    def verify(self, party: str, token: str) -> bool:
        """True only for an unrevoked token of this very party."""
        key = _key_of(token)
        row = self._store.tokens.find(party, key) if key else None
        if row is None or not row.active:
            self._burn(token)
            return False
        try:
            return self._hasher.verify(row.token_hash, token)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _burn(self, token: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(_DUMMY_SECRET)
        with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
            self._hasher.verify(self._dummy_hash, token)

    def revoke(self, party: str, *, key: str | None = None, label: str | None = None) -> int:
        """Revoke by key (the part after ``vum_``) or by label; returns how many were revoked."""
        party = check_party(party)
        if key is not None and key.startswith(PREFIX):
            key = _key_of(key) or key  # a whole token also names its key
        return self._store.tokens.revoke(party, key=key, label=label)

    def list(self, party: str | None = None) -> list[TokenRow]:
        return self._store.tokens.list(check_party(party) if party is not None else None)


def _key_of(token: str) -> str | None:
    if not isinstance(token, str) or not token.startswith(PREFIX):
        return None
    key, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not secret or not _KEY.fullmatch(key):
        return None
    return key
