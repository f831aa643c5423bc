# SPDX-License-Identifier: EUPL-1.2
"""A whole system on loopback for portal tests: two real sources, the facility, the portal, accounts.

The facility runs in development header-trust mode with the portal's OIN as an allowed processor
of two mediator parties (A and B), as ``make demo`` runs it; the portal's clock can be moved to
expire sessions and searches without waiting.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from tests.facility.servers import free_port, serve, source_app
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import DevHeaderTrust, PartyInfo
from vum.facility.metrics import InMemoryAuditSink
from vum.facility.serve import FacilityConfig, build_app
from vum.facility.service import FacilitySettings
from vum.facility.vumid import VumIdCodec, new_key
from vum.portal.app import create_portal_app
from vum.portal.auth import hash_password
from vum.portal.settings import PortalSettings
from vum.register import Register, load_builtin
from vum.standard.kinds import Kind
from vum.store import Store
from vum.synthetic import generate

FACILITY_OIN = "00000001000000000099"
PORTAL_OIN = "00000009000000000001"
PARTY_A = "00000001002220647000"  # Gemeente Almere
PARTY_B = "00000001001589623000"  # Gemeente Groningen
UWV = "00000001003214345001"
HEFTRUCK = "https://data.openvum.nl/id/beroep/heftruckchauffeur"
REACHTRUCK = "https://data.openvum.nl/id/beroep/reachtruckchauffeur"
CENTRE = "1315AB"  # Almere
NEAR = ["1315", "1316", "1317", "1318", "1319", "1325", "1326", "1335", "1341", "1357"]
PASSWORD = "correct-horse-battery-staple"
SIGNED = "2025-01-01"

#: E-mail address -> (party, roles, office postcode)
ACCOUNTS = {
    "anna@almere.example": (PARTY_A, ["bemiddelaar"], CENTRE),
    "bram@groningen.example": (PARTY_B, ["bemiddelaar"], "9711AA"),
    "bron@almere.example": (PARTY_A, ["bronbeheerder"], None),
}


class Clock:
    """Wall-clock seconds that a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def _records(kind: Kind, count: int, seed: int, forklift: int) -> list[dict[str, Any]]:
    """Synthetic records; ``forklift`` of them are forklift drivers near Almere."""
    rng = random.Random(seed)
    records = [copy.deepcopy(r) for r in generate(kind, count, seed=seed)]
    for record in records[:forklift]:
        pc = rng.choice(NEAR) + "AB"
        if kind is Kind.WERKZOEKENDE:
            record["bemiddelingsberoep"] = [{"codeBeroepsnaam": HEFTRUCK}]
            record["mobiliteit"]["bemiddelingspostcode"] = pc
        else:
            record["beroep"] = {"codeBeroepsnaam": HEFTRUCK}
            record["naamVacature"] = "Heftruckchauffeur"
            record["adres"]["postcode"] = pc
    return records


def source_server(seed: int, forklift: int) -> FastAPI:
    """One source answering both kinds over VUM-Bron (the tests' stand-in, the real engine)."""
    apps = [
        source_app(kind, _records(kind, 250, seed + i, forklift)) for i, kind in enumerate(Kind)
    ]
    combined = FastAPI()
    for app in apps:
        combined.router.routes.extend(app.router.routes)
    return combined


@contextmanager
def serve_with_lifespan(app: FastAPI) -> Iterator[str]:
    """Like ``tests.facility.servers.serve``, with the app's lifespan (its clients closed after)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class World:
    portal_url: str
    facility_url: str
    store: Store
    clock: Clock
    settings: PortalSettings
    audit: InMemoryAuditSink
    accounts: dict[str, tuple[str, list[str], str | None]] = field(default_factory=dict)


def portal_settings(facility_url: str, **changes: Any) -> PortalSettings:
    values: dict[str, Any] = {
        "facility_url": facility_url,
        "facility_oin": FACILITY_OIN,
        "portal_oin": PORTAL_OIN,
        "secret_key": "test-secret-key-of-at-least-32-characters!",
        "cookie_secure": False,
        "login_limit_account": 3,
        "login_limit_address": 6,
        **changes,
    }
    return PortalSettings(**values)


_REGISTER: Register | None = None


def register() -> Register:
    global _REGISTER
    if _REGISTER is None:
        _REGISTER = load_builtin()
        _REGISTER.search("warm", 1)  # build the index once for every test
    return _REGISTER


@contextmanager
def world(tmp: Path, **settings: Any) -> Iterator[World]:
    """Sources, facility and portal on loopback ports, with the accounts of :data:`ACCOUNTS`."""
    with ExitStack() as stack:
        almere = stack.enter_context(serve(source_server(11, 30)))
        uwv = stack.enter_context(serve(source_server(21, 30)))
        mediator = frozenset({"bemiddelaar"})
        config = FacilityConfig(
            settings=FacilitySettings(facility_oin=FACILITY_OIN, deadline_s=5.0),
            sources=[
                SourceEndpoint(PARTY_A, "Gemeente Almere", almere),
                SourceEndpoint(UWV, "UWV", uwv),
            ],
            parties=[
                PartyInfo(
                    PARTY_A,
                    "Gemeente Almere",
                    mediator,
                    suwi=True,
                    processors=frozenset({PORTAL_OIN}),
                    agreement_signed=_date(SIGNED),
                ),
                PartyInfo(
                    PARTY_B,
                    "Gemeente Groningen",
                    mediator,
                    suwi=True,
                    processors=frozenset({PORTAL_OIN}),
                    agreement_signed=_date(SIGNED),
                ),
            ],
        )
        audit = InMemoryAuditSink()
        facility_app = build_app(
            config, DevHeaderTrust("127.0.0.1"), audit, VumIdCodec({"k1": new_key()}, "k1")
        )
        facility_url = stack.enter_context(serve_with_lifespan(facility_app)) + "/api/v3"
        store = Store(tmp / "portal.db")
        stack.callback(store.close)
        password = hash_password(PASSWORD)
        for email, (party, roles, office) in ACCOUNTS.items():
            store.portal.users.add(
                email,
                party,
                roles,
                password,
                name=email.split("@")[0].title(),
                office_postcode=office,
            )
        clock = Clock()
        portal_cfg = portal_settings(facility_url, **settings)
        app = create_portal_app(portal_cfg, store.portal, register(), clock=clock)
        portal_url = stack.enter_context(serve_with_lifespan(app))
        yield World(portal_url, facility_url, store, clock, portal_cfg, audit, dict(ACCOUNTS))


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)
