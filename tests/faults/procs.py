# SPDX-License-Identifier: EUPL-1.2
"""Helpers for the fault and crash suites: facility and source processes, faulty servers, readings."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.facility.servers import free_port
from vum.facility.vumid import VumIdCodec, new_key
from vum.matching import build_engine
from vum.standard import Kind, parse_query

FACILITY = "00000001000000000099"
MEDIATOR = "00000001111111111111"
PROFILES = "/api/v3/werkzoekendeProfielen"
#: every generated profile lies within 999 km of Utrecht: every record of a source matches
QUERY: dict[str, Any] = {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}
SIGNED = "2025-01-01"


def child_env(**extra: str) -> dict[str, str]:
    """A small, explicit environment for a child process (``PYTHONPATH`` passes through)."""
    env = {"PATH": "/usr/bin:/bin", **extra}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def mediator_headers(**extra: str) -> dict[str, str]:
    """The headers of a mediator's call to the facility (development header trust)."""
    return {
        "X-VUM-berichtVersie": "3.0.0",
        "API-Version": "3.0.0",
        "X-VUM-fromParty": MEDIATOR,
        "X-VUM-toParty": FACILITY,
        "X-VUM-viaParty": MEDIATOR,
        **extra,
    }


def matching_ids(records: Sequence[dict[str, Any]], query: dict[str, Any] = QUERY) -> set[str]:
    """The ids of ``records`` a source answers ``query`` with (its own engine decides)."""
    engine = build_engine(Kind.WERKZOEKENDE, list(records))
    return {h.record_id for h in engine.search(parse_query(Kind.WERKZOEKENDE, query)).hits}


