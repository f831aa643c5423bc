# SPDX-License-Identifier: EUPL-1.2
"""The portal app factory: the areas' routers, sessions, CSRF, security headers, errors, retention.

An area is a module under ``vum.portal.routes`` with a ``router`` and its menu entries ``NAV``;
adding one to :data:`AREAS` is all it takes to mount it (docs/portal.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from vum.portal.auth import Forbidden, LoginRequired
from vum.portal.facility import FacilityClient
from vum.portal.routes import (
    account,
    oidc,
    operations,
    privacy,
    publish,
    results,
    saved,
    search,
    shortlist,
)
from vum.portal.services import Portal
from vum.portal.session import SecurityHeaders, SessionMiddleware, csrf_protect
from vum.portal.settings import PortalSettings
from vum.portal.templating import make_templates, render
from vum.store.portal import PortalRepositories

if TYPE_CHECKING:
    from vum.register import Register

log = logging.getLogger("vum.portal")
STATIC = Path(__file__).resolve().parent / "static"
#: The portal's areas, in menu order.
AREAS: list[ModuleType] = [
    account,
    search,
    saved,
    shortlist,
    results,
    publish,
    operations,
    privacy,
    oidc,
]
_PURGE_EVERY_S = 3600.0


def create_portal_app(
    settings: PortalSettings,
    repos: PortalRepositories,
    register: Register | None = None,
    *,
    facility: FacilityClient | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The portal over ``repos`` (``Store(...).portal``), asking the facility of ``settings``."""
    if register is None:
        from vum.register import load_builtin

        register = load_builtin()
    client = facility or FacilityClient(settings)
    portal = Portal(settings, repos, register, client, make_templates(), clock)

    async def purge_forever() -> None:
        # The portal keeps a search (and the details opened from it) as long as the facility
        # keeps its result set (VUM: 7 days); shortlist items outlive it without its data.
        while True:
            try:
                cutoff = dt.datetime.fromtimestamp(clock(), dt.UTC) - settings.retention
                await asyncio.to_thread(repos.searches.purge, cutoff)
            except Exception:
                log.exception("purging expired searches failed; retrying in an hour")
            await asyncio.sleep(_PURGE_EVERY_S)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The occupation index is built before the first keystroke, not during it.
        await asyncio.to_thread(register.search, "warm", 1)
        purger = asyncio.create_task(purge_forever())
        try:
            yield
        finally:
            purger.cancel()
            await client.aclose()

    app = FastAPI(
        title="open VUM portaal",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        # VUM portal: every POST, PUT, PATCH and DELETE carries the session's CSRF token.
        dependencies=[Depends(csrf_protect)],
    )
    app.state.portal = portal
    app.state.nav = [item for area in AREAS for item in area.NAV]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for area in AREAS:
        app.include_router(area.router)
    _error_pages(app)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        """Liveness, for process supervisors and `make demo` (no session, no data)."""
        return {"status": "ok"}

    app.add_middleware(SessionMiddleware, settings=settings, clock=clock)
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
    return app


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: Exception) -> Response:
        target = "/inloggen?volgende=" + quote(request.url.path, safe="/")
        if request.scope.get("session_expired"):
            target += "&verlopen=1"  # the cookie is gone with this answer: say why on the next
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _: Exception) -> Response:
        return render(request, "error.html", {"status": 403, "reason": "rol"}, status_code=403)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        reason = exc.detail if exc.detail == "csrf" else ""
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "reason": reason},
            status_code=exc.status_code,
        )
