# SPDX-License-Identifier: EUPL-1.2
"""`vum bench facility`: concurrent mediators through the facility's API, fanned out to slow simulated sources.

Three processes on loopback: the simulated sources (``vum.bench.facility_sources``), the facility
(``create_facility_app`` under uvicorn) and this one, whose asyncio tasks are the mediators. Each
mediator sends realistic queries over its own keep-alive connection for a fixed time; the
facility's overhead per query is its end-to-end time minus the time of the slowest source, as
the facility itself measured it (``x-openvum-bronnen``, asked for with ``X-OpenVUM-Explain: bronnen``).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import datetime as dt
import gc
import json
import logging
import math
import multiprocessing
import os
import socket
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, ClassVar

from pydantic_core import from_json

from vum import KOPPELVLAK_VERSION
from vum.bench.facility_sources import (
    CannedSource,
    answer_body,
    canned_summaries,
    command_queue,
    run_sources,
    source_delays,
    source_oin,
)
from vum.bench.measure import Latency, percentile
from vum.bench.mix import CENTRES, frequent_occupations
from vum.facility.client import SourceCallError, SourceClient
from vum.facility.service import ResultSet
from vum.standard.kinds import Kind
from vum.standard.query import parse_query

Progress = Callable[[str], None]

#: the facility's own overhead over the slowest source that the pilots' 10 s leaves room for
OVERHEAD_TARGET_MS = 50.0
#: the facility's OIN (X-VUM-toParty); the mediators are registered parties with an agreement
FACILITY_OIN = "00000001000000000000"
KIND = Kind.WERKZOEKENDE
RADII_KM = (5, 10, 25, 50, 100)
#: result sets the benchmark's facility keeps (see :class:`RecentResultSets`)
KEEP_RESULT_SETS = 10
#: a mediator waits this long for an answer: the facility's 10 s deadline plus its own queue
CLIENT_TIMEOUT_S = 60.0
#: The largest answer a mediator reads (100 results from each of 30 sources is about 5 MB).
MAX_ANSWER_BYTES = 256 * 1024 * 1024
_BRONNEN = b',"x-openvum-bronnen":'
_CHILD_START_S = 60.0


def mediator_oin(index: int) -> str:
    return f"00000002{index:012d}"


@dataclass(frozen=True)
class FacilityBenchConfig:
    """What `vum bench facility` runs: one row per entry of ``results_per_source``."""

    sources: int = 30
    mediators: int = 20
    seconds: float = 30.0
    results_per_source: tuple[int, ...] = (10, 100)
    seed: int = 1
    #: ask for the ranking's explanations too (``X-OpenVUM-Explain: volledig``), as the portal does
    explain: bool = False
    #: facility worker processes on one port (SO_REUSEPORT), as `vum serve facility --workers`
    workers: int = 1
    #: False: a circuit breaker that never opens, to see the facility's latency under overload
    #: without the suspensions that follow from it
    breaker: bool = True
    #: write a cProfile of the facility's event loop thread per row (``<stem>-<n>.pstats``)
    profile: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the queries ------------------------------------------------------------------------------


def mediator_queries(summaries: Sequence[dict[str, Any]], count: int = 60) -> list[dict[str, Any]]:
    """``count`` vraagObjects as mediators ask them: 20 centres, radii 5–100 km, and in three of
    four also occupations (the data's most frequent), a licence or working hours."""
    pool = frequent_occupations(KIND, summaries, limit=30) or [
        "https://data.openvum.nl/id/beroep/mechanisch-monteur"
    ]
    queries: list[dict[str, Any]] = []
    for k in range(count):
        query: dict[str, Any] = {
            "selectiegebied": {
                "postcode": CENTRES[k % len(CENTRES)],
                "afstand": RADII_KM[(k // 2) % len(RADII_KM)],
            }
        }
        occupations = [pool[(3 * k + j) % len(pool)] for j in range(3 if k % 4 == 2 else 1)]
        beroepen = {
            "$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": u}} for u in occupations]}
        }
        if k % 4 in (1, 2, 3):
            query["bemiddelingsberoep"] = beroepen
        if k % 4 == 2:
            query["arbeidsmarktkwalificatie.rijbewijs"] = {
                "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}]
            }
        if k % 4 == 3:
            query["werktijden.aantalWerkurenPerWeekMaximaal"] = {"$gte": 24}
            query["werktijden.aantalWerkurenPerWeekMinimaal"] = {"$lte": 32}
        parse_query(KIND, query)  # fail here, not as 400s during the run
        queries.append(query)
    return queries


