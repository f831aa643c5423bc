# SPDX-License-Identifier: EUPL-1.2
"""The HTTP import: replace and changes, per-party tokens, all-or-nothing 422, and the size limit."""

from __future__ import annotations

import copy
import json
import sqlite3
from typing import Any

import pytest

from tests.api.conftest import COUNT, OTHER_TOKEN, TOKEN
from tests.api.http import SOURCE, AsgiClient, vum_headers
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.standard import Kind
from vum.synthetic import generate

AUTH = {"Authorization": f"Bearer {TOKEN}"}
NATIONWIDE = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
PROFILES = f"/admin/v1/datasets/{SOURCE}/werkzoekende"


def _total(client: AsgiClient, kind: Kind = Kind.WERKZOEKENDE) -> tuple[int, bool]:
    body = client.post(f"/api/v3/{kind.resource}/matches", json=NATIONWIDE, headers=vum_headers())
    assert body.status_code == 200
    data = body.json()
    return len(data["matches"]), data["maximumAantalResultatenBereikt"]


def _detail(client: AsgiClient, record_id: str) -> int:
    return client.get(
        f"/api/v3/werkzoekendeProfielen/{record_id}", headers=vum_headers()
    ).status_code


@pytest.fixture
def fresh() -> list[dict[str, Any]]:
    return list(generate(Kind.WERKZOEKENDE, 40, seed=99))


def test_replace_swaps_the_whole_dataset(
    client: AsgiClient, fresh: list[dict[str, Any]], dataset: dict[Kind, list[dict[str, Any]]]
) -> None:
    old_id = dataset[Kind.WERKZOEKENDE][0]["idWerkzoekende"]
    assert _total(client) == (100, True)
    response = client.put(PROFILES, json=fresh, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["party"], body["kind"], body["mode"], body["received"]) == (
        SOURCE,
        "werkzoekende",
        "replace",
        40,
    )
    assert body["message_nl"] and body["message_en"]
    assert _total(client) == (40, False)
    assert _detail(client, fresh[0]["idWerkzoekende"]) == 200
    assert _detail(client, old_id) == 400


def test_kind_may_be_named_by_its_resource(client: AsgiClient, fresh: list[dict[str, Any]]) -> None:
    url = f"/admin/v1/datasets/{SOURCE}/werkzoekendeProfielen"
    assert client.put(url, json=fresh, headers=AUTH).status_code == 200
    assert _total(client) == (40, False)


def test_changes_upsert_and_delete(
    client: AsgiClient, fresh: list[dict[str, Any]], dataset: dict[Kind, list[dict[str, Any]]]
) -> None:
    assert client.put(PROFILES, json=fresh, headers=AUTH).status_code == 200
    changed = copy.deepcopy(fresh[0])
    changed["mobiliteit"]["bemiddelingspostcode"] = "9711LM"
    new = dataset[Kind.WERKZOEKENDE][5]
    gone = fresh[1]["idWerkzoekende"]
    changes = {"upsert": [changed, new], "delete": [gone, "never-existed"]}
    response = client.post(PROFILES + "/changes", json=changes, headers=AUTH)
    assert response.status_code == 200, response.text
    assert (response.json()["received"], response.json()["deleted"]) == (2, 2)
    assert _total(client) == (40, False)  # 40 + 1 new - 1 deleted
    assert _detail(client, gone) == 400
    assert _detail(client, new["idWerkzoekende"]) == 200
    url = f"/api/v3/werkzoekendeProfielen/{changed['idWerkzoekende']}"
    detail = client.get(url, headers=vum_headers()).json()
    assert detail["mobiliteit"]["bemiddelingspostcode"] == "9711LM"


