# SPDX-License-Identifier: EUPL-1.2
"""Header spoofing over real TLS: party headers that do not match the client certificate, and forged proxy headers.

The facility runs under uvicorn with mutual TLS (CERT_REQUIRED, the test CA) as ``vum serve
facility --tls-cert --tls-key --client-ca`` runs it, over the suite's store and hosted source;
and in proxy mode with a proxy address the test client does not have.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.facility.test_api import serve_app
from tests.security.checks import assert_security_headers
from tests.security.tally import count
from tests.security.tls import MATCHES, facility_app, mtls_facility, post_with_cert
from tests.security.world import (
    FACILITY,
    PARTY_A,
    PARTY_B,
    PROCESSOR,
    QUERY,
    ROGUE,
    World,
)
from vum.facility.audit import StoreAuditLog
from vum.facility.identity import ProxyTls, parse_networks

BODY = {"vraagObject": QUERY}


@pytest.fixture(scope="module")
def tls_url(world: World) -> Iterator[str]:
    """The facility with mutual TLS, over the suite's store (parties, hosted source)."""
    with mtls_facility(world) as url:
        yield url


def _post(
    world: World, url: str, cert: str, from_party: str, via: str, **extra: str
) -> httpx.Response:
    response = post_with_cert(world, url, cert, from_party, via, **extra)
    assert_security_headers(response, tls=True)  # HSTS too: this answer came over TLS
    return response


def _last_refusal(world: World) -> str | None:
    (row,) = StoreAuditLog(world.store).latest(1)
    refusal = row.details.get("refusal")
    return str(refusal) if refusal is not None else None


# (certificate OIN, X-VUM-fromParty, X-VUM-viaParty, expected status, why)
CASES = [
    (PARTY_A, PARTY_A, PARTY_A, 200, "the party itself"),
    (PROCESSOR, PARTY_A, PROCESSOR, 200, "A's named processor"),
    (PARTY_A, PARTY_B, PARTY_B, 401, "viaParty is not the certificate's OIN"),
    (PARTY_A, PARTY_A, PARTY_B, 401, "viaParty is not the certificate's OIN"),
    (PARTY_A, PARTY_B, PARTY_A, 401, "A is not B's processor"),
    (PROCESSOR, PARTY_B, PROCESSOR, 401, "the processor may not act for B"),
    (ROGUE, PARTY_A, ROGUE, 401, "nobody named this processor"),
    (FACILITY, PARTY_A, FACILITY, 401, "the facility's own certificate is no mediator's"),
]


@pytest.mark.parametrize(("cert", "from_party", "via", "status", "why"), CASES)
def test_party_headers_must_match_the_client_certificate(
    world: World, tls_url: str, cert: str, from_party: str, via: str, status: int, why: str
) -> None:
    response = _post(world, tls_url, cert, from_party, via)
    count("header spoofing: party headers against a real mTLS certificate")
    assert response.status_code == status, why
    if status == 401:
        assert response.content == b""
        assert _last_refusal(world) is not None  # the reason went to the audit log only
    else:
        assert response.json()["matches"]


def test_a_forged_proxy_header_is_ignored_under_mtls(world: World, tls_url: str) -> None:
    """With mTLS the facility reads the TLS connection, never a header claiming a certificate."""
    forged = quote(world.pki.client(PARTY_B)[0].read_text())
    response = _post(
        world,
        tls_url,
        PARTY_A,
        PARTY_B,
        PARTY_B,
        **{"X-SSL-Client-Cert": forged, "X-SSL-Client-Verify": "SUCCESS"},
    )
    count("header spoofing: forged certificate headers under mTLS")
    assert response.status_code == 401
    assert _last_refusal(world) == "certificaat-OIN is niet X-VUM-viaParty"


@pytest.fixture(scope="module")
def elsewhere_proxy_url(world: World) -> Iterator[str]:
    """The facility in proxy mode, trusting a proxy at 10.0.0.2 (the test client is 127.0.0.1)."""
    with serve_app(facility_app(world, ProxyTls(parse_networks(["10.0.0.2"])))) as url:
        yield url


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"X-Forwarded-For": "10.0.0.2"},
        {"X-Forwarded-For": "10.0.0.2", "X-Real-IP": "10.0.0.2", "Forwarded": "for=10.0.0.2"},
    ],
    ids=["plain", "x-forwarded-for", "every-forwarding-header"],
)
def test_a_certificate_header_from_a_client_that_is_not_the_proxy_is_401(
    world: World, elsewhere_proxy_url: str, extra: dict[str, str]
) -> None:
    headers = world.facility_headers(PARTY_A) | extra  # A's real certificate, URL-encoded
    response = world.http.post(f"{elsewhere_proxy_url}{MATCHES}", json=BODY, headers=headers)
    count("header spoofing: certificate headers from a client that is not the proxy")
    assert response.status_code == 401 and response.content == b""
    # The same headers through the suite's facility, whose proxy is 127.0.0.1, are let in.
    trusted = world.http.post(f"{world.facility_url}{MATCHES}", json=BODY, headers=headers)
    assert trusted.status_code == 200


@pytest.mark.parametrize("verify", [None, "", "FAILED:certificate revoked", "NONE", "success"])
def test_the_proxy_must_say_it_verified_the_certificate(world: World, verify: str | None) -> None:
    headers = world.facility_headers(PARTY_A)
    if verify is None:
        del headers["X-SSL-Client-Verify"]
    else:
        headers["X-SSL-Client-Verify"] = verify
    response = world.http.post(f"{world.facility_url}{MATCHES}", json=BODY, headers=headers)
    count("header spoofing: unverified certificates passed by the proxy")
    assert response.status_code == 401
