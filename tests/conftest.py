# SPDX-License-Identifier: EUPL-1.2
"""Shared fixtures: the reference material in ../shared (skip when absent), a throwaway PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.store.pg import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "vum-koppelvlak"
TESTDATA = SHARED / "testdata-werkzoekenden-1000.json"
_SKIP = f"reference material not found at {SHARED} (the project expects ../shared beside it)"


@pytest.fixture(scope="session")
def koppelvlak_dir() -> Path:
    """The published VUM contracts and code lists; tests that need them skip when absent."""
    if not (SHARED / "VUM-Bron-WerkzoekendeProfielen.yaml").is_file():
        pytest.skip(_SKIP)
    return SHARED


@pytest.fixture(scope="session")
def testdata_profiles(koppelvlak_dir: Path) -> list[dict[str, Any]]:
    """The 1,000 published synthetic profiles (read from ../shared, never copied)."""
    if not TESTDATA.is_file():
        pytest.skip(_SKIP)
    data: list[dict[str, Any]] = json.loads(TESTDATA.read_text(encoding="utf-8"))
    return data


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against a throwaway PostgreSQL server")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session, started when a test first asks.

    Skips (every test that asks) when the server binaries are not installed here.
    """
    # Imported here: the suites that never touch PostgreSQL do not pay for psycopg.
    from vum.bench.pg import missing_binaries

    reason = missing_binaries()
    if reason is not None:
        pytest.skip(reason)
    from tests.store.pg import postgres_server as start

    with start() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty schema on the session's server as a URL for ``Store(url)``; dropped after."""
    name = postgres_server.create_schema()
    yield postgres_server.url(name)
    postgres_server.drop_schema(name)
