# SPDX-License-Identifier: EUPL-1.2
"""`vum conformance source`: passes against the hosted source over real HTTP, fails clearly against broken ones."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from tests.api.http import free_port, live_server, wait_ready
from tests.conformance.broken import ASKER, SOURCE, VIA, broken_source, healthy_app
from tests.conftest import ROOT, SHARED
from vum.conformance.cli import app
from vum.standard import Kind
from vum.synthetic import generate

PARTIES = ["--party", SOURCE, "--from-party", ASKER, "--via-party", VIA]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def hosted_source(
    tmp_path_factory: pytest.TempPathFactory, testdata_profiles: list[dict[str, Any]]
) -> Iterator[tuple[str, Path, Path]]:
    """`vum serve source` as its own process, holding the 1,000 published profiles and 300 vacancies."""
    from vum.sources.hosted import HostedSources
    from vum.store import Store

    folder = tmp_path_factory.mktemp("hosted")
    vacancies = list(generate(Kind.VACATURE, 300, seed=5))
    vacancy_file = folder / "vacatures.json"
    vacancy_file.write_text(json.dumps(vacancies), encoding="utf-8")
    store = Store(folder / "vum.db")
    hosted = HostedSources(store)
    hosted.import_records(SOURCE, Kind.WERKZOEKENDE, testdata_profiles)
    hosted.import_records(SOURCE, Kind.VACATURE, vacancies)
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
    env = {"VUM_DB": str(folder / "vum.db"), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, timeout_s=60)
        yield url, SHARED / "testdata-werkzoekenden-1000.json", vacancy_file
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout:
            process.stdout.close()


def test_the_hosted_source_is_conformant_and_complete(
    hosted_source: tuple[str, Path, Path],
) -> None:
    url, profiles, vacancies = hosted_source
    code, output = run(
        "source", url, *PARTIES, "--with-data", str(profiles), "--with-data", str(vacancies),
        "--contracts", str(SHARED), "--json",
    )  # fmt: skip
    report = json.loads(output)
    failed = [(c["kind"], c["name"], c["failures"][:1]) for c in report["checks"] if c["failed"]]
    assert code == 0 and report["conform"], failed
    assert failed == []
    checks = {(c["kind"], c["name"]): c for c in report["checks"]}
    for kind in ("werkzoekende", "vacature"):
        for name in ("matches.semantics", "matches.flag", "data.completeness", "data.flag",
                     "detail.schema", "headers.parties", "query.malformed"):  # fmt: skip
            assert checks[(kind, name)]["status"] == "pass", (kind, name)
        # The nationwide queries find more than 100: the flag is set, and that was checked.
        assert checks[(kind, "data.flag")]["tested"] >= 10
    assert report["requests"] > 100


@pytest.fixture(scope="module")
def inner() -> FastAPI:
    """A healthy source (the project's app in process) that the broken ones wrap."""
    return healthy_app(list(generate(Kind.WERKZOEKENDE, 300, seed=11)))


def test_the_proxy_itself_is_conformant(inner: FastAPI) -> None:
    with live_server(broken_source(inner, "none")) as url:
        code, output = run("source", url, *PARTIES, "--kind", "werkzoekende", "--variants", "1")
    assert code == 0, output


@pytest.mark.parametrize(
    ("defect", "check", "extra"),
    [
        ("semantics", "matches.semantics", []),
        ("flag", "matches.flag", []),
        ("slow", "latency.budget", ["--budget", "0.5"]),
        ("invalid", "matches.schema", []),
        ("unknown-members", "query.unknown-members", []),
        ("headers", "headers.parties", []),
    ],
)
def test_a_broken_source_fails_with_the_check_that_names_its_defect(
    inner: FastAPI, defect: str, check: str, extra: list[str]
) -> None:
    with live_server(broken_source(inner, defect)) as url:
        code, output = run(
            "source", url, *PARTIES, "--kind", "werkzoekende", "--variants", "1", *extra
        )
    assert code == 1, output
    assert re.search(rf"^\s+FOUT\s+verplicht\s+{re.escape(check)}\s", output, re.M), output
    assert "NIET CONFORM" in output.splitlines()[-1]
    # The failure shows the request that revealed it and the answer it got.
    failure = output[output.index(check) :]
    assert "✗" in failure and "→" in failure


def test_with_data_finds_the_missing_flag(inner: FastAPI, tmp_path: Path) -> None:
    records = tmp_path / "profielen.json"
    records.write_text(json.dumps(list(generate(Kind.WERKZOEKENDE, 300, seed=11))))
    with live_server(broken_source(inner, "flag")) as url:
        code, output = run(
            "source", url, *PARTIES, "--kind", "werkzoekende", "--variants", "1",
            "--with-data", str(records), "--json",
        )  # fmt: skip
    report = json.loads(output)
    failed = {c["name"] for c in report["checks"] if c["status"] == "fail"}
    assert code == 1 and not report["conform"]
    assert {"data.flag", "matches.flag"} <= failed
    assert "data.completeness" not in failed


def test_an_unreachable_source_fails_on_connection() -> None:
    code, output = run("source", f"http://127.0.0.1:{free_port()}", *PARTIES, "--json")
    report = json.loads(output)
    assert code == 1
    assert [c["name"] for c in report["checks"] if c["status"] == "fail"] == ["connection"]
