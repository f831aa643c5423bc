# SPDX-License-Identifier: EUPL-1.2
"""Logging in and out (local accounts), the start page and the account page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from vum.portal.auth import (
    ROLES,
    CurrentUser,
    authenticate,
    client_address,
    log_in,
    log_out,
    optional_user,
)
from vum.portal.routes import NavItem
from vum.portal.services import PortalDep
from vum.portal.session import flash
from vum.portal.templating import render

router = APIRouter()
NAV: list[NavItem] = []


def safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host`` or scheme): no open redirect after login."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/")
def home(request: Request, portal: PortalDep) -> Response:
    user = optional_user(request, portal)
    if user is None:
        return RedirectResponse("/inloggen", status_code=303)
    searches = (
        portal.repos.searches.recent(user.party, user.id, limit=5)
        if "bemiddelaar" in user.roles
        else []
    )
    return render(request, "home.html", {"searches": searches, "roles": ROLES})


@router.get("/inloggen")
def login_form(
    request: Request, portal: PortalDep, volgende: str = "/", verlopen: str = ""
) -> Response:
    if optional_user(request, portal) is not None:
        return RedirectResponse(safe_next(volgende), status_code=303)
    expired = bool(request.scope.get("session_expired") or verlopen)
    return render(
        request,
        "login.html",
        {
            "next": safe_next(volgende),
            "expired": expired,
            "email": "",
            "error": None,
            "oidc": portal.settings.oidc,
        },
    )


@router.post("/inloggen")
def login(
    request: Request,
    portal: PortalDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "/",
) -> Response:
    address = client_address(request, portal.settings.trusted_proxies)
    result = authenticate(portal, email, password, address)
    if result.user is None:
        if result.locked_until is not None:
            now = dt.datetime.fromtimestamp(portal.clock(), dt.UTC)
            minutes = max(1, round((result.locked_until - now).total_seconds() / 60))
            error = (
                "Te veel mislukte pogingen. Probeer het over "
                f"{minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."
            )
            status = 429
        else:
            error = "Het e-mailadres of het wachtwoord klopt niet."
            status = 401
        return render(
            request,
            "login.html",
            {
                "next": safe_next(volgende),
                "expired": False,
                "email": email[:254],
                "error": error,
                "oidc": portal.settings.oidc,
            },
            status_code=status,
        )
    log_in(request, portal, result.user)
    return RedirectResponse(safe_next(volgende), status_code=303)


@router.post("/uitloggen")
def logout(request: Request, user: CurrentUser, portal: PortalDep) -> Response:
    log_out(request, portal, user)
    flash(request, "U bent uitgelogd.")
    return RedirectResponse("/inloggen", status_code=303)


@router.get("/account")
def account(request: Request, user: CurrentUser) -> Response:
    return render(request, "account.html", {"account": user, "roles": ROLES})
