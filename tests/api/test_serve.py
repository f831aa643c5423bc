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
from vum.api.settings import DEFAULT_MAX_IMPORT_BYTES
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
