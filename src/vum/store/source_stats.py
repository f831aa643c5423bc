# SPDX-License-Identifier: EUPL-1.2
"""SQL for the metrics history per source: counts added per minute by every worker, read as series.

A row is one minute (whole minutes since the epoch, UTC), one source and one kind. Workers add
their counts with one ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` per row, so
the rows of several workers and machines add up exactly. Latency is kept as a sum and as
histogram bucket counts (:data:`~vum.store.schema.STATS_LATENCY_BOUNDS_MS`): the p50 or p95 of
an hour or a day is read from the summed buckets, as Prometheus' ``histogram_quantile`` does.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, upsert_insert
from vum.store.schema import (
    STATS_COUNT_COLUMNS,
    STATS_LATENCY_BOUNDS_MS,
    STATS_LATENCY_COLUMNS,
    source_stats,
)

_S = source_stats.c
#: The columns a worker adds to, in this order (what :meth:`SourceStatsRepository.add` takes).
VALUE_COLUMNS: tuple[str, ...] = (*STATS_COUNT_COLUMNS, "latency_sum_ms", *STATS_LATENCY_COLUMNS)
#: A row's key: (minute since the epoch, source OIN, kind).
StatsKey = tuple[int, str, str]


def minute_of(seconds: float) -> int:
    """The minute (since the epoch) that wall-clock ``seconds`` fall in."""
    return int(seconds // 60)


def bucket_index(elapsed_ms: float) -> int:
    """The histogram bucket of one latency: the first bound it does not exceed, else the last."""
    return bisect_left(STATS_LATENCY_BOUNDS_MS, elapsed_ms)


@dataclass(frozen=True)
class StatsCounts:
    """What a source did over some minutes: outcomes by status, invalid records, latency."""

    queries: int = 0
    answered: int = 0
    timeout: int = 0
    failed: int = 0
    invalid: int = 0
    suspended: int = 0
    #: valid summaries kept from its answers (at most 100 a query)
    records: int = 0
    invalid_records: int = 0
    latency_sum_ms: float = 0.0
    #: per bucket of :data:`STATS_LATENCY_BOUNDS_MS` (and the one above it): how many queries
    buckets: tuple[int, ...] = field(default=(0,) * len(STATS_LATENCY_COLUMNS))

    @classmethod
    def of(cls, values: Sequence[Any]) -> StatsCounts:
        """From values in :data:`VALUE_COLUMNS` order."""
        n = len(STATS_COUNT_COLUMNS)
        counts = {name: int(v or 0) for name, v in zip(STATS_COUNT_COLUMNS, values, strict=False)}
        return cls(
            **counts,
            latency_sum_ms=float(values[n] or 0.0),
            buckets=tuple(int(v or 0) for v in values[n + 1 :]),
        )

    def __add__(self, other: StatsCounts) -> StatsCounts:
        return StatsCounts(
            self.queries + other.queries,
            self.answered + other.answered,
            self.timeout + other.timeout,
            self.failed + other.failed,
            self.invalid + other.invalid,
            self.suspended + other.suspended,
            self.records + other.records,
            self.invalid_records + other.invalid_records,
            self.latency_sum_ms + other.latency_sum_ms,
            tuple(a + b for a, b in zip(self.buckets, other.buckets, strict=True)),
        )

    @property
    def asked(self) -> int:
        """Queries the source was actually asked (a suspended source is skipped)."""
        return self.queries - self.suspended

    @property
    def errors(self) -> int:
        """Failed calls and unusable answers (timeouts are counted apart)."""
        return self.failed + self.invalid

    @property
    def invalid_share(self) -> float | None:
        """Of the records the source sent, the part that failed validation (None: none sent)."""
        sent = self.records + self.invalid_records
        return self.invalid_records / sent if sent else None

    @property
    def mean_ms(self) -> float | None:
        timed = sum(self.buckets)
        return self.latency_sum_ms / timed if timed else None

    def percentile_ms(self, q: float) -> float | None:
        """The ``q`` quantile (0..1) of the latency, interpolated within its bucket.

        A quantile in the last bucket (above 10 s) is reported as that bucket's lower bound.
        """
        total = sum(self.buckets)
        if not total:
            return None
        rank = q * total
        seen = 0
        for i, count in enumerate(self.buckets):
            if count and seen + count >= rank:
                if i == len(STATS_LATENCY_BOUNDS_MS):
                    return float(STATS_LATENCY_BOUNDS_MS[-1])
                low = 0.0 if i == 0 else float(STATS_LATENCY_BOUNDS_MS[i - 1])
                high = float(STATS_LATENCY_BOUNDS_MS[i])
                return low + (high - low) * max(rank - seen, 0.0) / count
            seen += count
        return float(STATS_LATENCY_BOUNDS_MS[-1])


@dataclass(frozen=True)
class StatsPoint:
    """One source's counts over ``step`` minutes from minute ``start``."""

    source: str
    start: int
    counts: StatsCounts


