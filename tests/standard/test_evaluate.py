# SPDX-License-Identifier: EUPL-1.2
"""Table tests of the reference evaluator: each operator, the working-hours overlap rule, empty values."""

from __future__ import annotations

from typing import Any

import pytest

from vum.standard import Kind, matches, parse_query


def pc4_distance(a: str, b: str) -> float:
    """A toy metric for these tables: one km per step between four-digit postcodes."""
    return float(abs(int(a[:4]) - int(b[:4])))


U1 = "https://data.openvum.nl/id/beroep/heftruckchauffeur"
U2 = "https://data.openvum.nl/id/beroep/orderpicker"
U3 = "https://data.openvum.nl/id/beroep/kok"


def wz(**members: Any) -> dict[str, Any]:
    """A profile at postcode 1000AA with the given members."""
    return {"idWerkzoekende": "w1", "mobiliteit": {"bemiddelingspostcode": "1000AA"}, **members}


def vac(**members: Any) -> dict[str, Any]:
    return {"idVacature": "v1", "adres": {"postcode": "1000AA"}, **members}


def q_wz(**criteria: Any) -> Any:
    return parse_query(
        Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": "1005AB", "afstand": 10}, **criteria}
    )


def q_vac(**criteria: Any) -> Any:
    return parse_query(
        Kind.VACATURE, {"selectiegebied": {"postcode": "1005AB", "afstand": 10}, **criteria}
    )


def occ(*uris: str) -> dict[str, Any]:
    return {"$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": u}} for u in uris]}}


def licences(*codes: str) -> dict[str, Any]:
    return {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": c}}} for c in codes]}


def langs(*elems: dict[str, Any]) -> dict[str, Any]:
    return {"$all": [{"$elemMatch": e} for e in elems]}


def test_selectiegebied_is_inclusive_and_uses_the_given_distance() -> None:
    assert matches(q_wz(), wz(), pc4_distance)  # 5 km
    near = parse_query(Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": "1005AB", "afstand": 5}})
    assert matches(near, wz(), pc4_distance)
    nearer = parse_query(
        Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": "1005AB", "afstand": 4}}
    )
    assert not matches(nearer, wz(), pc4_distance)


def test_selectiegebied_uses_the_vacancy_address() -> None:
    assert matches(q_vac(), vac(), pc4_distance)
    assert not matches(q_vac(), vac(adres={"postcode": "2000AA"}), pc4_distance)


def test_unplaceable_postcode_lies_in_no_area() -> None:
    def unknown(a: str, b: str) -> float:
        raise ValueError("onbekende postcode")

    assert not matches(q_wz(), wz(), unknown)


@pytest.mark.parametrize(
    ("record_occupations", "query_occupations", "expected"),
    [
        ([U1], [U1], True),
        ([U1, U3], [U2, U3], True),  # OR within occupations, any element
        ([U2], [U1, U3], False),
        ([], [U1], False),  # empty counts as absent: no match
    ],
)
def test_occupations_or_within(
    record_occupations: list[str], query_occupations: list[str], expected: bool
) -> None:
    record = wz(bemiddelingsberoep=[{"codeBeroepsnaam": u} for u in record_occupations])
    assert (
        matches(q_wz(bemiddelingsberoep=occ(*query_occupations)), record, pc4_distance) is expected
    )


def test_vacancy_occupation_eq() -> None:
    q = q_vac(**{"beroep.codeBeroepsnaam": {"$eq": U1}})
    assert matches(q, vac(beroep={"codeBeroepsnaam": U1}), pc4_distance)
    assert not matches(q, vac(beroep={"codeBeroepsnaam": U2}), pc4_distance)
    assert not matches(q, vac(), pc4_distance)


@pytest.mark.parametrize(
    ("record", "query", "expected"),
    [
        ([{"codeTypeArbeidscontract": "O"}], ["O"], True),
        ([{"codeTypeArbeidscontract": "B"}], ["O", "B"], True),
        ([{"codeTypeArbeidscontract": "B"}], ["O"], False),
        ([{"codeTypeOvereenkomst": "01"}], ["O"], False),
    ],
)
def test_contract_types_or_within(record: list[Any], query: list[str], expected: bool) -> None:
    q = q_wz(
        contractvorm={
            "$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": c}} for c in query]}
        }
    )
    assert matches(q, wz(contractvorm=record), pc4_distance) is expected


