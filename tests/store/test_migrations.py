# SPDX-License-Identifier: EUPL-1.2
"""Schema migrations (Alembic) on SQLite and PostgreSQL: `vum db upgrade`, `current`, `history`.

The guard against a schema change without a migration: the migrations must build exactly
``vum.store.schema.metadata`` (Alembic's autogenerate comparison finds nothing).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from tests.store import schema_0001, workers
from tests.store.workers import Race
from vum.store import GENESIS, AuditEntry, Store, StoreError, UpgradeRequired, VersionStatus
from vum.store.cli import app as db_app
from vum.store.database import version_table
from vum.store.migrate import (
    alembic_config,
    differences,
    history,
    migration_connection,
    script_directory,
    state,
    upgrade,
)
from vum.store.migrations import HEAD, REVISIONS
from vum.store.schema import (
    dataset_versions,
    datasets,
    metadata,
    party_tokens,
    store_meta,
    version_records,
)

FIRST = "0001_hosted_source"
PARTY = "00000001234567890000"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def vum_db(*args: str) -> Any:
    return CliRunner().invoke(db_app, list(args))


def diff(url: str, target: sa.MetaData = metadata) -> list[Any]:
    """Alembic's differences between the database at ``url`` and ``target``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if target is metadata:
                return differences(conn)
            from alembic.autogenerate import compare_metadata
            from alembic.runtime.migration import MigrationContext

            found: list[Any] = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), target
            )
            return found
    finally:
        engine.dispose()


def url_of(store_url: str) -> str:
    return store_url if "://" in store_url else f"sqlite:///{store_url}"


