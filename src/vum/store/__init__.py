# SPDX-License-Identifier: EUPL-1.2
"""The store: the only place with SQL (SQLAlchemy Core; an SQLite file by default, PostgreSQL later).

``Store(target)`` opens ``target`` (a file path such as ``vum.db`` or a database URL; default
``$VUM_DB`` or ``./vum.db``), creates the tables, and offers the repositories ``datasets`` and
``tokens``.
"""

from __future__ import annotations

from pathlib import Path

from vum.store.database import (
    DEFAULT_PATH,
    ENV_VAR,
    Database,
    StoreError,
    database_url,
    default_target,
    utcnow,
)
from vum.store.datasets import DatasetRepository, PromotionError
from vum.store.schema import SCHEMA_VERSION, VersionStatus
from vum.store.tokens import TokenRepository, TokenRow
from vum.store.versions import VersionRow


class Store(Database):
    """One deployment's database with its repositories."""

    def __init__(self, target: str | Path | None = None, *, synchronous: str = "NORMAL") -> None:
        super().__init__(target, synchronous=synchronous)
        self.datasets = DatasetRepository(self)
        self.tokens = TokenRepository(self)

    def __enter__(self) -> Store:
        return self


__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "SCHEMA_VERSION",
    "DatasetRepository",
    "PromotionError",
    "Store",
    "StoreError",
    "TokenRepository",
    "TokenRow",
    "VersionRow",
    "VersionStatus",
    "database_url",
    "default_target",
    "utcnow",
]
