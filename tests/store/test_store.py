# SPDX-License-Identifier: EUPL-1.2
"""The store on SQLite (WAL, real transactions) and PostgreSQL: one live version per dataset, atomic swaps."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from vum.store import PromotionError, Store, StoreError, VersionStatus, database_url
from vum.store.database import _use_wal
from vum.store.schema import dataset_versions, store_meta

PARTY = "00000001234567890000"


def _stage(store: Store, rows: int, *, owner: str = "elders:1") -> int:
    version = store.datasets.create_staging(
        PARTY, "werkzoekende", mode="replace", source_name="test", owner=owner
    )
    store.datasets.insert_records(version.id, [(f"id{i:04d}", "{}") for i in range(rows)])
    return version.id


def _live(store: Store, rows: int) -> int:
    version_id = _stage(store, rows)
    store.datasets.promote(version_id, record_count=rows, checksum="c", quality={"score": 1})
    return version_id


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with Store(tmp_path / "vum.db") as store, store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with Store(tmp_path / "full.db", synchronous="FULL") as full, full.read() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_wal_switch_waits_for_a_lock_sqlite_would_not_wait_for(tmp_path: Path) -> None:
    # A file still in rollback mode, read by another connection: the switch to WAL cannot have
    # the file alone. With no busy handler (as SQLite behaves when two new connections would
    # deadlock) the switch fails at once; the store's switch tries again until the reader ends.
    path = tmp_path / "old.db"
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("CREATE TABLE t (x)")
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()
    opener = sqlite3.connect(path, isolation_level=None, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        opener.execute("PRAGMA journal_mode=WAL")
    threading.Timer(0.3, reader.execute, ("COMMIT",)).start()
    cursor = opener.cursor()
    _use_wal(cursor, budget_s=10)
    assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # A lock that outlasts the budget still fails, with SQLite's own error.
    reader.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(tmp_path / "other.db", isolation_level=None, timeout=0)
    other.execute("CREATE TABLE t (x)")
    holder = sqlite3.connect(tmp_path / "other.db", isolation_level=None)
    holder.execute("BEGIN")
    holder.execute("SELECT * FROM t").fetchall()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _use_wal(other.cursor(), budget_s=0.05)
    for conn in (reader, opener, other, holder):
        conn.close()


@pytest.mark.postgresql
def test_postgresql_reads_one_snapshot_and_writes_read_committed(postgres_url: str) -> None:
    with Store(postgres_url) as store:
        with store.read() as conn:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "repeatable read"
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        with store.write() as conn:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "off"
        # The pool hands the same connection out again: a read's settings do not stick to it.
        with store.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        with store.write() as conn:
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "off"


def test_targets_become_urls_and_a_newer_schema_is_refused(store_url: str, tmp_path: Path) -> None:
    assert database_url("postgresql+psycopg://u@h/vum") == "postgresql+psycopg://u@h/vum"
    assert database_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    with Store(store_url) as store, store.write() as conn:
        conn.execute(
            store_meta.update().where(store_meta.c.key == "schema_version").values(value="999")
        )
    with pytest.raises(StoreError, match="schemaversie 999"):
        Store(store_url)


def test_promotion_swaps_live_and_previous_in_one_step(store: Store) -> None:
    first = _live(store, 3)
    second = _live(store, 5)
    repo = store.datasets
    assert repo.live_version_id(PARTY, "werkzoekende") == second
    previous = repo.current(PARTY, "werkzoekende", VersionStatus.PREVIOUS)
    assert previous is not None and previous.id == first
    assert repo.count_records(second) == 5
    assert [r[0] for r in repo.iter_records(second)] == [f"id{i:04d}" for i in range(5)]


def test_the_database_allows_only_one_live_version_per_dataset(store: Store) -> None:
    _live(store, 1)
    staged = _stage(store, 1)
    with pytest.raises(sa.exc.IntegrityError), store.write() as conn:
        conn.execute(
            dataset_versions.update()
            .where(dataset_versions.c.id == staged)
            .values(status=VersionStatus.LIVE.value)
        )


def test_a_failed_promotion_changes_nothing(store: Store) -> None:
    live = _live(store, 2)
    staged = _stage(store, 4)
    with pytest.raises(PromotionError, match="gewijzigd"):
        store.datasets.promote(
            staged,
            record_count=4,
            checksum="c",
            quality={},
            check_live=True,
            expect_live=live + 100,
        )
    assert store.datasets.live_version_id(PARTY, "werkzoekende") == live
    store.datasets.fail(staged, "test")
    with pytest.raises(PromotionError, match="geen staging-versie"):
        store.datasets.promote(staged, record_count=4, checksum="c", quality={})
    assert store.datasets.count_records(staged) == 0


def test_failing_a_version_that_went_live_meanwhile_keeps_its_records(store: Store) -> None:
    # Recovery judged an import gone just as it promoted its version: nothing may be lost.
    live = _live(store, 3)
    store.datasets.fail(live, "too late")
    found = store.datasets.version(live)
    assert found is not None and found.status is VersionStatus.LIVE and found.error is None
    assert store.datasets.count_records(live) == 3


def test_rollback_and_pruning_keep_the_newest_previous(store: Store) -> None:
    ids = [_live(store, n) for n in (1, 2, 3)]
    assert store.datasets.prune(PARTY, "werkzoekende") == [ids[0]]
    assert store.datasets.count_records(ids[0]) == 0
    restored = store.datasets.rollback(PARTY, "werkzoekende")
    assert restored is not None and restored.id == ids[1]
    assert store.datasets.live_version_id(PARTY, "werkzoekende") == ids[1]
    assert store.datasets.rollback("00000000000000000000", "werkzoekende") is None


def test_copy_and_delete_records_between_versions(store: Store) -> None:
    live = _live(store, 5)
    version = store.datasets.create_staging(
        PARTY, "werkzoekende", mode="upsert", source_name="t", owner="x:1", base_version_id=live
    )
    store.datasets.insert_records(version.id, [("id0001", '{"new":1}'), ("extra", "{}")])
    assert store.datasets.copy_records(live, version.id) == 4  # id0001 is already there
    assert store.datasets.delete_records(version.id, ["id0002", "nope"]) == 1
    assert store.datasets.record(version.id, "id0001") == '{"new":1}'
    assert store.datasets.record_ids(version.id) == {
        "id0000",
        "id0001",
        "id0003",
        "id0004",
        "extra",
    }


def test_recovery_fails_staging_versions_of_gone_or_silent_writers(store: Store) -> None:
    live = _live(store, 2)
    gone = _stage(store, 3, owner="dood:1")
    running = _stage(store, 3, owner="levend:2")
    failed = store.datasets.recover(
        is_gone=lambda owner: owner.startswith("dood"), stale_after=dt.timedelta(minutes=10)
    )
    assert [v.id for v in failed] == [gone]
    assert store.datasets.version(gone).status is VersionStatus.FAILED  # type: ignore[union-attr]
    assert store.datasets.count_records(gone) == 0
    assert store.datasets.version(running).status is VersionStatus.STAGING  # type: ignore[union-attr]
    silent = store.datasets.recover(is_gone=lambda owner: False, stale_after=dt.timedelta(0))
    assert [v.id for v in silent] == [running]
    assert store.datasets.live_version_id(PARTY, "werkzoekende") == live


def test_token_rows_are_found_by_party_and_key_and_revoked(store: Store) -> None:
    row = store.tokens.add(PARTY, "0123456789abcdef", "$argon2id$hash", "label")
    assert store.tokens.find(PARTY, "0123456789abcdef") == row
    assert store.tokens.find("00000000000000000000", "0123456789abcdef") is None
    assert store.tokens.revoke(PARTY, label="label") == 1
    found = store.tokens.find(PARTY, "0123456789abcdef")
    assert found is not None and not found.active
    with pytest.raises(ValueError):
        store.tokens.revoke(PARTY)
