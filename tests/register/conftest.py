# SPDX-License-Identifier: EUPL-1.2
"""Fixtures for the register tests: a small occupation register written to a temporary folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vum.register.builtin import COLUMNS, load_occupation_dir
from vum.register.model import Register

HEADER = ",".join(COLUMNS)

#: test_quality.py leaves its figures here; the terminal summary below shows them on every run.
QUALITY_KEY = pytest.StashKey[str]()

#: A small but realistic register: enough near neighbours to make ranking mistakes visible.
LOGISTIEK = """\
heftruckchauffeur,Heftruckchauffeur,8344,heftruck chauffeur|heftrucker|vorkheftruckchauffeur|reachtruckchauffeur,magazijnmedewerker|orderpicker,heftruck|magazijn|laden en lossen|VCA
magazijnmedewerker,Magazijnmedewerker,4321,medewerker magazijn|magazijnmedewerkster|warehouse medewerker,heftruckchauffeur,magazijn|voorraadbeheer|heftruck|scanner
orderpicker,Orderpicker,9333,orderpikker|order picker|orderverzamelaar,,magazijn|scanner|orders verzamelen
vrachtwagenchauffeur,Vrachtwagenchauffeur,8332,chauffeur CE|CE-chauffeur|trucker|truckchauffeur,,rijbewijs CE|code 95|laden en lossen
buschauffeur,Buschauffeur,8331,chauffeur openbaar vervoer|touringcarchauffeur,taxichauffeur,rijbewijs D|code 95|klantvriendelijk
taxichauffeur,Taxichauffeur,8322,taxi chauffeur|chauffeur personenvervoer,,rijbewijs B|chauffeurspas|klantvriendelijk
pakketbezorger,Pakketbezorger,9621,koerier|bezorger pakketten|pakketjesbezorger,,rijbewijs B|bezorgen
heftruckmonteur,Heftruckmonteur,7233,monteur heftrucks,,heftruck|onderhoud|storingen verhelpen
"""
ZORG = """\
verzorgende-ig,Verzorgende IG,5321,verzorgende individuele gezondheidszorg|VIG|VIG'er|verzorgende,helpende-zorg,zorg|medicatie|ADL
helpende-zorg,Helpende zorg en welzijn,5322,helpende|helpende Z&W,,zorg|ADL
verpleegkundige,Verpleegkundige,2221,verpleger|verpleegster|hbo-verpleegkundige,,zorg|medicatie|wondzorg
doktersassistent,Doktersassistent,3256,doktersassistente|assistent huisarts,,zorg|telefoon|triage
dietist,Diëtist,2265,voedingsdeskundige|diëtiste,,voeding
pedagogisch-medewerker,Pedagogisch medewerker kinderopvang,5311,pedagogisch medewerker|PM'er|leidster kinderopvang|groepsleider kinderopvang|BSO-medewerker,,kinderen|spel
kapper,Kapper,5141,kapster|haarstylist,,knippen|kleuren
"""
OVERIG = """\
schoonmaker,Schoonmaker,9112,schoonmaakmedewerker|schoonmaakster|interieurverzorger,glazenwasser,schoonmaken|hygiëne
glazenwasser,Glazenwasser,9123,glazenwasster|gevelreiniger,,schoonmaken|hoogwerker
caissiere,Kassamedewerker,5230,caissière|caissier|kassière,vakkenvuller,kassa|klantvriendelijk
vakkenvuller,Vakkenvuller,9334,medewerker vakkenvullen|bijvuller,,vakken vullen|magazijn
kok,Kok,5120,zelfstandig werkend kok|kok BBL,,koken|hygiëne
chef-kok,Chef-kok,3434,chef|keukenchef,kok,koken|leidinggeven
softwareontwikkelaar,Softwareontwikkelaar,2512,developer|software developer|programmeur,,programmeren|Python|Java
systeembeheerder,Systeembeheerder,2522,system administrator|ICT-beheerder,,netwerken|Linux
receptionist,Receptionist,4226,receptioniste|baliemedewerker,,telefoon|klantvriendelijk
leraar-basisonderwijs,Leraar basisonderwijs,2341,juf|meester|leerkracht basisschool|groepsleerkracht,,lesgeven|kinderen
timmerman,Timmerman,7115,bouwtimmerman|timmerlieden,,hout|bouw
verkoper,Verkoper,5223,winkelmedewerker|verkoopmedewerker,caissiere,verkopen|klantvriendelijk
psycholoog,Psycholoog,2634,GZ-psycholoog,,gesprekken voeren
"""


ESCO = "http://data.europa.eu/esco/occupation/"
FORKLIFT = ESCO + "0f8e8c2b-1234-4a5b-9c6d-7e8f9a0b1c2d"
TRUCK = ESCO + "a1b2c3d4-0000-4000-8000-000000000001"


def write_esco(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write an ESCO `occupations_nl.csv`-style file (csv quotes the multi-line label cells)."""
    columns = [
        "conceptType",
        "conceptUri",
        "iscoGroup",
        "preferredLabel",
        "altLabels",
        "hiddenLabels",
        "status",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({"conceptType": "Occupation", "status": "released", **row})
    return path


SKOS_TTL = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix cnl: <https://linkeddata.competentnl.nl/id/beroep/> .
@prefix isco: <http://data.europa.eu/esco/isco/> .

cnl:heftruckchauffeur a skos:Concept ;
    skos:prefLabel "Heftruckchauffeur"@nl, "Forklift driver"@en ;
    skos:altLabel "Heftrucker"@nl, "Vorkheftruckchauffeur"@nl, "Forklift operator"@en ;
    skos:hiddenLabel "heftruk chauffeur"@nl ;
    skos:broader isco:C8344 ;
    skos:related cnl:magazijnmedewerker .

cnl:magazijnmedewerker a skos:Concept ;
    skos:prefLabel "Magazijnmedewerker"@nl ;
    skos:notation "4321" .

cnl:reachtruckchauffeur a skos:Concept ;
    skos:prefLabel "Reachtruckchauffeur"@nl ;
    skos:broader cnl:heftruckchauffeur .

cnl:zonder-code a skos:Concept ;
    skos:prefLabel "Beroep zonder code"@nl .

cnl:alleen-engels a skos:Concept ;
    skos:prefLabel "English only"@en .

isco:C8344 a skos:Concept ; skos:prefLabel "Lifting truck operators"@en .
"""


def write_register(folder: Path, files: dict[str, str]) -> Path:
    """Write occupation CSV files (header added) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(f"{HEADER}\n{body}", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def small_register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    """The small register above, loaded through the real CSV loader."""
    folder = write_register(
        tmp_path_factory.mktemp("occupations"),
        {"logistiek.csv": LOGISTIEK, "zorg.csv": ZORG, "overig.csv": OVERIG},
    )
    return load_occupation_dir(folder)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Show the search accuracy figures at the end of every run that measured them."""
    figures = config.stash.get(QUALITY_KEY, None)
    if figures:
        terminalreporter.write_sep("-", "register search quality")
        terminalreporter.write_line(figures)
