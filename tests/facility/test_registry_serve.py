# SPDX-License-Identifier: EUPL-1.2
"""`vum serve facility --db`: the config's parties go into the store's registry; the store serves."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, asgi_call, vum_headers
from vum.facility import serve
from vum.facility.audit import StoreAuditLog
from vum.facility.identity import DevHeaderTrust
from vum.facility.registry import StoreRegistry
from vum.facility.results import StoreResultSets
from vum.facility.serve import build_app, codec_from_env, load_config
from vum.facility.vumid import new_key
from vum.store import PartyStatus, Store

FACILITY = "00000001000000000099"
UWV = "00000001000000000001"
UNSIGNED = "00000001000000000002"

TOML = f"""
[facility]
oin = "{FACILITY}"
source_timeout_s = 1.0

[[parties]]
oin = "{MEDIATOR}"
name = "Gemeente Utrecht"
roles = ["bemiddelaar"]
agreement_signed = 2025-01-01

[[parties]]
oin = "{UWV}"
name = "UWV"
agreement_signed = 2025-01-01

[[sources]]
oin = "{UWV}"
name = "UWV"
url = "http://127.0.0.1:9/api/v3"
kinds = ["werkzoekende"]

[[sources]]
oin = "{UNSIGNED}"
name = "Zonder afspraken"
url = "http://127.0.0.1:9/x/api/v3"
"""


def test_config_parties_are_upserted_and_the_store_serves(tmp_path: Path) -> None:
    path = tmp_path / "facility.toml"
    path.write_text(TOML)
    config = load_config(path)
    key = base64.b64encode(new_key()).decode()
    with Store(tmp_path / "vum.db") as store:
        app = build_app(
            config,
            DevHeaderTrust("127.0.0.1"),
            StoreAuditLog(store),
            codec_from_env({"VUM_VUMID_KEYS": f"k1:{key}"}),
            store=store,
        )
        uwv = store.parties.get(UWV)
        assert uwv is not None and uwv.roles == ("bron-werkzoekende",) and uwv.timeout_s == 1.0
        assert uwv.status is PartyStatus.ACTIVE and uwv.endpoint == "api"
        headers = {**vum_headers(), "X-VUM-toParty": FACILITY, "X-OpenVUM-Explain": "1"}
        response = asgi_call(app, "POST", f"{PROFILES}/matches", headers, {"vraagObject": QUERY})
        assert response.status_code == 200, response.text
        # Only the signed source is asked (it is unreachable, and says so); the unsigned is not.
        assert [(s["oin"], s["status"]) for s in response.json()["x-openvum-bronnen"]] == [
            (UWV, "failed")
        ]
        rows = list(store.audit.iter_rows())
        assert [(r.operation, r.user) for r in rows[:3]] == [("party.add", "config")] * 3
        assert rows[-1].operation == "matches" and rows[-1].party == MEDIATOR
        vraag_id = response.json()["vraagID"]
        assert store.result_sets.get(vraag_id) is not None
        # A restart with the same config writes nothing new.
        build_app(config, DevHeaderTrust("127.0.0.1"), StoreAuditLog(store), codec_from_env(
            {"VUM_VUMID_KEYS": f"k1:{key}"}), store=store)  # fmt: skip
        assert store.audit.count() == len(rows)
        assert StoreAuditLog(store).verify().ok


def test_db_and_audit_log_file_are_exclusive(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        serve.app,
        [
            "facility",
            "--dev-header-trust",
            "--db",
            str(tmp_path / "vum.db"),
            "--audit-log",
            str(tmp_path / "a.jsonl"),
        ],
    )
    assert result.exit_code == 2
    assert "--audit-log en --db" in result.output


def test_serve_facility_with_db_wires_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "facility.toml"
    path.write_text(TOML)
    served: list[FastAPI] = []
    monkeypatch.setattr(serve, "_run", lambda asgi, *args: served.append(asgi))
    # Keep pytest's log capture: the command would route all logging to stderr as JSON.
    monkeypatch.setattr("vum.facility.metrics.configure_json_logging", lambda level: None)
    db = tmp_path / "vum.db"
    result = CliRunner().invoke(
        serve.app, ["facility", "--dev-header-trust", "--config", str(path), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    (app,) = served
    assert isinstance(app.state.facility.results, StoreResultSets)
    assert isinstance(app.state.facility.directory, StoreRegistry)
    with Store(db) as store:
        assert [p.oin for p in store.parties.list()] == [UWV, UNSIGNED, MEDIATOR]
        assert StoreAuditLog(store).verify().checked == 3