@pytest.mark.parametrize(
    ("held", "asked", "expected"),
    [
        (["B", "C", "CE"], ["C", "CE"], True),  # ALL
        (["B", "C"], ["C", "CE"], False),
        (["CE"], ["CE"], True),
        ([], ["B"], False),
    ],
)
def test_licences_all(held: list[str], asked: list[str], expected: bool) -> None:
    record = wz(arbeidsmarktkwalificatie={"rijbewijs": [{"codeSoortRijbewijs": c} for c in held]})
    q = q_wz(**{"arbeidsmarktkwalificatie.rijbewijs": licences(*asked)})
    assert matches(q, record, pc4_distance) is expected
    vq = q_vac(rijbewijs=licences(*asked))
    assert matches(vq, vac(rijbewijs=[{"codeSoortRijbewijs": c} for c in held]), pc4_distance) is (
        expected
    )


NLD_GOOD = {
    "codeTaal": "nld",
    "codeNiveauTaalbeheersingMondeling": 3,
    "codeNiveauTaalbeheersingSchriftelijk": 2,
}
ENG_FAIR = {"codeTaal": "eng", "codeNiveauTaalbeheersingMondeling": 2}


@pytest.mark.parametrize(
    ("held", "asked", "expected"),
    [
        ([NLD_GOOD], [{"codeTaal": {"$eq": "nld"}}], True),
        (
            [NLD_GOOD],
            [{"codeTaal": {"$eq": "nld"}, "codeNiveauTaalbeheersingMondeling": {"$gte": 3}}],
            True,
        ),
        (
            [NLD_GOOD],
            [{"codeTaal": {"$eq": "nld"}, "codeNiveauTaalbeheersingMondeling": {"$gte": 4}}],
            False,
        ),
        (
            [NLD_GOOD],
            [{"codeTaal": {"$eq": "nld"}, "codeNiveauTaalbeheersingSchriftelijk": {"$gte": 2}}],
            True,
        ),
        (
            [ENG_FAIR],
            [{"codeTaal": {"$eq": "eng"}, "codeNiveauTaalbeheersingSchriftelijk": {"$gte": 2}}],
            False,
        ),  # absent
        ([NLD_GOOD, ENG_FAIR], [{"codeTaal": {"$eq": "nld"}}, {"codeTaal": {"$eq": "eng"}}], True),
        ([NLD_GOOD], [{"codeTaal": {"$eq": "nld"}}, {"codeTaal": {"$eq": "eng"}}], False),
        # $elemMatch: both levels must hold for the same language element
        (
            [
                {"codeTaal": "nld", "codeNiveauTaalbeheersingMondeling": 4},
                {"codeTaal": "eng", "codeNiveauTaalbeheersingSchriftelijk": 4},
            ],
            [
                {
                    "codeTaal": {"$eq": "nld"},
                    "codeNiveauTaalbeheersingMondeling": {"$gte": 4},
                    "codeNiveauTaalbeheersingSchriftelijk": {"$gte": 4},
                }
            ],
            False,
        ),
    ],
)
def test_languages_all_with_minimum_levels(
    held: list[dict[str, Any]], asked: list[dict[str, Any]], expected: bool
) -> None:
    record = wz(arbeidsmarktkwalificatie={"taalbeheersing": held})
    q = q_wz(**{"arbeidsmarktkwalificatie.taalbeheersing": langs(*asked)})
    assert matches(q, record, pc4_distance) is expected


# The working-hours picture of the koppelvlak (werkuren_selectie.png): a job seeker available
# 24–32 hours matches every vacancy whose range overlaps, touching ends included.
HOURS_PICTURE = [
    ("Vacature 1", 0, 20, False),
    ("Vacature 2", 0, 24, True),
    ("Vacature 3", 16, 26, True),
    ("Vacature 4", 24, 32, True),
    ("Vacature 5", 18, 34, True),
    ("Vacature 6", 26, 36, True),
    ("Vacature 7", 32, 40, True),
    ("Vacature 8", 34, 40, False),
]


@pytest.mark.parametrize(
    ("name", "lo", "hi", "expected"), HOURS_PICTURE, ids=[h[0] for h in HOURS_PICTURE]
)
def test_working_hours_overlap_rule(name: str, lo: int, hi: int, expected: bool) -> None:
    q = q_vac(
        **{
            "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 24},
            "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 32},
        }
    )
    record = vac(
        werktijden={"aantalWerkurenPerWeekMinimaal": lo, "aantalWerkurenPerWeekMaximaal": hi}
    )
    assert matches(q, record, pc4_distance) is expected


