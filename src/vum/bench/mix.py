# SPDX-License-Identifier: EUPL-1.2
"""The benchmark's query mix: one named form per kind of criterion, as wire vraagObjects around ~20 real centres."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vum.standard.kinds import Kind
from vum.standard.query import Query, parse_query

#: Real PC6 codes across the country (every province), the centres of the selectiegebieden.
CENTRES: tuple[str, ...] = (
    "1012RJ",  # Amsterdam
    "2513AA",  # Den Haag
    "3011AD",  # Rotterdam
    "3512JC",  # Utrecht
    "5611EM",  # Eindhoven
    "9711LV",  # Groningen
    "6511PP",  # Nijmegen
    "6211CN",  # Maastricht
    "7511HC",  # Enschede
    "8911BH",  # Leeuwarden
    "4811XS",  # Breda
    "6811DG",  # Arnhem
    "8011PK",  # Zwolle
    "5211JV",  # 's-Hertogenbosch
    "2011RD",  # Haarlem
    "1781AS",  # Den Helder
    "4331LK",  # Middelburg
    "9401GR",  # Assen
    "1315HR",  # Almere
    "5911CB",  # Venlo
)

TEXT_SEARCH = "heftruck magazijn"
#: how many of the most frequent occupations in the data the forms draw from
OCCUPATION_POOL = 100


@dataclass(frozen=True)
class Form:
    """One named form of query, in ``len(queries)`` variants (other centres, occupations, values)."""

    name: str
    description: str
    wire: tuple[dict[str, Any], ...]
    queries: tuple[Query, ...]


@dataclass(frozen=True)
class _Pick:
    """What the i-th variant of a form uses."""

    index: int
    centre: str
    occupations: Sequence[str]

    def occupation(self, offset: int = 0) -> str:
        return self.occupations[(7 * self.index + offset) % len(self.occupations)]


def _area(pick: _Pick, km: int) -> dict[str, Any]:
    return {"selectiegebied": {"postcode": pick.centre, "afstand": km}}


def _or(path: str, values: Iterable[str]) -> dict[str, Any]:
    return {"$elemMatch": {"$or": [{path: {"$eq": v}} for v in values]}}


def _all_licences(codes: Iterable[str]) -> dict[str, Any]:
    return {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": c}}} for c in codes]}


def _all_languages(items: Iterable[tuple[str, int | None, int | None]]) -> dict[str, Any]:
    out = []
    for code, oral, written in items:
        elem: dict[str, Any] = {"codeTaal": {"$eq": code}}
        if oral is not None:
            elem["codeNiveauTaalbeheersingMondeling"] = {"$gte": oral}
        if written is not None:
            elem["codeNiveauTaalbeheersingSchriftelijk"] = {"$gte": written}
        out.append({"$elemMatch": elem})
    return {"$all": out}


def _occupations(kind: Kind, uris: Sequence[str]) -> dict[str, Any]:
    """Occupations the contract's way: OR in an $elemMatch for profiles; for vacancies the
    contract allows one, and open VUM's ``x-openvum.beroepen`` extension carries the others."""
    if kind is Kind.WERKZOEKENDE:
        return {"bemiddelingsberoep": _or("beroep.codeBeroepsnaam", uris)}
    out: dict[str, Any] = {"beroep.codeBeroepsnaam": {"$eq": uris[0]}}
    if len(uris) > 1:
        out["x-openvum"] = {"beroepen": list(uris[1:])}
    return out


def _prefix(kind: Kind) -> str:
    return "arbeidsmarktkwalificatie." if kind is Kind.WERKZOEKENDE else ""


def _licences(kind: Kind, p: _Pick) -> dict[str, Any]:
    codes = ("B",) if p.index % 2 == 0 else ("B", "C")
    return {_prefix(kind) + "rijbewijs": _all_licences(codes)}


def _languages(kind: Kind, p: _Pick) -> dict[str, Any]:
    items: tuple[tuple[str, int | None, int | None], ...] = (
        (("nld", 3, 3), ("eng", 2, None)) if p.index % 2 == 0 else (("nld", 4, None),)
    )
    return {_prefix(kind) + "taalbeheersing": _all_languages(items)}


def _hours(p: _Pick) -> dict[str, Any]:
    low, high = ((24, 32), (16, 24), (32, 40))[p.index % 3]
    return {
        "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": low},
        "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": high},
    }


def _available(p: _Pick) -> dict[str, Any]:
    day = ("2026-11-15", "2026-12-15", "2027-01-31")[p.index % 3]
    return {"datumAanvangBeschikbaarVoorWerk": {"$lte": day}}


def _start_and_level(p: _Pick) -> dict[str, Any]:
    level: dict[str, Any] = {"$gte": "3", "$lt": "7"} if p.index % 3 else {"$eq": "7"}
    return {
        "datumAanvangWerkzaamheden": {"$gte": "2027-01-01"},
        "codeWerkEnDenkniveauMinimaal": level,
    }


