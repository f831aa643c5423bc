# SPDX-License-Identifier: EUPL-1.2
"""The hosted source app over the real ``HostedSources`` (SQLite store): answering, importing, readiness."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.http import SOURCE, AsgiClient, live_server, vum_headers
from vum.api import SourceBackend, SourceSettings, create_source_app
from vum.standard import Kind
from vum.synthetic import generate

hosted = pytest.importorskip("vum.sources.hosted", reason="vum.sources.hosted is not installed")
store_module = pytest.importorskip("vum.store", reason="vum.store is not installed")

NATIONWIDE = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
PROFILES = f"/admin/v1/datasets/{SOURCE}/werkzoekende"


OTHER = "00000001007654321000"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One populated store (imports and argon2 tokens take time), copied for every test."""
    path = tmp_path_factory.mktemp("hosted") / "vum.db"
    store = store_module.Store(path)
    backend = hosted.HostedSources(store)
    for kind in Kind:
        backend.import_records(SOURCE, kind, list(generate(kind, 150, seed=21)))
    tokens = {party: backend.create_token(party, "tests") for party in (SOURCE, OTHER)}
    store.close()
    return path, tokens


@pytest.fixture
def sources(template: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Any]:
    source, _ = template
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", tmp_path / f"vum.db{suffix}")
    store = store_module.Store(tmp_path / "vum.db")
    yield hosted.HostedSources(store)
    store.close()


@pytest.fixture
def token(template: tuple[Path, dict[str, str]]) -> str:
    return template[1][SOURCE]


@pytest.fixture
def client(sources: Any) -> AsgiClient:
    backend: SourceBackend = sources  # mypy checks HostedSources against it in vum.serve
    return AsgiClient(create_source_app(backend, settings=SourceSettings(warm_up=False)))


def _matches(
    client: AsgiClient, kind: Kind = Kind.WERKZOEKENDE, headers: dict[str, str | None] | None = None
) -> httpx.Response:
    url = f"/api/v3/{kind.resource}/matches"
    return client.post(url, json=NATIONWIDE, headers=vum_headers(**(headers or {})))


@pytest.mark.parametrize("kind", list(Kind))
def test_hosted_party_answers(client: AsgiClient, kind: Kind) -> None:
    response = _matches(client, kind, {"X-OpenVUM-Explain": "1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (len(body["matches"]), body["maximumAantalResultatenBereikt"]) == (100, True)
    assert len(body["x-openvum-ranking"]) == 100
    first = body["matches"][0][kind.id_field]
    detail = client.get(f"/api/v3/{kind.resource}/{first}", headers=vum_headers())
    assert detail.status_code == 200
    assert detail.json()[kind.id_field] == first


@pytest.mark.parametrize("party", ["00000009999999999999", "niet-een-oin"])
def test_unknown_party_is_400_01(client: AsgiClient, party: str) -> None:
    response = _matches(client, headers={"X-VUM-toParty": party})
    assert (response.status_code, response.json()["code"]) == (400, "400.01")
    detail = client.get("/api/v3/vacatures/abc", headers=vum_headers(**{"X-VUM-toParty": party}))
    assert (detail.status_code, detail.json()["code"]) == (400, "400.01")


def test_http_import_replace_and_changes(client: AsgiClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    fresh = list(generate(Kind.WERKZOEKENDE, 30, seed=77))
    response = client.put(PROFILES, json=fresh, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["received"] == 30
    assert body["result"]["records"] == 30
    assert "30" in body["message_nl"]
    answer = _matches(client).json()
    assert (len(answer["matches"]), answer["maximumAantalResultatenBereikt"]) == (30, False)

    changes = {
        "upsert": list(generate(Kind.WERKZOEKENDE, 5, seed=78)),
        "delete": [fresh[0]["idWerkzoekende"]],
    }
    response = client.post(PROFILES + "/changes", json=changes, headers=auth)
    assert response.status_code == 200, response.text
    assert len(_matches(client).json()["matches"]) == 34
    gone = client.get(
        f"/api/v3/werkzoekendeProfielen/{fresh[0]['idWerkzoekende']}", headers=vum_headers()
    )
    assert gone.json()["code"] == "400.01"


def test_http_import_rejects_all_and_keeps_the_live_data(client: AsgiClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    records = list(generate(Kind.WERKZOEKENDE, 10, seed=79))
    bad = copy.deepcopy(records)
    bad[4]["mobiliteit"]["bemiddelingspostcode"] = "99"
    response = client.put(PROFILES, json=bad, headers=auth)
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert problems and all(p["index"] == 4 for p in problems)
    assert all(p["message_nl"] and p["message_en"] for p in problems)
    assert any("mobiliteit" in str(p["pointer"]) for p in problems)
    assert len(_matches(client).json()["matches"]) == 100  # still the 150 profiles


def test_http_import_needs_the_partys_token(
    client: AsgiClient, template: tuple[Path, dict[str, str]], token: str
) -> None:
    other, other_token = OTHER, template[1][OTHER]
    records = list(generate(Kind.WERKZOEKENDE, 3, seed=80))
    for auth in (
        {},
        {"Authorization": "Bearer vum_0000000000000000_nope"},
        {"Authorization": f"Bearer {other_token}"},
    ):
        assert client.put(PROFILES, json=records, headers=auth).status_code == 401
    # A party with its own token but no data yet may upload; then its data answers.
    url = f"/admin/v1/datasets/{other}/werkzoekende"
    assert (
        client.put(
            url, json=records, headers={"Authorization": f"Bearer {other_token}"}
        ).status_code
        == 200
    )
    answer = _matches(client, headers={"X-VUM-toParty": other}).json()
    assert len(answer["matches"]) == 3
    bad_party = "/admin/v1/datasets/geen-oin/werkzoekende"
    assert (
        client.put(
            bad_party, json=records, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )


def test_ready_after_warm_up_over_http(sources: Any) -> None:
    with live_server(
        create_source_app(sources, settings=SourceSettings()), ready_path="/ready"
    ) as url:
        ready = httpx.get(url + "/ready").json()
        assert ready["status"] == "ready"
        assert ready["datasets"] == 2
        response = httpx.post(
            url + "/api/v3/vacatures/matches", json=NATIONWIDE, headers=vum_headers()
        )
        assert response.status_code == 200
