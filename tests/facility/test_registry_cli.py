# SPDX-License-Identifier: EUPL-1.2
"""`vum parties ...`: register, change, suspend and end parties by hand; every change audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vum.facility.cli import audit_app, parties_app
from vum.store import Store

MEDIATOR = "00000001111111111111"
PROCESSOR = "00000003333333333333"
SOURCE = "00000004444444444444"


def run(db: Path, *args: str, app: Any = parties_app) -> Any:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    return result


def add_source(db: Path) -> None:
    result = run(
        db, "add", "--oin", SOURCE, "--name", "Gemeente Almere",
        "--role", "bron-werkzoekende", "--role", "bron-vacature",
        "--agreement-signed", "2025-01-01", "--url", "http://127.0.0.1:9/api/v3",
        "--timeout", "2.5", "--by", "a.admin",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_add_list_show(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    add_source(db)
    result = run(
        db, "add", "--oin", MEDIATOR, "--name", "Gemeente Utrecht", "--role", "bemiddelaar",
        "--suwi", "--processor", PROCESSOR, "--by", "a.admin",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "toegevoegd" in result.output and "niet getekend" in result.output
    listing = run(db, "list")
    assert listing.exit_code == 0
    assert MEDIATOR in listing.output and "Gemeente Almere" in listing.output
    rows = json.loads(run(db, "list", "--json").output)
    assert [r["oin"] for r in rows] == [MEDIATOR, SOURCE]
    assert rows[0]["processors"] == [PROCESSOR] and rows[0]["suwi"] is True
    assert rows[1]["endpoint"] == "api" and rows[1]["timeout_s"] == 2.5
    shown = run(db, "show", SOURCE)
    assert shown.exit_code == 0 and "2025-01-01" in shown.output and "2.5 s" in shown.output
    assert json.loads(run(db, "show", SOURCE, "--json").output)["name"] == "Gemeente Almere"
    assert run(db, "show", PROCESSOR).exit_code == 1


def test_status_changes_and_updates_are_audited_with_by(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    add_source(db)
    assert "is nu suspended" in run(db, "suspend", SOURCE, "--by", "c.ciso").output
    assert "was al suspended" in run(db, "suspend", SOURCE, "--by", "c.ciso").output
    assert run(db, "list", "--status", "suspended", "--json").output.count(SOURCE) == 1
    assert run(db, "activate", SOURCE, "--by", "d.dev").exit_code == 0
    updated = run(
        db, "update", SOURCE, "--hosted", "--url", "http://127.0.0.1:8081/api/v3",
        "--no-suwi", "--by", "e.beheer",
    )  # fmt: skip
    assert updated.exit_code == 0 and "gewijzigd" in updated.output
    assert "niets gewijzigd" in run(db, "update", SOURCE, "--no-suwi").output
    assert run(db, "update", SOURCE, "--agreement-withdrawn", "--by", "f.jurist").exit_code == 0
    assert run(db, "end", SOURCE, "--by", "g.eind").exit_code == 0
    with Store(db) as store:
        row = store.parties.get(SOURCE)
        assert row is not None and row.endpoint == "hosted" and row.agreement_signed is None
        records = [(r.operation, r.user) for r in store.audit.iter_rows()]
    assert records == [
        ("party.add", "a.admin"),
        ("party.suspend", "c.ciso"),
        ("party.activate", "d.dev"),
        ("party.update", "e.beheer"),
        ("party.update", "f.jurist"),
        ("party.end", "g.eind"),
    ]
    listed = run(db, "list", "--limit", "3", app=audit_app)
    assert listed.exit_code == 0 and "party.end" in listed.output and "g.eind" in listed.output
    assert run(db, "verify", app=audit_app).exit_code == 0


def test_by_defaults_to_vum_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VUM_USER", "p.operator")
    db = tmp_path / "vum.db"
    assert run(db, "add", "--oin", SOURCE, "--name", "x").exit_code == 0
    with Store(db) as store:
        (record,) = store.audit.iter_rows()
    assert record.user == "p.operator"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--oin", "123", "--name", "x"], "20 cijfers"),
        (["add", "--oin", SOURCE, "--name", "x", "--role", "bron"], "onbekende rol"),
        (["add", "--oin", SOURCE, "--name", "x", "--agreement-signed", "morgen"], "JJJJ-MM-DD"),
        (["add", "--oin", SOURCE, "--name", "x", "--hosted"], "--hosted heeft --url nodig"),
        (["add", "--oin", SOURCE, "--name", "x", "--url", "localhost"], "ongeldige URL"),
    ],
)
def test_invalid_input_is_refused_without_a_trace(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = tmp_path / "vum.db"
    result = run(db, *args)
    assert result.exit_code in (1, 2) and message in result.output
    if db.exists():
        with Store(db) as store:
            assert store.parties.list() == [] and store.audit.count() == 0


def test_unknown_party_and_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    missing = run(db, "list")
    assert missing.exit_code == 2 and "bestaat niet" in missing.output
    add_source(db)
    unknown = run(db, "suspend", MEDIATOR)
    assert unknown.exit_code == 1 and "niet gevonden" in unknown.output
    assert run(db, "update", SOURCE).exit_code == 2  # nothing to change
    conflicting = run(db, "update", SOURCE, "--no-endpoint", "--url", "http://h/api/v3")
    assert conflicting.exit_code == 2
