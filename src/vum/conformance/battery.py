# SPDX-License-Identifier: EUPL-1.2
"""The battery: valid queries of every allowed form (built from records the source showed), malformed and unknown-member variants."""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vum.conformance.semantics import postcode_of
from vum.standard.kinds import Kind
from vum.standard.query import Query, parse_query, query_model

W, V = Kind.WERKZOEKENDE, Kind.VACATURE

#: (centre, km) of the first queries, asked before anything is known about the data
AREA_PROBES: tuple[tuple[str, int], ...] = (
    ("1012RJ", 999),  # Amsterdam, the whole country
    ("3512JC", 100),  # Utrecht
    ("9711LV", 50),  # Groningen
    ("5611EM", 25),  # Eindhoven
    ("1315HR", 10),  # Almere
)
#: an occupation no source holds: the answer must be empty
UNKNOWN_OCCUPATION = "https://example.org/vum-conformance/onbekend-beroep"


@dataclass(frozen=True)
class Probe:
    """A valid vraagObject of a named form, with its parsed query."""

    form: str
    wire: dict[str, Any]
    query: Query


@dataclass(frozen=True)
class Bad:
    """A request that the contract refuses: a JSON body, or raw bytes."""

    label: str
    body: Any = None
    raw: bytes | None = None


def probe(kind: Kind, form: str, wire: dict[str, Any]) -> Probe:
    return Probe(form, wire, parse_query(kind, wire))


def query_members(kind: Kind) -> list[str]:
    """The top-level members of the contract's vraagObject for ``kind``."""
    return [f.alias or name for name, f in query_model(kind).model_fields.items()]


def area_probes(kind: Kind) -> list[Probe]:
    return [
        probe(kind, f"gebied-{km}km", {"selectiegebied": {"postcode": pc, "afstand": km}})
        for pc, km in AREA_PROBES
    ]


# -- values of a record, as the query paths see them -----------------------------------------


