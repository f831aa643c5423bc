# SPDX-License-Identifier: EUPL-1.2
"""Logging in through OpenID Connect (an eHerkenning broker), with Authlib; on only when configured.

The provider's ID token is validated by Authlib (signature from the provider's JWKS, issuer,
audience, nonce); the configured claim (``email`` by default) must name an active portal
account, which decides the party and the roles. A login through the broker never creates an
account.
"""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.portal.auth import log_in
from vum.portal.routes import NavItem
from vum.portal.services import Portal, PortalDep
from vum.portal.templating import render

router = APIRouter()
NAV: list[NavItem] = []
_CLIENT = "broker"


def _authlib() -> Any:
    """Authlib's Starlette client, loaded only when OpenID Connect is configured."""
    with warnings.catch_warnings():
        # Authlib 1.9 warns that it falls back from the `httpx2` package to `httpx`; the
        # fallback works (and is what this project depends on). Its own module puts an
        # "always" filter first on import, so the ignore goes in after it.
        import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

        warnings.filterwarnings("ignore", message="The httpx module is deprecated")
        from authlib.integrations import starlette_client  # type: ignore[import-untyped]
    return starlette_client


def _client(request: Request, portal: Portal) -> Any:
    oidc = portal.settings.oidc
    if oidc is None:
        raise HTTPException(404)
    oauth = getattr(request.app.state, "oauth", None)
    if oauth is None:
        oauth = _authlib().OAuth()
        oauth.register(
            _CLIENT,
            server_metadata_url=f"{oidc.issuer}/.well-known/openid-configuration",
            client_id=oidc.client_id,
            client_secret=oidc.client_secret,
            client_kwargs={"scope": oidc.scope},
        )
        request.app.state.oauth = oauth
    return oauth.create_client(_CLIENT)


def _refused(request: Request, portal: Portal, error: str) -> Response:
    context = {
        "next": "/",
        "expired": False,
        "email": "",
        "error": error,
        "oidc": portal.settings.oidc,
    }
    return render(request, "login.html", context, status_code=401)


@router.get("/inloggen/oidc")
async def oidc_login(request: Request, portal: PortalDep) -> Response:
    client = _client(request, portal)
    redirect_uri = str(request.url_for("oidc_callback"))
    response: Response = await client.authorize_redirect(request, redirect_uri)
    return response


@router.get("/inloggen/oidc/terug", name="oidc_callback")
async def oidc_callback(request: Request, portal: PortalDep) -> Response:
    client = _client(request, portal)
    oidc = portal.settings.oidc
    assert oidc is not None
    try:
        token = await client.authorize_access_token(request)
    except _authlib().OAuthError:
        return _refused(
            request, portal, "Inloggen via de makelaar is mislukt. Probeer het opnieuw."
        )
    claims = token.get("userinfo") or {}
    value = str(claims.get(oidc.claim) or "").strip().lower()
    user = await run_in_threadpool(portal.repos.users.by_email, value) if value else None
    if user is None or not user.active:
        return _refused(
            request, portal, "Er is geen actief account voor deze inlog. Vraag de beheerder."
        )
    await run_in_threadpool(log_in, request, portal, user)
    return RedirectResponse("/", status_code=303)
