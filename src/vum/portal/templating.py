# SPDX-License-Identifier: EUPL-1.2
"""Jinja2 for the portal: autoescaped templates, Dutch filters, and ``render`` with the layout's context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from vum.portal.session import csrf_token, take_flashes

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ZONE = ZoneInfo("Europe/Amsterdam")


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "nooit"
    return value.astimezone(_ZONE).strftime("%d-%m-%Y %H:%M")


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "onbekend"
    return f"{value:.{digits}f}".replace(".", ",")


def _role_names(roles: tuple[str, ...]) -> str:
    from vum.portal.auth import ROLES

    return ", ".join(ROLES.get(r, r) for r in roles)


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["number"] = _number
    env.filters["role_names"] = _role_names
    return Jinja2Templates(env=env)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page: the template gets ``user`` (or None), ``csrf_token``, ``flashes``, ``nav`` and ``context``.

    Every page extends ``layout.html``; forms put ``{{ csrf() }}`` inside (see docs/portal.md).
    """
    templates: Jinja2Templates = request.app.state.portal.templates
    user = getattr(request.state, "user", None)
    page = {
        "user": user,
        "csrf_token": csrf_token(request),
        "flashes": take_flashes(request),
        "nav": request.app.state.nav,
        "path": request.url.path,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, template, page, status_code=status_code, headers=headers
    )
    return response
