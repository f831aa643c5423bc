# SPDX-License-Identifier: EUPL-1.2
"""Observability: Prometheus metrics per source, suspended sources, /health and /ready, JSON request logs."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI

from tests.facility.test_api import PROFILES, QUERY, asgi_call, make_app, vum_headers
from vum.facility.breaker import CircuitBreaker
from vum.facility.fanout import SourceEndpoint, SourceOutcome
from vum.facility.metrics import FacilityMetrics, JsonLogFormatter
from vum.standard import Kind

A = SourceEndpoint("00000001000000000001", "bron-a", "http://127.0.0.1:1/api/v3")
B = SourceEndpoint("00000001000000000002", "bron-b", "http://127.0.0.1:2/api/v3")


def test_query_outcomes_become_per_source_series() -> None:
    metrics = FacilityMetrics()
    outcomes = [
        SourceOutcome(A, "answered", 120.0, [{"vumID": "x"}] * 3, invalid_records=2),
        SourceOutcome(B, "timeout", 4000.0),
    ]
    metrics.observe_query(Kind.WERKZOEKENDE, outcomes, returned=3)
    metrics.observe_query(Kind.WERKZOEKENDE, [SourceOutcome(B, "suspended")], returned=0)
    text = metrics.exposition().decode()
    a, b = A.oin, B.oin
    assert (
        f'vum_facility_source_answers_total{{kind="werkzoekende",source="{a}",status="answered"}} 1.0'
        in text
    )
    assert (
        f'vum_facility_source_answers_total{{kind="werkzoekende",source="{b}",status="timeout"}} 1.0'
        in text
    )
    assert (
        f'vum_facility_source_answers_total{{kind="werkzoekende",source="{b}",status="suspended"}} 1.0'
        in text
    )
    assert (
        f'vum_facility_source_invalid_records_total{{kind="werkzoekende",source="{a}"}} 2.0' in text
    )
    assert f'vum_facility_source_results_total{{kind="werkzoekende",source="{a}"}} 3.0' in text
    assert 'vum_facility_results_returned_total{kind="werkzoekende"} 3.0' in text
    # A suspended source was not asked: it has no latency sample.
    assert (
        f'vum_facility_source_latency_seconds_count{{kind="werkzoekende",source="{b}"}} 1.0' in text
    )
    assert (
        f'vum_facility_source_latency_seconds_bucket{{kind="werkzoekende",le="0.25",source="{a}"}} 1.0'
        in text
    )


def test_suspended_sources_gauge_reads_the_breaker() -> None:
    breaker = CircuitBreaker(threshold=2)
    metrics = FacilityMetrics(breaker=lambda: breaker)
    assert "vum_facility_sources_suspended 0.0" in metrics.exposition().decode()
    for _ in range(2):
        breaker.record(A.oin, False)
    breaker.record(B.oin, True)
    text = metrics.exposition().decode()
    assert "vum_facility_sources_suspended 1.0" in text
    assert f'vum_facility_source_suspended{{source="{A.oin}"}} 1.0' in text


def test_detail_requests_are_counted_by_status() -> None:
    app = make_app([])
    asgi_call(app, "GET", f"{PROFILES}/k1.AAAA", vum_headers())
    text = asgi_call(app, "GET", "/metrics", {}).text
    assert 'vum_facility_detail_requests_total{kind="werkzoekende",status="400"} 1.0' in text
    assert 'vum_facility_requests_total{operation="detail",status="400"} 1.0' in text


def test_health_and_ready() -> None:
    empty = make_app([])
    assert asgi_call(empty, "GET", "/health", {}).json() == {"status": "ok"}
    not_ready = asgi_call(empty, "GET", "/ready", {})
    assert not_ready.status_code == 503 and not_ready.json()["status"] == "not-ready"
    ready = asgi_call(make_app([A, B]), "GET", "/ready", {})
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "bronnen": {"werkzoekende": 2, "vacature": 2},
        "geschorst": 0,
    }


@pytest.fixture
def app() -> FastAPI:
    return make_app([])


def test_one_json_log_line_per_request_without_personal_data(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vum.facility.access")
    asgi_call(app, "POST", f"{PROFILES}/matches", vum_headers(), {"vraagObject": QUERY})
    asgi_call(app, "GET", f"{PROFILES}/k1.secretish-vumid", vum_headers())
    records = [r for r in caplog.records if r.name == "vum.facility.access"]
    assert len(records) == 2
    lines = [json.loads(JsonLogFormatter().format(r)) for r in records]
    assert [line["operation"] for line in lines] == ["matches", "detail"]
    assert [line["status"] for line in lines] == [200, 400]
    for line in lines:
        assert len(line["traceId"]) == 32 and isinstance(line["ms"], float)
        assert {"ts", "level", "logger", "msg", "kind", "code"} <= set(line)
    text = json.dumps(lines)
    assert "3511AB" not in text and "secretish" not in text