def _get(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _items(record: Mapping[str, Any], path: str) -> list[Mapping[str, Any]]:
    value = _get(record, path)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def occupations(kind: Kind, record: Mapping[str, Any]) -> list[str]:
    items = _items(record, "bemiddelingsberoep") if kind is W else [record.get("beroep") or {}]
    return [i["codeBeroepsnaam"] for i in items if isinstance(i.get("codeBeroepsnaam"), str)]


def _prefix(kind: Kind) -> str:
    return "arbeidsmarktkwalificatie." if kind is W else ""


def _licences(kind: Kind, record: Mapping[str, Any]) -> list[str]:
    items = _items(record, _prefix(kind) + "rijbewijs")
    return sorted(
        {i["codeSoortRijbewijs"] for i in items if isinstance(i.get("codeSoortRijbewijs"), str)}
    )


def _languages(kind: Kind, record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        i
        for i in _items(record, _prefix(kind) + "taalbeheersing")
        if isinstance(i.get("codeTaal"), str)
    ]


def _contract_types(record: Mapping[str, Any]) -> list[str]:
    items = _items(record, "contractvorm")
    return sorted(
        {
            i["codeTypeArbeidscontract"]
            for i in items
            if isinstance(i.get("codeTypeArbeidscontract"), str)
        }
    )


def _int(record: Mapping[str, Any], path: str) -> int | None:
    value = _get(record, path)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(record: Mapping[str, Any], path: str) -> str | None:
    value = _get(record, path)
    return value if isinstance(value, str) and value else None


# -- the forms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    kind: Kind
    record: Mapping[str, Any]
    variant: int
    pool: Sequence[str]

    def area(self, km: int) -> dict[str, Any]:
        return {"selectiegebied": {"postcode": postcode_of(self.kind, self.record), "afstand": km}}


def _or(path: str, values: Sequence[Any]) -> dict[str, Any]:
    return {"$elemMatch": {"$or": [{path: {"$eq": v}} for v in values]}}


def _all_licences(codes: Sequence[str]) -> dict[str, Any]:
    return {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": c}}} for c in codes]}


def _occupation(c: _Ctx, uris: Sequence[str]) -> dict[str, Any]:
    if c.kind is W:
        return {"bemiddelingsberoep": _or("beroep.codeBeroepsnaam", uris)}
    return {"beroep.codeBeroepsnaam": {"$eq": uris[0]}}


def _f_area(c: _Ctx) -> dict[str, Any]:
    return c.area((5, 15, 999)[c.variant % 3])


def _f_occupation(c: _Ctx) -> dict[str, Any]:
    own = occupations(c.kind, c.record)
    return {**c.area(25), **_occupation(c, own[:1] or [UNKNOWN_OCCUPATION])}


def _f_occupations(c: _Ctx) -> dict[str, Any]:
    own = occupations(c.kind, c.record)[:1]
    others = [u for u in c.pool if u not in own][: 3 - len(own)]
    return {**c.area(50), **_occupation(c, [*own, *others] or [UNKNOWN_OCCUPATION])}


def _f_unknown_occupation(c: _Ctx) -> dict[str, Any]:
    return {**c.area(999), **_occupation(c, [UNKNOWN_OCCUPATION])}


def _f_contract(c: _Ctx) -> dict[str, Any]:
    types = _contract_types(c.record) or ["B"]
    return {
        **c.area(50),
        "contractvorm": _or("codeTypeArbeidscontract", types[: 1 + c.variant % 2]),
    }


def _indicator(value: int | None) -> int:
    return value if value in (1, 2) else 1


def _f_irregular(c: _Ctx) -> dict[str, Any]:
    path = "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"
    return {**c.area(50), path: {"$eq": _indicator(_int(c.record, path))}}


def _f_office(c: _Ctx) -> dict[str, Any]:
    path = "werktijden.indicatieKantoortijden"
    return {**c.area(50), path: {"$eq": _indicator(_int(c.record, path))}}


def _f_licences(c: _Ctx) -> dict[str, Any]:
    codes = _licences(c.kind, c.record) or ["B"]
    return {**c.area(50), _prefix(c.kind) + "rijbewijs": _all_licences(codes[: 1 + c.variant % 2])}


def _language_items(c: _Ctx, with_levels: bool) -> list[dict[str, Any]]:
    items = []
    for lang in _languages(c.kind, c.record)[: 1 + c.variant % 2] or [{"codeTaal": "nld"}]:
        elem: dict[str, Any] = {"codeTaal": {"$eq": lang["codeTaal"]}}
        for member in ("codeNiveauTaalbeheersingMondeling", "codeNiveauTaalbeheersingSchriftelijk"):
            level = lang.get(member)
            if with_levels and isinstance(level, int) and 2 <= level <= 4:
                elem[member] = {"$gte": level}
        items.append({"$elemMatch": elem})
    return items


def _f_languages(c: _Ctx) -> dict[str, Any]:
    return {**c.area(50), _prefix(c.kind) + "taalbeheersing": {"$all": _language_items(c, True)}}


def _hours(c: _Ctx, variant: int) -> dict[str, Any]:
    """Hours that overlap the record's range: both bounds, only the lower or only the upper one
    (by ``variant``), each only when the record has the value it is compared with."""
    low = _int(c.record, "werktijden.aantalWerkurenPerWeekMinimaal")
    high = _int(c.record, "werktijden.aantalWerkurenPerWeekMaximaal")
    wanted = {0: ("gte", "lte"), 1: ("gte",), 2: ("lte",)}[variant % 3]
    present = [s for s, v in (("gte", high), ("lte", low)) if v is not None]
    sides = [s for s in wanted if s in present] or present
    out: dict[str, Any] = {}
    if "gte" in sides and high is not None:
        out["werktijden.aantalWerkurenPerWeekMaximaal"] = {"$gte": max(1, min(99, high - 4))}
    if "lte" in sides and low is not None:
        out["werktijden.aantalWerkurenPerWeekMinimaal"] = {"$lte": max(1, min(99, low + 4))}
    return out


def _f_hours(c: _Ctx) -> dict[str, Any]:
    default = {
        "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 16},
        "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 36},
    }
    return {**c.area(50), **(_hours(c, c.variant) or default)}


def _f_available(c: _Ctx) -> dict[str, Any]:
    day = _text(c.record, "flexibiliteit.datumAanvangBeschikbaarVoorWerk") or "2026-12-31"
    return {**c.area(50), "datumAanvangBeschikbaarVoorWerk": {"$lte": day}}


def _f_start(c: _Ctx) -> dict[str, Any]:
    day = _text(c.record, "arbeidsVoorwaarden.datumAanvangWerkzaamheden")
    try:
        start = (
            (dt.date.fromisoformat(day) - dt.timedelta(days=30 * c.variant)).isoformat()
            if day
            else "2026-01-01"
        )
    except ValueError:
        start = "2026-01-01"
    return {**c.area(50), "datumAanvangWerkzaamheden": {"$gte": start}}


def _f_level(c: _Ctx) -> dict[str, Any]:
    level = _text(c.record, "codeWerkEnDenkniveauMinimaal")
    if level == "7" or (level is None and c.variant % 2):
        condition: dict[str, Any] = {"$eq": "7"}
    else:
        condition = {"$gte": level if level in ("1", "2", "3", "4", "5", "6") else "1", "$lt": "7"}
    return {**c.area(50), "codeWerkEnDenkniveauMinimaal": condition}


def _f_combined(c: _Ctx) -> dict[str, Any]:
    own = occupations(c.kind, c.record)[:1] or [UNKNOWN_OCCUPATION]
    return {
        **c.area(50),
        **_occupation(c, own),
        _prefix(c.kind) + "rijbewijs": _all_licences((_licences(c.kind, c.record) or ["B"])[:1]),
        _prefix(c.kind) + "taalbeheersing": {"$all": _language_items(c, False)[:1]},
        **_hours(c, 0),
    }


_Builder = Callable[[_Ctx], dict[str, Any]]
#: (form, kinds, the member a record should have for the query to find it, builder)
FORMS: tuple[tuple[str, tuple[Kind, ...], Callable[[Kind, Mapping[str, Any]], bool], _Builder], ...] = (
    ("gebied", (W, V), lambda k, r: True, _f_area),
    ("beroep", (W, V), lambda k, r: bool(occupations(k, r)), _f_occupation),
    ("beroepen-of", (W,), lambda k, r: bool(occupations(k, r)), _f_occupations),
    ("beroep-onbekend", (W, V), lambda k, r: True, _f_unknown_occupation),
    ("contractvorm", (W,), lambda k, r: bool(_contract_types(r)), _f_contract),
    ("onregelmatig", (W, V), lambda k, r: _int(r, "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst") in (1, 2), _f_irregular),
    ("kantoortijden", (W,), lambda k, r: _int(r, "werktijden.indicatieKantoortijden") in (1, 2), _f_office),
    ("rijbewijs", (W, V), lambda k, r: bool(_licences(k, r)), _f_licences),
    ("talen", (W, V), lambda k, r: bool(_languages(k, r)), _f_languages),
    ("werkuren", (W, V), lambda k, r: _int(r, "werktijden.aantalWerkurenPerWeekMaximaal") is not None, _f_hours),
    ("beschikbaar", (W,), lambda k, r: bool(_text(r, "flexibiliteit.datumAanvangBeschikbaarVoorWerk")), _f_available),
    ("start", (V,), lambda k, r: bool(_text(r, "arbeidsVoorwaarden.datumAanvangWerkzaamheden")), _f_start),
    ("niveau", (V,), lambda k, r: bool(_text(r, "codeWerkEnDenkniveauMinimaal")), _f_level),
    ("combinatie", (W, V), lambda k, r: bool(occupations(k, r) and _licences(k, r) and _languages(k, r)), _f_combined),
)  # fmt: skip

#: a record to build queries around when the source showed none
_FALLBACK: dict[Kind, dict[str, Any]] = {
    W: {"mobiliteit": {"bemiddelingspostcode": "3512JC"}},
    V: {"adres": {"postcode": "3512JC"}},
}


def forms(
    kind: Kind, records: Sequence[Mapping[str, Any]], *, variants: int, seed: int
) -> list[Probe]:
    """``variants`` queries of every form of ``kind``, each built around a record that has what the form asks."""
    rng = random.Random(f"{seed}-{kind.value}")
    placed = [r for r in records if postcode_of(kind, r)] or [_FALLBACK[kind]]
    pool = sorted({u for r in placed for u in occupations(kind, r)})
    out: list[Probe] = []
    for name, kinds, fits, build in FORMS:
        if kind not in kinds:
            continue
        candidates = [r for r in placed if fits(kind, r)] or placed
        for variant in range(variants):
            record = rng.choice(candidates)
            wire = build(_Ctx(kind, record, variant, rng.sample(pool, min(len(pool), 5))))
            out.append(probe(kind, name, wire))
    return out


# -- variants that test the rules rather than the data ----------------------------------------


def with_unknown_members(base: Probe) -> list[tuple[str, dict[str, Any]]]:
    """The base query with members the contract does not define, at several depths."""
    top = {**copy.deepcopy(base.wire), "x-conformance-onbekend": {"$eq": "x"}}
    dotted = {**copy.deepcopy(base.wire), "onbekendVeld.code": {"$eq": 1}}
    nested = copy.deepcopy(base.wire)
    nested["selectiegebied"]["eenheid"] = "km"
    return [
        ("onbekend gegeven op het hoogste niveau (unknown top-level member)", top),
        ("onbekend pad met punt (unknown dotted path)", dotted),
        ("onbekend gegeven in selectiegebied (unknown nested member)", nested),
    ]


def malformed(kind: Kind, base: Probe) -> list[Bad]:
    """Requests whose body breaks the contract's request schema: each must get 400."""
    area = dict(base.wire["selectiegebied"])
    prefix = _prefix(kind)

    def q(**members: Any) -> dict[str, Any]:
        return {"vraagObject": {"selectiegebied": area, **members}}

    bad = [
        Bad("body zonder vraagObject (no vraagObject)", {}),
        Bad("body is geen JSON (not JSON)", raw=b'{"vraagObject": '),
        Bad("body is een array (an array)", [{"vraagObject": base.wire}]),
        Bad("vraagObject is geen object (not an object)", {"vraagObject": "alles"}),
        Bad(
            "selectiegebied ontbreekt (missing)",
            {"vraagObject": {"werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 16}}},
        ),
        Bad(
            "postcode ongeldig (invalid postcode)",
            {"vraagObject": {"selectiegebied": {"postcode": "1315", "afstand": 25}}},
        ),
        Bad(
            "afstand ontbreekt (missing afstand)",
            {"vraagObject": {"selectiegebied": {"postcode": area["postcode"]}}},
        ),
        Bad(
            "afstand 1000 (boven 999)",
            {"vraagObject": {"selectiegebied": {"postcode": area["postcode"], "afstand": 1000}}},
        ),
        Bad(
            "afstand als tekst (string)",
            {"vraagObject": {"selectiegebied": {"postcode": area["postcode"], "afstand": "25"}}},
        ),
        Bad("rijbewijs onbekende code (unknown code)", q(**{prefix + "rijbewijs": _all_licences(["Z9"])})),
        Bad(
            "taal zonder codeTaal (missing codeTaal)",
            q(**{prefix + "taalbeheersing": {"$all": [{"$elemMatch": {"codeNiveauTaalbeheersingMondeling": {"$gte": 3}}}]}}),
        ),
        Bad("werkuren als tekst (string)", q(**{"werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": "veertig"}})),
        Bad("indicatie 0 (not 1 or 2)", q(**{"flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 0}})),
    ]  # fmt: skip
    if kind is W:
        bad.append(
            Bad(
                "datum ongeldig (invalid date)",
                q(datumAanvangBeschikbaarVoorWerk={"$lte": "morgen"}),
            )
        )
        bad.append(
            Bad(
                "beroep $eq geen tekst (not a string)",
                q(bemiddelingsberoep=_or("beroep.codeBeroepsnaam", [7])),
            )
        )
    else:
        bad.append(
            Bad("datum ongeldig (invalid date)", q(datumAanvangWerkzaamheden={"$gte": "morgen"}))
        )
        bad.append(Bad("niveau $eq geen 7 (oneOf)", q(codeWerkEnDenkniveauMinimaal={"$eq": "3"})))
    return bad


def extra_member(base: Probe) -> dict[str, Any]:
    """A body with a member beside vraagObject."""
    return {"vraagObject": base.wire, "vraagID": "conformance-extra"}
