# SPDX-License-Identifier: EUPL-1.2
"""The settings model: defaults of the agreement framework, file then environment, secrets, errors."""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vum.config import (
    MASK,
    ConfigError,
    Settings,
    load_settings,
    mask_url,
    secret_fields,
    with_password,
)

KEY = base64.b64encode(bytes(range(32))).decode()
KEYS = f"k1:{KEY}"
DIGEST = "ab" * 32
SESSION_SECRET = "s" * 40


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No VUM_* variable of the developer's shell leaks into these tests."""
    for name in list(os.environ):
        if name.startswith("VUM_"):
            monkeypatch.delenv(name)
    yield


def write(tmp_path: Path, text: str, name: str = "vum.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_agreement_frameworks() -> None:
    settings = load_settings()
    fac = settings.facility
    assert (fac.source_timeout_s, fac.deadline_s) == (4.0, 10.0)
    assert (fac.max_per_source, fac.max_details, fac.retention_days) == (100, 10, 7.0)
    assert settings.source.max_results == 100
    assert (settings.portal.session_timeout_minutes, settings.portal.login_attempts) == (30, 5)
    assert settings.portal.login_window_minutes == 15
    assert settings.origins() == {} and settings.origin("facility.deadline_s") == "default"


def test_the_runtime_objects_default_to_the_same_values() -> None:
    """The dataclasses the services run with agree with the one declaration of the defaults."""
    from vum import serve
    from vum.api.matches import MAX_RESULTS
    from vum.api.settings import SourceSettings
    from vum.facility.breaker import CircuitBreaker
    from vum.facility.service import FacilitySettings

    settings = load_settings()
    fac, src = settings.facility, settings.source
    runtime = FacilitySettings()
    assert runtime.facility_oin == fac.oin
    assert (runtime.source_timeout_s, runtime.deadline_s) == (fac.source_timeout_s, fac.deadline_s)
    assert (runtime.max_per_source, runtime.max_details) == (fac.max_per_source, fac.max_details)
    assert runtime.retention == dt.timedelta(days=fac.retention_days)
    breaker = CircuitBreaker()
    assert (breaker.threshold, breaker.base_backoff_s, breaker.max_backoff_s) == (
        fac.breaker_failures,
        fac.breaker_backoff_s,
        fac.breaker_max_backoff_s,
    )
    hosted = SourceSettings()
    assert src.max_results == hosted.max_results == MAX_RESULTS
    assert src.max_query_bytes == hosted.max_query_bytes
    assert src.max_import_mb * 1024 * 1024 == hosted.max_import_bytes
    assert src.max_import_mb == serve._DEFAULT_IMPORT_MB
    assert src.search_timeout_s == hosted.search_timeout_s
    assert (src.explain, src.warm_up) == (hosted.explain, hosted.warm_up)


def test_environment_wins_over_the_file_and_options_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[facility]\noin = "00000001000000000099"\ndeadline_s = 2.5\nport = 9\n')
    monkeypatch.setenv("VUM_FACILITY__DEADLINE_S", "8")
    monkeypatch.setenv("VUM_FACILITY__PORT", "9090")
    settings = load_settings(path, {"facility.port": 8443, "facility.host": None})
    assert settings.facility.oin == "00000001000000000099"
    assert settings.facility.deadline_s == 8.0
    assert settings.facility.port == 8443
    assert settings.origin("facility.oin") == str(path)
    assert settings.origin("facility.deadline_s") == "$VUM_FACILITY__DEADLINE_S"
    assert settings.origin("facility.port") == "command line"
    assert settings.origin("facility.host") == "default"
    assert settings.config_file == path


def test_the_file_comes_from_vum_config_without_an_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "[facility]\nmax_details = 4\n")
    monkeypatch.setenv("VUM_CONFIG", str(path))
    assert load_settings().facility.max_details == 4
    assert Settings().facility.max_details == 4  # the model alone reads the same sources


def test_yaml_and_the_lists_of_sources_and_parties(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facility: {oin: '00000001000000000099', retention_days: 3}\n"
        "sources:\n  - {oin: '1', url: 'http://127.0.0.1:9/api/v3', kinds: [vacature]}\n"
        "parties:\n  - {oin: '2', roles: [bemiddelaar], agreement_signed: 2025-01-01}\n",
        "vum.yaml",
    )
    settings = load_settings(path)
    assert settings.facility.retention_days == 3
    assert settings.sources[0].kinds == ["vacature"] and settings.sources[0].timeout is None
    assert settings.parties[0].agreement_signed == dt.date(2025, 1, 1)


def test_vum_db_names_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VUM_DB", "/srv/vum/vum.db")
    settings = load_settings()
    assert settings.store_url() == "/srv/vum/vum.db"
    assert settings.origin("store.url") == "$VUM_DB"
    assert load_settings(overrides={"store.url": "other.db"}).store_url() == "other.db"


