# SPDX-License-Identifier: EUPL-1.2
"""SQL for the portal: accounts, login throttling, searches and their details, saved searches, shortlists.

Every read of a user's data is scoped in SQL by party *and* user: a row of another party or
another user is simply not found (the portal answers 404), whatever id a URL names.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from vum.store.audit import AuditRepository
from vum.store.database import Database, as_utc, upsert_insert, utcnow
from vum.store.parties import PartyRepository
from vum.store.publishing import PublishingRepository
from vum.store.schema import (
    portal_details,
    portal_login_attempts,
    portal_saved_searches,
    portal_searches,
    portal_shortlist_items,
    portal_shortlists,
    portal_users,
)
from vum.store.source_health import SourceHealthRepository
from vum.store.source_stats import SourceStatsRepository

_U = portal_users.c
_A = portal_login_attempts.c
_S = portal_searches.c
_D = portal_details.c
_V = portal_saved_searches.c
_L = portal_shortlists.c
_I = portal_shortlist_items.c


class UserExists(ValueError):
    """An account with this e-mail address exists already."""


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite keeps timestamps as text without a zone: bind everything in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _when(value: Any) -> dt.datetime:
    found = as_utc(value)
    assert found is not None
    return found


@dataclass(frozen=True)
class UserRow:
    """A portal account; ``password_hash`` is argon2 (None: OpenID Connect only)."""

    id: int
    email: str
    name: str
    party: str
    roles: tuple[str, ...]
    password_hash: str | None
    pseudonym: str
    office_postcode: str | None
    active: bool
    session_epoch: int
    created_at: dt.datetime
    last_login_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        """Without the hash: nothing secret leaves the store through listings."""
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "party": self.party,
            "roles": list(self.roles),
            "office_postcode": self.office_postcode,
            "active": self.active,
            "local_password": self.password_hash is not None,
            "created_at": self.created_at.isoformat(),
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


def _user(row: sa.Row[Any]) -> UserRow:
    m = row._mapping
    return UserRow(
        id=int(m["id"]),
        email=m["email"],
        name=m["name"],
        party=m["party"],
        roles=tuple(m["roles"] or ()),
        password_hash=m["password_hash"],
        pseudonym=m["pseudonym"],
        office_postcode=m["office_postcode"],
        active=bool(m["active"]),
        session_epoch=int(m["session_epoch"]),
        created_at=_when(m["created_at"]),
        last_login_at=as_utc(m["last_login_at"]),
    )


class UserRepository:
    """Portal accounts: add, find, list, disable, change password, end sessions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        email: str,
        party: str,
        roles: Iterable[str],
        password_hash: str | None,
        *,
        name: str = "",
        office_postcode: str | None = None,
    ) -> UserRow:
        email = email.strip().lower()
        with self._db.write() as conn:
            if conn.execute(sa.select(_U.id).where(_U.email == email)).first() is not None:
                raise UserExists(f"gebruiker {email} bestaat al (user exists)")
            result = conn.execute(
                portal_users.insert().values(
                    email=email,
                    name=name,
                    party=party,
                    roles=list(dict.fromkeys(roles)),
                    password_hash=password_hash,
                    pseudonym=secrets.token_hex(16),
                    office_postcode=office_postcode,
                    active=True,
                    session_epoch=0,
                    created_at=utcnow(),
                )
            )
            pk = result.inserted_primary_key
            assert pk is not None
            row = conn.execute(sa.select(portal_users).where(_U.id == pk[0])).one()
        return _user(row)

    def get(self, user_id: int) -> UserRow | None:
        with self._db.read() as conn:
            row = conn.execute(sa.select(portal_users).where(_U.id == user_id)).first()
        return _user(row) if row is not None else None

    def by_email(self, email: str) -> UserRow | None:
        with self._db.read() as conn:
            stmt = sa.select(portal_users).where(_U.email == email.strip().lower())
            row = conn.execute(stmt).first()
        return _user(row) if row is not None else None

    def list(self, party: str | None = None) -> list[UserRow]:
        stmt = sa.select(portal_users).order_by(_U.party, _U.email)
        if party is not None:
            stmt = stmt.where(_U.party == party)
        with self._db.read() as conn:
            return [_user(r) for r in conn.execute(stmt)]

    def set_active(self, email: str, active: bool) -> bool:
        """Enable or disable an account; disabling also voids its sessions. False: unknown."""
        values: dict[str, Any] = {"active": active}
        if not active:
            values["session_epoch"] = _U.session_epoch + 1
        with self._db.write() as conn:
            stmt = portal_users.update().where(_U.email == email.strip().lower()).values(**values)
            return int(conn.execute(stmt).rowcount) == 1

    def set_password(self, email: str, password_hash: str | None) -> bool:
        """A new password hash; every session of the account ends. False: unknown account."""
        with self._db.write() as conn:
            stmt = (
                portal_users.update()
                .where(_U.email == email.strip().lower())
                .values(password_hash=password_hash, session_epoch=_U.session_epoch + 1)
            )
            return int(conn.execute(stmt).rowcount) == 1

    def end_sessions(self, user_id: int) -> None:
        """Void every session cookie issued to the account so far (logout)."""
        with self._db.write() as conn:
            conn.execute(
                portal_users.update()
                .where(_U.id == user_id)
                .values(session_epoch=_U.session_epoch + 1)
            )

    def logged_in(self, user_id: int, when: dt.datetime | None = None) -> None:
        with self._db.write() as conn:
            conn.execute(
                portal_users.update()
                .where(_U.id == user_id)
                .values(last_login_at=_utc(when or utcnow()))
            )


