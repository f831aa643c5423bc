# SPDX-License-Identifier: EUPL-1.2
"""The adapter kit: any pair of search/detail functions, sync or async, gets every contract rule."""

from __future__ import annotations

import threading
import time
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI, Request

from tests.api.http import SOURCE, AsgiClient, vum_headers
from vum.api import (
    BronOptions,
    TooManyRequests,
    VumCall,
    current_call,
    make_bron_router,
)
from vum.matching import Explanation, Hit, SearchResult
from vum.standard import Kind, Query, QueryError
from vum.standard.errors import Problem

AREA = {"vraagObject": {"selectiegebied": {"postcode": "1315AB", "afstand": 25}}}
WZ = "/api/v3/werkzoekendeProfielen/matches"


def _summary(n: int) -> dict[str, Any]:
    return {"idWerkzoekende": f"id{n}", "mobiliteit": {"bemiddelingspostcode": "1315AB"}}


def _hits(count: int) -> list[Hit]:
    return [
        Hit(
            f"id{n}", 100.0 - n / 10, 1.0, _summary(n), (Explanation("afstand", None, 1.0, "1 km"),)
        )
        for n in range(count)
    ]


def _app(search: Any, detail: Any, **kwargs: Any) -> AsgiClient:
    app = FastAPI()
    app.include_router(make_bron_router(search, detail, **kwargs))
    return AsgiClient(app)


def test_async_functions_are_awaited() -> None:
    seen: dict[str, Any] = {}

    async def search(kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        seen.update(kind=kind, party=party, postcode=query.postcode, limit=limit)
        return SearchResult(_hits(3), total=3)

    async def detail(kind: Kind, party: str, record_id: str) -> dict[str, Any] | None:
        return {"idWerkzoekende": record_id} if record_id == "id1" else None

    client = _app(search, detail)
    body = client.post(WZ, json=AREA, headers=vum_headers()).json()
    assert [m["idWerkzoekende"] for m in body["matches"]] == ["id0", "id1", "id2"]
    assert body["maximumAantalResultatenBereikt"] is False
    assert seen == {"kind": Kind.WERKZOEKENDE, "party": SOURCE, "postcode": "1315AB", "limit": 100}
    detail_url = "/api/v3/werkzoekendeProfielen/id1"
    assert client.get(detail_url, headers=vum_headers()).json() == {"idWerkzoekende": "id1"}
    missing = client.get("/api/v3/werkzoekendeProfielen/id9", headers=vum_headers())
    assert missing.json()["code"] == "400.01"


def test_sync_functions_run_in_a_worker_thread_and_see_the_call() -> None:
    seen: dict[str, Any] = {}

    def search(kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        seen["thread"] = threading.current_thread()
        seen["call"] = current_call()
        return SearchResult([], total=0)

    client = _app(search, lambda *a: None)
    headers = vum_headers(**{"X-VUM-SUWIparty": "false", "X-OpenVUM-Explain": "1"})
    assert client.post(WZ, json=AREA, headers=headers).status_code == 200
    assert seen["thread"] is not threading.main_thread()
    call: VumCall = seen["call"]
    assert (call.to_party, call.suwi_party, call.explain) == (SOURCE, False, True)


def test_slow_sync_searches_do_not_block_each_other() -> None:
    def search(kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        time.sleep(0.3)
        return SearchResult([], total=0)

    app = FastAPI()
    app.include_router(make_bron_router(search, lambda *a: None))

    async def two_at_once() -> float:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            started = time.perf_counter()
            async with anyio.create_task_group() as tasks:
                for _ in range(2):
                    tasks.start_soon(lambda: client.post(WZ, json=AREA, headers=vum_headers()))
            return time.perf_counter() - started

    assert anyio.run(two_at_once) < 0.55


def test_the_router_caps_what_an_adapter_returns() -> None:
    # An adapter that ignores ``limit`` still sends at most 100, and says there were more.
    client = _app(lambda *a: SearchResult(_hits(150), total=150), lambda *a: None)
    headers = vum_headers(**{"X-OpenVUM-Explain": "1"})
    body = client.post(WZ, json=AREA, headers=headers).json()
    assert len(body["matches"]) == len(body["x-openvum-ranking"]) == 100
    assert body["maximumAantalResultatenBereikt"] is True


def test_summaries_are_minimised_and_get_their_id() -> None:
    leaky = {
        "mobiliteit": {"bemiddelingspostcode": "1315AB"},
        "persoonlijkePresentatie": "detail only",
        "contactpersoon": [{"naamContactpersoonAfdeling": "J. de Vries"}],
    }
    client = _app(
        lambda *a: SearchResult([Hit("abc", 50.0, None, leaky)], total=1), lambda *a: None
    )
    body = client.post(WZ, json=AREA, headers=vum_headers()).json()
    assert body["matches"] == [
        {"mobiliteit": {"bemiddelingspostcode": "1315AB"}, "idWerkzoekende": "abc"}
    ]


def test_only_the_kinds_asked_for_are_mounted() -> None:
    client = _app(lambda *a: SearchResult([], total=0), lambda *a: None, kinds=[Kind.WERKZOEKENDE])
    assert client.post(WZ, json=AREA, headers=vum_headers()).status_code == 200
    assert (
        client.post("/api/v3/vacatures/matches", json=AREA, headers=vum_headers()).status_code
        == 404
    )


@pytest.mark.parametrize("allowed", [True, False])
@pytest.mark.parametrize("is_async", [True, False])
def test_authorize_hook(allowed: bool, is_async: bool) -> None:
    def check(call: VumCall, request: Request) -> bool:
        return allowed and call.via_party != ""

    async def acheck(call: VumCall, request: Request) -> bool:
        return check(call, request)

    client = _app(
        lambda *a: SearchResult([], total=0),
        lambda *a: None,
        authorize=acheck if is_async else check,
    )
    response = client.post(WZ, json=AREA, headers=vum_headers())
    assert response.status_code == (200 if allowed else 401)
    if not allowed:
        assert response.content == b""


def test_adapter_may_answer_429_01() -> None:
    def detail(kind: Kind, party: str, record_id: str) -> None:
        raise TooManyRequests()

    client = _app(lambda *a: SearchResult([], total=0), detail)
    response = client.get("/api/v3/vacatures/abc", headers=vum_headers())
    assert (response.status_code, response.json()["code"]) == (429, "429.01")
    assert response.headers["API-Version"] == "3.0.0"


def test_engine_query_error_is_400_01() -> None:
    def search(kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        raise QueryError([Problem("/vraagObject/x", "niet ondersteund", "not supported")])

    body = _app(search, lambda *a: None).post(WZ, json=AREA, headers=vum_headers()).json()
    assert body["code"] == "400.01"
    assert body["details"].startswith("/vraagObject/x:")


def test_deadline_answers_503_500_3() -> None:
    def search(kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        time.sleep(1.0)
        return SearchResult([], total=0)

    client = _app(search, lambda *a: None, options=BronOptions(timeout_s=0.1))
    started = time.perf_counter()
    response = client.post(WZ, json=AREA, headers=vum_headers())
    assert (response.status_code, response.json()["code"]) == (503, "500.3")
    assert time.perf_counter() - started < 0.8


def test_prefix_is_configurable() -> None:
    client = _app(
        lambda *a: SearchResult([], total=0),
        lambda *a: None,
        options=BronOptions(prefix="/vum/api/v3"),
    )
    url = "/vum/api/v3/werkzoekendeProfielen/matches"
    assert client.post(url, json=AREA, headers=vum_headers()).status_code == 200