def test_working_hours_absent_do_not_match() -> None:
    q = q_wz(**{"werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 24}})
    assert not matches(q, wz(werktijden={"aantalWerkurenPerWeekMinimaal": 8}), pc4_distance)
    assert not matches(q, wz(werktijden={}), pc4_distance)
    assert matches(q, wz(werktijden={"aantalWerkurenPerWeekMaximaal": 24}), pc4_distance)


@pytest.mark.parametrize(
    ("available", "expected"),
    [("2026-11-30", True), ("2026-12-01", True), ("2026-12-02", False), (None, False)],
)
def test_available_by_date_lte(available: str | None, expected: bool) -> None:
    flex = {"datumAanvangBeschikbaarVoorWerk": available} if available else {}
    q = q_wz(datumAanvangBeschikbaarVoorWerk={"$lte": "2026-12-01"})
    assert matches(q, wz(flexibiliteit=flex), pc4_distance) is expected


@pytest.mark.parametrize(
    ("start", "expected"), [("2026-11-30", False), ("2026-12-01", True), ("2027-01-01", True)]
)
def test_vacancy_start_date_gte(start: str, expected: bool) -> None:
    q = q_vac(datumAanvangWerkzaamheden={"$gte": "2026-12-01"})
    record = vac(arbeidsVoorwaarden={"datumAanvangWerkzaamheden": start})
    assert matches(q, record, pc4_distance) is expected


@pytest.mark.parametrize(
    ("level", "criterion", "expected"),
    [
        ("4", {"$gte": "3", "$lt": "7"}, True),
        ("3", {"$gte": "3", "$lt": "7"}, True),
        ("2", {"$gte": "3", "$lt": "7"}, False),
        ("7", {"$gte": "3", "$lt": "7"}, False),
        ("7", {"$eq": "7"}, True),
        ("5", {"$eq": "7"}, False),
        (None, {"$lt": "7"}, False),
    ],
)
def test_vacancy_level(level: str | None, criterion: dict[str, str], expected: bool) -> None:
    record = vac(codeWerkEnDenkniveauMinimaal=level) if level else vac()
    assert matches(q_vac(codeWerkEnDenkniveauMinimaal=criterion), record, pc4_distance) is expected


@pytest.mark.parametrize(("flag", "expected"), [(1, True), (2, False), (0, False), (None, False)])
def test_indicator_eq(flag: int | None, expected: bool) -> None:
    flex = {"indicatieOnregelmatigWerkOfPloegendienst": flag} if flag is not None else {}
    q = q_wz(**{"flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 1}})
    assert matches(q, wz(flexibiliteit=flex), pc4_distance) is expected
    office = q_wz(**{"werktijden.indicatieKantoortijden": {"$eq": 1}})
    werktijden = {"indicatieKantoortijden": flag} if flag is not None else {}
    assert matches(office, wz(werktijden=werktijden), pc4_distance) is expected


def test_criteria_are_anded() -> None:
    record = wz(
        bemiddelingsberoep=[{"codeBeroepsnaam": U1}],
        arbeidsmarktkwalificatie={"rijbewijs": [{"codeSoortRijbewijs": "B"}]},
    )
    both = q_wz(bemiddelingsberoep=occ(U1), **{"arbeidsmarktkwalificatie.rijbewijs": licences("B")})
    one_fails = q_wz(
        bemiddelingsberoep=occ(U1), **{"arbeidsmarktkwalificatie.rijbewijs": licences("C")}
    )
    assert matches(both, record, pc4_distance)
    assert not matches(one_fails, record, pc4_distance)


def test_unknown_criteria_are_ignored_by_the_evaluator() -> None:
    q = q_wz(**{"x-openvum-tekst": {"$text": "kok"}})
    assert matches(q, wz(), pc4_distance)


def test_type_mismatch_never_matches() -> None:
    # Mongo compares within a type: a level stored as a number is not the string "4".
    q = q_vac(codeWerkEnDenkniveauMinimaal={"$gte": "3", "$lt": "7"})
    assert not matches(q, vac(codeWerkEnDenkniveauMinimaal=4), pc4_distance)