@pytest.mark.parametrize(("section", "name", "env"), list(secret_fields()))
def test_a_secret_in_the_file_is_refused_naming_it(
    tmp_path: Path, section: str, name: str, env: str
) -> None:
    path = write(tmp_path, f'[{section}]\n{name} = "something-secret"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert f"{section}.{name}" in message and env in message and str(path) in message
    assert "hoort niet in het configuratiebestand" in message and "refused" in message
    assert "something-secret" not in message


def test_a_password_in_the_files_store_url_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nurl = "postgresql+psycopg://vum:hunter2@db/vum"\n')
    with pytest.raises(ConfigError, match=r"store\.url") as info:
        load_settings(path)
    assert "hunter2" not in str(info.value)


def test_secrets_from_the_environment_or_from_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "vumid_keys"
    secret_file.write_text(KEYS + "\n")  # Docker secrets often end in a newline
    monkeypatch.setenv("VUM_VUMID_KEYS_FILE", str(secret_file))
    monkeypatch.setenv("VUM_ADMIN_TOKEN_SHA256", DIGEST.upper())
    monkeypatch.setenv("VUM_SESSION_SECRET", SESSION_SECRET)
    settings = load_settings()
    keys = settings.facility.vumid_keys
    assert keys is not None and keys.get_secret_value() == KEYS
    assert settings.origin("facility.vumid_keys") == f"$VUM_VUMID_KEYS_FILE ({secret_file})"
    token = settings.facility.admin_token_sha256
    assert token is not None and token.get_secret_value() == DIGEST
    # Never in repr, str or the masked dump.
    for shown in (repr(settings), str(settings), repr(settings.masked())):
        assert KEY not in shown and DIGEST not in shown.lower() and SESSION_SECRET not in shown
    assert settings.masked()["facility"]["vumid_keys"] == MASK


def test_both_a_secret_and_its_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "k").write_text(KEYS)
    monkeypatch.setenv("VUM_VUMID_KEYS", KEYS)
    monkeypatch.setenv("VUM_VUMID_KEYS_FILE", str(tmp_path / "k"))
    with pytest.raises(ConfigError, match="VUM_VUMID_KEYS_FILE"):
        load_settings()


def test_an_unreadable_secret_file_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VUM_DB_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"VUM_DB_PASSWORD_FILE.*missing"):
        load_settings()


def test_a_bad_value_names_the_setting_and_where_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[facility]\ndeadline_s = "soon"\n[[sources]]\noin = "1"\n')
    monkeypatch.setenv("VUM_FACILITY__MAX_DETAILS", "ten")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "facility.deadline_s: Input should be a valid number" in message
    assert f"(uit/from {path})" in message
    assert "facility.max_details" in message and "$VUM_FACILITY__MAX_DETAILS" in message
    assert "sources[0].url: Field required" in message


def test_an_unknown_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"facility.deadline: Extra inputs.*vum.toml"):
        load_settings(write(tmp_path, "[facility]\ndeadline = 8\n"))
    monkeypatch.setenv("VUM_PORTAL__SESION_TIMEOUT_MINUTES", "5")
    with pytest.raises(ConfigError, match=r"\$VUM_PORTAL__SESION_TIMEOUT_MINUTES"):
        load_settings()


def test_a_bad_key_is_named_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    short = base64.b64encode(b"sixteen-bytes!!!").decode()
    monkeypatch.setenv("VUM_VUMID_KEYS", f"k2:{KEY},k1:{short}")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "facility.vumid_keys" in message and "'k1'" in message and "$VUM_VUMID_KEYS" in message
    assert KEY not in message and short not in message


def test_a_file_that_is_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[facility\n")
    with pytest.raises(ConfigError, match="geen geldige TOML"):
        load_settings(path)
    with pytest.raises(ConfigError, match="niet te lezen"):
        load_settings(tmp_path / "absent.toml")


def test_the_database_password_goes_into_a_postgresql_url_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VUM_DB", "postgresql+psycopg://vum@db.example/vum")
    monkeypatch.setenv("VUM_DB_PASSWORD", "p@ss:w/rd")
    settings = load_settings()
    url = settings.store_url()
    assert url is not None
    import sqlalchemy as sa

    assert sa.make_url(url).password == "p@ss:w/rd"
    assert "p@ss" not in repr(settings.masked()) and MASK in settings.masked()["store"]["url"]
    assert with_password("postgresql://vum:own@db/vum", "other") == "postgresql://vum:own@db/vum"
    assert with_password("/srv/vum.db", "other") == "/srv/vum.db"
    assert mask_url("postgresql://vum:own@db/vum") == f"postgresql://vum:{MASK}@db/vum"


def test_existing_facility_configs_load_unchanged(tmp_path: Path) -> None:
    """The demo's config and the documented example keep working."""
    from tests.facility.test_api_serve import TOML
    from vum.demo import _facility_config
    from vum.facility.serve import load_config

    demo = tmp_path / "demo.toml"
    _facility_config(demo)
    config = load_config(demo)
    assert len(config.sources) == 4 and len(config.parties) == 4
    documented = load_config(write(tmp_path, TOML))
    assert documented.identity["mode"] == "proxy"
    docs = (Path(__file__).resolve().parent.parent / "docs" / "mtls.md").read_text()
    examples = [part.split("```", 1)[0] for part in docs.split("```toml\n")[1:]]
    for n, example in enumerate(examples):
        load_config(write(tmp_path, example, f"mtls-{n}.toml"))
    mtls = load_config(write(tmp_path, examples[-1], "mtls.toml"))
    assert mtls.client_cert == "/etc/vum/facility-client.pem"
    assert mtls.audit_log == "/var/log/vum/facility-audit.jsonl"
