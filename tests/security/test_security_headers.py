# SPDX-License-Identifier: EUPL-1.2
"""The security headers on the answers the matrix does not produce: 404, 405, 429, 500s, TLS, and the served processes.

The authorisation matrix checks them on every route as every caller (test_authz_matrix.py);
this adds unknown paths and methods, the facility's fail-closed 500.1, an unhandled error's
plain 500, HSTS over TLS only, and `vum serve source` / `vum serve facility` as real processes
(no server banner).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from tests.api.http import free_port
from tests.facility.test_api import asgi_call, make_app, vum_headers
from tests.security.checks import assert_security_headers
from tests.security.tally import count
from tests.security.tls import mtls_facility, post_with_cert
from tests.security.world import PARTY_A, PARTY_B, QUERY, World
from vum.standard import Kind
from vum.webapp import VumApp

W = Kind.WERKZOEKENDE


@pytest.mark.parametrize("app", ["source", "facility"])
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/api/v3/onbekend", 404),
        ("GET", "/admin/v1/onbekend", 404),
        ("GET", "/../../etc/passwd", 404),
        ("DELETE", "/api/v3/werkzoekendeProfielen/matches", 405),
        ("PUT", "/health", 405),
        ("TRACE", "/api/v3/vacatures/matches", 405),
    ],
)
def test_unknown_paths_and_methods(
    world: World, app: str, method: str, path: str, status: int
) -> None:
    base = world.source_url if app == "source" else world.facility_url
    response = world.http.request(method, f"{base}{path}")
    count("security headers: unknown paths and methods (x2 apps)")
    assert response.status_code == status
    assert_security_headers(response)


def test_the_detail_limits_429_carries_them(world: World) -> None:
    matches = world.query(W)["matches"]
    for _ in range(10):
        world.detail(W, matches[0]["vumID"])
    response = world.detail(W, matches[0]["vumID"])
    assert response.status_code == 429
    assert_security_headers(response)
    count("security headers: 429")


class _BrokenAudit:
    def record(self, event: dict[str, object]) -> None:
        raise OSError("audit store gone")


def test_the_facilitys_fail_closed_500_carries_them() -> None:
    app = make_app([], audit=_BrokenAudit())
    response = asgi_call(
        app, "POST", f"/api/v3/{W.resource}/matches", vum_headers(), {"vraagObject": QUERY}
    )
    assert response.status_code == 500 and response.json()["code"] == "500.1"
    assert_security_headers(response)
    count("security headers: 500s")


def test_an_unhandled_errors_plain_500_carries_them() -> None:
    """Outside every router's own error handling: the server's own 500 answer."""
    app = VumApp()

    @app.get("/stuk")
    async def broken() -> None:
        raise RuntimeError("boom")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/stuk")

    response = anyio.run(call)
    assert response.status_code == 500
    assert_security_headers(response)
    count("security headers: 500s")


def test_hsts_only_over_tls(world: World) -> None:
    """Over TLS the facility says so (HSTS); over plain HTTP it must not (RFC 6797)."""
    assert_security_headers(world.http.get(f"{world.facility_url}/health"))
    with mtls_facility(world) as url:
        ok = post_with_cert(world, url, PARTY_A, PARTY_A, PARTY_A)
        refused = post_with_cert(world, url, PARTY_A, PARTY_A, PARTY_B)
        with httpx.Client(verify=world.pki.client_context(*world.pki.client(PARTY_A))) as c:
            missing = c.get(f"{url}/nergens")
    assert (ok.status_code, refused.status_code, missing.status_code) == (200, 401, 404)
    for response in (ok, refused, missing):
        assert_security_headers(response, tls=True)
    count("security headers: answers over TLS", 3)


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`vum serve source` and `vum serve facility --dev-header-trust` as their own processes."""
    directory = Path(tmp_path_factory.mktemp("served"))
    ports = {"source": free_port(), "facility": free_port()}
    commands = {
        "source": ["-m", "vum.cli", "serve", "source", "--db", str(directory / "bron.db")],
        "facility": ["-m", "vum.cli", "serve", "facility", "--dev-header-trust"],
    }
    started: dict[str, subprocess.Popen[bytes]] = {}
    log = (directory / "serve.log").open("wb")  # a file, not a pipe nobody reads
    try:
        for name, args in commands.items():
            started[name] = subprocess.Popen(
                [sys.executable, *args, "--port", str(ports[name]), "--log-level", "info"],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=directory,
            )
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, process in started.items():
            _wait_up(process, urls[name], directory / "serve.log")
        yield {**urls, "log": str(directory / "serve.log")}
    finally:
        for process in started.values():
            process.terminate()
        for process in started.values():
            process.wait(timeout=15)
        log.close()


def _wait_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Until /health answers (a facility without sources is never ready, but it lives)."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not come up"
        time.sleep(0.1)


@pytest.mark.parametrize("name", ["source", "facility"])
@pytest.mark.parametrize("path", ["/health", "/ready", "/nergens", "/api/v3/vacatures/matches"])
def test_the_served_processes_send_them_and_no_server_banner(
    processes: dict[str, str], name: str, path: str
) -> None:
    method = "POST" if path.endswith("/matches") else "GET"
    response = httpx.request(method, f"{processes[name]}{path}", json={}, timeout=10)
    count("security headers: answers of `vum serve` processes")
    assert "server" not in response.headers, response.headers.get("server")
    assert_security_headers(response)


def test_the_served_processes_log_no_record_ids_or_vumids(processes: dict[str, str]) -> None:
    """A detail path holds a record id or a vumID (pseudonyms of a person): never in a log."""
    marker = "geheim-id-4711"
    for name, resource in (("source", "werkzoekendeProfielen"), ("facility", "vacatures")):
        httpx.get(f"{processes[name]}/api/v3/{resource}/{marker}", timeout=10)
    time.sleep(0.5)  # let both processes write what they write
    count("logging: detail paths kept out of the logs", 2)
    assert marker not in Path(processes["log"]).read_text(errors="replace")
