# SPDX-License-Identifier: EUPL-1.2
"""`vum serve facility`: the config file, the vumID keys from the environment, the audit file, the app."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, asgi_call, vum_headers
from vum.facility.identity import DevHeaderTrust
from vum.facility.serve import (
    JsonLinesAuditSink,
    build_app,
    choose_identity,
    codec_from_env,
    load_config,
)
from vum.facility.vumid import VumIdContent, new_key
from vum.standard import Kind

TOML = f"""
[facility]
oin = "00000001000000000099"
deadline_s = 2.5
source_timeout_s = 1.0
retention_days = 3

[identity]
mode = "proxy"
trusted_proxies = ["10.0.0.2"]

[[sources]]
oin = "00000001000000000001"
name = "UWV"
url = "http://127.0.0.1:9/api/v3"
kinds = ["werkzoekende", "vacature"]
timeout = 2.0

[[sources]]
oin = "00000001000000000002"
name = "Gemeente Almere"
url = "http://127.0.0.1:9/almere/api/v3"
kinds = ["werkzoekende"]

[[parties]]
oin = "{MEDIATOR}"
name = "Gemeente Utrecht"
roles = ["bemiddelaar"]
suwi = true
processors = ["00000003333333333333"]
agreement_signed = 2025-01-01
"""

YAML = f"""
facility: {{oin: "00000001000000000099"}}
sources:
  - {{oin: "00000001000000000001", name: UWV, url: "http://127.0.0.1:9/api/v3"}}
parties:
  - {{oin: "{MEDIATOR}", name: Utrecht, roles: [bemiddelaar], agreement_signed: "2025-01-01"}}
"""


def test_toml_config(tmp_path: Path) -> None:
    path = tmp_path / "facility.toml"
    path.write_text(TOML)
    config = load_config(path)
    assert config.settings.facility_oin == "00000001000000000099"
    assert (config.settings.deadline_s, config.settings.source_timeout_s) == (2.5, 1.0)
    assert config.settings.retention == dt.timedelta(days=3)
    uwv, almere = config.sources
    assert uwv.kinds == frozenset(Kind) and uwv.timeout_s == 2.0
    assert almere.kinds == frozenset({Kind.WERKZOEKENDE}) and almere.timeout_s == 1.0
    (party,) = config.parties
    assert party.suwi and party.agreement_signed == dt.date(2025, 1, 1)
    assert party.processors == frozenset({"00000003333333333333"})
    identity = choose_identity(
        "0.0.0.0", tls=False, trusted_proxies=[], dev_header_trust=False, configured=config.identity
    )
    assert identity.mode == "proxy"


def test_yaml_config_builds_a_working_app(tmp_path: Path) -> None:
    path = tmp_path / "facility.yaml"
    path.write_text(YAML)
    config = load_config(path)
    assert config.parties[0].agreement_signed == dt.date(2025, 1, 1)
    audit = JsonLinesAuditSink(tmp_path / "a.jsonl")
    key = base64.b64encode(new_key()).decode()
    app = build_app(
        config, DevHeaderTrust("127.0.0.1"), audit, codec_from_env({"VUM_VUMID_KEYS": f"k1:{key}"})
    )
    headers = {**vum_headers(), "X-VUM-toParty": "00000001000000000099"}
    # The only source is unreachable (port 9): the query still answers, and says so.
    response = asgi_call(
        app,
        "POST",
        f"{PROFILES}/matches",
        {**headers, "X-OpenVUM-Explain": "1"},
        {"vraagObject": QUERY},
    )
    assert response.status_code == 200, response.text
    assert response.json()["x-openvum-bronnen"][0]["status"] == "failed"
    audit.close()
    event = json.loads((tmp_path / "a.jsonl").read_text().splitlines()[-1])
    assert event["fromParty"] == MEDIATOR and event["outcome"]["status"] == 200


def test_vumid_keys_from_the_environment_current_first() -> None:
    old, current = new_key(), new_key()
    env = {
        "VUM_VUMID_KEYS": f"k2:{base64.urlsafe_b64encode(current).decode()},"
        f"k1:{base64.b64encode(old).decode().rstrip('=')}"
    }
    codec = codec_from_env(env)
    token = codec.encode(VumIdContent("s", "r", "q"))
    assert token.startswith("k2.")
    # A vumID issued under the older key still opens.
    previous = codec_from_env({"VUM_VUMID_KEYS": f"k1:{base64.b64encode(old).decode()}"})
    assert codec.decode(previous.encode(VumIdContent("s", "r", "q"))).record_id == "r"


def test_missing_keys_give_an_ephemeral_key_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="vum.facility.serve")
    codec = codec_from_env({})
    assert codec.decode(codec.encode(VumIdContent("s", "r", "q"))).vraag_id == "q"
    assert any("VUM_VUMID_KEYS" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("spec", ["nocolon", "k1:!!!", "k1:" + base64.b64encode(b"short").decode()])
def test_bad_keys_refuse_to_start(spec: str) -> None:
    with pytest.raises(ValueError):
        codec_from_env({"VUM_VUMID_KEYS": spec})


def test_audit_file_gets_one_json_line_per_event(tmp_path: Path) -> None:
    sink = JsonLinesAuditSink(tmp_path / "audit.jsonl")
    sink.record({"operation": "matches", "n": 1})
    sink.record({"operation": "detail", "n": 2})
    sink.close()
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == [1, 2]
    with pytest.raises(ValueError):  # closed: fails loudly, so the API fails closed
        sink.record({"operation": "matches"})