def _combined(kind: Kind, p: _Pick) -> dict[str, Any]:
    """What a mediator typically asks: occupations, a licence, Dutch, hours and a date."""
    q: dict[str, Any] = {
        **_area(p, 50),
        **_occupations(kind, [p.occupation(k) for k in range(3)]),
        _prefix(kind) + "rijbewijs": _all_licences(["B"]),
        _prefix(kind) + "taalbeheersing": _all_languages([("nld", 2, None)]),
        "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 16},
        "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 40},
    }
    if kind is Kind.WERKZOEKENDE:
        q["datumAanvangBeschikbaarVoorWerk"] = {"$lte": "2027-01-31"}
        q["werktijden.indicatieKantoortijden"] = {"$eq": 1}
    else:
        q["datumAanvangWerkzaamheden"] = {"$gte": "2026-12-01"}
    return q


_Builder = Callable[[Kind, _Pick], dict[str, Any]]

#: (name, description, kinds it applies to, builder)
_FORMS: tuple[tuple[str, str, tuple[Kind, ...], _Builder], ...] = (
    ("gebied-10km", "no criterion, 10 km", tuple(Kind), lambda k, p: _area(p, 10)),
    (
        "gebied-999km",
        "no criterion, country-wide (999 km)",
        tuple(Kind),
        lambda k, p: _area(p, 999),
    ),
    (
        "beroep-1",
        "one occupation, 25 km",
        tuple(Kind),
        lambda k, p: {**_area(p, 25), **_occupations(k, [p.occupation()])},
    ),
    (
        "beroepen-3",
        "three occupations (OR), 50 km",
        tuple(Kind),
        lambda k, p: {**_area(p, 50), **_occupations(k, [p.occupation(j) for j in range(3)])},
    ),
    (
        "contractvorm",
        "contract types (OR), 25 km",
        (Kind.WERKZOEKENDE,),
        lambda k, p: {
            **_area(p, 25),
            "contractvorm": _or(
                "codeTypeArbeidscontract", ("B",) if p.index % 2 == 0 else ("O", "B")
            ),
        },
    ),
    (
        "rijbewijs",
        "driving licences ($all), 50 km",
        tuple(Kind),
        lambda k, p: {**_area(p, 50), **_licences(k, p)},
    ),
    (
        "talen",
        "languages with minimum levels ($all), 25 km",
        tuple(Kind),
        lambda k, p: {**_area(p, 25), **_languages(k, p)},
    ),
    (
        "werkuren",
        "working hours overlap, 25 km",
        tuple(Kind),
        lambda k, p: {**_area(p, 25), **_hours(p)},
    ),
    (
        "beschikbaar",
        "available by a date, 25 km",
        (Kind.WERKZOEKENDE,),
        lambda k, p: {**_area(p, 25), **_available(p)},
    ),
    (
        "start-niveau",
        "start date and work level, 25 km",
        (Kind.VACATURE,),
        lambda k, p: {**_area(p, 25), **_start_and_level(p)},
    ),
    (
        "onregelmatig",
        "irregular hours, 25 km",
        tuple(Kind),
        lambda k, p: {
            **_area(p, 25),
            "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 1},
        },
    ),
    (
        "tekst",
        f"$text {TEXT_SEARCH!r}, 50 km",
        tuple(Kind),
        lambda k, p: {**_area(p, 50), "$text": {"$search": TEXT_SEARCH}},
    ),
    (
        "combinatie",
        "occupations + licence + language + hours + date, 50 km",
        tuple(Kind),
        _combined,
    ),
)


def form_names(kind: Kind) -> list[str]:
    """The names of the forms of ``kind``, in report order."""
    return [name for name, _, kinds, _ in _FORMS if kind in kinds]


def frequent_occupations(
    kind: Kind, records: Iterable[Mapping[str, Any]], limit: int = OCCUPATION_POOL
) -> list[str]:
    """The occupations that occur most in the data (ties by URI, so the mix is deterministic)."""
    counts: Counter[str] = Counter()
    for record in records:
        items = (
            record.get("bemiddelingsberoep")
            if kind is Kind.WERKZOEKENDE
            else [record.get("beroep")]
        )
        for item in items or []:
            if isinstance(item, Mapping) and isinstance(item.get("codeBeroepsnaam"), str):
                counts[item["codeBeroepsnaam"]] += 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return [uri for uri, _ in ranked[:limit]]


def build_mix(kind: Kind, records: Sequence[Mapping[str, Any]], per_form: int) -> list[Form]:
    """``per_form`` variants of every form of ``kind``, built as wire dicts and parsed."""
    pool = frequent_occupations(kind, records)
    if not pool:
        raise ValueError("the records name no occupations to query for")
    forms = []
    for name, description, kinds, build in _FORMS:
        if kind not in kinds:
            continue
        picks = [_Pick(i, CENTRES[i % len(CENTRES)], pool) for i in range(per_form)]
        wire = tuple(build(kind, p) for p in picks)
        queries = tuple(parse_query(kind, w) for w in wire)
        forms.append(Form(name, description, wire, queries))
    return forms
