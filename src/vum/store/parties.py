# SPDX-License-Identifier: EUPL-1.2
"""SQL for the facility's party registry: who takes part, in which roles, and where its source answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, StoreError, as_utc, utcnow
from vum.store.schema import PartyStatus, parties

_P = parties.c

#: The columns a caller may set (the OIN is the key; the timestamps are the store's).
WRITABLE = (
    "name",
    "roles",
    "suwi",
    "processors",
    "agreement_signed",
    "status",
    "endpoint",
    "url",
    "timeout_s",
)


@dataclass(frozen=True)
class PartyRow:
    """One party as the registry stores it."""

    oin: str
    name: str
    roles: tuple[str, ...]
    suwi: bool
    processors: tuple[str, ...]
    agreement_signed: dt.date | None
    status: PartyStatus
    endpoint: str | None
    url: str | None
    timeout_s: float | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def values(self) -> dict[str, Any]:
        """The writable fields as JSON values (to compare, to audit, to print)."""
        return {
            "name": self.name,
            "roles": list(self.roles),
            "suwi": self.suwi,
            "processors": list(self.processors),
            "agreement_signed": self.agreement_signed.isoformat()
            if self.agreement_signed
            else None,
            "status": self.status.value,
            "endpoint": self.endpoint,
            "url": self.url,
            "timeout_s": self.timeout_s,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "oin": self.oin,
            **self.values(),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _row(row: sa.Row[Any]) -> PartyRow:
    m = row._mapping
    created, updated = as_utc(m["created_at"]), as_utc(m["updated_at"])
    assert created is not None and updated is not None
    return PartyRow(
        oin=str(m["oin"]),
        name=str(m["name"]),
        roles=tuple(m["roles"] or ()),
        suwi=bool(m["suwi"]),
        processors=tuple(m["processors"] or ()),
        agreement_signed=m["agreement_signed"],
        status=PartyStatus(m["status"]),
        endpoint=m["endpoint"],
        url=m["url"],
        timeout_s=m["timeout_s"],
        created_at=created,
        updated_at=updated,
    )


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(WRITABLE)
    if unknown:
        raise ValueError(f"unknown party fields: {sorted(unknown)}")
    out = dict(values)
    for key in ("roles", "processors"):
        if key in out:
            out[key] = sorted(set(out[key]))
    if "status" in out:
        out["status"] = PartyStatus(out["status"]).value
    return out


class PartyExists(StoreError):
    """A party with this OIN is registered already."""


class PartyRepository:
    """Parties by OIN. Writers may pass ``conn`` to change a party and audit it in one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, oin: str, conn: sa.Connection | None = None) -> PartyRow | None:
        """The party; in ``conn``'s (write) transaction, locked until it ends.

        The lock matters on PostgreSQL, where writers run side by side: a change compares the
        old values with the new ones and audits the difference, and a concurrent change of the
        same party must not slip in between (SQLite's write transactions take turns anyway).
        """
        stmt = sa.select(parties).where(_P.oin == oin)
        if conn is not None:
            found = conn.execute(stmt.with_for_update()).first()
        else:
            with self._db.read() as own:
                found = own.execute(stmt).first()
        return _row(found) if found is not None else None

    def list(self, *, status: PartyStatus | None = None) -> list[PartyRow]:
        stmt = sa.select(parties).order_by(_P.oin)
        if status is not None:
            stmt = stmt.where(_P.status == status.value)
        with self._db.read() as conn:
            return [_row(r) for r in conn.execute(stmt)]

    def insert(self, conn: sa.Connection, oin: str, values: Mapping[str, Any]) -> PartyRow:
        """A new party (the caller checked that the OIN is free, in the same transaction)."""
        now = utcnow()
        row = {
            "roles": [],
            "processors": [],
            "suwi": False,
            "status": PartyStatus.ACTIVE.value,
            **_checked(values),
        }
        try:
            conn.execute(parties.insert().values(oin=oin, created_at=now, updated_at=now, **row))
        except sa.exc.IntegrityError:
            # PostgreSQL: another transaction inserted this OIN after the caller's check (its
            # unique index makes ours wait for that commit, then refuses it).
            raise PartyExists(f"partij {oin} bestaat al (party already registered)") from None
        found = self.get(oin, conn)
        assert found is not None
        return found

    def update(self, conn: sa.Connection, oin: str, values: Mapping[str, Any]) -> PartyRow | None:
        """Change the given fields; ``None`` when there is no such party."""
        result = conn.execute(
            parties.update().where(_P.oin == oin).values(updated_at=utcnow(), **_checked(values))
        )
        if result.rowcount == 0:
            return None
        return self.get(oin, conn)
