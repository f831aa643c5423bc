# SPDX-License-Identifier: EUPL-1.2
"""The selectievraag (vraagObject) as the contracts spell it: the Mongo-subset members per domain, as pydantic models.

Unknown members are allowed and kept (``extra="allow"``): a source ignores criteria it does not
know, which is how the query language stays forward compatible and how extensions travel.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from vum.standard import codelists as cl
from vum.standard.types import (
    URI,
    AantalWerkuren,
    Date,
    Integer1000,
    Postcode,
    TaalCode3,
    prune_empty,
)


class QueryPart(BaseModel):
    """Base of every query member: wire names through aliases, strict JSON types, unknown members kept."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _absent_when_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return prune_empty(data)
        return data

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Selectiegebied(QueryPart):
    """VUM: the record's postcode lies within ``afstand`` km of ``postcode`` (not Mongo; required)."""

    postcode: Postcode
    afstand: Integer1000


class EqURI(QueryPart):
    eq: URI | None = Field(None, alias="$eq")


class BeroepsnaamSelectie(QueryPart):
    beroep_codeBeroepsnaam: EqURI | None = Field(None, alias="beroep.codeBeroepsnaam")


class _OrBeroepsnaam(QueryPart):
    or_: list[BeroepsnaamSelectie] | None = Field(None, alias="$or")


class BemiddelingsberoepSelectie(QueryPart):
    """OR within occupations: ``{"$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": URI}}]}}``."""

    elemMatch: _OrBeroepsnaam | None = Field(None, alias="$elemMatch")


class EqTypeArbeidscontract(QueryPart):
    eq: Annotated[str, cl.TYPE_ARBEIDSCONTRACT] | None = Field(None, alias="$eq")


class TypeArbeidscontractSelectie(QueryPart):
    codeTypeArbeidscontract: EqTypeArbeidscontract | None = None


class _OrContractvorm(QueryPart):
    or_: Annotated[list[TypeArbeidscontractSelectie], Field(min_length=1)] | None = Field(
        None, alias="$or"
    )


class ContractvormSelectie(QueryPart):
    """OR within contract types."""

    elemMatch: _OrContractvorm | None = Field(None, alias="$elemMatch")


class EqIndicatie(QueryPart):
    eq: Annotated[int, cl.QUERY_INDICATIE] | None = Field(None, alias="$eq")


class EqRijbewijs(QueryPart):
    eq: Annotated[str, cl.SOORT_RIJBEWIJS] | None = Field(None, alias="$eq")


class _RijbewijsElem(QueryPart):
    codeSoortRijbewijs: EqRijbewijs | None = None


class RijbewijsMatch(QueryPart):
    elemMatch: _RijbewijsElem | None = Field(None, alias="$elemMatch")


class RijbewijsSelectie(QueryPart):
    """ALL of these licences: ``{"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "C"}}}]}``."""

    all_: Annotated[list[RijbewijsMatch], Field(min_length=1)] | None = Field(None, alias="$all")


class EqTaal(QueryPart):
    eq: TaalCode3 | None = Field(None, alias="$eq")


class GteTaalniveau(QueryPart):
    gte: Annotated[int, cl.QUERY_NIVEAU_TAALBEHEERSING] | None = Field(None, alias="$gte")


class _TaalElem(QueryPart):
    codeTaal: EqTaal
    codeNiveauTaalbeheersingMondeling: GteTaalniveau | None = None
    codeNiveauTaalbeheersingSchriftelijk: GteTaalniveau | None = None


class TaalMatch(QueryPart):
    elemMatch: _TaalElem | None = Field(None, alias="$elemMatch")


class TaalbeheersingSelectie(QueryPart):
    """ALL of these languages, each with optional minimum oral and written levels."""

    all_: Annotated[list[TaalMatch], Field(min_length=1)] | None = Field(None, alias="$all")


class LteDate(QueryPart):
    lte: Date | None = Field(None, alias="$lte")


class GteDate(QueryPart):
    gte: Date | None = Field(None, alias="$gte")


class GteUren(QueryPart):
    gte: AantalWerkuren | None = Field(None, alias="$gte")


class LteUren(QueryPart):
    lte: AantalWerkuren | None = Field(None, alias="$lte")


