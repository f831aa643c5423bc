# SPDX-License-Identifier: EUPL-1.2
"""Parse a vraagObject into a plain :class:`Query` (what engines use), and write one back to the wire.

Semantics ("selectie aan de bron", koppelvlak 3.0.0): top-level criteria are ANDed; OR within
occupations and contract types; ALL for driving licences and languages (each with optional
minimum levels); working hours match when the two ranges overlap; ``selectiegebied`` is required.
Unknown members are kept in :attr:`Query.extensions` and reported in :attr:`Query.ignored`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from vum.standard.errors import Problem, json_pointer, problems_from
from vum.standard.kinds import Kind
from vum.standard.query_wire import MPVacature, MPWerkzoekende, QueryPart, unknown_members


class QueryError(ValueError):
    """A malformed vraagObject (HTTP 400, code 400.01); every problem names its JSON pointer."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        first = self.problems[0].message if self.problems else "ongeldige zoekvraag"
        more = f" (+{len(self.problems) - 1})" if len(self.problems) > 1 else ""
        where = self.problems[0].pointer if self.problems else ""
        super().__init__(f"{where}: {first}{more}")


@dataclass(frozen=True)
class LanguageRequirement:
    """One language that every match must have, with optional minimum oral/written levels (2–4)."""

    code: str
    oral: int | None = None
    written: int | None = None


@dataclass(frozen=True)
class Query:
    """A parsed selectievraag. Empty tuples and None mean "no criterion"."""

    kind: Kind
    postcode: str
    radius_km: int
    occupations: tuple[str, ...] = ()
    contract_types: tuple[str, ...] = ()
    irregular_hours: int | None = None
    office_hours: int | None = None
    licences: tuple[str, ...] = ()
    languages: tuple[LanguageRequirement, ...] = ()
    #: profiles: flexibiliteit.datumAanvangBeschikbaarVoorWerk <= this date
    available_by: str | None = None
    #: vacancies: arbeidsVoorwaarden.datumAanvangWerkzaamheden >= this date
    starts_from: str | None = None
    #: hours overlap: the record's maximum >= hours_min, the record's minimum <= hours_max
    hours_min: int | None = None
    hours_max: int | None = None
    #: vacancies: codeWerkEnDenkniveauMinimaal >= level_from and < level_below, or == level_eq
    level_from: str | None = None
    level_below: str | None = None
    level_eq: str | None = None
    #: unknown top-level members, verbatim (extensions travel here)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    #: JSON pointers of every member that is not part of the contract and was ignored
    ignored: tuple[str, ...] = ()

    def to_wire(self, *, with_extensions: bool = True) -> dict[str, Any]:
        """The vraagObject for this query, as the contracts spell it."""
        q: dict[str, Any] = {
            "selectiegebied": {"postcode": self.postcode, "afstand": self.radius_km}
        }
        werkzoekende = self.kind is Kind.WERKZOEKENDE
        if self.occupations:
            if werkzoekende:
                q["bemiddelingsberoep"] = {
                    "$elemMatch": {
                        "$or": [{"beroep.codeBeroepsnaam": {"$eq": u}} for u in self.occupations]
                    }
                }
            else:
                # The contract allows one occupation for vacancies; more travel as an extension.
                q["beroep.codeBeroepsnaam"] = {"$eq": self.occupations[0]}
        if self.contract_types:
            q["contractvorm"] = {
                "$elemMatch": {
                    "$or": [{"codeTypeArbeidscontract": {"$eq": c}} for c in self.contract_types]
                }
            }
        if self.irregular_hours is not None:
            q["flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"] = {
                "$eq": self.irregular_hours
            }
        if self.office_hours is not None:
            q["werktijden.indicatieKantoortijden"] = {"$eq": self.office_hours}
        prefix = "arbeidsmarktkwalificatie." if werkzoekende else ""
        if self.licences:
            q[prefix + "rijbewijs"] = {
                "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": c}}} for c in self.licences]
            }
        if self.languages:
            items = []
            for lang in self.languages:
                elem: dict[str, Any] = {"codeTaal": {"$eq": lang.code}}
                if lang.oral is not None:
                    elem["codeNiveauTaalbeheersingMondeling"] = {"$gte": lang.oral}
                if lang.written is not None:
                    elem["codeNiveauTaalbeheersingSchriftelijk"] = {"$gte": lang.written}
                items.append({"$elemMatch": elem})
            q[prefix + "taalbeheersing"] = {"$all": items}
        if self.available_by is not None:
            q["datumAanvangBeschikbaarVoorWerk"] = {"$lte": self.available_by}
        if self.starts_from is not None:
            q["datumAanvangWerkzaamheden"] = {"$gte": self.starts_from}
        if self.hours_min is not None:
            q["werktijden.aantalWerkurenPerWeekMaximaal"] = {"$gte": self.hours_min}
        if self.hours_max is not None:
            q["werktijden.aantalWerkurenPerWeekMinimaal"] = {"$lte": self.hours_max}
        if self.level_eq is not None:
            q["codeWerkEnDenkniveauMinimaal"] = {"$eq": self.level_eq}
        elif self.level_below is not None:
            level: dict[str, Any] = {"$lt": self.level_below}
            if self.level_from is not None:
                level["$gte"] = self.level_from
            q["codeWerkEnDenkniveauMinimaal"] = level
        if with_extensions:
            for key, value in self.extensions.items():
                q.setdefault(key, value)
        return q


