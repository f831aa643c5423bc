# SPDX-License-Identifier: EUPL-1.2
"""The detail request: the source's own id in, the whole record out (unwrapped, as VUM-Bron defines it)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.http import SOURCE, AsgiClient, vum_headers
from vum.standard import Kind


@pytest.mark.parametrize("kind", list(Kind))
def test_detail_of_a_match_is_the_whole_record(
    client: AsgiClient, dataset: dict[Kind, list[dict[str, Any]]], kind: Kind
) -> None:
    query = {"vraagObject": {"selectiegebied": {"postcode": "1315AB", "afstand": 50}}}
    matches = client.post(f"/api/v3/{kind.resource}/matches", json=query, headers=vum_headers())
    first = matches.json()["matches"][0][kind.id_field]
    response = client.get(f"/api/v3/{kind.resource}/{first}", headers=vum_headers())
    assert response.status_code == 200
    assert response.headers["X-VUM-fromParty"] == SOURCE
    expected = next(r for r in dataset[kind] if r[kind.id_field] == first)
    assert response.json() == expected


def test_detail_is_per_party(client: AsgiClient, dataset: dict[Kind, list[dict[str, Any]]]) -> None:
    # OTHER_SOURCE holds the first 20 profiles only; the 21st is not its record.
    record_id = dataset[Kind.WERKZOEKENDE][20]["idWerkzoekende"]
    url = f"/api/v3/werkzoekendeProfielen/{record_id}"
    assert client.get(url, headers=vum_headers()).status_code == 200
    other = vum_headers(**{"X-VUM-toParty": "00000001007654321000"})
    response = client.get(url, headers=other)
    assert (response.status_code, response.json()["code"]) == (400, "400.01")
