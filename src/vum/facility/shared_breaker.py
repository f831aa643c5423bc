# SPDX-License-Identifier: EUPL-1.2
"""The circuit breaker kept in the store, so every worker and machine suspends a failing source together.

Each worker keeps a copy of the (small) ``source_health`` table and refreshes it at most every
``refresh_s``: deciding whether to ask a source costs no database round trip on the hot path.
Failures are counted in the database under a row lock, so the threshold is exact across
workers; a suspension reaches the other workers within ``refresh_s``. When a back-off ends,
exactly one worker wins the probe (a conditional UPDATE), as one process did before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from vum.facility.breaker import CircuitBreaker
from vum.store import SourceHealth, Store

log = logging.getLogger("vum.facility.breaker")


class SharedCircuitBreaker:
    """:class:`~vum.facility.breaker.CircuitBreaker`'s interface over ``store.source_health``."""

    def __init__(
        self,
        store: Store,
        threshold: int = 3,
        backoff_s: float = 30.0,
        max_backoff_s: float = 600.0,
        *,
        refresh_s: float = 1.0,
        probe_hold_s: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        # The same rule as a breaker in one process; only where the state lives differs.
        self._rule = CircuitBreaker(threshold, backoff_s, max_backoff_s)
        self.refresh_s = refresh_s
        # A probe that never reports back (the worker died) is given up after this long.
        self.probe_hold_s = probe_hold_s
        self._clock = clock
        self._lock = threading.Lock()
        self._states: dict[str, SourceHealth] = {}
        self._read_at = float("-inf")
        self._probing: set[str] = set()
        #: failures applied here whose write to the store has not returned yet, per source
        self._unwritten: dict[str, int] = {}
        # Writes leave the event loop: one thread keeps them in order.
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="vum-breaker")
        self._pending: list[Future[None]] = []

    def _fresh(self) -> dict[str, SourceHealth]:
        now = time.monotonic()
        if now - self._read_at >= self.refresh_s:
            try:
                states = self.store.source_health.all()
            except Exception:  # the store is down: keep the last known state
                log.exception("breaker state unreadable; keeping the last known state")
                states = self._states
            with self._lock:
                # A failure of this worker's whose write has not landed yet stays as applied.
                unwritten = {
                    source: self._states[source]
                    for source in self._unwritten
                    if source in self._states
                }
                self._states, self._read_at = {**states, **unwritten}, now
        return self._states

    def allow(self, source: str) -> bool:
        """May the source be asked now? After the back-off, one probe goes through, in one worker."""
        state = self._fresh().get(source)
        if state is None or state.suspended_until == 0.0:
            return True
        now = self._clock()
        if now < state.suspended_until or now < state.probe_until:
            return False
        try:
            won = self.store.source_health.claim_probe(source, now, self.probe_hold_s)
        except Exception:
            log.exception("probe claim failed for %s", source)
            return False
        with self._lock:
            if won:
                self._probing.add(source)
            # Until the next refresh, this worker sees the probe as held (by itself or another).
            self._states[source] = SourceHealth(
                source,
                state.failures,
                state.suspended_until,
                state.backoff_s,
                now + self.probe_hold_s,
            )
        return won

    def record(self, source: str, ok: bool) -> None:
        """Count the outcome of one call; the database write happens off the caller's thread."""
        with self._lock:
            known = self._states.get(source)
            was_probe = source in self._probing
            self._probing.discard(source)
            if ok:
                if known is None and not was_probe:
                    return  # healthy and known healthy: nothing to write (the common case)
                self._states.pop(source, None)
        if ok:
            self._submit(lambda: self.store.source_health.reset(source))
            return

        def fail() -> None:
            try:
                state = self.store.source_health.record_failure(
                    source, self._clock(), self._rule.after_failure
                )
                with self._lock:
                    self._states[source] = state
            finally:
                with self._lock:
                    self._unwritten[source] -= 1
                    if not self._unwritten[source]:
                        del self._unwritten[source]

        # This worker applies its own failure at once, without waiting for the write: the very
        # next query must not ask a source this failure suspended. The store's count (every
        # worker's failures) replaces it when the write returns.
        now = self._clock()
        with self._lock:
            base = self._states.get(source) or SourceHealth(source, 0, 0.0, 0.0, 0.0)
            failures = base.failures + 1
            until, backoff = self._rule.after_failure(
                failures, base.probe_until > 0, base.suspended_until, base.backoff_s, now
            )
            self._states[source] = SourceHealth(source, failures, until, backoff, 0.0)
            self._unwritten[source] = self._unwritten.get(source, 0) + 1
        self._submit(fail)

    def _submit(self, write: Callable[[], None]) -> None:
        def run() -> None:
            try:
                write()
            except Exception:
                log.exception("breaker state not written")

        future = self._writer.submit(run)
        with self._lock:
            self._pending = [f for f in self._pending if not f.done()]
            self._pending.append(future)

    def flush(self) -> None:
        """Wait for the writes submitted so far (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result()

    def suspended(self, source: str) -> bool:
        state = self._fresh().get(source)
        return bool(state and state.suspended_until > self._clock())

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Per source: consecutive failures and seconds until the next probe (for /metrics)."""
        now = self._clock()
        return {
            oin: {
                "failures": float(s.failures),
                "suspended_for_s": max(0.0, s.suspended_until - now),
            }
            for oin, s in self._fresh().items()
        }

    def close(self) -> None:
        self.flush()
        self._writer.shutdown(wait=True)
