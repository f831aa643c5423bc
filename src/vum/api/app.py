# SPDX-License-Identifier: EUPL-1.2
"""The hosted source: one process answers VUM-Bron calls for many parties and takes their imports."""

from __future__ import annotations

from fastapi import FastAPI, Request

from vum import KOPPELVLAK_VERSION, __version__
from vum.api.admin import make_admin_router
from vum.api.backend import SourceBackend, backend_functions
from vum.api.bron import AuthorizeFn, BronOptions, make_bron_router
from vum.api.headers import VumCall
from vum.api.health import Readiness, make_health_router
from vum.api.settings import SourceSettings
from vum.openapi import source_components
from vum.webapp import VumApp


def trusted_via(parties: frozenset[str] | None) -> AuthorizeFn | None:
    """Only calls through these processors (X-VUM-viaParty) may ask; None lets every call in.

    Transport (mutual TLS with PKIoverheid certificates) is the gateway's job; this is the
    source's own check of who carries the call.
    """
    if parties is None:
        return None
    allowed = frozenset(parties)

    def authorize(call: VumCall, request: Request) -> bool:
        return call.via_party in allowed

    return authorize


def create_source_app(backend: SourceBackend, *, settings: SourceSettings | None = None) -> FastAPI:
    """The hosted source app over ``backend``: VUM-Bron (``/api/v3``), import (``/admin/v1``),
    ``/health`` and ``/ready``. ``X-VUM-toParty`` selects the party's dataset."""
    settings = settings or SourceSettings()
    readiness = Readiness(backend)
    if not settings.warm_up:
        readiness.ready = True
    # VumApp: the security headers on every answer; the standard's schemas in /openapi.json.
    app = VumApp(
        components=source_components,
        title="open VUM — gehoste bron (hosted source)",
        version=__version__,
        description=f"VUM-Bron, koppelvlak {KOPPELVLAK_VERSION}, for many hosted parties.",
        lifespan=readiness.lifespan if settings.warm_up else None,
    )
    search, detail = backend_functions(backend)
    options = BronOptions(
        max_results=settings.max_results,
        max_query_bytes=settings.max_query_bytes,
        timeout_s=settings.search_timeout_s,
        explain=settings.explain,
        # vum.matching engines hand out summaries without detail-only members already
        # (Hit.summary); stripping them again would cost ~1-3 ms per answer.
        minimise=False,
    )
    app.include_router(
        make_bron_router(
            search, detail, authorize=trusted_via(settings.trusted_via_parties), options=options
        )
    )
    app.include_router(make_admin_router(backend, max_body_bytes=settings.max_import_bytes))
    app.include_router(make_health_router(readiness))
    app.state.readiness = readiness
    return app
