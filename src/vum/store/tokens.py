# SPDX-License-Identifier: EUPL-1.2
"""SQL for party API tokens: rows hold a public key and an argon2 hash, never the token itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, as_utc, utcnow
from vum.store.schema import party_tokens

_T = party_tokens.c


@dataclass(frozen=True)
class TokenRow:
    """One API token of a party (for the HTTP import); ``token_hash`` is argon2."""

    id: int
    party: str
    key: str
    token_hash: str
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        """Without the hash: nothing secret leaves the store through listings."""
        return {
            "party": self.party,
            "key": self.key,
            "label": self.label,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _row(row: sa.Row[Any]) -> TokenRow:
    m = row._mapping
    created = as_utc(m["created_at"])
    assert created is not None
    return TokenRow(
        id=m["id"],
        party=m["party"],
        key=m["key"],
        token_hash=m["token_hash"],
        label=m["label"],
        created_at=created,
        revoked_at=as_utc(m["revoked_at"]),
    )


class TokenRepository:
    """Party tokens: add, find by public key, list and revoke."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, party: str, key: str, token_hash: str, label: str) -> TokenRow:
        with self._db.write() as conn:
            result = conn.execute(
                party_tokens.insert().values(
                    party=party, key=key, token_hash=token_hash, label=label, created_at=utcnow()
                )
            )
            pk = result.inserted_primary_key
            assert pk is not None
            row = conn.execute(sa.select(party_tokens).where(_T.id == pk[0])).one()
        return _row(row)

    def find(self, party: str, key: str) -> TokenRow | None:
        """The token with this public key, if it belongs to ``party`` (revoked or not)."""
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(party_tokens).where(_T.party == party, _T.key == key)
            ).first()
        return _row(row) if row is not None else None

    def list(self, party: str | None = None) -> list[TokenRow]:
        stmt = sa.select(party_tokens).order_by(_T.party, _T.created_at, _T.id)
        if party is not None:
            stmt = stmt.where(_T.party == party)
        with self._db.read() as conn:
            return [_row(r) for r in conn.execute(stmt)]

    def revoke(self, party: str, *, key: str | None = None, label: str | None = None) -> int:
        """Revoke the party's active tokens with this key or label; returns how many."""
        if key is None and label is None:
            raise ValueError("revoke needs a key or a label")
        stmt = (
            party_tokens.update()
            .where(_T.party == party, _T.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if key is not None:
            stmt = stmt.where(_T.key == key)
        if label is not None:
            stmt = stmt.where(_T.label == label)
        with self._db.write() as conn:
            return int(conn.execute(stmt).rowcount)
