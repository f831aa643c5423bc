# SPDX-License-Identifier: EUPL-1.2
"""What a correct answer holds: the reference evaluator per record, distances with a margin, the expected set of a data file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vum.geo.distance import haversine_km
from vum.geo.lookup import resolve
from vum.standard.evaluate import matches
from vum.standard.kinds import Kind
from vum.standard.query import Query, QueryError, parse_query


def _nowhere(_a: str, _b: str) -> float:
    return 0.0


class Geo:
    """Distances between postcodes by ``vum.geo`` (PC4 centroids), cached.

    None when a postcode cannot be placed, or only by a guess: a PC4 that the table lacks is put on
    its nearest neighbour by ``vum.geo``, and a source with other geodata may place it elsewhere.
    """

    def __init__(self) -> None:
        self._places: dict[str, tuple[float, float] | None] = {}

    def place(self, postcode: str) -> tuple[float, float] | None:
        try:
            return self._places[postcode]
        except KeyError:
            pass
        try:
            location = resolve(postcode)
        except ValueError:
            place = None
        else:
            place = None if location.fallback else (location.lat, location.lon)
        self._places[postcode] = place
        return place

    def distance(self, a: str, b: str) -> float | None:
        pa, pb = self.place(a), self.place(b)
        if pa is None or pb is None:
            return None
        return haversine_km(pa[0], pa[1], pb[0], pb[1])


def postcode_of(kind: Kind, record: Mapping[str, Any]) -> str | None:
    container, member = kind.postcode_path
    holder = record.get(container)
    value = holder.get(member) if isinstance(holder, Mapping) else None
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Placement:
    """Where a record lies relative to a query's area: ``in``, ``edge`` (within the margin), ``out`` or ``unknown``."""

    where: str
    km: float | None


def placement(query: Query, record: Mapping[str, Any], geo: Geo, margin_km: float) -> Placement:
    postcode = postcode_of(query.kind, record)
    if postcode is None:
        return Placement("out", None)
    km = geo.distance(query.postcode, postcode)
    if km is None:
        return Placement("unknown", None)
    if km <= query.radius_km:
        # "edge" from the inside too: another geocoding may put it just outside.
        inner = km <= query.radius_km - margin_km or margin_km == 0
        return Placement("in" if inner else "edge", km)
    if km <= query.radius_km + margin_km:
        return Placement("edge", km)
    return Placement("out", km)


def meets_criteria(query: Query, record: Mapping[str, Any]) -> bool:
    """True when ``record`` satisfies every criterion of ``query`` except the area."""
    return matches(query, record, _nowhere)


def failing_criteria(query: Query, record: Mapping[str, Any]) -> list[str]:
    """The top-level members of the query that ``record`` does not satisfy (for a report)."""
    wire = query.to_wire(with_extensions=False)
    area = wire.pop("selectiegebied")
    failing = []
    for key, value in wire.items():
        try:
            single = parse_query(query.kind, {"selectiegebied": area, key: value})
        except QueryError:
            continue
        if not matches(single, record, _nowhere):
            failing.append(key)
    return failing


@dataclass(frozen=True)
class Expected:
    """The records of a data file that a query certainly (strict) or possibly (loose) selects."""

    strict: frozenset[str]
    loose: frozenset[str]


def expected(
    query: Query, records: Iterable[tuple[str, Mapping[str, Any]]], geo: Geo, margin_km: float
) -> Expected:
    strict: set[str] = set()
    loose: set[str] = set()
    for record_id, record in records:
        where = placement(query, record, geo, margin_km).where
        if where == "out" or not meets_criteria(query, record):
            continue
        loose.add(record_id)
        if where == "in":
            strict.add(record_id)
    return Expected(frozenset(strict), frozenset(loose))
