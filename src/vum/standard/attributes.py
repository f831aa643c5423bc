# SPDX-License-Identifier: EUPL-1.2
"""Per-attribute flags of the workbooks (zoekbaar; zoekprofiel or detail only) as data, and the summary derived from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vum.standard.kinds import Kind

Profiel = Literal["zoek", "detail"]


@dataclass(frozen=True)
class Attribute:
    """One leaf attribute: its JSON path (arrays transparent), the workbook's names, and its flags."""

    path: str
    entiteit: str
    attribuut: str
    zoekbaar: bool
    profiel: Profiel
    #: Why this row departs from the workbook, when it does.
    note: str = ""

    @property
    def detail_only(self) -> bool:
        return self.profiel == "detail"


def _rows(*rows: tuple[Any, ...]) -> tuple[Attribute, ...]:
    return tuple(Attribute(*row) for row in rows)


_CURSUS_WZ = "arbeidsmarktkwalificatie.cursus."
_OPLEIDING_WZ = "arbeidsmarktkwalificatie.opleiding."
_TAAL = "taalbeheersing."
_WERKERVARING_WZ = "arbeidsmarktkwalificatie.werkervaring."

WERKZOEKENDE: tuple[Attribute, ...] = _rows(
    ("idWerkzoekende", "Werkzoekende", "ID Werkzoekende", False, "zoek"),
    (
        "indicatieBeschikbaarheidContactgegevens",
        "Werkzoekende",
        "Indicatie beschikbaarheid contactgegevens",
        False,
        "zoek",
    ),
    ("indicatieLdrRegistratie", "Werkzoekende", "Indicatie LDR-registratie", False, "detail"),
    ("persoonlijkePresentatie", "Werkzoekende", "Persoonlijke presentatie", False, "detail"),
    ("emailadres", "Contactpersoon/-afdeling", "E-mail adres", False, "detail"),
    ("telefoonnummer", "Contactpersoon/-afdeling", "Telefoonnummer", False, "detail"),
    (
        "contactpersoon.naamContactpersoonAfdeling",
        "Contactpersoon/-afdeling",
        "Naam contactpersoon/-afdeling",
        False,
        "detail",
    ),
    ("contactpersoon.emailadres", "Contactpersoon/-afdeling", "E-mail adres", False, "detail"),
    (
        "contactpersoon.telefoonnummer",
        "Contactpersoon/-afdeling",
        "Telefoonnummer",
        False,
        "detail",
    ),
    (
        "arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende",
        "Arbeidsmarktkwalificatie",
        "Code werk- en denkniveau werkzoekende",
        False,
        "zoek",
    ),
    (
        _CURSUS_WZ + "datumAanvangVolgenCursus",
        "Cursus",
        "Datum aanvang volgen cursus",
        False,
        "zoek",
    ),
    (_CURSUS_WZ + "datumCertificaat", "Cursus", "Datum certificaat", False, "zoek"),
    (_CURSUS_WZ + "datumEindeVolgenCursus", "Cursus", "Datum einde volgen cursus", False, "zoek"),
    (_CURSUS_WZ + "naamCursus", "Cursus", "Naam cursus", False, "zoek"),
    (_CURSUS_WZ + "naamOpleidingsinstituut", "Cursus", "Naam opleidingsinstituut", False, "zoek"),
    (_CURSUS_WZ + "indicatieCertificaat", "Cursus", "Indicatie certificaat", False, "zoek"),
    (_CURSUS_WZ + "toelichtingCursus", "Cursus", "Toelichting cursus", False, "zoek"),
    (
        "arbeidsmarktkwalificatie.competentiebeheersing.codeCompetentie",
        "Competentiebeheersing",
        "Code competentie",
        False,
        "zoek",
    ),
    (
        "arbeidsmarktkwalificatie.interesse.naamInteresse",
        "Interesse",
        "Naam interesse",
        False,
        "zoek",
    ),
    (_OPLEIDING_WZ + "codeOpleidingsnaam", "Opleiding", "Code opleidingsnaam", False, "zoek"),
    (_OPLEIDING_WZ + "codeNiveauOpleiding", "Opleiding", "Code niveau opleiding", False, "zoek"),
    (_OPLEIDING_WZ + "indicatieDiploma", "Opleiding", "Indicatie diploma", False, "zoek"),
    (_OPLEIDING_WZ + "toelichtingOpleiding", "Opleiding", "Toelichting opleiding", False, "zoek"),
    (_OPLEIDING_WZ + "codeStatusOpleiding", "Opleiding", "Code status opleiding", False, "zoek"),
    (
        _OPLEIDING_WZ + "datumAanvangVolgenOpleiding",
        "Opleiding",
        "Datum aanvang volgen opleiding",
        False,
        "zoek",
    ),
    (_OPLEIDING_WZ + "datumDiploma", "Opleiding", "Datum diploma", False, "zoek"),
    (
        _OPLEIDING_WZ + "datumEindeVolgenOpleiding",
        "Opleiding",
        "Datum einde volgen opleiding",
        False,
        "zoek",
    ),
    (
        _OPLEIDING_WZ + "naamOpleidingsinstituut",
        "Opleiding",
        "Naam opleidingsinstituut",
        False,
        "zoek",
    ),
    (
        "arbeidsmarktkwalificatie.rijbewijs.codeSoortRijbewijs",
        "Rijbewijs",
        "Code soort rijbewijs",
        True,
        "zoek",
    ),
    (
        "arbeidsmarktkwalificatie." + _TAAL + "codeNiveauTaalbeheersingLezen",
        "Taalbeheersing",
        "Code niveau taalbeheersing lezen",
        False,
        "zoek",
    ),
    (
        "arbeidsmarktkwalificatie." + _TAAL + "codeNiveauTaalbeheersingLuisteren",
        "Taalbeheersing",
        "Code niveau taalbeheersing luisteren",
        False,
        "zoek",
    ),
    (
        "arbeidsmarktkwalificatie." + _TAAL + "codeNiveauTaalbeheersingMondeling",
        "Taalbeheersing",
        "Code niveau taalbeheersing mondeling",
        True,
        "zoek",
    ),
    (
        "arbeidsmarktkwalificatie." + _TAAL + "codeNiveauTaalbeheersingSchriftelijk",
        "Taalbeheersing",
        "Code niveau taalbeheersing schriftelijk",
        True,
        "zoek",
    ),
    ("arbeidsmarktkwalificatie." + _TAAL + "codeTaal", "Taalbeheersing", "Code taal", True, "zoek"),
    (_WERKERVARING_WZ + "beroep.codeBeroepsnaam", "Beroep", "Code beroepsnaam", True, "zoek"),
    (
        _WERKERVARING_WZ + "datumAanvangWerkzaamheden",
        "Werkervaring",
        "Datum aanvang werkzaamheden",
        False,
        "zoek",
    ),
    (
        _WERKERVARING_WZ + "datumEindeWerkzaamheden",
        "Werkervaring",
        "Datum einde werkzaamheden",
        False,
        "zoek",
    ),
    (_WERKERVARING_WZ + "naamOrganisatie", "Werkervaring", "Naam organisatie", False, "zoek"),
    (
        _WERKERVARING_WZ + "toelichtingWerkervaring",
        "Werkervaring",
        "Toelichting werkervaring",
        False,
        "zoek",
    ),
    ("bemiddelingsberoep.codeBeroepsnaam", "Beroep", "Code beroepsnaam", True, "zoek"),
    (
        "contractvorm.codeTypeArbeidscontract",
        "Contractvorm",
        "Code type arbeidscontract",
        True,
        "zoek",
    ),
    ("contractvorm.codeTypeOvereenkomst", "Contractvorm", "Code type overeenkomst", False, "zoek"),
    (
        "eisAanWerk.indicatieAanpassingWerkomgeving",
        "Eis aan werk",
        "Indicatie aanpassing werkomgeving",
        False,
        "detail",
    ),
    ("eisAanWerk.indicatieBegeleiding", "Eis aan werk", "Indicatie begeleiding", False, "detail"),
    ("eisAanWerk.indicatieWerkvariatie", "Eis aan werk", "Indicatie werkvariatie", False, "detail"),
    (
        "flexibiliteit.datumAanvangBeschikbaarVoorWerk",
        "Flexibiliteit",
        "Datum aanvang beschikbaar voor werk",
        True,
        "zoek",
    ),
    (
        "flexibiliteit.datumEindeBeschikbaarVoorWerk",
        "Flexibiliteit",
        "Datum einde beschikbaar voor werk",
        False,
        "zoek",
    ),
    (
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",
        "Flexibiliteit",
        "Indicatie onregelmatig werk of ploegendienst",
        True,
        "zoek",
    ),
    ("mobiliteit.bemiddelingspostcode", "Mobiliteit", "Bemiddelingspostcode", True, "zoek"),
    ("mobiliteit.maximaleReisafstand", "Mobiliteit", "Maximale reisafstand", False, "zoek"),
    ("mobiliteit.maximaleReistijd", "Mobiliteit", "Maximale reistijd", False, "zoek"),
    ("sector.codeSbi", "Sector beroeps- en bedrijfsleven", "Code SBI", False, "zoek"),
    ("vervoermiddel.codeVervoermiddel", "Vervoermiddel", "Code vervoermiddel", False, "zoek"),
    (
        "vervoermiddel.indicatieBeschikbaarVoorUitvoeringWerk",
        "Vervoermiddel",
        "Indicatie beschikbaar voor uitvoering werk",
        False,
        "zoek",
    ),
    (
        "vervoermiddel.indicatieBeschikbaarVoorWoonWerkverkeer",
        "Vervoermiddel",
        "Indicatie beschikbaar voor woon-werkverkeer",
        False,
        "zoek",
    ),
    ("webadres.codeWebadres", "Webadres", "Code webadres", False, "detail"),
    ("webadres.url", "Webadres", "URL", False, "detail"),
    (
        "werktijden.aantalWerkurenPerWeekMaximaal",
        "Werktijden",
        "Aantal werkuren per week maximaal",
        True,
        "zoek",
    ),
    (
        "werktijden.aantalWerkurenPerWeekMinimaal",
        "Werktijden",
        "Aantal werkuren per week minimaal",
        True,
        "zoek",
    ),
    ("werktijden.indicatieKantoortijden", "Werktijden", "Indicatie kantoortijden", True, "zoek"),
)

