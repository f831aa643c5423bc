# SPDX-License-Identifier: EUPL-1.2
"""Check a source's matches answer in Rust, with exactly the result of the summary models record by record."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

import msgspec
import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import CoreSchema, PydanticCustomError, SchemaValidator
from pydantic_core import core_schema as cs

from vum.standard.kinds import Kind
from vum.standard.msgcheck import AnswerDecoder, UnsupportedNode, answer_decoder
from vum.standard.types import WireModel, _check_date, is_empty
from vum.standard.vacature import MPVacatureMatch
from vum.standard.werkzoekende import MPWerkzoekendeMatch

Wire = dict[str, Any]
Node = Mapping[str, Any]

_SUMMARY: dict[Kind, type[MPWerkzoekendeMatch] | type[MPVacatureMatch]] = {
    Kind.WERKZOEKENDE: MPWerkzoekendeMatch,
    Kind.VACATURE: MPVacatureMatch,
}
# WireModel's before-validator that makes "", [], {} and null absent ("pruning").
_PRUNE = WireModel._absent_when_empty.__func__
_STRICT = cs.CoreConfig(strict=True)
# An empty JSON object. Structural characters cannot be escaped, so no {} hides from this;
# a "{}" inside a string is a false alarm that costs only speed.
_EMPTY_OBJECT = re.compile(rb"\{[ \t\n\r]*\}")
# In the record-by-record pass: how many more records may fail the pruned schema than pass it
# before the rest go straight to the model path (a source that sends invalid records tends
# to do so throughout, and a failed attempt is paid for twice).
_MISS_SLACK = 2


class AnswerRefused(Exception):
    """The answer as a whole is not a contract answer (the envelope, not a record, is wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedSchema(TypeError):
    """The summary model uses a construct whose fast equivalent is not known to be exact.

    Raised when a checker is built, never while checking: a model change must be looked at
    here rather than silently give different answers.
    """


# -- the strict schema ------------------------------------------------------------------------
#
# Derived from the model's core schema. It accepts a record only when pruning would change
# nothing in it (no "", [] or null anywhere) and the model would accept it, and then gives
# exactly ``model.model_validate(record).to_wire()``. Rejecting too much is harmless (the
# record goes the slower way); accepting too much would be a bug. Hence: strict everywhere,
# extra members forbidden, and any construct not handled below refused at build time.
#
# It does accept {}: rejecting that costs a dict check per object, and it is not needed. The
# whole-answer pass only runs it on bodies without {} (a byte scan), and after the pruning
# schema a remaining {} is one the model keeps too (see _Pruning).


def _strict(node: Node) -> CoreSchema:
    if "serialization" in node:
        # A custom serializer could make to_wire differ from the validated value.
        raise UnsupportedSchema(f"custom serialization on a {node['type']!r} schema")
    kind = node["type"]
    if kind == "model":
        return _strict_model(node)
    if kind == "nullable":
        # null is absent in VUM: rejected here, pruned or decided by the model elsewhere.
        return _strict(node["schema"])
    if kind in ("str", "list"):
        # "" and [] are absent. An absent item inside a list is rejected by the item schema.
        out = {**node, "strict": True, "min_length": max(node.get("min_length", 0), 1)}
        if kind == "list":
            if "items_schema" not in node:
                raise UnsupportedSchema("a list without an item schema")
            out["items_schema"] = _strict(node["items_schema"])
        return cast(CoreSchema, out)
    if kind in ("int", "bool", "float"):
        return cast(CoreSchema, {**node, "strict": True})
    if kind == "literal":
        expected = [value for value in node["expected"] if not is_empty(value)]
        if not expected:
            raise UnsupportedSchema("a literal of absent values only")
        return cast(CoreSchema, {**node, "expected": expected})
    if kind == "chain":
        return cast(CoreSchema, {**node, "steps": [_strict(step) for step in node["steps"]]})
    if kind == "function-after":
        # A plain after-check (the calendar-date check) runs alike on both paths; one that
        # reads ValidationInfo would see a dict here and a model there.
        if node["function"]["type"] != "no-info":
            raise UnsupportedSchema("an after-validator that takes ValidationInfo")
        return cast(CoreSchema, {**node, "schema": _strict(node["schema"])})
    if kind == "definitions":
        return cs.definitions_schema(
            _strict(node["schema"]), [_strict(d) for d in node["definitions"]]
        )
    if kind == "definition-ref":
        return cast(CoreSchema, dict(node))
    raise UnsupportedSchema(f"no fast equivalent for a {kind!r} schema")


def _strict_model(node: Node) -> CoreSchema:
    fields = _model_fields(node)
    schema = cs.typed_dict_schema(
        {key: cs.typed_dict_field(_strict(s), required=req) for key, (s, req) in fields.items()},
        extra_behavior="forbid",
        strict=True,
        config=_STRICT,
    )
    if "ref" in node:
        # Keep the ref so that definition-ref nodes (recursive or shared models) resolve.
        schema["ref"] = node["ref"]
    return schema


def _model_fields(node: Node) -> dict[str, tuple[Node, bool]]:
    """A plain data model's fields: wire name -> (value schema without its None default, required)."""
    name = node["cls"].__name__
    if node.get("root_model") or node.get("custom_init") or node.get("post_init"):
        raise UnsupportedSchema(f"model {name} is not a plain data model")
    inner = node["schema"]
    if inner["type"] == "function-before" and _prunes(node):
        inner = inner["schema"]
    if inner["type"] != "model-fields" or inner.get("computed_fields"):
        raise UnsupportedSchema(f"model {name} has validators or computed fields")
    out: dict[str, tuple[Node, bool]] = {}
    for field_name, spec in inner["fields"].items():
        key = spec.get("validation_alias") or field_name
        # to_wire dumps by alias: the name read must be the name written.
        if not isinstance(key, str) or key != (spec.get("serialization_alias") or field_name):
            raise UnsupportedSchema(f"{name}.{field_name} is read and written under other names")
        if spec.get("serialization_exclude") or key in out:
            raise UnsupportedSchema(f"{name}.{field_name} is not written as read")
        schema = spec["schema"]
        required = schema["type"] != "default"
        if not required:
            # Absent stays absent: to_wire leaves a None default out, as required=False does.
            # Any other default would show in to_wire's output.
            if "default_factory" in schema or schema.get("default", ...) is not None:
                raise UnsupportedSchema(f"{name}.{field_name} has a default other than None")
            schema = schema["schema"]
        out[key] = (schema, required)
    return out


def _prunes(node: Node) -> bool:
    """Whether a model node runs WireModel's pruning (and nothing else) before its fields."""
    inner = node["schema"]
    if inner["type"] != "function-before":
        return False
    if getattr(inner["function"]["function"], "__func__", None) is not _PRUNE:
        raise UnsupportedSchema("a before-validator other than WireModel's pruning")
    return True


# -- the pruning schema -----------------------------------------------------------------------
#
# Does in Rust what WireModel's pruning does in Python, and nothing else: at each pruning
# model, drop the members whose raw value is "", [], {} or null, drop such items from member
# lists (and then a member list left empty), and recurse into member objects and list items
# that are models. Values it does not understand pass unchanged, so the strict schema after
# it rejects them and the model decides. An object that pruning empties stays {} here as it
# does in to_wire. It never fails on an object, so with the strict schema after it, it accepts
# exactly the records the model accepts, bar rare cases (extra members with absent values,
# lists of lists) that go to the model.


def _keep(value: Any) -> Any:
    if is_empty(value):
        raise PydanticCustomError("vum_absent", "absent value")
    return value


def _keep_but_lists(value: Any) -> Any:
    # For list members: a list gets here only when no item is left, and then it is absent.
    if isinstance(value, list):
        raise PydanticCustomError("vum_absent", "list of absent values")
    return _keep(value)


_JSON_TYPES: dict[str, CoreSchema] = {
    "str": cs.str_schema(min_length=1, strict=True),
    "int": cs.int_schema(strict=True),
    "bool": cs.bool_schema(strict=True),
    "float": cs.float_schema(strict=True),
    "list": cs.list_schema(min_length=1, strict=True),
    "dict": cs.dict_schema(min_length=1, strict=True),
}


def _present(first: str = "str", but: str = "") -> CoreSchema:
    """Passes any value but "", [], {} and null, unchanged; fails on those (so they are omitted).

    The Rust branches take the usual values, the expected type first. The Python one catches
    whatever they reject that is not absent (a lone surrogate, say): that must never be
    omitted, or a record the model refuses could pass.
    """
    order = [first] + [t for t in _JSON_TYPES if t != first]
    # A strict float turns an int into a float: ints must meet the int branch first.
    if first == "float":
        order = [t for t in _JSON_TYPES if t != "float"] + ["float"]
    branches: list[CoreSchema | tuple[CoreSchema, str]] = [
        _JSON_TYPES[t] for t in order if t != but
    ]
    branches.append(
        cs.no_info_plain_validator_function(_keep_but_lists if but == "list" else _keep)
    )
    return cs.union_schema(branches, mode="left_to_right")


def _base_type(node: Node) -> str:
    """The JSON type a scalar schema expects, to try that branch of _present first."""
    kind = node["type"]
    if kind == "chain":
        return _base_type(node["steps"][0])
    if kind in ("function-after", "nullable"):
        return _base_type(node["schema"])
    if kind == "literal":
        return "str" if isinstance(node["expected"][0], str) else "int"
    return kind if kind in _JSON_TYPES else "str"


@dataclass
class _Pruning:
    """Builds the pruning schema of one model; models reached by definition-ref become definitions."""

    targets: dict[str, Node] = field(default_factory=dict)  # ref -> model node
    built: dict[str, CoreSchema | None] = field(default_factory=dict)  # ref -> pruned object

    def root(self, node: Node) -> CoreSchema:
        if node["type"] == "definitions":
            self.targets = {d["ref"]: d for d in node["definitions"] if "ref" in d}
            root = self.root(node["schema"])
            definitions = [s for s in self.built.values() if s is not None]
            return cs.definitions_schema(root, definitions) if definitions else root
        node = self.resolve(node)
        if node["type"] == "model" and _prunes(node):
            return self.object(node)
        return cs.any_schema()  # nothing to prune: the strict schema decides

    def resolve(self, node: Node) -> Node:
        """The schema that validates the value, through nullable and definition-ref."""
        while True:
            if node["type"] == "nullable":
                node = node["schema"]
            elif node["type"] == "definition-ref" and node["schema_ref"] in self.targets:
                node = self.targets[node["schema_ref"]]
            else:
                return node

    def object(self, node: Node) -> CoreSchema:
        """The pruned object of a pruning model (a ref when the model is a definition)."""
        ref = node.get("ref")
        if ref is not None and ref in self.targets:
            if ref not in self.built:
                self.built[ref] = None  # being built: a recursive reference gets the ref
                schema = self.typed_dict(node)
                schema["ref"] = f"{ref}:pruned"
                self.built[ref] = schema
            return cs.definition_reference_schema(f"{ref}:pruned")
        return self.typed_dict(node)

    def typed_dict(self, node: Node) -> cs.TypedDictSchema:
        # Every member optional and omitted when absent; unknown members kept for the strict
        # schema to refuse (the model may still accept them when they are absent).
        fields = {
            key: cs.typed_dict_field(
                cs.with_default_schema(self.member(schema), on_error="omit"), required=False
            )
            for key, (schema, _) in _model_fields(node).items()
        }
        return cs.typed_dict_schema(fields, extra_behavior="allow")

    def member(self, node: Node) -> CoreSchema:
        node = self.resolve(node)
        if node["type"] == "list":
            items = self.resolve(node["items_schema"])
            item = cs.with_default_schema(self.value(items), on_error="omit")
            # min_length counts what is left: a list of absent items is absent itself.
            as_list = cs.list_schema(item, min_length=1, strict=True)
            return cs.union_schema([as_list, _present(but="list")], mode="left_to_right")
        return self.value(node)

    def value(self, node: Node) -> CoreSchema:
        if node["type"] == "model" and _prunes(node):
            # A raw {} is absent; a non-empty object is pruned (and may end up {}).
            as_object = cs.chain_schema(
                [cs.dict_schema(min_length=1, strict=True), self.object(node)]
            )
            return cs.union_schema([as_object, _present(but="dict")], mode="left_to_right")
        return _present(_base_type(node))


def fast_schema(model: type[BaseModel]) -> CoreSchema:
    """The strict, all-Rust schema that accepts a model's records that pruning leaves unchanged."""
    return _strict(model.__pydantic_core_schema__)


def pruning_schema(model: type[BaseModel]) -> CoreSchema:
    """Pruning, then the strict schema: a model's records as ``model_validate().to_wire()`` gives them."""
    schema = model.__pydantic_core_schema__
    return cs.chain_schema([_Pruning().root(schema), _strict(schema)])


def _envelope_schema(item: CoreSchema) -> CoreSchema:
    """``{maximumAantalResultatenBereikt, matches}``; other members are ignored, as before."""
    return cs.typed_dict_schema(
        {
            "maximumAantalResultatenBereikt": cs.typed_dict_field(
                cs.bool_schema(strict=True), required=True
            ),
            # fail_fast: once one record fails, this attempt is over; stop paying for it.
            "matches": cs.typed_dict_field(
                cs.list_schema(item, strict=True, fail_fast=True), required=True
            ),
        },
        extra_behavior="ignore",
        strict=True,
    )


def _validated(validator: SchemaValidator, record: Any) -> Wire | None:
    try:
        return cast(Wire, validator.validate_python(record))
    except ValidationError:
        return None


# -- the checker ------------------------------------------------------------------------------


class AnswerChecker:
    """Validates a source's answer for one kind: the result of the model path, faster.

    Three passes, each taken only when the one before fails:

    1. clean: the whole answer, no absent values anywhere, in one Rust call;
    2. pruned: the whole answer in one Rust call, pruning absent values as the models do
       (skipped when pass 1 failed on something other than an absent value);
    3. per record: ``json.loads``, the envelope checked as before, then each record by the
       strict or the pruning schema, and when that fails by the authoritative model path.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.model = _SUMMARY[kind]
        strict = fast_schema(self.model)
        pruning = pruning_schema(self.model)
        self._clean = SchemaValidator(_envelope_schema(strict), _STRICT)
        self._pruned = SchemaValidator(_envelope_schema(pruning), _STRICT)
        self._strict_record = SchemaValidator(strict, _STRICT)
        self._pruning_record = SchemaValidator(pruning, _STRICT)
        # The same clean pass in msgspec, when every construct has an equivalent: it only
        # checks, and orjson then reads the accepted body (both several times faster).
        try:
            self._mirror: AnswerDecoder | None = answer_decoder(strict, _check_date)
        except UnsupportedNode:
            self._mirror = None
        #: Answers per pass and records that took the model path. Statistics only: not
        #: locked, while checks run in threads.
        self.stats: Counter[str] = Counter()

    def check(self, body: bytes) -> tuple[list[Wire], bool, int]:
        """(valid summaries as wire JSON, maximumAantalResultatenBereikt, number of invalid records).

        Raises ``AnswerRefused`` when the envelope itself is not a contract answer. Does not cap
        the number of summaries (the caller does).
        """
        return self._check(body, records=False)

    def check_records(self, body: bytes) -> tuple[list[Any], bool, int]:
        """As :meth:`check`, but a clean answer's summaries come as the mirror's Structs.

        They read like the wire dicts (``get``, ``[]``; a date is a ``datetime.date``) and
        ``msgspec.json.encode`` writes them as their wire form: the facility ranks and answers
        with them without building a dict per member. Other answers give dicts, as ``check``.
        """
        return self._check(body, records=True)

    def _check(self, body: bytes, *, records: bool) -> tuple[list[Any], bool, int]:
        # The strict schema lets {} through, so a body holding one skips the clean pass.
        if _EMPTY_OBJECT.search(body) is None:
            if self._mirror is not None:
                clean = self._mirror_pass(body, records)
                if clean is not None:
                    self.stats["clean"] += 1
                    return clean
            try:
                answer = self._clean.validate_json(body)
            except ValidationError as exc:
                per_record = self._after_clean_pass(exc)
                if per_record is not None:
                    return self._per_record(body, per_record)
            else:
                self.stats["clean"] += 1
                return answer["matches"], answer["maximumAantalResultatenBereikt"], 0
        try:
            answer = self._pruned.validate_json(body)
        except ValidationError:
            return self._per_record(body, self._pruning_record)
        self.stats["pruned"] += 1
        return answer["matches"], answer["maximumAantalResultatenBereikt"], 0

    def _mirror_pass(self, body: bytes, records: bool) -> tuple[list[Any], bool, int] | None:
        """The clean pass by msgspec; None when it refuses (the pydantic passes then decide).

        ``records``: the decoded Structs; else the wire dicts (orjson reads the accepted body:
        accepted clean, it is its own wire form, nothing coerced or pruned).
        """
        assert self._mirror is not None
        try:
            decoded = self._mirror.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        # The Structs have room for a vumID (the facility's, later); from a source it is an
        # unknown member, which the model refuses.
        unset = msgspec.UNSET
        for record in decoded.matches:
            if record.vumID is not unset:
                return None
        if records:
            return decoded.matches, decoded.maximumAantalResultatenBereikt, 0
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return answer["matches"], answer["maximumAantalResultatenBereikt"], 0

    def _after_clean_pass(self, exc: ValidationError) -> SchemaValidator | None:
        """The record schema for pass 3 when the clean pass failed; None to try pass 2 first."""
        errors = exc.errors(include_url=False, include_context=False)
        if any(e["type"] == "json_invalid" for e in errors):
            # Not UTF-8 JSON to the Rust parser, so pass 2 fails too; json.loads decides. It
            # also reads UTF-16, to which the {} scan is blind: only the pruning schema is
            # exact then.
            return self._pruning_record
        if all(is_empty(e["input"]) for e in errors):
            return None  # only absent values so far: pruning may yet take the whole answer
        # Something is wrong, not merely absent, which pruning does not mend: skip pass 2.
        # The body parsed as UTF-8 and holds no {}, so the strict schema is exact per record.
        return self._strict_record

    def _per_record(self, body: bytes, fast: SchemaValidator) -> tuple[list[Wire], bool, int]:
        self.stats["per record"] += 1
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
        for record in data["matches"]:
            wire = _validated(fast, record) if misses <= hits + _MISS_SLACK else None
            if wire is not None:
                hits += 1
            else:
                misses += 1
                wire = self._by_model(record)
            if wire is not None:
                valid.append(wire)
        return valid, more, len(data["matches"]) - len(valid)

    def _by_model(self, record: Any) -> Wire | None:
        # Invalid, or a case the pruning schema leaves to the model: the model decides.
        self.stats["model"] += 1
        try:
            return self.model.model_validate(record).to_wire()
        except ValidationError:
            return None


@cache
def answer_checker(kind: Kind) -> AnswerChecker:
    """The checker for ``kind``, built once (building compiles four Rust validators)."""
    return AnswerChecker(kind)
