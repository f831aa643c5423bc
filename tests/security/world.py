# SPDX-License-Identifier: EUPL-1.2
"""The system under attack: a hosted source and a facility over one store, as the serve commands build them.

Two municipalities (A and B) are each a mediator and a source (their datasets live in the hosted
source); a techpartner acts for A; a rogue processor, a suspended, an unsigned and a source-only
party complete the cast. The hosted source runs under uvicorn on loopback with ``--trusted-via``
set to the facility; the facility (``vum.facility.serve.build_app``, with the admin API) runs
under uvicorn too, behind "a proxy" on 127.0.0.1 (``ProxyTls``): a caller proves who it is with
a client certificate of the test PKI in ``X-SSL-Client-Cert``, as nginx would pass it on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI

from tests.api.http import live_server
from tests.facility.certs import Pki, make_pki
from tests.facility.test_api import serve_app
from vum import KOPPELVLAK_VERSION
from vum.api import SourceSettings, create_source_app
from vum.facility.admin import token_digest
from vum.facility.audit import StoreAuditLog
from vum.facility.identity import ProxyTls, parse_networks
from vum.facility.registry import StoreRegistry
from vum.facility.serve import FacilityConfig, build_app
from vum.facility.service import FacilitySettings
from vum.facility.vumid import VumIdCodec, new_key
from vum.sources.hosted import HostedSources
from vum.standard import Kind
from vum.store import Store
from vum.synthetic import generate

FACILITY = "00000001000000000900"
PARTY_A = "00000001000000000011"  # Gemeente A: a mediator, and a source (hosted)
PARTY_B = "00000001000000000022"  # Gemeente B: idem
PROCESSOR = "00000001000000000033"  # a techpartner that A named as its processor
ROGUE = "00000001000000000044"  # a processor nobody named
SUSPENDED = "00000001000000000055"  # a mediator whose participation is suspended
UNSIGNED = "00000001000000000066"  # a mediator that has not signed the agreement
SOURCE_ONLY = "00000001000000000077"  # a party without the mediator role
SCRATCH = "00000001000000000088"  # the party the admin API's changes are tried on
ADMIN_TOKEN = "beheer-token-voor-de-beveiligingstests"
QUERY: dict[str, Any] = {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}
RECORDS = 25
SIGNED = dt.date(2025, 1, 1)
MEDIATOR_ROLES = ["bemiddelaar", "bron-werkzoekende", "bron-vacature"]


@dataclass
class World:
    """Both servers, their store and keys, and what a test needs to call them as anyone."""

    store: Store
    hosted: HostedSources
    source_app: FastAPI
    facility_app: FastAPI
    source_url: str
    facility_url: str
    pki: Pki
    codec: VumIdCodec
    records: dict[tuple[str, Kind], list[dict[str, Any]]]
    #: upload tokens of the hosted source: "A", "B" and "revoked" (an old token of A)
    tokens: dict[str, str]
    certs: dict[str, str] = field(default_factory=dict)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def cert_headers(self, oin: str) -> dict[str, str]:
        """What the TLS-terminating proxy passes on for a client certificate with ``oin``."""
        if oin not in self.certs:
            self.certs[oin] = self.pki.client(oin)[0].read_text()
        return {"X-SSL-Client-Cert": quote(self.certs[oin]), "X-SSL-Client-Verify": "SUCCESS"}

    def facility_headers(
        self, from_party: str = PARTY_A, via: str | None = None, *, cert: str | None = ""
    ) -> dict[str, str]:
        """A mediator's call headers; ``cert`` is the certificate's OIN ("" = via, None = none)."""
        via = via or from_party
        headers = {
            "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
            "API-Version": KOPPELVLAK_VERSION,
            "X-VUM-fromParty": from_party,
            "X-VUM-toParty": FACILITY,
            "X-VUM-viaParty": via,
        }
        if cert is not None:
            headers.update(self.cert_headers(cert or via))
        return headers

    def source_headers(
        self, from_party: str = PARTY_A, via: str = FACILITY, to_party: str = PARTY_A
    ) -> dict[str, str]:
        """The facility's call headers to the hosted source (the source's dataset: ``to_party``)."""
        return {
            "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
            "API-Version": KOPPELVLAK_VERSION,
            "X-VUM-fromParty": from_party,
            "X-VUM-toParty": to_party,
            "X-VUM-viaParty": via,
            "X-VUM-SUWIparty": "true",
        }

    def query(
        self, kind: Kind, from_party: str = PARTY_A, via: str | None = None
    ) -> dict[str, Any]:
        """A mediator's query through the facility; its answer (vraagID, matches with vumIDs)."""
        response = self.http.post(
            f"{self.facility_url}/api/v3/{kind.resource}/matches",
            json={"vraagObject": QUERY},
            headers=self.facility_headers(from_party, via),
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        assert answer["matches"], "the world's query should find records"
        return answer

    def detail(
        self, kind: Kind, vum_id: str, from_party: str = PARTY_A, via: str | None = None
    ) -> httpx.Response:
        return self.http.get(
            f"{self.facility_url}/api/v3/{kind.resource}/{vum_id}",
            headers=self.facility_headers(from_party, via),
        )

    def live_version(self, party: str, kind: Kind) -> int | None:
        info = self.hosted.dataset(party, kind)
        return info.live.id if info.live is not None else None


def _register(registry: StoreRegistry, source_url: str) -> None:
    def add(oin: str, name: str, **values: Any) -> None:
        registry.add(oin, {"name": name, **values}, by="security-tests")

    hosted = {"endpoint": "hosted", "url": source_url, "agreement_signed": SIGNED}
    add(PARTY_A, "Gemeente A", roles=MEDIATOR_ROLES, processors=[PROCESSOR], suwi=True, **hosted)
    add(PARTY_B, "Gemeente B", roles=MEDIATOR_ROLES, **hosted)
    add(PROCESSOR, "Techpartner van A", roles=[], agreement_signed=SIGNED)
    add(SUSPENDED, "Gemeente geschorst", roles=["bemiddelaar"], agreement_signed=SIGNED)
    registry.suspend(SUSPENDED, by="security-tests")
    add(UNSIGNED, "Gemeente zonder afspraak", roles=["bemiddelaar"])
    add(SOURCE_ONLY, "Alleen bron", roles=["bron-werkzoekende"], agreement_signed=SIGNED)
    add(SCRATCH, "Proefpartij", roles=["bemiddelaar"], agreement_signed=SIGNED)


@contextmanager
def running_world(directory: Path) -> Iterator[World]:
    """Start the whole system in ``directory``; stop it afterwards."""
    with ExitStack() as stack:
        store = stack.enter_context(Store(directory / "vum.db"))
        hosted = HostedSources(store)
        records: dict[tuple[str, Kind], list[dict[str, Any]]] = {}
        for seed, party in enumerate((PARTY_A, PARTY_B), start=70):
            for kind in Kind:
                rows = list(generate(kind, RECORDS, seed=seed))
                hosted.import_records(party, kind, rows)
                records[(party, kind)] = rows
        tokens = {"A": hosted.create_token(PARTY_A, "a"), "B": hosted.create_token(PARTY_B, "b")}
        tokens["revoked"] = hosted.create_token(PARTY_A, "oud")
        hosted.revoke_token(PARTY_A, label="oud")
        source_app = create_source_app(
            hosted,
            settings=SourceSettings(trusted_via_parties=frozenset({FACILITY})),
        )
        source_url = stack.enter_context(live_server(source_app, ready_path="/ready"))
        registry = StoreRegistry(store, cache_s=0)
        _register(registry, f"{source_url}/api/v3")
        codec = VumIdCodec({"k1": new_key()}, "k1")
        config = FacilityConfig(
            settings=FacilitySettings(facility_oin=FACILITY, deadline_s=5.0, source_timeout_s=4.0),
            admin_token_sha256=token_digest(ADMIN_TOKEN),
        )
        identity = ProxyTls(parse_networks(["127.0.0.1"]))
        facility_app = build_app(config, identity, StoreAuditLog(store), codec, store=store)
        facility_url = stack.enter_context(serve_app(facility_app))
        world = World(
            store=store,
            hosted=hosted,
            source_app=source_app,
            facility_app=facility_app,
            source_url=source_url,
            facility_url=facility_url,
            pki=make_pki(directory, "security"),
            codec=codec,
            records=records,
            tokens=tokens,
        )
        stack.callback(world.http.close)
        yield world
