# SPDX-License-Identifier: EUPL-1.2
"""`vum conformance facility`: passes against `vum serve facility`, fails against one that allows an 11th detail."""

from __future__ import annotations

import base64
import json
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from tests.api.http import free_port, live_server, stop, wait_ready
from tests.conftest import ROOT, SHARED
from tests.facility.certs import make_pki
from tests.facility.test_api import FACILITY as APP_FACILITY
from tests.facility.test_api import MEDIATOR, OTHER, make_app, serve_app
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.conformance.cli import app
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import MutualTls, with_tls_scope
from vum.facility.service import FacilitySettings
from vum.facility.vumid import new_key
from vum.standard import Kind
from vum.synthetic import generate

FACILITY = "00000001000000000099"
SOURCE = "00000001000000000001"
CONTRACTS = ["--contracts", str(SHARED)] if SHARED.is_dir() else []


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def source_url() -> Iterator[str]:
    """The project's source app on loopback, holding profiles and vacancies of SOURCE."""
    backend = MemoryBackend()
    for kind in Kind:
        backend.load(SOURCE, kind, list(generate(kind, 300, seed=7)))
    with live_server(create_source_app(backend, settings=SourceSettings(warm_up=False))) as url:
        yield url + "/api/v3"


@pytest.fixture(scope="module")
def facility_url(tmp_path_factory: pytest.TempPathFactory, source_url: str) -> Iterator[str]:
    """`vum serve facility` as its own process, in development header-trust mode."""
    folder = tmp_path_factory.mktemp("facility")
    config = folder / "facility.toml"
    config.write_text(
        f"""
[facility]
oin = "{FACILITY}"

[[parties]]
oin = "{MEDIATOR}"
name = "Gemeente Utrecht"
roles = ["bemiddelaar"]
agreement_signed = 2025-01-01

[[parties]]
oin = "{OTHER}"
name = "Gemeente Zeist"
roles = ["bemiddelaar"]
agreement_signed = 2025-01-01

[[sources]]
oin = "{SOURCE}"
name = "Bron"
url = "{source_url}"
kinds = ["werkzoekende", "vacature"]
"""
    )
    port = free_port()
    command = [
        sys.executable, "-m", "vum.cli", "serve", "facility", "--port", str(port),
        "--config", str(config), "--dev-header-trust", "--audit-log", str(folder / "audit.jsonl"),
        "--log-level", "warning",
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "VUM_VUMID_KEYS": f"k1:{base64.b64encode(new_key()).decode()}"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url)
        yield url
    finally:
        stop(process)


def test_the_facility_is_conformant(facility_url: str) -> None:
    code, output = run(
        "facility", facility_url, "--party", FACILITY, "--from-party", MEDIATOR,
        "--other-party", OTHER, "--sources", "1", *CONTRACTS, "--json",
    )  # fmt: skip
    report = json.loads(output)
    failed = [(c["kind"], c["name"], c["failures"][:1]) for c in report["checks"] if c["failed"]]
    assert code == 0 and report["conform"], failed
    assert failed == []
    checks = {(c["kind"], c["name"]): c for c in report["checks"]}
    for kind in ("werkzoekende", "vacature"):
        for name in ("detail.limit", "detail.other-party", "vumid.fresh", "vumid.altered",
                     "vumid.format", "matches.limit", "detail.schema"):  # fmt: skip
            assert checks[(kind, name)]["status"] == "pass", (kind, name)
        assert checks[(kind, "detail.status")]["tested"] == 10
        assert checks[(kind, "retention")]["status"] == "skip"


def test_a_facility_that_serves_an_eleventh_detail_fails(source_url: str) -> None:
    endpoint = SourceEndpoint(SOURCE, "Bron", source_url, frozenset({Kind.WERKZOEKENDE}))
    broken = make_app([endpoint], settings=FacilitySettings(deadline_s=3.0, max_details=11))
    with serve_app(broken) as url:
        code, output = run(
            "facility", url, "--party", APP_FACILITY, "--from-party", MEDIATOR,
            "--kind", "werkzoekende", "--sources", "1",
        )  # fmt: skip
    assert code == 1, output
    assert re.search(r"^\s+FOUT\s+verplicht\s+detail\.limit\s", output, re.M), output
    assert "status 200" in output[output.index("detail.limit") :]
    # Without --other-party that check is reported as not tested, not as passed.
    assert re.search(r"^\s+--\s+verplicht\s+detail\.other-party\s+niet getoetst", output, re.M)
    assert "NIET CONFORM" in output.splitlines()[-1]


def test_the_kit_speaks_mutual_tls(
    source_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The facility behind mTLS: the client certificates name the parties, also the second one."""
    pki = make_pki(tmp_path_factory.mktemp("pki"), "vum")
    cert, key = pki.server()
    endpoint = SourceEndpoint(SOURCE, "Bron", source_url, frozenset({Kind.WERKZOEKENDE}))
    facility = make_app([endpoint], identity=MutualTls())
    tls = {
        "ssl_certfile": str(cert), "ssl_keyfile": str(key), "ssl_ca_certs": str(pki.ca_file),
        "ssl_cert_reqs": ssl.CERT_REQUIRED, "http": with_tls_scope(AutoHTTPProtocol),
    }  # fmt: skip
    mine, other = pki.client(MEDIATOR), pki.client(OTHER)
    with serve_app(facility, **tls) as url:
        code, output = run(
            "facility", url, "--party", APP_FACILITY, "--from-party", MEDIATOR,
            "--kind", "werkzoekende", "--sources", "1", "--json",
            "--cert", str(mine[0]), "--key", str(mine[1]), "--ca", str(pki.ca_file),
            "--other-party", OTHER, "--other-cert", str(other[0]), "--other-key", str(other[1]),
        )  # fmt: skip
        refused, _ = run(
            "facility", url, "--party", APP_FACILITY, "--from-party", MEDIATOR,
            "--kind", "werkzoekende", "--ca", str(pki.ca_file), "--json",
        )  # fmt: skip
    report = json.loads(output)
    assert code == 0, [c for c in report["checks"] if c["failed"]]
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["detail.other-party"]["status"] == "pass"
    assert checks["detail.limit"]["status"] == "pass"
    # Without a client certificate the handshake fails: nothing else can be checked.
    assert refused == 1


def test_an_unreachable_facility_fails_on_connection() -> None:
    code, output = run(
        "facility", f"http://127.0.0.1:{free_port()}", "--party", FACILITY, "--from-party",
        MEDIATOR, "--json",
    )  # fmt: skip
    assert code == 1
    assert [c["name"] for c in json.loads(output)["checks"]] == ["connection"]
