# SPDX-License-Identifier: EUPL-1.2
"""The hosted source app on loopback: uvicorn in a background thread over an engine that is already built."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from vum import KOPPELVLAK_VERSION
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.matching import Engine
from vum.standard.kinds import Kind

#: the hosted party whose dataset is served (X-VUM-toParty), and who asks through whom
SOURCE_PARTY = "00000001003214345000"
FACILITY_PARTY = "00000001822477348000"
MEDIATOR_PARTY = "00000001001234567000"


def vum_headers(to_party: str = SOURCE_PARTY) -> dict[str, str]:
    """The headers the facility sends a source (koppelvlak 3.0.0, facility -> source)."""
    return {
        "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
        "API-Version": KOPPELVLAK_VERSION,
        "X-VUM-fromParty": MEDIATOR_PARTY,
        "X-VUM-toParty": to_party,
        "X-VUM-viaParty": FACILITY_PARTY,
        "X-VUM-SUWIparty": "true",
    }


def matches_path(kind: Kind) -> str:
    return f"/api/v3/{kind.resource}/matches"


@contextmanager
def serve_engine(
    kind: Kind,
    records: Sequence[Mapping[str, Any]],
    engine: Engine,
    *,
    startup_timeout: float = 30.0,
) -> Iterator[str]:
    """Serve ``engine`` (over ``records``) as :data:`SOURCE_PARTY`'s dataset on 127.0.0.1; yield
    the base URL. The server runs in a daemon thread and is shut down on exit."""
    backend = MemoryBackend()
    backend.load(SOURCE_PARTY, kind, records, engine=engine)
    app = create_source_app(backend, settings=SourceSettings(warm_up=False))
    # proto IPPROTO_TCP, as uvicorn's own bind makes it: asyncio sets TCP_NODELAY only on such
    # sockets, and without it small answers wait ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="vum-bench-uvicorn"
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the benchmark's HTTP server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@dataclass(frozen=True)
class HttpAnswer:
    """One call: wall seconds, status, and how many matches came back."""

    seconds: float
    status: int
    matches: int


class HttpClient:
    """A keep-alive client that posts vraagObjects to one source."""

    def __init__(self, base_url: str, kind: Kind, *, timeout: float = 60.0) -> None:
        self.kind = kind
        # TCP_NODELAY: httpx writes the headers and the body separately; with Nagle's algorithm
        # the body would wait for the server's delayed ACK (~40 ms on Linux) on every call.
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        self._client = httpx.Client(
            base_url=base_url, headers=vum_headers(), timeout=timeout, transport=transport
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def ask(self, vraag: Mapping[str, Any]) -> HttpAnswer:
        started = time.perf_counter()
        response = self._client.post(matches_path(self.kind), json={"vraagObject": vraag})
        seconds = time.perf_counter() - started
        matches = -1
        if response.status_code == 200:
            matches = len(response.json().get("matches", []))
        return HttpAnswer(seconds, response.status_code, matches)
