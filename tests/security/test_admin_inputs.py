# SPDX-License-Identifier: EUPL-1.2
"""The registry's admin API with the operator's token: inputs Schemathesis found to give a 500 (regressions)."""

from __future__ import annotations

import pytest

from tests.security.tally import count
from tests.security.world import ADMIN_TOKEN, SCRATCH, World

ADMIN = "/admin/v1/parties"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-OpenVUM-Gebruiker": "beveiligingstest"}


@pytest.mark.parametrize("method", ["add", "update", "_forget", "end", "¤", "__class__"])
def test_a_status_route_takes_no_method_name_from_the_caller(world: World, method: str) -> None:
    """The action of /suspend is bound in the code; ``?_action=`` once chose the registry method."""
    response = world.http.post(
        f"{world.facility_url}{ADMIN}/{SCRATCH}/suspend",
        params={"_action": method},
        headers=AUTH,
    )
    count("admin API: hostile inputs with the admin token")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "suspended"


@pytest.mark.parametrize("member", ["name", "roles", "suwi", "processors"])
def test_an_explicit_null_is_refused_not_a_500(world: World, member: str) -> None:
    for method, path, body in (
        ("PATCH", f"{ADMIN}/{SCRATCH}", {member: None}),
        ("POST", ADMIN, {"oin": "00000009000000000001", "name": "X", member: None}),
    ):
        response = world.http.request(
            method, f"{world.facility_url}{path}", json=body, headers=AUTH
        )
        count("admin API: hostile inputs with the admin token")
        assert response.status_code == 422, (method, member, response.text)
    row = world.store.parties.get(SCRATCH)
    assert row is not None and row.name != "None"
