# SPDX-License-Identifier: EUPL-1.2
"""The migration environment Alembic runs: on the connection :mod:`vum.store.migrate` hands it.

There is no ``alembic.ini`` and no URL here: ``vum db upgrade`` opens the database itself (as
the store does: WAL on SQLite, a lock on PostgreSQL), starts the one transaction the whole
upgrade runs in, and passes the connection in ``config.attributes["connection"]``. Alembic
sees a transaction already begun and leaves it alone, so an upgrade commits whole or not at all
(SQLite and PostgreSQL both have transactional DDL).

On SQLite, ``ALTER`` of anything but a new column is a table copy: ``render_as_batch`` makes
Alembic's ``batch_alter_table`` do it (new table, copy, drop, rename).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from vum.store.migrations import VERSION_TABLE
from vum.store.schema import metadata


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if not isinstance(connection, sa.Connection):
        raise RuntimeError(
            "de migraties draaien via `vum db upgrade` of vum.store.migrate "
            "(run the migrations through `vum db upgrade`: no connection was handed in)"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        on_version_apply=config.attributes.get("on_version_apply", ()),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError(
        "geen offline-migraties (no offline (--sql) migrations): use `vum db upgrade`"
    )
run_migrations()
