# SPDX-License-Identifier: EUPL-1.2
"""Suspend sources that keep failing, and probe them again after a growing back-off (SearXNG-style)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Breaker(Protocol):
    """What the fan-out, the API and /metrics ask of a circuit breaker (in-process or shared)."""

    def allow(self, source: str) -> bool: ...

    def record(self, source: str, ok: bool) -> None: ...

    def suspended(self, source: str) -> bool: ...

    def snapshot(self) -> dict[str, dict[str, float]]: ...


@dataclass
class _State:
    failures: int = 0
    suspended_until: float = 0.0
    backoff_s: float = 0.0
    probing: bool = False


class CircuitBreaker:
    """Per source: after ``threshold`` consecutive failures, skip it for a back-off period that
    doubles on every failed probe (up to ``max_backoff_s``); one success closes it again."""

    def __init__(
        self,
        threshold: int = 3,
        backoff_s: float = 30.0,
        max_backoff_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.base_backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._clock = clock
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def allow(self, source: str) -> bool:
        """May the source be asked now? After the back-off, one probe goes through."""
        with self._lock:
            state = self._states.get(source)
            if state is None or state.suspended_until == 0.0:
                return True
            if self._clock() >= state.suspended_until and not state.probing:
                state.probing = True
                return True
            return False

    def record(self, source: str, ok: bool) -> None:
        with self._lock:
            state = self._states.setdefault(source, _State())
            if ok:
                self._states[source] = _State()
                return
            state.failures += 1
            was_probe = state.probing
            state.probing = False
            state.suspended_until, state.backoff_s = self.after_failure(
                state.failures, was_probe, state.suspended_until, state.backoff_s, self._clock()
            )

    def after_failure(
        self, failures: int, was_probe: bool, suspended_until: float, backoff_s: float, now: float
    ) -> tuple[float, float]:
        """``(suspended_until, backoff_s)`` once a source has failed ``failures`` times in a row.

        Failures of calls that were in flight when the source was suspended neither extend nor
        double the suspension; only a failed probe or a fresh opening does. The shared breaker
        applies the same rule to the state it keeps in the store.
        """
        if was_probe or (failures >= self.threshold and suspended_until <= now):
            backoff_s = min(max(backoff_s * 2, self.base_backoff_s), self.max_backoff_s)
            return now + backoff_s, backoff_s
        return suspended_until, backoff_s

    def suspended(self, source: str) -> bool:
        with self._lock:
            state = self._states.get(source)
            return bool(state and state.suspended_until > self._clock())

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Per source: consecutive failures and seconds until the next probe (for /metrics)."""
        now = self._clock()
        with self._lock:
            return {
                oin: {
                    "failures": float(s.failures),
                    "suspended_for_s": max(0.0, s.suspended_until - now),
                }
                for oin, s in self._states.items()
            }
