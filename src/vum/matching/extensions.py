# SPDX-License-Identifier: EUPL-1.2
"""open VUM's query extensions, carried as members the contracts do not define (foreign sources ignore them).

- ``"$text": {"$search": "heftruck magazijn"}`` — free text (MongoDB's form): records containing
  any of the words, Dutch-stemmed; ranked by BM25.
- ``"x-openvum": {"beroepen": [URI, ...]}`` — more occupations, OR-ed with the contract's own
  occupation criterion (the vacancy contract allows only one).
- ``"x-openvum": {"wensen": {...}}`` — nice-to-haves: criteria in the contract's own syntax (no
  ``selectiegebied``) that add to the score when met but never filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vum.standard.errors import Problem, json_pointer
from vum.standard.query import Query, QueryError, parse_query
from vum.standard.types import URI

TEXT_MEMBER = "$text"
OPENVUM_MEMBER = "x-openvum"
_MAX_TEXT = 500
_MAX_URI = 200


@dataclass(frozen=True)
class Extensions:
    """The extension criteria of one query."""

    text: str | None = None
    occupations: tuple[str, ...] = ()
    wishes: Query | None = None

    @property
    def any(self) -> bool:
        return bool(self.text or self.occupations or self.wishes)


_NONE = Extensions()


def _problem(path: list[str | int], nl: str, en: str) -> Problem:
    return Problem(json_pointer(["vraagObject", *path]), nl, en, "vum_extension")


def parse_extensions(query: Query) -> Extensions:
    """Read the extensions of a parsed query; malformed ones are a 400 like any bad criterion."""
    ext = query.extensions
    if not ext:
        return _NONE
    problems: list[Problem] = []
    text: str | None = None
    if TEXT_MEMBER in ext:
        value = ext[TEXT_MEMBER]
        search = value.get("$search") if isinstance(value, dict) else None
        if not isinstance(search, str) or len(search) > _MAX_TEXT:
            problems.append(
                _problem(
                    [TEXT_MEMBER, "$search"],
                    f"tekst (hoogstens {_MAX_TEXT} tekens) verwacht",
                    f"expected text of at most {_MAX_TEXT} characters",
                )
            )
        else:
            text = search.strip() or None
    occupations: tuple[str, ...] = ()
    wishes: Query | None = None
    own = ext.get(OPENVUM_MEMBER)
    if own is not None:
        if not isinstance(own, dict):
            problems.append(_problem([OPENVUM_MEMBER], "object verwacht", "expected an object"))
        else:
            occupations, wishes = _own_members(query, own, problems)
    if problems:
        raise QueryError(problems)
    return Extensions(text, occupations, wishes)


def _own_members(
    query: Query, own: dict[str, Any], problems: list[Problem]
) -> tuple[tuple[str, ...], Query | None]:
    occupations: tuple[str, ...] = ()
    beroepen = own.get("beroepen")
    if beroepen is not None:
        if not isinstance(beroepen, list) or not all(
            isinstance(u, str) and 0 < len(u) <= _MAX_URI for u in beroepen
        ):
            problems.append(
                _problem(
                    [OPENVUM_MEMBER, "beroepen"],
                    "lijst van beroepcodes (URI's) verwacht",
                    "expected a list of occupation URIs",
                )
            )
        else:
            occupations = tuple(dict.fromkeys(beroepen))
    wishes: Query | None = None
    wensen = own.get("wensen")
    if wensen is not None:
        if not isinstance(wensen, dict):
            problems.append(
                _problem([OPENVUM_MEMBER, "wensen"], "object verwacht", "expected an object")
            )
        else:
            body = {
                "selectiegebied": {"postcode": query.postcode, "afstand": query.radius_km},
                **{k: v for k, v in wensen.items() if k != "selectiegebied"},
            }
            try:
                wishes = parse_query(
                    query.kind, body, prefix=("vraagObject", OPENVUM_MEMBER, "wensen")
                )
            except QueryError as exc:
                problems.extend(exc.problems)
    return occupations, wishes


__all__ = ["OPENVUM_MEMBER", "TEXT_MEMBER", "URI", "Extensions", "parse_extensions"]
