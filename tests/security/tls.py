# SPDX-License-Identifier: EUPL-1.2
"""The facility under uvicorn with mutual TLS, as `vum serve facility --tls-cert --tls-key --client-ca` runs it."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from tests.facility.test_api import serve_app
from tests.security.world import ADMIN_TOKEN, FACILITY, QUERY, World
from vum.facility.admin import token_digest
from vum.facility.audit import StoreAuditLog
from vum.facility.identity import Identity, MutualTls, with_tls_scope
from vum.facility.serve import FacilityConfig, build_app
from vum.facility.service import FacilitySettings

MATCHES = "/api/v3/werkzoekendeProfielen/matches"


def facility_app(world: World, identity: Identity) -> object:
    """Another facility over the suite's store (parties, hosted source, keys)."""
    config = FacilityConfig(
        settings=FacilitySettings(facility_oin=FACILITY, deadline_s=5.0),
        admin_token_sha256=token_digest(ADMIN_TOKEN),
    )
    return build_app(config, identity, StoreAuditLog(world.store), world.codec, store=world.store)


@contextmanager
def mtls_facility(world: World) -> Iterator[str]:
    """Its https:// URL; CERT_REQUIRED with the suite's test CA."""
    cert, key = world.pki.server()
    with serve_app(
        facility_app(world, MutualTls()),
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        ssl_ca_certs=str(world.pki.ca_file),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        http=with_tls_scope(AutoHTTPProtocol),
    ) as url:
        yield url


def post_with_cert(
    world: World, url: str, cert: str, from_party: str, via: str, **extra: str
) -> httpx.Response:
    """A query over TLS presenting the client certificate with OIN ``cert``."""
    context = world.pki.client_context(*world.pki.client(cert))
    headers = world.facility_headers(from_party, via, cert=None) | extra
    with httpx.Client(verify=context, timeout=15) as client:
        return client.post(f"{url}{MATCHES}", json={"vraagObject": QUERY}, headers=headers)
