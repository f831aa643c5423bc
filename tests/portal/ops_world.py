# SPDX-License-Identifier: EUPL-1.2
"""A system for the operations and privacy pages: facility and portal on one store, one source that hangs.

Unlike ``tests.portal.world`` the facility runs on the store (as in production): its party
registry, breaker state, metrics history and audit log are the tables the portal's operations
and privacy officer pages read. Three sources: two that answer and one that never does (its
calls time out after 0.3 s); the breaker is set high, so the hanging source keeps being asked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import httpx
from fastapi import FastAPI, Response

from tests.facility.servers import serve, source_app
from tests.portal.client import Browser, logged_in
from tests.portal.world import (
    ACCOUNTS,
    FACILITY_OIN,
    PARTY_A,
    PARTY_B,
    PASSWORD,
    PORTAL_OIN,
    UWV,
    Clock,
    World,
    portal_settings,
    register,
    serve_with_lifespan,
)
from vum import KOPPELVLAK_VERSION
from vum.facility.audit import StoreAuditLog
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import DevHeaderTrust, PartyInfo
from vum.facility.serve import FacilityConfig, build_app
from vum.facility.service import FacilitySettings
from vum.facility.vumid import VumIdCodec, new_key
from vum.portal.app import create_portal_app
from vum.portal.auth import hash_password
from vum.standard.kinds import Kind
from vum.store import Store
from vum.synthetic import generate

#: The source that never answers (a stand-in for a big source in trouble).
HANGS = "00000001003214345099"
HANGS_NAME = "Trage Bron"
OPERATOR = "beheer@openvum.example"
OFFICER = "privacy@openvum.example"
OPS_ACCOUNTS = {
    **ACCOUNTS,
    OPERATOR: (FACILITY_OIN, ["beheerder"], None),
    OFFICER: (FACILITY_OIN, ["privacy"], None),
}
SIGNED = dt.date(2025, 1, 1)
QUERY = {"selectiegebied": {"postcode": "1315AB", "afstand": 999}}


def hanging() -> FastAPI:
    """A source that never answers a query (and leaves quietly when its server stops)."""
    app = FastAPI()

    @app.post("/api/v3/{resource}/matches")
    async def matches(resource: str) -> Response:
        with suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
        return Response(status_code=503)

    return app


def both_kinds(seed: int) -> FastAPI:
    """One source for both kinds (40 synthetic records each)."""
    apps = [
        source_app(kind, list(generate(kind, 40, seed=seed + i))) for i, kind in enumerate(Kind)
    ]
    combined = FastAPI()
    for app in apps:
        combined.router.routes.extend(app.router.routes)
    return combined


@dataclass
class OpsWorld:
    portal_url: str
    facility_url: str
    store: Store
    clock: Clock

    def login(self, email: str, portal_url: str | None = None) -> Browser:
        """A browser logged in as ``email`` (the portal tests' client), at another portal if given."""
        system = replace(self, portal_url=portal_url) if portal_url else self
        return logged_in(cast(World, system), email)

    def query(self, count: int, user: str = "medewerker-1", kind: Kind = Kind.WERKZOEKENDE) -> None:
        """``count`` queries of party A through the portal's processor OIN, 6 at a time."""
        headers = {
            "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
            "API-Version": KOPPELVLAK_VERSION,
            "X-VUM-fromParty": PARTY_A,
            "X-VUM-toParty": FACILITY_OIN,
            "X-VUM-viaParty": PORTAL_OIN,
            "X-OpenVUM-Gebruiker": user,
            "X-OpenVUM-Verwerking": "bemiddeling naar werk",
        }
        url = f"{self.facility_url}/{kind.resource}/matches"

        def one(_: int) -> int:
            answer = httpx.post(url, headers=headers, json={"vraagObject": QUERY}, timeout=10)
            return answer.status_code

        with ThreadPoolExecutor(6) as pool:
            assert set(pool.map(one, range(count))) == {200}


def config(urls: dict[str, str]) -> FacilityConfig:
    mediator = frozenset({"bemiddelaar"})
    both = frozenset(Kind)
    names = {PARTY_A: "Gemeente Almere", UWV: "UWV", HANGS: HANGS_NAME}
    sources = [
        SourceEndpoint(oin, names[oin], url, both, timeout_s=0.3 if oin == HANGS else 2.0)
        for oin, url in urls.items()
    ]
    sources_only = frozenset(f"bron-{k.value}" for k in Kind)
    parties = [
        PartyInfo(
            PARTY_A,
            "Gemeente Almere",
            mediator | sources_only,
            suwi=True,
            processors=frozenset({PORTAL_OIN}),
            agreement_signed=SIGNED,
        ),
        PartyInfo(
            PARTY_B,
            "Gemeente Groningen",
            mediator,
            suwi=True,
            processors=frozenset({PORTAL_OIN}),
            agreement_signed=SIGNED,
        ),
        PartyInfo(UWV, "UWV", sources_only, suwi=True, agreement_signed=SIGNED),
        PartyInfo(HANGS, HANGS_NAME, sources_only, agreement_signed=SIGNED),
    ]
    return FacilityConfig(
        settings=FacilitySettings(facility_oin=FACILITY_OIN, deadline_s=3.0),
        sources=sources,
        parties=parties,
        breaker_failures=1000,
        stats_interval_s=0.2,
    )


@contextmanager
def ops_world(tmp: Path, **settings: Any) -> Iterator[OpsWorld]:
    """Sources, the facility on a store, and the portal on the same store, on loopback ports."""
    with ExitStack() as stack:
        urls = {
            PARTY_A: stack.enter_context(serve(both_kinds(11))),
            UWV: stack.enter_context(serve(both_kinds(21))),
            HANGS: stack.enter_context(serve(hanging())),
        }
        store = Store(tmp / "vum.db")
        stack.callback(store.close)
        facility_app = build_app(
            config(urls),
            DevHeaderTrust("127.0.0.1"),
            StoreAuditLog(store),
            VumIdCodec({"k1": new_key()}, "k1"),
            store=store,
        )
        facility_url = stack.enter_context(serve_with_lifespan(facility_app)) + "/api/v3"
        password = hash_password(PASSWORD)
        for email, (party, roles, office) in OPS_ACCOUNTS.items():
            store.portal.users.add(
                email, party, roles, password, name=email.split("@")[0].title(),
                office_postcode=office,
            )  # fmt: skip
        clock = Clock()
        portal_cfg = portal_settings(facility_url, **settings)
        app = create_portal_app(portal_cfg, store.portal, register(), clock=clock)
        portal_url = stack.enter_context(serve_with_lifespan(app))
        yield OpsWorld(portal_url, facility_url, store, clock)