@pytest.mark.parametrize(
    "auth",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Bearer {OTHER_TOKEN}"},  # another party's token
    ],
    ids=["none", "wrong", "not-bearer", "empty", "other-party"],
)
def test_wrong_token_is_401_and_changes_nothing(
    client: AsgiClient, fresh: list[dict[str, Any]], auth: dict[str, str]
) -> None:
    for response in (
        client.put(PROFILES, json=fresh, headers=auth),
        client.post(PROFILES + "/changes", json={"delete": ["x"]}, headers=auth),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["message_nl"]
    assert _total(client) == (100, True)


def test_one_bad_record_rejects_all_and_keeps_the_live_data(
    client: AsgiClient, fresh: list[dict[str, Any]]
) -> None:
    bad = copy.deepcopy(fresh)
    bad[3]["mobiliteit"]["bemiddelingspostcode"] = "12345"
    bad[7]["onbekendVeld"] = 1
    bad[9]["idWerkzoekende"] = bad[8]["idWerkzoekende"]
    response = client.put(PROFILES, json=bad, headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["message_nl"] and body["message_en"]
    by_index = {p["index"]: p for p in body["problems"]}
    assert set(by_index) == {3, 7, 9}
    assert by_index[3]["pointer"] == "/3/mobiliteit/bemiddelingspostcode"
    assert by_index[7]["pointer"] == "/7/onbekendVeld"
    for problem in body["problems"]:
        assert {"index", "pointer", "message_nl", "message_en"} <= set(problem)
    # The live data stays: still the original 300 profiles.
    assert _total(client) == (100, True)
    bad_change = {"upsert": [bad[3]]}
    assert client.post(PROFILES + "/changes", json=bad_change, headers=AUTH).status_code == 422
    assert _total(client) == (100, True)


@pytest.mark.parametrize(
    ("url", "payload", "pointer"),
    [
        (PROFILES, {"records": []}, ""),
        (PROFILES, [1, {"idWerkzoekende": "a"}], "/0"),
        (PROFILES + "/changes", [], ""),
        (PROFILES + "/changes", {"upsert": [], "wissen": []}, "/wissen"),
        (PROFILES + "/changes", {"delete": ["ok", "niet ok"]}, "/delete/1"),
        (PROFILES + "/changes", {"delete": "alles"}, "/delete"),
        (PROFILES + "/changes", {"upsert": {"idWerkzoekende": "a"}}, "/upsert"),
    ],
)
def test_wrong_shape_is_422(client: AsgiClient, url: str, payload: Any, pointer: str) -> None:
    response = client.request("PUT" if url == PROFILES else "POST", url, json=payload, headers=AUTH)
    assert response.status_code == 422
    assert [p["pointer"] for p in response.json()["problems"]] == [pointer]


def test_invalid_json_is_400(client: AsgiClient) -> None:
    response = client.put(
        PROFILES, content=b"[{", headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["message_nl"] == "Geen geldige JSON"


def test_unknown_kind_is_404(client: AsgiClient) -> None:
    assert client.put(f"/admin/v1/datasets/{SOURCE}/cv", json=[], headers=AUTH).status_code == 404


def test_body_over_the_limit_is_413(backend: MemoryBackend, fresh: list[dict[str, Any]]) -> None:
    small = json.dumps(fresh[:2]).encode()
    limit = len(small)
    client = AsgiClient(
        create_source_app(backend, settings=SourceSettings(warm_up=False, max_import_bytes=limit))
    )
    payload = json.dumps(fresh).encode()
    response = client.put(PROFILES, content=payload, headers=AUTH)
    assert response.status_code == 413
    assert str(limit) in response.json()["message_nl"]

    async def chunks() -> Any:  # no Content-Length: counted while streaming
        for start in range(0, len(payload), 500):
            yield payload[start : start + 500]

    response = client.put(PROFILES, content=chunks(), headers=AUTH)
    assert response.status_code == 413
    assert _total(client) == (100, True)
    assert client.put(PROFILES, content=small, headers=AUTH).status_code == 200


def test_token_is_checked_before_the_body_is_read(backend: MemoryBackend) -> None:
    client = AsgiClient(
        create_source_app(backend, settings=SourceSettings(warm_up=False, max_import_bytes=10))
    )
    response = client.put(PROFILES, content=b"[" + b" " * 100 + b"]", headers={})
    assert response.status_code == 401


def test_the_other_kind_and_party_stay_untouched(
    client: AsgiClient, fresh: list[dict[str, Any]]
) -> None:
    assert client.put(PROFILES, json=fresh, headers=AUTH).status_code == 200
    assert _total(client, Kind.VACATURE) == (100, True)
    other = vum_headers(**{"X-VUM-toParty": "00000001007654321000"})
    url = "/api/v3/werkzoekendeProfielen/matches"
    assert len(client.post(url, json=NATIONWIDE, headers=other).json()["matches"]) == 20
    assert COUNT == 300


class _LockedImport(MemoryBackend):
    def import_records(self, *args: Any, **kwargs: Any) -> dict[str, int]:
        raise sqlite3.OperationalError("database is locked")


def test_locked_storage_is_503(fresh: list[dict[str, Any]]) -> None:
    client = AsgiClient(
        create_source_app(_LockedImport({SOURCE: TOKEN}), settings=SourceSettings(warm_up=False))
    )
    assert client.put(PROFILES, json=fresh, headers=AUTH).status_code == 503


class _FailingImport(MemoryBackend):
    def import_records(self, *args: Any, **kwargs: Any) -> dict[str, int]:
        raise RuntimeError("onverwacht")


def test_unexpected_import_failure_is_500_json(fresh: list[dict[str, Any]]) -> None:
    client = AsgiClient(
        create_source_app(_FailingImport({SOURCE: TOKEN}), settings=SourceSettings(warm_up=False))
    )
    response = client.put(PROFILES, json=fresh, headers=AUTH)
    assert response.status_code == 500
    assert "onverwacht" not in response.text
