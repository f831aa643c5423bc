# SPDX-License-Identifier: EUPL-1.2
"""What an engine answers: hits with a score, a distance and a per-criterion explanation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from vum.standard.kinds import Kind
from vum.standard.query import Query


@dataclass(frozen=True)
class Explanation:
    """How one criterion counted for one result, in Dutch for the mediator.

    ``met`` is True when the criterion held, False when a soft wish did not, None when it only
    informs (e.g. the distance). ``points`` is its share of the score.
    """

    criterion: str
    met: bool | None
    points: float
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterium": self.criterion,
            "voldaan": self.met,
            "punten": round(self.points, 1),
            "toelichting": self.detail,
        }


class Hit:
    """One matching record: its source id, score (0–100), distance and the summary to send.

    Explanations may be given, or computed on first access (``explain``): most answers never
    show them, and building them for every hit would cost more than finding the hits.
    """

    __slots__ = ("_explain", "_explanations", "distance_km", "record_id", "score", "summary")

    def __init__(
        self,
        record_id: str,
        score: float,
        distance_km: float | None,
        summary: Mapping[str, Any],
        explanations: tuple[Explanation, ...] = (),
        *,
        explain: Callable[[], tuple[Explanation, ...]] | None = None,
    ) -> None:
        self.record_id = record_id
        self.score = score
        self.distance_km = distance_km
        self.summary = summary
        self._explanations = explanations
        self._explain = explain

    @property
    def explanations(self) -> tuple[Explanation, ...]:
        if self._explain is not None:
            self._explanations, self._explain = self._explain(), None
        return self._explanations

    def __repr__(self) -> str:
        return f"Hit({self.record_id!r}, score={self.score}, distance_km={self.distance_km})"


@dataclass(frozen=True)
class SearchResult:
    """The best ``limit`` hits, best first, and how many records matched in all."""

    hits: list[Hit]
    total: int
    limit: int = 100
    ignored: tuple[str, ...] = field(default=())

    @property
    def more(self) -> bool:
        """VUM: maximumAantalResultatenBereikt — the source had more matches than it returned."""
        return self.total > len(self.hits)


class Engine(Protocol):
    """Answers queries over one dataset (one party, one kind)."""

    kind: Kind

    def __len__(self) -> int: ...

    def search(self, query: Query, limit: int = 100) -> SearchResult:
        """The best matches of ``query``, at most ``limit``, ranked."""
        ...

    def detail(self, record_id: str) -> Mapping[str, Any] | None:
        """The full record (wire JSON) with this source id, or None."""
        ...
