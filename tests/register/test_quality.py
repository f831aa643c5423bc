# SPDX-License-Identifier: EUPL-1.2
"""Search quality on the built-in register: top-1 and top-3 accuracy over realistic mediator queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from vum.register.builtin import load_builtin
from vum.register.quality import evaluate, read_labelled_queries

from .conftest import QUALITY_KEY

QUERIES = Path(__file__).with_name("labelled_queries.csv")
TOP1_FLOOR = 0.75
TOP3_FLOOR = 0.90


def test_labelled_query_set_is_large_and_well_formed() -> None:
    queries = read_labelled_queries(QUERIES)
    assert len(queries) >= 260
    assert len({q.query for q in queries}) == len(queries)
    assert all(q.isco and all(len(c) == 4 and c.isdigit() for c in q.isco) for q in queries)


def test_search_accuracy_on_labelled_queries_meets_the_floor(
    request: pytest.FixtureRequest,
) -> None:
    report = evaluate(load_builtin(), read_labelled_queries(QUERIES))
    misses = "\n".join(
        f"  {m.query!r}: expected {'|'.join(sorted(m.expected))}, got "
        + ", ".join(f"{isco} {label}" for isco, label in m.got)
        + (" (in top 3)" if m.in_top3 else "")
        for m in report.misses
    )
    print(f"\nregister search quality: {report.summary()}\nmisses at rank 1:\n{misses}")
    request.config.stash[QUALITY_KEY] = report.summary()
    message = f"{report.summary()}; floors top-1 {TOP1_FLOOR}, top-3 {TOP3_FLOOR}\n{misses}"
    assert report.top3 >= TOP3_FLOOR, message
    assert report.top1 >= TOP1_FLOOR, message
