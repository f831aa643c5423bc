# SPDX-License-Identifier: EUPL-1.2
"""The facility as one ASGI app: the mediator API, /metrics, /health and /ready over a Facility."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI

from vum import KOPPELVLAK_VERSION, __version__
from vum.facility.api import MediatorApi, make_mediator_router
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import Identity, PartyRegistry
from vum.facility.metrics import AuditSink, FacilityMetrics, ReadyCheck, make_ops_router
from vum.facility.service import Facility
from vum.openapi import facility_components
from vum.standard.kinds import Kind
from vum.webapp import VumApp


class StaticDirectory:
    """A fixed list of sources (from configuration); the registry-backed directory replaces it."""

    def __init__(self, sources: Sequence[SourceEndpoint]) -> None:
        self._sources = list(sources)
        self._by_oin = {s.oin: s for s in self._sources}

    def sources_for(self, kind: Kind) -> Sequence[SourceEndpoint]:
        return [s for s in self._sources if kind in s.kinds]

    def source(self, oin: str) -> SourceEndpoint | None:
        return self._by_oin.get(oin)


def default_ready(facility: Facility) -> ReadyCheck:
    """Ready when at least one source is configured and not every source is suspended."""

    def ready() -> tuple[bool, dict[str, Any]]:
        per_kind = {
            kind.value: [s.oin for s in facility.directory.sources_for(kind) if s.enabled]
            for kind in Kind
        }
        oins = {oin for oins in per_kind.values() for oin in oins}
        suspended = {oin for oin in oins if facility.breaker.suspended(oin)}
        ok = bool(oins) and suspended != oins
        details = {
            "bronnen": {kind: len(oins_) for kind, oins_ in per_kind.items()},
            "geschorst": len(suspended),
        }
        return ok, details

    return ready


def create_facility_app(
    facility: Facility,
    registry: PartyRegistry,
    audit: AuditSink,
    identity: Identity,
    *,
    metrics: FacilityMetrics | None = None,
    explain: bool = True,
    ready: ReadyCheck | None = None,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    prefix: str = "/api/v3",
) -> FastAPI:
    """The facility app: ``{prefix}/werkzoekendeProfielen|vacatures`` (VUM-Bemiddelaar),
    ``/metrics``, ``/health``, ``/ready``.

    ``registry`` and ``audit`` may be synchronous (run in a worker thread) or ``async``.
    ``explain=False`` ignores ``X-OpenVUM-Explain``. ``lifespan`` runs beside the app (e.g. to
    close the facility's HTTP client on shutdown).
    """
    metrics = metrics if metrics is not None else FacilityMetrics(breaker=lambda: facility.breaker)
    # VumApp: the security headers on every answer; the standard's schemas in /openapi.json.
    app = VumApp(
        components=facility_components,
        title="open VUM — uitwisselingsvoorziening (exchange facility)",
        version=__version__,
        description=f"VUM-Bemiddelaar, koppelvlak {KOPPELVLAK_VERSION}.",
        lifespan=lifespan,
    )
    api = MediatorApi(facility, registry, audit, identity, metrics, explain=explain)
    app.include_router(make_mediator_router(api, prefix))
    app.include_router(make_ops_router(metrics, ready or default_ready(facility)))
    app.state.facility = facility
    app.state.metrics = metrics
    app.state.identity = identity
    return app
