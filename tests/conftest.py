# SPDX-License-Identifier: EUPL-1.2
"""Shared fixtures: where the reference material in ../shared lives, and a skip when it is absent."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "vum-koppelvlak"


@pytest.fixture(scope="session")
def koppelvlak_dir() -> Path:
    """The published VUM contracts and code lists; tests that need them skip when absent."""
    if not (SHARED / "VUM-Bron-WerkzoekendeProfielen.yaml").is_file():
        pytest.skip(f"reference material not found at {SHARED} (clone the project beside ../shared)")
    return SHARED
