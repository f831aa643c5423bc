# SPDX-License-Identifier: EUPL-1.2
"""End to end over real HTTP: the facility on the store (registry, result sets, audit log), two sources."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from typer.testing import CliRunner

from tests.facility.servers import serve, source_app
from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, serve_app, vum_headers
from vum.facility.app import create_facility_app
from vum.facility.audit import StoreAuditLog
from vum.facility.cli import audit_app
from vum.facility.client import SourceClient
from vum.facility.identity import DevHeaderTrust
from vum.facility.registry import StoreRegistry
from vum.facility.results import StoreResultSets
from vum.facility.service import Facility, FacilitySettings
from vum.facility.vumid import VumIdCodec, new_key
from vum.standard import Kind
from vum.store import Store
from vum.synthetic import generate

SOURCES = ("00000004444444444441", "00000004444444444442")
SUSPENDED = "00000004444444444443"
UNSIGNED = "00000004444444444444"
SIGNED = dt.date(2025, 1, 1)


def facility_app(store: Store) -> FastAPI:
    """The facility over the store: StoreRegistry as directory and registry, result sets, audit."""
    client = SourceClient()
    registry = StoreRegistry(store, cache_s=0)
    facility = Facility(
        FacilitySettings(deadline_s=5.0),
        registry,
        StoreResultSets(store),
        VumIdCodec({"k1": new_key()}, "k1"),
        client,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return create_facility_app(
        facility, registry, StoreAuditLog(store), DevHeaderTrust("127.0.0.1"), lifespan=lifespan
    )


def register(store: Store, urls: list[str]) -> None:
    registry = StoreRegistry(store)
    registry.add(
        MEDIATOR,
        {"name": "Gemeente Utrecht", "roles": ["bemiddelaar"], "agreement_signed": SIGNED},
        by="beheerder",
    )
    for oin, url in zip(SOURCES, urls, strict=True):
        values = {"name": f"Bron {oin[-1]}", "roles": ["bron-werkzoekende"], "url": url}
        registry.add(oin, {**values, "endpoint": "api", "agreement_signed": SIGNED}, by="b")
    # Two more that point at the same servers but may not answer: never asked.
    registry.add(SUSPENDED, {**values, "agreement_signed": SIGNED}, by="b")
    registry.suspend(SUSPENDED, by="b")
    registry.add(UNSIGNED, values, by="b")


def test_query_details_limit_and_audit_over_the_store(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    records = list(generate(Kind.WERKZOEKENDE, 16, seed=77))
    with ExitStack() as stack:
        urls = [
            stack.enter_context(serve(source_app(Kind.WERKZOEKENDE, records[i * 8 : (i + 1) * 8])))
            for i in range(2)
        ]
        store = stack.enter_context(Store(db))
        register(store, urls)
        base = stack.enter_context(serve_app(facility_app(store)))
        headers = {
            **vum_headers(),
            "X-OpenVUM-Explain": "1",
            "X-OpenVUM-Gebruiker": "medewerker-3",
            "X-OpenVUM-Verwerking": "re-integratie",
        }
        with httpx.Client(base_url=base, headers=headers, timeout=15) as client:
            answer = client.post(f"{PROFILES}/matches", json={"vraagObject": QUERY})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert {s["oin"] for s in body["x-openvum-bronnen"]} == set(SOURCES)
            assert all(s["status"] == "answered" for s in body["x-openvum-bronnen"])
            vum_ids = [m["vumID"] for m in body["matches"]]
            assert len(vum_ids) == 16
            statuses = [client.get(f"{PROFILES}/{v}").status_code for v in vum_ids[:11]]
            detail = client.get(f"{PROFILES}/{vum_ids[0]}").json()
            # Suspended in the registry: the mediator is refused at once (401, no body).
            StoreRegistry(store).suspend(MEDIATOR, by="ciso")
            refused = client.post(f"{PROFILES}/matches", json={"vraagObject": QUERY})
            assert refused.status_code == 401 and not refused.content
    assert statuses == [200] * 10 + [429]
    assert detail["code"] == "429.01"

    with Store(db) as reopened:
        records_ = list(reopened.audit.iter_rows())
    queries = [r for r in records_ if r.operation == "matches"]
    details = [r for r in records_ if r.operation == "detail"]
    query, refusal = queries  # one record per query, with every source's status in it
    assert refusal.status == "401" and "refusal" in refusal.details
    assert (query.party, query.processor, query.user) == (MEDIATOR, MEDIATOR, "medewerker-3")
    assert query.status == "200" and query.kind == "werkzoekende"
    assert query.processing_activity == "re-integratie"
    assert query.details["vraagID"] == body["vraagID"] and query.details["results"] == 16
    assert {s["oin"]: s["status"] for s in query.details["sources"]} == {
        oin: "answered" for oin in SOURCES
    }
    assert [d.status for d in details] == ["200"] * 10 + ["429", "429"]
    assert {d.source for d in details} <= set(SOURCES)
    assert details[-1].details["code"] == "429.01"
    # No personal data in clear: neither the query's values nor a vumID.
    text = json.dumps([r.as_dict() for r in records_])
    assert "3511AB" not in text and not any(v in text for v in vum_ids)

    verified = CliRunner().invoke(audit_app, ["verify", "--db", str(db)])
    assert verified.exit_code == 0, verified.output
    assert "auditlog intact" in verified.output