class LoginThrottle:
    """Failed logins counted per key in a window, shared by every worker through the database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def locked_until(self, keys: Sequence[str], now: dt.datetime) -> dt.datetime | None:
        """The latest lock on any of ``keys`` that has not ended yet, or None."""
        with self._db.read() as conn:
            stmt = sa.select(sa.func.max(_A.locked_until)).where(
                _A.key.in_(list(keys)), _A.locked_until > _utc(now)
            )
            return as_utc(conn.execute(stmt).scalar())

    def failure(
        self,
        key: str,
        now: dt.datetime,
        *,
        window: dt.timedelta,
        limit: int,
        lockout: dt.timedelta,
    ) -> dt.datetime | None:
        """Count one failure; when it makes ``limit`` within ``window``, lock. The lock, or None."""
        now = _utc(now)
        with self._db.write() as conn:
            # The row exists before it is locked, so racing workers count on one row.
            conn.execute(
                upsert_insert(conn, portal_login_attempts)
                .values(key=key, failures=0, window_start=now, locked_until=None)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            row = conn.execute(
                sa.select(_A.failures, _A.window_start).where(_A.key == key).with_for_update()
            ).one()
            failures = int(row.failures) + 1
            start = _when(row.window_start)
            if now - start > window:
                failures, start = 1, now
            locked = now + lockout if failures >= limit else None
            conn.execute(
                portal_login_attempts.update()
                .where(_A.key == key)
                .values(
                    # a lock starts a new count: the next failure after it counts from one
                    failures=0 if locked else failures,
                    window_start=start,
                    **({"locked_until": locked} if locked else {}),
                )
            )
        return locked

    def clear(self, key: str) -> None:
        with self._db.write() as conn:
            conn.execute(portal_login_attempts.delete().where(_A.key == key))


@dataclass(frozen=True)
class SearchRow:
    """One search through the facility, with its answer."""

    id: str
    party: str
    user_id: int
    kind: str
    vraag_id: str | None
    form: dict[str, Any]
    query: dict[str, Any]
    answer: dict[str, Any]
    created_at: dt.datetime
    details_used: int


def _search(row: sa.Row[Any]) -> SearchRow:
    m = row._mapping
    return SearchRow(
        id=m["id"],
        party=m["party"],
        user_id=int(m["user_id"]),
        kind=m["kind"],
        vraag_id=m["vraag_id"],
        form=dict(m["form"] or {}),
        query=dict(m["query"] or {}),
        answer=dict(m["answer"] or {}),
        created_at=_when(m["created_at"]),
        details_used=int(m["details_used"]),
    )


class SearchRepository:
    """Searches and the details opened from them; purged after the retention period."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(
        self,
        party: str,
        user_id: int,
        kind: str,
        vraag_id: str | None,
        form: dict[str, Any],
        query: dict[str, Any],
        answer: dict[str, Any],
        *,
        created_at: dt.datetime | None = None,
    ) -> SearchRow:
        search_id = secrets.token_urlsafe(18)
        with self._db.write() as conn:
            conn.execute(
                portal_searches.insert().values(
                    id=search_id,
                    party=party,
                    user_id=user_id,
                    kind=kind,
                    vraag_id=vraag_id,
                    form=form,
                    query=query,
                    answer=answer,
                    created_at=_utc(created_at or utcnow()),
                    details_used=0,
                )
            )
            row = conn.execute(sa.select(portal_searches).where(_S.id == search_id)).one()
        return _search(row)

    def get(self, search_id: str, party: str, user_id: int) -> SearchRow | None:
        """The search, only for the user (and party) that ran it."""
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(portal_searches).where(
                    _S.id == search_id, _S.party == party, _S.user_id == user_id
                )
            ).first()
        return _search(row) if row is not None else None

    def recent(self, party: str, user_id: int, limit: int = 10) -> list[SearchRow]:
        stmt = (
            sa.select(portal_searches)
            .where(_S.party == party, _S.user_id == user_id)
            .order_by(_S.created_at.desc())
            .limit(limit)
        )
        with self._db.read() as conn:
            return [_search(r) for r in conn.execute(stmt)]

    def set_details_used(self, search_id: str, used: int) -> None:
        """Record the facility's count (never lower it: two tabs may race)."""
        with self._db.write() as conn:
            conn.execute(
                portal_searches.update()
                .where(_S.id == search_id, _S.details_used < used)
                .values(details_used=used)
            )

    def save_detail(
        self, search_id: str, position: int, user_id: int, data: dict[str, Any]
    ) -> None:
        with self._db.write() as conn:
            conn.execute(
                upsert_insert(conn, portal_details)
                .values(
                    search_id=search_id,
                    position=position,
                    user_id=user_id,
                    data=data,
                    fetched_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["search_id", "position"])
            )

    def detail(self, search_id: str, position: int) -> dict[str, Any] | None:
        """A detail opened before (the caller has checked the search is the user's)."""
        with self._db.read() as conn:
            found = conn.execute(
                sa.select(_D.data).where(_D.search_id == search_id, _D.position == position)
            ).scalar()
        return dict(found) if found is not None else None

    def opened(self, search_id: str) -> set[int]:
        """Positions of the details opened from this search."""
        with self._db.read() as conn:
            stmt = sa.select(_D.position).where(_D.search_id == search_id)
            return {int(p) for p in conn.execute(stmt).scalars()}

    def purge(self, older_than: dt.datetime) -> int:
        """Delete searches (and their details) created before ``older_than``; how many."""
        with self._db.write() as conn:
            stmt = portal_searches.delete().where(_S.created_at < _utc(older_than))
            return int(conn.execute(stmt).rowcount)


