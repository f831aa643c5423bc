# SPDX-License-Identifier: EUPL-1.2
"""Opening the store: an SQLite file by default (WAL, real transactions) or a PostgreSQL URL.

Transactions on the two engines:

- SQLite: a read is ``BEGIN`` (one snapshot under WAL), a write ``BEGIN IMMEDIATE``, so writers
  take turns for their whole transaction and a read-then-write cannot race another writer.
- PostgreSQL: a read is ``REPEATABLE READ, READ ONLY`` (one snapshot, as on SQLite); a write is
  ``READ COMMITTED``, where writers run side by side. Whatever reads a row and then writes on
  the strength of it takes a row lock first (``SELECT ... FOR UPDATE``, which SQLite leaves out)
  or lets one statement decide (a conditional ``UPDATE``, ``INSERT ... ON CONFLICT``). No
  ``SERIALIZABLE``: it would make callers retry serialisation failures; row locks just wait.

The schema is Alembic's (``vum.store.migrations``, ``vum db upgrade``). Opening a store creates
the tables only in an empty database, at the newest revision, and records that revision; a
database at an older revision, or one from before the migrations, is refused until
``vum db upgrade`` has run. Opening never loads Alembic itself: the revision it checks against
is :data:`vum.store.migrations.HEAD`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from vum.store.migrations import HEAD, REVISIONS, VERSION_TABLE
from vum.store.schema import SCHEMA_VERSION, audit_head, audit_log, metadata, store_meta

#: Environment variable naming the store (a file path or a database URL).
ENV_VAR = "VUM_DB"
DEFAULT_PATH = "vum.db"
_WRITE = "vum_write"
#: ``pg_advisory_xact_lock`` key taken while the schema is created (any constant will do).
_SCHEMA_LOCK = 0x76756D  # "vum"


class StoreError(RuntimeError):
    """The store cannot be opened or is of a newer schema than this code knows."""


class UpgradeRequired(StoreError):
    """The database is at an older schema revision (or from before migrations): `vum db upgrade`."""


#: Alembic's version table, as Alembic makes it (``DefaultImpl.version_table_impl``): opening a
#: store reads and, for a database it creates, writes it without loading Alembic.
version_table = sa.Table(
    VERSION_TABLE,
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
)


def utcnow() -> dt.datetime:
    """Timestamps are stored in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp in UTC, whichever engine it came from.

    SQLite hands timestamps back without a zone (they were written in UTC); PostgreSQL's
    ``timestamptz`` comes back in the session's time zone (the server's ``timezone`` setting).
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def default_target() -> str:
    """``$VUM_DB`` when set, else ``./vum.db``."""
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


#: The database password, for a PostgreSQL URL that carries none: ``$VUM_DB_PASSWORD`` or the
#: file named by ``$VUM_DB_PASSWORD_FILE`` (Docker secrets). Read here, so that every command
#: (``vum db upgrade``, ``vum parties``, the servers) connects the same way.
PASSWORD_ENV = "VUM_DB_PASSWORD"


def env_password() -> str | None:
    """The password from the environment or its file; None when neither is set."""
    value = os.environ.get(PASSWORD_ENV, "").strip()
    file_name = os.environ.get(f"{PASSWORD_ENV}_FILE", "").strip()
    if value and file_name:
        raise StoreError(
            f"${PASSWORD_ENV} en ${PASSWORD_ENV}_FILE zijn allebei gezet (set one of them)"
        )
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise StoreError(
                f"${PASSWORD_ENV}_FILE: {file_name} niet te lezen (cannot read it): {exc.strerror}"
            ) from None
    return value or None


def database_url(target: str | Path) -> str:
    """A URL for ``target``: kept when it is one (``postgresql+psycopg://...``), else an SQLite file.

    A PostgreSQL URL without a password gets :func:`env_password`'s, when there is one.
    """
    text = str(target)
    if "://" in text:
        if text.startswith("postgresql"):
            url = sa.make_url(text)
            if not url.password and (password := env_password()) is not None:
                return url.set(password=password).render_as_string(hide_password=False)
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def shown_url(url: str) -> str:
    """``url`` for messages and logs: without its password."""
    return sa.make_url(url).render_as_string(hide_password=True)


