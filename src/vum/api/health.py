# SPDX-License-Identifier: EUPL-1.2
"""Liveness (``/health``) and readiness (``/ready``: every dataset loaded into its engine)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI, Response
from pydantic_core import to_json

from vum.api.backend import SourceBackend, Warmable
from vum.runtime import freeze_loaded

log = logging.getLogger("vum.api.health")


class Readiness:
    """Builds the backend's engines once, in the background, and says when that is done.

    Engines are built lazily on first use; building one over 200,000 records takes longer than
    a source may take to answer (VUM: 4 s per source), so the app warms them up before it says
    it is ready. A backend that cannot warm up is ready at once.
    """

    def __init__(self, backend: SourceBackend) -> None:
        self.backend = backend
        self.ready = not isinstance(backend, Warmable)
        self.loaded: int | None = None
        self.error: str | None = None
        self.seconds: float | None = None

    def warm_up(self) -> None:
        """Build every engine (blocking; run it in a worker thread)."""
        started = time.perf_counter()
        try:
            if isinstance(self.backend, Warmable):
                self.loaded = self.backend.warm()
        except Exception as exc:
            # Engines are still built on first use; one broken dataset must not keep the
            # others from being served, so the app becomes ready, and says it is degraded.
            log.exception("warming up the datasets failed")
            self.error = f"{type(exc).__name__}: {exc}"[:500]
        self.seconds = time.perf_counter() - started
        freeze_loaded()
        self.ready = True
        log.info("%s datasets loaded in %.1f s", self.loaded, self.seconds)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Start the warm-up beside the server: ``/health`` answers while datasets load."""
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._warm_up_in_thread)
            yield
            tasks.cancel_scope.cancel()

    async def _warm_up_in_thread(self) -> None:
        await anyio.to_thread.run_sync(self.warm_up, abandon_on_cancel=True)

    def status(self) -> dict[str, Any]:
        state = "loading" if not self.ready else "degraded" if self.error else "ready"
        return {
            "status": state,
            "datasets": self.loaded,
            "error": self.error,
            "seconds": round(self.seconds, 2) if self.seconds is not None else None,
        }


def make_health_router(readiness: Readiness) -> APIRouter:
    """``GET /health`` (the process lives), ``GET /ready`` (503 until the datasets are loaded) and
    ``GET /metrics`` (Prometheus: the process's memory, CPU, open files and garbage collection)."""
    router = APIRouter(tags=["health"])

    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def health() -> Response:
        return Response(to_json({"status": "ok"}), media_type="application/json")

    async def ready() -> Response:
        status = readiness.status()
        code = 200 if readiness.ready else 503
        return Response(to_json(status), code, media_type="application/json")

    router.add_api_route("/health", health, methods=["GET"], response_class=Response)
    router.add_api_route("/ready", ready, methods=["GET"], response_class=Response)
    router.add_api_route("/metrics", metrics, methods=["GET"], response_class=Response)
    return router
