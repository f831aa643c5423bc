# SPDX-License-Identifier: EUPL-1.2
"""SQL for the facility's result sets: kept for the retention period, details counted atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, RawJson, as_utc
from vum.store.schema import result_sets

_S = result_sets.c


@dataclass(frozen=True)
class ResultSetRow:
    """One query's answer as stored."""

    vraag_id: str
    kind: str
    party: str
    created_at: dt.datetime
    matches: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    details_used: int


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite keeps timestamps as text without a zone: bind everything in UTC, so comparisons
    # between stored and given times are between like and like.
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class ResultSetRepository:
    """Save, read, count a detail (one conditional UPDATE), purge."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(
        self,
        vraag_id: str,
        kind: str,
        party: str,
        created_at: dt.datetime,
        matches: Sequence[dict[str, Any]] | RawJson,
        sources: Sequence[dict[str, Any]],
        details_used: int = 0,
    ) -> None:
        with self._db.write() as conn:
            conn.execute(
                result_sets.insert().values(
                    vraag_id=vraag_id,
                    kind=kind,
                    party=party,
                    created_at=_utc(created_at),
                    # JSON written already (the answer's array) is stored as it is.
                    matches=matches if isinstance(matches, RawJson) else list(matches),
                    sources=list(sources),
                    details_used=details_used,
                )
            )

    def get(self, vraag_id: str) -> ResultSetRow | None:
        with self._db.read() as conn:
            found = conn.execute(sa.select(result_sets).where(_S.vraag_id == vraag_id)).first()
        if found is None:
            return None
        m = found._mapping
        created = as_utc(m["created_at"])
        assert created is not None
        return ResultSetRow(
            vraag_id=str(m["vraag_id"]),
            kind=str(m["kind"]),
            party=str(m["party"]),
            created_at=created,
            matches=list(m["matches"] or []),
            sources=list(m["sources"] or []),
            details_used=int(m["details_used"]),
        )

    def use_detail(self, vraag_id: str, limit: int) -> int | None:
        """Count one detail request unless ``limit`` is reached; the new count, or None.

        One conditional UPDATE decides: the database serialises it across threads and worker
        processes, so at most ``limit`` calls ever succeed, however many race. (PostgreSQL,
        READ COMMITTED: a racing UPDATE waits for the row lock, then checks its WHERE again
        against the count just committed.)
        """
        with self._db.write() as conn:
            result = conn.execute(
                result_sets.update()
                .where(_S.vraag_id == vraag_id, _S.details_used < limit)
                .values(details_used=_S.details_used + 1)
            )
            if result.rowcount != 1:
                return None
            # Still in the same transaction: the row is ours until the commit.
            used = conn.execute(
                sa.select(_S.details_used).where(_S.vraag_id == vraag_id)
            ).scalar_one()
        return int(used)

    def purge(self, older_than: dt.datetime) -> int:
        """Delete result sets created before ``older_than``; returns how many."""
        with self._db.write() as conn:
            result = conn.execute(result_sets.delete().where(_S.created_at < _utc(older_than)))
            return int(result.rowcount)

    def count(self) -> int:
        with self._db.read() as conn:
            stmt = sa.select(sa.func.count()).select_from(result_sets)
            return int(conn.execute(stmt).scalar_one())
