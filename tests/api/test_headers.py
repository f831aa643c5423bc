# SPDX-License-Identifier: EUPL-1.2
"""The VUM headers: required on every call (400.02 missing, 400.01 invalid), mirrored on every answer."""

from __future__ import annotations

import pytest

from tests.api.http import ASKER, FACILITY, SOURCE, AsgiClient, vum_headers

MATCHES = "/api/v3/werkzoekendeProfielen/matches"
QUERY = {"vraagObject": {"selectiegebied": {"postcode": "1315AB", "afstand": 25}}}
REQUIRED = [
    "X-VUM-berichtVersie",
    "API-Version",
    "X-VUM-fromParty",
    "X-VUM-toParty",
    "X-VUM-viaParty",
    "X-VUM-SUWIparty",
]


def _mirrored(headers: object) -> None:
    assert headers["X-VUM-berichtVersie"] == "3.0.0"  # type: ignore[index]
    assert headers["API-Version"] == "3.0.0"  # type: ignore[index]


def test_answer_mirrors_the_parties(client: AsgiClient) -> None:
    response = client.post(MATCHES, json=QUERY, headers=vum_headers())
    assert response.status_code == 200
    _mirrored(response.headers)
    # The answer travels back: from the source, to the asker, through the same facility.
    assert response.headers["X-VUM-fromParty"] == SOURCE
    assert response.headers["X-VUM-toParty"] == ASKER
    assert response.headers["X-VUM-viaParty"] == FACILITY
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("blank", [None, ""], ids=["absent", "empty"])
def test_missing_header_is_400_02(client: AsgiClient, name: str, blank: str | None) -> None:
    response = client.post(MATCHES, json=QUERY, headers=vum_headers(**{name: blank}))
    assert response.status_code == 400
    assert response.json()["code"] == "400.02"
    assert name in response.json()["details"]
    _mirrored(response.headers)


@pytest.mark.parametrize("name", REQUIRED)
def test_missing_header_on_detail_is_400_02(client: AsgiClient, name: str) -> None:
    response = client.get("/api/v3/vacatures/abc", headers=vum_headers(**{name: None}))
    assert (response.status_code, response.json()["code"]) == (400, "400.02")
    _mirrored(response.headers)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-VUM-berichtVersie", "2.0.0"),
        ("API-Version", "3.1.0"),
        ("X-VUM-SUWIparty", "ja"),
        ("X-VUM-SUWIparty", "1"),
        ("X-VUM-fromParty", "gemeente almere"),
        ("X-VUM-viaParty", "x" * 101),
    ],
)
def test_invalid_header_is_400_01(client: AsgiClient, name: str, value: str) -> None:
    response = client.post(MATCHES, json=QUERY, headers=vum_headers(**{name: value}))
    assert response.status_code == 400
    assert response.json()["code"] == "400.01"
    assert name in response.json()["details"]
    _mirrored(response.headers)


def test_missing_wins_over_invalid(client: AsgiClient) -> None:
    headers = vum_headers(**{"API-Version": "9", "X-VUM-toParty": None})
    body = client.post(MATCHES, json=QUERY, headers=headers).json()
    assert body["code"] == "400.02"
    assert "X-VUM-toParty" in body["details"] and "API-Version" in body["details"]


@pytest.mark.parametrize("value", ["true", "false", "TRUE", "False"])
def test_suwi_party_is_a_boolean(client: AsgiClient, value: str) -> None:
    response = client.post(MATCHES, json=QUERY, headers=vum_headers(**{"X-VUM-SUWIparty": value}))
    assert response.status_code == 200


def test_error_answer_mirrors_what_the_call_named(client: AsgiClient) -> None:
    response = client.post(MATCHES, json=QUERY, headers=vum_headers(**{"X-VUM-fromParty": None}))
    assert response.status_code == 400
    assert response.headers["X-VUM-fromParty"] == SOURCE
    assert response.headers["X-VUM-viaParty"] == FACILITY
    # The asker is unknown, so the answer names no toParty rather than inventing one.
    assert "X-VUM-toParty" not in response.headers
