# SPDX-License-Identifier: EUPL-1.2
"""The standard's commands: validate (exit codes 0/1/2), standard schema, generate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from vum.cli import app

runner = CliRunner()


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


GOOD = {"idWerkzoekende": "w1", "mobiliteit": {"bemiddelingspostcode": "1315AB"}}


def test_validate_valid_file_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(_write(tmp_path / "a.json", [GOOD])), "--kind", "werkzoekende"]
    )
    assert result.exit_code == 0, result.output
    assert "1 geldig" in result.output and "1 valid" in result.output


def test_validate_reports_every_error_with_record_and_pointer(tmp_path: Path) -> None:
    bad = [GOOD, {"idWerkzoekende": "w2", "mobiliteit": {"bemiddelingspostcode": "13"}, "x": 1}]
    result = runner.invoke(
        app, ["validate", str(_write(tmp_path / "b.json", bad)), "-k", "werkzoekende"]
    )
    assert result.exit_code == 1
    assert "record 1 (idWerkzoekende w2) /1/mobiliteit/bemiddelingspostcode" in result.output
    assert "record 1 (idWerkzoekende w2) /1/x" in result.output
    assert "1 ongeldig (2 fouten)" in result.output


def test_validate_json_output(tmp_path: Path) -> None:
    bad = [{"idVacature": "v1", "adres": {"postcode": "AB1234"}}]
    result = runner.invoke(
        app, ["validate", str(_write(tmp_path / "c.json", bad)), "-k", "vacature", "--json"]
    )
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["invalid"] == 1
    assert out["problems"][0]["pointer"] == "/0/adres/postcode"
    assert out["problems"][0]["message_nl"] and out["problems"][0]["message_en"]


def test_validate_unreadable_file_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"idWerkzoekende": "w1",\n  oops]', encoding="utf-8")
    result = runner.invoke(app, ["validate", str(broken), "-k", "werkzoekende"])
    assert result.exit_code == 2
    assert "broken.json:2:" in result.output
    missing = runner.invoke(app, ["validate", str(tmp_path / "none.json"), "-k", "werkzoekende"])
    assert missing.exit_code == 2
    not_array = runner.invoke(
        app, ["validate", str(_write(tmp_path / "o.json", GOOD)), "-k", "werkzoekende"]
    )
    assert not_array.exit_code == 2


def test_schema_command_prints_each_part() -> None:
    for kind in ("werkzoekende", "vacature"):
        for part in ("detail", "summary", "query"):
            result = runner.invoke(app, ["standard", "schema", "--kind", kind, "--part", part])
            assert result.exit_code == 0, result.output
            schema = json.loads(result.stdout)
            assert schema["$schema"].startswith("https://json-schema.org/")
            assert schema["properties"]


def test_generate_then_validate_as_real_processes(tmp_path: Path) -> None:
    out = tmp_path / "vac.json"
    gen = subprocess.run(
        [
            sys.executable,
            "-m",
            "vum.cli",
            "generate",
            "--kind",
            "vacature",
            "--count",
            "250",
            "--seed",
            "7",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gen.returncode == 0, gen.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 250
    val = subprocess.run(
        [sys.executable, "-m", "vum.cli", "validate", str(out), "--kind", "vacature"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert val.returncode == 0, val.stdout + val.stderr
    assert "250 geldig" in val.stdout
