# SPDX-License-Identifier: EUPL-1.2
"""OpenID Connect login against a tiny provider on loopback: code flow, signed ID token, claim to account."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.portal.client import Browser
from tests.portal.world import World, serve_with_lifespan, world
from vum.portal.settings import OidcSettings

pytestmark = pytest.mark.slow

CLIENT_ID, CLIENT_SECRET = "vum-portaal", "provider-secret-for-tests"


def provider(accounts: dict[str, str]) -> FastAPI:
    """An OpenID provider that logs in whoever ``login_hint`` names (``accounts``: sub -> email)."""
    app = FastAPI()
    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
    codes: dict[str, dict[str, Any]] = {}
    app.state.base = ""

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        base = app.state.base
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False)]}

    @app.get("/authorize")
    def authorize(request: Request) -> RedirectResponse:
        q = request.query_params
        assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        codes[code] = {"nonce": q.get("nonce"), "sub": app.state.who}
        target = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
        return RedirectResponse(target, status_code=302)

    @app.post("/token")
    def token(request: Request, code: str = Form(...)) -> JSONResponse:
        grant = codes.pop(code, None)
        if grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": app.state.base,
            "sub": grant["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": accounts.get(grant["sub"], ""),
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return JSONResponse(
            {"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )

    return app


@pytest.fixture(scope="module")
def oidc_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, FastAPI]]:
    app = provider({"u1": "anna@almere.example", "u2": "stranger@nowhere.example"})
    with serve_with_lifespan(app) as base:
        app.state.base = base
        settings = OidcSettings(issuer=base, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        with world(tmp_path_factory.mktemp("oidc"), oidc=settings) as running:
            yield running, app


def test_a_broker_login_finds_the_account_by_its_claim(oidc_system: tuple[World, FastAPI]) -> None:
    system, app = oidc_system
    app.state.who = "u1"
    browser = Browser(system)
    assert "Inloggen met eHerkenning" in browser.get("/inloggen").text
    to_provider = browser.get("/inloggen/oidc")
    assert to_provider.status_code == 302
    back = httpx.get(to_provider.headers["location"])
    assert back.status_code == 302
    done = browser.get(back.headers["location"])
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert browser.get("/zoeken").status_code == 200
    # A replayed callback (same code and state) does not log anyone in.
    again = Browser(system).get(back.headers["location"])
    assert again.status_code == 401


def test_a_broker_login_without_an_account_is_refused(oidc_system: tuple[World, FastAPI]) -> None:
    system, app = oidc_system
    app.state.who = "u2"
    browser = Browser(system)
    back = httpx.get(browser.get("/inloggen/oidc").headers["location"])
    refused = browser.get(back.headers["location"])
    assert refused.status_code == 401 and "geen actief account" in refused.text
    assert browser.get("/zoeken").status_code == 303


def test_without_configuration_there_is_no_broker_login(tmp_path: Path) -> None:
    with world(tmp_path) as system:
        browser = Browser(system)
        assert "eHerkenning" not in browser.get("/inloggen").text
        assert browser.get("/inloggen/oidc").status_code == 404
