# SPDX-License-Identifier: EUPL-1.2
"""Check a source's matches answer in Rust when it is clean, falling back to the summary models record by record."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import CoreSchema, SchemaValidator
from pydantic_core import core_schema as cs

from vum.standard.kinds import Kind
from vum.standard.types import WireModel, is_empty
from vum.standard.vacature import MPVacatureMatch
from vum.standard.werkzoekende import MPWerkzoekendeMatch

SummaryModel = type[MPWerkzoekendeMatch] | type[MPVacatureMatch]
Wire = dict[str, Any]

_SUMMARY: dict[Kind, SummaryModel] = {
    Kind.WERKZOEKENDE: MPWerkzoekendeMatch,
    Kind.VACATURE: MPVacatureMatch,
}
# The before-validator that makes "", [], {} and null absent. The fast schema drops it and
# rejects empty values instead, so it only accepts records on which pruning changes nothing.
_PRUNE = WireModel._absent_when_empty.__func__
_STRICT = cs.CoreConfig(strict=True)
# An empty JSON object: structural characters cannot be escaped, so no {} can hide from this.
# (A "{}" inside a string is a false alarm that costs only speed.)
_EMPTY_OBJECT = re.compile(rb"\{[ \t\n\r]*\}")
# How many more records may miss the fast schema than hit it, in one answer, before the rest
# go straight to the model path: a source that sends empty members tends to do so throughout.
_MISS_SLACK = 2


class AnswerRefused(Exception):
    """The answer as a whole is not a contract answer (the envelope, not a record, is wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedSchema(TypeError):
    """The summary model uses a construct whose fast equivalent is not known to be exact.

    Raised when a checker is built, never while checking: a model change must be looked at
    here rather than silently give different answers on the fast path.
    """


# -- the fast item schema ---------------------------------------------------------------------
#
# Derived from the model's core schema. It must accept a subset of what the model accepts, and
# for that subset give exactly ``model.model_validate(item).to_wire()``. Rejecting too much is
# harmless (the record takes the model path); accepting too much is a bug. Hence: strict
# everywhere, extra members forbidden, null and every empty value rejected, and every construct
# not handled below refused at build time.


@dataclass(frozen=True)
class _Derivation:
    """One recursive transform of a model's core schema into its fast equivalent.

    ``reject_empty_objects``: whether the schema itself rejects ``{}``. That costs a Rust dict
    check per object; the whole-answer JSON path leaves it to a byte scan instead (``check``).
    """

    reject_empty_objects: bool

    def schema(self, node: Mapping[str, Any]) -> CoreSchema:
        if "serialization" in node:
            # A custom serializer could make to_wire differ from the validated value.
            raise UnsupportedSchema(f"custom serialization on a {node['type']!r} schema")
        kind = node["type"]
        if kind == "model":
            return self.model(node)
        if kind == "nullable":
            # null is absent in VUM: rejected here, the model path decides.
            return self.schema(node["schema"])
        if kind in ("str", "list"):
            return self.sized(node)
        if kind in ("int", "bool", "float"):
            extra = {"allow_inf_nan": False} if kind == "float" else {}
            return cast(CoreSchema, {**node, "strict": True, **extra})
        if kind == "literal":
            return self.literal(node)
        if kind == "chain":
            return cast(CoreSchema, {**node, "steps": [self.schema(s) for s in node["steps"]]})
        if kind == "function-after":
            # A plain after-check (the calendar-date check) runs alike on both paths; one that
            # reads ValidationInfo would see a dict here and a model there.
            if node["function"]["type"] != "no-info":
                raise UnsupportedSchema("an after-validator that takes ValidationInfo")
            return cast(CoreSchema, {**node, "schema": self.schema(node["schema"])})
        if kind == "definitions":
            return cs.definitions_schema(
                self.schema(node["schema"]), [self.schema(d) for d in node["definitions"]]
            )
        if kind == "definition-ref":
            return cast(CoreSchema, dict(node))
        raise UnsupportedSchema(f"no fast equivalent for a {kind!r} schema")

    def model(self, node: Mapping[str, Any]) -> CoreSchema:
        name = node["cls"].__name__
        if node.get("root_model") or node.get("custom_init") or node.get("post_init"):
            raise UnsupportedSchema(f"model {name} is not a plain data model")
        inner = _without_pruning(node["schema"])
        if inner["type"] != "model-fields" or inner.get("computed_fields"):
            raise UnsupportedSchema(f"model {name} has no plain fields")
        fields = self.fields(inner["fields"])
        schema: CoreSchema = cs.typed_dict_schema(
            fields, extra_behavior="forbid", strict=True, config=_STRICT
        )
        if self.reject_empty_objects and not any(f["required"] for f in fields.values()):
            # VUM: {} is absent, so the model path drops it and here it must fail. typed-dict
            # has no min_length; its output is {} exactly when its input is, so a strict dict
            # check after it (still Rust) does it.
            schema = cs.chain_schema([schema, cs.dict_schema(min_length=1, strict=True)])
        if "ref" in node:
            # Keep the ref so that definition-ref nodes (recursive or shared models) resolve.
            cast(dict[str, Any], schema)["ref"] = node["ref"]
        return schema

    def fields(self, fields: Mapping[str, Any]) -> dict[str, cs.TypedDictField]:
        """Typed-dict fields keyed by the wire name; an optional member becomes ``required=False``."""
        out: dict[str, cs.TypedDictField] = {}
        for name, field in fields.items():
            key = field.get("validation_alias") or name
            # to_wire dumps by alias: the name read must be the name written.
            if not isinstance(key, str) or key != (field.get("serialization_alias") or name):
                raise UnsupportedSchema(f"field {name!r} is read and written under other names")
            if field.get("serialization_exclude") or key in out:
                raise UnsupportedSchema(f"field {name!r} is not written as read")
            schema = field["schema"]
            optional = schema["type"] == "default"
            if optional:
                # Absent stays absent: to_wire leaves a None default out, as required=False
                # does. Any other default would show in to_wire's output.
                if "default_factory" in schema or schema.get("default", ...) is not None:
                    raise UnsupportedSchema(f"field {name!r} has a default other than None")
                schema = schema["schema"]
            out[key] = cs.typed_dict_field(self.schema(schema), required=not optional)
        return out

    def sized(self, node: Mapping[str, Any]) -> CoreSchema:
        # "" and [] are absent. An empty item inside a list is rejected by the item schema.
        out = {**node, "strict": True, "min_length": max(node.get("min_length", 0), 1)}
        if node["type"] == "list":
            if "items_schema" not in node:
                raise UnsupportedSchema("a list without an item schema")
            out["items_schema"] = self.schema(node["items_schema"])
        return cast(CoreSchema, out)

    def literal(self, node: Mapping[str, Any]) -> CoreSchema:
        expected = [value for value in node["expected"] if not is_empty(value)]
        if not expected:
            raise UnsupportedSchema("a literal of empty values only")
        return cast(CoreSchema, {**node, "expected": expected})


def _without_pruning(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """A model's fields schema without WireModel's empty-pruning before-validator."""
    if node["type"] == "function-before":
        if getattr(node["function"]["function"], "__func__", None) is not _PRUNE:
            raise UnsupportedSchema("a before-validator other than WireModel's pruning")
        return cast(Mapping[str, Any], node["schema"])
    return node


def fast_schema(model: SummaryModel, *, reject_empty_objects: bool = True) -> CoreSchema:
    """The strict, no-empty-values, all-Rust equivalent of a summary model's core schema."""
    return _Derivation(reject_empty_objects).schema(model.__pydantic_core_schema__)


def _envelope_schema(item: CoreSchema) -> CoreSchema:
    """``{maximumAantalResultatenBereikt, matches}``; other members are ignored, as before."""
    return cs.typed_dict_schema(
        {
            "maximumAantalResultatenBereikt": cs.typed_dict_field(
                cs.bool_schema(strict=True), required=True
            ),
            # fail_fast: when one record fails, this attempt is over; stop paying for it.
            "matches": cs.typed_dict_field(
                cs.list_schema(item, strict=True, fail_fast=True), required=True
            ),
        },
        extra_behavior="ignore",
        strict=True,
    )


# -- the checker ------------------------------------------------------------------------------


class AnswerChecker:
    """Validates a source's answer for one kind: the same result as the model path, faster.

    A clean answer (every record valid, nothing empty) is parsed and validated in one Rust call.
    Otherwise the body is parsed with ``json.loads`` and each record tries the fast schema first
    and the authoritative model path second.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.model: SummaryModel = _SUMMARY[kind]
        self._item = SchemaValidator(fast_schema(self.model), _STRICT)
        lenient = fast_schema(self.model, reject_empty_objects=False)
        self._answer = SchemaValidator(_envelope_schema(lenient), _STRICT)
        #: Records that took the model path (statistics only: not locked across threads).
        self.fallback_records = 0

    def check(self, body: bytes) -> tuple[list[Wire], bool, int]:
        """(valid summaries as wire JSON, maximumAantalResultatenBereikt, number of invalid records).

        Raises ``AnswerRefused`` when the envelope itself is not a contract answer. Does not cap
        the number of summaries (the caller does).
        """
        # The whole-answer schema lets {} through (see _Derivation), so a body holding one
        # never takes this path.
        if _EMPTY_OBJECT.search(body) is None:
            try:
                answer = self._answer.validate_json(body)
            except ValidationError:
                pass
            else:
                return answer["matches"], answer["maximumAantalResultatenBereikt"], 0
        return self._check_slowly(body)

    def _check_slowly(self, body: bytes) -> tuple[list[Wire], bool, int]:
        # json.loads, not the Rust parser: its error messages, and what it accepts (a BOM,
        # UTF-16, NaN, lone surrogates), decide as they did before.
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AnswerRefused(f"geen geldige JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
            raise AnswerRefused("antwoord zonder lijst 'matches'")
        more = data.get("maximumAantalResultatenBereikt")
        if not isinstance(more, bool):
            raise AnswerRefused("antwoord zonder geldige 'maximumAantalResultatenBereikt'")
        valid: list[Wire] = []
        hits = misses = 0
        for item in data["matches"]:
            wire = self._fast(item) if misses <= hits + _MISS_SLACK else None
            if wire is not None:
                hits += 1
            else:
                misses += 1
                wire = self._by_model(item)
            if wire is not None:
                valid.append(wire)
        return valid, more, len(data["matches"]) - len(valid)

    def _fast(self, item: Any) -> Wire | None:
        try:
            return cast(Wire, self._item.validate_python(item))
        except ValidationError:
            return None

    def _by_model(self, item: Any) -> Wire | None:
        # Something empty or wrong: the model path decides (pruning may still save the record).
        self.fallback_records += 1
        try:
            return self.model.model_validate(item).to_wire()
        except ValidationError:
            return None


@cache
def answer_checker(kind: Kind) -> AnswerChecker:
    """The checker for ``kind``, built once (building compiles two Rust validators)."""
    return AnswerChecker(kind)
