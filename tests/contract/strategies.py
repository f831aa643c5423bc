# SPDX-License-Identifier: EUPL-1.2
"""Hypothesis strategies from the subset of JSON Schema that the contracts and our models use."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_DATE = st.dates().map(lambda d: d.isoformat())


def from_schema(
    schema: dict[str, Any], defs: dict[str, Any] | None = None
) -> st.SearchStrategy[Any]:
    """A strategy for instances of ``schema``; ``defs`` resolves ``#/$defs/X`` and
    ``#/components/schemas/X`` references. Handles objects, arrays, strings (maxLength,
    pattern, date), integers (enum, minimum, maximum), booleans, ``anyOf`` and ``oneOf``."""
    defs = (
        defs
        if defs is not None
        else {
            **schema.get("$defs", {}),
            **schema.get("components", {}).get("schemas", {}),
        }
    )
    return _strategy(schema, defs)


def _strategy(node: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in node:
        return st.deferred(lambda: _strategy(defs[node["$ref"].rsplit("/", 1)[1]], defs))
    for key in ("anyOf", "oneOf"):
        if key in node:
            return st.one_of([_strategy(n, defs) for n in node[key]])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(node.get("minimum", -(10**6)), node.get("maximum", 10**6))
    if kind == "string":
        if node.get("format") == "date":
            return _DATE
        if "pattern" in node:
            strategy = st.from_regex(node["pattern"], fullmatch=True)
        else:
            strategy = st.text(max_size=min(node.get("maxLength", 40), 40))
        if "maxLength" in node:
            strategy = strategy.filter(lambda s: len(s) <= node["maxLength"])
        return strategy
    if kind == "array" or "items" in node:
        return st.lists(
            _strategy(node.get("items", {}), defs),
            min_size=node.get("minItems", 0),
            max_size=3,
        )
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        required = set(node.get("required", []))
        return st.fixed_dictionaries(
            {k: _strategy(v, defs) for k, v in props.items() if k in required},
            optional={k: _strategy(v, defs) for k, v in props.items() if k not in required},
        )
    return st.none() | st.integers() | st.text(max_size=5)
