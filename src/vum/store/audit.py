# SPDX-License-Identifier: EUPL-1.2
"""SQL for the hash-chained audit log: append under the head's lock, read in sequence order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, utcnow
from vum.store.schema import audit_head, audit_log

log = logging.getLogger("vum.store.audit")

_A = audit_log.c
_H = audit_head.c

#: The ``prev_hash`` of the first record.
GENESIS = "0" * 64
_HEAD_ID = 1

#: Column name -> longest value; longer values are cut before hashing, so what is stored is
#: exactly what was hashed (PostgreSQL would otherwise refuse the row and fail the request).
_LIMITS = {
    "trace_id": 32,
    "operation": 50,
    "party": 100,
    "processor": 100,
    "user": 200,
    "processing_activity": 200,
    "kind": 20,
    "source": 100,
    "status": 20,
    "started_at": 40,
    "ended_at": 40,
}


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the same data always gives the same text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of the record's fields)``, hex."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """What a caller hands in; the store adds the sequence number, the time and the hashes."""

    operation: str
    trace_id: str | None = None
    party: str | None = None
    processor: str | None = None
    user: str | None = None
    processing_activity: str | None = None
    kind: str | None = None
    source: str | None = None
    status: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRow:
    """One stored record of the audit log."""

    seq: int
    recorded_at: str
    trace_id: str | None
    operation: str
    party: str | None
    processor: str | None
    user: str | None
    processing_activity: str | None
    kind: str | None
    source: str | None
    status: str | None
    started_at: str | None
    ended_at: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str
    #: the details column as stored (to tell an edited text from an edited value)
    details_text: str = ""

    def fields(self) -> dict[str, Any]:
        """The hashed fields: every column except the two hashes."""
        return {
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "trace_id": self.trace_id,
            "operation": self.operation,
            "party": self.party,
            "processor": self.processor,
            "user": self.user,
            "processing_activity": self.processing_activity,
            "kind": self.kind,
            "source": self.source,
            "status": self.status,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "details": self.details,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.fields(), "prev_hash": self.prev_hash, "hash": self.hash}


def _row(row: sa.Row[Any]) -> AuditRow:
    m = row._mapping
    text = str(m["details"])
    try:
        details = json.loads(text)
    except json.JSONDecodeError:
        # An edited, unreadable details column: verification reports the record as altered.
        details = {"_unreadable": text}
    if not isinstance(details, dict):
        details = {"_unreadable": text}
    return AuditRow(
        seq=int(m["seq"]),
        recorded_at=str(m["recorded_at"]),
        trace_id=m["trace_id"],
        operation=str(m["operation"]),
        party=m["party"],
        processor=m["processor"],
        user=m["user"],
        processing_activity=m["processing_activity"],
        kind=m["kind"],
        source=m["source"],
        status=m["status"],
        started_at=m["started_at"],
        ended_at=m["ended_at"],
        details=details,
        prev_hash=str(m["prev_hash"]),
        hash=str(m["hash"]),
        details_text=text,
    )


def _cut(name: str, value: str | None) -> str | None:
    limit = _LIMITS.get(name)
    if value is None or limit is None:
        return value
    return value[:limit]


def _timestamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AuditFilter:
    """A selection of the audit log for a privacy officer; every part optional, all must hold.

    ``party`` matches the record's party (who asked, or the party a registry change concerned),
    its processor (viaParty) or its source; ``since``/``until`` bound ``recorded_at``
    (``since <= t < until``).
    """

    party: str | None = None
    user: str | None = None
    operation: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        """For the audit record of a look at the log: what was asked for."""
        return {
            "party": self.party,
            "user": self.user,
            "operation": self.operation,
            "since": _timestamp(self.since) if self.since else None,
            "until": _timestamp(self.until) if self.until else None,
        }


def _selected(stmt: sa.Select[Any], selection: AuditFilter) -> sa.Select[Any]:
    if selection.party:
        p = selection.party
        stmt = stmt.where(sa.or_(_A.party == p, _A.processor == p, _A.source == p))
    if selection.user:
        stmt = stmt.where(_A.user == selection.user)
    if selection.operation:
        stmt = stmt.where(_A.operation == selection.operation)
    # recorded_at is the hashed text, always UTC with microseconds: text order is time order.
    if selection.since is not None:
        stmt = stmt.where(_A.recorded_at >= _timestamp(selection.since))
    if selection.until is not None:
        stmt = stmt.where(_A.recorded_at < _timestamp(selection.until))
    return stmt


@dataclass(frozen=True)
class AuditHead:
    """The last record as the head row remembers it (``None`` row: an empty log)."""

    last_seq: int
    last_hash: str


class AuditRepository:
    """Append-only: records are added at the head and read in order; never updated or deleted."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, entry: AuditEntry, conn: sa.Connection | None = None) -> AuditRow:
        """Append one record; in ``conn``'s (write) transaction when given, else in its own."""
        if conn is not None:
            return self._append(conn, entry)
        with self._db.write() as own:
            return self._append(own, entry)

    def _append(self, conn: sa.Connection, entry: AuditEntry) -> AuditRow:
        # The head row is read with a row lock (PostgreSQL: FOR UPDATE; SQLite: the write
        # transaction is BEGIN IMMEDIATE), so concurrent appenders take turns and never fork
        # the chain. Under READ COMMITTED a waiting FOR UPDATE then reads the head as the
        # appender before it committed it, not as it was when this transaction began.
        head = conn.execute(
            sa.select(_H.last_seq, _H.last_hash).where(_H.id == _HEAD_ID).with_for_update()
        ).first()
        if head is None:
            # Made when the store was opened; missing only when it was deleted since. Continue
            # from the last stored row rather than refuse every request; verify reported it.
            log.warning("audit chain head missing; continuing from the last record")
            last = conn.execute(sa.select(_A.seq, _A.hash).order_by(_A.seq.desc()).limit(1)).first()
            last_seq, last_hash = (int(last.seq), str(last.hash)) if last else (0, GENESIS)
            conn.execute(
                audit_head.insert().values(id=_HEAD_ID, last_seq=last_seq, last_hash=last_hash)
            )
        else:
            last_seq, last_hash = int(head.last_seq), str(head.last_hash)
        # Round-trip through JSON: what is hashed is exactly what a reader gets back.
        details = json.loads(canonical_json(_jsonable(entry.details)))
        row = AuditRow(
            seq=last_seq + 1,
            recorded_at=_timestamp(utcnow()),
            trace_id=_cut("trace_id", entry.trace_id),
            operation=_cut("operation", entry.operation) or "",
            party=_cut("party", entry.party),
            processor=_cut("processor", entry.processor),
            user=_cut("user", entry.user),
            processing_activity=_cut("processing_activity", entry.processing_activity),
            kind=_cut("kind", entry.kind),
            source=_cut("source", entry.source),
            status=_cut("status", entry.status),
            started_at=_cut("started_at", entry.started_at),
            ended_at=_cut("ended_at", entry.ended_at),
            details=details,
            prev_hash=last_hash,
            hash="",
            details_text=canonical_json(details),
        )
        digest = chain_hash(last_hash, row.fields())
        values = {**row.fields(), "details": row.details_text}
        conn.execute(audit_log.insert().values(**values, prev_hash=last_hash, hash=digest))
        conn.execute(
            audit_head.update().where(_H.id == _HEAD_ID).values(last_seq=row.seq, last_hash=digest)
        )
        return dataclasses.replace(row, hash=digest)

    def head(self) -> AuditHead | None:
        with self._db.read() as conn:
            found = conn.execute(
                sa.select(_H.last_seq, _H.last_hash).where(_H.id == _HEAD_ID)
            ).first()
        return AuditHead(int(found.last_seq), str(found.last_hash)) if found else None

    def iter_rows(self, *, chunk: int = 2000) -> Iterator[AuditRow]:
        """Every record in sequence order, in pages of ``chunk`` (not one long read)."""
        after = 0
        while True:
            with self._db.read() as conn:
                page = [
                    _row(r)
                    for r in conn.execute(
                        sa.select(audit_log).where(_A.seq > after).order_by(_A.seq).limit(chunk)
                    )
                ]
            yield from page
            if len(page) < chunk:
                return
            after = page[-1].seq

    def latest(
        self,
        limit: int = 20,
        *,
        party: str | None = None,
        operation: str | None = None,
    ) -> list[AuditRow]:
        """The newest ``limit`` records, newest first, optionally for one party or operation."""
        stmt = sa.select(audit_log).order_by(_A.seq.desc()).limit(limit)
        if party is not None:
            stmt = stmt.where(_A.party == party)
        if operation is not None:
            stmt = stmt.where(_A.operation == operation)
        with self._db.read() as conn:
            return [_row(r) for r in conn.execute(stmt)]

    def count(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one())

    def search(self, selection: AuditFilter, *, limit: int = 50, offset: int = 0) -> list[AuditRow]:
        """One page of the records ``selection`` picks, newest first."""
        stmt = sa.select(audit_log).order_by(_A.seq.desc()).limit(limit).offset(offset)
        with self._db.read() as conn:
            return [_row(r) for r in conn.execute(_selected(stmt, selection))]

    def count_matching(self, selection: AuditFilter) -> int:
        stmt = _selected(sa.select(sa.func.count()).select_from(audit_log), selection)
        with self._db.read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def iter_matching(self, selection: AuditFilter, *, chunk: int = 2000) -> Iterator[AuditRow]:
        """Every record ``selection`` picks, in sequence order, in pages of ``chunk``."""
        after = 0
        while True:
            stmt = sa.select(audit_log).where(_A.seq > after).order_by(_A.seq).limit(chunk)
            with self._db.read() as conn:
                page = [_row(r) for r in conn.execute(_selected(stmt, selection))]
            yield from page
            if len(page) < chunk:
                return
            after = page[-1].seq

    def operations(self) -> list[str]:
        """The operations the log holds, sorted (for a filter's choices)."""
        stmt = sa.select(_A.operation).distinct().order_by(_A.operation)
        with self._db.read() as conn:
            return [str(v) for v in conn.execute(stmt).scalars()]


def _jsonable(value: Any) -> Any:
    """Dates and other odd values as text, so any event can be written (and hashed) as JSON."""
    return json.loads(json.dumps(value, default=str, allow_nan=False))
