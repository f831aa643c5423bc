# SPDX-License-Identifier: EUPL-1.2
"""SQL for the circuit breaker's state per source, shared by every facility worker and machine.

A row exists only for a source that failed since its last success. Times are wall-clock
seconds since the epoch (every worker reads the same clock source, unlike ``time.monotonic``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from vum.store.database import Database, upsert_insert
from vum.store.schema import source_health

_H = source_health.c
#: ``(suspended_until, backoff_s)`` after a failure
Decision = tuple[float, float]


@dataclass(frozen=True)
class SourceHealth:
    """One source's breaker state."""

    source: str
    failures: int
    #: 0: not suspended; else the source is skipped until then
    suspended_until: float
    #: the back-off of the last suspension (doubles on every failed probe)
    backoff_s: float
    #: >0: one worker holds the probe until then; nobody else asks the source meanwhile
    probe_until: float


def _row(m: sa.RowMapping) -> SourceHealth:
    return SourceHealth(
        source=str(m["source"]),
        failures=int(m["failures"]),
        suspended_until=float(m["suspended_until"]),
        backoff_s=float(m["backoff_s"]),
        probe_until=float(m["probe_until"]),
    )


class SourceHealthRepository:
    """Read all, count a failure (under a row lock), claim the probe (one conditional UPDATE), reset."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> dict[str, SourceHealth]:
        with self._db.read() as conn:
            rows = conn.execute(sa.select(source_health)).mappings().all()
        return {str(m["source"]): _row(m) for m in rows}

    def record_failure(
        self, source: str, now: float, decide: Callable[[int, bool, float, float, float], Decision]
    ) -> SourceHealth:
        """Count one failure; ``decide(failures, was_probe, suspended_until, backoff_s, now)``
        gives the new ``(suspended_until, backoff_s)`` (the breaker's rule, not the store's)."""
        with self._db.write() as conn:
            conn.execute(
                upsert_insert(conn, source_health)
                .values(
                    source=source, failures=0, suspended_until=0.0, backoff_s=0.0, probe_until=0.0
                )
                .on_conflict_do_nothing(index_elements=["source"])
            )
            # The row lock (PostgreSQL; SQLite's write transaction is already exclusive) makes
            # read-compute-write one step across workers: no failure is lost, none counted twice.
            m = (
                conn.execute(sa.select(source_health).where(_H.source == source).with_for_update())
                .mappings()
                .one()
            )
            state = _row(m)
            failures = state.failures + 1
            suspended_until, backoff = decide(
                failures, state.probe_until > 0, state.suspended_until, state.backoff_s, now
            )
            conn.execute(
                source_health.update()
                .where(_H.source == source)
                .values(
                    failures=failures,
                    suspended_until=suspended_until,
                    backoff_s=backoff,
                    probe_until=0.0,
                )
            )
        return SourceHealth(source, failures, suspended_until, backoff, 0.0)

    def claim_probe(self, source: str, now: float, hold_s: float) -> bool:
        """Take the one probe of a source whose suspension has ended; False if another has it."""
        with self._db.write() as conn:
            result = conn.execute(
                source_health.update()
                .where(
                    _H.source == source,
                    _H.suspended_until > 0,
                    _H.suspended_until <= now,
                    _H.probe_until <= now,
                )
                .values(probe_until=now + hold_s)
            )
            return result.rowcount == 1

    def reset(self, source: str) -> None:
        """A success: the source is healthy again everywhere."""
        with self._db.write() as conn:
            conn.execute(source_health.delete().where(_H.source == source))
