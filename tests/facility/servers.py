# SPDX-License-Identifier: EUPL-1.2
"""Real HTTP servers on loopback for facility tests: sources that behave well and badly."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from vum.matching import build_engine
from vum.standard import Kind, parse_query


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def source_app(
    kind: Kind, records: list[dict[str, Any]], behaviour: str = "ok", delay_s: float = 0.0
) -> FastAPI:
    """A VUM-Bron stand-in for a foreign source. Behaviours: ok, slow, error500, error503,
    badjson, mixed (one schema-invalid record among valid ones), hang, huge, drip."""
    engine = build_engine(kind, records)
    app = FastAPI()
    seen: list[dict[str, str]] = []
    app.state.seen = seen

    @app.post(f"/api/v3/{kind.resource}/matches")
    async def matches(request: Request) -> Response:
        seen.append(dict(request.headers))
        body = await request.json()
        if behaviour in ("slow", "hang"):
            await asyncio.sleep(3600 if behaviour == "hang" else delay_s)
        if behaviour == "error500":
            return JSONResponse({"code": "500.1", "message": "kapot"}, status_code=500)
        if behaviour == "error503":
            return JSONResponse({"code": "500.3", "message": "onderhoud"}, status_code=503)
        if behaviour == "badjson":
            return Response(b'{"matches": [', media_type="application/json")
        if behaviour == "huge":
            return Response(
                b'{"matches": [' + b'{"x": 1},' * 6_000_000 + b"{}]}", media_type="application/json"
            )
        if behaviour == "drip":

            async def drip() -> Any:
                for _ in range(3600):
                    yield b" "
                    await asyncio.sleep(1)

            return StreamingResponse(drip(), media_type="application/json")
        result = engine.search(parse_query(kind, body["vraagObject"]))
        matches = [dict(h.summary) for h in result.hits]
        if behaviour == "mixed" and matches:
            matches[0] = {**matches[0], "onbekendVeld": 1}
        return JSONResponse({"maximumAantalResultatenBereikt": result.more, "matches": matches})

    @app.get(f"/api/v3/{kind.resource}/{{record_id}}")
    async def detail(record_id: str, request: Request) -> Response:
        seen.append(dict(request.headers))
        record = engine.detail(record_id)
        if record is None:
            return JSONResponse({"code": "400.01", "message": "onbekend"}, status_code=400)
        return JSONResponse(dict(record))

    return app


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yield its /api/v3 base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/api/v3"
    finally:
        server.should_exit = True
        server.force_exit = True
        thread.join(timeout=5)