def upsert_insert(conn: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` that can take ``ON CONFLICT`` clauses, in ``conn``'s dialect (both have them)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"geen ON CONFLICT voor {conn.dialect.name} (SQLite and PostgreSQL only)")


#: How long a SQLite connection waits for another one's lock before it fails.
_BUSY_TIMEOUT_S = 30.0


def _use_wal(cursor: Any, budget_s: float = _BUSY_TIMEOUT_S) -> None:
    """Put the database in WAL mode, waiting (within ``budget_s``) for others opening it too.

    WAL: readers never block the writer, and a killed writer leaves the file consistent. The
    mode belongs to the file, so once any connection set it there is nothing left to do. The
    switch itself needs the file alone, and when two new connections both hold a read lock and
    want it, SQLite answers "database is locked" at once rather than run the busy handler (it
    would deadlock): so the switch is tried again, with a growing pause, until the budget ends.
    """
    deadline = time.monotonic() + budget_s
    pause = 0.002
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            # An in-memory database answers "memory" and stays so: nothing to wait for.
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
            if not busy or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _configure_sqlite(engine: sa.Engine, synchronous: str, *, foreign_keys: bool = True) -> None:
    """Pragmas and real transactions for SQLite (the sqlite3 module's legacy mode skips BEGIN)."""
    enforce = "ON" if foreign_keys else "OFF"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself, so reads see one snapshot and writes can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Another process may hold the write lock for one batch; wait instead of failing. Set
        # first, so that everything below waits too.
        cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
        _use_wal(cursor)
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA foreign_keys={enforce}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A write transaction takes the write lock at once (BEGIN IMMEDIATE); a deferred one
        # that upgrades later can fail with "database is locked" without waiting.
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class RawJson(str):
    """JSON text to store in a JSON column as it is (written once already, e.g. an answer)."""


def _json_serializer(value: Any) -> str:
    # SQLAlchemy's own default is json.dumps; text written already is not parsed and rewritten.
    if type(value) is RawJson:
        return str(value)
    return json.dumps(value)


def create_engine(url: str, *, synchronous: str = "NORMAL", foreign_keys: bool = True) -> sa.Engine:
    """An engine for ``url`` set up as the store's (on SQLite: WAL, ``BEGIN IMMEDIATE`` writes).

    ``foreign_keys=False`` is for schema changes only: SQLite alters a table by copying it and
    dropping the original, and with foreign keys enforced that drop would delete (cascade) the
    rows that refer to it. :func:`schema_transaction` checks the keys before it commits.
    """
    engine = sa.create_engine(url, json_serializer=_json_serializer)
    # ``synchronous`` is SQLite's: PostgreSQL commits as the server's synchronous_commit says.
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, synchronous.upper(), foreign_keys=foreign_keys)
    return engine


@contextmanager
def schema_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction for creating or changing the schema, one process at a time.

    SQLite's ``BEGIN IMMEDIATE`` makes processes take turns; on PostgreSQL a transaction-scoped
    advisory lock does (opening a store and ``vum db upgrade`` take the same lock).
    """
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
            yield conn


def check_foreign_keys(conn: sa.Connection) -> None:
    """On SQLite, refuse rows that refer to nothing (after changes made with the keys off).

    ``PRAGMA foreign_key_check`` reads every referring table: for after a migration, not for
    every open. PostgreSQL checks its keys itself, whatever the change.
    """
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StoreError(
            f"{len(broken)} rij(en) verwijzen naar niets, bijvoorbeeld in {broken[0][0]}; "
            "niets gewijzigd (rows refer to missing rows after the change: rolled back)"
        )


@dataclass(frozen=True)
class SchemaState:
    """What a database holds: its Alembic revision(s) and which of the store's tables."""

    #: the version table's rows; empty when there is no version table (or it is empty)
    revisions: tuple[str, ...]
    #: the store's tables present (of ``vum.store.schema.metadata``'s)
    tables: frozenset[str]

    @property
    def empty(self) -> bool:
        """No revision and none of the store's tables: a database for the store to create."""
        return not self.revisions and not self.tables

    @property
    def unknown(self) -> tuple[str, ...]:
        """Revisions this software does not know (a newer release's)."""
        return tuple(r for r in self.revisions if r not in REVISIONS)

    @property
    def at_head(self) -> bool:
        return self.revisions == (HEAD,)


def read_schema_state(conn: sa.Connection) -> SchemaState:
    """The revision and the store's tables found through ``conn``."""
    names = set(sa.inspect(conn).get_table_names())
    revisions: tuple[str, ...] = ()
    if VERSION_TABLE in names:
        revisions = tuple(sorted(conn.execute(sa.select(version_table.c.version_num)).scalars()))
    return SchemaState(revisions, frozenset(names & set(metadata.tables)))


def check_revision(state: SchemaState, url: str) -> None:
    """Refuse a database that is not at :data:`HEAD` (an empty one is the caller's to create)."""
    where = shown_url(url)
    if state.unknown:
        raise StoreError(
            f"de database {where} heeft schemarevisie {', '.join(state.unknown)}, die deze "
            f"software niet kent; de nieuwste die zij kent is {HEAD} "
            "(the database is newer than this software)"
        )
    if not state.revisions:
        raise UpgradeRequired(
            f"de database {where} is van vóór de schemamigraties (geen {VERSION_TABLE}): voer "
            "eerst `vum db upgrade` uit, met dezelfde --db of $VUM_DB "
            "(the database predates schema migrations: run `vum db upgrade` once first)"
        )
    if not state.at_head:
        raise UpgradeRequired(
            f"de database {where} heeft schemarevisie {', '.join(state.revisions)}, deze software "
            f"verwacht {HEAD}: voer eerst `vum db upgrade` uit, met dezelfde --db of $VUM_DB "
            "(the database has an older schema: run `vum db upgrade` first)"
        )


class Database:
    """One SQLAlchemy engine with read and write transactions; creates the tables on first use."""

    def __init__(self, target: str | Path | None = None, *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in {"NORMAL", "FULL"}:
            raise ValueError("synchronous must be NORMAL or FULL")
        self.url = database_url(target if target is not None else default_target())
        self._closed = False
        self.engine = create_engine(self.url, synchronous=synchronous)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.is_postgresql = self.engine.dialect.name == "postgresql"
        try:
            self._create_schema()
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            raise StoreError(
                f"kan de database {shown_url(self.url)} niet openen (cannot open the database): "
                f"{exc.orig}"
            ) from exc
        except BaseException:
            # Refused (a newer schema) or failed otherwise: close the pooled connection now
            # rather than leave it to the garbage collector.
            self.engine.dispose()
            raise

    def _create_schema(self) -> None:
        # Processes opening a fresh database at once would all create the tables and the first
        # rows: one at a time (and not while `vum db upgrade` runs).
        with schema_transaction(self.engine) as conn:
            state = read_schema_state(conn)
            if state.empty:
                # A new database is made at the newest revision directly, as the migrations
                # would have made it (the tests check that they build the same tables).
                metadata.create_all(conn)
                version_table.create(conn, checkfirst=True)
                conn.execute(version_table.insert().values(version_num=HEAD))
            else:
                check_revision(state, self.url)
            found = conn.execute(
                sa.select(store_meta.c.value).where(store_meta.c.key == "schema_version")
            ).scalar()
            if found is None:
                conn.execute(
                    store_meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                )
            elif int(found) > SCHEMA_VERSION:
                raise StoreError(
                    f"de database heeft schemaversie {found}, deze software kent {SCHEMA_VERSION} "
                    f"(the database is newer than this software)"
                )
            # The audit chain's head exists before the first append, so concurrent first
            # appenders lock one row instead of racing to create it. Only for an empty log: a
            # log whose head went missing stays that way, for `vum audit verify` to report.
            if conn.execute(sa.select(audit_head.c.id)).first() is None and (
                conn.execute(sa.select(audit_log.c.seq).limit(1)).first() is None
            ):
                conn.execute(audit_head.insert().values(id=1, last_seq=0, last_hash="0" * 64))

    def _check_open(self) -> None:
        # A disposed engine would quietly open new connections; a closed store must refuse, so
        # that whatever still holds it (an audit sink) fails loudly instead of writing on.
        if self._closed:
            raise StoreError(f"de database {self.url} is gesloten (the store is closed)")

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction: every statement in it sees the same snapshot."""
        self._check_open()
        with self.engine.connect() as conn:
            if self.is_postgresql:
                # READ COMMITTED (the default) takes a new snapshot for every statement. The pool
                # resets both settings when the connection goes back.
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction, committed on success and rolled back on an exception."""
        self._check_open()
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def close(self) -> None:
        self._closed = True
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