# --- the facility process -----------------------------------------------------------------------


@dataclass
class PhaseTimers:
    """Where the facility's time goes, gathered inside its process (cheap: two clock reads a call).

    ``validate``: one source's answer checked record by record (``fanout.validate_answer``);
    ``prepare``: one source's summaries given vumIDs, written as JSON and read for ranking
    (placement, completeness; ``Facility._prepare``), both as each source answers; ``merge``:
    ranking all summaries (``Facility._merge``);
    ``serialise``: the answer's JSON joined from those pieces (``QueryAnswer.to_json``).
    CPU is the calling thread's own CPU time, so wall minus CPU is time spent waiting for the GIL.
    Besides: the event loop thread's CPU time (everything not in a worker thread), the garbage
    collector's passes by generation, and how late the event loop wakes from a 10 ms sleep.
    """

    calls: Counter[str] = field(default_factory=Counter)
    wall_s: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    loop_lag_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: the event loop thread's CPU time when the window began (reset runs on that thread)
    loop_cpu_start_s: float = 0.0
    #: garbage collections by generation: how many, and their seconds (already inside the above)
    gc_runs: list[int] = field(default_factory=lambda: [0, 0, 0])
    gc_s: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    _gc_started: float = 0.0

    def add(self, name: str, wall_s: float, cpu_s: float) -> None:
        with self.lock:
            self.calls[name] += 1
            self.wall_s[name] = self.wall_s.get(name, 0.0) + wall_s
            self.cpu_s[name] = self.cpu_s.get(name, 0.0) + cpu_s

    def reset(self) -> None:
        """Start the window; call on the event loop's thread."""
        with self.lock:
            self.calls.clear()
            self.wall_s.clear()
            self.cpu_s.clear()
            self.loop_lag_ms = []
            self.loop_cpu_start_s = time.thread_time()
            self.gc_runs, self.gc_s = [0, 0, 0], [0.0, 0.0, 0.0]

    def snapshot(self) -> dict[str, Any]:
        """The window so far; call on the event loop's thread."""
        with self.lock:
            lag = sorted(self.loop_lag_ms)
            return {
                # Everything that is not in a worker thread: HTTP both ways, routing, the API's
                # checks and audit, the fan-out's bookkeeping, serialising the answer.
                "loop_cpu_s": time.thread_time() - self.loop_cpu_start_s,
                "phases": {
                    name: {
                        "calls": self.calls[name],
                        "wall_s": self.wall_s[name],
                        "cpu_s": self.cpu_s[name],
                    }
                    for name in self.calls
                },
                "gc_runs": list(self.gc_runs),
                "gc_s": list(self.gc_s),
                "loop_lag_p50_ms": percentile(lag, 50) if lag else None,
                "loop_lag_p95_ms": percentile(lag, 95) if lag else None,
                "loop_lag_max_ms": lag[-1] if lag else None,
            }

    def timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - wall, time.thread_time() - cpu)

        return wrapper

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        # No lock: a collection runs with the GIL held, and may start inside ``add``.
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_runs[info["generation"]] += 1
            self.gc_s[info["generation"]] += time.perf_counter() - self._gc_started

    def install(self) -> None:
        """Wrap the four phases in this process only; the modules themselves are unchanged."""
        from vum.facility import fanout, service

        gc.callbacks.append(self._on_gc)
        # ask_source and answer_matches look these names up on every call.
        fanout.validate_answer = self.timed("validate", fanout.validate_answer)
        service.Facility._prepare = self.timed("prepare", service.Facility._prepare)  # type: ignore[method-assign]
        service.Facility._merge = self.timed("merge", service.Facility._merge)  # type: ignore[method-assign]
        service.QueryAnswer.to_json = self.timed("serialise", service.QueryAnswer.to_json)  # type: ignore[method-assign]


class RecentResultSets:
    """In-memory result sets that keep only the most recent ``keep``.

    ``InMemoryResultSets`` keeps every answer for the process's life (it is for tests and demos),
    so the heap would grow by every query's merged summaries, and the garbage collector's full
    passes over it would cost more the longer the benchmark runs: the figures would depend on
    ``--seconds``. A facility with the store keeps them in the database instead.
    """

    in_memory: ClassVar[bool] = True

    def __init__(self, keep: int = KEEP_RESULT_SETS) -> None:
        self.keep = keep
        self._sets: OrderedDict[str, ResultSet] = OrderedDict()

    def save(self, result_set: ResultSet) -> None:
        self._sets[result_set.vraag_id] = result_set
        while len(self._sets) > self.keep:
            self._sets.popitem(last=False)

    def get(self, vraag_id: str) -> ResultSet | None:
        return self._sets.get(vraag_id)

    def use_detail(self, vraag_id: str, limit: int) -> int | None:
        result_set = self._sets.get(vraag_id)
        if result_set is None or result_set.details_used >= limit:
            return None
        result_set.details_used += 1
        return result_set.details_used

    def purge(self, older_than: dt.datetime) -> int:
        old = [k for k, v in self._sets.items() if v.created_at < older_than]
        for key in old:
            del self._sets[key]
        return len(old)


