# SPDX-License-Identifier: EUPL-1.2
"""A checked answer's Structs are ranked exactly as the same summaries as wire dicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from vum.bench.facility_sources import answer_body, canned_summaries
from vum.bench.mix import build_mix
from vum.matching.columns import Columns, _occupation_labels, _text_of
from vum.matching.engine import ColumnarEngine
from vum.standard.fastcheck import answer_checker
from vum.standard.kinds import Kind
from vum.standard.msgcheck import MirrorRecord


def _numbered(kind: Kind, records: list[Any]) -> list[Any]:
    # As the facility's merge does: ranked by row.
    for row, record in enumerate(records):
        if type(record) is dict:
            record[kind.id_field] = str(row)
        else:
            setattr(record, kind.id_field, str(row))
    return records


def _ranking(kind: Kind, records: list[Any], query: Any) -> list[Any]:
    ranked = ColumnarEngine(kind, records, eager_text=False, summaries=True).rank(query)
    return [
        (h.record_id, h.score, h.distance_km, [e.as_dict() for e in h.explanations])
        for h in ranked.hits
    ]


@pytest.mark.parametrize("kind", list(Kind))
def test_structs_rank_as_wire_dicts(kind: Kind) -> None:
    summaries = canned_summaries(kind, 300, seed=5)
    body = answer_body(summaries)
    checker = answer_checker(kind)
    as_dicts = _numbered(kind, checker.check(body)[0])
    as_structs = _numbered(kind, checker.check_records(body)[0])
    assert all(isinstance(r, MirrorRecord) for r in as_structs)
    # Dates are read as dates: the availability and start-date criteria must see them.
    forms = build_mix(kind, summaries, per_form=4)
    dated = "beschikbaar" if kind is Kind.WERKZOEKENDE else "start-niveau"
    assert {dated, "tekst", "talen"} <= {f.name for f in forms}
    compared = 0
    for form in forms:
        for query in form.queries:
            expected = _ranking(kind, as_dicts, query)
            assert _ranking(kind, as_structs, query) == expected, form.name
            compared += 1
    assert compared >= 40


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if hasattr(a, "__dataclass_fields__"):
        return all(_same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return bool(a == b)


@pytest.mark.parametrize("kind", list(Kind))
def test_structs_give_the_same_columns(kind: Kind) -> None:
    # Every column a search reads, dates and free text included, not only what ranking reads.
    body = answer_body(canned_summaries(kind, 300, seed=6))
    checker = answer_checker(kind)
    dicts = Columns(kind, _numbered(kind, checker.check(body)[0]))
    structs = Columns(kind, _numbered(kind, checker.check_records(body)[0]))
    assert (dicts.day >= 0).sum() > 100  # dates are there to be read
    names = [
        "ids", "filled", "cell", "occupations", "contracts", "licences", "languages",
        "irregular", "office", "hours_min", "hours_max", "day", "level",
    ]  # fmt: skip
    for name in names:
        assert _same(getattr(dicts, name), getattr(structs, name)), name
    labels = _occupation_labels()
    for d, s in zip(dicts._records, structs._records, strict=True):
        assert _text_of(kind, d, labels) == _text_of(kind, s, labels)