@dataclass(frozen=True)
class SavedSearchRow:
    id: int
    party: str
    user_id: int
    name: str
    kind: str
    form: dict[str, Any]
    created_at: dt.datetime
    last_run_at: dt.datetime | None


def _saved(row: sa.Row[Any]) -> SavedSearchRow:
    m = row._mapping
    return SavedSearchRow(
        id=int(m["id"]),
        party=m["party"],
        user_id=int(m["user_id"]),
        name=m["name"],
        kind=m["kind"],
        form=dict(m["form"] or {}),
        created_at=_when(m["created_at"]),
        last_run_at=as_utc(m["last_run_at"]),
    )


class SavedSearchRepository:
    """A user's saved searches (the form, to run again)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self, party: str, user_id: int, name: str, kind: str, form: dict[str, Any]
    ) -> SavedSearchRow:
        with self._db.write() as conn:
            result = conn.execute(
                portal_saved_searches.insert().values(
                    party=party,
                    user_id=user_id,
                    name=name[:200],
                    kind=kind,
                    form=form,
                    created_at=utcnow(),
                )
            )
            pk = result.inserted_primary_key
            assert pk is not None
            row = conn.execute(sa.select(portal_saved_searches).where(_V.id == pk[0])).one()
        return _saved(row)

    def list(self, party: str, user_id: int) -> list[SavedSearchRow]:
        stmt = (
            sa.select(portal_saved_searches)
            .where(_V.party == party, _V.user_id == user_id)
            .order_by(_V.created_at.desc(), _V.id.desc())
        )
        with self._db.read() as conn:
            return [_saved(r) for r in conn.execute(stmt)]

    def get(self, saved_id: int, party: str, user_id: int) -> SavedSearchRow | None:
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(portal_saved_searches).where(
                    _V.id == saved_id, _V.party == party, _V.user_id == user_id
                )
            ).first()
        return _saved(row) if row is not None else None

    def ran(self, saved_id: int) -> None:
        with self._db.write() as conn:
            conn.execute(
                portal_saved_searches.update().where(_V.id == saved_id).values(last_run_at=utcnow())
            )

    def delete(self, saved_id: int, party: str, user_id: int) -> bool:
        with self._db.write() as conn:
            stmt = portal_saved_searches.delete().where(
                _V.id == saved_id, _V.party == party, _V.user_id == user_id
            )
            return int(conn.execute(stmt).rowcount) == 1


@dataclass(frozen=True)
class ShortlistRow:
    id: int
    party: str
    user_id: int
    name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ShortlistItemRow:
    """A kept record: the mediator's note and status, and what finds the record again."""

    id: int
    shortlist_id: int
    kind: str
    label: str
    note: str
    status: str
    source: str
    fingerprint: str
    form: dict[str, Any]
    search_id: str | None
    position: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