# --- the facility as its own process ---------------------------------------------------------


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` entry (and its ``[[parties]]`` entry) of the facility's config."""

    oin: str
    name: str
    url: str
    timeout_s: float | None = None


def facility_toml(
    sources: Sequence[SourceConfig], *, source_timeout_s: float, deadline_s: float
) -> str:
    """A facility config: the mediator and every source signed; a breaker that never trips."""
    parts = [
        f"""
[facility]
oin = "{FACILITY}"
source_timeout_s = {source_timeout_s}
deadline_s = {deadline_s}
# Every query meets every fault here: no source may be skipped as suspended.
breaker_failures = 1000000

[[parties]]
oin = "{MEDIATOR}"
name = "Gemeente Utrecht"
roles = ["bemiddelaar"]
agreement_signed = {SIGNED}
"""
    ]
    for s in sources:
        timeout = f"timeout = {s.timeout_s}\n" if s.timeout_s is not None else ""
        parts.append(
            f"""
[[parties]]
oin = "{s.oin}"
name = "{s.name}"
agreement_signed = {SIGNED}

[[sources]]
oin = "{s.oin}"
name = "{s.name}"
url = "{s.url}"
kinds = ["werkzoekende"]
{timeout}"""
        )
    return "".join(parts)


@dataclass
class FacilityProcess:
    """``vum serve facility --db ... --dev-header-trust`` run as a child process."""

    db: Path
    config: Path
    log: Path
    key: bytes = field(default_factory=new_key)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def codec(self) -> VumIdCodec:
        """Opens the vumIDs this facility issues (the test holds its key)."""
        return VumIdCodec({"k1": self.key}, "k1")

    def start(self, timeout_s: float = 60) -> None:
        """Start on the same store, port and keys as before (a restart after a kill)."""
        assert self.process is None or self.process.poll() is not None
        command = [
            sys.executable, "-m", "vum.cli", "serve", "facility", "--port", str(self.port),
            "--config", str(self.config), "--db", str(self.db), "--dev-header-trust",
            "--log-level", "warning",
        ]  # fmt: skip
        env = child_env(VUM_VUMID_KEYS=f"k1:{base64.b64encode(self.key).decode()}")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        wait_ready(self.process, self.url, self.log, timeout_s)

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, no cleanup."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        """SIGTERM, then wait (kill if it does not stop)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def facility_process(
    directory: Path,
    sources: Sequence[SourceConfig],
    *,
    source_timeout_s: float,
    deadline_s: float,
) -> Iterator[FacilityProcess]:
    """A started facility over ``sources`` with its store in ``directory``; stopped after."""
    config = directory / "facility.toml"
    config.write_text(
        facility_toml(sources, source_timeout_s=source_timeout_s, deadline_s=deadline_s)
    )
    facility = FacilityProcess(directory / "vum.db", config, directory / "facility.log")
    try:
        facility.start()
        yield facility
    finally:
        facility.stop()


def wait_ready(
    process: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float = 60
) -> None:
    """Until ``GET url/ready`` answers 200; fails with the process's log when it exits first."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} not ready: {log.read_text(errors='replace')}"
        time.sleep(0.1)


def run_vum(*args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    """The ``vum`` command line as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "vum.cli", *args],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its child processes (workers), in kB."""
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def metric_samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus text as ``{(sample name, labels): value}``."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


# --- sources that misbehave ------------------------------------------------------------------


_HALF_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    b'{"maximumAantalResultatenBereikt": false, "matches": [{"idWerkzoekende": "x", '
)


class ResetServer:
    """A raw TCP "source" that resets every connection (SO_LINGER 0: RST, not FIN).

    ``half=False`` resets once the request has arrived; ``half=True`` first sends the status
    line, headers and the start of a body that never ends.
    """

    def __init__(self, *, half: bool) -> None:
        self.half = half
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/v3"

    def __enter__(self) -> ResetServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                self.connections += 1
                conn.settimeout(2)
                received = b""
                try:
                    while b"\r\n\r\n" not in received:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        received += chunk
                    if self.half:
                        conn.sendall(_HALF_ANSWER)
                        time.sleep(0.05)
                except OSError:
                    pass
                # Close with linger 0: the kernel answers with RST and drops what is unsent.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def mixed_app(records: Sequence[dict[str, Any]]) -> tuple[FastAPI, set[str], int]:
    """A source whose answers hold its valid summaries and schema-invalid ones among them.

    Returns the app, the ids of the valid summaries and the number of invalid records.
    """
    engine = build_engine(Kind.WERKZOEKENDE, list(records))
    hits = engine.search(parse_query(Kind.WERKZOEKENDE, QUERY)).hits
    valid = [dict(h.summary) for h in hits]
    assert len(valid) >= 4
    template = valid[0]
    invalid: list[Any] = [
        {**template, "idWerkzoekende": "bad-unknown-member", "onbekendVeld": 1},
        {
            **template,
            "idWerkzoekende": "bad-postcode",
            "mobiliteit": {**template["mobiliteit"], "bemiddelingspostcode": "12345"},
        },
        {
            **template,
            "idWerkzoekende": "bad-type",
            "mobiliteit": {**template["mobiliteit"], "maximaleReisafstand": "ver"},
        },
        {k: v for k, v in template.items() if k != "mobiliteit"} | {"idWerkzoekende": "bad-no"},
        42,
        "geen record",
    ]
    # Invalid records before, between and after the valid ones.
    answer = [invalid[0], *valid[:2], *invalid[1:4], *valid[2:], *invalid[4:]]
    app = FastAPI()

    @app.post(f"/api/v3/{Kind.WERKZOEKENDE.resource}/matches")
    async def matches() -> Response:
        return JSONResponse({"maximumAantalResultatenBereikt": False, "matches": answer})

    return app, {str(v["idWerkzoekende"]) for v in valid}, len(invalid)


_HUGE_CHUNK = b'{"x": 1},' * (1024 * 1024 // 9)
HUGE_BYTES = 50 * 1024 * 1024


def huge_app(*, declared: bool) -> FastAPI:
    """A source that answers with a 50 MB body, streamed from one reused chunk.

    ``declared``: with a ``Content-Length`` (refusable unread); else chunked, so only counting
    the bytes while reading finds out.
    """
    app = FastAPI()
    head = b'{"maximumAantalResultatenBereikt": false, "matches": ['
    tail = b"{}]}"
    count = (HUGE_BYTES - len(head) - len(tail)) // len(_HUGE_CHUNK)
    total = len(head) + count * len(_HUGE_CHUNK) + len(tail)

    @app.post(f"/api/v3/{Kind.WERKZOEKENDE.resource}/matches")
    async def matches() -> Response:
        async def body() -> Any:
            yield head
            for _ in range(count):
                yield _HUGE_CHUNK
                await asyncio.sleep(0)
            yield tail

        headers = {"Content-Length": str(total)} if declared else None
        return StreamingResponse(body(), media_type="application/json", headers=headers)

    return app


def drip_app(interval_s: float) -> FastAPI:
    """A source that answers 200 at once, then one byte of body every ``interval_s``, forever.

    Faster than any idle or read timeout: only a limit on the whole answer ends it.
    """
    app = FastAPI()

    @app.post(f"/api/v3/{Kind.WERKZOEKENDE.resource}/matches")
    async def matches() -> Response:
        async def body() -> Any:
            yield b'{"maximumAantalResultatenBereikt": false, "matches": ['
            while True:
                await asyncio.sleep(interval_s)
                yield b" "

        return StreamingResponse(body(), media_type="application/json")

    return app


@dataclass
class Control:
    """Delays and arrivals of a controlled source, set and read by the test thread."""

    delay_s: dict[str, float] = field(default_factory=lambda: {"matches": 0.0, "detail": 0.0})
    arrived: dict[str, int] = field(default_factory=lambda: {"matches": 0, "detail": 0})


def controlled_app(records: Sequence[dict[str, Any]]) -> tuple[FastAPI, Control]:
    """A well-behaved source whose answers the test can hold up (``control.delay_s``)."""
    kind = Kind.WERKZOEKENDE
    engine = build_engine(kind, list(records))
    control = Control()
    app = FastAPI()

    @app.post(f"/api/v3/{kind.resource}/matches")
    async def matches(request: Request) -> Response:
        control.arrived["matches"] += 1
        body = await request.json()
        await asyncio.sleep(control.delay_s["matches"])
        result = engine.search(parse_query(kind, body["vraagObject"]))
        return JSONResponse(
            {
                "maximumAantalResultatenBereikt": result.more,
                "matches": [dict(h.summary) for h in result.hits],
            }
        )

    @app.get(f"/api/v3/{kind.resource}/{{record_id}}")
    async def detail(record_id: str) -> Response:
        control.arrived["detail"] += 1
        await asyncio.sleep(control.delay_s["detail"])
        record = engine.detail(record_id)
        if record is None:
            return JSONResponse({"code": "400.01", "message": "onbekend"}, status_code=400)
        return JSONResponse(dict(record))

    return app, control
