# SPDX-License-Identifier: EUPL-1.2
"""The database password comes from the environment or a secrets file, for every command alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from vum.store import StoreError
from vum.store.database import database_url

URL = "postgresql+psycopg://vum@db.internal:5432/vum"


def test_a_url_without_password_takes_the_environments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VUM_DB_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("VUM_DB_PASSWORD", "s3cr3t/:@x")
    assert sa.make_url(database_url(URL)).password == "s3cr3t/:@x"
    # A URL that has one keeps it; SQLite files and other URLs are left alone.
    with_own = "postgresql+psycopg://vum:own@db.internal/vum"
    assert sa.make_url(database_url(with_own)).password == "own"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_password_file_of_a_container_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "postgres_password"
    secret.write_text("uit-een-bestand\n", encoding="utf-8")
    monkeypatch.delenv("VUM_DB_PASSWORD", raising=False)
    monkeypatch.setenv("VUM_DB_PASSWORD_FILE", str(secret))
    assert sa.make_url(database_url(URL)).password == "uit-een-bestand"
    monkeypatch.setenv("VUM_DB_PASSWORD", "ook")
    with pytest.raises(StoreError, match="allebei gezet"):
        database_url(URL)
    monkeypatch.delenv("VUM_DB_PASSWORD")
    monkeypatch.setenv("VUM_DB_PASSWORD_FILE", str(tmp_path / "weg"))
    with pytest.raises(StoreError, match="niet te lezen"):
        database_url(URL)


def test_without_either_the_url_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VUM_DB_PASSWORD", raising=False)
    monkeypatch.delenv("VUM_DB_PASSWORD_FILE", raising=False)
    assert database_url(URL) == URL
