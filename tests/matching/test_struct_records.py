# SPDX-License-Identifier: EUPL-1.2
"""A checked answer's Structs are ranked exactly as the same summaries as wire dicts."""

from __future__ import annotations

import copy
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


def test_a_struct_type_without_a_member_read_is_read_member_by_member() -> None:
    # The criteria columns read Structs with getattr, which raises for a member the type does
    # not have; such records are read again member by member, absent members as None.
    import msgspec

    kind = Kind.WERKZOEKENDE
    summaries = canned_summaries(kind, 60, seed=8)
    plain = [
        {k: v for k, v in s.items() if k in ("bemiddelingsberoep", "werktijden")} for s in summaries
    ]
    # A Struct type of its own (no flexibiliteit, no arbeidsmarktkwalificatie), as a schema
    # unlike the summary's would make, mixed with plain dicts in one merge.
    beroep = msgspec.defstruct("B", [("codeBeroepsnaam", str)], bases=(MirrorRecord,))
    hours = msgspec.defstruct(
        "W",
        [
            ("aantalWerkurenPerWeekMinimaal", int | msgspec.UnsetType, msgspec.UNSET),
            ("aantalWerkurenPerWeekMaximaal", int | msgspec.UnsetType, msgspec.UNSET),
            ("indicatieKantoortijden", int | msgspec.UnsetType, msgspec.UNSET),
        ],
        bases=(MirrorRecord,),
    )
    partial = msgspec.defstruct(
        "P",
        [
            ("bemiddelingsberoep", list[beroep] | msgspec.UnsetType, msgspec.UNSET),  # type: ignore[valid-type]
            ("werktijden", hours | msgspec.UnsetType, msgspec.UNSET),
        ],
        bases=(MirrorRecord,),
    )
    structs: list[Any] = [
        msgspec.convert(p, partial) if i % 2 else p for i, p in enumerate(copy.deepcopy(plain))
    ]
    assert any(isinstance(r, MirrorRecord) for r in structs)
    ids = [str(i) for i in range(len(plain))]
    expected = Columns(kind, plain, ids=ids, lazy=True)
    got = Columns(kind, structs, ids=ids, lazy=True)
    for name in ("occupations", "hours_min", "hours_max", "office", "irregular", "day"):
        wanted, made = getattr(expected, name), getattr(got, name)
        if isinstance(wanted, dict):
            assert wanted.keys() == made.keys() and len(wanted) > 3, name
            assert all(_same(wanted[k], made[k]) for k in wanted), name
        else:
            assert _same(wanted, made), name
    assert (got.hours_min >= 0).sum() > 10


@pytest.mark.parametrize("kind", list(Kind))
def test_structs_count_completeness_as_wire_dicts(kind: Kind) -> None:
    # Members absent, empty, zero or false, one and two deep: the Struct count reads them in C
    # and must agree with the dict count (and so with the member-by-member definition).
    import random

    from vum.matching.columns import _COMPLETENESS, _completeness_counter

    rng = random.Random(11)
    counter_for = _completeness_counter(kind)

    def count(record: Any) -> int:
        return counter_for(type(record))(record)

    checker = answer_checker(kind)
    summaries = canned_summaries(kind, 40, seed=7)
    as_structs = 0
    changed: set[str] = set()  # the changes a Struct carried
    for i in range(400):
        made: set[str] = set()
        record: dict[str, Any] = copy.deepcopy(summaries[i % len(summaries)])
        # A few members changed at a time: most changes leave the checker's fast path.
        for path in rng.sample(_COMPLETENESS[kind], rng.choice([0, 1, 1, 2])):
            node = record
            for part in path[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                continue
            choice = rng.choice(["absent", "empty list", "zero", "false", "empty string"])
            made.add(choice)
            if choice == "absent":
                node.pop(path[-1], None)
            else:
                node[path[-1]] = {"empty list": [], "zero": 0, "false": False}.get(choice, "")
        valid, _, _ = checker.check_records(answer_body([record]))
        if not valid:
            continue  # the mutation made it invalid: nothing is ranked
        (checked,) = valid
        if isinstance(checked, MirrorRecord):
            as_structs += 1
            changed |= made
        assert count(checked) == count(record), record
    # The Struct path was tried, with members absent and (where a summary allows it) zero.
    assert as_structs >= 120
    assert "absent" in changed
    assert kind is not Kind.WERKZOEKENDE or "zero" in changed


@pytest.mark.parametrize("kind", list(Kind))
def test_ranking_from_a_base_read_in_parts(kind: Kind) -> None:
    # The facility reads each source's summaries for ranking as they arrive (ten at a time
    # here) and passes row ids: the ranking is the one of the whole read at once.
    from vum.matching.columns import ranking_base

    summaries = canned_summaries(kind, 200, seed=9)
    records = answer_checker(kind).check_records(answer_body(summaries))[0]
    pc4: list[int] = []
    filled: list[int] = []
    for at in range(0, len(records), 10):
        part = ranking_base(kind, records[at : at + 10])
        pc4 += part[0]
        filled += part[1]
    ids = [str(row) for row in range(len(records))]
    for form in build_mix(kind, summaries, per_form=2):
        for query in form.queries:
            engine = ColumnarEngine(
                kind, records, eager_text=False, summaries=True, ids=ids, base=(pc4, filled)
            )
            from_parts = [(h.record_id, h.score, h.distance_km) for h in engine.rank(query).hits]
            whole = [(r[0], r[1], r[2]) for r in _ranking(kind, _numbered(kind, records), query)]
            assert from_parts == whole, form.name
    with pytest.raises(ValueError, match="ranking base"):
        Columns(kind, records, ids=ids, base=(pc4[1:], filled[1:]))
