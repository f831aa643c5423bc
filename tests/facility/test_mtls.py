# SPDX-License-Identifier: EUPL-1.2
"""Who is calling: mutual TLS on real loopback TLS, a TLS-terminating proxy, and dev header-trust."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from tests.facility.certs import Pki, make_pki
from tests.facility.test_api import (
    MEDIATOR,
    OTHER,
    PROCESSOR,
    PROFILES,
    QUERY,
    asgi_call,
    make_app,
    serve_app,
    vum_headers,
)
from vum.facility.identity import (
    DevHeaderTrust,
    InsecureBind,
    MutualTls,
    ProxyTls,
    oin_from_pem,
    parse_networks,
    with_tls_scope,
)
from vum.facility.metrics import InMemoryAuditSink
from vum.facility.serve import app as serve_cli

BODY = {"vraagObject": QUERY}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"), "vum")


@pytest.fixture(scope="module")
def rogue(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Another CA the facility does not trust."""
    return make_pki(tmp_path_factory.mktemp("rogue"), "rogue")


@pytest.fixture(scope="module")
def audit() -> InMemoryAuditSink:
    return InMemoryAuditSink()


@pytest.fixture(scope="module")
def tls_url(pki: Pki, audit: InMemoryAuditSink) -> Iterator[str]:
    """The facility under uvicorn with TLS, CERT_REQUIRED and the client CA, as `vum serve` runs it."""
    cert, key = pki.server()
    app = make_app([], identity=MutualTls(), audit=audit)
    with serve_app(
        app,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        ssl_ca_certs=str(pki.ca_file),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        http=with_tls_scope(AutoHTTPProtocol),
    ) as url:
        yield url


def post(url: str, context: ssl.SSLContext, **headers: str) -> httpx.Response:
    with httpx.Client(verify=context, timeout=5) as client:
        return client.post(f"{url}{PROFILES}/matches", json=BODY, headers=vum_headers(**headers))


def test_matching_certificate_is_let_in(tls_url: str, pki: Pki, audit: InMemoryAuditSink) -> None:
    response = post(tls_url, pki.client_context(*pki.client(MEDIATOR)))
    assert response.status_code == 200, response.text
    assert response.json()["matches"] == []
    assert audit.events[-1]["identity"] == "mtls"


def test_a_processor_presents_its_own_certificate(tls_url: str, pki: Pki) -> None:
    context = pki.client_context(*pki.client(PROCESSOR))
    assert post(tls_url, context, from_party=MEDIATOR, via=PROCESSOR).status_code == 200


def test_certificate_of_another_party_than_via_party_is_401(tls_url: str, pki: Pki) -> None:
    # OTHER is an authorised mediator, but the connection was opened with MEDIATOR's certificate.
    response = post(tls_url, pki.client_context(*pki.client(MEDIATOR)), from_party=OTHER)
    assert response.status_code == 401 and response.content == b""


def test_certificate_without_oin_is_401(tls_url: str, pki: Pki) -> None:
    response = post(tls_url, pki.client_context(*pki.client(None)))
    assert response.status_code == 401


def test_no_client_certificate_is_refused(tls_url: str, pki: Pki) -> None:
    # CERT_REQUIRED: the TLS handshake fails (in TLS 1.3 the client sees it at its first read).
    with pytest.raises(httpx.HTTPError):
        post(tls_url, pki.client_context())


def test_certificate_from_an_untrusted_ca_is_refused(tls_url: str, pki: Pki, rogue: Pki) -> None:
    cert, key = rogue.client(MEDIATOR)
    context = pki.client_context(cert, key)  # trusts the facility; presents a rogue cert
    with pytest.raises(httpx.HTTPError):
        post(tls_url, context)


# --- behind a TLS-terminating proxy ---


@pytest.fixture(scope="module")
def proxied() -> FastAPI:
    return make_app([], identity=ProxyTls(parse_networks(["10.0.0.0/24", "::1"])))


def proxy_headers(pki: Pki, oin: str | None, verify: str = "SUCCESS") -> dict[str, str]:
    pem = pki.client(oin)[0].read_text()
    # nginx $ssl_client_escaped_cert: the PEM, URL-encoded.
    return {"X-SSL-Client-Cert": quote(pem), "X-SSL-Client-Verify": verify}


def test_proxy_header_from_a_trusted_proxy(proxied: FastAPI, pki: Pki) -> None:
    headers = {**vum_headers(), **proxy_headers(pki, MEDIATOR)}
    response = asgi_call(proxied, "POST", f"{PROFILES}/matches", headers, BODY, ("10.0.0.7", 4431))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("client", "oin", "verify"),
    [
        (("192.168.1.9", 4431), MEDIATOR, "SUCCESS"),  # not the proxy: the header is ignored
        (("10.0.0.7", 4431), MEDIATOR, "FAILED:unable to verify"),  # proxy did not verify it
        (("10.0.0.7", 4431), OTHER, "SUCCESS"),  # certificate is not X-VUM-viaParty
    ],
)
def test_proxy_header_refused(
    proxied: FastAPI, pki: Pki, client: tuple[str, int], oin: str, verify: str
) -> None:
    headers = {**vum_headers(), **proxy_headers(pki, oin, verify)}
    response = asgi_call(proxied, "POST", f"{PROFILES}/matches", headers, BODY, client)
    assert response.status_code == 401 and response.content == b""


def test_proxy_mode_over_http_trusts_only_configured_addresses(pki: Pki) -> None:
    headers = {**vum_headers(), **proxy_headers(pki, MEDIATOR)}
    for trusted, status in ((["127.0.0.1"], 200), (["10.0.0.0/8"], 401)):
        app = make_app([], identity=ProxyTls(parse_networks(trusted)))
        with serve_app(app) as url:
            response = httpx.post(f"{url}{PROFILES}/matches", json=BODY, headers=headers)
        assert response.status_code == status


def test_oin_comes_from_the_subject_serial_number(pki: Pki) -> None:
    assert oin_from_pem(pki.client(MEDIATOR)[0].read_text()) == MEDIATOR


# --- development header-trust ---


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "facility.example.nl"])
def test_header_trust_refuses_a_non_loopback_bind(host: str) -> None:
    with pytest.raises(InsecureBind):
        DevHeaderTrust(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_header_trust_on_loopback(host: str) -> None:
    assert DevHeaderTrust(host).mode == "dev-header-trust"


def test_serve_refuses_header_trust_on_a_public_address() -> None:
    result = CliRunner().invoke(serve_cli, ["facility", "--dev-header-trust", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "loopback" in result.output


def test_header_trust_logs_a_warning_on_every_request(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app([])
    caplog.set_level("WARNING", logger="vum.facility.identity")
    asgi_call(app, "POST", f"{PROFILES}/matches", vum_headers(), BODY)
    asgi_call(app, "POST", f"{PROFILES}/matches", vum_headers(), BODY)
    assert sum("ONVEILIG" in r.getMessage() for r in caplog.records) >= 2


def test_serve_needs_exactly_one_identity_mode(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_cli, ["facility"])
    assert result.exit_code != 0
    assert "identiteitsmodus" in result.output
