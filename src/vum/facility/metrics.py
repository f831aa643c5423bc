# SPDX-License-Identifier: EUPL-1.2
"""Observability of the facility: Prometheus metrics per source, /health and /ready, JSON request logs.

Pilot finding 11: outages of the big source and a release that made every result unprocessable
went unnoticed until a user called. So every source's latency, answers by status, invalid records
and suspensions are counted, and every request leaves one JSON log line (no personal data).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic_core import to_json

from vum.facility.breaker import Breaker
from vum.facility.fanout import SourceOutcome
from vum.standard.kinds import Kind

if TYPE_CHECKING:
    from vum.facility.stats import StatsRecorder

access_log = logging.getLogger("vum.facility.access")

STATUSES = ("answered", "timeout", "failed", "invalid", "suspended")
# VUM pilots: 4 s per source and 10 s per query; buckets resolve both ends.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 6.0, 10.0)


class _SuspendedSources(Collector):
    """Reads the circuit breaker at scrape time, so the gauge is never stale."""

    def __init__(self, breaker: Callable[[], Breaker | None]) -> None:
        self._breaker = breaker

    def collect(self) -> Iterable[Metric]:
        breaker = self._breaker()
        snapshot = breaker.snapshot() if breaker is not None else {}
        total = GaugeMetricFamily(
            "vum_facility_sources_suspended",
            "Sources suspended by the circuit breaker right now",
        )
        per_source = GaugeMetricFamily(
            "vum_facility_source_suspended",
            "1 while the source is suspended by the circuit breaker",
            labels=["source"],
        )
        suspended = 0
        for oin, state in sorted(snapshot.items()):
            is_suspended = state["suspended_for_s"] > 0
            suspended += is_suspended
            per_source.add_metric([oin], 1.0 if is_suspended else 0.0)
        total.add_metric([], float(suspended))
        return [total, per_source]


class FacilityMetrics:
    """The facility's Prometheus metrics, in their own registry (one per app)."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        breaker: Callable[[], Breaker | None] = lambda: None,
        stats: StatsRecorder | None = None,
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        #: the metrics history in the store (issue 7), when the facility runs with one
        self.stats = stats
        r = self.registry
        self.source_latency = Histogram(
            "vum_facility_source_latency_seconds",
            "Time a source took to answer a query (or to fail or time out)",
            ["source", "kind"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.source_answers = Counter(
            "vum_facility_source_answers",
            "Source answers by status: answered, timeout, failed, invalid, suspended",
            ["source", "kind", "status"],
            registry=r,
        )
        self.source_invalid_records = Counter(
            "vum_facility_source_invalid_records",
            "Records a source returned that failed contract validation (dropped)",
            ["source", "kind"],
            registry=r,
        )
        self.source_results = Counter(
            "vum_facility_source_results",
            "Valid summaries a source contributed to answers",
            ["source", "kind"],
            registry=r,
        )
        self.results_returned = Counter(
            "vum_facility_results_returned",
            "Summaries returned to mediators",
            ["kind"],
            registry=r,
        )
        self.detail_requests = Counter(
            "vum_facility_detail_requests",
            "Detail requests by HTTP status",
            ["kind", "status"],
            registry=r,
        )
        self.requests = Counter(
            "vum_facility_requests",
            "Mediator API requests by operation and HTTP status",
            ["operation", "status"],
            registry=r,
        )
        self.request_latency = Histogram(
            "vum_facility_request_duration_seconds",
            "Time to answer a mediator API request",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        r.register(_SuspendedSources(breaker))
        #: (source, kind, status) -> the children of the per-source series it counts in
        self._children: dict[tuple[str, str, str], tuple[Any, Any, Any, Any]] = {}

    def observe_query(self, kind: Kind, outcomes: Sequence[SourceOutcome], returned: int) -> None:
        children = self._children
        for o in outcomes:
            key = (o.source.oin, kind.value, o.status)
            # A query touches every source's series: the children are looked up once per
            # series, not on every query (``labels`` checks and hashes its arguments).
            series = children.get(key)
            if series is None:
                series = children[key] = self._series(*key)
            answers, latency, invalid, results = series
            answers.inc()
            if o.status != "suspended":  # a suspended source was not asked: no latency
                latency.observe(o.elapsed_ms / 1000.0)
            if o.invalid_records:
                invalid.inc(o.invalid_records)
            if o.matches:
                results.inc(len(o.matches))
        self.results_returned.labels(kind.value).inc(returned)
        if self.stats is not None:
            self.stats.observe(kind, outcomes)

    def _series(self, oin: str, kind: str, status: str) -> tuple[Any, Any, Any, Any]:
        return (
            self.source_answers.labels(oin, kind, status),
            self.source_latency.labels(oin, kind),
            self.source_invalid_records.labels(oin, kind),
            self.source_results.labels(oin, kind),
        )

    def observe_detail(self, kind: Kind, status: int) -> None:
        self.detail_requests.labels(kind.value, str(status)).inc()

    def observe_request(self, fields: Mapping[str, Any]) -> None:
        """Count one API request and write its log line (``fields`` hold no personal data)."""
        self.requests.labels(str(fields["operation"]), str(fields["status"])).inc()
        self.request_latency.labels(str(fields["operation"])).observe(float(fields["ms"]) / 1000)
        access_log.info("request", extra={"fields": dict(fields)})

    def exposition(self) -> bytes:
        return _generate_latest(self.registry)


# --- the audit trail (the store-backed, tamper-evident log lives elsewhere) ---


class AuditSink(Protocol):
    """Where audit events go; ``record`` may raise, and then the request is refused (500.1)."""

    def record(self, event: dict[str, Any]) -> None: ...


@dataclass
class InMemoryAuditSink:
    """Audit events in a list (tests, demos); the store-backed, tamper-evident log replaces it."""

    in_memory: ClassVar[bool] = True
    events: list[dict[str, Any]] = field(default_factory=list)

    def record(self, event: dict[str, Any]) -> None:
        self.events.append(event)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and a record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            out.update(fields)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Route every log record (ours and uvicorn's) to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


#: ``() -> (ready, details)``; sync or async.
ReadyCheck = Callable[[], tuple[bool, dict[str, Any]] | Awaitable[tuple[bool, dict[str, Any]]]]


def make_ops_router(metrics: FacilityMetrics, ready: ReadyCheck) -> APIRouter:
    """``GET /metrics`` (Prometheus), ``/health`` (the process lives), ``/ready`` (can serve)."""
    router = APIRouter(tags=["operations"])

    async def metrics_endpoint() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    async def health() -> Response:
        return Response(to_json({"status": "ok"}), media_type="application/json")

    async def ready_endpoint() -> Response:
        result = ready()
        ok, details = await result if isinstance(result, Awaitable) else result
        body = {"status": "ready" if ok else "not-ready", **details}
        return Response(to_json(body), 200 if ok else 503, media_type="application/json")

    router.add_api_route("/metrics", metrics_endpoint, methods=["GET"], response_class=Response)
    router.add_api_route("/health", health, methods=["GET"], response_class=Response)
    router.add_api_route("/ready", ready_endpoint, methods=["GET"], response_class=Response)
    return router
