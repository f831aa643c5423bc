# SPDX-License-Identifier: EUPL-1.2
"""A parsed :class:`Query` as SQL over a ``(id, doc jsonb, lat, lon, terms)`` table, with the reference evaluator's semantics."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb

from vum.geo import EARTH_RADIUS_KM, PostcodeError, resolve
from vum.matching.extensions import parse_extensions
from vum.matching.text import terms
from vum.standard.kinds import Kind
from vum.standard.query import LanguageRequirement, Query

# Paths of the criteria that compare values (expression indexes are built on exactly these).
HOURS_MIN = "(doc #>> '{werktijden,aantalWerkurenPerWeekMinimaal}')::int"
HOURS_MAX = "(doc #>> '{werktijden,aantalWerkurenPerWeekMaximaal}')::int"
AVAILABLE = "(doc #>> '{flexibiliteit,datumAanvangBeschikbaarVoorWerk}')"
STARTS = "(doc #>> '{arbeidsVoorwaarden,datumAanvangWerkzaamheden}')"
LEVEL = "(doc ->> 'codeWerkEnDenkniveauMinimaal')"

# Haversine with the operations in the order of vum.geo.haversine_km_array, so both sides judge a
# point on the radius alike; the bounding box before it is what the (lat, lon) btree answers.
DISTANCE = (
    "%(two_r)s * asin(sqrt(least(1.0::float8,"
    " power(sin((radians(lat) - %(phi0)s) / 2.0::float8), 2)"
    " + %(cos_phi0)s * cos(radians(lat)) * power(sin((radians(lon) - %(lam0)s) / 2.0::float8), 2))))"
)
# A btree on (lat, lon), not earthdistance's GiST: PostgreSQL has statistics for a range of floats
# but estimates a cube containment as a constant, which led it to index scans over the whole
# country and to worse plans for every combined criterion (docs/benchmarks.md).
IN_BOX = "lat BETWEEN %(lat_lo)s AND %(lat_hi)s AND lon BETWEEN %(lon_lo)s AND %(lon_hi)s"


def expression_indexes(kind: Kind) -> list[str]:
    """The expressions a capable team indexes with a btree for ``kind``'s range criteria."""
    out = [HOURS_MIN, HOURS_MAX]
    return out + ([AVAILABLE] if kind is Kind.WERKZOEKENDE else [STARTS, LEVEL])


