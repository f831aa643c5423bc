# SPDX-License-Identifier: EUPL-1.2
"""`vum geo ...` through Typer's CliRunner: output, --json and Dutch/English errors with exit 1."""

import json

import pytest
from typer.testing import CliRunner

from vum.geo.cli import app

runner = CliRunner()


def test_resolve_text_and_json() -> None:
    result = runner.invoke(app, ["resolve", "1012 ab"])
    assert result.exit_code == 0, result.output
    assert "1012AB" in result.stdout and "Amsterdam" in result.stdout and "GM0363" in result.stdout
    result = runner.invoke(app, ["resolve", "1012ab", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["pc4"] == 1012 and data["gemeente_code"] == "GM0363" and data["fallback"] is False


def test_resolve_fallback_note() -> None:
    result = runner.invoke(app, ["resolve", "5028", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["fallback"] is True and "5028" in data["note"]
    assert "Let op" in runner.invoke(app, ["resolve", "5028"]).stdout


def test_distance() -> None:
    result = runner.invoke(app, ["distance", "1012", "9711"])
    assert result.exit_code == 0
    assert "km" in result.stdout
    data = json.loads(runner.invoke(app, ["distance", "1012AB", "9711", "--json"]).stdout)
    assert data["a"] == "1012AB" and data["b"] == "9711"
    assert abs(data["km"] - 145.0) < 5.0


def test_regions() -> None:
    result = runner.invoke(app, ["regions"])
    assert result.exit_code == 0
    assert "Groot Amsterdam" in result.stdout and "35 arbeidsmarktregio's" in result.stdout
    data = json.loads(runner.invoke(app, ["regions", "--json"]).stdout)
    assert len(data) == 35
    assert sum(r["gemeenten"] for r in data) == 342
    flevoland = next(r for r in data if r["name"] == "Flevoland")
    assert flevoland["gemeenten"] == 5


def test_gemeente() -> None:
    result = runner.invoke(app, ["gemeente", "8232"])
    assert result.exit_code == 0
    assert "Lelystad" in result.stdout and "Flevoland" in result.stdout
    data = json.loads(runner.invoke(app, ["gemeente", "1012AB", "--json"]).stdout)
    assert data["gemeente_code"] == "GM0363" and data["arbeidsmarktregio"] == "Groot Amsterdam"


@pytest.mark.parametrize(
    "args",
    [["resolve", "0999AA"], ["distance", "1012", "12345"], ["gemeente", "ABCD12"], ["resolve", ""]],
)
def test_errors_are_dutch_and_english_with_exit_1(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "Ongeldige postcode" in result.stderr and "Invalid postcode" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output
