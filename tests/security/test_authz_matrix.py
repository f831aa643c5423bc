# SPDX-License-Identifier: EUPL-1.2
"""The authorisation matrix: every route of the hosted source and the facility, called as every kind of caller.

The table below says, per guard (what protects a route) and caller, what the answer must be.
Every route of both apps must be in ``ROUTES``: a route the apps serve that the table does not
name fails the suite, so no endpoint goes untested.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security.checks import assert_security_headers
from tests.security.routes import routes_of
from tests.security.tally import count
from tests.security.world import (
    ADMIN_TOKEN,
    FACILITY,
    PARTY_A,
    PARTY_B,
    PROCESSOR,
    ROGUE,
    SCRATCH,
    SOURCE_ONLY,
    SUSPENDED,
    UNSIGNED,
    World,
)
from vum.standard import Kind


@dataclass(frozen=True)
class Caller:
    """Who calls: a certificate (facility), the VUM party headers, and/or a bearer token."""

    name: str
    cert: str | None = None
    from_party: str | None = None
    via: str | None = None
    #: "A", "B", "revoked" (upload tokens of the hosted source), "admin" or "wrong"
    bearer: str | None = None


def _party(name: str, oin: str) -> Caller:
    return Caller(name, cert=oin, from_party=oin, via=oin)


CALLERS = [
    _party("mediator of A", PARTY_A),
    _party("mediator of B", PARTY_B),
    Caller("processor acting for A", cert=PROCESSOR, from_party=PARTY_A, via=PROCESSOR),
    Caller("processor not allowed for A", cert=ROGUE, from_party=PARTY_A, via=ROGUE),
    _party("suspended party", SUSPENDED),
    _party("party without a signed agreement", UNSIGNED),
    _party("party without the mediator role", SOURCE_ONLY),
    Caller("no identity (no certificate)", from_party=PARTY_A, via=PARTY_A),
    Caller("the facility (via party)", cert=FACILITY, from_party=PARTY_A, via=FACILITY),
    Caller("upload token of A", bearer="A"),
    Caller("upload token of B", bearer="B"),
    Caller("revoked upload token of A", bearer="revoked"),
    Caller("admin token", bearer="admin"),
    Caller("wrong admin token", bearer="wrong"),
    Caller("anonymous"),
]
OK = 0  # the route's own success status
_BY_NAME = {caller.name: caller for caller in CALLERS}


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(_BY_NAME, status)


#: callers that send no VUM headers at all: a VUM route answers 400.02 before anything else
_NO_VUM_HEADERS = {c.name: 400 for c in CALLERS if c.from_party is None}

#: guard -> caller -> status (OK: allowed). 400: the call lacks the VUM headers (400.02).
MATRIX: dict[str, dict[str, int]] = {
    # VUM-Bemiddelaar: an active mediator with a signed agreement, itself or through its processor
    "facility-matches": {
        **_all(401),
        **_NO_VUM_HEADERS,
        "mediator of A": OK,
        "mediator of B": OK,
        "processor acting for A": OK,
    },
    # a detail only for the party whose query found it (the vumID is of A's result set)
    "facility-detail": {
        **_all(401),
        **_NO_VUM_HEADERS,
        "mediator of A": OK,
        "processor acting for A": OK,
    },
    # the registry's admin API: the operator's bearer token only
    "facility-admin": {**_all(401), "admin token": OK},
    # VUM-Bron: only calls the facility carries (--trusted-via), whoever the mediator is
    "source-vum": {**_all(401), **_NO_VUM_HEADERS, "the facility (via party)": OK},
    # the HTTP import of A's dataset: A's unrevoked upload token only
    "source-import": {**_all(401), "upload token of A": OK},
    # liveness, readiness, metrics and the API description: open (the proxy keeps them inside)
    "open": _all(OK),
}


@dataclass(frozen=True)
class Route:
    app: str  # "source" or "facility"
    method: str
    path: str
    guard: str
    ok: int = 200
    kind: Kind | None = None


def _vum_routes(app: str, detail_param: str | None) -> list[Route]:
    """matches and detail of both kinds; the detail's path parameter is the source's own id
    (VUM-Bron) or the vumID (VUM-Bemiddelaar)."""
    out = []
    for kind in Kind:
        base = f"/api/v3/{kind.resource}"
        detail = f"{base}/{{{detail_param or kind.id_field}:anypath}}"
        if app == "source":
            out += [Route(app, "POST", f"{base}/matches", "source-vum", kind=kind)]
            out += [Route(app, "GET", detail, "source-vum", kind=kind)]
        else:
            out += [Route(app, "POST", f"{base}/matches", "facility-matches", kind=kind)]
            out += [Route(app, "GET", detail, "facility-detail", kind=kind)]
    return out


def _open_routes(app: str) -> list[Route]:
    paths = ["/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect"]
    return [Route(app, "GET", path, "open") for path in [*paths, "/redoc"]]


_ADMIN = "/admin/v1/parties"
ROUTES: list[Route] = [
    *_vum_routes("source", None),
    Route("source", "PUT", "/admin/v1/datasets/{oin}/{kind}", "source-import", kind=Kind.VACATURE),
    Route(
        "source",
        "POST",
        "/admin/v1/datasets/{oin}/{kind}/changes",
        "source-import",
        kind=Kind.WERKZOEKENDE,
    ),
    *_open_routes("source"),
    *_vum_routes("facility", "vumID"),
    Route("facility", "GET", _ADMIN, "facility-admin"),
    Route("facility", "POST", _ADMIN, "facility-admin", ok=201),
    Route("facility", "GET", f"{_ADMIN}/{{oin}}", "facility-admin"),
    Route("facility", "PATCH", f"{_ADMIN}/{{oin}}", "facility-admin"),
    *(
        Route("facility", "POST", f"{_ADMIN}/{{oin}}/{action}", "facility-admin")
        for action in ("suspend", "activate", "end")
    ),
    *_open_routes("facility"),
]


def _bearer(world: World, caller: Caller) -> dict[str, str]:
    if caller.bearer is None:
        return {}
    token = {"admin": ADMIN_TOKEN, "wrong": "vum_0000000000000000_geraden"}.get(caller.bearer)
    return {"Authorization": f"Bearer {token or world.tokens[caller.bearer]}"}


def _request(world: World, route: Route, caller: Caller, vum_ids: dict[Kind, str]) -> Any:
    """(method, url, headers, json body) for ``caller`` on ``route``."""
    headers = _bearer(world, caller)
    body: Any = None
    path = route.path
    if route.app == "source":
        base = world.source_url
        if caller.from_party is not None and caller.via is not None:
            headers |= world.source_headers(caller.from_party, caller.via)
        if route.kind is not None and route.guard == "source-vum":
            record_id = str(world.records[(PARTY_A, route.kind)][0][route.kind.id_field])
            path = path.replace(f"{{{route.kind.id_field}:anypath}}", record_id)
        if route.guard == "source-import":
            assert route.kind is not None
            path = path.replace("{oin}", PARTY_A).replace("{kind}", route.kind.value)
            records = world.records[(PARTY_A, route.kind)]
            body = records if route.method == "PUT" else {"upsert": records[:1], "delete": []}
    else:
        base = world.facility_url
        if caller.from_party is not None and caller.via is not None:
            headers |= world.facility_headers(caller.from_party, caller.via, cert=caller.cert)
        if route.kind is not None:
            path = path.replace("{vumID:anypath}", vum_ids[route.kind])
        path = path.replace("{oin}", SCRATCH)
        if route.guard == "facility-admin" and route.method == "POST" and path == _ADMIN:
            oin = f"000000099{secrets.randbelow(10**11):011d}"
            body = {"oin": oin, "name": "Nieuwe partij", "roles": ["bemiddelaar"]}
        elif route.method == "PATCH":
            body = {"name": "Proefpartij (gewijzigd)"}
    if route.method == "POST" and route.path.endswith("/matches"):
        body = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
    return route.method, f"{base}{path}", headers, body


@pytest.fixture(scope="module")
def vum_ids(world: World) -> dict[Kind, str]:
    """A vumID per kind from a query of mediator A (the detail routes' subject)."""
    return {kind: world.query(kind)["matches"][0]["vumID"] for kind in Kind}


def test_the_table_covers_every_route_of_both_apps(world: World) -> None:
    served = {
        "source": routes_of(world.source_app),
        "facility": routes_of(world.facility_app),
    }
    for app, routes in served.items():
        tabled = {(r.method, r.path) for r in ROUTES if r.app == app}
        assert routes - tabled == set(), f"{app}: routes without a row in the matrix"
        assert tabled - routes == set(), f"{app}: rows in the matrix for routes that do not exist"
    assert set(MATRIX) == {r.guard for r in ROUTES}
    for guard, table in MATRIX.items():
        assert set(table) == set(_BY_NAME), guard


@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.app} {r.method} {r.path}" for r in ROUTES])
def test_every_route_as_every_caller(
    world: World, vum_ids: dict[Kind, str], route: Route, caller: Caller
) -> None:
    expected = MATRIX[route.guard][caller.name]
    method, url, headers, body = _request(world, route, caller, vum_ids)
    before = world.live_version(PARTY_A, route.kind) if route.guard == "source-import" else None
    response = world.http.request(method, url, headers=headers, json=body)
    count("authorisation matrix: endpoint x caller checks")
    want = route.ok if expected == OK else expected
    assert response.status_code == want, (
        f"{caller.name} on {route.method} {route.path}: {response.status_code} {response.text[:300]}"
    )
    assert_security_headers(response)  # every answer: allowed, refused, 400, 401, docs pages
    if expected == OK:
        return
    if route.guard in ("facility-matches", "facility-detail", "source-vum"):
        if expected == 401:
            # VUM: a 401 has no body; the reason is in the audit log, never with the caller.
            assert response.content == b""
        else:
            assert response.json()["code"] == "400.02"
    if route.guard == "source-import":
        assert route.kind is not None
        assert world.live_version(PARTY_A, route.kind) == before, "a refused import changed data"
    # A refusal never carries data: no summaries, no records, no party list.
    for leak in (b"vumID", b"idWerkzoekende", b"idVacature", PARTY_B.encode()):
        assert leak not in response.content
