# SPDX-License-Identifier: EUPL-1.2
"""Every bemiddelingspostcode in the published 1,000 synthetic job seekers resolves."""

import json
from pathlib import Path

import pytest

from vum.geo import resolve

TESTDATA = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "vum-koppelvlak"
    / "testdata-werkzoekenden-1000.json"
)


@pytest.mark.shared
def test_every_bemiddelingspostcode_resolves() -> None:
    if not TESTDATA.is_file():
        pytest.skip(
            f"reference test data not found at {TESTDATA} (clone the project beside ../shared)"
        )
    profiles = json.loads(TESTDATA.read_text(encoding="utf-8"))
    postcodes = [p["mobiliteit"]["bemiddelingspostcode"] for p in profiles if p.get("mobiliteit")]
    assert len(postcodes) == len(profiles) == 1000
    for postcode in postcodes:
        loc = resolve(postcode)  # with or without fallback
        assert loc.pc4 == int(postcode[:4])
        assert 50.7 < loc.lat < 53.6 and 3.3 < loc.lon < 7.3
