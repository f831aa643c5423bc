# SPDX-License-Identifier: EUPL-1.2
"""One throwaway PostgreSQL server for a test session, and a fresh empty schema on it per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from vum.bench.pg import throwaway_postgres

#: Not UTC on purpose: the store must hand back UTC timestamps whatever the session's zone is.
TEST_SETTINGS = {"timezone": "Europe/Amsterdam"}


class PostgresServer:
    """Creates and drops the per-test schemas over one autocommit admin connection.

    A test gets a schema of its own rather than a database: ``CREATE SCHEMA`` takes a
    millisecond, ``CREATE DATABASE`` (a copy of template1, some 7 MB) 30 to 400 ms on a busy
    machine. The URL sets ``search_path`` to that schema alone, so every connection made from
    it (in other processes too) sees only that test's tables.
    """

    def __init__(self, dsn: str) -> None:
        params = conninfo_to_dict(dsn)
        self._host = str(params["host"])
        self._port = str(params["port"])
        self._user = str(params["user"])
        self._dbname = str(params["dbname"])
        self._admin = psycopg.connect(dsn, autocommit=True)
        self._names = (f"vum_test_{n}" for n in itertools.count(1))

    def url(self, schema: str) -> str:
        """A SQLAlchemy URL for ``Store(url)``: psycopg 3 over the unix socket, in ``schema``."""
        url = sa.URL.create(
            "postgresql+psycopg",
            username=self._user,
            database=self._dbname,
            query={"host": self._host, "port": self._port, "options": f"-csearch_path={schema}"},
        )
        return url.render_as_string(hide_password=False)

    def create_schema(self) -> str:
        """A new empty schema; its name."""
        name = next(self._names)
        self._admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        return name

    def drop_schema(self, name: str) -> None:
        """Drop the schema and its tables (a leaked connection only holds up this drop)."""
        self._admin.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
        )

    def close(self) -> None:
        self._admin.close()


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway server (:func:`vum.bench.pg.throwaway_postgres`); always stopped after."""
    with throwaway_postgres(TEST_SETTINGS) as dsn:
        server = PostgresServer(dsn)
        try:
            yield server
        finally:
            server.close()
