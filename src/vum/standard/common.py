# SPDX-License-Identifier: EUPL-1.2
"""Data objects that profiles and vacancies share with identical shape (Beroep, Rijbewijs, Taalbeheersing, ...)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict

from vum.standard import codelists as cl
from vum.standard.types import (
    URI,
    URL,
    Integer2,
    Integer5,
    String120,
    String500,
    String2000,
    StringCode,
    TaalCode3,
    WireModel,
)


class Beroep(WireModel):
    """An occupation, coded as a CompetentNL URI (or a register's own URI)."""

    codeBeroepsnaam: URI | None = None


class Competentiebeheersing(WireModel):
    codeCompetentie: URI | None = None


class Contractvorm(WireModel):
    codeTypeArbeidscontract: Annotated[str, cl.TYPE_ARBEIDSCONTRACT] | None = None
    codeTypeOvereenkomst: Annotated[str, cl.TYPE_OVEREENKOMST] | None = None


class Interesse(WireModel):
    naamInteresse: String120 | None = None


class Rijbewijs(WireModel):
    codeSoortRijbewijs: Annotated[str, cl.SOORT_RIJBEWIJS] | None = None


class SectorBeroepsEnBedrijfsleven(WireModel):
    codeSbi: Integer5 | None = None


class Taalbeheersing(WireModel):
    codeNiveauTaalbeheersingLezen: Annotated[int, cl.NIVEAU_TAALBEHEERSING] | None = None
    codeNiveauTaalbeheersingLuisteren: Annotated[int, cl.NIVEAU_TAALBEHEERSING] | None = None
    codeNiveauTaalbeheersingMondeling: Annotated[int, cl.NIVEAU_TAALBEHEERSING] | None = None
    codeNiveauTaalbeheersingSchriftelijk: Annotated[int, cl.NIVEAU_TAALBEHEERSING] | None = None
    codeTaal: TaalCode3 | None = None


class Vervoermiddel(WireModel):
    codeVervoermiddel: Annotated[int, cl.VERVOERMIDDEL] | None = None
    indicatieBeschikbaarVoorUitvoeringWerk: Annotated[int, cl.INDICATIE] | None = None
    indicatieBeschikbaarVoorWoonWerkverkeer: Annotated[int, cl.INDICATIE] | None = None


class Webadres(WireModel):
    codeWebadres: Annotated[int, cl.WEBADRES] | None = None
    url: URL | None = None


class Werktijden(WireModel):
    aantalWerkurenPerWeekMaximaal: Integer2 | None = None
    aantalWerkurenPerWeekMinimaal: Integer2 | None = None
    indicatieKantoortijden: Annotated[int, cl.INDICATIE] | None = None


class Error(WireModel):
    """The contracts' error body: ``{code, message, details}`` (codes such as 400.01, 429.01)."""

    # The contracts leave the error body open (no additionalProperties: false).
    model_config = ConfigDict(extra="allow")

    code: StringCode
    message: String500
    details: String2000 | None = None
