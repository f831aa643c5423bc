# SPDX-License-Identifier: EUPL-1.2
"""Fixtures for the hosted source: a store in a temporary file, the sources on it, generated records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vum.sources import HostedSources
from vum.standard.kinds import Kind
from vum.store import Store
from vum.synthetic import generate

PARTY = "00000001234567890000"
OTHER_PARTY = "00000009876543210000"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "vum.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


@pytest.fixture
def sources(store: Store) -> HostedSources:
    return HostedSources(store)


@pytest.fixture(scope="session")
def profiles() -> list[dict[str, Any]]:
    """200 generated, valid job-seeker profiles (seed 7)."""
    return list(generate(Kind.WERKZOEKENDE, 200, seed=7))


@pytest.fixture(scope="session")
def vacancies() -> list[dict[str, Any]]:
    return list(generate(Kind.VACATURE, 100, seed=8))
