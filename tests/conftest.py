# SPDX-License-Identifier: EUPL-1.2
"""Shared fixtures: where the reference material in ../shared lives, and a skip when it is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
