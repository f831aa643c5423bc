# SPDX-License-Identifier: EUPL-1.2
"""/health answers at once; /ready says 503 until every listed dataset has its engine."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from tests.api.http import AsgiClient, live_server
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.standard import Kind


class _SlowBackend(MemoryBackend):
    """Warming up waits for ``release`` (datasets that take long to load)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def warm(self) -> int:
        self.release.wait(10)
        return super().warm()


class _BrokenWarmUp(MemoryBackend):
    def warm(self) -> int:
        raise RuntimeError("dataset 3 is kapot")


def test_health_and_ready_without_warm_up(client: AsgiClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").status_code == 200


def test_ready_waits_for_the_datasets(dataset: dict[Kind, list[dict[str, Any]]]) -> None:
    backend = _SlowBackend()
    backend.load("00000001001234567000", Kind.VACATURE, dataset[Kind.VACATURE][:10])
    backend.load("00000001001234567000", Kind.WERKZOEKENDE, dataset[Kind.WERKZOEKENDE][:10])
    with live_server(create_source_app(backend, settings=SourceSettings())) as url:
        assert httpx.get(url + "/health").json() == {"status": "ok"}
        loading = httpx.get(url + "/ready")
        assert loading.status_code == 503
        assert loading.json()["status"] == "loading"
        backend.release.set()
        deadline = time.monotonic() + 10
        while (ready := httpx.get(url + "/ready")).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert ready.json()["status"] == "ready"
        assert ready.json()["datasets"] == 2
        assert ready.json()["error"] is None


def test_failed_warm_up_still_serves_and_says_so() -> None:
    with live_server(create_source_app(_BrokenWarmUp(), settings=SourceSettings())) as url:
        deadline = time.monotonic() + 10
        while (ready := httpx.get(url + "/ready")).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert ready.json()["status"] == "degraded"
        assert "kapot" in ready.json()["error"]


def test_metrics_for_prometheus(client: AsgiClient) -> None:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert "process_resident_memory_bytes" in answer.text
