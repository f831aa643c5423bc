# SPDX-License-Identifier: EUPL-1.2
"""`vum register ...`: search, related, show and stats through Typer's runner and a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vum.register.cli import app

from .conftest import FORKLIFT, SKOS_TTL, TRUCK, write_esco

runner = CliRunner()
HEFTRUCK_URI = "https://data.openvum.nl/id/beroep/"


@pytest.fixture
def esco(tmp_path: Path) -> Path:
    return write_esco(
        tmp_path / "occupations_nl.csv",
        [
            {
                "conceptUri": FORKLIFT,
                "iscoGroup": "8344",
                "preferredLabel": "Heftruckbestuurder",
                "altLabels": "heftruckchauffeur\nheftrucker",
            },
            {"conceptUri": TRUCK, "iscoGroup": "8332", "preferredLabel": "Vrachtwagenchauffeur"},
        ],
    )


def test_search_json_lists_hits_with_uri_label_isco_score_and_match(esco: Path) -> None:
    result = runner.invoke(app, ["search", "heftruck chauffeur", "--json", "--file", str(esco)])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["uri"] == FORKLIFT
    assert hits[0]["label"] == "Heftruckbestuurder"
    assert (hits[0]["isco"], hits[0]["broader"]) == ("8344", "834")
    assert hits[0]["matched"] == "heftruckchauffeur"
    assert hits[0]["score"] == 100.0
    assert hits[0]["why"]


def test_search_limit_caps_the_hits(esco: Path) -> None:
    result = runner.invoke(
        app, ["search", "chauffeur", "--json", "--limit", "1", "--file", str(esco)]
    )
    assert len(json.loads(result.stdout)) == 1


def test_search_table_is_dutch_and_readable(esco: Path) -> None:
    result = runner.invoke(app, ["search", "heftruk", "--file", str(esco)])
    assert result.exit_code == 0
    assert "Beroep" in result.stdout and "Heftruckbestuurder" in result.stdout
    assert "synoniem: heftrucker" in result.stdout


def test_search_without_hits_says_so(esco: Path) -> None:
    result = runner.invoke(app, ["search", "xqzwv", "--file", str(esco)])
    assert result.exit_code == 0
    assert "Geen beroepen gevonden" in result.stdout
    assert (
        json.loads(runner.invoke(app, ["search", " ", "--json", "--file", str(esco)]).stdout) == []
    )


def test_search_in_a_skos_file_guesses_the_format(tmp_path: Path) -> None:
    path = tmp_path / "beroepen.ttl"
    path.write_text(SKOS_TTL, encoding="utf-8")
    result = runner.invoke(app, ["search", "heftrucker", "--json", "--file", str(path)])
    assert json.loads(result.stdout)[0]["label"] == "Heftruckchauffeur"


def test_search_can_extend_the_builtin_register(esco: Path) -> None:
    args = ["search", "heftruckbestuurder", "--json", "--file", str(esco), "--format", "esco"]
    result = runner.invoke(app, [*args, "--extend"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["uri"] == FORKLIFT


def test_bad_official_file_fails_with_exit_code_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("conceptUri,preferredLabel\nx,y\n", encoding="utf-8")
    result = runner.invoke(app, ["search", "kok", "--file", str(bad)])
    assert result.exit_code == 1
    assert "Fout:" in result.stderr and "column missing" in result.stderr


def test_related_json_has_strength_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "beroepen.ttl"
    path.write_text(SKOS_TTL, encoding="utf-8")
    uri = "https://linkeddata.competentnl.nl/id/beroep/heftruckchauffeur"
    result = runner.invoke(app, ["related", uri, "--json", "--file", str(path)])
    assert result.exit_code == 0, result.output
    related = json.loads(result.stdout)
    assert related[0]["label"] == "Magazijnmedewerker"
    assert related[0]["reason"] == "loopbaanstap"
    assert set(related[0]) >= {"uri", "label", "isco", "strength", "reason"}
    human = runner.invoke(app, ["related", uri, "--file", str(path)])
    assert "Verwant aan Heftruckchauffeur" in human.stdout


def test_unknown_uri_fails_in_dutch_and_english_with_exit_code_1(esco: Path) -> None:
    for command in ("related", "show"):
        result = runner.invoke(app, [command, "https://example.org/nope", "--file", str(esco)])
        assert result.exit_code == 1
        assert "Onbekend beroep" in result.stderr and "unknown occupation" in result.stderr


def test_show_prints_one_occupation(esco: Path) -> None:
    result = runner.invoke(app, ["show", FORKLIFT, "--file", str(esco)])
    assert result.exit_code == 0
    assert "Heftruckbestuurder" in result.stdout
    assert "Bedieners van mobiele machines" in result.stdout
    assert "heftruckchauffeur, heftrucker" in result.stdout
    data = json.loads(runner.invoke(app, ["show", FORKLIFT, "--json", "--file", str(esco)]).stdout)
    assert data["synonyms"] == ["heftruckchauffeur", "heftrucker"]


def test_stats_counts_occupations_synonyms_and_major_groups(esco: Path) -> None:
    data = json.loads(runner.invoke(app, ["stats", "--json", "--file", str(esco)]).stdout)
    assert (data["occupations"], data["synonyms"], data["average_synonyms"]) == (2, 2, 1.0)
    assert data["per_major_group"] == {
        "8": {"label": "Bedieners van machines en installaties, assembleurs", "occupations": 2}
    }
    human = runner.invoke(app, ["stats", "--file", str(esco)]).stdout
    assert "Beroepen:" in human and "Per ISCO-hoofdgroep:" in human


def test_builtin_search_through_the_runner_finds_heftruckchauffeur() -> None:
    result = runner.invoke(app, ["search", "heftruck chauffeur", "--json"])
    assert result.exit_code == 0
    first = json.loads(result.stdout)[0]
    assert first["isco"] == "8344" and "Heftruck" in first["label"]


def test_real_process_search_finds_heftruckchauffeur() -> None:
    # Start-up time is measured by bench/register_bench.py; tests never assert wall-clock time.
    done = subprocess.run(
        [sys.executable, "-m", "vum.cli", "register", "search", "heftruck chauffeur", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)[0]
    assert first["isco"] == "8344"
    assert "Heftruck" in first["label"]
    assert first["uri"].startswith(HEFTRUCK_URI)


def test_unreadable_official_file_fails_with_exit_code_1(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("conceptUri,preferredLabel,iscoGroup\nx,caissi\xe8re,5230\n".encode("latin-1"))
    result = runner.invoke(app, ["search", "kok", "--file", str(bad)])
    assert result.exit_code == 1
    assert "kan" in result.stderr and "cannot read" in result.stderr
