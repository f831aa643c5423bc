# SPDX-License-Identifier: EUPL-1.2
"""SQL for hosted datasets: staging a version, writing its records, making it live atomically, rollback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from vum.store.database import Database, upsert_insert, utcnow
from vum.store.schema import VersionStatus, dataset_versions, datasets, version_records
from vum.store.versions import VersionRow, row_of, select_versions

_V = dataset_versions.c
_D = datasets.c
_R = version_records.c


class PromotionError(RuntimeError):
    """A staging version could not become live (it was failed meanwhile, or the live one moved on)."""


class DatasetRepository:
    """Datasets, versions and records; every method is one transaction unless it says otherwise."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading ------------------------------------------------------------------------------
    def live_version_id(self, party: str, kind: str) -> int | None:
        """The id of the live version, or None: one indexed lookup, cheap enough for every query."""
        stmt = (
            sa.select(_V.id)
            .select_from(dataset_versions.join(datasets))
            .where(_D.party == party, _D.kind == kind, _V.status == VersionStatus.LIVE.value)
        )
        with self._db.read() as conn:
            found = conn.execute(stmt).scalar()
        return int(found) if found is not None else None

    def version(self, version_id: int) -> VersionRow | None:
        with self._db.read() as conn:
            row = conn.execute(select_versions().where(_V.id == version_id)).first()
        return row_of(row) if row is not None else None

    def current(self, party: str, kind: str, status: VersionStatus) -> VersionRow | None:
        """The live version, or the most recently replaced previous one."""
        stmt = (
            select_versions()
            .where(_D.party == party, _D.kind == kind, _V.status == status.value)
            .order_by(_V.demoted_at.desc(), _V.id.desc())
            .limit(1)
        )
        with self._db.read() as conn:
            row = conn.execute(stmt).first()
        return row_of(row) if row is not None else None

    def versions(
        self, party: str | None = None, kind: str | None = None, *, statuses: Iterable[str] = ()
    ) -> list[VersionRow]:
        """Versions, oldest dataset first and newest version first within it."""
        stmt = select_versions().order_by(_D.party, _D.kind, _V.number.desc())
        if party is not None:
            stmt = stmt.where(_D.party == party)
        if kind is not None:
            stmt = stmt.where(_D.kind == kind)
        wanted = [str(s) for s in statuses]
        if wanted:
            stmt = stmt.where(_V.status.in_(wanted))
        with self._db.read() as conn:
            return [row_of(r) for r in conn.execute(stmt)]

    def dataset_keys(self) -> list[tuple[str, str]]:
        """Every (party, kind) that has a dataset row."""
        with self._db.read() as conn:
            rows = conn.execute(sa.select(_D.party, _D.kind).order_by(_D.party, _D.kind))
            return [(r.party, r.kind) for r in rows]

    def record_ids(self, version_id: int) -> set[str]:
        with self._db.read() as conn:
            rows = conn.execute(sa.select(_R.record_id).where(_R.version_id == version_id))
            return {r[0] for r in rows}

    def count_records(self, version_id: int) -> int:
        stmt = sa.select(sa.func.count()).select_from(version_records)
        with self._db.read() as conn:
            return int(conn.execute(stmt.where(_R.version_id == version_id)).scalar_one())

    def iter_records(self, version_id: int, *, chunk: int = 5000) -> Iterator[tuple[str, str]]:
        """(record id, JSON text) in record-id order, read in one snapshot."""
        stmt = (
            sa.select(_R.record_id, _R.data)
            .where(_R.version_id == version_id)
            .order_by(_R.record_id)
            .execution_options(yield_per=chunk)
        )
        with self._db.read() as conn:
            for row in conn.execute(stmt):
                yield row[0], row[1]

    def records(self, version_id: int, record_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(record id, JSON text) of the given ids that the version has, in chunks of 500 ids."""
        out: list[tuple[str, str]] = []
        with self._db.read() as conn:
            for start in range(0, len(record_ids), 500):
                chunk = list(record_ids[start : start + 500])
                rows = conn.execute(
                    sa.select(_R.record_id, _R.data).where(
                        _R.version_id == version_id, _R.record_id.in_(chunk)
                    )
                )
                out.extend((r[0], r[1]) for r in rows)
        return out

    def record(self, version_id: int, record_id: str) -> str | None:
        stmt = sa.select(_R.data).where(_R.version_id == version_id, _R.record_id == record_id)
        with self._db.read() as conn:
            found = conn.execute(stmt).scalar()
        return str(found) if found is not None else None

    # -- writing a version ----------------------------------------------------------------------
    def ensure_dataset(self, party: str, kind: str) -> int:
        find = sa.select(_D.id).where(_D.party == party, _D.kind == kind)
        with self._db.write() as conn:
            found = conn.execute(find).scalar()
            if found is not None:
                return int(found)
            # Two first imports of one dataset may both get here on PostgreSQL: the loser's
            # insert waits for the winner's commit, then does nothing, and finds its row.
            conn.execute(
                upsert_insert(conn, datasets)
                .values(party=party, kind=kind, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=[_D.party, _D.kind])
            )
            return int(conn.execute(find).scalar_one())

    @staticmethod
    def _lock_dataset(conn: sa.Connection, dataset_id: int) -> None:
        """Take the dataset's row lock for the rest of the transaction (PostgreSQL).

        Everything that reads a dataset's versions to decide how to change them (the next
        number, which one is live) holds it, so those decisions are taken one at a time. On
        SQLite the write transaction itself already is (BEGIN IMMEDIATE); it has no FOR UPDATE.
        """
        conn.execute(sa.select(_D.id).where(_D.id == dataset_id).with_for_update())

    def create_staging(
        self,
        party: str,
        kind: str,
        *,
        mode: str,
        source_name: str,
        owner: str,
        base_version_id: int | None = None,
    ) -> VersionRow:
        """A new staging version (committed at once, so recovery can find it after a crash)."""
        dataset_id = self.ensure_dataset(party, kind)
        now = utcnow()
        with self._db.write() as conn:
            self._lock_dataset(conn, dataset_id)
            last = conn.execute(
                sa.select(sa.func.max(_V.number)).where(_V.dataset_id == dataset_id)
            ).scalar()
            result = conn.execute(
                dataset_versions.insert().values(
                    dataset_id=dataset_id,
                    number=int(last or 0) + 1,
                    status=VersionStatus.STAGING.value,
                    mode=mode,
                    created_at=now,
                    record_count=0,
                    source_name=source_name[:500],
                    checksum="",
                    base_version_id=base_version_id,
                    owner=owner[:300],
                    heartbeat_at=now,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            version_id = int(key[0])
        found = self.version(version_id)
        assert found is not None
        return found

    def insert_records(self, version_id: int, rows: Sequence[tuple[str, str]]) -> None:
        """One batch of (record id, JSON text) in one transaction (executemany), with a heartbeat."""
        if not rows:
            return
        with self._db.write() as conn:
            conn.execute(
                version_records.insert(),
                [{"version_id": version_id, "record_id": i, "data": d} for i, d in rows],
            )
            self._beat(conn, version_id)

    def copy_records(self, source_version_id: int, target_version_id: int) -> int:
        """Copy the records of one version into another, except ids the target already has."""
        old = version_records.alias("old")
        new = version_records.alias("new")
        already = sa.exists().where(
            new.c.version_id == target_version_id, new.c.record_id == old.c.record_id
        )
        chosen = sa.select(
            sa.literal(target_version_id, sa.Integer), old.c.record_id, old.c.data
        ).where(old.c.version_id == source_version_id, ~already)
        # preserve_rowcount: psycopg's count of an INSERT is gone once SQLAlchemy closes the cursor.
        stmt = (
            version_records.insert()
            .from_select(["version_id", "record_id", "data"], chosen)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as conn:
            result = conn.execute(stmt)
            self._beat(conn, target_version_id)
            return int(result.rowcount)

    def delete_records(self, version_id: int, record_ids: Sequence[str]) -> int:
        """Delete records by id from one (staging) version; returns how many were there."""
        if not record_ids:
            return 0
        stmt = version_records.delete().where(
            _R.version_id == version_id, _R.record_id == sa.bindparam("rid")
        )
        # Counting before and after is portable; executemany's rowcount is not on every driver.
        count = (
            sa.select(sa.func.count())
            .select_from(version_records)
            .where(_R.version_id == version_id)
        )
        with self._db.write() as conn:
            before = conn.execute(count).scalar_one()
            conn.execute(stmt, [{"rid": r} for r in record_ids])
            after = conn.execute(count).scalar_one()
            self._beat(conn, version_id)
            return int(before) - int(after)

    def heartbeat(self, version_id: int) -> None:
        with self._db.write() as conn:
            self._beat(conn, version_id)

    @staticmethod
    def _beat(conn: sa.Connection, version_id: int) -> None:
        conn.execute(
            dataset_versions.update().where(_V.id == version_id).values(heartbeat_at=utcnow())
        )

    def promote(
        self,
        version_id: int,
        *,
        record_count: int,
        checksum: str,
        quality: dict[str, Any],
        check_live: bool = False,
        expect_live: int | None = None,
    ) -> VersionRow:
        """Make a staging version live and the live one previous, in one transaction.

        With ``check_live`` the promotion refuses when the live version is not ``expect_live``
        (an upsert's base, None for "none"): another import changed it meanwhile. A replace
        makes no claim about what it replaces and skips the check.
        """
        now = utcnow()
        with self._db.write() as conn:
            dataset_id = conn.execute(sa.select(_V.dataset_id).where(_V.id == version_id)).scalar()
            if dataset_id is not None:
                self._lock_dataset(conn, int(dataset_id))
            # Read after the lock, and lock the version too: a concurrent fail() or promotion
            # of it has either committed (and is seen) or waits for this one.
            found = conn.execute(
                sa.select(_V.status, _V.dataset_id).where(_V.id == version_id).with_for_update()
            ).first()
            if found is None or found.status != VersionStatus.STAGING.value:
                raise PromotionError(
                    f"versie {version_id} is geen staging-versie meer (status "
                    f"{found.status if found else 'verdwenen'}); import afgebroken "
                    f"(version is no longer staging)"
                )
            live = conn.execute(
                sa.select(_V.id).where(
                    _V.dataset_id == found.dataset_id, _V.status == VersionStatus.LIVE.value
                )
            ).scalar()
            if check_live and live != expect_live:
                raise PromotionError(
                    "de live gegevens zijn tijdens deze import door een andere import gewijzigd; "
                    "probeer opnieuw (the live data changed during this import; try again)"
                )
            # Demote first: the partial unique index allows one live version per dataset.
            conn.execute(
                dataset_versions.update()
                .where(_V.dataset_id == found.dataset_id, _V.status == VersionStatus.LIVE.value)
                .values(status=VersionStatus.PREVIOUS.value, demoted_at=now)
            )
            conn.execute(
                dataset_versions.update()
                .where(_V.id == version_id)
                .values(
                    status=VersionStatus.LIVE.value,
                    activated_at=now,
                    record_count=record_count,
                    checksum=checksum,
                    quality=quality,
                    heartbeat_at=None,
                )
            )
        promoted = self.version(version_id)
        assert promoted is not None
        return promoted

    def fail(self, version_id: int, reason: str) -> None:
        """Mark a staging version failed and remove its records (the row stays, as history)."""
        with self._db.write() as conn:
            conn.execute(
                dataset_versions.update()
                .where(_V.id == version_id, _V.status == VersionStatus.STAGING.value)
                .values(status=VersionStatus.FAILED.value, error=reason, heartbeat_at=None)
            )
        # Only if it is failed now: a version promoted just before keeps its records.
        with self._db.write() as conn:
            self._delete_records_of(conn, version_id, VersionStatus.FAILED)

    @staticmethod
    def _delete_records_of(conn: sa.Connection, version_id: int, status: VersionStatus) -> None:
        """Delete a version's records, provided it has ``status`` (checked in the same statement)."""
        still = sa.exists().where(_V.id == version_id, _V.status == status.value)
        conn.execute(version_records.delete().where(_R.version_id == version_id, still))

    def rollback(self, party: str, kind: str) -> VersionRow | None:
        """Swap live and the most recent previous version in one transaction; None without one."""
        now = utcnow()
        with self._db.write() as conn:
            dataset_id = conn.execute(
                sa.select(_D.id).where(_D.party == party, _D.kind == kind)
            ).scalar()
            if dataset_id is None:
                return None
            self._lock_dataset(conn, int(dataset_id))
            previous = conn.execute(
                sa.select(_V.id, _V.dataset_id)
                .select_from(dataset_versions.join(datasets))
                .where(
                    _D.party == party, _D.kind == kind, _V.status == VersionStatus.PREVIOUS.value
                )
                .order_by(_V.demoted_at.desc(), _V.id.desc())
                .limit(1)
            ).first()
            if previous is None:
                return None
            conn.execute(
                dataset_versions.update()
                .where(_V.dataset_id == previous.dataset_id, _V.status == VersionStatus.LIVE.value)
                .values(status=VersionStatus.PREVIOUS.value, demoted_at=now)
            )
            conn.execute(
                dataset_versions.update()
                .where(_V.id == previous.id)
                .values(status=VersionStatus.LIVE.value, activated_at=now, demoted_at=None)
            )
        return self.version(int(previous.id))

    def prune(self, party: str, kind: str, *, keep_previous: int = 1) -> list[int]:
        """Delete previous versions beyond the newest ``keep_previous`` (rows and records)."""
        ordered = sorted(
            self.versions(party, kind, statuses=[VersionStatus.PREVIOUS]),
            key=lambda v: (v.demoted_at or v.created_at, v.id),
            reverse=True,
        )
        stale = ordered[keep_previous:]
        for version in stale:
            # One transaction under the dataset's lock: a rollback to this version meanwhile
            # either happened first (and it is kept) or waits until it is gone.
            with self._db.write() as conn:
                self._lock_dataset(conn, version.dataset_id)
                self._delete_records_of(conn, version.id, VersionStatus.PREVIOUS)
                conn.execute(
                    dataset_versions.delete().where(
                        _V.id == version.id, _V.status == VersionStatus.PREVIOUS.value
                    )
                )
        return [v.id for v in stale]

    def recover(
        self, *, is_gone: Callable[[str], bool], stale_after: dt.timedelta
    ) -> list[VersionRow]:
        """Fail every staging version whose writer is gone or silent; returns what was failed.

        A crash (kill -9) mid-import leaves a staging version behind; it never became live, so
        the previous live data is intact. Failing it removes its half-written records.
        """
        limit = utcnow() - stale_after
        failed = []
        for version in self.versions(statuses=[VersionStatus.STAGING]):
            beat = version.heartbeat_at or version.created_at
            if is_gone(version.owner) or beat < limit:
                self.fail(
                    version.id,
                    "import onderbroken (proces gestopt); versie verwijderd "
                    "(import interrupted; the process stopped)",
                )
                failed.append(version)
        return failed
