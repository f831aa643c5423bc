# SPDX-License-Identifier: EUPL-1.2
"""HTTP helpers for the API tests: an in-process ASGI client and a real uvicorn server on loopback."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import uvicorn
from fastapi import FastAPI

from vum import KOPPELVLAK_VERSION

ASKER = "00000001003214345000"  # X-VUM-fromParty: the mediator's organisation
SOURCE = "00000001001234567000"  # X-VUM-toParty: the hosted party whose data is asked
OTHER_SOURCE = "00000001007654321000"
FACILITY = "00000001800866472000"  # X-VUM-viaParty: the exchange facility


def wait_ready(process: subprocess.Popen[bytes], url: str, timeout_s: float = 60) -> None:
    """Wait until a server started as ``process`` answers ``GET url/ready`` with 200.

    Fails with the process's output when it exits first, or when it is not ready in time.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not become ready"
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server process as its supervisor would (SIGTERM), killing it after 20 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    if process.stdout:
        process.stdout.close()


def vum_headers(**overrides: str | None) -> dict[str, str]:
    """The six required headers of a facility -> source call; ``None`` leaves one out."""
    headers: dict[str, str | None] = {
        "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
        "API-Version": KOPPELVLAK_VERSION,
        "X-VUM-fromParty": ASKER,
        "X-VUM-toParty": SOURCE,
        "X-VUM-viaParty": FACILITY,
        "X-VUM-SUWIparty": "true",
    }
    for name, value in overrides.items():
        headers[name.replace("_", "-")] = value
    return {k: v for k, v in headers.items() if v is not None}


class AsgiClient:
    """A synchronous client that calls an ASGI app in process (no sockets, no lifespan)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://source.test") as c:
                return await c.request(method, url, **kwargs)

        return anyio.run(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(app: FastAPI, *, ready_path: str | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a background thread; yield its URL."""
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets; without it small answers
    # wait ~40 ms for a delayed ACK (Nagle), which is not what production (uvicorn binds) does.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        if ready_path is not None:
            while httpx.get(url + ready_path).status_code != 200:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{ready_path} never answered 200")
                time.sleep(0.02)
        yield url
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
