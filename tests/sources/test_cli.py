# SPDX-License-Identifier: EUPL-1.2
"""`vum source ...` and `vum convert` through Typer's runner: summaries, every error, exit codes 0/1/2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from vum.sources.cli import app, convert_command

from .conftest import PARTY
from .test_mapping import HEADER, MAPPING, _csv, _row

runner = CliRunner()
# The lead mounts these on `vum`; a small app of our own mounts them the same way.
vum = typer.Typer()
vum.command("convert")(convert_command)
vum.add_typer(app, name="source")


def _json(tmp_path: Path, name: str, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_import_list_quality_and_rollback(tmp_path: Path, profiles: list[dict[str, Any]]) -> None:
    db = str(tmp_path / "vum.db")
    first = _json(tmp_path, "a.json", profiles[:30])
    result = runner.invoke(
        vum,
        ["source", "import", "--party", PARTY, "--kind", "werkzoekende", str(first), "--db", db],
    )
    assert result.exit_code == 0, result.output
    assert "Import geslaagd: versie 1" in result.output and "30 records" in result.output

    second = _json(tmp_path, "b.json", profiles[30:50])
    result = runner.invoke(
        vum,
        ["source", "import", "-p", PARTY, "-k", "werkzoekende", str(second), "--json"],
        env={"VUM_DB": db},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"] == 20

    result = runner.invoke(vum, ["source", "list", "--json", "--db", db])
    assert result.exit_code == 0
    [listed] = json.loads(result.stdout)
    assert listed["records"] == 20 and listed["previous"]["number"] == 1
    result = runner.invoke(vum, ["source", "list", "--db", db])
    assert PARTY in result.output and "vorige: versie 1" in result.output

    result = runner.invoke(
        vum, ["source", "quality", "-p", PARTY, "-k", "werkzoekende", "--json", "--db", db]
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["records"] == 20
    result = runner.invoke(
        vum, ["source", "quality", "-p", PARTY, "-k", "werkzoekende", "--db", db]
    )
    assert "volledigheid" in result.output and "Code beroepsnaam" in result.output

    result = runner.invoke(
        vum, ["source", "rollback", "-p", PARTY, "-k", "werkzoekende", "--db", db]
    )
    assert result.exit_code == 0 and "Versie 1 (30 records) is weer live" in result.output
    result = runner.invoke(vum, ["source", "quality", "-p", PARTY, "-k", "vacature", "--db", db])
    assert result.exit_code == 1 and "geen live gegevens" in result.output


def test_a_refused_import_prints_every_error_and_keeps_the_live_data(
    tmp_path: Path, profiles: list[dict[str, Any]]
) -> None:
    db = str(tmp_path / "vum.db")
    good = _json(tmp_path, "goed.json", profiles[:10])
    assert (
        runner.invoke(
            vum, ["source", "import", "-p", PARTY, "-k", "werkzoekende", str(good), "--db", db]
        ).exit_code
        == 0
    )
    broken = copy.deepcopy(profiles[:10])
    broken[2]["mobiliteit"]["bemiddelingspostcode"] = "1234"
    broken[6]["werktijden"] = {"aantalWerkurenPerWeekMaximaal": 200}
    bad = _json(tmp_path, "fout.json", broken)
    result = runner.invoke(
        vum, ["source", "import", "-p", PARTY, "-k", "werkzoekende", str(bad), "--db", db]
    )
    assert result.exit_code == 1
    assert "record 2 (/2/mobiliteit/bemiddelingspostcode)" in result.output
    assert "record 6 (/6/werktijden/aantalWerkurenPerWeekMaximaal)" in result.output
    assert "Import geweigerd: 2 fout(en) in 2 record(s)" in result.output
    listed = json.loads(runner.invoke(vum, ["source", "list", "--json", "--db", db]).stdout)
    assert listed[0]["records"] == 10 and listed[0]["live"]["number"] == 1


def test_upsert_with_a_file_of_ids_to_delete(
    tmp_path: Path, profiles: list[dict[str, Any]]
) -> None:
    db = str(tmp_path / "vum.db")
    base = _json(tmp_path, "a.json", profiles[:10])
    runner.invoke(
        vum, ["source", "import", "-p", PARTY, "-k", "werkzoekende", str(base), "--db", db]
    )
    ids = tmp_path / "weg.txt"
    ids.write_text(f"# vertrokken\n{profiles[0]['idWerkzoekende']}\n\n", encoding="utf-8")
    more = _json(tmp_path, "b.json", profiles[10:12])
    args = ["source", "import", "-p", PARTY, "-k", "werkzoekende", str(more), "--db", db]
    result = runner.invoke(vum, [*args, "--mode", "upsert", "--delete-ids", str(ids)])
    assert result.exit_code == 0, result.output
    assert "11 records (2 nieuw, 0 bijgewerkt, 1 verwijderd)" in result.output
    result = runner.invoke(vum, [*args, "--delete-ids", str(ids)])
    assert result.exit_code == 2 and "--mode upsert" in result.output


def test_unreadable_input_and_bad_arguments_exit_2(tmp_path: Path) -> None:
    db = str(tmp_path / "vum.db")
    broken = tmp_path / "kapot.json"
    broken.write_text('[{"idWerkzoekende": ', encoding="utf-8")
    args = ["source", "import", "-p", PARTY, "-k", "werkzoekende", "--db", db]
    result = runner.invoke(vum, [*args, str(broken)])
    assert result.exit_code == 2 and "geen geldige JSON" in result.output
    result = runner.invoke(vum, [*args, str(tmp_path / "bestaat-niet.json")])
    assert result.exit_code == 2 and "kan" in result.output
    result = runner.invoke(vum, [*args, str(tmp_path / "export.csv")])
    assert result.exit_code == 2 and "mapping" in result.output
    result = runner.invoke(
        vum, ["source", "import", "-p", "123", "-k", "werkzoekende", str(broken), "--db", db]
    )
    assert result.exit_code == 2 and "20 cijfers" in result.output


def test_tokens_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "vum.db")
    result = runner.invoke(
        vum, ["source", "token", "create", "-p", PARTY, "-l", "Suite", "--db", db]
    )
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("vum_") and "niet opnieuw getoond" in result.stderr
    listed = runner.invoke(vum, ["source", "token", "list", "--json", "--db", db])
    [row] = json.loads(listed.stdout)
    assert row["label"] == "Suite" and row["revoked_at"] is None and token not in listed.stdout
    result = runner.invoke(
        vum, ["source", "token", "revoke", "-p", PARTY, "-l", "Suite", "--db", db]
    )
    assert result.exit_code == 0 and "1 token(s) ingetrokken" in result.output
    result = runner.invoke(
        vum, ["source", "token", "revoke", "-p", PARTY, "-l", "Suite", "--db", db]
    )
    assert result.exit_code == 1
    result = runner.invoke(vum, ["source", "token", "revoke", "-p", PARTY, "--db", db])
    assert result.exit_code == 2


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    return path


def test_convert_writes_json_of_the_standard(
    tmp_path: Path, profiles: list[dict[str, Any]], mapping_file: Path
) -> None:
    export = _csv(tmp_path / "export.csv", [_row(p, i) for i, p in enumerate(profiles[:5])])
    out = tmp_path / "out.json"
    result = runner.invoke(
        vum, ["convert", "--mapping", str(mapping_file), str(export), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["idWerkzoekende"] for r in records] == [p["idWerkzoekende"] for p in profiles[:5]]
    assert "5 records geconverteerd" in result.stderr
    assert "'Opmerking'" in result.stderr


def test_convert_reports_every_error_by_row_and_column(
    tmp_path: Path, profiles: list[dict[str, Any]], mapping_file: Path
) -> None:
    rows = [_row(p, i) for i, p in enumerate(profiles[:8])]
    rows[5][1] = "ABCDEF"
    rows[6][6] = "-3"
    export = _csv(tmp_path / "export.csv", rows)
    out = tmp_path / "out.json"
    result = runner.invoke(vum, ["convert", "-m", str(mapping_file), str(export), "-o", str(out)])
    assert result.exit_code == 1
    assert "rij 7, kolom 'Postcode': ongeldig formaat 'ABCDEF'" in result.stdout
    assert "rij 8, kolom 'Uren max': moet minstens 0 zijn" in result.stdout
    assert "Conversie mislukt: 2 fout(en) in 2 rij(en)" in result.stdout
    assert not out.exists()


def test_convert_exits_2_when_mapping_or_file_cannot_be_read(
    tmp_path: Path, mapping_file: Path
) -> None:
    broken = tmp_path / "kapot.yaml"
    broken.write_text("columns:\n  - [\n", encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(";".join(HEADER) + "\n", encoding="utf-8")
    result = runner.invoke(vum, ["convert", "-m", str(broken), str(export)])
    assert result.exit_code == 2 and "geen geldige YAML" in result.output
    result = runner.invoke(vum, ["convert", "-m", str(mapping_file), str(tmp_path / "nee.csv")])
    assert result.exit_code == 2


def test_reading_commands_do_not_create_a_database(tmp_path: Path) -> None:
    db = tmp_path / "nergens.db"
    result = runner.invoke(vum, ["source", "list", "--db", str(db)])
    assert result.exit_code == 2 and "bestaat niet" in result.output
    assert not db.exists()
