# SPDX-License-Identifier: EUPL-1.2
"""deploy/nginx/vum-facility-mtls.conf run by Debian's nginx in front of two real facility processes."""

from __future__ import annotations

import base64
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.api.http import stop
from tests.conftest import ROOT
from tests.deploy import nginx
from tests.facility.certs import Pki, make_pki
from tests.facility.servers import free_port, serve, source_app
from vum.facility.audit import StoreAuditLog
from vum.facility.vumid import new_key
from vum.standard import Kind
from vum.store import Store
from vum.store.audit import AuditRow
from vum.synthetic import generate

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not nginx.NGINX.exists(), reason=nginx.MISSING),
]

FACILITY = "00000001000000000077"
MEDIATOR = "00000001001111111111"  # calls through its own system: viaParty = fromParty
OTHER = "00000001002222222222"  # another mediator, whose place callers try to take
REVOKED = "00000001003333333333"  # a mediator whose certificate is on the CRL
SOURCE = "00000001004444444444"
PROFILES = "/api/v3/werkzoekendeProfielen"
BODY = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
#: NL API Design Rules, /transport/security-headers
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
MISMATCH = "certificaat-OIN is niet X-VUM-viaParty"


@dataclass
class Deployment:
    """nginx on ``url`` in front of two facility instances (``instances``) over one store."""

    url: str
    instances: list[str]
    db: Path
    prefix: Path
    pki: Pki
    certs: dict[str, tuple[Path, Path]]

    def context(self, who: str | None) -> ssl.SSLContext:
        """Trusts the proxy's server certificate; presents the client certificate of ``who``."""
        return self.pki.client_context(*self.certs[who]) if who else self.pki.client_context()


def _config(path: Path, source_url: str) -> None:
    mediators = "".join(
        f'[[parties]]\noin = "{oin}"\nname = "{name}"\nroles = ["bemiddelaar"]\n'
        "agreement_signed = 2025-01-01\n\n"
        for oin, name in ((MEDIATOR, "Gemeente Utrecht"), (OTHER, "Gemeente Zeist"),
                          (REVOKED, "Gemeente Oud"))
    )  # fmt: skip
    path.write_text(
        f'[facility]\noin = "{FACILITY}"\n\n{mediators}'
        f'[[parties]]\noin = "{SOURCE}"\nname = "UWV"\nagreement_signed = 2025-01-01\n\n'
        f'[[sources]]\noin = "{SOURCE}"\nname = "UWV"\nurl = "{source_url}"\n'
        'kinds = ["werkzoekende"]\n',
        encoding="utf-8",
    )


