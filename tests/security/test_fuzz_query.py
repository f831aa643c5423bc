# SPDX-License-Identifier: EUPL-1.2
"""Hypothesis against the query parser: any JSON gives a Query or a QueryError, and never a 500 over HTTP.

The JSON is built from the real member names of both kinds' vraagObject, Mongo operators,
the extensions' members and arbitrary keys, nested to any shape, with values of every JSON type
(and NaN and infinities, which Python's own JSON reader lets through).
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.security.tally import count
from tests.security.world import World
from vum.matching.extensions import parse_extensions
from vum.standard import Kind, Query, QueryError, parse_query, query_model


def _member_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """Every wire name (alias) in a query model and the models it contains."""
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for arg in _types_in(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= _member_names(arg, seen)
    return names


def _types_in(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [t for arg in args for t in _types_in(arg)]


MEMBERS = sorted(
    set().union(*(_member_names(query_model(kind), set()) for kind in Kind))
    | {"$text", "$search", "x-openvum", "beroepen", "wensen", "$in", "$ne", "$regex", "$where"}
)
CODES = ["3511AB", "1234ab", "B", "O", "nld", "7", "3", "2027-01-01", "2026-13-45", ""]
OCCUPATION = "https://data.openvum.nl/id/beroep/intern-begeleider"

keys = st.sampled_from(MEMBERS) | st.text(max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([*CODES, OCCUPATION])
    | st.text(max_size=30)
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)
#: near-valid queries: a good selectiegebied (sometimes) and random members beside it
near_valid = st.builds(
    lambda area, extra: {**({"selectiegebied": area} if area is not None else {}), **extra},
    st.none()
    | st.fixed_dictionaries(
        {"postcode": st.sampled_from(CODES) | st.text(max_size=8), "afstand": scalars}
    ),
    st.dictionaries(keys, documents, max_size=6),
)
queries = documents | near_valid


def _parse(kind: Kind, data: Any) -> Query | None:
    """parse_query and the extensions: a Query, or None for a QueryError; nothing else."""
    try:
        query = parse_query(kind, data, prefix=("vraagObject",))
        parse_extensions(query)
        query.to_wire()
        return query
    except QueryError as exc:
        assert exc.problems and all(p.pointer.startswith("/vraagObject") for p in exc.problems)
        return None


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(kind=st.sampled_from(list(Kind)), data=queries)
def test_the_parser_raises_only_query_errors(kind: Kind, data: Any) -> None:
    _parse(kind, data)
    count("query parser fuzzing: JSON documents parsed in process")


def _json_safe(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_json_safe(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return True


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(kind=st.sampled_from(list(Kind)), data=queries.filter(_json_safe))
def test_no_query_is_a_500_at_the_source_or_the_facility(
    world: World, kind: Kind, data: Any
) -> None:
    body = json.dumps({"vraagObject": data}).encode()
    expected_ok = _parse(kind, data) is not None
    for url, headers in (
        (world.source_url, world.source_headers()),
        (world.facility_url, world.facility_headers()),
    ):
        response = world.http.post(
            f"{url}/api/v3/{kind.resource}/matches",
            content=body,
            headers=headers | {"Content-Type": "application/json"},
        )
        count("query parser fuzzing: generated queries over HTTP (x2 apps)")
        assert response.status_code in (200, 400), (response.status_code, response.text[:300])
        if response.status_code == 400:
            assert response.json()["code"] in ("400.01", "400.02")
        # The server agrees with the parser: what parses is answered, what does not is a 400.
        if url == world.source_url:
            assert (response.status_code == 200) == expected_ok, (data, response.text[:300])
