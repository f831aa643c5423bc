# SPDX-License-Identifier: EUPL-1.2
"""`vum bench load`: many mediators at once against the demo topology; latency, errors, CPU, memory.

The topology is `make demo`'s (a hosted source with three municipalities' datasets, a UWV
stand-in, the facility on its SQLite store), started from its own data directory so the demo's
audit log is left alone. Each mediator sends queries of every form of the contract back to back
and opens a detail of one of the results now and then, as a mediator reading a list would.
Latency is end to end at the mediator; CPU and memory are read per server process from /proc.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vum import KOPPELVLAK_VERSION
from vum.bench.facility import cpu_seconds, memory_mb
from vum.standard.kinds import Kind

#: the demo's servers, by the name the report gives them
SERVERS = ("hosted source (gemeenten)", "UWV stand-in", "facility")
#: share of answered queries after which the mediator opens one detail
DETAIL_SHARE = 0.3


@dataclass
class Sample:
    """One request as the mediator saw it."""

    request: str  # "matches" or "detail"
    seconds: float
    status: int  # 0: no HTTP answer (connection error, client timeout)
    sources: Counter[str] = field(default_factory=Counter)


@dataclass
class ProcessUse:
    """CPU and memory of one server process over the run."""

    name: str
    cpu_s: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_end_mb: float = 0.0


@dataclass
class LoadReport:
    """What `vum bench load` measured."""

    mediators: int
    seconds: float
    wall_s: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    processes: list[ProcessUse] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200)

    def rows(self) -> list[dict[str, Any]]:
        """Per request type: count, rate, percentiles (ms), errors."""
        out = []
        for request in ("matches", "detail"):
            chosen = [s for s in self.samples if s.request == request]
            times = sorted(s.seconds * 1000 for s in chosen)
            out.append(
                {
                    "request": request,
                    "count": len(chosen),
                    "per_s": len(chosen) / self.wall_s if self.wall_s else 0.0,
                    "p50_ms": _pct(times, 50),
                    "p95_ms": _pct(times, 95),
                    "p99_ms": _pct(times, 99),
                    "max_ms": times[-1] if times else None,
                    "errors": sum(1 for s in chosen if s.status != 200),
                    "statuses": dict(Counter(s.status for s in chosen)),
                }
            )
        return out

    def source_outcomes(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for s in self.samples:
            total.update(s.sources)
        return dict(total)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mediators": self.mediators,
            "seconds": self.seconds,
            "wall_s": self.wall_s,
            "errors": self.errors,
            "requests": self.rows(),
            "source_outcomes": self.source_outcomes(),
            "processes": [vars(p) for p in self.processes],
            "records": self.records,
        }


def _pct(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def query_mix(per_form: int = 8) -> dict[Kind, list[dict[str, Any]]]:
    """vraagObjects of every form of the contract, over the occupations the demo data holds."""
    from vum.bench.mix import build_mix
    from vum.synthetic import generate

    mix = {}
    for kind in Kind:
        # The same generator as the demo's data: the frequent occupations are the same.
        sample = list(generate(kind, 2000, seed=7))
        mix[kind] = [wire for form in build_mix(kind, sample, per_form) for wire in form.wire]
    return mix


def _headers(party: str, facility: str) -> dict[str, str]:
    return {
        "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
        "API-Version": KOPPELVLAK_VERSION,
        "X-VUM-fromParty": party,
        "X-VUM-toParty": facility,
        "X-VUM-viaParty": party,
        "X-OpenVUM-Explain": "bronnen",
        "Content-Type": "application/json",
    }


async def _mediator(
    index: int,
    base: str,
    parties: Sequence[str],
    facility: str,
    mix: dict[Kind, list[dict[str, Any]]],
    until: float,
    samples: list[Sample] | None,
) -> None:
    import aiohttp
    import orjson

    rng = random.Random(index)
    headers = _headers(parties[index % len(parties)], facility)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:
        while time.monotonic() < until:
            kind = rng.choice(list(Kind))
            body = orjson.dumps({"vraagObject": rng.choice(mix[kind])})
            sample, answer = await _ask(
                session, "matches", "POST", f"{base}/{kind.resource}/matches", body
            )
            if answer is not None:
                sample.sources.update(
                    str(o.get("status")) for o in answer.get("x-openvum-bronnen", [])
                )
            if samples is not None:
                samples.append(sample)
            matches = (answer or {}).get("matches") or []
            if matches and rng.random() < DETAIL_SHARE:
                vum_id = rng.choice(matches)["vumID"]
                detail, _ = await _ask(session, "detail", "GET", f"{base}/{kind.resource}/{vum_id}")
                if samples is not None:
                    samples.append(detail)


async def _ask(
    session: Any, request: str, method: str, url: str, body: bytes | None = None
) -> tuple[Sample, dict[str, Any] | None]:
    import aiohttp
    import orjson

    start = time.perf_counter()
    try:
        async with session.request(method, url, data=body) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError):
        return Sample(request, time.perf_counter() - start, 0), None
    sample = Sample(request, time.perf_counter() - start, status)
    return sample, (orjson.loads(raw) if status == 200 else None)


class _Sampler:
    """Reads the servers' memory once a second while the load runs (their peak resident set)."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self.peak = [0.0] * len(self.pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.read()

    def read(self) -> list[float]:
        now = []
        for i, pid in enumerate(self.pids):
            rss = memory_mb(pid)[0] or 0.0
            self.peak[i] = max(self.peak[i], rss)
            now.append(rss)
        return now

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def _drive(
    mediators: int,
    seconds: float,
    base: str,
    parties: Sequence[str],
    facility: str,
    mix: dict[Kind, list[dict[str, Any]]],
) -> tuple[list[Sample], float]:
    # Warm-up: every mediator asks once, unmeasured (connections, caches, first summaries).
    warm = time.monotonic() + 0.001
    await asyncio.gather(
        *(_mediator(i, base, parties, facility, mix, warm, None) for i in range(mediators))
    )
    samples: list[Sample] = []
    start = time.monotonic()
    until = start + seconds
    await asyncio.gather(
        *(_mediator(i, base, parties, facility, mix, until, samples) for i in range(mediators))
    )
    return samples, time.monotonic() - start