class WerkEnDenkniveauSelectie(QueryPart):
    """Either ``{"$gte": "1".."6", "$lt": "7"}`` or ``{"$eq": "7"}`` (level not known)."""

    gte: Annotated[str, cl.QUERY_WERK_EN_DENKNIVEAU_VANAF] | None = Field(None, alias="$gte")
    lt: Annotated[str, cl.CodeList("Onbekend", {"7": "(Nog) niet bekend"})] | None = Field(
        None, alias="$lt"
    )
    eq: Annotated[str, cl.CodeList("Onbekend", {"7": "(Nog) niet bekend"})] | None = Field(
        None, alias="$eq"
    )

    @model_validator(mode="after")
    def _one_form(self) -> WerkEnDenkniveauSelectie:
        # oneOf in the contract: a range that requires $lt, or $eq "7" without $lt.
        if self.eq is not None and (self.lt is not None or self.gte is not None):
            raise PydanticCustomError(
                "vum_level_form", "Use either {$gte, $lt} or {$eq: '7'}, not both", {}
            )
        if self.gte is not None and self.lt is None:
            raise PydanticCustomError("vum_level_form", "$gte requires $lt: '7'", {})
        return self


class MPWerkzoekende(QueryPart):
    """The vraagObject for job-seeker profiles."""

    model_config = ConfigDict(title="MPWerkzoekende")

    selectiegebied: Selectiegebied
    bemiddelingsberoep: BemiddelingsberoepSelectie | None = None
    contractvorm: ContractvormSelectie | None = None
    flexibiliteit_indicatieOnregelmatigWerkOfPloegendienst: EqIndicatie | None = Field(
        None, alias="flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"
    )
    arbeidsmarktkwalificatie_rijbewijs: RijbewijsSelectie | None = Field(
        None, alias="arbeidsmarktkwalificatie.rijbewijs"
    )
    arbeidsmarktkwalificatie_taalbeheersing: TaalbeheersingSelectie | None = Field(
        None, alias="arbeidsmarktkwalificatie.taalbeheersing"
    )
    datumAanvangBeschikbaarVoorWerk: LteDate | None = None
    werktijden_indicatieKantoortijden: EqIndicatie | None = Field(
        None, alias="werktijden.indicatieKantoortijden"
    )
    werktijden_aantalWerkurenPerWeekMaximaal: GteUren | None = Field(
        None, alias="werktijden.aantalWerkurenPerWeekMaximaal"
    )
    werktijden_aantalWerkurenPerWeekMinimaal: LteUren | None = Field(
        None, alias="werktijden.aantalWerkurenPerWeekMinimaal"
    )


class MPVacature(QueryPart):
    """The vraagObject for vacancies."""

    model_config = ConfigDict(title="MPVacature")

    selectiegebied: Selectiegebied
    beroep_codeBeroepsnaam: EqURI | None = Field(None, alias="beroep.codeBeroepsnaam")
    codeWerkEnDenkniveauMinimaal: WerkEnDenkniveauSelectie | None = None
    datumAanvangWerkzaamheden: GteDate | None = None
    flexibiliteit_indicatieOnregelmatigWerkOfPloegendienst: EqIndicatie | None = Field(
        None, alias="flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"
    )
    rijbewijs: RijbewijsSelectie | None = None
    taalbeheersing: TaalbeheersingSelectie | None = None
    werktijden_aantalWerkurenPerWeekMaximaal: GteUren | None = Field(
        None, alias="werktijden.aantalWerkurenPerWeekMaximaal"
    )
    werktijden_aantalWerkurenPerWeekMinimaal: LteUren | None = Field(
        None, alias="werktijden.aantalWerkurenPerWeekMinimaal"
    )


def unknown_members(
    part: BaseModel, path: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    """Paths of every member the contracts do not define (kept, and ignored when evaluating)."""
    found: list[tuple[str | int, ...]] = []
    for key in part.model_extra or {}:
        found.append((*path, key))
    for name, info in type(part).model_fields.items():
        value = getattr(part, name)
        wire = info.alias or name
        if isinstance(value, BaseModel):
            found.extend(unknown_members(value, (*path, wire)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found.extend(unknown_members(item, (*path, wire, i)))
    return found
