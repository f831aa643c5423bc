# SPDX-License-Identifier: EUPL-1.2
"""Query latency through the mediator API with 30 fast sources on loopback (figures printed with -s).

Run: ``.venv/bin/pytest tests/facility/test_api_latency.py -q -s``. The sources run in a child process (one event loop, 30 ports, canned contract answers), so the
facility's own time is measured rather than 30 in-process servers competing for one GIL.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import time
from typing import Any

import httpx
import pytest
import uvicorn

from tests.facility.test_api import PROFILES, QUERY, free_port, make_app, serve_app, vum_headers
from vum.facility.fanout import SourceEndpoint
from vum.facility.service import FacilitySettings
from vum.matching import build_engine
from vum.standard import Kind, parse_query
from vum.synthetic import generate

SOURCES = 30
# Small by default to keep the suite fast; e.g. VUM_LATENCY_PER_SOURCE=100 for the VUM maximum.
PER_SOURCE = int(os.environ.get("VUM_LATENCY_PER_SOURCE", "10"))
QUERIES = int(os.environ.get("VUM_LATENCY_QUERIES", "12"))


def _canned(body: bytes) -> Any:
    """An ASGI source that answers every call with ``body`` (a VUM-Bron matches answer)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def _run_sources(ports: list[int], bodies: list[bytes], ready: Any) -> None:
    async def main() -> None:
        servers = [
            uvicorn.Server(
                uvicorn.Config(
                    _canned(body), host="127.0.0.1", port=port, lifespan="off", log_level="error"
                )
            )
            for port, body in zip(ports, bodies, strict=True)
        ]
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                raise SystemExit("a source could not start (its port was taken)")
            await asyncio.sleep(0.01)
        ready.set()
        await asyncio.gather(*tasks)

    asyncio.run(main())


def _answers() -> list[bytes]:
    records = list(generate(Kind.WERKZOEKENDE, SOURCES * PER_SOURCE, seed=900))
    bodies = []
    for i in range(SOURCES):
        engine = build_engine(Kind.WERKZOEKENDE, records[i * PER_SOURCE : (i + 1) * PER_SOURCE])
        result = engine.search(parse_query(Kind.WERKZOEKENDE, QUERY))
        matches = [dict(hit.summary) for hit in result.hits]
        bodies.append(
            json.dumps({"maximumAantalResultatenBereikt": False, "matches": matches}).encode()
        )
    return bodies


@pytest.mark.slow
def test_query_latency_with_30_fast_sources() -> None:
    bodies = _answers()
    # Distinct ports: a port freed and handed out again would leave one source unbound
    # and the child waiting for it.
    ports: list[int] = []
    while len(ports) < SOURCES:
        port = free_port()
        if port not in ports:
            ports.append(port)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    child = context.Process(target=_run_sources, args=(ports, bodies, ready), daemon=True)
    child.start()
    try:
        assert ready.wait(30), "sources did not start"
        sources = [
            SourceEndpoint(f"{i + 1:020d}", f"bron-{i}", f"http://127.0.0.1:{port}/api/v3")
            for i, port in enumerate(ports)
        ]
        timings: list[float] = []
        with (
            # The VUM defaults (4 s a source, 10 s a query), not the other API tests' short
            # deadline: the first query also opens the 30 connections, on a machine that may be
            # busy with other tests.
            serve_app(make_app(sources, settings=FacilitySettings())) as base,
            httpx.Client(base_url=base, headers=vum_headers(), timeout=15) as client,
        ):
            for i in range(QUERIES + 1):
                started = time.perf_counter()
                response = client.post(f"{PROFILES}/matches", json={"vraagObject": QUERY})
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200
                assert len(response.json()["matches"]) == SOURCES * PER_SOURCE
                if i:  # the first query opens the connections
                    timings.append(elapsed)
    finally:
        child.terminate()
        child.join(10)
    p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
    print(
        f"\n{SOURCES} sources x {PER_SOURCE} results, {QUERIES} queries through the API: "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    # VUM: the mediator has the merged answer within 10 s; the printed figures are what matter.
    assert p95 < 10_000