def run_load(mediators: int, seconds: float, directory: Path, progress: Any = print) -> LoadReport:
    """Prepare the data (once), start the demo servers, drive the mediators, stop the servers."""
    from vum import demo
    from vum.runtime import run

    progress(f"data in {directory} (made once; the first run takes a few minutes)")
    demo.prepare(directory)
    processes = demo.start_servers(directory, portal=False)
    report = LoadReport(mediators, seconds)
    try:
        progress("servers starting (building indexes)")
        demo.wait_until_ready(portal=False)
        report.records = _record_counts(directory)
        mix = query_mix()
        parties = [oin for _, oin in demo.REGIONS.values()]
        base = f"http://{demo.HOST}:{demo.FACILITY_PORT}/api/v3"
        pids = [p.pid for p in processes]
        sampler = _Sampler(pids)
        start_rss = sampler.read()
        cpu_before = [cpu_seconds(pid) for pid in pids]
        progress(f"{mediators} mediators for {seconds:.0f} s")
        own = os.getpid()
        own_cpu, own_rss = cpu_seconds(own), memory_mb(own)[0] or 0.0
        with sampler:
            samples, wall = run(_drive(mediators, seconds, base, parties, demo.FACILITY_OIN, mix))
        cpu_after = [cpu_seconds(pid) for pid in pids]
        end_rss = sampler.read()
        # The mediators run in this process: on a shared machine their CPU is the servers' loss.
        client = ProcessUse(
            "load generator (the mediators)",
            cpu_seconds(own) - own_cpu,
            own_rss,
            memory_mb(own)[1] or 0.0,
            memory_mb(own)[0] or 0.0,
        )
        report.samples, report.wall_s = samples, wall
        report.processes = [
            ProcessUse(name, after - before, rss0, peak, rss1)
            for name, before, after, rss0, peak, rss1 in zip(
                SERVERS, cpu_before, cpu_after, start_rss, sampler.peak, end_rss, strict=True
            )
        ]
        report.processes.append(client)
    finally:
        demo.stop_servers(processes)
    return report


def _record_counts(directory: Path) -> dict[str, int]:
    from vum.store import Store, VersionStatus

    counts: dict[str, int] = {}
    for name in ("gemeenten", "uwv"):
        with Store(directory / f"{name}.db") as store:
            for party, kind in store.datasets.dataset_keys():
                live = store.datasets.current(party, kind, VersionStatus.LIVE)
                key = f"{name} {kind}"
                counts[key] = counts.get(key, 0) + (live.record_count if live else 0)
    return counts


def render_load(report: LoadReport) -> str:
    """The report as Markdown tables."""

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    lines = [
        f"Load: {report.mediators} mediators back to back for {report.wall_s:.0f} s against the "
        "demo topology (hosted source with three municipalities, UWV stand-in, facility on SQLite)",
        "",
        "Records: " + ", ".join(f"{k} {v:,}" for k, v in report.records.items()),
        "",
        "| request | count | per s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report.rows():
        lines.append(
            f"| {r['request']} | {r['count']:,} | {r['per_s']:.1f} | {ms(r['p50_ms'])} | "
            f"{ms(r['p95_ms'])} | {ms(r['p99_ms'])} | {ms(r['max_ms'])} | {r['errors']} |"
        )
    outcomes = report.source_outcomes()
    total = sum(outcomes.values()) or 1
    lines += [
        "",
        "Source answers within the queries: "
        + ", ".join(f"{k} {v:,} ({v / total:.1%})" for k, v in sorted(outcomes.items())),
        "",
        "| process | CPU s | CPU % of one core | RSS start MB | RSS peak MB | RSS end MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in report.processes:
        share = p.cpu_s / report.wall_s * 100 if report.wall_s else 0.0
        lines.append(
            f"| {p.name} | {p.cpu_s:.1f} | {share:.0f} | {p.rss_start_mb:,.0f} | "
            f"{p.rss_peak_mb:,.0f} | {p.rss_end_mb:,.0f} |"
        )
    lines += ["", f"Errors (non-200 or no answer): {report.errors}"]
    return "\n".join(lines)
