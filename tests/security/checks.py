# SPDX-License-Identifier: EUPL-1.2
"""The security headers every answer of the APIs must carry (NL API Design Rules, OWASP REST)."""

from __future__ import annotations

import httpx

#: /transport/security-headers of the NL API Design Rules; the values nginx sends in deploy/
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}
HSTS = "max-age=31536000"


def assert_security_headers(response: httpx.Response, *, tls: bool = False) -> None:
    """Every header once, with its value; HSTS only over TLS; no server banner with a version."""
    expected = dict(SECURITY_HEADERS)
    if response.headers.get("content-type", "").startswith("text/html"):
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: only framing is refused.
        expected["content-security-policy"] = "frame-ancestors 'none'"
    for name, value in expected.items():
        assert response.headers.get_list(name) == [value], (name, response.headers.get_list(name))
    assert response.headers.get_list("strict-transport-security") == ([HSTS] if tls else [])
    banner = response.headers.get("server", "")
    assert not any(ch.isdigit() for ch in banner), f"server banner with a version: {banner}"