@dataclass
class Translation:
    """The WHERE conditions (ANDed) and their parameters; ``impossible`` when nothing can match."""

    conditions: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    impossible: bool = False

    def add(self, sql: str, **values: Any) -> None:
        self.conditions.append(sql)
        self.params.update(values)

    def name(self, stem: str) -> str:
        """A parameter name not yet used."""
        n = 0
        while f"{stem}{n}" in self.params:
            n += 1
        return f"{stem}{n}"

    @property
    def where(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "TRUE"


def _merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Deep-merge containment documents: objects merge, arrays concatenate (ALL of their elements)."""
    for key, value in extra.items():
        if key in into and isinstance(into[key], dict) and isinstance(value, Mapping):
            _merge(into[key], value)
        elif key in into and isinstance(into[key], list) and isinstance(value, list):
            into[key] = into[key] + value
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _nest(path: str, leaf: Any) -> dict[str, Any]:
    out: Any = leaf
    for part in reversed(path.split(".")):
        out = {part: out}
    result: dict[str, Any] = out
    return result


def _occupation_doc(kind: Kind, uri: str) -> dict[str, Any]:
    if kind is Kind.WERKZOEKENDE:
        return {"bemiddelingsberoep": [{"codeBeroepsnaam": uri}]}
    return {"beroep": {"codeBeroepsnaam": uri}}


def _language_path(prefix: str, req: LanguageRequirement) -> str:
    tests = ["@.codeTaal == $code"]
    if req.oral is not None:
        tests.append("@.codeNiveauTaalbeheersingMondeling >= $oral")
    if req.written is not None:
        tests.append("@.codeNiveauTaalbeheersingSchriftelijk >= $written")
    return f"$.{prefix}taalbeheersing[*] ? ({' && '.join(tests)})"


def _area(query: Query, out: Translation) -> None:
    try:
        centre = resolve(query.postcode)
    except PostcodeError:
        # VUM: a selectiegebied that cannot be placed holds no records.
        out.impossible = True
        return
    phi0 = math.radians(centre.lat)
    delta = query.radius_km / EARTH_RADIUS_KM  # the radius as an angle
    # The exact extent of a spherical cap, plus a hair: every point within the radius is inside.
    dlat = math.degrees(delta) + 1e-6
    if delta < math.pi / 2 - abs(phi0):
        dlon = math.degrees(math.asin(min(1.0, math.sin(delta) / math.cos(phi0)))) + 1e-6
    else:
        dlon = 360.0
    out.params.update(
        two_r=2.0 * EARTH_RADIUS_KM,
        phi0=phi0,
        cos_phi0=math.cos(phi0),
        lam0=math.radians(centre.lon),
        radius_km=float(query.radius_km),
        lat_lo=centre.lat - dlat,
        lat_hi=centre.lat + dlat,
        lon_lo=centre.lon - dlon,
        lon_hi=centre.lon + dlon,
    )
    out.add(IN_BOX)


def _any_of(out: Translation, docs: list[dict[str, Any]]) -> None:
    """OR of containments (one GIN lookup each, a BitmapOr in the plan)."""
    names = []
    for doc in docs:
        name = out.name("any")
        out.params[name] = Jsonb(doc)
        names.append(f"doc @> %({name})s")
    out.add("(" + " OR ".join(names) + ")" if names else "FALSE")


def translate(query: Query) -> Translation:
    """The conditions of ``query`` (selectiegebied's box included; the exact distance is separate)."""
    kind = query.kind
    out = Translation()
    _area(query, out)
    if out.impossible:
        return out
    ext = parse_extensions(query)
    must: dict[str, Any] = {}
    occupations = tuple(dict.fromkeys((*query.occupations, *ext.occupations)))
    if occupations:
        _any_of(out, [_occupation_doc(kind, u) for u in occupations])
    if query.contract_types:
        _any_of(
            out, [{"contractvorm": [{"codeTypeArbeidscontract": c}]} for c in query.contract_types]
        )
    if query.irregular_hours is not None:
        _merge(
            must,
            {"flexibiliteit": {"indicatieOnregelmatigWerkOfPloegendienst": query.irregular_hours}},
        )
    if query.office_hours is not None:
        _merge(must, {"werktijden": {"indicatieKantoortijden": query.office_hours}})
    prefix = "arbeidsmarktkwalificatie." if kind is Kind.WERKZOEKENDE else ""
    if query.licences:
        _merge(
            must, _nest(prefix + "rijbewijs", [{"codeSoortRijbewijs": c} for c in query.licences])
        )
    for req in query.languages:
        # The containment finds the language through the GIN index; the path checks the levels
        # on the same element ($elemMatch).
        _merge(must, _nest(prefix + "taalbeheersing", [{"codeTaal": req.code}]))
        if req.oral is not None or req.written is not None:
            path, variables = out.name("lpath"), out.name("lvars")
            values: dict[str, Any] = {"code": req.code}
            if req.oral is not None:
                values["oral"] = req.oral
            if req.written is not None:
                values["written"] = req.written
            out.add(
                f"jsonb_path_exists(doc, %({path})s::jsonpath, %({variables})s)",
                **{path: _language_path(prefix, req), variables: Jsonb(values)},
            )
    if query.level_eq is not None:
        _merge(must, {"codeWerkEnDenkniveauMinimaal": query.level_eq})
    if must:
        out.add("doc @> %(must)s", must=Jsonb(must))
    if query.available_by is not None:
        out.add(f"{AVAILABLE} <= %(available_by)s", available_by=query.available_by)
    if query.starts_from is not None:
        out.add(f"{STARTS} >= %(starts_from)s", starts_from=query.starts_from)
    if query.hours_min is not None:
        out.add(f"{HOURS_MAX} >= %(hours_min)s", hours_min=query.hours_min)
    if query.hours_max is not None:
        out.add(f"{HOURS_MIN} <= %(hours_max)s", hours_max=query.hours_max)
    if query.level_from is not None:
        out.add(f"{LEVEL} >= %(level_from)s", level_from=query.level_from)
    if query.level_below is not None:
        out.add(f"{LEVEL} < %(level_below)s", level_below=query.level_below)
    if ext.text:
        # Mongo's $text matches any word; the terms are the engine's (folded, stemmed).
        out.add("terms && %(text_terms)s::text[]", text_terms=list(dict.fromkeys(terms(ext.text))))
    return out
