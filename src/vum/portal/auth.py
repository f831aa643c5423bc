# SPDX-License-Identifier: EUPL-1.2
"""Who is logged in: argon2 passwords, login throttling, the session's user, and role checks.

Routes ask for a user with ``Depends(require_role("bemiddelaar"))`` (or ``Depends(current_user)``
for any role); an anonymous request is sent to the login page, a user without the role gets 403.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request

from vum.portal.services import Portal, PortalDep
from vum.portal.session import session_of
from vum.store.portal import UserRow

#: The roles of the portal, with their Dutch names.
ROLES: dict[str, str] = {
    "bemiddelaar": "Bemiddelaar",
    "bronbeheerder": "Bronbeheerder",
    "beheerder": "Beheerder",
    "privacy": "Privacy officer",
}

_HASHER = PasswordHasher()


class LoginRequired(Exception):
    """No (valid) session: the app sends the user to the login page."""


class Forbidden(Exception):
    """Logged in, but without a role this page needs (403)."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        super().__init__(", ".join(roles))
        self.roles = roles


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an account without a hash still costs one verification.

    Unknown accounts are checked against a dummy hash, so the time taken does not tell which
    e-mail addresses have an account.
    """
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def client_address(request: Request, trusted_proxies: frozenset[str]) -> str:
    """The client's address; behind a trusted proxy, the last address it added to X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in trusted_proxies and forwarded:
        return forwarded.split(",")[-1].strip() or peer
    return peer


@dataclass(frozen=True)
class LoginResult:
    """The account when the login succeeded; else, when a lock is on, until when."""

    user: UserRow | None
    locked_until: dt.datetime | None = None


def authenticate(portal: Portal, email: str, password: str, address: str) -> LoginResult:
    """Check a local login, counting failures per account and per client address."""
    settings, throttle = portal.settings, portal.repos.throttle
    now = dt.datetime.fromtimestamp(portal.clock(), dt.UTC)
    email = email.strip().lower()
    account, origin = _key("account", email), _key("address", address)
    locked = throttle.locked_until([account, origin], now)
    if locked is not None:
        return LoginResult(None, locked)
    user = portal.repos.users.by_email(email) if email else None
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.active:
        throttle.clear(account)
        return LoginResult(user)
    common = {"window": settings.login_window, "lockout": settings.login_lockout}
    locks = [
        throttle.failure(account, now, limit=settings.login_limit_account, **common),
        throttle.failure(origin, now, limit=settings.login_limit_address, **common),
    ]
    return LoginResult(None, max((lock for lock in locks if lock), default=None))


def log_in(request: Request, portal: Portal, user: UserRow) -> None:
    """A new session for ``user`` (never the anonymous one's: no session fixation)."""
    session = session_of(request)
    session.clear()
    session.update(uid=user.id, epoch=user.session_epoch, csrf=secrets.token_urlsafe(32))
    portal.repos.users.logged_in(user.id)


def log_out(request: Request, portal: Portal, user: UserRow) -> None:
    portal.repos.users.end_sessions(user.id)
    session_of(request).clear()


def current_user(request: Request, portal: PortalDep) -> UserRow:
    """The logged-in, active user of this session; otherwise :class:`LoginRequired`."""
    cached = getattr(request.state, "user", None)
    if isinstance(cached, UserRow):
        return cached
    session = session_of(request)
    uid = session.get("uid")
    user = portal.repos.users.get(uid) if isinstance(uid, int) else None
    if user is None or not user.active or session.get("epoch") != user.session_epoch:
        if uid is not None:
            session.clear()
        raise LoginRequired
    request.state.user = user
    return user


def optional_user(request: Request, portal: PortalDep) -> UserRow | None:
    try:
        return current_user(request, portal)
    except LoginRequired:
        return None


#: A route's parameter for the logged-in user (any role).
CurrentUser = Annotated[UserRow, Depends(current_user)]


def require_role(*roles: str) -> Callable[..., UserRow]:
    """A dependency: the current user, if they have one of ``roles`` (else 403)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s): {sorted(unknown)}")

    def dependency(user: CurrentUser) -> UserRow:
        if not set(roles) & set(user.roles):
            raise Forbidden(roles)
        return user

    return dependency


#: A route's parameter for a logged-in mediator (role ``bemiddelaar``).
Mediator = Annotated[UserRow, Depends(require_role("bemiddelaar"))]
