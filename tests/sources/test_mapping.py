# SPDX-License-Identifier: EUPL-1.2
"""Municipal CSV and Excel exports with a column mapping: conversion, live import, row-and-column errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from vum.sources import (
    HostedSources,
    ImportRejected,
    MappingError,
    SourceFileError,
    convert_file,
    load_mapping,
)
from vum.standard.kinds import Kind

from .conftest import PARTY

MAPPING = {
    "kind": "werkzoekende",
    "columns": {
        "Klantnummer": "idWerkzoekende",
        "Postcode": "mobiliteit.bemiddelingspostcode",
        "Max reisafstand (km)": "mobiliteit.maximaleReisafstand",
        "Beroep": "bemiddelingsberoep[].codeBeroepsnaam",
        "Rijbewijzen": "arbeidsmarktkwalificatie.rijbewijs[].codeSoortRijbewijs",
        "Uren min": "werktijden.aantalWerkurenPerWeekMinimaal",
        "Uren max": "werktijden.aantalWerkurenPerWeekMaximaal",
        "Contract": "contractvorm[].codeTypeArbeidscontract",
        "Beschikbaar vanaf": "flexibiliteit.datumAanvangBeschikbaarVoorWerk",
        "Contactgegevens beschikbaar": "indicatieBeschikbaarheidContactgegevens",
    },
    "separator": "|",
    "values": {"contractvorm[].codeTypeArbeidscontract": {"vast": "O", "tijdelijk": "B"}},
    "dates": ["%d-%m-%Y", "%Y-%m-%d"],
    "sheet": "Blad1",
}
HEADER = [*MAPPING["columns"], "Opmerking"]
CONTRACT_WORD = {"O": "vast", "B": "tijdelijk"}


def _row(profile: dict[str, Any], i: int) -> list[str]:
    """One export row as a municipal system would write it (Dutch words, spaces, dd-mm-yyyy)."""
    postcode = profile["mobiliteit"]["bemiddelingspostcode"]
    if i % 3 == 0:
        postcode = f"{postcode[:4]} {postcode[4:].lower()}"
    hours = profile.get("werktijden", {})
    start = profile.get("flexibiliteit", {}).get("datumAanvangBeschikbaarVoorWerk", "")
    return [
        profile["idWerkzoekende"],
        postcode,
        str(profile["mobiliteit"].get("maximaleReisafstand", "")),
        "|".join(b["codeBeroepsnaam"] for b in profile.get("bemiddelingsberoep", [])),
        " | ".join(
            r["codeSoortRijbewijs"].lower()
            for r in profile.get("arbeidsmarktkwalificatie", {}).get("rijbewijs", [])
        ),
        str(hours.get("aantalWerkurenPerWeekMinimaal", "")),
        str(hours.get("aantalWerkurenPerWeekMaximaal", "")),
        "|".join(
            CONTRACT_WORD[c["codeTypeArbeidscontract"]]
            for c in profile.get("contractvorm", [])
            if "codeTypeArbeidscontract" in c
        ),
        dt.date.fromisoformat(start).strftime("%d-%m-%Y") if start else "",
        {1: "ja", 2: "Nee"}.get(profile.get("indicatieBeschikbaarheidContactgegevens", 0), ""),
        "vrije tekst; wordt niet gedeeld",
    ]


def _csv(path: Path, rows: list[list[str]], *, bom: bool = True, sep: str = ";") -> Path:
    def quote(cell: str) -> str:
        return f'"{cell}"' if sep in cell or '"' in cell else cell

    lines = [sep.join(quote(c) for c in row) for row in [HEADER, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    return path


def test_a_dutch_csv_export_becomes_a_live_dataset_with_a_quality_report(
    sources: HostedSources, profiles: list[dict[str, Any]], tmp_path: Path, mapping_file: Path
) -> None:
    chosen = profiles[:40]
    path = _csv(tmp_path / "export.csv", [_row(p, i) for i, p in enumerate(chosen)])
    result = sources.import_file(PARTY, Kind.WERKZOEKENDE, path, mapping=mapping_file)
    assert result.records == 40
    assert any("UTF-8 met BOM" in w and "';'" in w for w in result.warnings)
    assert any("'Opmerking'" in w for w in result.warnings)

    engine = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None
    for profile in chosen:
        got = engine.detail(profile["idWerkzoekende"])
        assert got is not None
        assert (
            got["mobiliteit"]["bemiddelingspostcode"]
            == profile["mobiliteit"]["bemiddelingspostcode"].upper()
        )
        assert got.get("bemiddelingsberoep") == profile.get("bemiddelingsberoep")
        assert got.get("werktijden", {}).get("aantalWerkurenPerWeekMinimaal") == profile.get(
            "werktijden", {}
        ).get("aantalWerkurenPerWeekMinimaal")
        wanted = [
            {"codeTypeArbeidscontract": c["codeTypeArbeidscontract"]}
            for c in profile.get("contractvorm", [])
            if "codeTypeArbeidscontract" in c
        ]
        assert got.get("contractvorm", []) == wanted
        start = profile.get("flexibiliteit", {}).get("datumAanvangBeschikbaarVoorWerk")
        assert got.get("flexibiliteit", {}).get("datumAanvangBeschikbaarVoorWerk") == start

    report = sources.quality(PARTY, Kind.WERKZOEKENDE)
    assert report["records"] == 40
    shares = {a["path"]: a["share"] for a in report["attributes"]}
    assert shares["mobiliteit.bemiddelingspostcode"] == 1.0
    assert shares["persoonlijkePresentatie"] == 0.0  # not in the export
    assert 0 < report["score"] < 100


def test_an_excel_export_with_native_cells_becomes_a_live_dataset(
    sources: HostedSources, profiles: list[dict[str, Any]], tmp_path: Path, mapping_file: Path
) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    sheet.append(HEADER)
    chosen = profiles[40:60]
    for i, profile in enumerate(chosen):
        row: list[Any] = _row(profile, i)
        # Excel keeps numbers and dates as such, and TRUE/FALSE for a yes/no column.
        row[2] = int(row[2]) if row[2] else None
        row[5] = float(row[5]) if row[5] else None
        row[8] = dt.datetime.strptime(row[8], "%d-%m-%Y") if row[8] else None
        row[9] = {"ja": True, "Nee": False}.get(row[9])
        sheet.append(row)
    sheet.append([])  # an empty row, then one more record: row numbers keep counting
    sheet.append([*_row(profiles[60], 1)[:2]])
    path = tmp_path / "export.xlsx"
    book.save(path)

    result = sources.import_file(PARTY, Kind.WERKZOEKENDE, path, mapping=mapping_file)
    assert result.records == 21
    engine = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None
    first = engine.detail(chosen[0]["idWerkzoekende"])
    assert first is not None
    mobility = {k: v for k, v in chosen[0]["mobiliteit"].items() if k != "maximaleReistijd"}
    assert first["mobiliteit"] == mobility  # maximaleReistijd is not in the export
    flexibility = chosen[0].get("flexibiliteit", {})
    if "datumAanvangBeschikbaarVoorWerk" in flexibility:
        assert (
            first["flexibiliteit"]["datumAanvangBeschikbaarVoorWerk"]
            == (flexibility["datumAanvangBeschikbaarVoorWerk"])
        )
    contact = chosen[0].get("indicatieBeschikbaarheidContactgegevens")
    assert first.get("indicatieBeschikbaarheidContactgegevens") == contact
    assert sources.quality(PARTY, Kind.WERKZOEKENDE)["records"] == 21


def test_value_and_validation_errors_name_the_row_and_the_column(
    sources: HostedSources, profiles: list[dict[str, Any]], tmp_path: Path, mapping_file: Path
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:5])
    rows = [_row(p, i) for i, p in enumerate(profiles[:10])]
    rows[5][1] = "12345"  # row 7: the standard's own check, traced back to the column
    rows[2][5] = "veertig"  # row 4: not a number
    rows[3][7] = "vast|oproep"  # row 5: a code the mapping does not translate
    rows[4][8] = "31-02-2026"  # row 6: no such day
    rows[8][0] = rows[1][0]  # row 10: the same Klantnummer as row 3
    path = _csv(tmp_path / "export.csv", rows)

    with pytest.raises(ImportRejected) as refused:
        sources.import_file(PARTY, Kind.WERKZOEKENDE, path, mapping=mapping_file)
    messages = [str(p) for p in refused.value.problems]
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (4, "Uren min"),
        (5, "Contract"),
        (6, "Beschikbaar vanaf"),
        (7, "Postcode"),
        (10, "Klantnummer"),
    ]
    assert messages[0].startswith("rij 4, kolom 'Uren min': 'veertig' is geen geheel getal")
    assert "onbekende code 'oproep'" in messages[1] and "values:" in messages[1]
    assert "31-02-2026" in messages[2] and "31-12-2025" in messages[2]
    assert messages[3].startswith("rij 7, kolom 'Postcode': ongeldig formaat '12345'")
    assert "rij 3" in messages[4]
    assert sources.dataset(PARTY, Kind.WERKZOEKENDE).record_count == 5


def test_mapping_errors_name_the_column_and_suggest_the_path(tmp_path: Path) -> None:
    broken = {
        "kind": "werkzoekende",
        "columns": {
            "Klantnummer": "idWerkzoekende",
            "Beroep": "bemiddelingsberoep[].codeBeroep",
            "Woonplaats": "mobiliteit",
            "Postcode": "mobiliteit[].bemiddelingspostcode",
        },
        "seperator": ";",
        "values": {"contractvorm.codeTypeArbeidscontract": {"vast": "O"}},
    }
    with pytest.raises(MappingError) as refused:
        load_mapping(broken)
    text = "\n".join(str(p) for p in refused.value.problems)
    assert "onbekende sleutel 'seperator'" in text
    assert "kolom 'Beroep': pad 'bemiddelingsberoep[].codeBeroep' bestaat niet" in text
    assert "bedoelt u 'bemiddelingsberoep[].codeBeroepsnaam'?" in text
    assert "kolom 'Woonplaats'" in text and "dit is een groep" in text
    assert "kolom 'Postcode'" in text and "'mobiliteit' is geen lijst" in text
    assert "values: 'contractvorm.codeTypeArbeidscontract' is aan geen kolom gekoppeld" in text

    with pytest.raises(MappingError, match="de mapping is voor 'werkzoekende'"):
        load_mapping(MAPPING, Kind.VACATURE)


def test_a_mapped_column_missing_from_the_file_is_an_error_an_unmapped_one_a_warning(
    profiles: list[dict[str, Any]], tmp_path: Path, mapping_file: Path
) -> None:
    rows = [_row(p, i) for i, p in enumerate(profiles[:3])]
    path = _csv(tmp_path / "export.csv", rows)
    text = path.read_text(encoding="utf-8-sig").replace("Uren max", "Uren maximaal", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as refused:
        convert_file(None, path, mapping_file)
    [problem] = refused.value.problems
    assert problem.column == "Uren max" and problem.row is None
    assert "'Uren maximaal'" in problem.message_nl

    records, warnings = convert_file(
        None, _csv(tmp_path / "ok.csv", rows, bom=False, sep=","), mapping_file
    )
    assert len(records) == 3
    assert any("'Opmerking'" in w for w in warnings)
    assert any("scheidingsteken ','" in w for w in warnings)


def test_windows_1252_several_columns_into_one_list_and_yes_no_words(tmp_path: Path) -> None:
    mapping = {
        "kind": "vacature",
        "columns": {
            "Vacaturenummer": "idVacature",
            "Functie": "naamVacature",
            "Postcode": "adres.postcode",
            "Rijbewijs 1": "rijbewijs[].codeSoortRijbewijs",
            "Rijbewijs 2": "rijbewijs[].codeSoortRijbewijs",
            "Contract": "contractvorm[].codeTypeArbeidscontract",
            "Soort": "contractvorm[].codeTypeOvereenkomst",
            "Ploegendienst": "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",
        },
    }
    path = tmp_path / "vacatures.csv"
    path.write_bytes(
        "Vacaturenummer;Functie;Postcode;Rijbewijs 1;Rijbewijs 2;Contract;Soort;Ploegendienst\n"
        "V-1;Medewerker café;1012ab;B;C;O|B;1|02;ja\n"
        "V-2;Kok;9711 AA;;be;Onbepaalde tijd;Leerbaan;Onbekend\n".encode("cp1252")
    )
    records, warnings = convert_file(None, path, mapping)
    assert any("Windows-1252" in w for w in warnings)
    assert records[0]["naamVacature"] == "Medewerker café"
    assert records[0]["adres"] == {"postcode": "1012AB"}
    assert records[0]["rijbewijs"] == [{"codeSoortRijbewijs": "B"}, {"codeSoortRijbewijs": "C"}]
    assert records[0]["contractvorm"] == [
        {"codeTypeArbeidscontract": "O", "codeTypeOvereenkomst": "01"},
        {"codeTypeArbeidscontract": "B", "codeTypeOvereenkomst": "02"},
    ]
    assert records[0]["flexibiliteit"] == {"indicatieOnregelmatigWerkOfPloegendienst": 1}
    assert records[1]["rijbewijs"] == [{"codeSoortRijbewijs": "BE"}]
    assert records[1]["contractvorm"] == [
        {"codeTypeArbeidscontract": "O", "codeTypeOvereenkomst": "02"}
    ]
    assert records[1]["flexibiliteit"] == {"indicatieOnregelmatigWerkOfPloegendienst": 0}


def test_a_row_with_more_values_than_columns_is_refused_not_shifted(
    profiles: list[dict[str, Any]], tmp_path: Path, mapping_file: Path
) -> None:
    rows = [_row(p, i) for i, p in enumerate(profiles[:3])]
    path = _csv(tmp_path / "export.csv", rows)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[2] += ";extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        convert_file(None, path, mapping_file)
    [problem] = refused.value.problems
    assert problem.row == 3 and "aanhalingstekens" in problem.message_nl


def test_unreadable_inputs_raise_source_file_errors(tmp_path: Path, mapping_file: Path) -> None:
    bad_yaml = tmp_path / "kapot.yaml"
    bad_yaml.write_text("columns: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="geen geldige YAML"):
        load_mapping(bad_yaml)
    with pytest.raises(SourceFileError, match="xls"):
        convert_file(None, tmp_path / "oud.xls", mapping_file)
    fake = tmp_path / "nep.xlsx"
    fake.write_text("geen excel", encoding="utf-8")
    with pytest.raises(SourceFileError, match="Excel"):
        convert_file(None, fake, mapping_file)
    empty = tmp_path / "leeg.csv"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="kopregel"):
        convert_file(None, empty, mapping_file)


def test_the_dutch_example_in_the_docs_is_a_valid_mapping() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "mapping.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("## Voorbeeld", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = load_mapping(yaml.safe_load(example))
    assert mapping.kind is Kind.WERKZOEKENDE and mapping.sheet == "Blad1"
    assert mapping.values["contractvorm.codeTypeArbeidscontract"]["uitzend"] == "B"


def test_an_excel_sheet_that_does_not_exist_is_named(tmp_path: Path, mapping_file: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Export"
    book.active.append(HEADER)
    path = tmp_path / "export.xlsx"
    book.save(path)
    with pytest.raises(SourceFileError, match="tabblad 'Blad1' bestaat niet; wel: Export"):
        convert_file(None, path, mapping_file)
