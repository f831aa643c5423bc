# SPDX-License-Identifier: EUPL-1.2
"""The job-seeker profile (Werkzoekende) of gegevensstandaard 1.5, its summary and the wire envelopes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict

from vum.standard import codelists as cl
from vum.standard.common import (
    Beroep,
    Competentiebeheersing,
    Contractvorm,
    Interesse,
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
    Integer10AsString,
    Integer1000,
    Postcode,
    SafeIDString,
    String35,
    String70,
    String120,
    String200,
    String500,
    String2000,
    Telefoonnummer,
    VraagID,
    VumID,
    WireModel,
)


class Cursus(WireModel):
    indicatieCertificaat: Annotated[int, cl.INDICATIE_DIPLOMA] | None = None
    naamCursus: String120 | None = None
    toelichtingCursus: String2000 | None = None
    datumAanvangVolgenCursus: Date | None = None
    datumCertificaat: Date | None = None
    datumEindeVolgenCursus: Date | None = None
    naamOpleidingsinstituut: String500 | None = None


class Opleiding(WireModel):
    codeOpleidingsnaam: Integer10AsString | None = None
    codeNiveauOpleiding: Annotated[int, cl.NIVEAU_OPLEIDING] | None = None
    indicatieDiploma: Annotated[int, cl.INDICATIE_DIPLOMA] | None = None
    toelichtingOpleiding: String2000 | None = None
    codeStatusOpleiding: Annotated[int, cl.STATUS_OPLEIDING] | None = None
    datumAanvangVolgenOpleiding: Date | None = None
    datumDiploma: Date | None = None
    datumEindeVolgenOpleiding: Date | None = None
    naamOpleidingsinstituut: String500 | None = None


class Werkervaring(WireModel):
    beroep: Beroep | None = None
    datumAanvangWerkzaamheden: Date | None = None
    datumEindeWerkzaamheden: Date | None = None
    naamOrganisatie: String70 | None = None
    toelichtingWerkervaring: String2000 | None = None


class Arbeidsmarktkwalificatie(WireModel):
    codeWerkEnDenkniveauWerkzoekende: Annotated[int, cl.WERK_EN_DENKNIVEAU] | None = None
    cursus: list[Cursus] | None = None
    competentiebeheersing: list[Competentiebeheersing] | None = None
    interesse: list[Interesse] | None = None
    opleiding: list[Opleiding] | None = None
    rijbewijs: list[Rijbewijs] | None = None
    taalbeheersing: list[Taalbeheersing] | None = None
    werkervaring: list[Werkervaring] | None = None


class ContactpersoonAfdeling(WireModel):
    """The consultant or department to contact — not the job seeker (pilot finding 13)."""

    naamContactpersoonAfdeling: String35 | None = None
    emailadres: Emailadres | None = None
    telefoonnummer: Telefoonnummer | None = None


class EisAanWerk(WireModel):
    indicatieAanpassingWerkomgeving: Annotated[int, cl.INDICATIE] | None = None
    indicatieBegeleiding: Annotated[int, cl.INDICATIE] | None = None
    indicatieWerkvariatie: Annotated[int, cl.INDICATIE] | None = None


class Flexibiliteit(WireModel):
    datumEindeBeschikbaarVoorWerk: Date | None = None
    indicatieOnregelmatigWerkOfPloegendienst: Annotated[int, cl.INDICATIE] | None = None
    datumAanvangBeschikbaarVoorWerk: Date | None = None


class Mobiliteit(WireModel):
    bemiddelingspostcode: Postcode
    maximaleReisafstand: Integer1000 | None = None
    maximaleReistijd: Integer1000 | None = None


class _WerkzoekendeZoekprofiel(WireModel):
    """The members of the first answer (zoekprofiel); see :mod:`vum.standard.attributes`."""

    arbeidsmarktkwalificatie: Arbeidsmarktkwalificatie | None = None
    bemiddelingsberoep: list[Beroep] | None = None
    contractvorm: list[Contractvorm] | None = None
    flexibiliteit: Flexibiliteit | None = None
    indicatieBeschikbaarheidContactgegevens: Annotated[int, cl.JA_NEE] | None = None
    sector: list[SectorBeroepsEnBedrijfsleven] | None = None
    vervoermiddel: list[Vervoermiddel] | None = None
    werktijden: Werktijden | None = None


class Werkzoekende(_WerkzoekendeZoekprofiel):
    """The detail profile (detailprofiel), as a source holds it and a detail request returns it."""

    mobiliteit: Mobiliteit | None = None
    idWerkzoekende: SafeIDString | None = None
    contactpersoon: list[ContactpersoonAfdeling] | None = None
    eisAanWerk: EisAanWerk | None = None
    emailadres: list[Emailadres] | None = None
    indicatieLdrRegistratie: Annotated[int, cl.JA_NEE] | None = None
    persoonlijkePresentatie: String2000 | None = None
    telefoonnummer: list[Telefoonnummer] | None = None
    webadres: list[Webadres] | None = None


class MPWerkzoekendeMatch(_WerkzoekendeZoekprofiel):
    """A summary in a source's answer (VUM-Bron): the zoekprofiel with the source's own id."""

    mobiliteit: Mobiliteit
    idWerkzoekende: SafeIDString


class VumWerkzoekendeMatch(_WerkzoekendeZoekprofiel):
    """A summary in the facility's answer (VUM-Bemiddelaar): the source's id replaced by a vumID."""

    model_config = ConfigDict(title="MPWerkzoekendeMatch")

    mobiliteit: Mobiliteit
    vumID: VumID


class BronWerkzoekendeMatchesResponse(BaseModel):
    """A source's answer to ``POST /werkzoekendeProfielen/matches``."""

    model_config = ConfigDict(strict=True)

    maximumAantalResultatenBereikt: bool
    matches: list[MPWerkzoekendeMatch]


class WerkzoekendeProfielMatchesResponse(BaseModel):
    """The facility's answer to a mediator's ``POST /werkzoekendeProfielen/matches``."""

    model_config = ConfigDict(strict=True)

    maximumAantalResultatenBereikt: bool
    vraagID: VraagID
    matches: list[VumWerkzoekendeMatch]


class WerkzoekendeDetailResponse(WireModel):
    """The facility's answer to ``GET /werkzoekendeProfielen/{vumID}``."""

    model_config = ConfigDict(extra="allow")

    bronID: String200 | None = None
    werkzoekende: Werkzoekende | None = None
