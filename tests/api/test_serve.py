# SPDX-License-Identifier: EUPL-1.2
"""`vum serve source`: the command's options, and the hosted source run as its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.api.http import SOURCE, free_port, vum_headers, wait_ready
from tests.conftest import ROOT
from vum import serve
from vum.api.settings import DEFAULT_MAX_IMPORT_BYTES, SourceSettings
from vum.standard import Kind
from vum.synthetic import generate


def test_source_command_and_its_options() -> None:
    result = CliRunner().invoke(serve.app, ["source", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--db", "--host", "--port", "--max-import-mb", "--trusted-via", "--timeout"):
        assert option in result.output
    assert "8081" in result.output and "127.0.0.1" in result.output


def test_default_import_limit_is_the_apps() -> None:
    assert serve._DEFAULT_IMPORT_MB * 1024 * 1024 == DEFAULT_MAX_IMPORT_BYTES


def test_default_db_follows_vum_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VUM_DB", raising=False)
    assert serve.default_db() == "vum.db"
    monkeypatch.setenv("VUM_DB", "/srv/vum/bron.db")
    assert serve.default_db() == "/srv/vum/bron.db"


def test_serve_source_runs_the_hosted_source(tmp_path: Path) -> None:
    from vum.sources.hosted import HostedSources
    from vum.store import Store

    db = tmp_path / "vum.db"
    store = Store(db)
    HostedSources(store).import_records(
        SOURCE, Kind.VACATURE, list(generate(Kind.VACATURE, 120, seed=3))
    )
    store.close()
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "vum.serve",
        "source",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={"VUM_DB": str(db), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, timeout_s=30)
        body = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
        response = httpx.post(url + "/api/v3/vacatures/matches", json=body, headers=vum_headers())
        assert response.status_code == 200, response.text
        assert len(response.json()["matches"]) == 100
        assert response.json()["maximumAantalResultatenBereikt"] is True
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout:
            process.stdout.close()


def test_serve_source_takes_its_settings_from_file_environment_and_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import vum.api.app

    seen: dict[str, object] = {}
    monkeypatch.setattr(
        vum.api.app,
        "create_source_app",
        lambda backend, settings: seen.update(settings=settings) or object(),
    )
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    config = tmp_path / "vum.toml"
    config.write_text(
        '[source]\nmax_results = 5\ntrusted_via = ["00000001800866472000"]\nport = 9001\n'
    )
    env = {"VUM_SOURCE__SEARCH_TIMEOUT_S": "0", "VUM_SOURCE__PORT": "9002", "VUM_DB": ""}
    result = CliRunner().invoke(
        serve.app,
        ["source", "--config", str(config), "--db", str(tmp_path / "v.db"), "--port", "9003"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    assert isinstance(settings, SourceSettings)
    assert settings.max_results == 5 and settings.search_timeout_s is None
    assert settings.trusted_via_parties == frozenset({"00000001800866472000"})
    assert (seen["host"], seen["port"], seen["log_level"]) == ("127.0.0.1", 9003, "info")
    bad = CliRunner().invoke(serve.app, ["source"], env={"VUM_SOURCE__MAX_RESULTS": "many"})
    assert bad.exit_code == 2 and "source.max_results" in bad.output
