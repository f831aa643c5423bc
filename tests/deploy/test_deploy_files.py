# SPDX-License-Identifier: EUPL-1.2
"""The deployment files agree with the code: real `vum` commands and options, ports, proxy, secrets."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from typer.testing import CliRunner

from tests.conftest import ROOT
from tests.deploy import nginx
from tests.facility.certs import make_pki
from tests.facility.servers import free_port

DEPLOY = ROOT / "deploy"
COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
PROMETHEUS: dict[str, Any] = yaml.safe_load((DEPLOY / "prometheus.yml").read_text(encoding="utf-8"))
#: services that run the project's image: their command is the arguments of `vum`
VUM_SERVICES = sorted(
    name
    for name, service in SERVICES.items()
    if (service.get("build") or {}).get("dockerfile") == "deploy/Containerfile"
)
SERVERS = [name for name in VUM_SERVICES if SERVICES[name]["command"][0] == "serve"]
FACILITIES = ["facility-1", "facility-2"]


def _app() -> typer.Typer:
    """The `vum` command with every group mounted, as `vum --help` shows it."""
    from vum.cli import mount

    return mount()


def _cli() -> Any:
    return typer.main.get_command(_app())


def _parse(args: list[str]) -> tuple[list[str], dict[str, Any]]:
    """The command path of ``vum args`` and its parsed options; fails on an unknown one."""
    command = _cli()
    path: list[str] = []
    rest = list(args)
    while hasattr(command, "get_command"):
        name = rest.pop(0)
        sub = command.get_command(typer.Context(command), name)
        assert sub is not None, f"`vum {' '.join([*path, name])}` is not a command"
        path.append(name)
        command = sub
    try:
        context = command.make_context("vum " + " ".join(path), rest)
    except Exception as exc:  # click's (vendored by typer) usage errors
        pytest.fail(f"`vum {' '.join(args)}`: {exc}")
    return path, dict(context.params)


def _option(service: str, name: str) -> Any:
    return _parse(SERVICES[service]["command"])[1][name]


def _facility_config() -> Any:
    from vum.facility.serve import load_config

    return load_config(DEPLOY / "facility.toml")


def test_the_deployment_has_its_services() -> None:
    assert set(SERVICES) == {
        "postgres", "migrate", "facility-1", "facility-2", "source", "portal", "proxy",
        "prometheus",
    }  # fmt: skip
    assert set(VUM_SERVICES) == set(SERVICES) - {"postgres", "proxy", "prometheus"}
    assert SERVICES["postgres"]["image"] == "postgres:15"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in SERVICES["postgres"]["volumes"])
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])


@pytest.mark.parametrize("service", VUM_SERVICES)
def test_every_command_is_a_real_vum_command_with_real_options(service: str) -> None:
    args = SERVICES[service]["command"]
    path, params = _parse(args)
    help_text = CliRunner().invoke(_app(), [*path, "--help"])
    assert help_text.exit_code == 0, help_text.output
    if "db" in params:  # the store's URL names no password: that comes from a secret
        from vum.config import mask_url

        assert params["db"] == "postgresql+psycopg://vum@postgres:5432/vum"
        assert mask_url(params["db"]) == params["db"]


def test_the_image_runs_vum_as_an_unprivileged_user() -> None:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(stages) == 2 and "ARG PYTHON_IMAGE=python:3.11-slim" in text
    assert 'ENTRYPOINT ["vum"]' in text
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert "/health" in text.partition("HEALTHCHECK")[2]
    ignored = (DEPLOY / "Containerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") :].count("!src") == 1  # nothing else of the tree goes in


def test_migrations_run_once_before_every_server() -> None:
    assert _parse(SERVICES["migrate"]["command"])[0] == ["db", "upgrade"]
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SERVERS:
        depends = SERVICES[name]["depends_on"]
        first = "migrate" if "migrate" in depends else "facility-1"
        wanted = "service_completed_successfully" if first == "migrate" else "service_healthy"
        assert depends[first]["condition"] == wanted, name


def test_two_facility_instances_trust_only_the_proxy() -> None:
    one, two = (SERVICES[name] for name in FACILITIES)
    assert one["command"] == two["command"]
    assert one["secrets"] == two["secrets"] and "vumid_keys" in one["secrets"]
    proxy_address = SERVICES["proxy"]["networks"]["mtls"]["ipv4_address"]
    subnet = ipaddress.ip_network(COMPOSE["networks"]["mtls"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_address) in subnet
    for name in FACILITIES:
        params = _parse(SERVICES[name]["command"])[1]
        assert params["trusted_proxy"] == [proxy_address]
        assert not params.get("dev_header_trust")
        assert set(SERVICES[name]["networks"]) == {"mtls", "backend"}
    # Only the proxy and the instances are on its network; the database is on no way out.
    on_mtls = {n for n, s in SERVICES.items() if "mtls" in (s.get("networks") or [])}
    assert on_mtls == {"proxy", *FACILITIES}
    assert COMPOSE["networks"]["backend"]["internal"] is True


def test_the_proxy_runs_the_tested_config_in_front_of_both_instances() -> None:
    containerfile = (DEPLOY / "nginx" / "Containerfile").read_text(encoding="utf-8")
    assert "COPY vum-facility-mtls.conf /etc/nginx/nginx.conf" in containerfile
    assert SERVICES["proxy"]["build"]["context"] == "./nginx"
    assert "./tls/proxy:/etc/nginx/tls:ro" in SERVICES["proxy"]["volumes"]
    conf = nginx.CONF.read_text(encoding="utf-8")
    for name, upstream in zip(FACILITIES, nginx.UPSTREAMS, strict=True):
        assert upstream == f"server {name}:{_option(name, 'port')} "
        assert upstream in conf
    assert SERVICES["proxy"]["ports"] == ["${VUM_HTTPS_PORT:-443}:443"]


@pytest.mark.skipif(not nginx.NGINX.exists(), reason=nginx.MISSING)
def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "pkio")
    conf = nginx.render(
        tmp_path / "nginx",
        port=free_port(),
        health_port=free_port(),
        upstreams=["127.0.0.1:9", "127.0.0.1:10"],
    )
    tls = tmp_path / "nginx" / "tls"
    cert, key = pki.server()
    shutil.copy(cert, tls / "server.pem")
    shutil.copy(key, tls / "server.key")
    shutil.copy(pki.ca_file, tls / "pkioverheid-private-services.pem")
    (tls / "pkioverheid-private-services.crl").write_bytes(nginx.crl(pki, cert))
    result = nginx.check(tmp_path / "nginx", conf)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_prometheus_scrapes_every_server_on_its_port() -> None:
    targets: dict[str, str] = {}
    for job in PROMETHEUS["scrape_configs"]:
        for group in job["static_configs"]:
            for target in group["targets"]:
                host, _, port = target.partition(":")
                targets[host] = port
                if host != "localhost":
                    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert set(targets) - {"localhost"} == set(SERVERS)
    for name in SERVERS:
        port = str(_option(name, "port"))
        assert targets[name] == port, name
        # The image's health check asks the same port.
        assert SERVICES[name]["environment"]["VUM_HEALTH_PORT"] == port
    assert SERVICES["prometheus"]["configs"][0]["target"] == "/etc/prometheus/prometheus.yml"
    # The facility and the hosted source serve /metrics (the portal is still being built).
    from vum.api.health import Readiness, make_health_router
    from vum.facility.metrics import FacilityMetrics, make_ops_router

    facility = make_ops_router(FacilityMetrics(breaker=lambda: None), lambda: (True, {}))
    source = make_health_router(Readiness(object()))  # type: ignore[arg-type]
    for router in (facility, source):
        assert "/metrics" in {getattr(route, "path", None) for route in router.routes}


def test_the_facility_config_matches_the_services() -> None:
    config = _facility_config()
    facility_oin = config.settings.facility_oin
    assert _option("source", "trusted_via") == [facility_oin]
    assert _option("portal", "facility_oin") == facility_oin
    # The portal reaches the facility through the proxy, under the name of its certificate.
    portal_host = urlsplit(_option("portal", "facility")).hostname
    assert portal_host in SERVICES["proxy"]["networks"]["edge"]["aliases"]
    assert urlsplit(_option("portal", "facility")).scheme == "https"
    # A mediator lets the portal act for it (X-VUM-viaParty).
    assert any(_option("portal", "oin") in party.processors for party in config.parties)
    for source in config.sources:
        url = urlsplit(source.base_url)
        if url.hostname in SERVICES:
            assert str(url.port) == str(_option(url.hostname, "port"))
    mount = SERVICES["facility-1"]["volumes"][0].split(":")[1]
    for path in (config.client_cert, config.client_key, config.source_ca):
        assert path is None or path.startswith(mount + "/")
    assert SERVICES["facility-1"]["configs"][0]["target"] == str(_option("facility-1", "config"))


def _environment() -> dict[str, dict[str, str]]:
    return {name: dict(service.get("environment") or {}) for name, service in SERVICES.items()}


def test_secrets_come_from_files_that_are_never_committed() -> None:
    from vum.config import secret_fields

    secret_envs = {env for _, _, env in secret_fields()}
    for service, environment in _environment().items():
        for name, value in environment.items():
            if re.search(r"PASSWORD|SECRET|TOKEN|VUMID_KEYS", name):
                assert name.endswith("_FILE") and value.startswith("/run/secrets/"), (
                    f"{service}: {name} must name a Compose secret file"
                )
                known = secret_envs | {"POSTGRES_PASSWORD"}  # the postgres image's own
                assert name.removesuffix("_FILE") in known, f"{service}: {name} is read by nothing"
                secret = value.removeprefix("/run/secrets/")
                assert secret in SERVICES[service]["secrets"], f"{service}: {secret} not given"
    for name, secret in COMPOSE["secrets"].items():
        assert secret["file"] == f"./secrets/{name}"
    templates = [DEPLOY / ".env.example", DEPLOY / "portal.env.example"]
    for template in templates:
        for line in template.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and not line.startswith("#") and re.search(r"SECRET|PASSWORD|KEY", name):
                assert value == "", f"{template.name}: {name} has a value"
    assert SERVICES["portal"]["env_file"] == ["portal.env"]
    # No key material or credentials in any file of deploy/.
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "PRIVATE KEY" not in text, path
            assert not re.search(r"\bk\d+:[A-Za-z0-9+/_-]{40,}", text), path
            assert not re.search(r"://[^/\s:@]+:[^/\s@]+@", text), path


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_files_with_secrets_are_ignored_by_git() -> None:
    for path in ("deploy/.env", "deploy/portal.env", "deploy/secrets/x", "deploy/tls/proxy/x"):
        result = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False
        )
        assert result.returncode == 0, f"{path} is not in .gitignore"
    for path in ("deploy/.env.example", "deploy/portal.env.example", "deploy/compose.yaml"):
        result = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False
        )
        assert result.returncode == 1, f"{path} would not be committed"


def test_the_portal_settings_named_in_compose_exist() -> None:
    """Every VUM_* name of the portal's environment is a setting of vum.config (or a secret's file)."""
    from vum.config import ENV_DELIMITER, ENV_PREFIX, Settings, flat_env_names, secret_fields

    known = {"VUM_HEALTH_PORT"}  # the image's health check, not the portal's
    for section, info in Settings.model_fields.items():
        model = info.annotation
        for name in getattr(model, "model_fields", {}):
            known.add(f"{ENV_PREFIX}{section.upper()}{ENV_DELIMITER}{name.upper()}")
    known |= set(flat_env_names().values())
    known |= {f"{env}_FILE" for _, _, env in secret_fields()}
    names = set(_environment()["portal"]) | set(
        re.findall(r"^(VUM_\w+)=", (DEPLOY / "portal.env.example").read_text(), re.M)
    )
    assert {"VUM_SESSION_SECRET", "VUM_PORTAL__CLIENT_CERT"} <= names
    for name in sorted(n for n in names if n.startswith("VUM_")):
        assert name in known, f"no setting reads {name} (docs/configuration.md)"


def test_facility_config_is_toml_without_secrets() -> None:
    data = tomllib.loads((DEPLOY / "facility.toml").read_text(encoding="utf-8"))
    assert not {"vumid_keys", "admin_token_sha256"} & set(data["facility"])