_CONTRACT_NOTE = "the contract requires it in the first answer (MPVacatureMatch); workbook: detail"

VACATURE: tuple[Attribute, ...] = _rows(
    ("idVacature", "Vacature", "ID Vacature", False, "zoek"),
    ("naamVacature", "Vacature", "Naam vacature", False, "zoek"),
    ("nummerVacature", "Vacature", "Nummer vacature", False, "detail"),
    ("omschrijvingVacature", "Vacature", "Omschrijving vacature", False, "zoek"),
    ("sluitingsdatumVacature", "Vacature", "Sluitingsdatum vacature", False, "zoek"),
    ("codeWerkEnDenkniveauMinimaal", "Vacature", "Code werk- en denkniveau minimaal", True, "zoek"),
    ("adres.postcode", "Adres", "Postcode", True, "zoek", _CONTRACT_NOTE),
    ("adres.straatnaam", "Adres", "Straatnaam", False, "detail"),
    ("adres.huisnummer", "Adres", "Huisnummer", False, "detail"),
    ("adres.huisnummertoevoeging", "Adres", "Huisnummertoevoeging", False, "detail"),
    (
        "arbeidsVoorwaarden.datumAanvangWerkzaamheden",
        "Arbeidsvoorwaarden",
        "Datum aanvang werkzaamheden",
        True,
        "zoek",
    ),
    (
        "arbeidsVoorwaarden.datumEindeWerkzaamheden",
        "Arbeidsvoorwaarden",
        "Datum einde werkzaamheden",
        False,
        "zoek",
    ),
    (
        "arbeidsVoorwaarden.omschrijvingArbeidsvoorwaarden",
        "Arbeidsvoorwaarden",
        "Omschrijving arbeidsvoorwaarden",
        False,
        "zoek",
    ),
    (
        "arbeidsVoorwaarden.salarisIndicatie",
        "Arbeidsvoorwaarden",
        "Salarisindicatie",
        False,
        "zoek",
    ),
    ("beroep.codeBeroepsnaam", "Beroep", "Code beroepsnaam", True, "zoek"),
    (
        "competentiebeheersing.codeCompetentie",
        "Competentiebeheersing",
        "Code competentie",
        False,
        "zoek",
    ),
    (
        "contractvorm.codeTypeArbeidscontract",
        "Contractvorm",
        "Code type arbeidscontract",
        False,
        "zoek",
    ),
    ("contractvorm.codeTypeOvereenkomst", "Contractvorm", "Code type overeenkomst", False, "zoek"),
    ("cursus.indicatieCertificaat", "Cursus", "Indicatie certificaat", False, "zoek"),
    ("cursus.naamCursus", "Cursus", "Naam cursus", False, "zoek"),
    ("cursus.toelichtingCursus", "Cursus", "Toelichting cursus", False, "zoek"),
    (
        "flexibiliteit.datumEindeBeschikbaarVoorWerk",
        "Flexibiliteit",
        "Datum einde beschikbaar voor werk",
        False,
        "zoek",
    ),
    (
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",
        "Flexibiliteit",
        "Indicatie onregelmatig werk of ploegendienst",
        True,
        "zoek",
    ),
    ("opleiding.codeOpleidingsnaam", "Opleiding", "Code opleidingsnaam", False, "zoek"),
    ("opleiding.codeNiveauOpleiding", "Opleiding", "Code niveau opleiding", False, "zoek"),
    ("opleiding.indicatieDiploma", "Opleiding", "Indicatie diploma", False, "zoek"),
    ("opleiding.toelichtingOpleiding", "Opleiding", "Toelichting opleiding", False, "zoek"),
    ("rijbewijs.codeSoortRijbewijs", "Rijbewijs", "Code soort rijbewijs", True, "zoek"),
    ("sector.codeSbi", "Sector beroeps- en bedrijfsleven", "Code SBI", False, "zoek"),
    (
        "sollicitatiewijze.codeSollicitatiewijze",
        "Sollicitatiewijze",
        "Code sollicitatiewijze",
        False,
        "zoek",
    ),
    ("sollicitatiewijze.webadres.codeWebadres", "Webadres", "Code webadres", False, "zoek"),
    ("sollicitatiewijze.webadres.url", "Webadres", "URL", False, "zoek"),
    (
        _TAAL + "codeNiveauTaalbeheersingLezen",
        "Taalbeheersing",
        "Code niveau taalbeheersing lezen",
        False,
        "zoek",
    ),
    (
        _TAAL + "codeNiveauTaalbeheersingLuisteren",
        "Taalbeheersing",
        "Code niveau taalbeheersing luisteren",
        False,
        "zoek",
    ),
    (
        _TAAL + "codeNiveauTaalbeheersingMondeling",
        "Taalbeheersing",
        "Code niveau taalbeheersing mondeling",
        True,
        "zoek",
    ),
    (
        _TAAL + "codeNiveauTaalbeheersingSchriftelijk",
        "Taalbeheersing",
        "Code niveau taalbeheersing schriftelijk",
        True,
        "zoek",
    ),
    (_TAAL + "codeTaal", "Taalbeheersing", "Code taal", True, "zoek"),
    ("vervoermiddel.codeVervoermiddel", "Vervoermiddel", "Code vervoermiddel", False, "zoek"),
    (
        "vervoermiddel.indicatieBeschikbaarVoorUitvoeringWerk",
        "Vervoermiddel",
        "Indicatie beschikbaar voor uitvoering werk",
        False,
        "zoek",
    ),
    (
        "vervoermiddel.indicatieBeschikbaarVoorWoonWerkverkeer",
        "Vervoermiddel",
        "Indicatie beschikbaar voor woon-werkverkeer",
        False,
        "zoek",
    ),
    (
        "werkervaring.aantalJarenWerkzaamInBeroep",
        "Werkervaring",
        "Aantal jaren werkzaam in beroep",
        False,
        "zoek",
    ),
    ("werkgever.handelsnaamOrganisatie", "Werkgever", "Handelsnaam organisatie", False, "zoek"),
    ("werkgever.sector.codeSbi", "Sector beroeps- en bedrijfsleven", "Code SBI", False, "zoek"),
    ("werkgever.webadres.codeWebadres", "Webadres", "Code webadres", False, "zoek"),
    ("werkgever.webadres.url", "Webadres", "URL", False, "zoek"),
    (
        "werkgever.contactpersoon.naamContactpersoonAfdeling",
        "Contactpersoon/-afdeling",
        "Naam contactpersoon/-afdeling",
        False,
        "detail",
    ),
    (
        "werkgever.contactpersoon.emailadres",
        "Contactpersoon/-afdeling",
        "E-mail adres",
        False,
        "detail",
    ),
    (
        "werkgever.contactpersoon.telefoonnummer",
        "Contactpersoon/-afdeling",
        "Telefoonnummer",
        False,
        "detail",
    ),
    (
        "werktijden.aantalWerkurenPerWeekMaximaal",
        "Werktijden",
        "Aantal werkuren per week maximaal",
        True,
        "zoek",
    ),
    (
        "werktijden.aantalWerkurenPerWeekMinimaal",
        "Werktijden",
        "Aantal werkuren per week minimaal",
        True,
        "zoek",
    ),
    ("werktijden.indicatieKantoortijden", "Werktijden", "Indicatie kantoortijden", False, "zoek"),
)

