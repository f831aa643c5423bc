# SPDX-License-Identifier: EUPL-1.2
"""The reference evaluator: does one record satisfy a query? Plain and literal, for engines to be tested against.

It interprets the query's wire form (:meth:`Query.to_wire` without extensions) as the MongoDB
subset it is — implicit array traversal, ``$elemMatch``, ``$all``, ``$or``, comparisons only
between values of one type, absent values never matching — plus the non-Mongo ``selectiegebied``.

The contracts' query paths differ from the record's in three places; the alias table below says
where, so the rest stays literal:

- profiles: ``bemiddelingsberoep`` elements are ``Beroep`` objects, so ``beroep.codeBeroepsnaam``
  inside its ``$elemMatch`` means the element's own ``codeBeroepsnaam``;
- profiles: ``datumAanvangBeschikbaarVoorWerk`` lives in ``flexibiliteit``;
- vacancies: ``datumAanvangWerkzaamheden`` lives in ``arbeidsVoorwaarden``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vum.standard.kinds import Kind
from vum.standard.query import Query
from vum.standard.types import is_empty

DistanceFn = Callable[[str, str], float]

#: (kind, the array whose elements are being matched or "" at top level, query path) -> record path
PATH_ALIASES: Mapping[tuple[Kind, str, str], str] = {
    (Kind.WERKZOEKENDE, "bemiddelingsberoep", "beroep.codeBeroepsnaam"): "codeBeroepsnaam",
    (
        Kind.WERKZOEKENDE,
        "",
        "datumAanvangBeschikbaarVoorWerk",
    ): "flexibiliteit.datumAanvangBeschikbaarVoorWerk",
    (
        Kind.VACATURE,
        "",
        "datumAanvangWerkzaamheden",
    ): "arbeidsVoorwaarden.datumAanvangWerkzaamheden",
}


def matches(query: Query, record: Mapping[str, Any], distance_km: DistanceFn) -> bool:
    """True when ``record`` (wire JSON of a detail or summary) satisfies every criterion of ``query``."""
    if not _in_area(query, record, distance_km):
        return False
    cond = query.to_wire(with_extensions=False)
    del cond["selectiegebied"]
    return _match_document(query.kind, "", cond, record)


def _in_area(query: Query, record: Mapping[str, Any], distance_km: DistanceFn) -> bool:
    container, member = query.kind.postcode_path
    holder = record.get(container)
    postcode = holder.get(member) if isinstance(holder, Mapping) else None
    if not isinstance(postcode, str) or not postcode:
        return False
    try:
        return distance_km(query.postcode, postcode) <= query.radius_km
    except ValueError:
        # A postcode that cannot be placed lies in no area.
        return False


def _match_document(kind: Kind, context: str, cond: Mapping[str, Any], doc: Any) -> bool:
    for key, sub in cond.items():
        if key == "$or":
            if not any(_match_document(kind, context, branch, doc) for branch in sub):
                return False
            continue
        path = PATH_ALIASES.get((kind, context, key), key)
        if not _match_field(kind, path, sub, _resolve(doc, path.split("."))):
            return False
    return True


def _resolve(doc: Any, parts: list[str]) -> list[Any]:
    """Every value at ``parts`` with MongoDB's implicit traversal of arrays; absent values omitted."""
    if not parts:
        return [] if is_empty(doc) else [doc]
    if isinstance(doc, list):
        return [v for item in doc for v in _resolve(item, parts)]
    if not isinstance(doc, Mapping) or parts[0] not in doc:
        return []
    return _resolve(doc[parts[0]], parts[1:])


def _candidates(values: list[Any]) -> list[Any]:
    # A comparison operator on an array field tests the array's elements (Mongo semantics).
    out: list[Any] = []
    for v in values:
        out.extend(v) if isinstance(v, list) else out.append(v)
    return [v for v in out if not is_empty(v)]


def _match_field(kind: Kind, path: str, ops: Mapping[str, Any], values: list[Any]) -> bool:
    for op, arg in ops.items():
        if op == "$elemMatch":
            ok = any(
                isinstance(el, Mapping) and _match_document(kind, path, arg, el)
                for v in values
                if isinstance(v, list)
                for el in v
            )
        elif op == "$all":
            ok = bool(arg) and all(_match_field(kind, path, item, values) for item in arg)
        else:
            ok = any(_compare(op, v, arg) for v in _candidates(values))
        if not ok:
            return False
    return True


def _same_type(a: Any, b: Any) -> bool:
    # Mongo compares within a type bracket only: numbers with numbers, strings with strings.
    def bracket(x: Any) -> str:
        if isinstance(x, bool):
            return "bool"
        if isinstance(x, int | float):
            return "number"
        return type(x).__name__

    return bracket(a) == bracket(b)


def _compare(op: str, value: Any, arg: Any) -> bool:
    if not _same_type(value, arg):
        return False
    if op == "$eq":
        return bool(value == arg)
    if op == "$gte":
        return bool(value >= arg)
    if op == "$lte":
        return bool(value <= arg)
    if op == "$lt":
        return bool(value < arg)
    if op == "$gt":
        return bool(value > arg)
    raise ValueError(f"operator {op} is not part of the VUM query language")
