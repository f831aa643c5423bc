# SPDX-License-Identifier: EUPL-1.2
"""Search quality: top-1/top-3 accuracy of a register on labelled queries (for tests and the bench)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vum.register.model import Register


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    """A query as a mediator types it, with the ISCO-08 unit groups that count as a right answer."""

    query: str
    isco: frozenset[str]


@dataclass(frozen=True, slots=True)
class Miss:
    """A query whose first hit was not acceptable: what it expected and what it got (top 3)."""

    query: str
    expected: frozenset[str]
    got: tuple[tuple[str, str], ...]  # (isco, label) of the top hits
    in_top3: bool


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Accuracy figures of one evaluation run."""

    queries: int
    top1: float
    top3: float
    misses: tuple[Miss, ...]

    def summary(self) -> str:
        """One line with the figures, e.g. for a test's assertion message."""
        return f"top-1 {self.top1:.3f}, top-3 {self.top3:.3f} over {self.queries} queries"


def read_labelled_queries(path: Path) -> list[LabelledQuery]:
    """Read a `query,isco` CSV; `isco` holds one or more unit groups separated by `|`."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelledQuery(
                row["query"], frozenset(c.strip() for c in row["isco"].split("|") if c.strip())
            )
            for row in csv.DictReader(handle)
        ]


def evaluate(register: Register, queries: Iterable[LabelledQuery]) -> QualityReport:
    """Top-1 and top-3 accuracy: a hit is an occupation with an acceptable ISCO code."""
    total = top1 = top3 = 0
    misses: list[Miss] = []
    for q in queries:
        hits = register.search(q.query, limit=3)
        codes = [h.occupation.isco for h in hits]
        total += 1
        first = bool(codes) and codes[0] in q.isco
        within = any(c in q.isco for c in codes)
        top1 += first
        top3 += within
        if not first:
            got = tuple((h.occupation.isco, h.occupation.label) for h in hits)
            misses.append(Miss(q.query, q.isco, got, within))
    return QualityReport(
        queries=total,
        top1=top1 / total if total else 0.0,
        top3=top3 / total if total else 0.0,
        misses=tuple(misses),
    )
