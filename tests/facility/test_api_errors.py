# SPDX-License-Identifier: EUPL-1.2
"""The mediator API's refusals: headers, bodies, authorisation, vumIDs, and a failing audit sink."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.contract import contracts
from tests.facility.test_api import (
    INACTIVE,
    MEDIATOR,
    OTHER,
    PROCESSOR,
    PROFILES,
    QUERY,
    SOURCE_ONLY,
    UNSIGNED,
    asgi_call,
    make_app,
    vum_headers,
)


@pytest.fixture(scope="module")
def bare_app() -> FastAPI:
    return make_app([])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"X-VUM-berichtVersie": None}, 400, "400.02"),
        ({"X-VUM-viaParty": ""}, 400, "400.02"),  # VUM: empty counts as absent
        ({"API-Version": "2.0.0"}, 400, "400.01"),
        ({"X-VUM-toParty": "00000009999999999999"}, 400, "400.01"),
        ({"X-VUM-fromParty": "a b"}, 400, "400.01"),
    ],
)
def test_header_errors(
    bare_app: FastAPI, change: dict[str, str | None], status: int, code: str, koppelvlak_dir: Path
) -> None:
    headers = {k: v for k, v in {**vum_headers(), **change}.items() if v is not None}
    response = asgi_call(bare_app, "POST", f"{PROFILES}/matches", headers, {"vraagObject": QUERY})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert contracts.errors(contracts.BEMIDDELAAR_WERKZOEKENDE, "Error", response.json()) == []
    assert response.headers["X-VUM-berichtVersie"] == "3.0.0"


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (f"{PROFILES}/matches", {"vraagObject": QUERY, "vraagID": "x"}, 400, "400.01"),
        ("/api/v3/vacatures/matches", {"vraagObject": QUERY, "vraagID": "x"}, 200, None),
        (f"{PROFILES}/matches", {}, 400, "400.02"),
        (
            f"{PROFILES}/matches",
            {"vraagObject": {"selectiegebied": {"postcode": "3511AB"}}},
            400,
            "400.02",
        ),
        (
            f"{PROFILES}/matches",
            {"vraagObject": {"selectiegebied": {"postcode": "1", "afstand": 5}}},
            400,
            "400.01",
        ),
        (f"{PROFILES}/matches", [1], 400, "400.01"),
    ],
)
def test_body_rules_follow_each_contract(
    bare_app: FastAPI, path: str, body: Any, status: int, code: str | None
) -> None:
    response = asgi_call(bare_app, "POST", path, vum_headers(), body)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("from_party", "via", "status"),
    [
        (MEDIATOR, PROCESSOR, 200),  # a processor the mediator named
        (OTHER, PROCESSOR, 401),  # ... acts for MEDIATOR only
        (SOURCE_ONLY, SOURCE_ONLY, 401),  # not a bemiddelaar
        (UNSIGNED, UNSIGNED, 401),  # no signed agreement
        (INACTIVE, INACTIVE, 401),
        ("00000007777777777777", "00000007777777777777", 401),  # unknown party
    ],
)
def test_only_active_mediators_with_an_agreement_may_ask(
    bare_app: FastAPI, from_party: str, via: str, status: int
) -> None:
    response = asgi_call(
        bare_app,
        "POST",
        f"{PROFILES}/matches",
        vum_headers(from_party, via),
        {"vraagObject": QUERY},
    )
    assert response.status_code == status
    if status == 401:
        assert response.content == b""  # VUM: 401 has no body


class BrokenAudit:
    def record(self, event: dict[str, Any]) -> None:
        raise OSError("disk full")


def test_an_audit_sink_that_fails_makes_the_call_fail_closed(koppelvlak_dir: Path) -> None:
    app = make_app([], audit=BrokenAudit())
    response = asgi_call(app, "POST", f"{PROFILES}/matches", vum_headers(), {"vraagObject": QUERY})
    assert response.status_code == 500 and response.json()["code"] == "500.1"
    assert "vraagID" not in response.text
    assert contracts.errors(contracts.BEMIDDELAAR_WERKZOEKENDE, "Error", response.json()) == []


def test_a_vum_id_outside_the_pattern_is_400(bare_app: FastAPI) -> None:
    response = asgi_call(bare_app, "GET", f"{PROFILES}/abc%21def", vum_headers())
    assert (response.status_code, response.json()["code"]) == (400, "400.01")
