# SPDX-License-Identifier: EUPL-1.2
"""Loaders for official lists: ESCO's CSV export and CompetentNL-style SKOS in Turtle and JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vum.register.builtin import RegisterDataError
from vum.register.loaders import load_esco_csv, load_file, load_skos, slug_from_uri
from vum.register.model import Register, RegisterError

from .conftest import FORKLIFT, SKOS_TTL, TRUCK, write_esco


@pytest.fixture
def esco_file(tmp_path: Path) -> Path:
    return write_esco(
        tmp_path / "occupations_nl.csv",
        [
            {
                "conceptUri": FORKLIFT,
                "iscoGroup": "8344",
                "preferredLabel": "heftruckbestuurder",
                "altLabels": "heftruckchauffeur\nvorkheftruckbestuurder\nbestuurder heftruck",
                "hiddenLabels": "heftruckmachinist",
            },
            {
                "conceptUri": TRUCK,
                "iscoGroup": "8332",
                "preferredLabel": "vrachtwagenchauffeur",
                "altLabels": "chauffeur zware vrachtwagen\n\ntrucker\n",
                "hiddenLabels": "",
            },
        ],
    )


def test_esco_csv_reads_multiline_alt_and_hidden_labels(esco_file: Path) -> None:
    register = load_esco_csv(esco_file)
    assert len(register) == 2
    forklift = register.get(FORKLIFT)
    assert forklift is not None
    assert (forklift.label, forklift.isco, forklift.broader, forklift.source) == (
        "heftruckbestuurder",
        "8344",
        "834",
        "esco",
    )
    assert forklift.synonyms == (
        "heftruckchauffeur",
        "vorkheftruckbestuurder",
        "bestuurder heftruck",
        "heftruckmachinist",
    )
    assert forklift.key == "0f8e8c2b-1234-4a5b-9c6d-7e8f9a0b1c2d"
    truck = register.get(TRUCK)
    assert truck is not None and truck.synonyms == ("chauffeur zware vrachtwagen", "trucker")


def test_esco_register_is_searchable_by_alt_label(esco_file: Path) -> None:
    hit = load_esco_csv(esco_file).search("heftruck chauffeur")[0]
    assert hit.occupation.uri == FORKLIFT
    assert hit.matched == "heftruckchauffeur"


def test_esco_csv_with_bom_and_skill_rows_is_read(tmp_path: Path) -> None:
    path = write_esco(
        tmp_path / "x.csv", [{"conceptUri": FORKLIFT, "iscoGroup": "8344", "preferredLabel": "a"}]
    )
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("KnowledgeSkillCompetence,http://x/skill/1,,lassen,,,released\n")
    assert [o.label for o in load_esco_csv(path)] == ["a"]


def test_esco_csv_bad_isco_names_line_and_column(tmp_path: Path) -> None:
    path = write_esco(
        tmp_path / "occupations_nl.csv",
        [
            {
                "conceptUri": FORKLIFT,
                "iscoGroup": "8344",
                "preferredLabel": "a",
                "altLabels": "x\ny",
            },
            {"conceptUri": TRUCK, "iscoGroup": "83", "preferredLabel": "b"},
        ],
    )
    with pytest.raises(RegisterDataError) as info:
        load_esco_csv(path)
    assert (info.value.file, info.value.line, info.value.column) == (
        "occupations_nl.csv",
        4,
        "iscoGroup",
    )


def test_esco_csv_missing_column_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("conceptUri,preferredLabel\nhttp://x,a\n", encoding="utf-8")
    with pytest.raises(RegisterDataError, match="iscoGroup"):
        load_esco_csv(path)


def test_skos_turtle_reads_labels_codes_and_links(tmp_path: Path) -> None:
    path = tmp_path / "beroepen.ttl"
    path.write_text(SKOS_TTL, encoding="utf-8")
    register = load_skos(path)
    assert sorted(o.key for o in register) == [
        "heftruckchauffeur",
        "magazijnmedewerker",
        "reachtruckchauffeur",
        "zonder-code",
    ]
    heftruck = register.require("https://linkeddata.competentnl.nl/id/beroep/heftruckchauffeur")
    assert heftruck.label == "Heftruckchauffeur"
    assert heftruck.synonyms == ("Heftrucker", "Vorkheftruckchauffeur", "heftruk chauffeur")
    assert (heftruck.isco, heftruck.broader, heftruck.source) == ("8344", "834", "skos")
    assert heftruck.related_keys == ("magazijnmedewerker",)
    assert register.require("magazijnmedewerker").isco == "4321"  # from skos:notation
    assert register.require("reachtruckchauffeur").isco == "8344"  # inherited via skos:broader
    assert register.require("zonder-code").isco == ""
    # skos:related is symmetric in the related-occupations view as well.
    assert register.related(register.require("magazijnmedewerker").uri)[0].occupation is heftruck


def test_skos_json_ld_is_read_like_turtle(tmp_path: Path) -> None:
    doc = {
        "@context": {
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
            "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
            "broader": {"@id": "skos:broader", "@type": "@id"},
            "notation": {"@id": "skos:notation"},
        },
        "@graph": [
            {
                "@id": "https://example.org/beroep/schoonmaker",
                "@type": "skos:Concept",
                "prefLabel": {"nl": "Schoonmaker", "en": "Cleaner"},
                "altLabel": {"nl": ["Schoonmaakster", "Schoonmaakmedewerker"]},
                "broader": "http://data.europa.eu/esco/isco/C9112",
            },
            {
                "@id": "https://example.org/beroep/glazenwasser",
                "@type": "skos:Concept",
                "prefLabel": {"nl": "Glazenwasser"},
                "notation": "9123",
            },
        ],
    }
    path = tmp_path / "beroepen.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    register = load_skos(path)
    cleaner = register.require("schoonmaker")
    assert (cleaner.label, cleaner.isco) == ("Schoonmaker", "9112")
    assert cleaner.synonyms == ("Schoonmaakmedewerker", "Schoonmaakster")
    assert register.require("glazenwasser").isco == "9123"
    assert register.search("schoonmaakster")[0].occupation is cleaner


def test_skos_unknown_suffix_and_broken_file_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="onbekend RDF-formaat"):
        load_skos(tmp_path / "x.txt")
    broken = tmp_path / "x.ttl"
    broken.write_text("this is not turtle .", encoding="utf-8")
    with pytest.raises(RegisterError, match="kan SKOS-bestand niet lezen"):
        load_skos(broken)


def test_official_list_can_replace_or_extend_the_builtin_one(
    esco_file: Path, small_register: Register
) -> None:
    official = load_file(esco_file, "esco")
    assert len(small_register.merged(official, mode="replace")) == 2
    extended = small_register.merged(official, mode="extend")
    assert len(extended) == len(small_register) + 2
    assert extended.get(FORKLIFT) is not None
    keys = [h.occupation.key for h in extended.search("heftruckbestuurder", limit=3)]
    assert keys[0] == "0f8e8c2b-1234-4a5b-9c6d-7e8f9a0b1c2d"


def test_slug_from_uri_takes_the_last_segment() -> None:
    assert slug_from_uri("http://x/id/Beroep_12/") == "beroep-12"
    assert slug_from_uri("http://x/vocab#HeftruckChauffeur") == "heftruckchauffeur"