def fill_hosted_source(url: str) -> None:
    """A live dataset with two records and a token, written as the first release's code would."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        dataset_id = conn.execute(
            datasets.insert().values(party=PARTY, kind="werkzoekende", created_at=NOW)
        ).inserted_primary_key[0]
        version_id = conn.execute(
            dataset_versions.insert().values(
                dataset_id=dataset_id,
                number=1,
                status="live",
                mode="replace",
                created_at=NOW,
                activated_at=NOW,
                record_count=2,
                source_name="oud.json",
                checksum="c" * 64,
                quality={"score": 0.9},
                owner="",
            )
        ).inserted_primary_key[0]
        conn.execute(
            version_records.insert(),
            [
                {"version_id": version_id, "record_id": "a", "data": '{"id": "a"}'},
                {"version_id": version_id, "record_id": "b", "data": '{"id": "b"}'},
            ],
        )
        conn.execute(
            party_tokens.insert().values(
                party=PARTY, key="k" * 32, token_hash="h", label="import", created_at=NOW
            )
        )
    engine.dispose()


def assert_hosted_source_kept(store: Store) -> None:
    live = store.datasets.current(PARTY, "werkzoekende", VersionStatus.LIVE)
    assert live is not None and live.record_count == 2 and live.source_name == "oud.json"
    assert dict(store.datasets.iter_records(live.id)) == {"a": '{"id": "a"}', "b": '{"id": "b"}'}
    token = store.tokens.find(PARTY, "k" * 32)
    assert token is not None and token.label == "import"


def test_the_revision_list_names_the_scripts_in_order() -> None:
    scripts = history()
    assert tuple(r.id for r in scripts) == REVISIONS
    assert [r.down for r in scripts] == [None, *REVISIONS[:-1]]
    assert script_directory().get_heads() == [HEAD]
    assert all(r.doc for r in scripts)
    # The tables opening a store writes into are Alembic's version table as Alembic makes it.
    assert version_table.name == "alembic_version"


def test_upgrade_takes_an_empty_database_to_head(store_url: str) -> None:
    result = vum_db("upgrade", "--db", store_url)
    assert result.exit_code == 0, result.output
    assert all(rev in result.output for rev in REVISIONS)
    assert "Bijgewerkt van leeg (empty) tot " + HEAD in result.output
    current = vum_db("current", "--db", store_url, "--check")
    assert current.exit_code == 0 and current.output.strip() == f"{HEAD} (head)"
    # The guard against a schema change without a migration.
    assert diff(url_of(store_url)) == []
    with Store(store_url) as store:
        head = store.audit.head()
        assert head is not None and head.last_hash == GENESIS
        with store.read() as conn:
            assert conn.execute(sa.select(store_meta.c.value)).scalar_one() == "1"
    again = vum_db("upgrade", "--db", store_url)
    assert again.exit_code == 0 and "niets te doen" in again.output


def test_a_new_store_is_created_at_head_as_the_migrations_build_it(store_url: str) -> None:
    Store(store_url).close()
    assert state(store_url).at_head
    assert diff(url_of(store_url)) == []
    assert vum_db("current", "--db", store_url).output.strip() == f"{HEAD} (head)"
    assert "niets te doen" in vum_db("upgrade", "--db", store_url).output


def test_revision_1_is_the_first_released_schema(store_url: str) -> None:
    assert upgrade(store_url, FIRST).applied == (FIRST,)
    assert diff(url_of(store_url), schema_0001.metadata) == []
    # ... and the comparison does see what the later revisions add.
    missing = {d[1].name for d in diff(url_of(store_url)) if d[0] == "add_table"}
    assert {"parties", "result_sets", "audit_log", "audit_head", "source_health"} <= missing
    assert missing == set(metadata.tables) - set(schema_0001.metadata.tables)


def test_an_older_database_is_refused_then_upgraded_with_its_data(store_url: str) -> None:
    upgrade(store_url, FIRST)
    fill_hosted_source(url_of(store_url))
    with pytest.raises(UpgradeRequired, match=r"vum db upgrade.*\(the database has an older"):
        Store(store_url)
    current = vum_db("current", "--db", store_url, "--check")
    assert current.exit_code == 1 and current.output.startswith(f"{FIRST} (ouder dan head")

    result = vum_db("upgrade", "--db", store_url)
    assert result.exit_code == 0, result.output
    assert f"Bijgewerkt van {FIRST} tot {HEAD}" in result.output
    assert FIRST + ":" not in result.output  # only the missing step ran
    assert vum_db("current", "--db", store_url).output.strip() == f"{HEAD} (head)"
    assert diff(url_of(store_url)) == []
    with Store(store_url) as store:
        assert_hosted_source_kept(store)
        # The facility's new tables work, the audit chain starts at its genesis.
        assert store.audit.append(AuditEntry("matches", party=PARTY, details={})).seq == 1


#: the facility's tables as ``create_all`` made them before there were migrations (b50da70)
SECOND = "0002_facility"
_SECOND_TABLES = ("parties", "result_sets", "audit_log", "audit_head")


@pytest.mark.parametrize("shape", [FIRST, SECOND])
def test_a_database_from_before_migrations_is_recognised_by_upgrade(
    store_url: str, shape: str
) -> None:
    url = url_of(store_url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # what opening a store did before there were migrations
        schema_0001.metadata.create_all(conn)
        if shape == SECOND:
            metadata.create_all(conn, tables=[metadata.tables[t] for t in _SECOND_TABLES])
        conn.execute(store_meta.insert().values(key="schema_version", value="1"))
    engine.dispose()
    fill_hosted_source(url)
    with pytest.raises(UpgradeRequired, match=r"van vóór de schemamigraties.*vum db upgrade"):
        Store(store_url)
    current = vum_db("current", "--db", store_url)
    assert current.output.startswith(f"geen (van vóór de migraties, herkend als {shape}")

    result = vum_db("upgrade", "--db", store_url)
    assert result.exit_code == 0, result.output
    assert f"herkend als {shape}" in result.output
    assert state(store_url).at_head and diff(url) == []
    with Store(store_url) as store:
        assert_hosted_source_kept(store)


def test_a_newer_or_unknown_database_is_refused(store_url: str) -> None:
    Store(store_url).close()
    engine = sa.create_engine(url_of(store_url))
    with engine.begin() as conn:
        conn.execute(version_table.update().values(version_num="0099_future"))
    engine.dispose()
    with pytest.raises(StoreError, match="0099_future, die deze software niet kent") as refused:
        Store(store_url)
    assert not isinstance(refused.value, UpgradeRequired)
    result = vum_db("upgrade", "--db", store_url)
    assert result.exit_code == 1 and "newer than this software" in result.output
    assert "onbekend" in vum_db("current", "--db", store_url).output


def test_tables_of_no_known_shape_are_not_stamped(store_url: str) -> None:
    engine = sa.create_engine(url_of(store_url))
    with engine.begin() as conn:
        datasets.create(conn)
    engine.dispose()
    result = vum_db("upgrade", "--db", store_url)
    assert result.exit_code == 1 and "geen bekende vorm" in result.output
    assert state(store_url).revisions == ()


def test_the_migrations_downgrade_to_nothing_and_up_again(store_url: str) -> None:
    upgrade(store_url)
    with migration_connection(store_url) as conn:
        command.downgrade(alembic_config(conn), "base")
    assert state(store_url).empty
    assert upgrade(store_url).applied == REVISIONS
    assert diff(url_of(store_url)) == []


def test_processes_upgrading_at_once_apply_each_step_once(store_url: str, race: Race) -> None:
    upgrade(store_url, FIRST)
    applied = race(workers.upgrade, store_url)
    assert sorted(applied) == [()] * (workers.COUNT - 1) + [REVISIONS[1:]]
    assert state(store_url).at_head


def test_sqlite_upgrades_check_the_foreign_keys_before_committing(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    upgrade(db)
    refused = pytest.raises(StoreError, match=r"1 rij\(en\) verwijzen naar niets")
    with refused, migration_connection(db) as conn:  # keys off, as for a table copy
        conn.execute(version_records.insert().values(version_id=99, record_id="x", data=""))
    with Store(db) as store, store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(version_records)).scalar() == 0


def test_vum_db_is_mounted_and_missing_databases_are_not_created(tmp_path: Path) -> None:
    from vum.cli import mount

    result = CliRunner().invoke(mount("db"), ["db", "history"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].startswith(f"{HEAD} (head): ")
    missing = tmp_path / "nergens.db"
    result = vum_db("current", "--db", str(missing))
    assert result.exit_code == 2 and "bestaat niet" in result.output and not missing.exists()
    assert vum_db("upgrade", "--db", str(tmp_path / "nieuw.db")).exit_code == 0
    assert state(tmp_path / "nieuw.db").at_head


def test_opening_a_store_does_not_load_alembic(tmp_path: Path) -> None:
    code = (
        "import sys; from vum.store import Store; "
        f"Store({str(tmp_path / 'vum.db')!r}).close(); print('alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