@contextmanager
def _facility(command: Sequence[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """One `vum serve facility` process; yields its direct URL once /ready answers 200."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, nginx.tail(log)
            try:
                if httpx.get(url + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{url} not ready: {nginx.tail(log)}"
            time.sleep(0.1)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    prefix = tmp_path_factory.mktemp("nginx")
    pki = make_pki(tmp_path_factory.mktemp("pki"), "pkio")
    rogue = make_pki(tmp_path_factory.mktemp("rogue"), "rogue")
    certs = {
        "mediator": pki.client(MEDIATOR, "Gemeente Utrecht"),
        "other": pki.client(OTHER, "Gemeente Zeist"),
        "revoked": pki.client(REVOKED, "Gemeente Oud"),
        # The right OIN, from a CA the proxy does not trust.
        "rogue": rogue.client(MEDIATOR, "Gemeente Utrecht"),
    }
    port, health_port = free_port(), free_port()
    records = list(generate(Kind.WERKZOEKENDE, 40, seed=7))
    key = base64.b64encode(new_key()).decode()
    # Both instances hold the same vumID keys (as the Compose secret gives them).
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VUM_VUMID_KEYS": f"k1:{key}"}
    db = prefix / "facility.db"
    with ExitStack() as stack:
        source_url = stack.enter_context(serve(source_app(Kind.WERKZOEKENDE, records)))
        _config(prefix / "facility.toml", source_url)
        vum = [sys.executable, "-m", "vum.cli"]
        # As Compose runs it: the one-shot migration first, then the instances, one after the other.
        subprocess.run(
            [*vum, "db", "upgrade", "--db", str(db)], cwd=ROOT, env=env, check=True,
            capture_output=True, timeout=120,
        )  # fmt: skip
        serve_facility = [
            *vum, "serve", "facility", "--host", "127.0.0.1", "--config",
            str(prefix / "facility.toml"), "--db", str(db), "--trusted-proxy", "127.0.0.1",
            "--log-level", "warning",
        ]  # fmt: skip
        instances = [
            stack.enter_context(_facility(serve_facility, env, prefix / f"facility-{n}.log"))
            for n in (1, 2)
        ]
        conf = nginx.render(
            prefix,
            port=port,
            health_port=health_port,
            upstreams=[url.removeprefix("http://") for url in instances],
        )
        server_cert, server_key = pki.server()
        tls = prefix / "tls"
        (tls / "server.pem").write_bytes(server_cert.read_bytes())
        (tls / "server.key").write_bytes(server_key.read_bytes())
        (tls / "pkioverheid-private-services.pem").write_bytes(pki.ca_file.read_bytes())
        (tls / "pkioverheid-private-services.crl").write_bytes(nginx.crl(pki, certs["revoked"][0]))
        stack.enter_context(nginx.running(prefix, conf, health_port))
        yield Deployment(f"https://127.0.0.1:{port}", instances, db, prefix, pki, certs)


def ask(
    deployment: Deployment,
    who: str | None,
    *,
    via: str = MEDIATOR,
    extra: Sequence[tuple[str, str]] = (),
    method: str = "POST",
    path: str = f"{PROFILES}/matches",
    content: bytes | None = None,
    url: str | None = None,
) -> tuple[httpx.Response, str]:
    """One call through the proxy with ``who``'s certificate; returns the answer and its trace id."""
    trace = secrets.token_hex(16)
    headers = [
        ("X-VUM-berichtVersie", "3.0.0"),
        ("API-Version", "3.0.0"),
        ("X-VUM-fromParty", via),
        ("X-VUM-toParty", FACILITY),
        ("X-VUM-viaParty", via),
        ("traceparent", f"00-{trace}-{secrets.token_hex(8)}-01"),
        *extra,
    ]
    json_body = BODY if method == "POST" and content is None else None
    with httpx.Client(verify=deployment.context(who), timeout=30) as client:
        answer = client.request(
            method, (url or deployment.url) + path, headers=headers, json=json_body, content=content
        )
    return answer, trace


def audited(deployment: Deployment, trace: str) -> list[AuditRow]:
    """The facility's audit records of one call (by its W3C trace id): none if it never arrived."""
    with Store(str(deployment.db)) as store:
        return [row for row in StoreAuditLog(store).latest(1000) if row.trace_id == trace]


def _security_headers(answer: httpx.Response) -> dict[str, str | None]:
    return {name: answer.headers.get(name) for name in SECURITY_HEADERS}


def test_a_valid_certificate_reaches_the_facility(deployment: Deployment) -> None:
    answer, trace = ask(deployment, "mediator")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["matches"]) > 0 and "maximumAantalResultatenBereikt" in body
    assert answer.headers["X-VUM-fromParty"] == FACILITY  # the facility's answer, passed on
    assert _security_headers(answer) == SECURITY_HEADERS
    [row] = audited(deployment, trace)
    assert (row.party, row.processor, row.status) == (MEDIATOR, MEDIATOR, "200")
    assert row.details["identity"] == "proxy"


def test_both_instances_answer_from_the_shared_store(deployment: Deployment) -> None:
    answer, _ = ask(deployment, "mediator")
    vum_ids = [match["vumID"] for match in answer.json()["matches"]][:3]
    # Round robin sends the details to both instances: each finds the result set in the
    # shared store and reads the vumIDs with the shared keys.
    for vum_id in vum_ids:
        detail, _ = ask(deployment, "mediator", method="GET", path=f"{PROFILES}/{vum_id}")
        assert detail.status_code == 200, detail.text
        assert set(detail.json()) == {"bronID", "werkzoekende"}
    for instance in deployment.instances:
        metrics = httpx.get(instance + "/metrics", timeout=5).text
        served = re.findall(r"^vum_facility_requests_total\{[^}]*\} (\S+)$", metrics, re.M)
        assert sum(float(n) for n in served) > 0, f"{instance} answered nothing"
    # The access log names the route, never the vumID (a pseudonym of a person's profile).
    log = (deployment.prefix / "logs" / "access.log").read_text(encoding="utf-8")
    assert f'"route":"{PROFILES}/:vumID"' in log
    assert not any(vum_id in log for vum_id in vum_ids)


@pytest.mark.parametrize(
    ("who", "via"),
    [(None, MEDIATOR), ("rogue", MEDIATOR), ("revoked", REVOKED)],
    ids=["no-certificate", "untrusted-ca", "revoked"],
)
def test_b_c_nginx_refuses_without_a_valid_certificate(
    deployment: Deployment, who: str | None, via: str
) -> None:
    answer, trace = ask(deployment, who, via=via)
    # The contract's answer to an unauthenticated call: 401 without a body, from nginx itself
    # (no X-VUM-* answer headers), with the security headers.
    assert answer.status_code == 401 and answer.content == b""
    assert "X-VUM-fromParty" not in answer.headers
    assert _security_headers(answer) == SECURITY_HEADERS
    assert audited(deployment, trace) == [], "the facility saw the call"


def test_d_a_certificate_of_another_oin_than_via_party_is_refused(deployment: Deployment) -> None:
    answer, trace = ask(deployment, "mediator", via=OTHER)
    # VUM: 401 carries the headers and no body.
    assert answer.status_code == 401 and answer.content == b""
    assert answer.headers["X-VUM-fromParty"] == FACILITY  # the facility refused it
    [row] = audited(deployment, trace)
    assert (row.processor, row.status) == (OTHER, "401")
    assert row.details["refusal"] == MISMATCH


def test_e_forged_certificate_headers_are_overwritten(deployment: Deployment) -> None:
    other_pem = deployment.certs["other"][0].read_text(encoding="ascii")
    forged = [
        ("X-SSL-Client-Cert", quote(other_pem, safe="")),
        ("X-SSL-Client-Verify", "SUCCESS"),
        ("x-ssl-client-cert", quote(other_pem, safe="")),
        ("x-ssl-client-verify", "SUCCESS"),
    ]
    # A valid certificate of MEDIATOR, headers claiming OTHER's certificate, asking as OTHER.
    answer, trace = ask(deployment, "mediator", via=OTHER, extra=forged)
    assert answer.status_code == 401 and answer.content == b""
    [row] = audited(deployment, trace)
    assert row.details["refusal"] == MISMATCH  # the facility saw MEDIATOR's certificate
    # The same forged headers asking as itself: the facility reads the proxy's header (the real
    # certificate), not the client's, so the call goes through.
    answer, trace = ask(deployment, "mediator", extra=forged)
    assert answer.status_code == 200, answer.text
    assert [row.status for row in audited(deployment, trace)] == ["200"]


def test_only_the_api_and_its_methods_and_limits_pass(deployment: Deployment) -> None:
    # The instances' /metrics, /ready and /docs are not published through the proxy.
    for path in ("/metrics", "/ready", "/docs"):
        answer, _ = ask(deployment, "mediator", method="GET", path=path)
        assert answer.status_code == 404 and answer.json()["code"] == "404"
        assert _security_headers(answer) == SECURITY_HEADERS
    answer, trace = ask(deployment, "mediator", method="DELETE")
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET, HEAD, POST"
    assert audited(deployment, trace) == []
    # A body over the facility's 1 MiB limit: its own answer (400.01), given by the proxy.
    big = b'{"vraagObject": {"x": "' + b"a" * (1 << 20) + b'"}}'
    answer, trace = ask(
        deployment, "mediator", content=big, extra=[("Content-Type", "application/json")]
    )
    assert answer.status_code == 400 and answer.json()["code"] == "400.01"
    assert audited(deployment, trace) == []


def test_a_dead_instance_is_skipped_and_none_alive_is_503(
    deployment: Deployment, tmp_path: Path
) -> None:
    live = deployment.instances[0].removeprefix("http://")
    for upstreams, status in (
        ([f"127.0.0.1:{free_port()}", live], 200),
        ([f"127.0.0.1:{free_port()}"] * 2, 503),
    ):
        prefix = tmp_path / str(status)
        port, health_port = free_port(), free_port()
        conf = nginx.render(prefix, port=port, health_port=health_port, upstreams=upstreams)
        for item in (deployment.prefix / "tls").iterdir():
            (prefix / "tls" / item.name).write_bytes(item.read_bytes())
        with nginx.running(prefix, conf, health_port):
            for _ in range(3):  # round robin: every call meets the dead instance in turn
                answer, _ = ask(deployment, "mediator", url=f"https://127.0.0.1:{port}")
                assert answer.status_code == status, answer.text
        if status == 503:  # the contract's 503, not nginx's 502 page
            assert answer.json()["code"] == "500.3"
            assert _security_headers(answer) == SECURITY_HEADERS
