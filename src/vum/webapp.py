# SPDX-License-Identifier: EUPL-1.2
"""The app class of open VUM's APIs: security headers on every answer, the standard's schemas in the OpenAPI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# NL API Design Rules (/transport/security-headers) and the OWASP REST Security Cheat Sheet:
# every answer, errors and 404s included. The answers carry personal data, so nothing is cached.
_ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_CSP = b"content-security-policy"
#: an API answer loads nothing and is never framed
_CSP_API = b"default-src 'none'; frame-ancestors 'none'"
#: FastAPI's /docs and /redoc pages load their scripts from a CDN: only framing is refused there
_CSP_HTML = b"frame-ancestors 'none'"
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class AnyPathConvertor(PathConvertor):
    """Starlette's ``path``, also across line breaks (its ``.*`` stops at a newline): an id with
    an encoded CR or LF still reaches its route and gets the contract's 400.01, not a bare 404."""

    regex = r"[\s\S]*"


#: the convertor name for a route's last, free path parameter: ``{vumID:anypath}``
ANY_PATH = "anypath"
register_url_convertor(ANY_PATH, AnyPathConvertor())


class SecurityHeaders:
    """Pure ASGI middleware that adds the security headers an answer does not set itself.

    ``Strict-Transport-Security`` only on connections that arrived over TLS (with a
    TLS-terminating proxy in front, the proxy sends it). One pass over the few headers of the
    start message per answer: nothing on the body, so the hot path stays as fast.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = set()
                html = False
                for name, value in headers:
                    lowered = name.lower()
                    present.add(lowered)
                    if lowered == b"content-type" and value.startswith(b"text/html"):
                        html = True
                extra = [h for h in _ALWAYS if h[0] not in present]
                if _CSP not in present:
                    extra.append((_CSP, _CSP_HTML if html else _CSP_API))
                if tls and _HSTS[0] not in present:
                    extra.append(_HSTS)
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_secured)


class VumApp(FastAPI):
    """A FastAPI app whose every answer carries the security headers, also a 500 of the server
    itself, and whose OpenAPI holds what ``components()`` gives (``{"schemas": {name: schema}}``;
    called when the document is first asked for, so starting the app costs nothing).

    The middleware wraps the whole stack, outside Starlette's ``ServerErrorMiddleware``, so an
    unhandled error's plain 500 gets the headers too.
    """

    def __init__(
        self,
        *,
        components: Callable[[], Mapping[str, Mapping[str, Any]]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.extra_components = components

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())

    def openapi(self) -> dict[str, Any]:
        document = super().openapi()
        if self.extra_components is not None:
            for section, entries in self.extra_components().items():
                document.setdefault("components", {}).setdefault(section, {}).update(entries)
        return document
