# SPDX-License-Identifier: EUPL-1.2
"""The store's Alembic migrations: ``env.py`` and one script a revision under ``versions/``.

Run them with ``vum db upgrade`` (or :func:`vum.store.migrate.upgrade`); there is no
``alembic.ini``, the configuration is made in code. This module itself imports nothing from
Alembic: opening a store checks the revision against :data:`HEAD` without loading Alembic
(and Mako and Pygments with it, some 170 ms a process).

A schema change is a new revision: change ``vum.store.schema``, add a script under
``versions/`` (``vNNNN_<slug>.py`` with ``revision = "NNNN_<slug>"``) and append its id to
:data:`REVISIONS`. ``tests/store/test_migrations.py`` fails until the scripts build exactly
``vum.store.schema.metadata`` and this list names them in order.
"""

from __future__ import annotations

from pathlib import Path

#: Every revision, oldest first; the last is the schema of ``vum.store.schema.metadata``.
REVISIONS: tuple[str, ...] = (
    # the hosted source: datasets, their versions and records, party API tokens
    "0001_hosted_source",
    # the exchange facility: party registry, result sets, hash-chained audit log
    "0002_facility",
    # the circuit breaker's state per source, shared by every facility worker
    "0003_source_health",
    # the portal: accounts, login throttling, searches and details, saved searches, shortlists
    "0004_portal",
    # the metrics history per source (minute buckets), added to by every facility worker
    "0005_source_stats",
    # the portal's publishing pages: saved column mappings, uploads held between check and publish
    "0006_publishing",
)
#: The revision this software runs on.
HEAD = REVISIONS[-1]
#: Alembic's version table (its default name), one row: the database's revision.
VERSION_TABLE = "alembic_version"
#: The migration environment (``script_location``).
LOCATION = Path(__file__).resolve().parent
