# SPDX-License-Identifier: EUPL-1.2
"""The engine's shortcuts give the same bits as the plain way: plans, distances, rounding, text scores, lazy columns."""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vum.bench.mix import build_mix
from vum.geo import distance_km, haversine_km_array, pc4_table
from vum.matching import engine as engine_module
from vum.matching.arrays import member, member_any, rounded, union
from vum.matching.columns import Columns, Grid, _completeness_counter, grid
from vum.matching.engine import ColumnarEngine
from vum.standard import Kind, matches, parse_query
from vum.standard.query import Query
from vum.synthetic import generate


@cache
def _records(kind: Kind) -> list[dict[str, Any]]:
    return list(generate(kind, 3000, seed=7))


def _queries(kind: Kind) -> list[Query]:
    queries = [q for form in build_mix(kind, _records(kind), 4) for q in form.queries]
    for centre, km in (("1012RJ", 10), ("3511AA", 50), ("9711LV", 999)):
        for words in ("heftruck magazijn", "kok", "zorg administratie klantenservice"):
            wire = {
                "selectiegebied": {"postcode": centre, "afstand": km},
                "$text": {"$search": words},
            }
            queries.append(parse_query(kind, wire))
    return queries


def _view(result: Any) -> tuple[Any, ...]:
    return (
        result.total,
        [(h.record_id, h.score, h.distance_km, h.summary, h.explanations) for h in result.hits],
    )


@pytest.mark.parametrize("kind", list(Kind))
def test_both_plans_select_what_the_reference_selects(
    kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records(kind)
    engine = ColumnarEngine(kind, records)
    for query in _queries(kind):
        answers = []
        for share in (1, 8, 10**9):  # start from postings always, as tuned, never
            monkeypatch.setattr(engine_module, "SMALL_PLAN_SHARE", share)
            selected = {engine.cols.ids[i] for i in engine.select(query)}
            # A small limit cuts among ties, where the order of the rows could show.
            answers.append((selected, engine.search(query), engine.search(query, limit=3)))
        if not query.extensions:  # (the reference evaluator knows no extensions)
            expected = {r[kind.id_field] for r in records if matches(query, r, distance_km)}
            assert answers[0][0] == expected
        assert answers[0][0] == answers[1][0] == answers[2][0]
        if query.occupations:
            # Started from the occupations the rows come in another order: ties at the cut may
            # fall differently, the scores may not.
            for cut in (1, 2):
                assert [[h.score for h in a[cut].hits] for a in answers[1:]] == [
                    [h.score for h in answers[0][cut].hits]
                ] * 2
        else:
            # Started from $text the rows come in the area's order: the same hits exactly.
            for cut in (1, 2):
                assert _view(answers[0][cut]) == _view(answers[1][cut]) == _view(answers[2][cut])


def test_a_lazy_engine_over_summaries_ranks_as_an_eager_one() -> None:
    kind = Kind.WERKZOEKENDE
    records = _records(kind)[:500]
    eager = ColumnarEngine(kind, records)
    for query in _queries(kind)[::3]:
        lazy = ColumnarEngine(kind, records, eager_text=False)
        assert _view(lazy.rank(query)) == _view(eager.rank(query))
        # The summary is the record itself when the records are summaries already.
        own = ColumnarEngine(kind, records, eager_text=False, summaries=True).rank(query, 20)
        assert all(h.summary is records[int(eager.cols.row_of[h.record_id])] for h in own.hits)


@pytest.mark.parametrize("kind", list(Kind))
def test_lazy_columns_are_the_eager_columns(kind: Kind) -> None:
    records = _records(kind)
    eager, lazy = (Columns(kind, records), Columns(kind, records, lazy=True))
    assert "hours_min" not in lazy.__dict__
    for name in ("irregular", "office", "hours_min", "hours_max", "day", "level"):
        assert np.array_equal(getattr(eager, name), getattr(lazy, name))
    # Keyed columns are made per key on first read, by [] or get, as the eager ones are.
    for name in ("occupations", "occupation_cells", "contracts", "licences", "languages"):
        made, wanted = getattr(lazy, name), getattr(eager, name)
        assert made.keys() == wanted.keys() and len(made) == len(wanted) > 0, name
        assert made.get("no such code") is None and "no such code" not in made
        for i, key in enumerate(wanted):
            got = made[key] if i % 2 else made.get(key)
            assert made[key] is got  # made once
            for mine, theirs in zip(
                dataclasses.astuple(got) if name == "languages" else (got,),
                dataclasses.astuple(wanted[key]) if name == "languages" else (wanted[key],),
                strict=True,
            ):
                assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), (name, key)


def _has(record: Any, path: tuple[str, ...]) -> bool:
    node = record
    for part in path:
        node = node.get(part) if type(node) is dict else None
        if node is None or node == "" or node == [] or node == {}:
            return False
    return True


