# SPDX-License-Identifier: EUPL-1.2
"""Signed session cookies with an idle and an absolute timeout, security headers, and CSRF tokens.

The session lives in the cookie itself (signed with itsdangerous, not encrypted: it holds ids
and a CSRF token, never personal data). ``created`` and ``seen`` inside it give the absolute and
the idle timeout; a cookie past either is ignored and the request runs as a new session, marked
``scope["session_expired"]`` so the login page can say why. Logging out raises the account's
``session_epoch``, which voids every cookie issued to it before (a signed cookie cannot be
revoked otherwise).
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vum.portal.settings import PortalSettings

#: A session's ``seen`` is rewritten at most this often (not on every static file).
_REFRESH_S = 30.0
#: Unsafe methods: every one of them must carry the session's CSRF token.
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

#: Content Security Policy: scripts, styles and everything else from the portal itself only
#: (htmx is vendored; no inline script or style anywhere), no framing, forms post to self.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def cookie_name(settings: PortalSettings) -> str:
    # "__Host-": the browser accepts it only Secure, for this host, on path / (no subdomain
    # can plant or overwrite it).
    return "__Host-vum_sessie" if settings.cookie_secure else "vum_sessie"


class SessionMiddleware:
    """Puts ``scope["session"]`` (a dict) in every request; writes it back as a signed cookie."""

    def __init__(
        self, app: ASGIApp, settings: PortalSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.settings = settings
        self.clock = clock
        self.name = cookie_name(settings)
        self.serializer = URLSafeTimedSerializer(settings.secret_key, salt="vum-portal-sessie")

    def _load(self, scope: Scope) -> tuple[dict[str, Any], bool]:
        """The session in the request's cookie, and whether one was there but has expired."""
        raw = ""
        for key, value in scope.get("headers", []):
            if key == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:
                    continue
                if self.name in cookie:
                    raw = cookie[self.name].value
        if not raw:
            return {}, False
        absolute = self.settings.session_absolute.total_seconds()
        try:
            data = self.serializer.loads(raw, max_age=int(absolute) + 60)
        except BadSignature:
            return {}, False
        if not isinstance(data, dict):
            return {}, False
        now = self.clock()
        created, seen = float(data.get("created", 0)), float(data.get("seen", 0))
        idle = self.settings.session_idle.total_seconds()
        if now - created > absolute or now - seen > idle:
            return {}, "uid" in data
        return data, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session, expired = self._load(scope)
        # An expired cookie is removed with the answer (as if the session had been emptied).
        before = "expired" if expired else json.dumps(session, sort_keys=True)
        scope["session"] = session
        scope["session_expired"] = expired

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._write(scope, message, before)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _write(self, scope: Scope, message: Message, before: str) -> None:
        session: dict[str, Any] = scope["session"]
        headers = MutableHeaders(scope=message)
        secure = "; Secure" if self.settings.cookie_secure else ""
        attributes = f"; Path=/; HttpOnly; SameSite=Lax{secure}"
        if not session:
            if before != "{}":
                headers.append("set-cookie", f"{self.name}=; Max-Age=0{attributes}")
            return
        now = self.clock()
        stale = now - float(session.get("seen", 0)) > _REFRESH_S
        if json.dumps(session, sort_keys=True) == before and not stale:
            return
        session.setdefault("created", now)
        session["seen"] = now
        value = self.serializer.dumps(session)
        # A session cookie (no Max-Age): it also ends when the browser closes.
        headers.append("set-cookie", f"{self.name}={value}{attributes}")


class SecurityHeaders:
    """Headers on every response: CSP, no sniffing, no framing, no referrer, no caching of pages."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = CSP
                headers["x-content-type-options"] = "nosniff"
                headers["x-frame-options"] = "DENY"
                headers["referrer-policy"] = "same-origin"
                headers["permissions-policy"] = "camera=(), microphone=(), geolocation=()"
                headers["cross-origin-opener-policy"] = "same-origin"
                if self.hsts:
                    headers["strict-transport-security"] = "max-age=31536000"
                # Pages hold personal data: never cached, not even by the browser's back button.
                headers["cache-control"] = "public, max-age=3600" if static else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def session_of(request: Request) -> dict[str, Any]:
    session: dict[str, Any] = request.scope.setdefault("session", {})
    return session


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (also for the anonymous login form)."""
    session = session_of(request)
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


async def csrf_protect(request: Request) -> None:
    """On every unsafe method: the form field or header must carry the session's token (403)."""
    if request.method not in UNSAFE:
        return
    expected = session_of(request).get("csrf")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "csrf")


def flash(request: Request, text: str, level: str = "info") -> None:
    """A message for the next page the user sees (after a redirect)."""
    session_of(request).setdefault("flash", []).append([level, text])


def take_flashes(request: Request) -> list[tuple[str, str]]:
    found = session_of(request).pop("flash", None) or []
    return [(str(level), str(text)) for level, text in found]
