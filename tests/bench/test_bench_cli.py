# SPDX-License-Identifier: EUPL-1.2
"""`vum bench source` end to end through Typer's CliRunner: every section, every form, and --json."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from vum.bench.cli import app
from vum.bench.mix import form_names
from vum.bench.pg import missing_binaries
from vum.standard.kinds import Kind

runner = CliRunner()


@pytest.mark.slow
def test_source_runs_end_to_end_and_prints_every_form() -> None:
    result = runner.invoke(app, ["source", "--records", "2000", "--queries-per-form", "3"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("Data and load", "In process", "Over HTTP on loopback", "Summary (p95, ms)"):
        assert heading in out
    assert "engine build (in-process)" in out
    assert "hosted import (SQLite)" in out
    summary = out.split("Summary (p95, ms)", 1)[1]
    for name in form_names(Kind.WERKZOEKENDE):
        assert f"\n{name} " in summary, name
    assert "FAILED" not in out
    if missing_binaries() is None:
        assert "Peer: PostgreSQL" in out and "peer load" in out
    else:
        assert "skipped peer" in out


@pytest.mark.slow
def test_json_has_every_form_of_vacancies_with_http_and_no_errors() -> None:
    result = runner.invoke(
        app,
        [
            "source",
            "--records",
            "1000",
            "--queries-per-form",
            "2",
            "--kind",
            "vacature",
            "--json",
            "--no-peer",
            "--no-import",
            "--warmup",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["config"]["kind"] == "vacature"
    assert [f["form"] for f in report["forms"]] == form_names(Kind.VACATURE)
    for form in report["forms"]:
        assert form["queries"] == 2
        assert form["engine"]["calls"] == 2 and form["engine"]["p95_ms"] > 0
        assert form["http"]["errors"] == 0 and form["http"]["mismatches"] == 0
        assert form["peer"] is None
    assert report["skipped"] == {"hosted import": "--no-import", "peer": "--no-peer"}
    assert report["failures"] == []
    assert {p["name"] for p in report["phases"]} == {
        "generate records",
        "engine build (in-process)",
    }


def test_help_names_the_source_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "source" in result.stdout
