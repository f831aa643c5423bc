# SPDX-License-Identifier: EUPL-1.2
"""A dataset version as the store hands it out, and the SELECT that reads one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vum.store.database import as_utc
from vum.store.schema import VersionStatus, dataset_versions, datasets

_D = datasets.c


@dataclass(frozen=True)
class VersionRow:
    """One version of one party's dataset of one kind."""

    id: int
    dataset_id: int
    party: str
    kind: str
    number: int
    status: VersionStatus
    mode: str
    created_at: dt.datetime
    activated_at: dt.datetime | None
    demoted_at: dt.datetime | None
    record_count: int
    source_name: str
    checksum: str
    quality: dict[str, Any] | None
    base_version_id: int | None
    owner: str
    heartbeat_at: dt.datetime | None
    error: str | None

    def as_dict(self, *, with_quality: bool = False) -> dict[str, Any]:
        """JSON-serialisable form (timestamps as ISO 8601)."""
        out: dict[str, Any] = {
            "id": self.id,
            "party": self.party,
            "kind": self.kind,
            "number": self.number,
            "status": self.status.value,
            "mode": self.mode,
            "created_at": self.created_at.isoformat(),
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
            "record_count": self.record_count,
            "source_name": self.source_name,
            "checksum": self.checksum,
            "score": (self.quality or {}).get("score"),
        }
        if self.error:
            out["error"] = self.error
        if with_quality:
            out["quality"] = self.quality
        return out


_COLUMNS = (*dataset_versions.c, _D.party, _D.kind)


def select_versions() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).select_from(dataset_versions.join(datasets))


def row_of(row: sa.Row[Any]) -> VersionRow:
    m = row._mapping
    created = as_utc(m["created_at"])
    assert created is not None
    return VersionRow(
        id=m["id"],
        dataset_id=m["dataset_id"],
        party=m["party"],
        kind=m["kind"],
        number=m["number"],
        status=VersionStatus(m["status"]),
        mode=m["mode"],
        created_at=created,
        activated_at=as_utc(m["activated_at"]),
        demoted_at=as_utc(m["demoted_at"]),
        record_count=m["record_count"],
        source_name=m["source_name"],
        checksum=m["checksum"],
        quality=m["quality"],
        base_version_id=m["base_version_id"],
        owner=m["owner"],
        heartbeat_at=as_utc(m["heartbeat_at"]),
        error=m["error"],
    )
