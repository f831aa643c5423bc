# SPDX-License-Identifier: EUPL-1.2
"""The occupation register's data model: `Occupation`, `Register` and the errors they raise."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from vum.register.isco import isco_label

if TYPE_CHECKING:
    from vum.register.related import Related, RelatedIndex
    from vum.register.search import SearchHit, SearchIndex

#: Namespace of the built-in occupations' URIs. Never change it: URIs end up in stored profiles
#: and vacancies, so they must stay resolvable across releases.
BUILTIN_NAMESPACE = "https://data.openvum.nl/id/beroep/"

#: What a register key may look like (the last path segment of a built-in URI).
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

MergeMode = Literal["extend", "replace"]


class RegisterError(ValueError):
    """Base class of the register's errors; the message is Dutch with the English alongside."""


class UnknownOccupationError(RegisterError, LookupError):
    """A URI or key that the register does not know."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"Onbekend beroep: {ref} / unknown occupation: {ref}")


@dataclass(frozen=True, slots=True)
class Occupation:
    """One occupation with its labels, ISCO-08 classification, skills and curated neighbours."""

    uri: str
    key: str
    label: str
    isco: str
    """ISCO-08 unit group (4 digits); empty when an official source did not give one."""
    broader: str
    """ISCO-08 minor group (3 digits), i.e. `isco[:3]`; empty when `isco` is."""
    synonyms: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    related_keys: tuple[str, ...] = ()
    source: str = "builtin"

    @property
    def labels(self) -> tuple[str, ...]:
        """The preferred label followed by the synonyms: every string search indexes."""
        return (self.label, *self.synonyms)

    @property
    def broader_label(self) -> str:
        """Dutch name of the ISCO-08 minor group, or '' when unknown."""
        return isco_label(self.broader) if self.broader else ""


def builtin_uri(key: str) -> str:
    """The stable URI of a built-in occupation."""
    return BUILTIN_NAMESPACE + key


@dataclass(slots=True)
class _Lazy:
    """Per-register caches built on first use (the search index costs tens of milliseconds)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    index: SearchIndex | None = None
    related: RelatedIndex | None = None


