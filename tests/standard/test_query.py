# SPDX-License-Identifier: EUPL-1.2
"""Every query form of the contracts parses; malformed ones fail with the JSON pointer; unknown members are kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import contracts
from vum.standard import Kind, LanguageRequirement, QueryError, parse_query

AREA = {"selectiegebied": {"postcode": "1315AB", "afstand": 25}}
U1 = "https://linkeddata.competentnl.nl/uwv/id/occupation/57D17BDAA8"
U2 = "https://data.openvum.nl/id/beroep/heftruckchauffeur"

WERKZOEKENDE_FORMS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("area only", {}, {}),
    (
        "occupations OR",
        {
            "bemiddelingsberoep": {
                "$elemMatch": {
                    "$or": [
                        {"beroep.codeBeroepsnaam": {"$eq": U1}},
                        {"beroep.codeBeroepsnaam": {"$eq": U2}},
                    ]
                }
            }
        },
        {"occupations": (U1, U2)},
    ),
    (
        "contract types OR",
        {
            "contractvorm": {
                "$elemMatch": {
                    "$or": [
                        {"codeTypeArbeidscontract": {"$eq": "O"}},
                        {"codeTypeArbeidscontract": {"$eq": "B"}},
                    ]
                }
            }
        },
        {"contract_types": ("O", "B")},
    ),
    (
        "irregular hours",
        {"flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 1}},
        {"irregular_hours": 1},
    ),
    (
        "licences ALL",
        {
            "arbeidsmarktkwalificatie.rijbewijs": {
                "$all": [
                    {"$elemMatch": {"codeSoortRijbewijs": {"$eq": "C"}}},
                    {"$elemMatch": {"codeSoortRijbewijs": {"$eq": "CE"}}},
                ]
            }
        },
        {"licences": ("C", "CE")},
    ),
    (
        "languages ALL with levels",
        {
            "arbeidsmarktkwalificatie.taalbeheersing": {
                "$all": [
                    {
                        "$elemMatch": {
                            "codeTaal": {"$eq": "nld"},
                            "codeNiveauTaalbeheersingMondeling": {"$gte": 3},
                            "codeNiveauTaalbeheersingSchriftelijk": {"$gte": 2},
                        }
                    },
                    {"$elemMatch": {"codeTaal": {"$eq": "eng"}}},
                ]
            }
        },
        {"languages": (LanguageRequirement("nld", 3, 2), LanguageRequirement("eng"))},
    ),
    (
        "available by",
        {"datumAanvangBeschikbaarVoorWerk": {"$lte": "2026-12-01"}},
        {"available_by": "2026-12-01"},
    ),
    ("office hours", {"werktijden.indicatieKantoortijden": {"$eq": 2}}, {"office_hours": 2}),
    (
        "hours overlap",
        {
            "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 24},
            "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 32},
        },
        {"hours_min": 24, "hours_max": 32},
    ),
]

VACATURE_FORMS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("area only", {}, {}),
    ("occupation", {"beroep.codeBeroepsnaam": {"$eq": U1}}, {"occupations": (U1,)}),
    (
        "level range",
        {"codeWerkEnDenkniveauMinimaal": {"$gte": "3", "$lt": "7"}},
        {"level_from": "3", "level_below": "7"},
    ),
    ("level unknown", {"codeWerkEnDenkniveauMinimaal": {"$eq": "7"}}, {"level_eq": "7"}),
    (
        "start date",
        {"datumAanvangWerkzaamheden": {"$gte": "2026-12-01"}},
        {"starts_from": "2026-12-01"},
    ),
    (
        "irregular hours",
        {"flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 2}},
        {"irregular_hours": 2},
    ),
    (
        "licences ALL",
        {"rijbewijs": {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}]}},
        {"licences": ("B",)},
    ),
    (
        "languages ALL",
        {
            "taalbeheersing": {
                "$all": [
                    {
                        "$elemMatch": {
                            "codeTaal": {"$eq": "nld"},
                            "codeNiveauTaalbeheersingMondeling": {"$gte": 4},
                        }
                    }
                ]
            }
        },
        {"languages": (LanguageRequirement("nld", 4, None),)},
    ),
    (
        "hours overlap",
        {
            "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 1},
            "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 99},
        },
        {"hours_min": 1, "hours_max": 99},
    ),
]


def _forms(kind: Kind) -> list[Any]:
    forms = WERKZOEKENDE_FORMS if kind is Kind.WERKZOEKENDE else VACATURE_FORMS
    contract = (
        (contracts.BRON_WERKZOEKENDE, "MPWerkzoekende")
        if kind is Kind.WERKZOEKENDE
        else (contracts.BRON_VACATURES, "MPVacature")
    )
    return [
        pytest.param(kind, body, expected, contract, id=f"{kind.value}-{name}")
        for name, body, expected in forms
    ]


@pytest.mark.parametrize(
    ("kind", "body", "expected", "contract"), _forms(Kind.WERKZOEKENDE) + _forms(Kind.VACATURE)
)
def test_contract_query_form_parses_and_round_trips(
    kind: Kind, body: dict[str, Any], expected: dict[str, Any], contract: tuple[str, str]
) -> None:
    wire = {**AREA, **body}
    query = parse_query(kind, wire)
    assert (query.postcode, query.radius_km) == ("1315AB", 25)
    for attr, value in expected.items():
        assert getattr(query, attr) == value
    assert query.ignored == ()
    assert query.to_wire() == wire
    assert parse_query(kind, query.to_wire()) == query


@pytest.mark.parametrize(
    ("kind", "body", "expected", "contract"), _forms(Kind.WERKZOEKENDE) + _forms(Kind.VACATURE)
)
def test_each_form_is_valid_under_the_published_contract(
    koppelvlak_dir: object,
    kind: Kind,
    body: dict[str, Any],
    expected: dict[str, Any],
    contract: tuple[str, str],
) -> None:
    assert contracts.errors(*contract, {**AREA, **body}) == []


MALFORMED: list[tuple[Kind, dict[str, Any], str]] = [
    (Kind.WERKZOEKENDE, {}, "/selectiegebied"),
    (Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": "1315AB"}}, "/selectiegebied/afstand"),
    (
        Kind.WERKZOEKENDE,
        {"selectiegebied": {"postcode": "1315", "afstand": 5}},
        "/selectiegebied/postcode",
    ),
    (
        Kind.WERKZOEKENDE,
        {"selectiegebied": {"postcode": "1315AB", "afstand": "5"}},
        "/selectiegebied/afstand",
    ),
    (
        Kind.WERKZOEKENDE,
        {"selectiegebied": {"postcode": "1315AB", "afstand": 1000}},
        "/selectiegebied/afstand",
    ),
    (
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "contractvorm": {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "X"}}]}},
        },
        "/contractvorm/$elemMatch/$or/0/codeTypeArbeidscontract/$eq",
    ),
    (
        Kind.WERKZOEKENDE,
        {**AREA, "bemiddelingsberoep": {"$elemMatch": {"$or": {"a": 1}}}},
        "/bemiddelingsberoep/$elemMatch/$or",
    ),
    (
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "arbeidsmarktkwalificatie.taalbeheersing": {
                "$all": [{"$elemMatch": {"codeNiveauTaalbeheersingMondeling": {"$gte": 3}}}]
            },
        },
        "/arbeidsmarktkwalificatie.taalbeheersing/$all/0/$elemMatch/codeTaal",
    ),
    (
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "arbeidsmarktkwalificatie.taalbeheersing": {
                "$all": [
                    {
                        "$elemMatch": {
                            "codeTaal": {"$eq": "nld"},
                            "codeNiveauTaalbeheersingMondeling": {"$gte": 1},
                        }
                    }
                ]
            },
        },
        "/arbeidsmarktkwalificatie.taalbeheersing/$all/0/$elemMatch/"
        "codeNiveauTaalbeheersingMondeling/$gte",
    ),
    (
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "arbeidsmarktkwalificatie.rijbewijs": {
                "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "Z"}}}]
            },
        },
        "/arbeidsmarktkwalificatie.rijbewijs/$all/0/$elemMatch/codeSoortRijbewijs/$eq",
    ),
    (
        Kind.WERKZOEKENDE,
        {**AREA, "datumAanvangBeschikbaarVoorWerk": {"$lte": "1-12-2026"}},
        "/datumAanvangBeschikbaarVoorWerk/$lte",
    ),
    (
        Kind.WERKZOEKENDE,
        {**AREA, "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 0}},
        "/werktijden.aantalWerkurenPerWeekMaximaal/$gte",
    ),
    (
        Kind.WERKZOEKENDE,
        {**AREA, "werktijden.indicatieKantoortijden": {"$eq": 0}},
        "/werktijden.indicatieKantoortijden/$eq",
    ),
    (
        Kind.VACATURE,
        {**AREA, "codeWerkEnDenkniveauMinimaal": {"$gte": "3"}},
        "/codeWerkEnDenkniveauMinimaal",
    ),
    (
        Kind.VACATURE,
        {**AREA, "codeWerkEnDenkniveauMinimaal": {"$eq": "7", "$lt": "7"}},
        "/codeWerkEnDenkniveauMinimaal",
    ),
    (
        Kind.VACATURE,
        {**AREA, "codeWerkEnDenkniveauMinimaal": {"$gte": 3, "$lt": "7"}},
        "/codeWerkEnDenkniveauMinimaal/$gte",
    ),
    (
        Kind.VACATURE,
        {**AREA, "beroep.codeBeroepsnaam": {"$eq": "x" * 201}},
        "/beroep.codeBeroepsnaam/$eq",
    ),
]


@pytest.mark.parametrize(("kind", "body", "pointer"), MALFORMED)
def test_malformed_query_names_the_json_path(
    kind: Kind, body: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(kind, body, prefix=("vraagObject",))
    pointers = [p.pointer for p in info.value.problems]
    assert "/vraagObject" + pointer in pointers
    assert all(p.message_nl and p.message_en for p in info.value.problems)


def test_query_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(QueryError, match="object"):
        parse_query(Kind.WERKZOEKENDE, ["selectiegebied"])


def test_unknown_members_are_kept_and_reported_not_refused() -> None:
    body = {
        **AREA,
        "x-openvum-tekst": {"$text": "heftruck"},
        "werktijden.indicatieKantoortijden": {"$eq": 1, "$ne": 2},
    }
    query = parse_query(Kind.WERKZOEKENDE, body)
    assert query.extensions == {"x-openvum-tekst": {"$text": "heftruck"}}
    assert set(query.ignored) == {"/x-openvum-tekst", "/werktijden.indicatieKantoortijden/$ne"}
    assert query.office_hours == 1
    assert query.to_wire()["x-openvum-tekst"] == {"$text": "heftruck"}
    assert "x-openvum-tekst" not in query.to_wire(with_extensions=False)


def test_empty_members_in_a_query_count_as_absent() -> None:
    query = parse_query(
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "contractvorm": {},
            "arbeidsmarktkwalificatie.rijbewijs": {"$all": []},
            "bemiddelingsberoep": {"$elemMatch": {"$or": []}},
        },
    )
    assert (query.contract_types, query.licences, query.occupations) == ((), (), ())


def test_repeated_values_are_a_set() -> None:
    body = {
        **AREA,
        "bemiddelingsberoep": {
            "$elemMatch": {
                "$or": [
                    {"beroep.codeBeroepsnaam": {"$eq": U1}},
                    {"beroep.codeBeroepsnaam": {"$eq": U1}},
                ]
            }
        },
    }
    assert parse_query(Kind.WERKZOEKENDE, body).occupations == (U1,)


def test_postcode_in_query_is_case_insensitive() -> None:
    query = parse_query(Kind.VACATURE, {"selectiegebied": {"postcode": "1315ab", "afstand": 0}})
    assert query.postcode == "1315AB"