ATTRIBUTES: dict[Kind, tuple[Attribute, ...]] = {
    Kind.WERKZOEKENDE: WERKZOEKENDE,
    Kind.VACATURE: VACATURE,
}


def attribute(kind: Kind, path: str) -> Attribute | None:
    """The attribute at a dotted path, or None."""
    return _BY_PATH[kind].get(path)


_BY_PATH: dict[Kind, dict[str, Attribute]] = {
    kind: {a.path: a for a in rows} for kind, rows in ATTRIBUTES.items()
}


class _Tree(dict[str, "_Tree"]):
    """Detail-only paths as a tree; an empty node means "drop this whole member"."""


def _detail_tree(kind: Kind) -> _Tree:
    tree = _Tree()
    # A member is dropped whole when every attribute under it is detail-only (e.g. eisAanWerk).
    prefixes: dict[str, list[Attribute]] = {}
    for a in ATTRIBUTES[kind]:
        parts = a.path.split(".")
        for i in range(1, len(parts) + 1):
            prefixes.setdefault(".".join(parts[:i]), []).append(a)
    whole = sorted(p for p, rows in prefixes.items() if all(r.detail_only for r in rows))
    for path in whole:
        parts = path.split(".")
        if any(".".join(parts[:i]) in whole for i in range(1, len(parts))):
            continue
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, _Tree())
        node[parts[-1]] = _Tree()
    return tree


_DETAIL_TREES: dict[Kind, _Tree] = {kind: _detail_tree(kind) for kind in Kind}


def _strip(value: Any, tree: _Tree) -> Any:
    if isinstance(value, list):
        return [_strip(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, member in value.items():
        sub = tree.get(key)
        if sub is None:
            out[key] = member
        elif sub:  # some attributes below are detail-only: descend
            out[key] = _strip(member, sub)
        # else: the whole member is detail-only — it never leaves the source in a summary
    return out


def strip_detail_only(kind: Kind, record: Mapping[str, Any]) -> dict[str, Any]:
    """The wire JSON of a record without its detail-only members (privacy: data minimisation)."""
    result: dict[str, Any] = _strip(record, _DETAIL_TREES[kind])
    return result