class Register:
    """An immutable collection of occupations, looked up by URI or key, searchable by free text."""

    __slots__ = ("_by_key", "_by_uri", "_lazy", "_occupations")

    def __init__(self, occupations: Iterable[Occupation]) -> None:
        self._occupations: tuple[Occupation, ...] = tuple(occupations)
        self._by_uri: dict[str, Occupation] = {}
        self._by_key: dict[str, Occupation] = {}
        for occ in self._occupations:
            if occ.uri in self._by_uri:
                raise RegisterError(
                    f"Dubbele URI in register: {occ.uri} / duplicate URI in register: {occ.uri}"
                )
            if occ.key in self._by_key:
                raise RegisterError(
                    f"Dubbele sleutel in register: {occ.key} / duplicate key in register: {occ.key}"
                )
            self._by_uri[occ.uri] = occ
            self._by_key[occ.key] = occ
        self._lazy = _Lazy()

    # -- lookups -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._occupations)

    def __iter__(self) -> Iterator[Occupation]:
        return iter(self._occupations)

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_uri

    def __repr__(self) -> str:
        return f"Register({len(self)} occupations)"

    def get(self, uri: str) -> Occupation | None:
        """The occupation with this URI, or None."""
        return self._by_uri.get(uri)

    def by_key(self, key: str) -> Occupation | None:
        """The occupation with this key, or None."""
        return self._by_key.get(key)

    def require(self, ref: str) -> Occupation:
        """The occupation with this URI or key; raises `UnknownOccupationError` otherwise."""
        occ = self._by_uri.get(ref) or self._by_key.get(ref)
        if occ is None:
            raise UnknownOccupationError(ref)
        return occ

    def isco_groups(self) -> dict[str, tuple[Occupation, ...]]:
        """Occupations per ISCO-08 unit group, ordered by code (those without a code left out)."""
        groups: dict[str, list[Occupation]] = {}
        for occ in self._occupations:
            if occ.isco:
                groups.setdefault(occ.isco, []).append(occ)
        return {code: tuple(groups[code]) for code in sorted(groups)}

    def related_to(self, occ: Occupation) -> tuple[Occupation, ...]:
        """The curated neighbours of an occupation that this register holds."""
        found = (self._by_key.get(k) for k in occ.related_keys)
        return tuple(o for o in found if o is not None)

    # -- behaviour implemented in sibling modules (imported lazily to keep start-up fast) ------

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Occupations matching free text typed by a mediator, best first (see search.py)."""
        return self.search_index().search(text, limit=limit)

    def related(self, uri: str, limit: int = 10) -> list[Related]:
        """Occupations related to this one, strongest first (see `vum.register.related`)."""
        return self.related_index().related(self.require(uri), limit=limit)

    def search_index(self) -> SearchIndex:
        """The free-text index, built once on first use."""
        lazy = self._lazy
        if lazy.index is None:
            with lazy.lock:
                if lazy.index is None:
                    from vum.register.search import SearchIndex

                    lazy.index = SearchIndex(self._occupations)
        return lazy.index

    def related_index(self) -> RelatedIndex:
        """Folded skills and symmetric curated links, built once on first use."""
        lazy = self._lazy
        if lazy.related is None:
            with lazy.lock:
                if lazy.related is None:
                    from vum.register.related import RelatedIndex

                    lazy.related = RelatedIndex(self._occupations)
        return lazy.related

    # -- combining registers -------------------------------------------------------------------

    def merged(self, other: Register, mode: MergeMode = "extend") -> Register:
        """Combine with an official list.

        ``replace``: the other register supersedes this one entirely (use the official list
        instead of the built-in one). ``extend``: keep everything here and add the other's
        occupations; one present in both (same URI) keeps this side's fields and gains the
        other's synonyms, skills and curated links. An added occupation whose key is taken gets
        its source as key prefix, so keys stay unique.
        """
        if mode == "replace":
            return Register(other)
        if mode != "extend":
            raise RegisterError(
                f"Onbekende modus {mode!r} (extend|replace) / unknown merge mode {mode!r}"
            )
        combined: dict[str, Occupation] = {occ.uri: occ for occ in self._occupations}
        keys = set(self._by_key)
        # The other register's keys as they will be here: a shared URI takes this side's key,
        # a taken key gets the source as prefix. Its curated links follow the renames.
        renamed: dict[str, str] = {}
        for occ in other:
            mine = combined.get(occ.uri)
            if mine is not None:
                renamed[occ.key] = mine.key
            else:
                key = occ.key if occ.key not in keys else _free_key(f"{occ.source}-{occ.key}", keys)
                keys.add(key)
                renamed[occ.key] = key
        for occ in other:
            links = tuple(renamed.get(k, k) for k in occ.related_keys)
            mine = combined.get(occ.uri)
            if mine is None:
                combined[occ.uri] = replace(occ, key=renamed[occ.key], related_keys=links)
            else:
                combined[occ.uri] = replace(
                    mine,
                    synonyms=_union(mine.synonyms, occ.synonyms, exclude=mine.label),
                    skills=_union(mine.skills, occ.skills),
                    related_keys=_union(mine.related_keys, links),
                )
        return Register(combined.values())


def _union(a: tuple[str, ...], b: tuple[str, ...], exclude: str = "") -> tuple[str, ...]:
    """Order-preserving union, case-insensitive, without `exclude`."""
    seen = {exclude.casefold()} if exclude else set()
    out: list[str] = []
    for item in (*a, *b):
        folded = item.casefold()
        if folded not in seen:
            seen.add(folded)
            out.append(item)
    return tuple(out)


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