def _sums() -> list[sa.ColumnElement[Any]]:
    return [sa.func.sum(_S[name]).label(name) for name in VALUE_COLUMNS]


class SourceStatsRepository:
    """Add per-minute counts (an upsert that adds), read series and totals, purge old minutes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, rows: Mapping[StatsKey, Sequence[float]]) -> int:
        """Add each row's values (in :data:`VALUE_COLUMNS` order) to its minute; rows written."""
        if not rows:
            return 0
        # One order for every writer: on PostgreSQL, workers adding to the same rows take their
        # row locks in the same order and never deadlock.
        params = [
            {
                "minute": key[0],
                "source": key[1],
                "kind": key[2],
                **dict(zip(VALUE_COLUMNS, values, strict=True)),
            }
            for key, values in sorted(rows.items())
        ]
        with self._db.write() as conn:
            insert = upsert_insert(conn, source_stats)
            stmt = insert.on_conflict_do_update(
                index_elements=["minute", "source", "kind"],
                set_={name: _S[name] + insert.excluded[name] for name in VALUE_COLUMNS},
            )
            conn.execute(stmt, params)
        return len(params)

    def series(
        self,
        since: int,
        until: int,
        step: int = 1,
        *,
        source: str | None = None,
        kind: str | None = None,
    ) -> list[StatsPoint]:
        """Per source and per ``step`` minutes (aligned to the epoch), minutes ``since <= m < until``.

        Only steps with traffic have a point; the caller fills the gaps.
        """
        if step < 1:
            raise ValueError("step must be at least one minute")
        start = (_S.minute - _S.minute % step).label("start")
        stmt = (
            sa.select(_S.source, start, *_sums())
            .where(_S.minute >= since, _S.minute < until)
            .group_by(_S.source, start)
            .order_by(_S.source, start)
        )
        if source is not None:
            stmt = stmt.where(_S.source == source)
        if kind is not None:
            stmt = stmt.where(_S.kind == kind)
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return [StatsPoint(str(r[0]), int(r[1]), StatsCounts.of(r[2:])) for r in rows]

    def totals(self, since: int, until: int, *, kind: str | None = None) -> dict[str, StatsCounts]:
        """Per source: the sums over minutes ``since <= m < until``."""
        stmt = (
            sa.select(_S.source, *_sums())
            .where(_S.minute >= since, _S.minute < until)
            .group_by(_S.source)
            .order_by(_S.source)
        )
        if kind is not None:
            stmt = stmt.where(_S.kind == kind)
        with self._db.read() as conn:
            rows = conn.execute(stmt).all()
        return {str(r[0]): StatsCounts.of(r[1:]) for r in rows}

    def purge(self, before: int) -> int:
        """Delete the minutes before ``before``; how many rows went."""
        with self._db.write() as conn:
            result = conn.execute(source_stats.delete().where(_S.minute < before))
            return int(result.rowcount or 0)
