# SPDX-License-Identifier: EUPL-1.2
"""The facility's tamper-evident audit log in the store (after the Logboek Dataverwerkingen standard).

Pilot findings 13 and 14: every query and detail request is logged with who asked, for which
organisation, why and when, and the log is tamper-evident. Each record carries
``hash = sha256(prev_hash + canonical JSON of its fields)``; editing or deleting a record breaks
the chain at that record, and :meth:`StoreAuditLog.verify` names the first broken one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from vum.store import GENESIS, AuditEntry, AuditRow, Store, chain_hash
from vum.store.audit import AuditRepository, canonical_json

log = logging.getLogger("vum.facility.audit")

#: API event member -> audit column; everything else goes into ``details``.
_COLUMNS = {
    "traceId": "trace_id",
    "operation": "operation",
    "fromParty": "party",
    "viaParty": "processor",
    "user": "user",
    "processingActivity": "processing_activity",
    "kind": "kind",
    "bronID": "source",
    "start": "started_at",
    "end": "ended_at",
}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def entry_of(event: Mapping[str, Any]) -> AuditEntry:
    """An API audit event (see ``vum.facility.api``) as an audit record.

    The columns take who (``fromParty``, ``viaParty``, ``user``), why (``processingActivity``),
    what (``operation``, ``kind``, the detail's source) and when; ``outcome.status`` becomes
    ``status`` and ``outcome.code`` goes to ``details.code``. Every other member (the hashed
    query, ``vraagID``, per-source statuses, a refusal's reason) is kept in ``details``.
    """
    columns: dict[str, str | None] = {}
    details: dict[str, Any] = {}
    for key, value in event.items():
        if key in _COLUMNS:
            columns[_COLUMNS[key]] = _text(value)
        elif key == "outcome" and isinstance(value, Mapping):
            columns["status"] = _text(value.get("status"))
            rest = {k: v for k, v in value.items() if k != "status"}
            if rest.get("code") is not None or len(rest) > 1:
                details.update(rest)
        elif key == "status" and not isinstance(value, Mapping):
            columns["status"] = _text(value)
        else:
            details[key] = value
    operation = columns.pop("operation", None) or "onbekend"
    return AuditEntry(operation=operation, details=details, **columns)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of recomputing the chain; ``first_broken_seq`` names the first bad record."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    #: the last record's sequence number and hash: write them down elsewhere (an anchor), then a
    #: later verify can show the log was not rewritten as a whole
    head_seq: int | None = None
    head_hash: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def message(self) -> str:
        """One line for a person: Dutch, English alongside."""
        if self.ok:
            return (
                f"auditlog intact: {self.checked} records gecontroleerd "
                f"(audit log intact: {self.checked} records checked)"
            )
        seq = self.first_broken_seq
        return f"record {seq} is gewijzigd of ontbreekt (record {seq} was altered or is missing)"


def _broken(checked: int, seq: int, reason: str) -> VerifyResult:
    return VerifyResult(False, checked, seq, reason)


class StoreAuditLog:
    """An :class:`~vum.facility.metrics.AuditSink` that appends hash-chained records to the store.

    ``record`` raises when the record cannot be written (a read-only, closed or unreachable
    store); the API then answers 500.1: no data leaves the facility without a trace.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, event: dict[str, Any]) -> None:
        try:
            self.store.audit.append(entry_of(event))
        except Exception:
            # The event itself may hold identifiers: log only that writing failed.
            log.error("audit record could not be written (operation %s)", event.get("operation"))
            raise

    def append(self, entry: AuditEntry) -> AuditRow:
        """Append a record built by the caller (registry changes, purges)."""
        return self.store.audit.append(entry)

    def latest(
        self, limit: int = 20, *, party: str | None = None, operation: str | None = None
    ) -> list[AuditRow]:
        return self.store.audit.latest(limit, party=party, operation=operation)

    def verify(self) -> VerifyResult:
        """Recompute every hash in order; the first record that is altered or missing fails."""
        return verify_rows(self.store)


def verify_rows(store: Store) -> VerifyResult:
    """The chain of ``store``'s audit log checked from the first record to the head."""
    return verify_chain(store.audit)


def verify_chain(audit: AuditRepository) -> VerifyResult:
    """The chain of the audit log ``audit`` reads, checked from the first record to the head."""
    # The head first: records appended while this runs (a live facility) lie beyond it and are
    # left for the next run, instead of looking like a head that ran ahead of the log.
    head = audit.head()
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for row in audit.iter_rows():
        if head is not None and row.seq > head.last_seq:
            break
        if row.seq != expected_seq:
            # A gap: the records from expected_seq up to this one were deleted.
            return _broken(checked, expected_seq, "ontbreekt (missing)")
        if row.prev_hash != prev_hash:
            return _broken(
                checked, row.seq, "prev_hash past niet bij het vorige record (chain broken)"
            )
        if row.details_text != canonical_json(row.details):
            return _broken(checked, row.seq, "details gewijzigd (details altered)")
        if chain_hash(prev_hash, row.fields()) != row.hash:
            return _broken(checked, row.seq, "hash klopt niet (hash mismatch: record altered)")
        checked += 1
        prev_hash = row.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        if checked:
            return _broken(checked, last_seq, "kop van de keten ontbreekt (chain head missing)")
    elif head.last_seq > last_seq:
        # The log ends before the head says it does: the last records were deleted.
        return _broken(checked, last_seq + 1, "ontbreekt aan het eind (missing at the end)")
    elif head.last_hash != prev_hash:
        return _broken(checked, last_seq, "kop van de keten klopt niet (chain head mismatch)")
    return VerifyResult(
        True,
        checked,
        head_seq=last_seq if checked else None,
        head_hash=prev_hash if checked else None,
    )
