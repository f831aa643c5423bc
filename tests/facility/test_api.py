# SPDX-License-Identifier: EUPL-1.2
"""The mediator API end to end over real HTTP: 30 sources, deadlines, contract answers, limits, audit."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.contract import contracts
from tests.facility.servers import serve, source_app
from vum.facility.app import StaticDirectory, create_facility_app
from vum.facility.client import SourceClient
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import DevHeaderTrust, Identity, InMemoryPartyRegistry, PartyInfo
from vum.facility.metrics import AuditSink, InMemoryAuditSink
from vum.facility.service import Facility, FacilitySettings, InMemoryResultSets
from vum.facility.vumid import VumIdCodec, new_key
from vum.standard import Kind
from vum.synthetic import generate

FACILITY = FacilitySettings().facility_oin
MEDIATOR = "00000001111111111111"
OTHER = "00000002222222222222"
PROCESSOR = "00000003333333333333"  # a techpartner acting for MEDIATOR
SOURCE_ONLY = "00000004444444444444"
UNSIGNED = "00000005555555555555"
INACTIVE = "00000006666666666666"
QUERY = {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}
PROFILES = "/api/v3/werkzoekendeProfielen"
SIGNED = dt.date(2025, 1, 1)


def registry() -> InMemoryPartyRegistry:
    mediator = frozenset({"bemiddelaar"})
    return InMemoryPartyRegistry.of(
        [
            PartyInfo(
                MEDIATOR,
                "Gemeente Utrecht",
                mediator,
                suwi=True,
                processors=frozenset({PROCESSOR}),
                agreement_signed=SIGNED,
            ),
            PartyInfo(OTHER, "Gemeente Zeist", mediator, agreement_signed=SIGNED),
            PartyInfo(
                SOURCE_ONLY, "Bron", frozenset({"bron-werkzoekende"}), agreement_signed=SIGNED
            ),
            PartyInfo(UNSIGNED, "Gemeente zonder afspraak", mediator),
            PartyInfo(
                INACTIVE, "Gemeente opgeheven", mediator, agreement_signed=SIGNED, active=False
            ),
        ]
    )


def vum_headers(from_party: str = MEDIATOR, via: str | None = None, **extra: str) -> dict[str, str]:
    return {
        "X-VUM-berichtVersie": "3.0.0",
        "API-Version": "3.0.0",
        "X-VUM-fromParty": from_party,
        "X-VUM-toParty": FACILITY,
        "X-VUM-viaParty": via or from_party,
        **extra,
    }


def make_app(
    sources: Sequence[SourceEndpoint],
    *,
    audit: AuditSink | None = None,
    identity: Identity | None = None,
    settings: FacilitySettings | None = None,
) -> FastAPI:
    """The facility app over ``sources``; its HTTP client closes with the app's lifespan."""
    client = SourceClient()
    facility = Facility(
        settings or FacilitySettings(deadline_s=3.0),
        StaticDirectory(sources),
        InMemoryResultSets(),
        VumIdCodec({"k1": new_key()}, "k1"),
        client,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return create_facility_app(
        facility,
        registry(),
        audit or InMemoryAuditSink(),
        identity or DevHeaderTrust("127.0.0.1"),
        lifespan=lifespan,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve_app(app: Any, **options: Any) -> Iterator[str]:
    """uvicorn in a thread on loopback (with its lifespan); yields ``http(s)://127.0.0.1:<port>``."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="error", proxy_headers=False, **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("facility test server did not start")
        time.sleep(0.01)
    try:
        yield f"{'https' if 'ssl_certfile' in options else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def asgi_call(
    app: FastAPI,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any = None,
    client: tuple[str, int] = ("127.0.0.1", 50000),
) -> httpx.Response:
    """One call through the ASGI interface (no sockets), from ``client``."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.request(method, path, headers=headers, json=body)

    return asyncio.run(go())


# --- 30 sources over real HTTP ---

BEHAVIOURS = (
    ["ok"] * 20 + ["slow"] * 4 + ["error500", "error500", "error503", "mixed", "hang", "badjson"]
)
EXPECTED = {
    "ok": "answered",
    "slow": "timeout",
    "hang": "timeout",
    "error500": "failed",
    "error503": "failed",
    "badjson": "invalid",
    "mixed": "answered",
}


@contextmanager
def serve_many(apps: Sequence[FastAPI]) -> Iterator[list[str]]:
    """Many source servers (tests/facility/servers.py), stopped concurrently (0.2 s each)."""
    started: list[AbstractContextManager[str]] = []
    urls: list[str] = []
    try:
        for app in apps:
            server = serve(app)
            urls.append(server.__enter__())
            started.append(server)
        yield urls
    finally:
        with ThreadPoolExecutor(len(started) or 1) as pool:
            list(pool.map(lambda server: server.__exit__(None, None, None), started))


def source_endpoints(
    stack: ExitStack, behaviours: Sequence[str], per_source: int = 6, timeout_s: float = 1.5
) -> list[SourceEndpoint]:
    records = list(generate(Kind.WERKZOEKENDE, per_source * len(behaviours), seed=500))
    apps = [
        # Slow sources answer after 6 s: beyond the pilots' 4 s and this test's 1.5 s.
        source_app(
            Kind.WERKZOEKENDE, records[i * per_source : (i + 1) * per_source], b, delay_s=6.0
        )
        for i, b in enumerate(behaviours)
    ]
    urls = stack.enter_context(serve_many(apps))
    return [
        SourceEndpoint(f"{i + 1:020d}", f"bron-{b}-{i}", url, timeout_s=timeout_s)
        for i, (b, url) in enumerate(zip(behaviours, urls, strict=True))
    ]


@pytest.fixture(scope="module")
def thirty() -> Iterator[tuple[str, list[SourceEndpoint], InMemoryAuditSink]]:
    with ExitStack() as stack:
        sources = source_endpoints(stack, BEHAVIOURS)
        audit = InMemoryAuditSink()
        base = stack.enter_context(serve_app(make_app(sources, audit=audit)))
        yield base, sources, audit


@pytest.fixture(scope="module")
def queried(
    thirty: tuple[str, list[SourceEndpoint], InMemoryAuditSink],
) -> tuple[httpx.Response, float]:
    base = thirty[0]
    started = time.monotonic()
    response = httpx.post(
        f"{base}{PROFILES}/matches",
        json={"vraagObject": QUERY},
        headers=vum_headers(
            **{
                "X-OpenVUM-Explain": "1",
                "X-OpenVUM-Verwerking": "re-integratie",
                "X-OpenVUM-Gebruiker": "medewerker-4711",
                "traceparent": "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01",
            }
        ),
        timeout=10,
    )
    return response, time.monotonic() - started


def test_query_answers_within_the_deadline_with_the_good_sources(
    queried: tuple[httpx.Response, float], koppelvlak_dir: Path
) -> None:
    response, elapsed = queried
    assert response.status_code == 200, response.text
    assert elapsed < 3.0 + 0.5  # the query's deadline, plus HTTP on loopback
    body = response.json()
    bronnen = {b["naam"]: b for b in body["x-openvum-bronnen"]}
    assert len(bronnen) == 30
    for name, report in bronnen.items():
        assert report["status"] == EXPECTED[name.split("-")[1]], report
    mixed = next(b for n, b in bronnen.items() if "mixed" in n)
    assert mixed["ongeldig"] == 1 and mixed["aantal"] > 0
    assert len(body["matches"]) == sum(b["aantal"] for b in bronnen.values()) > 0
    assert len(body["x-openvum-ranking"]) == len(body["matches"])
    scores = [r["score"] for r in body["x-openvum-ranking"]]
    assert scores == sorted(scores, reverse=True)
    # The envelope and every match against the Bemiddelaar contract.
    contract = contracts.BEMIDDELAAR_WERKZOEKENDE
    assert contracts.errors(contract, "WerkzoekendeProfielMatchesResponse", body) == []
    for match in body["matches"]:
        assert contracts.errors(contract, "MPWerkzoekendeMatch", match) == []
    # Headers: the answer travels back from the facility to the asker through its processor.
    h = response.headers
    assert h["X-VUM-berichtVersie"] == h["API-Version"] == "3.0.0"
    assert (h["X-VUM-fromParty"], h["X-VUM-toParty"], h["X-VUM-viaParty"]) == (
        FACILITY,
        MEDIATOR,
        MEDIATOR,
    )
    assert h["traceparent"].startswith("00-" + "ab" * 16 + "-")


def test_without_explain_the_body_is_exactly_the_contract(
    thirty: tuple[str, list[SourceEndpoint], InMemoryAuditSink],
) -> None:
    sources = thirty[1]
    app = make_app(sources[:3])
    with serve_app(app) as url:
        response = httpx.post(
            f"{url}{PROFILES}/matches",
            json={"vraagObject": QUERY},
            headers=vum_headers(),
            timeout=10,
        )
    assert response.status_code == 200
    assert set(response.json()) == {"maximumAantalResultatenBereikt", "vraagID", "matches"}


def test_explain_bronnen_adds_only_the_per_source_report(
    thirty: tuple[str, list[SourceEndpoint], InMemoryAuditSink],
) -> None:
    app = make_app(thirty[1][:3])
    with serve_app(app) as url:
        bodies = {
            mode: httpx.post(
                f"{url}{PROFILES}/matches",
                json={"vraagObject": QUERY},
                headers={**vum_headers(), "X-OpenVUM-Explain": mode},
                timeout=10,
            ).json()
            for mode in ("bronnen", "volledig", "iets anders")
        }
    contract = {"maximumAantalResultatenBereikt", "vraagID", "matches"}
    assert set(bodies["bronnen"]) == contract | {"x-openvum-bronnen"}
    assert len(bodies["bronnen"]["x-openvum-bronnen"]) == 3
    assert set(bodies["volledig"]) == contract | {"x-openvum-bronnen", "x-openvum-ranking"}
    assert set(bodies["iets anders"]) == contract


def test_details_limit_other_party_and_forged_ids(
    thirty: tuple[str, list[SourceEndpoint], InMemoryAuditSink],
    queried: tuple[httpx.Response, float],
    koppelvlak_dir: Path,
) -> None:
    base = thirty[0]
    ids = [m["vumID"] for m in queried[0].json()["matches"]]
    assert len(ids) > 11
    contract = contracts.BEMIDDELAAR_WERKZOEKENDE

    def get(vum_id: str, **kw: Any) -> httpx.Response:
        return httpx.get(f"{base}{PROFILES}/{vum_id}", headers=vum_headers(**kw), timeout=10)

    # Another (authorised) mediator may not open this result: 401, no body.
    other = get(ids[0], from_party=OTHER)
    assert other.status_code == 401 and other.content == b""
    assert other.headers["API-Version"] == "3.0.0"
    # The same vumID under the other domain: 401 as well.
    wrong_kind = httpx.get(f"{base}/api/v3/vacatures/{ids[0]}", headers=vum_headers(), timeout=10)
    assert wrong_kind.status_code == 401 and wrong_kind.content == b""
    # A vumID altered by one character is refused.
    forged = ids[1][:-1] + ("A" if ids[1][-1] != "A" else "B")
    bad = get(forged)
    assert bad.status_code == 400 and bad.json()["code"] == "400.01"
    assert contracts.errors(contract, "Error", bad.json()) == []
    assert get("a" * 501).json()["code"] == "400.01"  # beyond the contract's pattern
    for vum_id in ids[:10]:
        detail = get(vum_id)
        assert detail.status_code == 200, detail.text
        body = detail.json()
        assert set(body) == {"bronID", "werkzoekende"}
        assert contracts.errors(contract, "String200", body["bronID"]) == []
        assert contracts.errors(contract, "Werkzoekende", body["werkzoekende"]) == []
    limit = get(ids[10])
    assert limit.status_code == 429 and limit.json()["code"] == "429.01"
    assert contracts.errors(contract, "Error", limit.json()) == []
    assert limit.headers["X-VUM-toParty"] == MEDIATOR


def test_one_audit_event_per_call_without_personal_data(
    thirty: tuple[str, list[SourceEndpoint], InMemoryAuditSink],
    queried: tuple[httpx.Response, float],
) -> None:
    audit = thirty[2]
    query = next(
        e
        for e in audit.events
        if e["operation"] == "matches"
        and e["outcome"]["status"] == 200
        and e["traceId"] == "ab" * 16
    )
    assert query["fromParty"] == query["viaParty"] == MEDIATOR
    assert query["processingActivity"] == "re-integratie"
    assert query["user"] == "medewerker-4711"
    assert query["identity"] == "dev-header-trust" and query["kind"] == "werkzoekende"
    assert query["vraagID"] == queried[0].json()["vraagID"]
    assert len(query["vraagObjectSha256"]) == 64 and query["start"] <= query["end"]
    statuses = {s["oin"]: s["status"] for s in query["sources"]}
    assert len(statuses) == 30 and list(statuses.values()).count("timeout") == 5
    # No query values and no record content in the log.
    text = json.dumps(audit.events)
    assert "3511AB" not in text
    first = queried[0].json()["matches"][0]
    assert first["vumID"] not in text and first["mobiliteit"]["bemiddelingspostcode"] not in text


def test_metrics_show_per_source_counters_after_a_query(
    thirty: tuple[str, list[SourceEndpoint], InMemoryAuditSink],
    queried: tuple[httpx.Response, float],
) -> None:
    base, sources, _ = thirty
    text = httpx.get(f"{base}/metrics", timeout=10).text
    ok, slow, mixed = sources[0].oin, sources[20].oin, sources[27].oin
    assert (
        f'vum_facility_source_answers_total{{kind="werkzoekende",source="{ok}",status="answered"}}'
    ) in text
    assert (
        f'vum_facility_source_answers_total{{kind="werkzoekende",source="{slow}",'
        'status="timeout"} 1.0'
    ) in text
    assert (
        f'vum_facility_source_invalid_records_total{{kind="werkzoekende",source="{mixed}"}} 1.0'
    ) in text
    assert f'vum_facility_source_latency_seconds_count{{kind="werkzoekende",source="{ok}"}}' in text
    assert 'vum_facility_results_returned_total{kind="werkzoekende"}' in text


def test_vacancies_end_to_end_against_the_vacancy_contract(koppelvlak_dir: Path) -> None:
    records = list(generate(Kind.VACATURE, 24, seed=77))
    with ExitStack() as stack:
        apps = [source_app(Kind.VACATURE, records[i::2]) for i in range(2)]
        urls = stack.enter_context(serve_many(apps))
        sources = [
            SourceEndpoint(
                f"0000000900000000000{i}", f"vac-{i}", url, kinds=frozenset({Kind.VACATURE})
            )
            for i, url in enumerate(urls)
        ]
        base = stack.enter_context(serve_app(make_app(sources)))
        response = httpx.post(
            f"{base}/api/v3/vacatures/matches",
            json={"vraagObject": QUERY},
            headers=vum_headers(),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        contract = contracts.BEMIDDELAAR_VACATURES
        assert contracts.errors(contract, "VacaturesMatchesResponse", body) == []
        assert body["matches"]
        for match in body["matches"]:
            assert contracts.errors(contract, "MPVacatureMatch", match) == []
        detail = httpx.get(
            f"{base}/api/v3/vacatures/{body['matches'][0]['vumID']}",
            headers=vum_headers(),
            timeout=10,
        )
    assert detail.status_code == 200, detail.text
    assert set(detail.json()) == {"bronID", "vacature"}
    assert detail.json()["bronID"] in {s.oin for s in sources}
    assert contracts.errors(contract, "Vacature", detail.json()["vacature"]) == []
