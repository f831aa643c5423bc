# SPDX-License-Identifier: EUPL-1.2
"""The leaves of the standard as a column mapping sees them: a path, its JSON type, its code list."""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from vum.standard.attributes import attribute
from vum.standard.codelists import CodeList
from vum.standard.kinds import Kind
from vum.standard.types import POSTCODE_PATTERN
from vum.standard.validate import DETAIL_MODELS

_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True)
class Segment:
    """One member on a path; ``array`` when the member holds a list."""

    name: str
    array: bool


@dataclass(frozen=True)
class Leaf:
    """A member of the standard that holds values (a string, an integer, a date, a code)."""

    kind: Kind
    path: str  # dotted, arrays transparent: "bemiddelingsberoep.codeBeroepsnaam"
    segments: tuple[Segment, ...]
    base: type  # int or str
    codelist: CodeList[Any] | None
    is_date: bool
    is_postcode: bool

    @property
    def display(self) -> str:
        """The path with ``[]`` after every array, as a mapping writes it."""
        return ".".join(s.name + ("[]" if s.array else "") for s in self.segments)

    @property
    def in_array(self) -> bool:
        return any(s.array for s in self.segments)

    @property
    def label(self) -> str:
        """The workbook's Dutch name when the standard lists this path, else the path."""
        found = attribute(self.kind, self.path)
        return found.attribuut if found else self.path


class PathError(ValueError):
    """A mapping names a path the standard does not have; Dutch and English messages."""

    def __init__(self, message_nl: str, message_en: str) -> None:
        self.message_nl = message_nl
        self.message_en = message_en
        super().__init__(f"{message_nl} ({message_en})")


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any], bool]:
    """Strip Optional and Annotated; report whether a list was crossed and collect metadata."""
    array = False
    tp = annotation
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            tp = args[0]
            metadata = [*metadata, *args[1:]]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                raise TypeError(f"unsupported union {tp!r}")
            tp = members[0]
        elif origin is list:
            array = True
            tp = get_args(tp)[0]
        else:
            return tp, metadata, array


def _patterns(metadata: list[Any]) -> set[str]:
    found = set()
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            found.add(pattern)
    return found


def _field(info: FieldInfo) -> tuple[Any, list[Any], bool]:
    return _unwrap(info.annotation, list(info.metadata))


@cache
def leaves(kind: Kind) -> dict[str, Leaf]:
    """Every leaf of the detail model of ``kind``, by dotted path."""
    out: dict[str, Leaf] = {}

    def walk(model: type[BaseModel], prefix: tuple[Segment, ...]) -> None:
        for name, info in model.model_fields.items():
            tp, metadata, array = _field(info)
            segments = (*prefix, Segment(name, array))
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                walk(tp, segments)
                continue
            codelist = next((m for m in metadata if isinstance(m, CodeList)), None)
            patterns = _patterns(metadata)
            path = ".".join(s.name for s in segments)
            out[path] = Leaf(
                kind=kind,
                path=path,
                segments=segments,
                base=int if tp is int else str,
                codelist=codelist,
                is_date=_DATE_PATTERN in patterns,
                is_postcode=POSTCODE_PATTERN in patterns,
            )

    walk(DETAIL_MODELS[kind], ())
    return out


def resolve_leaf(kind: Kind, text: str) -> Leaf:
    """The leaf a mapping path names (``a.b[].c``, ``[]`` optional); raise PathError otherwise."""
    raw = str(text).strip()
    parts = raw.split(".")
    names = [p[:-2] if p.endswith("[]") else p for p in parts]
    path = ".".join(names)
    leaf = leaves(kind).get(path)
    if leaf is None:
        hint = difflib.get_close_matches(path, list(leaves(kind)), n=1, cutoff=0.6)
        extra_nl = f"; bedoelt u '{leaves(kind)[hint[0]].display}'?" if hint else ""
        extra_en = f"; did you mean '{leaves(kind)[hint[0]].display}'?" if hint else ""
        container = _containers(kind).get(path)
        if container:
            extra_nl = f"; dit is een groep, kies een gegeven erin, bijvoorbeeld '{container}'"
            extra_en = f"; this is a group, pick a member, for example '{container}'"
        raise PathError(
            f"pad '{raw}' bestaat niet in de standaard ({kind.value}){extra_nl}",
            f"path '{raw}' is not in the standard ({kind.value}){extra_en}",
        )
    for part, segment in zip(parts, leaf.segments, strict=True):
        if part.endswith("[]") and not segment.array:
            raise PathError(
                f"pad '{raw}': '{segment.name}' is geen lijst; laat '[]' weg",
                f"path '{raw}': '{segment.name}' is not a list; drop the '[]'",
            )
    return leaf


@cache
def _containers(kind: Kind) -> dict[str, str]:
    """Group paths ("mobiliteit") with an example leaf under them, for a helpful message."""
    out: dict[str, str] = {}
    for leaf in leaves(kind).values():
        names = [s.name for s in leaf.segments]
        for i in range(1, len(names)):
            out.setdefault(".".join(names[:i]), leaf.display)
    return out
