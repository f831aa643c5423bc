# SPDX-License-Identifier: EUPL-1.2
"""The clean-answer check of ``fastcheck`` as msgspec types: the same rules, several times faster.

``fastcheck.fast_schema`` turns a summary model into a strict pydantic-core schema that accepts a
record only when the model would accept it unchanged. This module mirrors that schema, node by
node, as msgspec Structs (``forbid_unknown_fields``, absent members ``UNSET``) and checks a whole
answer with it in one C call. msgspec decodes straight into its own objects without an
intermediate tree, which is where the time went. The facility keeps the Structs: they read like
the wire dicts (:class:`MirrorRecord`) for ranking, and msgspec writes them back as their wire
form, with the vumID the summary's Struct has room for in place of the source's record id.

As with the strict schema, refusing too much is harmless (the answer goes the pydantic way) and
accepting too much would be a bug; so every construct is translated to something at least as
strict, and anything not known here refuses to build (``UnsupportedNode``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from keyword import iskeyword
from typing import Annotated, Any, Literal

import msgspec

Node = Mapping[str, Any]


class UnsupportedNode(TypeError):
    """A schema construct without a msgspec equivalent known to be at least as strict."""


#: The member a merged summary carries instead of the source's record id (VUM-Bemiddelaar).
VUM_ID = "vumID"


class MirrorRecord(msgspec.Struct, gc=False):
    """Base of the mirror's Structs: read like the dicts they stand for (``get``, ``[]``).

    The ranking reads records by member name; a Struct that answers ``get`` as a dict of its
    wire form would (an absent member is ``None``) is ranked without being turned into one.
    """

    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, default)
        return default if value is msgspec.UNSET else value

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key, msgspec.UNSET)
        if value is msgspec.UNSET:
            raise KeyError(key)
        return value


def _pattern(pattern: str) -> str:
    # msgspec uses Python's re.search: "$" would also match before a final newline, where the
    # Rust regex of pydantic-core does not. \Z ends at the very end, as the Rust "$" does.
    if not pattern.startswith("^") or not pattern.endswith("$") or pattern.endswith("\\$"):
        raise UnsupportedNode(f"pattern {pattern!r} is not anchored at both ends")
    body = pattern[1:-1]
    if "$" in body or "^" in body.replace("[^", "") or "(?" in body:
        raise UnsupportedNode(f"pattern {pattern!r} uses anchors or flags inside")
    re.compile(body)
    return f"^{body}\\Z"


#: How many valid values of one pattern are remembered (a few MB at most).
KNOWN_VALUES = 20_000


class _Pattern:
    """One member pattern, checked in Python after msgspec decoded the answer.

    msgspec checks a pattern with a call to ``re.search`` per value (about 1 µs, most of its
    decoding time for a summary). Postcodes and language codes recur across records and
    answers, so a value seen valid before is one set lookup; only the others are searched.
    """

    def __init__(self, pattern: str) -> None:
        self.search = re.compile(_pattern(pattern)).search
        #: values known to match (the set is never replaced: checkers hold it)
        self.known: set[str] = set()

    def learn(self, value: str) -> bool:
        """Whether ``value`` matches; remembered when it does (up to ``KNOWN_VALUES``)."""
        if self.search(value) is None:
            return False
        if len(self.known) < KNOWN_VALUES:
            self.known.add(value)
        return True


class _PatternCode:
    """Writes the check of every patterned string in a summary as one straight Python function.

    A walk through the Structs by generic closures costs about as much as msgspec's own pattern
    checks; written out per schema (as ``dataclasses`` writes ``__init__``) it is a handful of
    attribute reads and set lookups per summary.
    """

    def __init__(self, pattern_of: Callable[[str], int]) -> None:
        self.pattern_of = pattern_of
        self.names = 0

    def _name(self) -> str:
        self.names += 1
        return f"v{self.names}"

    def value(self, node: Node, var: str, depth: int) -> list[str]:
        """Lines that check the value in ``var`` (never UNSET here) of schema ``node``."""
        pad = "    " * depth
        kind = node["type"]
        if kind == "str":
            pattern = node.get("pattern")
            if pattern is None:
                return []
            i = self.pattern_of(pattern)
            return [f"{pad}if {var} not in K{i} and not L{i}({var}):", f"{pad}    return False"]
        if kind == "list":
            item = self._name()
            inner = self.value(node["items_schema"], item, depth + 1)
            return [f"{pad}for {item} in {var}:", *inner] if inner else []
        if kind != "typed-dict":
            return []  # ints, literals, dates: no patterns
        lines: list[str] = []
        for name, spec in node["fields"].items():
            member = self._name()
            read = (
                f"{var}.{name}"
                if name.isidentifier() and not iskeyword(name)
                else (f"getattr({var}, {name!r})")
            )
            inner = self.value(spec["schema"], member, depth + 1)
            if inner:
                lines += [f"{pad}{member} = {read}", f"{pad}if {member} is not UNSET:", *inner]
        return lines

    def function(
        self, summary: Node, patterns: list[_Pattern]
    ) -> Callable[[list[Any]], bool] | None:
        """``check(records)``: whether all their patterned strings match; None: there are none."""
        body = self.value(summary, "record", 2)
        if not body:
            return None
        source = "\n".join(
            ["def check(records):", "    for record in records:", *body, "    return True"]
        )
        namespace: dict[str, Any] = {"UNSET": msgspec.UNSET}
        for i, pattern in enumerate(patterns):
            namespace[f"K{i}"], namespace[f"L{i}"] = pattern.known, pattern.learn
        exec(compile(source, "<summary pattern check>", "exec"), namespace)
        check: Callable[[list[Any]], bool] = namespace["check"]
        return check


def _meta(**constraints: Any) -> msgspec.Meta:
    return msgspec.Meta(**{k: v for k, v in constraints.items() if v is not None})


class _Mirror:
    """Builds the msgspec type of one strict schema; models become Structs, shared by ref."""

    def __init__(self, date_check: Any) -> None:
        self.date_check = date_check
        self.structs: dict[str, Any] = {}
        self.count = 0
        #: the patterns of string members, checked after decoding (see ``_Pattern``)
        self.patterns: list[_Pattern] = []
        self._pattern_index: dict[str, int] = {}

    def type_of(self, node: Node) -> Any:
        kind = node["type"]
        if kind == "typed-dict":
            return self.struct(node)
        if kind == "str":
            return self.string(node)
        if kind == "int":
            self.check_keys(node, {"strict", "ge", "le", "metadata"})
            if "ge" in node or "le" in node:
                return Annotated[int, _meta(ge=node.get("ge"), le=node.get("le"))]
            return int
        if kind == "bool":
            self.check_keys(node, {"strict", "metadata"})
            return bool
        if kind == "list":
            self.check_keys(node, {"strict", "items_schema", "min_length", "max_length"})
            item = self.type_of(node["items_schema"])
            return Annotated[
                list[item],  # type: ignore[valid-type]
                _meta(min_length=node.get("min_length"), max_length=node.get("max_length")),
            ]
        if kind == "chain":
            return self.chain(node)
        if kind == "function-after":
            return self.after(node)
        if kind == "literal":
            return self.literal(node["expected"])
        raise UnsupportedNode(f"no msgspec equivalent for a {kind!r} schema")

    def check_keys(self, node: Node, allowed: set[str]) -> None:
        extra = set(node) - allowed - {"type"}
        if extra:
            raise UnsupportedNode(f"{node['type']!r} schema with {sorted(extra)}")
        if node.get("strict") is not True:
            raise UnsupportedNode(f"a non-strict {node['type']!r} schema")

    def string(self, node: Node) -> Any:
        self.check_keys(node, {"strict", "min_length", "max_length", "pattern", "metadata"})
        pattern = node.get("pattern")
        if pattern is not None:
            self.pattern_of(pattern)  # checked after decoding (``_PatternCode``)
        return Annotated[
            str, _meta(min_length=node.get("min_length"), max_length=node.get("max_length"))
        ]

    def pattern_of(self, pattern: str) -> int:
        index = self._pattern_index.get(pattern)
        if index is None:
            index = self._pattern_index[pattern] = len(self.patterns)
            self.patterns.append(_Pattern(pattern))
        return index

    def literal(self, expected: list[Any]) -> Any:
        # bool is an int to Python but not to JSON: a literal 1 must not take true.
        if not expected or not all(type(v) in (int, str) for v in expected):
            raise UnsupportedNode(f"a literal of {expected!r}")
        return Literal[tuple(expected)]

    def chain(self, node: Node) -> Any:
        steps = node["steps"]
        first, last = (steps[0], steps[1]) if len(steps) == 2 else (None, None)
        if first is None or last is None or last["type"] != "literal":
            raise UnsupportedNode("a chain other than <scalar> then literal")
        # A strict int or str followed by a literal: exactly the literal's values, when they
        # all meet the first step (the literal alone is the stricter of the two).
        self.check_keys(first, {"strict", "min_length", "metadata"})
        values = last["expected"]
        if first["type"] == "int" and all(type(v) is int for v in values):
            return self.literal(values)
        if first["type"] == "str" and all(
            type(v) is str and len(v) >= first.get("min_length", 0) for v in values
        ):
            return self.literal(values)
        raise UnsupportedNode("a chain whose literal does not fit its first step")

    def after(self, node: Node) -> Any:
        function = node["function"]
        if function.get("type") != "no-info" or function["function"] is not self.date_check:
            raise UnsupportedNode("an after-validator other than the calendar-date check")
        inner = node["schema"]
        if inner["type"] != "str" or inner.get("pattern") != "^[0-9]{4}-[0-9]{2}-[0-9]{2}$":
            raise UnsupportedNode("the calendar-date check on something other than YYYY-MM-DD")
        if inner.get("max_length", 10) < 10:
            raise UnsupportedNode("a date field shorter than a date")
        # msgspec decodes exactly YYYY-MM-DD into a real calendar date and to_builtins writes it
        # back as the same ten characters.
        return dt.date

    def struct(self, node: Node, *, root: bool = False) -> Any:
        ref = node.get("ref")
        if ref is not None and ref in self.structs:
            return self.structs[ref]
        if node.get("extra_behavior") != "forbid":
            raise UnsupportedNode("a typed dict that allows unknown members")
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        optional: list[tuple[str, Any, Any]] = []
        for name, spec in node["fields"].items():
            if spec["type"] != "typed-dict-field" or set(spec) - {"type", "required", "schema"}:
                raise UnsupportedNode(f"field {name!r} with options")
            value = self.type_of(spec["schema"])
            if spec["required"]:
                fields.append((name, value))
            else:
                optional.append((name, value | msgspec.UnsetType, msgspec.UNSET))
        if root:
            if VUM_ID in node["fields"]:
                raise UnsupportedNode(f"a summary with a member named {VUM_ID!r}")
            # Room for the vumID the facility gives the summary in place of the source's id.
            # Never accepted from a source: the caller refuses a decoded record that has one.
            optional.append((VUM_ID, str | msgspec.UnsetType, msgspec.UNSET))
        self.count += 1
        struct = msgspec.defstruct(
            f"Mirror{self.count}",
            [*fields, *optional],
            forbid_unknown_fields=True,
            kw_only=True,
            # Trees of records, never part of a cycle: the collector need not see them.
            gc=False,
            bases=(MirrorRecord,),
        )
        if ref is not None:
            self.structs[ref] = struct
        return struct


class AnswerDecoder:
    """Decodes ``{maximumAantalResultatenBereikt, matches}`` with the summary schema's rules:
    msgspec decodes and checks all but the patterns, then every patterned string is checked."""

    def __init__(
        self,
        decoder: msgspec.json.Decoder[Any],
        patterns_match: Callable[[list[Any]], bool] | None,
    ) -> None:
        self._decoder = decoder
        self._patterns_match = patterns_match

    def decode(self, body: bytes) -> Any:
        """The answer with its summaries as Structs; raises ``msgspec.ValidationError`` (or
        ``DecodeError``) when a rule is broken, as msgspec's own checks do."""
        answer = self._decoder.decode(body)
        if self._patterns_match is not None and not self._patterns_match(answer.matches):
            raise msgspec.ValidationError("a member does not match its pattern")
        return answer


def answer_decoder(summary_schema: Node, date_check: Any) -> AnswerDecoder:
    """A decoder of ``{maximumAantalResultatenBereikt, matches}`` with the summary schema's rules."""
    if summary_schema["type"] == "definitions":
        raise UnsupportedNode("a schema with shared definitions")
    if summary_schema["type"] != "typed-dict":
        raise UnsupportedNode("a summary schema that is not an object")
    mirror = _Mirror(date_check)
    summary = mirror.struct(summary_schema, root=True)
    # Other envelope members are ignored, as in the pydantic envelope.
    envelope = msgspec.defstruct(
        "Answer",
        [("maximumAantalResultatenBereikt", bool), ("matches", list[summary])],  # type: ignore[valid-type]
        kw_only=True,
    )
    check = _PatternCode(mirror.pattern_of).function(summary_schema, mirror.patterns)
    return AnswerDecoder(msgspec.json.Decoder(envelope), check)
