# SPDX-License-Identifier: EUPL-1.2
"""The metrics history: every query's per-source outcomes counted per minute, flushed to the store.

Issue 7: Prometheus keeps what one process saw; the portal's operations pages need the traffic
of every worker over the last hour and day. :meth:`StatsRecorder.observe` is on the hot path (a
dict update per source per query, under an uncontended lock); :meth:`StatsRecorder.run` writes
what was counted every few seconds in a worker thread, adding it to ``source_stats`` (so the
counts of all workers add up), and purges minutes older than the retention once an hour. At
shutdown the facility flushes once more. Counts that could not be written are kept and retried.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence

from vum.facility.fanout import SourceOutcome
from vum.standard.kinds import Kind
from vum.store import Store
from vum.store.source_stats import VALUE_COLUMNS, StatsKey, bucket_index, minute_of

log = logging.getLogger("vum.facility.stats")

#: Index of each status's counter in a row of :data:`VALUE_COLUMNS`.
_STATUS = {
    name: VALUE_COLUMNS.index(name)
    for name in ("answered", "timeout", "failed", "invalid", "suspended")
}
_QUERIES = VALUE_COLUMNS.index("queries")
_RECORDS = VALUE_COLUMNS.index("records")
_INVALID_RECORDS = VALUE_COLUMNS.index("invalid_records")
_LATENCY_SUM = VALUE_COLUMNS.index("latency_sum_ms")
_FIRST_BUCKET = _LATENCY_SUM + 1
#: Rows kept in memory while the store cannot be written: about a day of 20 sources x 2 kinds.
_MAX_PENDING = 60_000


class StatsRecorder:
    """Counts per (minute, source, kind) in memory; :meth:`flush` adds them to the store."""

    def __init__(
        self,
        store: Store,
        *,
        interval_s: float = 5.0,
        retention_s: float = 8 * 86400.0,
        purge_every_s: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.interval_s = interval_s
        self.retention_s = retention_s
        self.purge_every_s = purge_every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[StatsKey, list[float]] = {}
        # Writes happen in one thread at a time (the flush loop, or shutdown after it stopped).
        self._flushing = threading.Lock()
        self._purged_at = float("-inf")

    def observe(self, kind: Kind, outcomes: Sequence[SourceOutcome]) -> None:
        """Count one query's outcomes (called on the event loop for every query)."""
        minute = minute_of(self._clock())
        with self._lock:
            pending = self._pending
            for o in outcomes:
                key = (minute, o.source.oin, kind.value)
                row = pending.get(key)
                if row is None:
                    row = pending[key] = [0.0] * len(VALUE_COLUMNS)
                row[_QUERIES] += 1
                row[_STATUS[o.status]] += 1
                row[_RECORDS] += len(o.matches)
                row[_INVALID_RECORDS] += o.invalid_records
                if o.status != "suspended":  # a suspended source was not asked: no latency
                    row[_LATENCY_SUM] += o.elapsed_ms
                    row[_FIRST_BUCKET + bucket_index(o.elapsed_ms)] += 1

    def pending(self) -> int:
        """Rows counted and not yet written."""
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Add what was counted to the store (blocking: call it off the event loop); rows written.

        When the store cannot be written, the counts go back into memory for the next flush.
        """
        with self._flushing:
            with self._lock:
                taken, self._pending = self._pending, {}
            if not taken:
                return 0
            try:
                return self.store.source_stats.add(taken)
            except Exception:
                with self._lock:
                    for key, values in taken.items():
                        row = self._pending.setdefault(key, [0.0] * len(VALUE_COLUMNS))
                        for i, value in enumerate(values):
                            row[i] += value
                    if len(self._pending) > _MAX_PENDING:
                        for key in sorted(self._pending)[: len(self._pending) - _MAX_PENDING]:
                            del self._pending[key]
                raise

    def purge(self) -> int:
        """Delete the minutes older than the retention; rows deleted."""
        cutoff = minute_of(self._clock() - self.retention_s)
        return self.store.source_stats.purge(cutoff)

    def _tick(self) -> None:
        try:
            self.flush()
        except Exception:
            log.exception("metrics history not written; kept for the next attempt")
        now = time.monotonic()
        if now - self._purged_at >= self.purge_every_s:
            self._purged_at = now
            try:
                self.purge()
            except Exception:
                log.exception("purging the metrics history failed; retrying in an hour")

    async def run(self) -> None:
        """Flush every ``interval_s`` until cancelled (a task of the facility's lifespan)."""
        while True:
            await asyncio.sleep(self.interval_s)
            await asyncio.to_thread(self._tick)

    async def close(self) -> None:
        """The last flush, at shutdown (after :meth:`run` was cancelled)."""
        try:
            await asyncio.to_thread(self.flush)
        except Exception:
            log.exception("metrics history not written at shutdown; %d rows lost", self.pending())
