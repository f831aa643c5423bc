# SPDX-License-Identifier: EUPL-1.2
"""The vacancy (Vacature) of gegevensstandaard 1.5, its summary and the wire envelopes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict

from vum.standard import codelists as cl
from vum.standard.common import (
    Beroep,
    Competentiebeheersing,
    Contractvorm,
    Rijbewijs,
    SectorBeroepsEnBedrijfsleven,
    Taalbeheersing,
    Vervoermiddel,
    Webadres,
    Werktijden,
)
from vum.standard.types import (
    Date,
    Emailadres,
    Integer2,
    Integer5,
    Integer10AsString,
    Postcode,
    SafeIDString,
    String6,
    String11,
    String24,
    String35,
    String100,
    String120,
    String200,
    String500,
    String2000,
    Telefoonnummer,
    VraagID,
    VumID,
    WireModel,
)


class Adres(WireModel):
    postcode: Postcode
    straatnaam: String24 | None = None
    huisnummer: Integer5 | None = None
    huisnummertoevoeging: String6 | None = None


class ArbeidsVoorwaarden(WireModel):
    datumAanvangWerkzaamheden: Date | None = None
    datumEindeWerkzaamheden: Date | None = None
    omschrijvingArbeidsvoorwaarden: String2000 | None = None
    salarisIndicatie: String100 | None = None


class ContactpersoonAfdeling(WireModel):
    naamContactpersoonAfdeling: String35 | None = None
    emailadres: list[Emailadres] | None = None
    telefoonnummer: list[Telefoonnummer] | None = None


class Cursus(WireModel):
    indicatieCertificaat: Annotated[int, cl.INDICATIE_DIPLOMA] | None = None
    naamCursus: String120 | None = None
    toelichtingCursus: String2000 | None = None


class Flexibiliteit(WireModel):
    datumEindeBeschikbaarVoorWerk: Date | None = None
    indicatieOnregelmatigWerkOfPloegendienst: Annotated[int, cl.INDICATIE] | None = None


class Opleiding(WireModel):
    codeOpleidingsnaam: Integer10AsString | None = None
    codeNiveauOpleiding: Annotated[int, cl.NIVEAU_OPLEIDING] | None = None
    indicatieDiploma: Annotated[int, cl.INDICATIE_DIPLOMA] | None = None
    toelichtingOpleiding: String2000 | None = None


class Sollicitatiewijze(WireModel):
    codeSollicitatiewijze: Annotated[str, cl.SOLLICITATIEWIJZE] | None = None
    webadres: Webadres | None = None


class Werkervaring(WireModel):
    aantalJarenWerkzaamInBeroep: Integer2 | None = None


class MPWerkgever(WireModel):
    """The employer as the first answer shows it (no contact persons)."""

    handelsnaamOrganisatie: String500 | None = None
    sector: list[SectorBeroepsEnBedrijfsleven] | None = None
    webadres: list[Webadres] | None = None


class Werkgever(MPWerkgever):
    contactpersoon: list[ContactpersoonAfdeling] | None = None


class _VacatureZoekprofiel(WireModel):
    """The members of the first answer (zoekprofiel); see :mod:`vum.standard.attributes`."""

    arbeidsVoorwaarden: ArbeidsVoorwaarden | None = None
    beroep: Beroep | None = None
    codeWerkEnDenkniveauMinimaal: Annotated[str, cl.WERK_EN_DENKNIVEAU_VACATURE] | None = None
    competentiebeheersing: list[Competentiebeheersing] | None = None
    contractvorm: list[Contractvorm] | None = None
    cursus: list[Cursus] | None = None
    flexibiliteit: Flexibiliteit | None = None
    naamVacature: String120 | None = None
    omschrijvingVacature: String2000 | None = None
    opleiding: list[Opleiding] | None = None
    rijbewijs: list[Rijbewijs] | None = None
    sector: SectorBeroepsEnBedrijfsleven | None = None
    sluitingsdatumVacature: Date | None = None
    sollicitatiewijze: list[Sollicitatiewijze] | None = None
    taalbeheersing: list[Taalbeheersing] | None = None
    vervoermiddel: list[Vervoermiddel] | None = None
    werkervaring: list[Werkervaring] | None = None
    werktijden: Werktijden | None = None


class Vacature(_VacatureZoekprofiel):
    """The detail vacancy, as a source holds it and a detail request returns it."""

    adres: Adres | None = None
    idVacature: SafeIDString  # required in the Vacature schema (unlike idWerkzoekende)
    nummerVacature: String11 | None = None
    werkgever: Werkgever | None = None


class MPVacatureMatch(_VacatureZoekprofiel):
    """A summary in a source's answer (VUM-Bron)."""

    adres: Adres
    idVacature: SafeIDString
    werkgever: MPWerkgever | None = None


class VumVacatureMatch(_VacatureZoekprofiel):
    """A summary in the facility's answer (VUM-Bemiddelaar): the source's id replaced by a vumID."""

    model_config = ConfigDict(title="MPVacatureMatch")

    adres: Adres
    vumID: VumID
    werkgever: MPWerkgever | None = None


class BronVacatureMatchesResponse(BaseModel):
    """A source's answer to ``POST /vacatures/matches``."""

    model_config = ConfigDict(strict=True)

    maximumAantalResultatenBereikt: bool
    matches: list[MPVacatureMatch]


class VacatureMatchesResponse(BaseModel):
    """The facility's answer to a mediator's ``POST /vacatures/matches``."""

    model_config = ConfigDict(strict=True)

    maximumAantalResultatenBereikt: bool
    vraagID: VraagID
    matches: list[VumVacatureMatch]


class VacatureDetailResponse(WireModel):
    """The facility's answer to ``GET /vacatures/{vumID}``."""

    model_config = ConfigDict(extra="allow")

    bronID: String200 | None = None
    vacature: Vacature | None = None
