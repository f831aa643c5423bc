# SPDX-License-Identifier: EUPL-1.2
"""Opening the store: an SQLite file by default (WAL, real transactions) or a PostgreSQL URL."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from vum.store.schema import SCHEMA_VERSION, audit_head, audit_log, metadata, store_meta

#: Environment variable naming the store (a file path or a database URL).
ENV_VAR = "VUM_DB"
DEFAULT_PATH = "vum.db"
_WRITE = "vum_write"


class StoreError(RuntimeError):
    """The store cannot be opened or is of a newer schema than this code knows."""


def utcnow() -> dt.datetime:
    """Timestamps are stored in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def default_target() -> str:
    """``$VUM_DB`` when set, else ``./vum.db``."""
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


def database_url(target: str | Path) -> str:
    """A URL for ``target``: kept when it is one (``postgresql+psycopg://...``), else an SQLite file."""
    text = str(target)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def _configure_sqlite(engine: sa.Engine, synchronous: str) -> None:
    """Pragmas and real transactions for SQLite (the sqlite3 module's legacy mode skips BEGIN)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself, so reads see one snapshot and writes can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer, and a killed writer leaves the file consistent.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Another process may hold the write lock for one batch; wait instead of failing.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A write transaction takes the write lock at once (BEGIN IMMEDIATE); a deferred one
        # that upgrades later can fail with "database is locked" without waiting.
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """One SQLAlchemy engine with read and write transactions; creates the tables on first use."""

    def __init__(self, target: str | Path | None = None, *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in {"NORMAL", "FULL"}:
            raise ValueError("synchronous must be NORMAL or FULL")
        self.url = database_url(target if target is not None else default_target())
        self._closed = False
        self.engine = sa.create_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _configure_sqlite(self.engine, synchronous.upper())
        try:
            self._create_schema()
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            raise StoreError(
                f"kan de database {self.url} niet openen (cannot open the database): {exc.orig}"
            ) from exc

    def _create_schema(self) -> None:
        with self.write() as conn:
            metadata.create_all(conn)
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
        with self.engine.connect() as conn, conn.begin():
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
