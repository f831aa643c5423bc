# SPDX-License-Identifier: EUPL-1.2
"""`vum serve facility` on the settings model, over real HTTP: secrets never logged, vumID key rotation."""

from __future__ import annotations

import base64
import hashlib
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.api.http import stop
from tests.conftest import ROOT
from tests.facility.servers import free_port, serve, source_app
from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, vum_headers
from vum.config import MASK
from vum.facility.serve import app as serve_app
from vum.facility.vumid import new_key
from vum.standard import Kind
from vum.synthetic import generate

FACILITY = "00000001000000000099"
SOURCE = "00000001000000000001"
HEADERS = {**vum_headers(), "X-VUM-toParty": FACILITY}


def config_file(tmp_path: Path, source_url: str) -> Path:
    path = tmp_path / "facility.toml"
    path.write_text(
        f"""
[facility]
oin = "{FACILITY}"

[[parties]]
oin = "{MEDIATOR}"
roles = ["bemiddelaar"]
agreement_signed = 2025-01-01

[[parties]]
oin = "{SOURCE}"
agreement_signed = 2025-01-01

[[sources]]
oin = "{SOURCE}"
url = "{source_url}"
kinds = ["werkzoekende"]
"""
    )
    return path


@contextmanager
def facility(config: Path, log: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """``vum serve facility`` as its own process, its output in ``log``; yields its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "vum.cli", "serve", "facility", "--port", str(port),
        "--config", str(config), "--dev-header-trust", *args,
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"not ready: {log.read_text()}"
            time.sleep(0.1)
        yield url
    finally:
        stop(process)


def query(url: str) -> list[str]:
    body = {"vraagObject": QUERY}
    answer = httpx.post(f"{url}{PROFILES}/matches", json=body, headers=HEADERS, timeout=30)
    assert answer.status_code == 200, answer.text
    return [m["vumID"] for m in answer.json()["matches"]]


def detail(url: str, vum_id: str) -> httpx.Response:
    return httpx.get(f"{url}{PROFILES}/{vum_id}", headers=HEADERS, timeout=30)


def key_line(key_id: str, key: bytes) -> str:
    return f"{key_id}:{base64.b64encode(key).decode()}"


@pytest.fixture(scope="module")
def source_url() -> Iterator[str]:
    records = list(generate(Kind.WERKZOEKENDE, 60, seed=5))
    with serve(source_app(Kind.WERKZOEKENDE, records)) as url:
        yield url


def test_secrets_never_reach_the_log_at_debug(tmp_path: Path, source_url: str) -> None:
    key, token, password, session = new_key(), "operator-token", "db-pass-42", "p" * 40
    digest = hashlib.sha256(token.encode()).hexdigest()
    (tmp_path / "keys").write_text(key_line("k1", key) + "\n")
    (tmp_path / "dbpass").write_text(password)
    env = {
        "VUM_VUMID_KEYS_FILE": str(tmp_path / "keys"),
        "VUM_ADMIN_TOKEN_SHA256": digest,
        "VUM_DB_PASSWORD_FILE": str(tmp_path / "dbpass"),
        "VUM_SESSION_SECRET": session,
        "VUM_DB": str(tmp_path / "vum.db"),
        # A limit from the environment reaches the running facility.
        "VUM_FACILITY__MAX_DETAILS": "2",
    }
    log = tmp_path / "facility.log"
    config = config_file(tmp_path, source_url)
    with facility(config, log, env, "--log-level", "debug") as url:
        vum_ids = query(url)
        assert [detail(url, v).status_code for v in vum_ids[:3]] == [200, 200, 429]
        admin = httpx.get(
            f"{url}/admin/v1/parties",
            headers={"Authorization": f"Bearer {token}", "X-OpenVUM-Gebruiker": "t"},
        )
        assert admin.status_code == 200
    text = log.read_text()
    assert "instellingen (settings)" in text and MASK in text  # the DEBUG dump ran, masked
    assert '\\"max_details\\": 2' in text or '"max_details": 2' in text
    for secret in (
        base64.b64encode(key).decode(),
        base64.urlsafe_b64encode(key).decode().rstrip("="),
        key.hex(),
        digest,
        token,
        password,
        session,
    ):
        assert secret not in text


def test_start_up_in_process_logs_settings_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The same start-up steps as the command, with every record captured at DEBUG."""
    from vum.config import load_settings
    from vum.facility.serve import _log_settings, codec_from_settings, facility_config

    key = new_key()
    monkeypatch.setenv("VUM_VUMID_KEYS", key_line("k1", key))
    monkeypatch.setenv("VUM_DB", "postgresql+psycopg://vum:in-the-url@db/vum")
    monkeypatch.setenv("VUM_DB_PASSWORD", "not-used-url-has-one")
    caplog.set_level(logging.DEBUG)
    settings = load_settings(config_file(tmp_path, "http://127.0.0.1:9/api/v3"))
    config = facility_config(settings)
    codec_from_settings(settings)
    _log_settings(settings)
    text = caplog.text + repr(settings) + repr(config)
    assert "instellingen (settings)" in caplog.text and MASK in caplog.text
    for secret in (base64.b64encode(key).decode(), "in-the-url", "not-used-url-has-one"):
        assert secret not in text


def test_a_bad_setting_or_a_secret_in_the_file_refuses_to_start(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        serve_app, ["facility", "--dev-header-trust"], env={"VUM_FACILITY__DEADLINE_S": "soon"}
    )
    assert result.exit_code == 2
    assert "facility.deadline_s" in result.output and "$VUM_FACILITY__DEADLINE_S" in result.output
    config = tmp_path / "facility.toml"
    config.write_text(f'[facility]\nvumid_keys = "{key_line("k1", new_key())}"\n')
    result = runner.invoke(
        serve_app, ["facility", "--dev-header-trust", "--config", str(config)], env={}
    )
    assert result.exit_code == 2
    assert "facility.vumid_keys" in result.output and "VUM_VUMID_KEYS_FILE" in result.output


def test_key_rotation_keeps_open_result_sets(tmp_path: Path, source_url: str) -> None:
    """Add the new key first, keep the old one through the retention period, then drop it."""
    k1, k2 = key_line("k1", new_key()), key_line("k2", new_key())
    config, log = config_file(tmp_path, source_url), tmp_path / "facility.log"
    # The command line wins over the environment: port 9 would not do.
    db = {"VUM_DB": str(tmp_path / "vum.db"), "VUM_FACILITY__PORT": "9"}
    with facility(config, log, {**db, "VUM_VUMID_KEYS": k1}) as url:
        old = query(url)
        assert len(old) >= 12 and all(v.startswith("k1.") for v in old)
        assert detail(url, old[0]).status_code == 200
    # Rotation: k2 is current, k1 still opens the vumIDs it issued.
    with facility(config, log, {**db, "VUM_VUMID_KEYS": f"{k2},{k1}"}) as url:
        # The old query's result set, and its detail counter, carried over: 9 more, then 429.
        assert [detail(url, v).status_code for v in old[1:10]] == [200] * 9
        refused = detail(url, old[10])
        assert refused.status_code == 429 and refused.json()["code"] == "429.01"
        new = query(url)
        assert new and all(v.startswith("k2.") for v in new)
        assert detail(url, new[0]).status_code == 200
    # After the retention period the old key goes: its vumIDs are refused as the contract says.
    with facility(config, log, {**db, "VUM_VUMID_KEYS": k2}) as url:
        gone = detail(url, old[11])
        assert gone.status_code == 400 and gone.json()["code"] == "400.01", gone.text
        assert detail(url, new[1]).status_code == 200
