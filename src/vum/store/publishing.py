# SPDX-License-Identifier: EUPL-1.2
"""SQL for the portal's publishing pages: saved column mappings, uploads held between check and publish.

Every read is scoped in SQL by party (mappings) or by party *and* user (uploads): a row of
another party is simply not found, whatever id a URL or a form names.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, as_utc, utcnow
from vum.store.schema import portal_mappings, portal_searches, portal_uploads

_M = portal_mappings.c
_U = portal_uploads.c
_S = portal_searches.c

#: An upload's status: checked and publishable, checked with problems, being published, done.
VALID, INVALID, PUBLISHING, PUBLISHED = "valid", "invalid", "publishing", "published"


def _when(value: Any) -> dt.datetime:
    found = as_utc(value)
    assert found is not None
    return found


@dataclass(frozen=True)
class MappingRow:
    """A saved column mapping of one party and kind."""

    id: int
    party: str
    kind: str
    name: str
    text: str
    user_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


def _mapping(row: sa.Row[Any]) -> MappingRow:
    m = row._mapping
    return MappingRow(
        id=int(m["id"]),
        party=m["party"],
        kind=m["kind"],
        name=m["name"],
        text=m["text"],
        user_id=m["user_id"],
        created_at=_when(m["created_at"]),
        updated_at=_when(m["updated_at"]),
    )


@dataclass(frozen=True)
class UploadRow:
    """An uploaded file and what its check found; ``content`` is empty unless asked for."""

    id: str
    party: str
    user_id: int
    kind: str
    mode: str
    file_name: str
    mapping: str | None
    mapping_name: str | None
    status: str
    outcome: dict[str, Any]
    created_at: dt.datetime
    published_at: dt.datetime | None
    content: bytes = b""


_WITHOUT_CONTENT = [c for c in portal_uploads.c if c.name != "content"]


def _upload(row: sa.Row[Any]) -> UploadRow:
    m = row._mapping
    return UploadRow(
        id=m["id"],
        party=m["party"],
        user_id=int(m["user_id"]),
        kind=m["kind"],
        mode=m["mode"],
        file_name=m["file_name"],
        mapping=m["mapping"],
        mapping_name=m["mapping_name"],
        status=m["status"],
        outcome=dict(m["outcome"] or {}),
        created_at=_when(m["created_at"]),
        published_at=as_utc(m["published_at"]),
        content=bytes(m["content"]) if "content" in m else b"",
    )


class PublishingRepository:
    """Saved mappings per party, held uploads per user, and which criteria mediators use."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- mappings -------------------------------------------------------------------------
    def mappings(self, party: str, kind: str | None = None) -> list[MappingRow]:
        stmt = sa.select(portal_mappings).where(_M.party == party).order_by(_M.kind, _M.name)
        if kind is not None:
            stmt = stmt.where(_M.kind == kind)
        with self._db.read() as conn:
            return [_mapping(r) for r in conn.execute(stmt)]

    def mapping(self, mapping_id: int, party: str) -> MappingRow | None:
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(portal_mappings).where(_M.id == mapping_id, _M.party == party)
            ).first()
        return _mapping(row) if row is not None else None

    def save_mapping(
        self, party: str, kind: str, name: str, text: str, user_id: int | None
    ) -> tuple[MappingRow, bool]:
        """Save under ``name`` (replacing the party's mapping of that name); True when new."""
        now = utcnow()
        with self._db.write() as conn:
            found = conn.execute(
                sa.select(_M.id)
                .where(_M.party == party, _M.kind == kind, _M.name == name)
                .with_for_update()
            ).scalar()
            if found is None:
                result = conn.execute(
                    portal_mappings.insert().values(
                        party=party,
                        kind=kind,
                        name=name,
                        text=text,
                        user_id=user_id,
                        created_at=now,
                        updated_at=now,
                    )
                )
                pk = result.inserted_primary_key
                assert pk is not None
                mapping_id, created = int(pk[0]), True
            else:
                mapping_id, created = int(found), False
                conn.execute(
                    portal_mappings.update()
                    .where(_M.id == mapping_id)
                    .values(text=text, user_id=user_id, updated_at=now)
                )
            row = conn.execute(sa.select(portal_mappings).where(_M.id == mapping_id)).one()
        return _mapping(row), created

    def delete_mapping(self, mapping_id: int, party: str) -> bool:
        with self._db.write() as conn:
            stmt = portal_mappings.delete().where(_M.id == mapping_id, _M.party == party)
            return int(conn.execute(stmt).rowcount) == 1

    # -- uploads --------------------------------------------------------------------------
    def add_upload(
        self,
        party: str,
        user_id: int,
        *,
        kind: str,
        mode: str,
        file_name: str,
        content: bytes,
        mapping: str | None,
        mapping_name: str | None,
        status: str,
        outcome: dict[str, Any],
    ) -> UploadRow:
        upload_id = secrets.token_urlsafe(18)
        with self._db.write() as conn:
            conn.execute(
                portal_uploads.insert().values(
                    id=upload_id,
                    party=party,
                    user_id=user_id,
                    kind=kind,
                    mode=mode,
                    file_name=file_name[:255],
                    content=content,
                    mapping=mapping,
                    mapping_name=mapping_name,
                    status=status,
                    outcome=outcome,
                    created_at=utcnow(),
                )
            )
        found = self.upload(upload_id, party, user_id)
        assert found is not None
        return found

    def upload(
        self, upload_id: str, party: str, user_id: int, *, content: bool = False
    ) -> UploadRow | None:
        """The user's upload (with its file when ``content``), or None."""
        columns = list(portal_uploads.c) if content else _WITHOUT_CONTENT
        stmt = sa.select(*columns).where(
            _U.id == upload_id, _U.party == party, _U.user_id == user_id
        )
        with self._db.read() as conn:
            row = conn.execute(stmt).first()
        return _upload(row) if row is not None else None

    def claim(self, upload_id: str, party: str, user_id: int) -> UploadRow | None:
        """Mark a valid upload as being published and return it with its file; None if not valid.

        One conditional UPDATE decides, so two clicks on "Publiceren" publish once.
        """
        with self._db.write() as conn:
            claimed = conn.execute(
                portal_uploads.update()
                .where(
                    _U.id == upload_id,
                    _U.party == party,
                    _U.user_id == user_id,
                    _U.status == VALID,
                )
                .values(status=PUBLISHING)
            ).rowcount
        if int(claimed) != 1:
            return None
        return self.upload(upload_id, party, user_id, content=True)

    def finish(
        self, upload_id: str, *, status: str, outcome: dict[str, Any], keep_content: bool
    ) -> None:
        """Record how publishing ended; a published file is dropped (its data now lives on)."""
        values: dict[str, Any] = {"status": status, "outcome": outcome}
        if not keep_content:
            values["content"] = b""
        if status == PUBLISHED:
            values["published_at"] = utcnow()
        with self._db.write() as conn:
            conn.execute(portal_uploads.update().where(_U.id == upload_id).values(**values))

    def recent_uploads(self, party: str, user_id: int, limit: int = 10) -> list[UploadRow]:
        stmt = (
            sa.select(*_WITHOUT_CONTENT)
            .where(_U.party == party, _U.user_id == user_id)
            .order_by(_U.created_at.desc())
            .limit(limit)
        )
        with self._db.read() as conn:
            return [_upload(r) for r in conn.execute(stmt)]

    def purge_uploads(self, older_than: dt.datetime) -> int:
        """Delete uploads made before ``older_than`` (files held for publishing expire)."""
        with self._db.write() as conn:
            stmt = portal_uploads.delete().where(_U.created_at < older_than)
            return int(conn.execute(stmt).rowcount)

    # -- what mediators search on -----------------------------------------------------------
    def criteria_usage(self, kind: str, limit: int = 2000) -> tuple[int, Counter[str]]:
        """How many of the latest ``limit`` kept searches of ``kind`` used each form field.

        Only the names of the fields filled in are counted, over every party's searches: no
        value, party or user leaves this method.
        """
        stmt = sa.select(_S.form).where(_S.kind == kind).order_by(_S.created_at.desc()).limit(limit)
        used: Counter[str] = Counter()
        total = 0
        with self._db.read() as conn:
            for (form,) in conn.execute(stmt):
                total += 1
                if isinstance(form, dict):
                    used.update(k for k, v in form.items() if v not in (None, "", [], [""]))
        return total, used
