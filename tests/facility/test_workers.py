# SPDX-License-Identifier: EUPL-1.2
"""`vum serve facility --workers 2 --db`: two processes on one socket keep the limits exact."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.api.http import stop, wait_ready
from tests.conftest import ROOT
from tests.facility.servers import free_port, serve, source_app
from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, vum_headers
from vum.facility.serve import app as serve_app
from vum.facility.vumid import new_key
from vum.standard import Kind
from vum.synthetic import generate

FACILITY = "00000001000000000099"
SOURCE = "00000001000000000001"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextmanager
def facility_workers(
    tmp_path: Path, source_url: str, workers: int, pids: list[int], db: str
) -> Iterator[str]:
    config = tmp_path / "facility.toml"
    config.write_text(
        f"""
[facility]
oin = "{FACILITY}"

[[parties]]
oin = "{MEDIATOR}"
name = "Gemeente Utrecht"
roles = ["bemiddelaar"]
agreement_signed = 2025-01-01

[[parties]]
oin = "{SOURCE}"
name = "UWV"
agreement_signed = 2025-01-01

[[sources]]
oin = "{SOURCE}"
name = "UWV"
url = "{source_url}"
kinds = ["werkzoekende"]
"""
    )
    port = free_port()
    key = base64.b64encode(new_key()).decode()
    command = [
        sys.executable, "-m", "vum.cli", "serve", "facility", "--port", str(port),
        "--config", str(config), "--db", db, "--dev-header-trust",
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "VUM_VUMID_KEYS": f"k1:{key}"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url)
        pids.extend(_children(process.pid))
        assert len(pids) == workers
        yield url
    finally:
        stop(process)


def test_more_than_one_worker_needs_the_store() -> None:
    result = CliRunner().invoke(serve_app, ["facility", "--dev-header-trust", "--workers", "2"])
    assert result.exit_code != 0
    assert "--db" in result.output


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The shared store of the workers: an SQLite file, or a schema on a real PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "vum.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_two_workers_share_result_sets_and_the_detail_limit(tmp_path: Path, db: str) -> None:
    records = list(generate(Kind.WERKZOEKENDE, 80, seed=11))
    pids: list[int] = []
    with (
        serve(source_app(Kind.WERKZOEKENDE, records)) as source_url,
        facility_workers(tmp_path, source_url, 2, pids, db) as url,
    ):
        headers = {**vum_headers(), "X-VUM-toParty": FACILITY}
        body = {"vraagObject": {**QUERY, "selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
        answered = httpx.post(f"{url}{PROFILES}/matches", json=body, headers=headers, timeout=30)
        assert answered.status_code == 200, answered.text
        vum_ids = [m["vumID"] for m in answered.json()["matches"]]
        assert len(vum_ids) >= 30

        def detail(vum_id: str) -> int:
            # A fresh connection per request: the kernel hands them to either worker.
            with httpx.Client(headers=headers, timeout=30) as client:
                return client.get(f"{url}{PROFILES}/{vum_id}").status_code

        # 30 detail requests for one query at once, spread over both workers: the shared
        # counter lets exactly 10 through.
        with ThreadPoolExecutor(max_workers=15) as pool:
            statuses = Counter(pool.map(detail, vum_ids[:30]))
        assert statuses == Counter({200: 10, 429: 20})
    # SIGTERM to the parent stops both workers.
    assert pids and not any(Path(f"/proc/{pid}").exists() for pid in pids)


def test_a_failing_source_is_suspended_for_every_worker(tmp_path: Path, db: str) -> None:
    pids: list[int] = []
    with (
        serve(source_app(Kind.WERKZOEKENDE, [], behaviour="error500")) as source_url,
        facility_workers(tmp_path, source_url, 2, pids, db) as url,
    ):
        headers = {**vum_headers(), "X-VUM-toParty": FACILITY, "X-OpenVUM-Explain": "bronnen"}

        def status() -> str:
            # A fresh connection per query: the kernel hands them to either worker.
            with httpx.Client(headers=headers, timeout=30) as client:
                answer = client.post(f"{url}{PROFILES}/matches", json={"vraagObject": QUERY})
                assert answer.status_code == 200, answer.text
                (report,) = answer.json()["x-openvum-bronnen"]
                return str(report["status"])

        # Three failures, wherever they land, open the breaker (threshold 3) ...
        assert [status() for _ in range(3)] == ["failed"] * 3
        time.sleep(1.2)  # ... and every worker reads the shared state within a second.
        # ... so no worker asks the source again during the back-off. With a breaker per
        # process, the worker that saw fewer than three failures would still ask it.
        assert [status() for _ in range(10)] == ["suspended"] * 10
