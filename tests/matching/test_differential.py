# SPDX-License-Identifier: EUPL-1.2
"""Differential test: the engine selects exactly the records the reference evaluator accepts."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vum.geo import distance_km
from vum.matching.engine import ColumnarEngine
from vum.standard import Kind, matches, parse_query
from vum.standard.query import QueryError

# A small world so that random queries often match: a few real PC4s, occupations, codes.
PC4 = ["1012", "1315", "3511", "2511", "9711", "6211", "8232", "7511"]
OCC = [f"https://data.openvum.nl/id/beroep/test-{i}" for i in range(5)]
LICENCES = ["B", "BE", "C", "CE", "D"]
LANGS = ["nld", "eng", "tur"]
DATES = ["2026-11-01", "2026-12-01", "2026-12-15", "2027-01-01"]

maybe = st.none() | st.just("absent")


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


postcode = st.builds(lambda p, s: p + s, st.sampled_from(PC4), st.sampled_from(["AB", "ZZ", "kl"]))
language = st.fixed_dictionaries(
    {"codeTaal": st.sampled_from(LANGS)},
    optional={
        "codeNiveauTaalbeheersingMondeling": st.sampled_from([0, 1, 2, 3, 4, 8]),
        "codeNiveauTaalbeheersingSchriftelijk": st.sampled_from([0, 1, 2, 3, 4, 8]),
    },
)
hours = st.fixed_dictionaries(
    {},
    optional={
        "aantalWerkurenPerWeekMinimaal": st.integers(0, 40),
        "aantalWerkurenPerWeekMaximaal": st.integers(0, 45),
        "indicatieKantoortijden": st.sampled_from([0, 1, 2]),
    },
)
flex_wz = st.fixed_dictionaries(
    {},
    optional={
        "indicatieOnregelmatigWerkOfPloegendienst": st.sampled_from([0, 1, 2]),
        "datumAanvangBeschikbaarVoorWerk": st.sampled_from(DATES),
    },
)


def profile(i: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "idWerkzoekende": st.just(f"w{i}"),
            "mobiliteit": st.fixed_dictionaries({"bemiddelingspostcode": postcode}),
        },
        optional={
            "bemiddelingsberoep": st.lists(
                st.fixed_dictionaries({"codeBeroepsnaam": st.sampled_from(OCC)}), max_size=3
            ),
            "contractvorm": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "codeTypeArbeidscontract": st.sampled_from(["O", "B"]),
                        "codeTypeOvereenkomst": st.sampled_from(["01", "02"]),
                    },
                ),
                max_size=2,
            ),
            "arbeidsmarktkwalificatie": st.fixed_dictionaries(
                {},
                optional={
                    "rijbewijs": st.lists(
                        st.fixed_dictionaries({"codeSoortRijbewijs": st.sampled_from(LICENCES)}),
                        max_size=3,
                    ),
                    "taalbeheersing": st.lists(language, max_size=3),
                },
            ),
            "werktijden": hours,
            "flexibiliteit": flex_wz,
        },
    )


def vacancy(i: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"idVacature": st.just(f"v{i}"), "adres": st.fixed_dictionaries({"postcode": postcode})},
        optional={
            "beroep": st.fixed_dictionaries({"codeBeroepsnaam": st.sampled_from(OCC)}),
            "rijbewijs": st.lists(
                st.fixed_dictionaries({"codeSoortRijbewijs": st.sampled_from(LICENCES)}), max_size=3
            ),
            "taalbeheersing": st.lists(language, max_size=3),
            "werktijden": hours,
            "flexibiliteit": st.fixed_dictionaries(
                {},
                optional={"indicatieOnregelmatigWerkOfPloegendienst": st.sampled_from([0, 1, 2])},
            ),
            "arbeidsVoorwaarden": st.fixed_dictionaries(
                {}, optional={"datumAanvangWerkzaamheden": st.sampled_from(DATES)}
            ),
            "codeWerkEnDenkniveauMinimaal": st.sampled_from([str(d) for d in range(8)]),
        },
    )


def records(kind: Kind) -> st.SearchStrategy[list[dict[str, Any]]]:
    make = profile if kind is Kind.WERKZOEKENDE else vacancy
    return st.integers(0, 40).flatmap(lambda n: st.tuples(*[make(i) for i in range(n)]).map(list))


licence_all = st.lists(st.sampled_from(LICENCES), min_size=1, max_size=2, unique=True).map(
    lambda cs: {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": c}}} for c in cs]}
)
lang_elem = st.fixed_dictionaries(
    {"codeTaal": st.sampled_from(LANGS).map(lambda c: {"$eq": c})},
    optional={
        "codeNiveauTaalbeheersingMondeling": st.sampled_from([2, 3, 4]).map(lambda v: {"$gte": v}),
        "codeNiveauTaalbeheersingSchriftelijk": st.sampled_from([2, 3, 4]).map(
            lambda v: {"$gte": v}
        ),
    },
)
lang_all = st.lists(lang_elem, min_size=1, max_size=2).map(
    lambda es: {"$all": [{"$elemMatch": e} for e in es]}
)
area = st.fixed_dictionaries(
    {"postcode": postcode.map(str.upper), "afstand": st.sampled_from([0, 5, 30, 60, 150, 999])}
)
common = {
    "werktijden.aantalWerkurenPerWeekMaximaal": st.integers(1, 45).map(lambda v: {"$gte": v}),
    "werktijden.aantalWerkurenPerWeekMinimaal": st.integers(1, 45).map(lambda v: {"$lte": v}),
    "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": st.sampled_from([1, 2]).map(
        lambda v: {"$eq": v}
    ),
}
wz_query = st.fixed_dictionaries(
    {"selectiegebied": area},
    optional={
        **common,
        "bemiddelingsberoep": st.lists(st.sampled_from(OCC), min_size=1, max_size=3).map(
            lambda us: {"$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": u}} for u in us]}}
        ),
        "contractvorm": st.lists(st.sampled_from(["O", "B"]), min_size=1, max_size=2).map(
            lambda cs: {
                "$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": c}} for c in cs]}
            }
        ),
        "arbeidsmarktkwalificatie.rijbewijs": licence_all,
        "arbeidsmarktkwalificatie.taalbeheersing": lang_all,
        "datumAanvangBeschikbaarVoorWerk": st.sampled_from(DATES).map(lambda d: {"$lte": d}),
        "werktijden.indicatieKantoortijden": st.sampled_from([1, 2]).map(lambda v: {"$eq": v}),
    },
)
vac_query = st.fixed_dictionaries(
    {"selectiegebied": area},
    optional={
        **common,
        "beroep.codeBeroepsnaam": st.sampled_from(OCC).map(lambda u: {"$eq": u}),
        "rijbewijs": licence_all,
        "taalbeheersing": lang_all,
        "datumAanvangWerkzaamheden": st.sampled_from(DATES).map(lambda d: {"$gte": d}),
        "codeWerkEnDenkniveauMinimaal": st.one_of(
            st.just({"$eq": "7"}),
            st.sampled_from(["1", "2", "3", "4", "5", "6"]).map(lambda v: {"$gte": v, "$lt": "7"}),
        ),
    },
)


def _check(kind: Kind, data: list[dict[str, Any]], wires: list[dict[str, Any]]) -> None:
    engine = ColumnarEngine(kind, data)
    for wire in wires:
        _check_one(kind, engine, data, wire)


def _check_one(
    kind: Kind, engine: ColumnarEngine, data: list[dict[str, Any]], wire: dict[str, Any]
) -> None:
    query = parse_query(kind, wire)
    expected = {r[kind.id_field] for r in data if matches(query, r, distance_km)}
    selected = {engine.cols.ids[i] for i in engine.select(query)}
    assert selected == expected
    result = engine.search(query, limit=5)
    assert result.total == len(expected)
    assert {h.record_id for h in result.hits} <= expected
    assert len(result.hits) == min(5, len(expected))
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert result.more == (len(expected) > 5)


# 150 datasets x up to 12 queries each, per kind: thousands of random queries per run.
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(records(Kind.WERKZOEKENDE), st.lists(wz_query, min_size=6, max_size=12))
def test_engine_equals_reference_for_profiles(
    data: list[dict[str, Any]], wires: list[dict[str, Any]]
) -> None:
    _check(Kind.WERKZOEKENDE, data, wires)


@SETTINGS
@given(records(Kind.VACATURE), st.lists(vac_query, min_size=6, max_size=12))
def test_engine_equals_reference_for_vacancies(
    data: list[dict[str, Any]], wires: list[dict[str, Any]]
) -> None:
    _check(Kind.VACATURE, data, wires)


def test_queries_from_the_strategies_are_valid() -> None:
    # Guard: if the strategies drifted from the contract, the differential test would be hollow.
    example = {
        "selectiegebied": {"postcode": "1012AB", "afstand": 5},
        "arbeidsmarktkwalificatie.rijbewijs": {
            "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}]
        },
    }
    try:
        parse_query(Kind.WERKZOEKENDE, example)
    except QueryError as exc:  # pragma: no cover
        raise AssertionError(exc.problems) from None
