# SPDX-License-Identifier: EUPL-1.2
"""Schema migrations with Alembic, configured in code: what `vum db upgrade`, `current` and
`history` run.

An upgrade opens the database as the store does, takes the schema lock (SQLite's
``BEGIN IMMEDIATE``, PostgreSQL's advisory lock) and runs every step in that one transaction:
it commits whole or not at all, and a store being opened meanwhile waits for it. On SQLite the
steps run with foreign keys off (a table copy would otherwise cascade deletes) and
``PRAGMA foreign_key_check`` must pass before the commit.

A database from before the migrations (the store's tables, no ``alembic_version``) was made by
``create_all`` in one of two shapes; the upgrade recognises which by its tables, records that
revision (``stamp``) and upgrades from there. Opening such a database with ``Store`` is refused
until then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from vum.store.database import (
    SchemaState,
    StoreError,
    check_foreign_keys,
    create_engine,
    database_url,
    read_schema_state,
    schema_transaction,
    shown_url,
)
from vum.store.migrations import HEAD, LOCATION, REVISIONS, VERSION_TABLE
from vum.store.schema import metadata

#: The tables ``create_all`` made before there were migrations, for the two shapes it ever
#: had: the hosted source (3840fa4), then the facility's tables beside them (b50da70). Only
#: these need recognising: every database made since carries its revision.
_BEFORE_MIGRATIONS: dict[str, frozenset[str]] = {
    "0001_hosted_source": frozenset(
        {"store_meta", "datasets", "dataset_versions", "version_records", "party_tokens"}
    ),
}
_BEFORE_MIGRATIONS["0002_facility"] = _BEFORE_MIGRATIONS["0001_hosted_source"] | {
    "parties",
    "result_sets",
    "audit_log",
    "audit_head",
}


@dataclass(frozen=True)
class Revision:
    """One migration script."""

    id: str
    down: str | None
    doc: str


@dataclass(frozen=True)
class Upgraded:
    """What :func:`upgrade` did."""

    #: the revision(s) before: empty for an empty database or one from before migrations
    before: tuple[str, ...]
    #: the revision(s) after
    after: tuple[str, ...]
    #: the shape an unversioned database was recognised as and stamped with, if any
    stamped: str | None
    #: the revisions applied, in order
    applied: tuple[str, ...]


def alembic_config(
    connection: sa.Connection | None = None,
    *,
    on_version_apply: Callable[..., None] | None = None,
) -> Config:
    """Alembic's configuration without an ``alembic.ini``: the environment in the package.

    ``connection`` is the one ``env.py`` migrates on (in a transaction already begun).
    """
    config = Config()
    # Values go through ConfigParser interpolation: a literal % is written %%.
    config.set_main_option("script_location", str(LOCATION).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    # New scripts as versions/vNNNN_slug.py (a valid module name) for revision ids NNNN_slug.
    config.set_main_option("file_template", "v%%(rev)s")
    if connection is not None:
        config.attributes["connection"] = connection
    if on_version_apply is not None:
        config.attributes["on_version_apply"] = on_version_apply
    return config


def script_directory() -> ScriptDirectory:
    """The migration scripts shipped in ``vum.store.migrations``."""
    return ScriptDirectory.from_config(alembic_config())


def history() -> list[Revision]:
    """Every revision, oldest first."""
    scripts = list(script_directory().walk_revisions())
    scripts.reverse()
    return [
        Revision(s.revision, s.down_revision if isinstance(s.down_revision, str) else None, s.doc)
        for s in scripts
    ]


def recognise(tables: frozenset[str]) -> str | None:
    """The revision whose tables a database from before migrations has; ``None``: no shape."""
    for revision, shape in _BEFORE_MIGRATIONS.items():
        if tables == shape:
            return revision
    return None


@contextmanager
def migration_connection(target: str | Path, *, check: bool = True) -> Iterator[sa.Connection]:
    """A connection to ``target`` in a schema transaction: the schema lock, on SQLite the
    foreign keys off and (``check``) all checked before the commit."""
    url = database_url(target)
    engine = create_engine(url, foreign_keys=False)
    try:
        with schema_transaction(engine) as conn:
            yield conn
            if check:
                check_foreign_keys(conn)
    except sa.exc.OperationalError as exc:
        raise StoreError(
            f"kan de database {shown_url(url)} niet openen (cannot open the database): {exc.orig}"
        ) from exc
    finally:
        engine.dispose()


def state(target: str | Path) -> SchemaState:
    """The revision and tables of ``target``, read without changing anything."""
    url = database_url(target)
    engine = create_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            return read_schema_state(conn)
    except sa.exc.OperationalError as exc:
        raise StoreError(
            f"kan de database {shown_url(url)} niet openen (cannot open the database): {exc.orig}"
        ) from exc
    finally:
        engine.dispose()


def upgrade(
    target: str | Path,
    revision: str = "head",
    *,
    on_step: Callable[[Revision], None] | None = None,
) -> Upgraded:
    """Bring ``target`` to ``revision`` (default: the newest) in one transaction.

    An empty database gets every revision from the first; one from before migrations is first
    stamped with the revision its tables show. ``on_step`` hears of each revision applied.
    """
    if revision != "head" and revision not in REVISIONS:
        raise StoreError(f"onbekende revisie {revision} (unknown revision); zie `vum db history`")
    applied: list[str] = []
    docs = {r.id: r for r in history()}

    def _applied(*, step: Any, **_: Any) -> None:
        if step.is_upgrade and step.is_migration:  # not a stamp
            rev = step.up_revision_id
            applied.append(rev)
            if on_step is not None:
                on_step(docs[rev])

    url = database_url(target)
    with migration_connection(url, check=False) as conn:
        found = read_schema_state(conn)
        if found.unknown:
            raise StoreError(
                f"de database {shown_url(url)} heeft schemarevisie {', '.join(found.unknown)}, "
                f"die deze software niet kent; de nieuwste die zij kent is {HEAD} "
                "(the database is newer than this software)"
            )
        stamped: str | None = None
        config = alembic_config(conn, on_version_apply=_applied)
        if not found.revisions and found.tables:
            stamped = recognise(found.tables)
            if stamped is None:
                raise StoreError(
                    f"de database {shown_url(url)} heeft geen {VERSION_TABLE} en tabellen die "
                    f"bij geen bekende vorm horen ({', '.join(sorted(found.tables))}) "
                    "(no version table and tables of no known shape: not upgraded)"
                )
            command.stamp(config, stamped)
        try:
            command.upgrade(config, revision)
        except CommandError as exc:
            raise StoreError(
                f"kan de database {shown_url(url)} niet bijwerken tot {revision} "
                f"(cannot upgrade): {exc}"
            ) from exc
        if applied:
            check_foreign_keys(conn)
        after = read_schema_state(conn).revisions
    return Upgraded(found.revisions, after, stamped, tuple(applied))


def differences(conn: sa.Connection) -> list[Any]:
    """What Alembic's autogenerate finds between the database and ``vum.store.schema.metadata``.

    Empty when the migrations (or ``create_all``) built exactly the tables the code declares.
    """
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
    )
    found: list[Any] = compare_metadata(context, metadata)
    return found
