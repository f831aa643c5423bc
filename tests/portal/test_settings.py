# SPDX-License-Identifier: EUPL-1.2
"""The portal's settings come from vum.config: defaults, file, `VUM_PORTAL__*`, secrets, options."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vum.config import ConfigError, load_settings
from vum.portal.settings import PortalSettings
from vum.store.database import database_url

SECRET = "s" * 40
OIN = "00000009000000000001"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No VUM_* variable of the developer's shell leaks into these tests."""
    for name in list(os.environ):
        if name.startswith("VUM_"):
            monkeypatch.delenv(name)
    yield


def test_the_dataclass_defaults_are_the_config_models() -> None:
    built = PortalSettings.from_config(load_settings(), secret_key=SECRET)
    plain = PortalSettings(
        facility_url="http://127.0.0.1:8080/api/v3",
        facility_oin="00000001000000000000",
        portal_oin="",
        secret_key=SECRET,
    )
    assert built == plain
    assert (plain.session_idle, plain.session_absolute) == (
        dt.timedelta(minutes=30),
        dt.timedelta(hours=10),
    )
    assert (plain.login_limit_account, plain.login_limit_address) == (5, 20)
    assert plain.retention == dt.timedelta(days=7) and plain.max_details == 10


def test_file_environment_and_secrets_reach_the_portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "vum.toml"
    config.write_text(
        f'[portal]\noin = "{OIN}"\nlogin_attempts = 3\nsession_timeout_minutes = 20\n'
        'oidc_issuer = "https://broker.example/"\noidc_client_id = "portaal"\n'
        'source_db = "postgresql+psycopg://vum@db/bron"\n'
    )
    (tmp_path / "oidc").write_text("client-secret\n")
    monkeypatch.setenv("VUM_SESSION_SECRET", SECRET)
    monkeypatch.setenv("VUM_OIDC_CLIENT_SECRET_FILE", str(tmp_path / "oidc"))
    monkeypatch.setenv("VUM_DB_PASSWORD", "hunter2")
    monkeypatch.setenv("VUM_PORTAL__TRUSTED_PROXIES", '["10.0.0.7"]')
    monkeypatch.setenv("VUM_PORTAL__COOKIE_SECURE", "false")
    settings = load_settings(config)
    portal = PortalSettings.from_config(settings, upload_max_mb=7, few_results=None)
    assert portal.portal_oin == OIN and portal.secret_key == SECRET
    assert portal.login_limit_account == 3 and portal.session_idle == dt.timedelta(minutes=20)
    assert portal.trusted_proxies == frozenset({"10.0.0.7"}) and not portal.cookie_secure
    assert portal.upload_max_mb == 7 and portal.few_results == 10  # None: not overridden
    assert portal.oidc is not None
    assert (portal.oidc.issuer, portal.oidc.client_id) == ("https://broker.example", "portaal")
    assert portal.oidc.client_secret == "client-secret"
    # The store puts $VUM_DB_PASSWORD into a PostgreSQL URL without one, as into store.url.
    assert portal.source_db == "postgresql+psycopg://vum@db/bron"
    assert ":hunter2@" in database_url(portal.source_db)
    # Never shown: not in the dataclass's repr, not in the masked settings.
    for shown in (repr(portal), repr(settings), repr(settings.masked())):
        assert SECRET not in shown and "client-secret" not in shown and "hunter2" not in shown
    assert settings.origin("portal.oidc_client_secret").startswith("$VUM_OIDC_CLIENT_SECRET_FILE")


def test_no_session_secret_is_an_error_unless_one_is_given() -> None:
    with pytest.raises(ConfigError, match="VUM_SESSION_SECRET"):
        PortalSettings.from_config(load_settings())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('oidc_issuer = "https://broker.example"', "oidc_client_id"),
        ('trusted_proxies = ["10.0.0.0/8"]', "portal.trusted_proxies"),
        ('facility_url = "vum.example/api/v3"', "portal.facility_url"),
        ('source_db = "postgresql+psycopg://vum:pw@db/bron"', "portal.source_db"),
        ('session_secret = "x"', "VUM_SESSION_SECRET"),
        ('oidc_client_secret = "x"', "VUM_OIDC_CLIENT_SECRET"),
    ],
)
def test_unusable_portal_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "vum.toml"
    config.write_text(f"[portal]\n{text}\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(config)
    assert ":pw@" not in str(info.value)


def _serve_portal(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[Any, dict[str, Any]]:
    """Run `vum serve portal args` up to the point where it would serve; what it would serve."""
    from vum.cli import mount
    from vum.portal import cli

    served: dict[str, Any] = {}

    def fake(settings: PortalSettings, db: str, host: str, port: int, workers: int, _: str) -> None:
        served.update(settings=settings, db=db, host=host, port=port, workers=workers)

    monkeypatch.setattr(cli, "_serve", fake)
    return CliRunner().invoke(mount("serve"), ["serve", "portal", *args]), served


def test_serve_portal_reads_the_settings_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "vum.toml"
    config.write_text(f'[portal]\noin = "{OIN}"\nport = 9000\nworkers = 3\n')
    monkeypatch.setenv("VUM_SESSION_SECRET", SECRET)
    monkeypatch.setenv("VUM_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("VUM_PORTAL__LOGIN_ATTEMPTS", "4")
    result, served = _serve_portal(monkeypatch, ["--config", str(config), "--port", "9001"])
    assert result.exit_code == 0, result.output
    assert (served["port"], served["workers"], served["db"]) == (9001, 3, str(tmp_path / "env.db"))
    assert served["settings"].login_limit_account == 4
    assert served["settings"].secret_key == SECRET
    result, served = _serve_portal(monkeypatch, ["--config", str(config), "--db", "other.db"])
    assert served["db"] == "other.db"


def test_serve_portal_without_a_secret_warns_and_uses_an_ephemeral_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result, served = _serve_portal(monkeypatch, ["--oin", OIN, "--insecure-cookies"])
    assert result.exit_code == 0, result.output
    assert "VUM_SESSION_SECRET niet gezet" in result.output
    assert len(served["settings"].secret_key) >= 32 and not served["settings"].cookie_secure
    assert served["workers"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2", "--oin", OIN], "VUM_SESSION_SECRET"),
        ([], "--oin"),
        (["--oin", OIN, "--insecure-cookies", "--host", "0.0.0.0"], "loopback"),
        (["--oin", OIN, "--port", "0"], "portal.port"),
    ],
)
def test_serve_portal_refuses(
    monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    result, served = _serve_portal(monkeypatch, args)
    assert result.exit_code == 2 and message in result.output and not served


def test_a_secret_in_the_config_file_stops_serve_portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "vum.toml"
    config.write_text(f'[portal]\noin = "{OIN}"\nsession_secret = "{SECRET}"\n')
    result, served = _serve_portal(monkeypatch, ["--config", str(config)])
    assert result.exit_code == 2 and not served
    assert "portal.session_secret" in result.output and SECRET not in result.output


def test_the_settings_are_documented() -> None:
    """Every field of the dataclass comes from a documented setting (or is built from several)."""
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = {f.name for f in dataclasses.fields(PortalSettings)}
    assert {"secret_key", "oidc", "portal_oin"} <= names
    for env in ("VUM_SESSION_SECRET", "VUM_OIDC_CLIENT_SECRET", "VUM_PORTAL__WORKERS"):
        assert f"`{env}`" in text
