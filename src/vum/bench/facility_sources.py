# SPDX-License-Identifier: EUPL-1.2
"""Simulated VUM-Bron sources for `vum bench facility`: canned answers after a fixed delay, in a child process.

Each source is a bare asyncio HTTP/1.1 server on its own loopback port that answers
``POST /api/v3/<resource>/matches`` with a pre-serialised contract answer
(``{"maximumAantalResultatenBereikt", "matches"}``) exactly ``delay`` seconds after the request
arrived. No framework, no parsing of the query: the sources should cost almost nothing, so the
CPU on the machine goes to the facility under test. All sources share one event loop in one
process; the process records how late every answer left (its own measure of the intended delay).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, cast

from vum.standard.kinds import Kind

#: the fastest and the slowest source (seconds): spread evenly in between
FASTEST_S = 0.005
SLOWEST_S = 0.300
#: a request head larger than this is refused: the facility sends a few hundred bytes
_MAX_HEAD = 64 * 1024
_MAX_BODY = 1 << 20


def source_delays(
    count: int, fastest_s: float = FASTEST_S, slowest_s: float = SLOWEST_S
) -> list[float]:
    """``count`` delays spread evenly from ``fastest_s`` to ``slowest_s`` (one source: the slowest)."""
    if count == 1:
        return [slowest_s]
    step = (slowest_s - fastest_s) / (count - 1)
    return [fastest_s + i * step for i in range(count)]


def source_oin(index: int) -> str:
    """The 20-digit OIN of simulated source ``index``."""
    return f"00000003{index:012d}"


def canned_summaries(kind: Kind, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` valid summaries (wire JSON) of realistic synthetic records, made as a source makes them."""
    from vum.standard.summary import summary_of
    from vum.standard.vacature import Vacature
    from vum.standard.werkzoekende import Werkzoekende
    from vum.synthetic import generate

    out: list[dict[str, Any]] = []
    for record in generate(kind, count, seed=seed):
        model = Werkzoekende if kind is Kind.WERKZOEKENDE else Vacature
        # summary_of strips the detail-only members and validates the summary model.
        out.append(summary_of(model.model_validate(record)).to_wire())
    return out


def answer_body(summaries: Sequence[dict[str, Any]]) -> bytes:
    """A VUM-Bron matches answer with ``summaries``, serialised once."""
    envelope = {"maximumAantalResultatenBereikt": False, "matches": list(summaries)}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class CannedSource:
    """One simulated source: where it answers, after how long, with what."""

    index: int
    delay_s: float
    body: bytes
    path: str


@dataclass
class SourceStats:
    """How one source behaved: answers sent and how late they left (ms past the intended delay)."""

    index: int
    delay_ms: float
    answers: int = 0
    refused: int = 0
    late_ms: list[float] = field(default_factory=list)


def _response(status: str, body: bytes, *, close: bool = False) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n" + ("connection: close\r\n" if close else "") + "\r\n"
    )
    return head.encode("ascii") + body


class _SourceProtocol(asyncio.Protocol):
    """One connection to a source: requests in order, each answered after the source's delay."""

    def __init__(self, source: CannedSource, answer: bytes, stats: SourceStats) -> None:
        self.source = source
        self.answer = answer
        self.stats = stats
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.busy = False  # HTTP/1.1 without pipelining: one request at a time per connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def _refuse(self, status: str) -> None:
        self.stats.refused += 1
        if self.transport is not None:
            self.transport.write(_response(status, b'{"code":"400.01"}', close=True))
            self.transport.close()

    def _next(self) -> None:
        if self.busy or self.transport is None:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > _MAX_HEAD:
                self._refuse("431 Request Header Fields Too Large")
            return
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if len(parts) != 3 or "transfer-encoding" in headers:
            self._refuse("400 Bad Request")
            return
        length_text = headers.get("content-length", "0")
        length = int(length_text) if length_text.isdigit() else -1
        if not 0 <= length <= _MAX_BODY:
            self._refuse("400 Bad Request")
            return
        if len(self.buffer) < end + 4 + length:
            return  # the body is still on its way
        del self.buffer[: end + 4 + length]
        method, path = parts[0], parts[1]
        close = headers.get("connection", "").lower() == "close"
        if method != "POST" or path != self.source.path:
            self.stats.refused += 1
            self.transport.write(_response("404 Not Found", b'{"code":"404"}', close=close))
            if close:
                self.transport.close()
            else:
                self._next()
            return
        self.busy = True
        arrived = time.perf_counter()
        asyncio.get_running_loop().call_later(self.source.delay_s, self._answer, arrived, close)

    def _answer(self, arrived: float, close: bool) -> None:
        self.busy = False
        if self.transport is None or self.transport.is_closing():
            return  # the facility gave up (timeout) and closed the connection
        self.stats.late_ms.append((time.perf_counter() - arrived - self.source.delay_s) * 1000)
        self.stats.answers += 1
        self.transport.write(self.answer)
        if close:
            self.transport.close()
        else:
            self._next()


def command_queue(conn: Connection) -> asyncio.Queue[Any]:
    """Commands from the benchmark, read by a thread of their own.

    Not ``run_in_executor``: a ``recv`` that blocks for the whole run would hold one of the
    default executor's workers, which the facility needs for validation and merging.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()

    def read() -> None:
        while True:
            try:
                command = conn.recv()
            except (EOFError, OSError):  # the benchmark is gone: stop
                command = "stop"
            loop.call_soon_threadsafe(queue.put_nowait, command)
            if command == "stop":
                return

    threading.Thread(target=read, daemon=True, name="vum-bench-commands").start()
    return queue


async def _serve(sources: Sequence[CannedSource], conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    stats = [SourceStats(s.index, s.delay_s * 1000) for s in sources]
    servers = []
    for source, stat in zip(sources, stats, strict=True):
        answer = _response("200 OK", source.body)
        server = await loop.create_server(
            partial(_SourceProtocol, source, answer, stat), "127.0.0.1", 0, backlog=1024
        )
        servers.append(server)
    conn.send([server.sockets[0].getsockname()[1] for server in servers])
    commands = command_queue(conn)
    try:
        while True:
            command = await commands.get()
            if command == "reset":
                for stat in stats:
                    stat.answers, stat.refused, stat.late_ms = 0, 0, []
                conn.send("ok")
            elif command == "stats":
                conn.send([asdict(stat) for stat in stats])
            else:
                return
    finally:
        for server in servers:
            server.close()
        for server in servers:
            await server.wait_closed()


def run_sources(sources: Sequence[CannedSource], conn: Connection) -> None:
    """The child process: serve ``sources``, send their ports, obey ``reset``/``stats``/``stop``."""
    from vum.runtime import run

    run(_serve(sources, conn))
