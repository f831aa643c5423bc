# SPDX-License-Identifier: EUPL-1.2
"""The metrics history: queries through a real facility on a store leave per-minute rows per source."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.facility.servers import serve, source_app
from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, vum_headers
from tests.portal.world import serve_with_lifespan
from vum.facility.audit import StoreAuditLog
from vum.facility.fanout import SourceEndpoint, SourceOutcome
from vum.facility.identity import DevHeaderTrust, PartyInfo
from vum.facility.serve import FacilityConfig, build_app
from vum.facility.service import FacilitySettings
from vum.facility.stats import StatsRecorder
from vum.facility.vumid import VumIdCodec, new_key
from vum.standard.kinds import Kind
from vum.store import Store
from vum.store.source_stats import bucket_index, minute_of
from vum.synthetic import generate

FACILITY = FacilitySettings().facility_oin
GOOD, MIXED, HANGS = "00000001000000000011", "00000001000000000012", "00000001000000000013"
SIGNED = dt.date(2025, 1, 1)


def facility_config(urls: dict[str, str]) -> FacilityConfig:
    sources = [
        SourceEndpoint(oin, f"Bron {oin[-2:]}", url, frozenset({Kind.WERKZOEKENDE}), timeout_s=0.3)
        for oin, url in urls.items()
    ]
    parties = [
        PartyInfo(
            MEDIATOR, "Gemeente Utrecht", frozenset({"bemiddelaar"}), agreement_signed=SIGNED
        ),
        *(
            PartyInfo(s.oin, s.name, frozenset({"bron-werkzoekende"}), agreement_signed=SIGNED)
            for s in sources
        ),
    ]
    return FacilityConfig(
        settings=FacilitySettings(deadline_s=3.0),
        sources=sources,
        parties=parties,
        breaker_failures=3,
        stats_interval_s=0.1,
    )


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not written in time")
        time.sleep(0.05)


def test_queries_through_a_facility_on_a_store_are_counted_per_minute(tmp_path: Path) -> None:
    records = list(generate(Kind.WERKZOEKENDE, 12, seed=7))
    with ExitStack() as stack, Store(tmp_path / "vum.db") as store:
        urls = {
            GOOD: stack.enter_context(serve(source_app(Kind.WERKZOEKENDE, records))),
            MIXED: stack.enter_context(serve(source_app(Kind.WERKZOEKENDE, records, "mixed"))),
            HANGS: stack.enter_context(serve(source_app(Kind.WERKZOEKENDE, records, "hang"))),
        }
        app = build_app(
            facility_config(urls),
            DevHeaderTrust("127.0.0.1"),
            StoreAuditLog(store),
            VumIdCodec({"k1": new_key()}, "k1"),
            store=store,
        )
        started = minute_of(time.time())
        headers = vum_headers()
        with ExitStack() as running:
            base = running.enter_context(serve_with_lifespan(app))
            client = running.enter_context(httpx.Client(base_url=base, timeout=10))
            for _ in range(4):
                answer = client.post(
                    f"{PROFILES}/matches", headers=headers, json={"vraagObject": QUERY}
                )
                assert answer.status_code == 200, answer.text

            # Written by the flush loop while the facility runs (every 0.1 s here).
            def four_written() -> bool:
                totals = store.source_stats.totals(started, started + 2)
                return GOOD in totals and totals[GOOD].queries == 4

            wait_for(four_written)
            answer = client.post(
                f"{PROFILES}/matches", headers=headers, json={"vraagObject": QUERY}
            )
            assert answer.status_code == 200
        # The last query's counts were flushed at shutdown.
        totals = store.source_stats.totals(started, started + 2)
    good, mixed, hangs = totals[GOOD], totals[MIXED], totals[HANGS]
    assert (good.queries, good.answered, good.invalid_records) == (5, 5, 0)
    assert (mixed.queries, mixed.answered, mixed.invalid_records) == (5, 5, 5)
    # Three time-outs open the breaker; the source is skipped (suspended) after that.
    assert (hangs.queries, hangs.timeout, hangs.suspended) == (5, 3, 2)
    assert sum(hangs.buckets) == 3 and hangs.latency_sum_ms >= 3 * 290
    p50 = hangs.percentile_ms(0.5)
    assert p50 is not None and 250 < p50 <= 500
    assert sum(good.buckets) == 5 and good.latency_sum_ms > 0


def outcome(status: str, ms: float = 12.0, invalid: int = 0) -> SourceOutcome:
    source = SourceEndpoint(GOOD, "Bron", "http://127.0.0.1:9/api/v3")
    return SourceOutcome(source, status, ms, invalid_records=invalid)  # type: ignore[arg-type]


def test_the_recorder_keeps_counts_the_store_could_not_take(tmp_path: Path) -> None:
    now = [600.0]
    with Store(tmp_path / "vum.db") as store:
        recorder = StatsRecorder(store, clock=lambda: now[0], retention_s=120)
        recorder.observe(Kind.VACATURE, [outcome("answered"), outcome("invalid", 3, invalid=2)])
        now[0] += 60
        recorder.observe(Kind.VACATURE, [outcome("suspended", 0)])
        assert recorder.pending() == 2
        store.close()
        with pytest.raises(Exception, match="gesloten"):
            recorder.flush()
        assert recorder.pending() == 2
    with Store(tmp_path / "vum.db") as reopened:
        recorder.store = reopened
        assert recorder.flush() == 2 and recorder.pending() == 0
        (first, second) = reopened.source_stats.series(0, 100)
        assert (first.start, first.counts.queries, first.counts.invalid) == (10, 2, 1)
        assert first.counts.invalid_records == 2
        assert first.counts.buckets[bucket_index(12.0)] == 1 and sum(first.counts.buckets) == 2
        assert (second.start, second.counts.suspended, sum(second.counts.buckets)) == (11, 1, 0)
        now[0] = 14 * 60.0  # minute 14: keep minutes 12 and later
        assert recorder.purge() == 2
        recorder.observe(Kind.VACATURE, [outcome("answered")])
        asyncio.run(recorder.close())
        assert [p.start for p in reopened.source_stats.series(0, 100)] == [14]