_MODELS: dict[Kind, type[QueryPart]] = {
    Kind.WERKZOEKENDE: MPWerkzoekende,
    Kind.VACATURE: MPVacature,
}


def query_model(kind: Kind) -> type[QueryPart]:
    """The pydantic model of the vraagObject of ``kind`` (for JSON Schema and validation)."""
    return _MODELS[kind]


def _dedupe(values: list[Any]) -> tuple[Any, ...]:
    # Arrays are unordered sets in VUM: keep the first occurrence of each value.
    return tuple(dict.fromkeys(v for v in values if v is not None))


def parse_query(kind: Kind, data: Any, *, prefix: Sequence[str | int] = ()) -> Query:
    """Validate and parse a vraagObject; raise :class:`QueryError` naming each bad JSON path."""
    if not isinstance(data, dict):
        raise QueryError(
            [
                Problem(
                    json_pointer(prefix),
                    "vraagObject moet een object zijn",
                    "must be an object",
                    "dict_type",
                )
            ]
        )
    try:
        wire = _MODELS[kind].model_validate(data)
    except ValidationError as exc:
        raise QueryError(problems_from(exc, prefix)) from None
    ignored = [json_pointer([*prefix, *p]) for p in unknown_members(wire)]
    extensions = dict(wire.model_extra or {})
    if isinstance(wire, MPWerkzoekende):
        return _from_werkzoekende(wire, extensions, ignored)
    assert isinstance(wire, MPVacature)
    return _from_vacature(wire, extensions, ignored)


def _languages(sel: Any) -> tuple[LanguageRequirement, ...]:
    if sel is None or not sel.all_:
        return ()
    out = []
    for item in sel.all_:
        elem = item.elemMatch
        if elem is None or elem.codeTaal.eq is None:
            continue
        oral = elem.codeNiveauTaalbeheersingMondeling
        written = elem.codeNiveauTaalbeheersingSchriftelijk
        out.append(
            LanguageRequirement(
                elem.codeTaal.eq,
                oral.gte if oral is not None else None,
                written.gte if written is not None else None,
            )
        )
    return _dedupe(out)


def _licences(sel: Any) -> tuple[str, ...]:
    if sel is None or not sel.all_:
        return ()
    return _dedupe(
        [
            m.elemMatch.codeSoortRijbewijs.eq
            for m in sel.all_
            if m.elemMatch is not None and m.elemMatch.codeSoortRijbewijs is not None
        ]
    )


def _hours(wire: MPWerkzoekende | MPVacature) -> tuple[int | None, int | None]:
    """(hours_min, hours_max): the record's maximum must reach the first, its minimum the second."""
    hi = wire.werktijden_aantalWerkurenPerWeekMaximaal
    lo = wire.werktijden_aantalWerkurenPerWeekMinimaal
    return (hi.gte if hi is not None else None, lo.lte if lo is not None else None)


def _eq(sel: Any) -> Any:
    return sel.eq if sel is not None else None


def _from_werkzoekende(
    wire: MPWerkzoekende, extensions: dict[str, Any], ignored: list[str]
) -> Query:
    occupations: list[str | None] = []
    if wire.bemiddelingsberoep is not None and wire.bemiddelingsberoep.elemMatch is not None:
        for item in wire.bemiddelingsberoep.elemMatch.or_ or []:
            occupations.append(_eq(item.beroep_codeBeroepsnaam))
    contract_types: list[str | None] = []
    if wire.contractvorm is not None and wire.contractvorm.elemMatch is not None:
        for ct in wire.contractvorm.elemMatch.or_ or []:
            contract_types.append(_eq(ct.codeTypeArbeidscontract))
    available = wire.datumAanvangBeschikbaarVoorWerk
    return Query(
        kind=Kind.WERKZOEKENDE,
        postcode=wire.selectiegebied.postcode.upper(),
        radius_km=wire.selectiegebied.afstand,
        occupations=_dedupe(occupations),
        contract_types=_dedupe(contract_types),
        irregular_hours=_eq(wire.flexibiliteit_indicatieOnregelmatigWerkOfPloegendienst),
        office_hours=_eq(wire.werktijden_indicatieKantoortijden),
        licences=_licences(wire.arbeidsmarktkwalificatie_rijbewijs),
        languages=_languages(wire.arbeidsmarktkwalificatie_taalbeheersing),
        available_by=available.lte if available is not None else None,
        extensions=extensions,
        ignored=tuple(ignored),
        hours_min=_hours(wire)[0],
        hours_max=_hours(wire)[1],
    )


def _from_vacature(wire: MPVacature, extensions: dict[str, Any], ignored: list[str]) -> Query:
    level = wire.codeWerkEnDenkniveauMinimaal
    starts = wire.datumAanvangWerkzaamheden
    occupation = _eq(wire.beroep_codeBeroepsnaam)
    return Query(
        kind=Kind.VACATURE,
        postcode=wire.selectiegebied.postcode.upper(),
        radius_km=wire.selectiegebied.afstand,
        occupations=(occupation,) if occupation else (),
        irregular_hours=_eq(wire.flexibiliteit_indicatieOnregelmatigWerkOfPloegendienst),
        licences=_licences(wire.rijbewijs),
        languages=_languages(wire.taalbeheersing),
        starts_from=starts.gte if starts is not None else None,
        level_from=level.gte if level is not None else None,
        level_below=level.lt if level is not None else None,
        level_eq=level.eq if level is not None else None,
        extensions=extensions,
        ignored=tuple(ignored),
        hours_min=_hours(wire)[0],
        hours_max=_hours(wire)[1],
    )