json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.floats(-1, 1) | st.sampled_from(["", "x"]),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["opleiding", "rijbewijs", "a"]), inner, max_size=2)
    ),
    max_leaves=4,
)


@given(
    st.dictionaries(
        st.sampled_from(
            ["werktijden", "contractvorm", "arbeidsmarktkwalificatie", "mobiliteit", "b"]
        ),
        json_value,
    )
)
def test_completeness_counts_as_the_member_by_member_check(record: dict[str, Any]) -> None:
    for kind in Kind:
        assert _completeness_counter(kind)(dict)(record) == sum(
            _has(record, p) for p in _paths(kind)
        )


def _paths(kind: Kind) -> tuple[tuple[str, ...], ...]:
    from vum.matching.columns import _COMPLETENESS

    return _COMPLETENESS[kind]


def test_grid_distances_are_the_haversine_of_vum_geo() -> None:
    table, g = pc4_table(), _fresh_grid()
    for row in range(0, len(table.pc4), 97):
        lat0, lon0 = float(table.lat[row]), float(table.lon[row])
        full = haversine_km_array(table.lat, table.lon, lat0, lon0)
        assert np.array_equal(g.cell_km(lat0, lon0)[:-1], full)
        for radius in (0.0, 5.0, 25.0, 50.0, 150.0, 999.0):
            near = g._cell_km(lat0, lon0, radius)[:-1]  # the band alone, as on a first query
            exact = np.isfinite(near)
            assert np.array_equal(near[exact], full[exact])  # the same bits where computed
            assert not (full[~exact] <= radius).any()  # and every cell in reach computed


def _fresh_grid() -> Grid:
    """The grid without the distances other tests left in its caches."""
    return dataclasses.replace(grid(), _recent={}, _distances={})


@pytest.mark.parametrize("first", [None, 999.0, 60.0, 25.0, 0.0])
def test_a_reach_is_the_same_whatever_was_asked_from_its_centre_before(
    first: float | None,
) -> None:
    # A centre's distances serve the radii they cover: a reach must not depend on which radius
    # (if any) the centre was asked with first.
    table = pc4_table()
    for row in range(0, len(table.pc4), 211):
        lat0, lon0 = float(table.lat[row]), float(table.lon[row])
        full = haversine_km_array(table.lat, table.lon, lat0, lon0)
        g = _fresh_grid()
        g.reach(lat0, lon0, first)
        for radius in (0.0, 10.0, 25.0, 60.0, 999.0, None):
            reach = g.reach(lat0, lon0, radius)
            inside = full <= (math.inf if radius is None else radius)
            assert reach.inside.tolist() == [*inside.tolist(), False]  # the slot: unplaced
            assert reach.cells.tolist() == np.flatnonzero(inside).tolist()
            assert np.array_equal(reach.km[:-1][inside], full[inside])
            assert reach.km[-1] == math.inf


@pytest.mark.parametrize("kind", list(Kind))
def test_answers_do_not_depend_on_the_distances_kept_from_earlier_queries(kind: Kind) -> None:
    engine = ColumnarEngine(kind, _records(kind))
    queries = _queries(kind)
    alone = []
    for query in queries:
        engine.cols.grid = _fresh_grid()
        alone.append(_view(engine.search(query, 40)))
    # Now every centre asked country-wide first, so that each query reuses those distances.
    engine.cols.grid = _fresh_grid()
    for query in queries:
        wide = parse_query(kind, {"selectiegebied": {"postcode": query.postcode, "afstand": 999}})
        engine.search(wide)
    assert [_view(engine.search(query, 40)) for query in queries] == alone


@pytest.mark.parametrize("kind", list(Kind))
def test_sorting_all_matches_cuts_as_the_partition_does(
    kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Up to SORT_ALL matches are sorted whole, more go through _best first: both must give
    # the same hits in the same order, ties at the cut included.
    engine = ColumnarEngine(kind, _records(kind))
    answers = []
    for sort_all in (0, 10**9):
        monkeypatch.setattr(engine_module, "SORT_ALL", sort_all)
        answers.append(
            [_view(engine.search(q, limit)) for q in _queries(kind) for limit in (1, 7, 100)]
        )
    assert answers[0] == answers[1]


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            # scores apart by less, or more, than the 6 decimals the order looks at
            st.integers(0, 40).map(lambda k: 50.0 + k * 3e-7),
            st.sampled_from([0.0, 1.5, 2.25]),
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 70),
    st.sampled_from([0, 10**9]),
)
def test_the_order_is_score_to_6_decimals_then_distance_then_row(
    matches: list[tuple[float, float]], limit: int, sort_all: int
) -> None:
    scores = np.array([s for s, _ in matches])
    distance = np.array([d for _, d in matches])
    rows = np.random.default_rng(len(matches)).permutation(1000)[: len(matches)].astype(np.int32)
    expected = sorted(
        range(len(matches)),
        key=lambda i: (-float(np.round(scores[i], 6)), float(distance[i]), int(rows[i])),
    )[:limit]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_module, "SORT_ALL", sort_all)  # sorted whole, or cut by _best
        assert engine_module._order(scores, distance, rows, limit).tolist() == expected


