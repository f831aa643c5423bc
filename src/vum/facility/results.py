# SPDX-License-Identifier: EUPL-1.2
"""Result sets in the store, shared by every worker process: details counted atomically, purged after retention.

VUM: results are kept 7 days so details can be fetched later, and a query allows at most 10
detail requests. Several worker processes serve one facility, so the count lives in the
database and is taken by one conditional UPDATE; no process can push it past the limit.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import orjson

from vum.facility.service import ResultSet, ResultSets
from vum.standard.kinds import Kind
from vum.store import Store
from vum.store.database import RawJson

if TYPE_CHECKING:
    from vum.facility.metrics import AuditSink


class StoreResultSets:
    """The facility's :class:`~vum.facility.service.ResultSets` over ``store.result_sets``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save(self, result_set: ResultSet) -> None:
        self.store.result_sets.save(
            result_set.vraag_id,
            result_set.kind.value,
            result_set.party,
            result_set.created_at,
            # Stored as the answer wrote it: not parsed into a tree to be written again.
            RawJson(result_set.matches_json.decode("utf-8")),
            result_set.sources,
            result_set.details_used,
        )

    def get(self, vraag_id: str) -> ResultSet | None:
        row = self.store.result_sets.get(vraag_id)
        if row is None:
            return None
        return ResultSet(
            vraag_id=row.vraag_id,
            kind=Kind(row.kind),
            party=row.party,
            created_at=row.created_at,
            matches_json=orjson.dumps(row.matches),
            sources=row.sources,
            details_used=row.details_used,
        )

    def use_detail(self, vraag_id: str, limit: int) -> int | None:
        """Count one detail request; the new count, or None when ``limit`` was already reached."""
        return self.store.result_sets.use_detail(vraag_id, limit)

    def purge(self, older_than: dt.datetime) -> int:
        """Delete result sets created before ``older_than``; returns how many."""
        return self.store.result_sets.purge(older_than)


log = logging.getLogger("vum.facility.results")


def purge_expired(
    results: ResultSets,
    retention: dt.timedelta,
    *,
    audit: AuditSink | None = None,
    by: str = "facility",
) -> int:
    """Purge what is past ``retention`` now; returns how many (the hourly job and the CLI).

    A purge that removed something is audited: deleting data is itself a processing.
    """
    now = dt.datetime.now(dt.UTC)
    count = results.purge(now - retention)
    log.info("purged %d result sets older than %s", count, retention)
    if count and audit is not None:
        audit.record(
            {
                "operation": "results.purge",
                "user": by,
                "start": now.isoformat(timespec="milliseconds"),
                "status": "ok",
                "purged": count,
                "retentionDays": retention.total_seconds() / 86400,
            }
        )
    return count
