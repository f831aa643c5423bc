# SPDX-License-Identifier: EUPL-1.2
"""Deliberately broken sources for the conformance kit: a proxy in front of a healthy source app that adds one defect."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.standard import Kind
from vum.standard.query_wire import MPWerkzoekende

SOURCE = "00000001001234567000"
ASKER = "00000001003214345000"
VIA = "00000001800866472000"
#: every defect the tests build a source with
DEFECTS = ("semantics", "flag", "slow", "invalid", "unknown-members", "headers")
_KNOWN = {field.alias or name for name, field in MPWerkzoekende.model_fields.items()}
_DROPPED = {"content-length", "content-encoding", "transfer-encoding"}


def healthy_app(records: list[dict[str, Any]]) -> FastAPI:
    """The project's own source app over ``records`` (profiles of SOURCE)."""
    backend = MemoryBackend()
    backend.load(SOURCE, Kind.WERKZOEKENDE, records)
    return create_source_app(backend, settings=SourceSettings(warm_up=False))


def _is_matches(request: Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/matches")


def _query(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
        query = data["vraagObject"]
    except (ValueError, KeyError, TypeError):
        return None
    return query if isinstance(query, dict) else None


def broken_source(inner: FastAPI, defect: str, *, delay_s: float = 0.6) -> FastAPI:
    """A source that answers like ``inner`` except for one defect (``none``: a faithful proxy):

    - ``semantics``: ignores every criterion but the area (returns records that do not match);
    - ``flag``: never sets ``maximumAantalResultatenBereikt``, also when more than 100 match;
    - ``slow``: takes ``delay_s`` longer for nationwide queries;
    - ``invalid``: adds a member the contract forbids to the first summary;
    - ``unknown-members``: refuses a query with a top-level member the contract does not define;
    - ``headers``: leaves the party headers off every answer.
    """
    assert defect in (*DEFECTS, "none"), defect
    app = FastAPI()
    transport = httpx.ASGITransport(app=inner)

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def proxy(path: str, request: Request) -> Response:
        body = await request.body()
        query = _query(body) if _is_matches(request) else None
        if query is not None and defect == "semantics":
            body = json.dumps(
                {"vraagObject": {"selectiegebied": query.get("selectiegebied")}}
            ).encode()
        if query is not None and defect == "unknown-members" and set(query) - _KNOWN:
            return JSONResponse(
                {"code": "400.01", "message": "Onbekend gegeven"},
                status_code=400,
                headers={
                    "X-VUM-berichtVersie": "3.0.0",
                    "API-Version": "3.0.0",
                    "X-VUM-fromParty": request.headers.get("X-VUM-toParty", ""),
                    "X-VUM-toParty": request.headers.get("X-VUM-fromParty", ""),
                    "X-VUM-viaParty": request.headers.get("X-VUM-viaParty", ""),
                },
            )
        if query is not None and defect == "slow":
            area = query.get("selectiegebied")
            if isinstance(area, dict) and area.get("afstand") == 999:
                await asyncio.sleep(delay_s)
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        async with httpx.AsyncClient(transport=transport, base_url="http://inner") as client:
            answer = await client.request(request.method, "/" + path, content=body, headers=headers)
        content = answer.content
        out = {k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED}
        if defect == "headers":
            out = {k: v for k, v in out.items() if not k.lower().endswith("party")}
        if query is not None and answer.status_code == 200 and defect in ("flag", "invalid"):
            data = answer.json()
            if defect == "flag":
                data["maximumAantalResultatenBereikt"] = False
            elif data["matches"]:
                data["matches"][0]["onbekendVeld"] = 1
            content = json.dumps(data).encode()
        return Response(content, status_code=answer.status_code, headers=out)

    return app
