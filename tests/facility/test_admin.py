# SPDX-License-Identifier: EUPL-1.2
"""The registry's admin API: only with the admin token, every change audited with who made it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.api.http import AsgiClient
from vum.facility.admin import ADMIN_PREFIX, make_admin_router, token_digest
from vum.facility.audit import StoreAuditLog
from vum.facility.registry import StoreRegistry
from vum.store import Store

TOKEN = "beheer-geheim-voor-de-test"
OIN = "00000001234567890123"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "vum.db") as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> AsgiClient:
    app = FastAPI()
    app.include_router(make_admin_router(StoreRegistry(store, cache_s=0), token_digest(TOKEN)))
    return AsgiClient(app)


AUTH = {"Authorization": f"Bearer {TOKEN}", "X-OpenVUM-Gebruiker": "beheerder-1"}


def test_without_or_with_a_wrong_token_nothing_is_shown(client: AsgiClient) -> None:
    assert client.get(ADMIN_PREFIX).status_code == 401
    assert client.get(ADMIN_PREFIX, headers={"Authorization": "Bearer fout"}).status_code == 401
    assert client.get(ADMIN_PREFIX, headers=AUTH).json() == []


def test_changes_are_made_and_audited_with_who_made_them(client: AsgiClient, store: Store) -> None:
    new = {
        "oin": OIN,
        "name": "Gemeente Almere",
        "roles": ["bemiddelaar"],
        "agreement_signed": "2026-01-15",
    }
    created = client.post(ADMIN_PREFIX, json=new, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "active"
    assert client.post(f"{ADMIN_PREFIX}/{OIN}/suspend", headers=AUTH).json()["status"] == (
        "suspended"
    )
    patched = client.request("PATCH", f"{ADMIN_PREFIX}/{OIN}", json={"suwi": True}, headers=AUTH)
    assert patched.json()["suwi"] is True
    audit = StoreAuditLog(store)
    operations = [(row.operation, row.user) for row in reversed(audit.latest(10))]
    assert operations == [
        ("party.add", "beheerder-1"),
        ("party.suspend", "beheerder-1"),
        ("party.update", "beheerder-1"),
    ]
    assert audit.verify().ok


def test_bad_input_is_refused_with_a_reason(client: AsgiClient) -> None:
    wrong_role = client.post(
        ADMIN_PREFIX, json={"oin": OIN, "name": "X", "roles": ["koning"]}, headers=AUTH
    )
    assert wrong_role.status_code == 400 and "rol" in wrong_role.text
    assert (
        client.post(ADMIN_PREFIX, json={"oin": "123", "name": "X"}, headers=AUTH).status_code == 422
    )
    assert client.get(f"{ADMIN_PREFIX}/{OIN}", headers=AUTH).status_code == 404
    assert client.post(f"{ADMIN_PREFIX}/{OIN}/end", headers=AUTH).status_code == 404
