# SPDX-License-Identifier: EUPL-1.2
"""The store: the only place with SQL (SQLAlchemy Core; an SQLite file by default, or PostgreSQL).

``Store(target)`` opens ``target`` (a file path such as ``vum.db`` or a database URL; default
``$VUM_DB`` or ``./vum.db``), creates the tables in an empty database, and offers the
repositories ``datasets`` and ``tokens`` (hosted sources), and ``parties``, ``result_sets`` and
``audit`` (the exchange facility's party registry, result sets and hash-chained audit log), and
``portal`` (the portal's accounts, searches, saved searches and shortlists), and
``source_health`` and ``source_stats`` (the circuit breaker's state and the metrics history
per source, shared by every facility worker).

The schema is versioned by Alembic (``vum.store.migrations``): a database at an older revision
is refused (:class:`UpgradeRequired`) until ``vum db upgrade`` (``vum.store.migrate``) has run;
see docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path

from vum.store.audit import GENESIS, AuditEntry, AuditHead, AuditRepository, AuditRow, chain_hash
from vum.store.database import (
    DEFAULT_PATH,
    ENV_VAR,
    Database,
    StoreError,
    UpgradeRequired,
    database_url,
    default_target,
    utcnow,
)
from vum.store.datasets import DatasetRepository, PromotionError
from vum.store.parties import PartyRepository, PartyRow
from vum.store.portal import PortalRepositories
from vum.store.result_sets import ResultSetRepository, ResultSetRow
from vum.store.schema import SCHEMA_VERSION, PartyStatus, VersionStatus
from vum.store.source_health import SourceHealth, SourceHealthRepository
from vum.store.source_stats import SourceStatsRepository, StatsCounts, StatsPoint
from vum.store.tokens import TokenRepository, TokenRow
from vum.store.versions import VersionRow


class Store(Database):
    """One deployment's database with its repositories."""

    def __init__(self, target: str | Path | None = None, *, synchronous: str = "NORMAL") -> None:
        super().__init__(target, synchronous=synchronous)
        self.datasets = DatasetRepository(self)
        self.tokens = TokenRepository(self)
        self.parties = PartyRepository(self)
        self.result_sets = ResultSetRepository(self)
        self.audit = AuditRepository(self)
        self.portal = PortalRepositories(self)
        self.source_health = SourceHealthRepository(self)
        self.source_stats = SourceStatsRepository(self)

    def __enter__(self) -> Store:
        return self


__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "GENESIS",
    "SCHEMA_VERSION",
    "AuditEntry",
    "AuditHead",
    "AuditRepository",
    "AuditRow",
    "DatasetRepository",
    "PartyRepository",
    "PartyRow",
    "PartyStatus",
    "PortalRepositories",
    "PromotionError",
    "ResultSetRepository",
    "ResultSetRow",
    "SourceHealth",
    "SourceHealthRepository",
    "SourceStatsRepository",
    "StatsCounts",
    "StatsPoint",
    "Store",
    "StoreError",
    "TokenRepository",
    "TokenRow",
    "UpgradeRequired",
    "VersionRow",
    "VersionStatus",
    "chain_hash",
    "database_url",
    "default_target",
    "utcnow",
]
