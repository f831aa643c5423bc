# SPDX-License-Identifier: EUPL-1.2
"""Every status of the contract: 400.01, 400.02, 401 without body, 500.1, 503/500.3 — and 200 for unknown members."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.api.conftest import TOKEN
from tests.api.http import FACILITY, OTHER_SOURCE, SOURCE, AsgiClient, vum_headers
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.matching import Engine, SearchResult
from vum.standard import Kind, Query

WZ = "/api/v3/werkzoekendeProfielen/matches"
VAC = "/api/v3/vacatures/matches"
AREA = {"selectiegebied": {"postcode": "1315AB", "afstand": 25}}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["message"]
    assert response.headers["X-VUM-berichtVersie"] == "3.0.0"
    assert response.headers["API-Version"] == "3.0.0"
    return body


@pytest.mark.parametrize(
    ("vraag", "pointer"),
    [
        (
            {"selectiegebied": {"postcode": "1315", "afstand": 5}},
            "/vraagObject/selectiegebied/postcode",
        ),
        (
            {"selectiegebied": {"postcode": "1315AB", "afstand": 5000}},
            "/vraagObject/selectiegebied/afstand",
        ),
        (
            {
                **AREA,
                "contractvorm": {
                    "$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "X"}}]}
                },
            },
            "/vraagObject/contractvorm/$elemMatch/$or/0/codeTypeArbeidscontract/$eq",
        ),
        (
            {**AREA, "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": "24"}},
            "/vraagObject/werktijden.aantalWerkurenPerWeekMaximaal/$gte",
        ),
    ],
)
def test_malformed_query_is_400_01_naming_the_pointer(
    client: AsgiClient, vraag: dict[str, Any], pointer: str
) -> None:
    response = client.post(WZ, json={"vraagObject": vraag}, headers=vum_headers())
    body = _error(response, 400, "400.01")
    assert pointer in body["details"].splitlines()[0]
    assert body["details"].startswith(pointer)


@pytest.mark.parametrize(
    ("content", "pointer"),
    [
        (b"", "/vraagObject"),
        (b"{}", "/vraagObject"),
        (b'{"vraagObject": {}}', "/vraagObject"),
        (b'{"vraagObject": {"postcode": "1315AB"}}', "/vraagObject/selectiegebied"),
        (
            b'{"vraagObject": {"selectiegebied": {"postcode": "1315AB"}}}',
            "/vraagObject/selectiegebied/afstand",
        ),
    ],
)
def test_incomplete_query_is_400_02(client: AsgiClient, content: bytes, pointer: str) -> None:
    headers = {**vum_headers(), "content-type": "application/json"}
    body = _error(client.post(WZ, content=content, headers=headers), 400, "400.02")
    assert body["details"].startswith(pointer + ":")


@pytest.mark.parametrize(
    "content", [b"{not json", b"[]", b'"vraagObject"', b'{"vraagObject": [1]}']
)
def test_unreadable_body_is_400_01(client: AsgiClient, content: bytes) -> None:
    headers = {**vum_headers(), "content-type": "application/json"}
    _error(client.post(WZ, content=content, headers=headers), 400, "400.01")


def test_unknown_member_beside_vraagObject_is_400_01_for_profiles(client: AsgiClient) -> None:
    # VUM-Bron-WerkzoekendeProfielen: the request body has additionalProperties: false.
    response = client.post(WZ, json={"vraagObject": AREA, "vraagID": "x"}, headers=vum_headers())
    body = _error(response, 400, "400.01")
    assert body["details"].startswith("/vraagID:")


def test_unknown_member_beside_vraagObject_is_ignored_for_vacancies(client: AsgiClient) -> None:
    # VUM-Bron-Vacatures leaves the request body open: an extra member is no reason to refuse.
    response = client.post(VAC, json={"vraagObject": AREA, "vraagID": "x"}, headers=vum_headers())
    assert response.status_code == 200


@pytest.mark.parametrize("resource", ["werkzoekendeProfielen", "vacatures"])
def test_unknown_query_members_are_ignored_not_refused(client: AsgiClient, resource: str) -> None:
    url = f"/api/v3/{resource}/matches"
    plain = client.post(url, json={"vraagObject": AREA}, headers=vum_headers())
    extended = {
        **AREA,
        "x-openvum-zoekterm": "heftruck",
        "toekomstigCriterium": {"$eq": 1},
        "selectiegebied": {**AREA["selectiegebied"], "straal": "ruim"},
    }
    response = client.post(url, json={"vraagObject": extended}, headers=vum_headers())
    assert response.status_code == 200
    assert response.json() == plain.json()


def test_oversized_query_is_400_01(client: AsgiClient) -> None:
    huge = {"vraagObject": {**AREA, "x-opvulling": "x" * (1 << 20)}}
    _error(client.post(WZ, json=huge, headers=vum_headers()), 400, "400.01")


def test_unknown_to_party_is_400_01(client: AsgiClient) -> None:
    headers = vum_headers(**{"X-VUM-toParty": "00000009999999999999"})
    body = _error(client.post(WZ, json={"vraagObject": AREA}, headers=headers), 400, "400.01")
    assert "X-VUM-toParty" in body["details"]


def test_party_without_a_dataset_of_this_kind_is_400_01(client: AsgiClient) -> None:
    headers = vum_headers(**{"X-VUM-toParty": OTHER_SOURCE})
    assert client.post(WZ, json={"vraagObject": AREA}, headers=headers).status_code == 200
    _error(client.post(VAC, json={"vraagObject": AREA}, headers=headers), 400, "400.01")


def test_untrusted_via_party_is_401_without_body(backend: MemoryBackend) -> None:
    settings = SourceSettings(
        warm_up=False, trusted_via_parties=frozenset({"00000001000000000001"})
    )
    client = AsgiClient(create_source_app(backend, settings=settings))
    for response in (
        client.post(WZ, json={"vraagObject": AREA}, headers=vum_headers()),
        client.get("/api/v3/vacatures/abc", headers=vum_headers()),
    ):
        assert response.status_code == 401
        assert response.content == b""
        assert "content-type" not in response.headers
        assert response.headers["X-VUM-berichtVersie"] == "3.0.0"
        assert response.headers["X-VUM-fromParty"] == SOURCE
        assert response.headers["X-VUM-viaParty"] == FACILITY


def test_trusted_via_party_is_let_in(backend: MemoryBackend) -> None:
    settings = SourceSettings(warm_up=False, trusted_via_parties=frozenset({FACILITY}))
    client = AsgiClient(create_source_app(backend, settings=settings))
    assert client.post(WZ, json={"vraagObject": AREA}, headers=vum_headers()).status_code == 200


class _BrokenEngine:
    kind = Kind.WERKZOEKENDE

    def __len__(self) -> int:
        return 1

    def search(self, query: Query, limit: int = 100) -> SearchResult:
        raise RuntimeError("kapot: geheime interne details")

    def detail(self, record_id: str) -> Mapping[str, Any] | None:
        raise KeyError(record_id)


class _BrokenBackend(MemoryBackend):
    def engine(self, party: str, kind: Kind, /) -> Engine | None:
        return _BrokenEngine()


def test_search_that_raises_is_500_1_and_leaks_nothing(caplog: pytest.LogCaptureFixture) -> None:
    client = AsgiClient(create_source_app(_BrokenBackend(), settings=SourceSettings(warm_up=False)))
    for response in (
        client.post(WZ, json={"vraagObject": AREA}, headers=vum_headers()),
        client.get("/api/v3/werkzoekendeProfielen/abc", headers=vum_headers()),
    ):
        body = _error(response, 500, "500.1")
        assert "geheime" not in response.text and "KeyError" not in response.text
        assert "details" not in body
    assert "geheime interne details" in caplog.text  # the operator still learns why


def test_unavailable_backend_is_503_500_3(backend: MemoryBackend) -> None:
    backend.available = False
    client = AsgiClient(create_source_app(backend, settings=SourceSettings(warm_up=False)))
    _error(client.post(WZ, json={"vraagObject": AREA}, headers=vum_headers()), 503, "500.3")
    _error(client.get("/api/v3/vacatures/abc", headers=vum_headers()), 503, "500.3")


class _LockedBackend(MemoryBackend):
    def engine(self, party: str, kind: Kind, /) -> Engine | None:
        import sqlite3

        raise sqlite3.OperationalError("database is locked")


def test_locked_database_is_503_500_3() -> None:
    client = AsgiClient(create_source_app(_LockedBackend(), settings=SourceSettings(warm_up=False)))
    _error(client.post(WZ, json={"vraagObject": AREA}, headers=vum_headers()), 503, "500.3")


def test_unknown_detail_id_is_400_01(client: AsgiClient) -> None:
    body = _error(client.get("/api/v3/vacatures/onbekend-id", headers=vum_headers()), 400, "400.01")
    assert body["details"].startswith("/idVacature:")


@pytest.mark.parametrize("record_id", ["a%20b", "a%2Fb", "x" * 201, "%C3%A9"])
def test_invalid_detail_id_is_400_01(client: AsgiClient, record_id: str) -> None:
    url = f"/api/v3/werkzoekendeProfielen/{record_id}"
    body = _error(client.get(url, headers=vum_headers()), 400, "400.01")
    assert body["details"].startswith("/idWerkzoekende:")


def test_token_is_not_a_vum_credential(client: AsgiClient) -> None:
    # The upload token opens the import only; the koppelvlak does not look at Authorization.
    headers = {**vum_headers(), "Authorization": f"Bearer {TOKEN}"}
    assert client.post(WZ, json={"vraagObject": AREA}, headers=headers).status_code == 200