def build_facility_app(
    source_urls: Sequence[str],
    mediators: Sequence[str],
    breaker: bool = True,
) -> Any:
    """The facility as a deployment without a store runs it: in-memory result sets and parties,
    development header-trust on loopback, an in-memory audit sink."""
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from fastapi import FastAPI

    from vum.facility.app import StaticDirectory, create_facility_app
    from vum.facility.breaker import CircuitBreaker
    from vum.facility.fanout import SourceEndpoint
    from vum.facility.identity import DevHeaderTrust, InMemoryPartyRegistry, PartyInfo
    from vum.facility.metrics import InMemoryAuditSink
    from vum.facility.service import Facility, FacilitySettings
    from vum.facility.vumid import VumIdCodec, new_key

    sources = [
        SourceEndpoint(source_oin(i), f"bron-{i}", url, frozenset({KIND}))
        for i, url in enumerate(source_urls)
    ]
    client = SourceClient()
    facility = Facility(
        FacilitySettings(facility_oin=FACILITY_OIN),
        StaticDirectory(sources),
        RecentResultSets(),
        VumIdCodec({"k1": new_key()}, "k1"),
        client,
        breaker=CircuitBreaker() if breaker else CircuitBreaker(threshold=2**62),
    )
    signed = dt.date(2025, 1, 1)
    registry = InMemoryPartyRegistry.of(
        PartyInfo(oin, f"Gemeente {i}", frozenset({"bemiddelaar"}), agreement_signed=signed)
        for i, oin in enumerate(mediators)
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return create_facility_app(
        facility, registry, InMemoryAuditSink(), DevHeaderTrust("127.0.0.1"), lifespan=lifespan
    )


async def _serve_facility(
    source_urls: Sequence[str],
    mediators: Sequence[str],
    port: int,
    breaker: bool,
    profile: str | None,
    conn: Connection,
    timers: PhaseTimers,
) -> None:
    import uvicorn

    app = build_facility_app(source_urls, mediators, breaker)
    # proto IPPROTO_TCP, as uvicorn's own bind makes it: asyncio sets TCP_NODELAY only on such
    # sockets, and without it small answers wait ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Several workers listen on one port; the kernel spreads the mediators' connections.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", backlog=1024)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            await serving
            raise RuntimeError("the facility did not start")
        await asyncio.sleep(0.01)

    async def watch_loop() -> None:
        # How late a 10 ms sleep wakes up: the time the event loop was blocked by CPU work.
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            timers.loop_lag_ms.append((time.perf_counter() - started - 0.01) * 1000)

    watcher = asyncio.create_task(watch_loop())
    conn.send(sock.getsockname()[1])
    commands = command_queue(conn)
    # cProfile sees only the thread that enables it: here the event loop's, which is what the
    # phase timers do not cover.
    profiler = cProfile.Profile() if profile else None
    try:
        while True:
            command = await commands.get()
            if command == "reset":
                timers.reset()
                if profiler is not None:
                    profiler.enable()
                conn.send("ok")
            elif command == "stats":
                if profiler is not None and profile:
                    profiler.disable()
                    profiler.dump_stats(profile)
                conn.send(timers.snapshot())
            else:
                break
    finally:
        watcher.cancel()
        server.should_exit = True
        await serving
        sock.close()


def run_facility(
    source_urls: Sequence[str],
    mediators: Sequence[str],
    port: int,
    breaker: bool,
    profile: str | None,
    conn: Connection,
) -> None:
    """The child process: the facility on a free loopback port (sent to the parent), until ``stop``."""
    # Development header-trust warns on every request (INSECURE): once is enough here, and
    # writing 20 lines a second to a terminal is not the facility's cost.
    logging.getLogger("vum.facility.identity").setLevel(logging.ERROR)
    from vum.runtime import run, tune_gc

    timers = PhaseTimers()
    timers.install()
    # As `vum serve facility` runs: uvloop, and the start-up heap frozen out of the collector's way.
    tune_gc()
    run(_serve_facility(source_urls, mediators, port, breaker, profile, conn, timers))


# --- child processes and what they cost ---------------------------------------------------------


class Child:
    """A spawned child process that answers commands over a pipe; always stopped on exit."""

    def __init__(self, name: str, target: Callable[..., None], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_conn = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=target, args=(*args, child_conn), name=name, daemon=True
        )
        self.process.start()
        child_conn.close()
        self.name = name

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def receive(self, timeout: float = _CHILD_START_S) -> Any:
        if not self.conn.poll(timeout):
            raise RuntimeError(f"{self.name}: no answer within {timeout:.0f} s")
        try:
            return self.conn.recv()
        except EOFError:
            self.process.join(5)
            raise RuntimeError(
                f"{self.name} stopped (exit code {self.process.exitcode}); see its stderr"
            ) from None

    def call(self, command: str) -> Any:
        self.conn.send(command)
        return self.receive()

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.conn.send("stop")
        self.process.join(15)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()
        self.process.close()


@contextmanager
def child(name: str, target: Callable[..., None], *args: Any) -> Iterator[Child]:
    started = Child(name, target, *args)
    try:
        yield started
    finally:
        started.stop()


class Workers:
    """The facility's worker processes, driven together: one port, commands to each, sums."""

    def __init__(self, children: Sequence[Child]) -> None:
        self.children = list(children)

    @property
    def pids(self) -> list[int]:
        return [c.pid for c in self.children]

    def call(self, command: str) -> list[Any]:
        return [c.call(command) for c in self.children]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def memory_mb(self) -> tuple[float | None, float | None]:
        """Resident sets summed over the workers (now, and the sum of their peaks)."""
        rss, peak = zip(*(memory_mb(pid) for pid in self.pids), strict=True)
        return (
            None if None in rss else sum(r for r in rss if r is not None),
            None if None in peak else sum(p for p in peak if p is not None),
        )


def merge_phases(snapshots: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One snapshot from every worker's: times and counts summed, loop lag the worst worker's."""
    if len(snapshots) == 1:
        return snapshots[0]
    phases: dict[str, dict[str, float]] = {}
    for snap in snapshots:
        for name, figures in snap["phases"].items():
            into = phases.setdefault(name, {"calls": 0, "wall_s": 0.0, "cpu_s": 0.0})
            for key in into:
                into[key] += figures[key]
    lag = {
        key: max((s[key] for s in snapshots if s[key] is not None), default=None)
        for key in ("loop_lag_p50_ms", "loop_lag_p95_ms", "loop_lag_max_ms")
    }
    return {
        "loop_cpu_s": sum(s["loop_cpu_s"] for s in snapshots),
        "phases": phases,
        "gc_runs": [sum(s["gc_runs"][g] for s in snapshots) for g in range(3)],
        "gc_s": [sum(s["gc_s"][g] for s in snapshots) for g in range(3)],
        **lag,
    }


@contextmanager
def facility_workers(
    count: int,
    source_urls: Sequence[str],
    mediators: Sequence[str],
    breaker: bool,
    profile: str | None,
) -> Iterator[tuple[Workers, int]]:
    """``count`` facility processes on one loopback port; (the workers, the port)."""
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(
            child("vum-bench-facility", run_facility, source_urls, mediators, 0, breaker, profile)
        )
        port = first.receive()
        children = [first]
        for i in range(1, count):
            named = None if profile is None else str(Path(profile).with_suffix(f".w{i}.pstats"))
            later = stack.enter_context(
                child(
                    f"vum-bench-facility-{i}",
                    run_facility,
                    source_urls,
                    mediators,
                    port,
                    breaker,
                    named,
                )
            )
            later.receive()
            children.append(later)
        yield Workers(children), port


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process, all threads (``/proc/<pid>/stat``)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def memory_mb(pid: int) -> tuple[float | None, float | None]:
    """(VmRSS, VmHWM) of a process in MB: its resident set now and at its peak."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS"), values.get("VmHWM")


# --- the mediators ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One query: how long it took, and what came back."""

    seconds: float
    error: str | None = None
    slowest_source_ms: float | None = None
    answer_bytes: int = 0


def mediator_headers(index: int, explain: bool = False) -> dict[str, str]:
    oin = mediator_oin(index)
    return {
        "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
        "API-Version": KOPPELVLAK_VERSION,
        "X-VUM-fromParty": oin,
        "X-VUM-toParty": FACILITY_OIN,
        "X-VUM-viaParty": oin,
        # The per-source report is how the overhead is measured; the ranking's explanations
        # only with --explain (the portal's use), not as a mediator's system asks.
        "X-OpenVUM-Explain": "volledig" if explain else "bronnen",
    }


def read_answer(
    body: bytes, sources: int, per_source: int, *, full: bool = False
) -> tuple[str | None, float | None]:
    """(error or None, the slowest source's time in ms as the facility measured it).

    Reads only the last member, ``x-openvum-bronnen``, and counts the vumIDs (the answer is
    0.2–5 MB and this process shares the machine with the facility); ``full`` parses it all.
    An answer is complete when every source answered with ``per_source`` valid summaries and
    all of them are in the merged list.
    """
    at = -1 if full else body.rfind(_BRONNEN)
    data = from_json(body) if at < 0 else from_json(b"{" + body[at + 1 :])
    report = data.get("x-openvum-bronnen") if isinstance(data, dict) else None
    if not isinstance(report, list) or len(report) != sources:
        return "answer without a report per source", None
    bad = sorted(
        {
            str(s.get("status")) if s.get("status") != "answered" else "short or invalid"
            for s in report
            if s.get("status") != "answered" or s.get("aantal") != per_source or s.get("ongeldig")
        }
    )
    if bad:
        return "sources " + "/".join(bad), None
    if body.count(b'"vumID":') != sources * per_source:
        return "merged answer incomplete", None
    if full:
        matches = data.get("matches")
        if not isinstance(matches, list) or len(matches) != sources * per_source:
            return "merged answer incomplete", None
        if not all(isinstance(m, dict) and m.get("vumID") for m in matches):
            return "match without vumID", None
    return None, max(float(s["ms"]) for s in report)


class Mediator:
    """One mediator: a keep-alive client sending one query after the other.

    The facility's own HTTP/1.1 client (``SourceClient``), not aiohttp or httpx: the mediators
    share this machine with the facility, and what they spend is taken from the facility under
    test. Reading a half-megabyte answer costs this client about 0.3 ms of CPU, aiohttp about
    1.1 ms (and httpx three times that).
    """

    def __init__(
        self, index: int, base_url: str, queries: Sequence[dict[str, Any]], explain: bool = False
    ) -> None:
        self.index = index
        self.queries = queries
        self.sent = 0
        self.url = f"{base_url.rstrip('/')}/api/v3/{KIND.resource}/matches"
        self.headers = mediator_headers(index, explain)  # the client adds the Content-Type
        self._client: SourceClient | None = None

    def _open(self) -> SourceClient:
        if self._client is None:
            # One kept-alive connection; answers of up to 100 results from each of many sources.
            self._client = SourceClient(per_source_connections=1, max_body_bytes=MAX_ANSWER_BYTES)
        return self._client

    async def ask(self, sources: int, per_source: int, *, full: bool = False) -> Sample:
        # Mediators start at different places in the list, so concurrent queries differ.
        query = self.queries[(7 * self.index + self.sent) % len(self.queries)]
        self.sent += 1
        payload = json.dumps({"vraagObject": query}).encode()
        client = self._open()
        started = time.perf_counter()
        try:
            response = await client.post(self.url, payload, self.headers, CLIENT_TIMEOUT_S)
        except SourceCallError as exc:
            elapsed = time.perf_counter() - started
            return Sample(elapsed, f"{exc.kind}: {exc.message}"[:200])
        elapsed = time.perf_counter() - started
        if response.status != 200:
            return Sample(elapsed, f"HTTP {response.status}")
        body = response.body
        try:
            error, slowest = read_answer(body, sources, per_source, full=full)
        except ValueError:
            error, slowest = "invalid JSON", None
        return Sample(elapsed, error, slowest, len(body))

    async def run_until(self, deadline: float, sources: int, per_source: int) -> list[Sample]:
        samples = []
        while time.perf_counter() < deadline:
            samples.append(await self.ask(sources, per_source))
        return samples

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


# --- one row ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One run: ``results_per_source`` summaries from each of the sources."""

    results_per_source: int
    sources: int
    mediators: int
    queries: int
    window_s: float
    qps: float
    errors: int
    error_kinds: dict[str, int]
    latency: Latency
    #: end to end minus the slowest source's time as the facility measured it
    overhead: Latency
    #: end to end minus the slowest source's intended delay (also counts what the measured
    #: time of that source includes: the pool, the connection, reading and validating its answer)
    overhead_nominal: Latency
    slowest_source: Latency
    answer_kb: float
    facility_cpu_pct: float
    #: the facility's CPU time per query: what bounds its throughput (one GIL, about one core)
    facility_cpu_ms_per_query: float
    facility_rss_mb: float | None
    facility_peak_rss_mb: float | None
    sources_cpu_pct: float
    client_cpu_pct: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    source_late_ms: dict[str, float | None]
    phases: dict[str, Any]
    warmup_errors: int
    #: the child processes (sources, facility), so a caller can check that none is left behind
    pids: tuple[int, ...]

    @property
    def meets_target(self) -> bool:
        return self.errors == 0 and self.overhead.p95_ms <= OVERHEAD_TARGET_MS

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["meets_target"] = self.meets_target
        return out


def _pct(cpu_s: float, wall_s: float) -> float:
    return 100.0 * cpu_s / wall_s if wall_s > 0 else math.nan


def _lateness(stats: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    late = sorted(x for s in stats for x in s["late_ms"])
    return {
        "answers": float(sum(s["answers"] for s in stats)),
        "refused": float(sum(s["refused"] for s in stats)),
        "p50": percentile(late, 50) if late else None,
        "p99": percentile(late, 99) if late else None,
        "max": late[-1] if late else None,
    }


@dataclass
class _Window:
    """What the measured window produced: the queries, and the CPU each process used in it."""

    samples: list[Sample]
    warmup_errors: int
    seconds: float
    facility_cpu_s: float
    sources_cpu_s: float
    client_cpu_s: float


async def _drive(
    base_url: str,
    config: FacilityBenchConfig,
    per_source: int,
    queries: Sequence[dict[str, Any]],
    facility: Workers,
    sources: Child,
) -> _Window:
    mediators = [Mediator(i, base_url, queries, config.explain) for i in range(config.mediators)]
    try:
        # Warm-up, not measured: one query alone opens the facility's connections to every
        # source, and its answer is checked in full. (All mediators at once would be a burst of
        # sources x mediators requests before the first measurement.)
        warm = await mediators[0].ask(config.sources, per_source, full=True)
        facility.call("reset")
        sources.call("reset")
        cpu_facility, cpu_sources = facility.cpu_seconds(), cpu_seconds(sources.pid)
        cpu_client = time.process_time()
        origin = time.perf_counter()
        runs = await asyncio.gather(
            *(m.run_until(origin + config.seconds, config.sources, per_source) for m in mediators)
        )
        return _Window(
            samples=[s for run in runs for s in run],
            warmup_errors=1 if warm.error else 0,
            seconds=time.perf_counter() - origin,
            facility_cpu_s=facility.cpu_seconds() - cpu_facility,
            sources_cpu_s=cpu_seconds(sources.pid) - cpu_sources,
            client_cpu_s=time.process_time() - cpu_client,
        )
    finally:
        await asyncio.gather(*(m.aclose() for m in mediators))


def run_row(
    config: FacilityBenchConfig,
    per_source: int,
    summaries: Sequence[dict[str, Any]],
    queries: Sequence[dict[str, Any]],
    progress: Progress,
) -> Row:
    """Start the sources and the facility, drive the mediators, stop both, and measure."""
    path = f"/api/v3/{KIND.resource}/matches"
    canned = [
        CannedSource(i, delay, answer_body(summaries[i * per_source : (i + 1) * per_source]), path)
        for i, delay in enumerate(source_delays(config.sources))
    ]
    mediators = [mediator_oin(i) for i in range(config.mediators)]
    with child("vum-bench-sources", run_sources, canned) as sources:
        ports = sources.receive()
        urls = [f"http://127.0.0.1:{port}/api/v3" for port in ports]
        profile = None
        if config.profile is not None:
            base = Path(config.profile)
            profile = str(base.with_name(f"{base.stem}-{per_source}{base.suffix or '.pstats'}"))
        with facility_workers(config.workers, urls, mediators, config.breaker, profile) as (
            facility,
            port,
        ):
            progress(
                f"{per_source} results per source: facility (pids "
                f"{', '.join(map(str, facility.pids))}) on port {port}, "
                f"{config.sources} sources (pid {sources.pid}); {config.mediators} mediators "
                f"for {config.seconds:g} s"
            )
            load_before = os.getloadavg()
            run = asyncio.run(
                _drive(f"http://127.0.0.1:{port}", config, per_source, queries, facility, sources)
            )
            load_after = os.getloadavg()
            rss, peak = facility.memory_mb()
            phases = merge_phases(facility.call("stats"))
            source_stats = sources.call("stats")
            pids = (sources.pid, *facility.pids)
    samples, window = run.samples, run.seconds
    ok = [s for s in samples if s.error is None]
    slowest = max(source_delays(config.sources)) * 1000
    return Row(
        results_per_source=per_source,
        sources=config.sources,
        mediators=config.mediators,
        queries=len(samples),
        window_s=window,
        qps=len(samples) / window if window > 0 else math.nan,
        errors=len(samples) - len(ok),
        error_kinds=dict(Counter(s.error for s in samples if s.error)),
        latency=Latency.of([s.seconds for s in samples]),
        overhead=Latency.of(
            [s.seconds - s.slowest_source_ms / 1000 for s in ok if s.slowest_source_ms is not None]
        ),
        overhead_nominal=Latency.of([s.seconds - slowest / 1000 for s in ok]),
        slowest_source=Latency.of(
            [s.slowest_source_ms / 1000 for s in ok if s.slowest_source_ms is not None]
        ),
        answer_kb=sum(s.answer_bytes for s in ok) / len(ok) / 1024 if ok else math.nan,
        facility_cpu_pct=_pct(run.facility_cpu_s, window),
        facility_cpu_ms_per_query=run.facility_cpu_s * 1000 / len(samples) if samples else math.nan,
        facility_rss_mb=rss,
        facility_peak_rss_mb=peak,
        sources_cpu_pct=_pct(run.sources_cpu_s, window),
        client_cpu_pct=_pct(run.client_cpu_s, window),
        load_before=load_before,
        load_after=load_after,
        source_late_ms=_lateness(source_stats),
        phases=phases,
        warmup_errors=run.warmup_errors,
        pids=pids,
    )


# --- the whole benchmark ------------------------------------------------------------------------


@dataclass
class FacilityReport:
    """Every row, with the configuration and the machine they were measured on."""

    config: FacilityBenchConfig
    machine: dict[str, Any]
    rows: list[Row]

    @property
    def failures(self) -> list[str]:
        return [
            f"{row.results_per_source} per source: {row.errors} errors "
            + ", ".join(f"{k} x{v}" for k, v in sorted(row.error_kinds.items()))
            for row in self.rows
            if row.errors or row.warmup_errors
        ]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _finite(
            {
                "config": self.config.as_dict(),
                "machine": self.machine,
                "overhead_target_ms": OVERHEAD_TARGET_MS,
                "rows": [row.as_dict() for row in self.rows],
                "failures": self.failures,
            }
        )
        return out


def _finite(value: Any) -> Any:
    """``value`` with NaN (nothing measured) as None, so the JSON is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def run_facility_bench(
    config: FacilityBenchConfig, progress: Progress = lambda _: None
) -> FacilityReport:
    """One row per ``config.results_per_source``, each with fresh sources and a fresh facility."""
    from vum.bench.run import machine

    most = max(config.results_per_source)
    progress(f"generating {config.sources * most:,} summaries (seed {config.seed})")
    summaries = canned_summaries(KIND, config.sources * most, config.seed)
    queries = mediator_queries(summaries)
    report = FacilityReport(config, machine(), [])
    for per_source in config.results_per_source:
        report.rows.append(run_row(config, per_source, summaries, queries, progress))
    return report


# --- the report as text -------------------------------------------------------------------------


def _per_query(row: Row, phase: str, measure: str) -> float | None:
    entry = row.phases.get("phases", {}).get(phase)
    if not entry or not row.queries:
        return None
    return float(entry[measure]) * 1000 / row.queries


def _loop_and_gc(row: Row) -> tuple[float | None, float | None]:
    """The event loop thread's CPU and the garbage collector's time, ms per query."""
    if not row.queries or "loop_cpu_s" not in row.phases:
        return None, None
    return (
        row.phases["loop_cpu_s"] * 1000 / row.queries,
        sum(row.phases["gc_s"]) * 1000 / row.queries,
    )


def _load(values: Sequence[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def render_facility(report: FacilityReport) -> str:
    """The rows as three tables for a terminal, with what each figure means."""
    from vum.bench.report import fmt_ms, table

    c, m = report.config, report.machine
    delays = source_delays(c.sources)
    out = [
        f"vum bench facility — {c.sources} sources answering after "
        f"{delays[0] * 1000:.0f}–{delays[-1] * 1000:.0f} ms, {c.mediators} concurrent mediators, "
        f"{c.seconds:g} s per row; facility workers: {c.workers}; explanations: "
        + ("yes" if c.explain else "no")
        + "; circuit breaker: "
        + ("on" if c.breaker else "never opens"),
        f"machine: {m.get('cpus')} CPUs ({m.get('cpu_model') or '?'}), {m.get('memory_gb')} GB, "
        f"Python {m.get('python')}",
        "",
        f"Queries through the mediator API (ms; overhead target p95 <= {OVERHEAD_TARGET_MS:.0f})",
        table(
            [
                "results/source",
                "queries",
                "q/s",
                "errors",
                "p50",
                "p95",
                "p99",
                "overhead p50",
                "overhead p95",
                "target",
                "nominal p95",
                "facility CPU %",
                "CPU ms/query",
                "RSS MB",
            ],
            [
                [
                    str(r.results_per_source),
                    str(r.queries),
                    f"{r.qps:.1f}",
                    str(r.errors),
                    fmt_ms(r.latency.p50_ms),
                    fmt_ms(r.latency.p95_ms),
                    fmt_ms(r.latency.p99_ms),
                    fmt_ms(r.overhead.p50_ms),
                    fmt_ms(r.overhead.p95_ms),
                    "met" if r.meets_target else "MISSED",
                    fmt_ms(r.overhead_nominal.p95_ms),
                    f"{r.facility_cpu_pct:.0f}",
                    fmt_ms(r.facility_cpu_ms_per_query),
                    "-" if r.facility_rss_mb is None else f"{r.facility_rss_mb:.0f}",
                ]
                for r in report.rows
            ],
        ),
        "overhead: end to end minus the slowest source's time as the facility measured it "
        "(x-openvum-bronnen); nominal: minus its intended delay. CPU: % of one core.",
        "",
        "Where the facility's time goes (ms per query, measured inside the facility)",
        table(
            [
                "results/source",
                "validate CPU",
                "validate wall",
                "prepare CPU",
                "merge CPU",
                "merge wall",
                "serialise",
                "event loop CPU",
                "GC",
                "loop lag p95",
                "loop lag max",
                "answer KB",
                "slowest source p50",
            ],
            [
                [
                    str(r.results_per_source),
                    fmt_ms(_per_query(r, "validate", "cpu_s")),
                    fmt_ms(_per_query(r, "validate", "wall_s")),
                    fmt_ms(_per_query(r, "prepare", "cpu_s")),
                    fmt_ms(_per_query(r, "merge", "cpu_s")),
                    fmt_ms(_per_query(r, "merge", "wall_s")),
                    fmt_ms(_per_query(r, "serialise", "wall_s")),
                    fmt_ms(_loop_and_gc(r)[0]),
                    fmt_ms(_loop_and_gc(r)[1]),
                    fmt_ms(r.phases.get("loop_lag_p95_ms")),
                    fmt_ms(r.phases.get("loop_lag_max_ms")),
                    "-" if math.isnan(r.answer_kb) else f"{r.answer_kb:,.0f}",
                    fmt_ms(r.slowest_source.p50_ms),
                ]
                for r in report.rows
            ],
        ),
        "validate: all sources' answers checked record by record (on the event loop up to "
        "256 KB an answer, else in a worker thread); prepare: their summaries given vumIDs, "
        "written as JSON and read for ranking, as each source answers; merge: ranking all summaries (on the loop up "
        "to 1,000 summaries, else in a worker thread); serialise: the answer's JSON joined from "
        "those pieces; event loop "
        "CPU: everything on the loop's thread (HTTP both ways, the API, what of the above ran "
        "there); GC: garbage collection, inside the others. Wall minus CPU: waiting for the GIL "
        "or a worker thread.",
        "",
        "The other processes",
        table(
            [
                "results/source",
                "sources CPU %",
                "mediators CPU %",
                "source late p50",
                "p99",
                "max",
                "load before",
                "load after",
            ],
            [
                [
                    str(r.results_per_source),
                    f"{r.sources_cpu_pct:.0f}",
                    f"{r.client_cpu_pct:.0f}",
                    fmt_ms(r.source_late_ms.get("p50")),
                    fmt_ms(r.source_late_ms.get("p99")),
                    fmt_ms(r.source_late_ms.get("max")),
                    _load(r.load_before),
                    _load(r.load_after),
                ]
                for r in report.rows
            ],
        ),
        "source late: how long after its intended delay a source's answer left (ms); "
        "load: the machine's 1/5/15-minute load average around the row.",
    ]
    for row in report.rows:
        if row.errors or row.warmup_errors:
            kinds = ", ".join(f"{k} x{v}" for k, v in sorted(row.error_kinds.items()))
            out.append(
                f"ERRORS at {row.results_per_source} per source: {row.errors} "
                f"(warm-up {row.warmup_errors}) {kinds}"
            )
    return "\n".join(out)