@settings(max_examples=300)
@given(
    st.lists(st.floats(allow_nan=False, min_value=-1e6, max_value=1e6), max_size=50)
    | st.lists(st.integers(-(10**7), 10**7).map(lambda k: (k + 0.5) / 100), max_size=50)
    # huge and infinite values, and halves around 1e9 / 100, where the shortcut stops
    | st.lists(
        st.floats(min_value=-1e300, max_value=1e300) | st.sampled_from([math.inf, -math.inf]),
        max_size=50,
    )
    | st.lists(st.integers(10**8, 10**12).map(lambda k: (k + 0.5) / 100), max_size=50)
)
def test_rounded_is_pythons_round(values: list[float]) -> None:
    got = rounded(np.array(values, dtype=np.float64), 2)
    assert [(v, math.copysign(1, v)) for v in got] == [
        (round(v, 2), math.copysign(1, round(v, 2))) for v in values
    ]


sorted_rows = st.lists(st.integers(0, 199), max_size=60).map(
    lambda xs: np.array(sorted(set(xs)), dtype=np.int32)
)


@given(st.lists(sorted_rows, max_size=4), st.lists(st.integers(0, 199), max_size=80))
def test_set_helpers_agree_with_python_sets(lists: list[Any], candidates: list[int]) -> None:
    rows = np.array(candidates, dtype=np.int32)
    everything = set().union(*(set(x.tolist()) for x in lists))
    assert union(lists).tolist() == sorted(everything)
    assert member_any(200, lists, rows).tolist() == [c in everything for c in candidates]
    for one in lists:
        assert member(200, one, rows).tolist() == [c in set(one.tolist()) for c in candidates]


def test_text_scores_agree_however_they_are_taken() -> None:
    engine = ColumnarEngine(Kind.VACATURE, _records(Kind.VACATURE))
    index, cells = engine.cols.text, engine.cols.cell
    for words in ("heftruck magazijn", "zorg klant administratie heftruck", "kok", "onbekendwoord"):
        found = index.match(words)
        dense = found.dense()
        for step in (1, 7, 97):  # many candidates read the dense scores, a few search the postings
            some = np.arange(0, engine.cols.n, step, dtype=np.int32)
            fresh = type(found)(found.n, found.postings, found.terms)
            assert np.array_equal(fresh.of(some), dense[some])
        cell_km = grid().cell_km(52.37, 4.89, 60.0)
        rows, scores = found.within(cell_km, 60.0)
        expected = np.flatnonzero((dense > 0) & (cell_km[cells] <= 60.0))
        assert rows.tolist() == expected.tolist()
        assert np.array_equal(scores, dense[expected])


@pytest.mark.parametrize("kind", list(Kind))
def test_the_cut_keeps_a_prefix_of_the_whole_ranking(kind: Kind) -> None:
    # Records tied at the cut go by distance, then by row, as the order does: the best
    # ``limit`` are exactly the first ``limit`` of the full ranking, whatever ``limit`` is.
    engine = ColumnarEngine(kind, _records(kind))
    for query in _queries(kind):
        full = [h.record_id for h in engine.search(query, 10**9).hits]
        for limit in (1, 7, 40, 100):
            assert [h.record_id for h in engine.search(query, limit).hits] == full[:limit]


@pytest.mark.parametrize("kind", list(Kind))
def test_a_pc4_missing_from_the_table_is_placed_as_the_reference_places_it(kind: Kind) -> None:
    # 3062 (Rotterdam) is not in the PC4 table; vum.geo uses its nearest known neighbour, and so
    # must the engine, or those records vanish from every radius query.
    assert pc4_table().row_of(3062) is None
    records = [dict(r) for r in _records(kind)[:200]]
    for i in range(0, 200, 10):
        place = records[i].setdefault("mobiliteit" if kind is Kind.WERKZOEKENDE else "adres", {})
        place["bemiddelingspostcode" if kind is Kind.WERKZOEKENDE else "postcode"] = "3062AB"
    engine = ColumnarEngine(kind, records)
    query = parse_query(kind, {"selectiegebied": {"postcode": "3011AA", "afstand": 10}})
    expected = {engine.cols.ids[i] for i, r in enumerate(records) if matches(query, r, distance_km)}
    assert len(expected) >= 20
    assert {engine.cols.ids[i] for i in engine.select(query)} == expected
