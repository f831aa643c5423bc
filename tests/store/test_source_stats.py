# SPDX-License-Identifier: EUPL-1.2
"""The metrics history per source: adds that add up across processes, series per minute and per hour, purge."""

from __future__ import annotations

import pytest

from tests.store import stats_workers, workers
from tests.store.workers import Race
from vum.store import Store
from vum.store.schema import STATS_LATENCY_BOUNDS_MS
from vum.store.source_stats import VALUE_COLUMNS, StatsCounts, bucket_index, minute_of

A = "00000001000000000001"
B = "00000001000000000002"
T0 = 29_000_000  # a minute in 2025
HOUR = T0 - T0 % 60  # the first minute of its hour


def values(**given: float) -> list[float]:
    row = [0.0] * len(VALUE_COLUMNS)
    for name, value in given.items():
        row[VALUE_COLUMNS.index(name)] = value
    return row


def answered(ms: float, n: int = 1) -> list[float]:
    """``n`` answered queries of ``ms`` each."""
    bucket = VALUE_COLUMNS.index("latency_sum_ms") + 1 + bucket_index(ms)
    row = values(queries=n, answered=n, latency_sum_ms=ms * n)
    row[bucket] = n
    return row


def test_buckets_and_minutes() -> None:
    assert minute_of(120.0) == 2 and minute_of(179.9) == 2
    assert bucket_index(0) == 0 and bucket_index(5) == 0 and bucket_index(5.1) == 1
    assert bucket_index(4000) == STATS_LATENCY_BOUNDS_MS.index(4000)
    assert bucket_index(60_000) == len(STATS_LATENCY_BOUNDS_MS)


def test_percentiles_interpolate_within_the_summed_buckets() -> None:
    assert StatsCounts().percentile_ms(0.5) is None and StatsCounts().mean_ms is None
    # 90 answers of 20 ms (bucket 10..25 ms) and 10 of 3 s (bucket 2..4 s).
    fast = StatsCounts.of(answered(20, 90))
    slow = StatsCounts.of(answered(3000, 10))
    both = fast + slow
    assert both.queries == 100 and both.asked == 100
    p50, p95 = both.percentile_ms(0.5), both.percentile_ms(0.95)
    assert p50 is not None and 10 < p50 <= 25
    assert p95 is not None and 2000 < p95 <= 4000
    assert both.mean_ms == pytest.approx((90 * 20 + 10 * 3000) / 100)
    # Past the last bound the quantile is the bound itself (shown as "more than 10 s").
    assert StatsCounts.of(answered(30_000)).percentile_ms(0.95) == STATS_LATENCY_BOUNDS_MS[-1]


def test_adds_add_up_and_read_back_per_minute_15_minutes_and_hour(store: Store) -> None:
    assert store.source_stats.add({}) == 0
    store.source_stats.add(
        {
            (HOUR, A, "vacature"): answered(20),
            (HOUR, A, "werkzoekende"): values(queries=1, timeout=1, latency_sum_ms=4000),
            (HOUR + 1, A, "vacature"): values(queries=1, suspended=1),
            (HOUR + 20, B, "vacature"): values(queries=1, invalid=1, invalid_records=3),
        }
    )
    # The same minute again: the counts are added, not replaced.
    store.source_stats.add({(HOUR, A, "vacature"): answered(40)})

    per_minute = store.source_stats.series(HOUR, HOUR + 60)
    assert [(p.source, p.start - HOUR) for p in per_minute] == [(A, 0), (A, 1), (B, 20)]
    first = per_minute[0].counts
    assert (first.queries, first.answered, first.timeout) == (3, 2, 1)
    assert first.latency_sum_ms == pytest.approx(4060) and sum(first.buckets) == 2
    assert per_minute[1].counts.suspended == 1 and per_minute[1].counts.asked == 0

    quarters = store.source_stats.series(HOUR, HOUR + 60, 15)
    assert [(p.source, p.start - HOUR, p.counts.queries) for p in quarters] == [
        (A, 0, 4),
        (B, 15, 1),
    ]
    hours = store.source_stats.series(HOUR - 60, HOUR + 120, 60, source=B)
    assert [(p.start, p.counts.invalid_records) for p in hours] == [(HOUR, 3)]
    only_profiles = store.source_stats.series(HOUR, HOUR + 60, kind="werkzoekende")
    assert [(p.source, p.counts.timeout) for p in only_profiles] == [(A, 1)]

    totals = store.source_stats.totals(HOUR, HOUR + 60)
    assert set(totals) == {A, B}
    assert (totals[A].queries, totals[A].answered, totals[A].suspended) == (4, 2, 1)
    assert (totals[B].invalid, totals[B].errors, totals[B].invalid_records) == (1, 1, 3)
    # Minutes outside the window are not counted.
    assert store.source_stats.totals(HOUR + 2, HOUR + 20) == {}


def test_purge_deletes_only_older_minutes(store: Store) -> None:
    store.source_stats.add({(m, A, "vacature"): answered(10) for m in range(T0, T0 + 5)})
    assert store.source_stats.purge(T0 + 3) == 3
    assert [p.start for p in store.source_stats.series(0, T0 + 10)] == [T0 + 3, T0 + 4]
    assert store.source_stats.purge(T0) == 0


def test_workers_adding_to_the_same_minutes_at_once_add_up_exactly(
    store: Store, race: Race
) -> None:
    rounds = 15
    assert race(stats_workers.add_stats, store.url, rounds) == [rounds] * workers.COUNT
    expected = rounds * workers.COUNT
    per_row = [
        p.counts
        for kind in ("vacature", "werkzoekende")
        for p in store.source_stats.series(0, 2000, kind=kind)
    ]
    assert len(per_row) == len(stats_workers.KEYS)
    for counts in per_row:
        assert (counts.queries, counts.answered) == (expected, expected)
        assert counts.invalid_records == 2 * expected
        assert counts.latency_sum_ms == pytest.approx(7.5 * expected)
        assert counts.buckets[bucket_index(7.5)] == expected and sum(counts.buckets) == expected
