# SPDX-License-Identifier: EUPL-1.2
"""The source benchmark end to end: data, load, then the query mix in process, over HTTP and on the peer."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from vum.bench.load import build, generate_records, hosted_import
from vum.bench.measure import Latency, Phase, phase, timed
from vum.bench.mix import Form, build_mix
from vum.matching import Engine
from vum.standard.kinds import Kind

if TYPE_CHECKING:  # psycopg (the peer) is a development dependency: imported when used
    from vum.bench.http import HttpClient
    from vum.bench.peer import PostgresPeer

Progress = Callable[[str], None]

#: PostgreSQL settings of the peer: what a capable team sets on a box like this one
PEER_SETTINGS: dict[str, str] = {
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "random_page_cost": "1.1",
}


@dataclass(frozen=True)
class BenchConfig:
    """What to run."""

    records: int = 200_000
    kind: Kind = Kind.WERKZOEKENDE
    queries_per_form: int = 50
    seed: int = 1
    #: queries per form run before measuring (caches, lazy imports, prepared statements)
    warmup: int = 3
    limit: int = 100
    hosted_import: bool = True
    http: bool = True
    peer: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "kind": self.kind.value,
            "queries_per_form": self.queries_per_form,
            "seed": self.seed,
            "warmup": self.warmup,
            "limit": self.limit,
            "hosted_import": self.hosted_import,
            "http": self.http,
            "peer": self.peer,
        }


@dataclass
class FormResult:
    """Everything measured for one form."""

    name: str
    description: str
    queries: int
    totals: list[int]
    engine: Latency
    http: Latency | None = None
    http_errors: int = 0
    #: HTTP answers whose number of matches differs from the engine's
    http_mismatches: int = 0
    peer: Latency | None = None
    #: queries whose peer total differs from the engine's
    peer_mismatches: int = 0

    @property
    def matches_mean(self) -> float:
        return sum(self.totals) / len(self.totals) if self.totals else 0.0

    @property
    def ratio(self) -> float | None:
        """Peer p95 / engine p95: how many times slower the peer is."""
        if self.peer is None or not self.engine.p95_ms:
            return None
        return self.peer.p95_ms / self.engine.p95_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.name,
            "description": self.description,
            "queries": self.queries,
            "matches": {
                "mean": self.matches_mean,
                "min": min(self.totals, default=0),
                "max": max(self.totals, default=0),
                "sum": sum(self.totals),
            },
            "engine": self.engine.as_dict(),
            "http": None
            if self.http is None
            else {
                **self.http.as_dict(),
                "errors": self.http_errors,
                "mismatches": self.http_mismatches,
            },
            "peer": None
            if self.peer is None
            else {**self.peer.as_dict(), "total_mismatches": self.peer_mismatches},
            "ratio_peer_p95_to_engine_p95": self.ratio,
        }


@dataclass
class Report:
    """The whole benchmark: configuration, machine, phases, per-form results, skipped sections."""

    config: BenchConfig
    machine: dict[str, Any]
    phases: list[Phase] = field(default_factory=list)
    peer_load: dict[str, Any] | None = None
    forms: list[FormResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """What must not happen: HTTP errors, and answers that disagree with the engine."""
        out = []
        for f in self.forms:
            if f.http_errors:
                out.append(f"{f.name}: {f.http_errors} HTTP errors")
            if f.http_mismatches:
                out.append(f"{f.name}: {f.http_mismatches} HTTP answers differ from the engine")
            if f.peer_mismatches:
                out.append(f"{f.name}: {f.peer_mismatches} peer totals differ from the engine")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.as_dict(),
            "machine": self.machine,
            "phases": [p.as_dict() for p in self.phases],
            "peer_load": self.peer_load,
            "forms": [f.as_dict() for f in self.forms],
            "skipped": self.skipped,
            "failures": self.failures,
        }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_gb: float | None = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            memory_gb = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@dataclass
class _Targets:
    """What each query is sent to; None for a section that does not run."""

    engine: Engine
    client: HttpClient | None = None
    peer: PostgresPeer | None = None


def _measure(forms: Sequence[Form], targets: _Targets, config: BenchConfig) -> list[FormResult]:
    """Send every query to the engine, over HTTP and to the peer in turn (interleaved, so a
    neighbour's load on a shared machine falls on all three alike), after a warm-up."""
    engine, client, peer = targets.engine, targets.client, targets.peer
    for form in forms:
        for query, wire in list(zip(form.queries, form.wire, strict=True))[: config.warmup]:
            engine.search(query, config.limit)
            if client is not None:
                client.ask(wire)
            if peer is not None:
                peer.search(query, config.limit)
    results = []
    for form in forms:
        engine_s: list[float] = []
        http_s: list[float] = []
        peer_s: list[float] = []
        totals: list[int] = []
        http_errors = http_mismatches = peer_mismatches = 0
        for query, wire in zip(form.queries, form.wire, strict=True):
            took, found = timed(partial(engine.search, query, config.limit))
            engine_s.append(took)
            totals.append(found.total)
            if client is not None:
                answer = client.ask(wire)
                http_s.append(answer.seconds)
                if answer.status != 200:
                    http_errors += 1
                elif answer.matches != len(found.hits):
                    http_mismatches += 1
            if peer is not None:
                took, nearest = timed(partial(peer.search, query, config.limit))
                peer_s.append(took)
                if nearest.total != found.total:
                    peer_mismatches += 1
        results.append(
            FormResult(
                form.name,
                form.description,
                len(form.queries),
                totals,
                Latency.of(engine_s),
                http=Latency.of(http_s) if client is not None else None,
                http_errors=http_errors,
                http_mismatches=http_mismatches,
                peer=Latency.of(peer_s) if peer is not None else None,
                peer_mismatches=peer_mismatches,
            )
        )
    return results


def _start_http(
    stack: ExitStack, kind: Kind, records: Sequence[dict[str, Any]], engine: Engine
) -> HttpClient | str:
    """The hosted source app over ``engine`` on loopback and a client; or why it cannot run."""
    try:
        from vum.bench.http import HttpClient, serve_engine
    except ImportError as exc:  # vum.api not there (yet)
        return f"vum.api is not available ({exc})"
    url = stack.enter_context(serve_engine(kind, records, engine))
    return stack.enter_context(HttpClient(url, kind))


def _start_peer(
    stack: ExitStack,
    kind: Kind,
    records: Sequence[dict[str, Any]],
    report: Report,
    progress: Progress,
) -> PostgresPeer | str:
    """A throwaway PostgreSQL server with the records loaded; or why it cannot run."""
    try:
        import psycopg

        from vum.bench.peer import PostgresPeer
        from vum.bench.pg import missing_binaries, throwaway_postgres
    except ImportError as exc:  # psycopg is a development dependency
        return f"psycopg is not installed ({exc})"
    reason = missing_binaries()
    if reason is not None:
        return reason
    progress("starting a throwaway PostgreSQL server")
    dsn = stack.enter_context(throwaway_postgres(PEER_SETTINGS))
    conn = stack.enter_context(psycopg.connect(dsn, autocommit=True))
    version = conn.execute("SHOW server_version").fetchone()
    report.machine["postgresql"] = str(version[0]) if version else "?"
    peer = PostgresPeer(conn, kind)
    progress(f"loading {len(records):,} records into PostgreSQL (COPY, indexes, ANALYZE)")
    with phase("peer load (PostgreSQL COPY + indexes)", report.phases) as p:
        load = peer.load(records)
        p.notes.update(load.as_dict())
    report.peer_load = load.as_dict()
    return peer


def run_bench(config: BenchConfig, progress: Progress = lambda _: None) -> Report:
    """Run every section of the benchmark; sections that cannot run here are listed as skipped."""
    report = Report(config, machine())
    kind = config.kind
    progress(f"generating {config.records:,} {kind.value} records (seed {config.seed})")
    records = generate_records(kind, config.records, config.seed, report.phases)
    progress("building the engine")
    engine = build(kind, records, report.phases)
    if config.hosted_import:
        progress("importing into a temporary SQLite store (HostedSources) and building its engine")
        reason = hosted_import(kind, records, report.phases)
        if reason:
            report.skipped["hosted import"] = reason
    else:
        report.skipped["hosted import"] = "--no-import"
    forms = build_mix(kind, records, config.queries_per_form)
    targets = _Targets(engine)
    with ExitStack() as stack:
        if config.http:
            progress("starting the hosted source app on loopback")
            client = _start_http(stack, kind, records, engine)
            if isinstance(client, str):
                report.skipped["http"] = client
            else:
                targets.client = client
        else:
            report.skipped["http"] = "--no-http"
        if config.peer:
            peer = _start_peer(stack, kind, records, report, progress)
            if isinstance(peer, str):
                report.skipped["peer"] = peer
            else:
                targets.peer = peer
        else:
            report.skipped["peer"] = "--no-peer"
        sections = ", ".join(
            name
            for name, on in (("engine", True), ("HTTP", targets.client), ("peer", targets.peer))
            if on
        )
        progress(f"querying ({sections}): {len(forms)} forms x {config.queries_per_form} queries")
        report.forms = _measure(forms, targets, config)
    return report