def _item(row: sa.Row[Any]) -> ShortlistItemRow:
    m = row._mapping
    return ShortlistItemRow(
        id=int(m["id"]),
        shortlist_id=int(m["shortlist_id"]),
        kind=m["kind"],
        label=m["label"],
        note=m["note"],
        status=m["status"],
        source=m["source"],
        fingerprint=m["fingerprint"],
        form=dict(m["form"] or {}),
        search_id=m["search_id"],
        position=None if m["position"] is None else int(m["position"]),
        created_at=_when(m["created_at"]),
        updated_at=_when(m["updated_at"]),
    )


class ShortlistRepository:
    """Shortlists and their items; every access checks the list belongs to the party and user."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def default(self, party: str, user_id: int, name: str = "Mijn shortlist") -> ShortlistRow:
        """The user's first shortlist, made on first use."""
        with self._db.write() as conn:
            stmt = (
                sa.select(portal_shortlists)
                .where(_L.party == party, _L.user_id == user_id)
                .order_by(_L.id)
                .limit(1)
            )
            row = conn.execute(stmt).first()
            if row is None:
                conn.execute(
                    portal_shortlists.insert().values(
                        party=party, user_id=user_id, name=name, created_at=utcnow()
                    )
                )
                row = conn.execute(stmt).one()
        m = row._mapping
        return ShortlistRow(m["id"], m["party"], m["user_id"], m["name"], _when(m["created_at"]))

    def _owned(self, party: str, user_id: int) -> sa.Select[Any]:
        return sa.select(_L.id).where(_L.party == party, _L.user_id == user_id)

    def add_item(
        self,
        party: str,
        user_id: int,
        *,
        kind: str,
        label: str,
        source: str,
        fingerprint: str,
        form: dict[str, Any],
        search_id: str | None,
        position: int | None,
        status: str,
        note: str = "",
    ) -> tuple[ShortlistItemRow, bool]:
        """Keep a record on the user's shortlist; (the item, False) when it was kept already."""
        shortlist = self.default(party, user_id)
        now = utcnow()
        with self._db.write() as conn:
            result = conn.execute(
                upsert_insert(conn, portal_shortlist_items)
                .values(
                    shortlist_id=shortlist.id,
                    kind=kind,
                    label=label[:500],
                    note=note,
                    status=status,
                    source=source,
                    fingerprint=fingerprint,
                    form=form,
                    search_id=search_id,
                    position=position,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["shortlist_id", "source", "fingerprint"])
                # RETURNING tells whether a row went in (rowcount does not, on every driver)
                .returning(_I.id)
            )
            created = result.first() is not None
            row = conn.execute(
                sa.select(portal_shortlist_items).where(
                    _I.shortlist_id == shortlist.id,
                    _I.source == source,
                    _I.fingerprint == fingerprint,
                )
            ).one()
        return _item(row), created

    def items(self, party: str, user_id: int) -> list[ShortlistItemRow]:
        stmt = (
            sa.select(portal_shortlist_items)
            .where(_I.shortlist_id.in_(self._owned(party, user_id)))
            .order_by(_I.created_at.desc(), _I.id.desc())
        )
        with self._db.read() as conn:
            return [_item(r) for r in conn.execute(stmt)]

    def item(self, item_id: int, party: str, user_id: int) -> ShortlistItemRow | None:
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(portal_shortlist_items).where(
                    _I.id == item_id, _I.shortlist_id.in_(self._owned(party, user_id))
                )
            ).first()
        return _item(row) if row is not None else None

    def update_item(
        self,
        item_id: int,
        party: str,
        user_id: int,
        *,
        note: str | None = None,
        status: str | None = None,
        search_id: str | None = None,
        position: int | None = None,
    ) -> bool:
        """Change the note or status, or point the item at a newer search; False: not found."""
        values: dict[str, Any] = {"updated_at": utcnow()}
        if note is not None:
            values["note"] = note
        if status is not None:
            values["status"] = status
        if search_id is not None:
            values.update(search_id=search_id, position=position)
        with self._db.write() as conn:
            stmt = (
                portal_shortlist_items.update()
                .where(_I.id == item_id, _I.shortlist_id.in_(self._owned(party, user_id)))
                .values(**values)
            )
            return int(conn.execute(stmt).rowcount) == 1

    def delete_item(self, item_id: int, party: str, user_id: int) -> bool:
        with self._db.write() as conn:
            stmt = portal_shortlist_items.delete().where(
                _I.id == item_id, _I.shortlist_id.in_(self._owned(party, user_id))
            )
            return int(conn.execute(stmt).rowcount) == 1


class PortalRepositories:
    """The portal's repositories over one database (``Store.portal``)."""

    def __init__(self, db: Database) -> None:
        self.users = UserRepository(db)
        self.throttle = LoginThrottle(db)
        self.searches = SearchRepository(db)
        self.saved = SavedSearchRepository(db)
        self.shortlists = ShortlistRepository(db)
        # The facility's tables that the operations and privacy officer pages read (the portal
        # and the facility share the store): parties, breaker state, metrics history, audit log.
        self.parties = PartyRepository(db)
        self.source_health = SourceHealthRepository(db)
        self.source_stats = SourceStatsRepository(db)
        self.audit = AuditRepository(db)
        # The publishing pages (vum.portal.routes.publish): mappings and held uploads; ``db``
        # itself is their default hosted source.
        self.publishing = PublishingRepository(db)
        self.db = db
