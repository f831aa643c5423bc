# SPDX-License-Identifier: EUPL-1.2
"""The shared circuit breaker: two workers (two breakers on one store) suspend and probe as one."""

from __future__ import annotations

import threading

import pytest

from tests.store import workers
from tests.store.workers import Race
from vum.facility.breaker import CircuitBreaker
from vum.facility.shared_breaker import SharedCircuitBreaker
from vum.store import Store

SOURCE = "00000001000000000001"


class Clock:
    """Wall-clock stand-in that the test moves forward."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def two_workers(store: Store, clock: Clock) -> tuple[SharedCircuitBreaker, SharedCircuitBreaker]:
    def make() -> SharedCircuitBreaker:
        return SharedCircuitBreaker(
            store, threshold=3, backoff_s=30, max_backoff_s=600, refresh_s=0.0, clock=clock
        )

    return make(), make()


def fail(breaker: SharedCircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        breaker.record(SOURCE, False)
    breaker.flush()


def test_failures_in_two_workers_add_up_and_suspend_the_source_for_both(store: Store) -> None:
    clock = Clock()
    a, b = two_workers(store, clock)
    fail(a)
    fail(b)
    assert a.allow(SOURCE) and b.allow(SOURCE)  # two failures: not yet
    fail(a)  # the third, counted across both workers
    assert a.suspended(SOURCE) and b.suspended(SOURCE)
    assert not a.allow(SOURCE) and not b.allow(SOURCE)
    assert b.snapshot()[SOURCE] == {"failures": 3.0, "suspended_for_s": 30.0}


def test_after_the_backoff_exactly_one_worker_probes(store: Store) -> None:
    clock = Clock()
    a, b = two_workers(store, clock)
    fail(a, 3)
    clock.now += 31
    assert [a.allow(SOURCE), b.allow(SOURCE)].count(True) == 1
    # The probe fails: suspended again for twice as long, for both.
    prober = a if SOURCE in a._probing else b
    fail(prober)
    assert a.suspended(SOURCE) and b.suspended(SOURCE)
    assert a.snapshot()[SOURCE]["suspended_for_s"] == 60.0
    clock.now += 61
    assert [b.allow(SOURCE), a.allow(SOURCE)].count(True) == 1
    prober = a if SOURCE in a._probing else b
    prober.record(SOURCE, True)
    prober.flush()
    # One success closes it everywhere.
    assert store.source_health.all() == {}
    assert a.allow(SOURCE) and b.allow(SOURCE) and not a.suspended(SOURCE)


def test_a_probe_whose_worker_died_is_given_up(store: Store) -> None:
    clock = Clock()
    a, b = two_workers(store, clock)
    fail(a, 3)
    clock.now += 31
    assert a.allow(SOURCE)  # a takes the probe and never reports back
    assert not b.allow(SOURCE)
    clock.now += a.probe_hold_s + 1
    assert b.allow(SOURCE)


@pytest.mark.parametrize("breaker", ["shared", "local"])
def test_calls_in_flight_when_suspended_do_not_extend_the_suspension(
    store: Store, breaker: str
) -> None:
    clock = Clock()
    b: SharedCircuitBreaker | CircuitBreaker
    if breaker == "shared":
        b = two_workers(store, clock)[0]
    else:
        b = CircuitBreaker(threshold=3, backoff_s=30, max_backoff_s=600, clock=clock)
    for _ in range(3 + 17):  # 20 queries were under way when the source went down
        b.record(SOURCE, False)
    if isinstance(b, SharedCircuitBreaker):
        b.flush()
    assert b.snapshot()[SOURCE] == {"failures": 20.0, "suspended_for_s": 30.0}


def test_healthy_answers_write_nothing(store: Store) -> None:
    a, _ = two_workers(store, Clock())
    for _ in range(50):
        a.record(SOURCE, True)
    a.flush()
    assert a._pending == [] and store.source_health.all() == {}


def test_failures_racing_from_processes_are_all_counted(store_url: str, race: Race) -> None:
    Store(store_url).close()
    seen = race(workers.source_failures, store_url, SOURCE, 25)
    with Store(store_url) as store:
        assert store.source_health.all()[SOURCE].failures == 25 * workers.COUNT
    assert max(seen) == 25 * workers.COUNT


def test_a_worker_suspends_at_once_while_its_writes_are_still_under_way(store: Store) -> None:
    # The failure that opens the breaker must keep the very next query of the same worker from
    # asking the source, however long the store takes to write it (and a refresh from the store
    # meanwhile must not bring back the state from before it).
    clock = Clock()
    a, b = two_workers(store, clock)
    gate = threading.Event()
    a._writer.submit(gate.wait)  # the store is slow: a's writes queue behind this
    try:
        for _ in range(3):
            a.record(SOURCE, False)
        # refresh_s=0: every call reads the store, and the unwritten failures are kept anyway
        assert not a.allow(SOURCE) and a.suspended(SOURCE)
        assert b.allow(SOURCE)  # the other worker learns it from the store, once written
    finally:
        gate.set()
    a.flush()
    assert not a.allow(SOURCE) and not b.allow(SOURCE)
    assert a.snapshot()[SOURCE] == {"failures": 3.0, "suspended_for_s": 30.0}
    # A recovery written by another worker reaches this one: nothing of its own is pending.
    clock.now += 31
    assert b.allow(SOURCE)  # b wins the probe
    b.record(SOURCE, True)
    b.flush()
    assert a.allow(SOURCE)
