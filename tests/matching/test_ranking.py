# SPDX-License-Identifier: EUPL-1.2
"""Ranking, explanations and the open VUM extensions ($text, more occupations, nice-to-haves)."""

from __future__ import annotations

from typing import Any

import pytest

from vum.matching import build_engine
from vum.standard import Kind, QueryError, parse_query

HEFTRUCK = "https://data.openvum.nl/id/beroep/heftruckchauffeur"
ORDERPICKER = "https://data.openvum.nl/id/beroep/orderpicker"
KOK = "https://data.openvum.nl/id/beroep/kok"


def profile(i: int, postcode: str, occupation: str = HEFTRUCK, **extra: Any) -> dict[str, Any]:
    return {
        "idWerkzoekende": f"w{i}",
        "mobiliteit": {"bemiddelingspostcode": postcode},
        "bemiddelingsberoep": [{"codeBeroepsnaam": occupation}],
        **extra,
    }


def vacancy(i: int, postcode: str, occupation: str = HEFTRUCK, **extra: Any) -> dict[str, Any]:
    return {
        "idVacature": f"v{i}",
        "adres": {"postcode": postcode},
        "beroep": {"codeBeroepsnaam": occupation},
        **extra,
    }


AREA = {"selectiegebied": {"postcode": "1315AB", "afstand": 100}}


def test_closer_records_rank_higher() -> None:
    engine = build_engine(
        Kind.WERKZOEKENDE,
        [
            profile(1, "1012AB"),  # Amsterdam, ~25 km
            profile(2, "1315XY"),  # Almere centre, ~0 km
            profile(3, "8232AA"),  # Lelystad, ~40 km
        ],
    )
    result = engine.search(parse_query(Kind.WERKZOEKENDE, AREA))
    assert [h.record_id for h in result.hits] == ["w2", "w1", "w3"]
    assert result.hits[0].distance_km is not None and result.hits[0].distance_km < 2
    assert 0 < result.hits[-1].score < result.hits[0].score <= 100


def test_limit_cuts_after_ranking_and_sets_the_flag() -> None:
    records = [profile(i, "1012AB") for i in range(150)] + [profile(999, "1315XY")]
    engine = build_engine(Kind.WERKZOEKENDE, records)
    result = engine.search(parse_query(Kind.WERKZOEKENDE, AREA), limit=100)
    assert result.total == 151 and len(result.hits) == 100 and result.more
    assert result.hits[0].record_id == "w999"  # ranked before the cut, not after


def test_summary_leaves_detail_only_members_at_the_source() -> None:
    engine = build_engine(
        Kind.WERKZOEKENDE,
        [
            profile(
                1,
                "1315XY",
                indicatieLdrRegistratie=1,
                persoonlijkePresentatie="Ik ...",
                emailadres=["werkcoach@gemeente.nl"],
                werktijden={"aantalWerkurenPerWeekMaximaal": 32},
            ),
        ],
    )
    [hit] = engine.search(parse_query(Kind.WERKZOEKENDE, AREA)).hits
    assert set(hit.summary) == {"idWerkzoekende", "mobiliteit", "bemiddelingsberoep", "werktijden"}
    assert engine.detail("w1") is not None and engine.detail("w1")["indicatieLdrRegistratie"] == 1
    assert engine.detail("nope") is None


def test_every_hit_explains_itself_in_dutch() -> None:
    engine = build_engine(
        Kind.WERKZOEKENDE,
        [
            profile(
                1, "1012AB", arbeidsmarktkwalificatie={"rijbewijs": [{"codeSoortRijbewijs": "B"}]}
            )
        ],
    )
    query = parse_query(
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "bemiddelingsberoep": {
                "$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": HEFTRUCK}}]}
            },
            "arbeidsmarktkwalificatie.rijbewijs": {
                "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}]
            },
        },
    )
    [hit] = engine.search(query).hits
    kinds = {e.criterion for e in hit.explanations}
    assert {"afstand", "beroep", "rijbewijs B", "volledigheid"} <= kinds
    assert any("km van 1315AB" in e.detail for e in hit.explanations)
    assert all(e.as_dict()["toelichting"] for e in hit.explanations)


def test_text_extension_filters_and_ranks_by_relevance() -> None:
    engine = build_engine(
        Kind.VACATURE,
        [
            vacancy(1, "1315XY", omschrijvingVacature="Werken in een koelcel."),
            vacancy(
                2,
                "1012AB",
                omschrijvingVacature="Heftruckcertificaat vereist; werken met de heftruck in het magazijn.",
            ),
            vacancy(3, "1315XY", omschrijvingVacature="Medewerker magazijn in ploegendienst."),
        ],
    )
    # Stemming: "magazijnen" finds "magazijn"; the record with both words ranks first even
    # though it lies farther away.
    query = parse_query(Kind.VACATURE, {**AREA, "$text": {"$search": "heftruck magazijnen"}})
    result = engine.search(query)
    assert [h.record_id for h in result.hits] == ["v2", "v3"]


def test_more_occupations_extension_for_vacancies() -> None:
    engine = build_engine(
        Kind.VACATURE,
        [
            vacancy(1, "1315XY", HEFTRUCK),
            vacancy(2, "1315XY", ORDERPICKER),
            vacancy(3, "1315XY", KOK),
        ],
    )
    query = parse_query(
        Kind.VACATURE,
        {
            **AREA,
            "beroep.codeBeroepsnaam": {"$eq": HEFTRUCK},
            "x-openvum": {"beroepen": [ORDERPICKER]},
        },
    )
    result = engine.search(query)
    assert [h.record_id for h in result.hits] == ["v1", "v2"]  # the asked one before the extra one


def test_wishes_rank_but_do_not_filter() -> None:
    engine = build_engine(
        Kind.WERKZOEKENDE,
        [
            profile(1, "1315XY"),
            profile(
                2, "1315XY", arbeidsmarktkwalificatie={"rijbewijs": [{"codeSoortRijbewijs": "C"}]}
            ),
        ],
    )
    query = parse_query(
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "x-openvum": {
                "wensen": {
                    "arbeidsmarktkwalificatie.rijbewijs": {
                        "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "C"}}}]
                    }
                }
            },
        },
    )
    result = engine.search(query)
    assert [h.record_id for h in result.hits] == ["w2", "w1"]
    unmet = [e for e in result.hits[1].explanations if e.criterion == "wens"]
    assert unmet and unmet[0].met is False and "niet vervuld" in unmet[0].detail


@pytest.mark.parametrize(
    ("extension", "pointer"),
    [
        ({"$text": "heftruck"}, "/vraagObject/$text/$search"),
        ({"x-openvum": {"beroepen": "kok"}}, "/vraagObject/x-openvum/beroepen"),
        (
            {"x-openvum": {"wensen": {"werktijden.indicatieKantoortijden": {"$eq": 5}}}},
            "/vraagObject/x-openvum/wensen/werktijden.indicatieKantoortijden/$eq",
        ),
    ],
)
def test_malformed_extensions_name_their_path(extension: dict[str, Any], pointer: str) -> None:
    engine = build_engine(Kind.WERKZOEKENDE, [profile(1, "1315XY")])
    with pytest.raises(QueryError) as info:
        engine.search(parse_query(Kind.WERKZOEKENDE, {**AREA, **extension}))
    assert pointer in [p.pointer for p in info.value.problems]


def test_unplaceable_query_postcode_finds_nothing() -> None:
    engine = build_engine(Kind.WERKZOEKENDE, [profile(1, "1315XY")])
    query = parse_query(
        Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": "0999AA", "afstand": 999}}
    )
    assert engine.search(query).total == 0


def test_rank_orders_everything_without_filtering() -> None:
    # The facility ranks what sources sent, including records a source matched differently.
    engine = build_engine(
        Kind.WERKZOEKENDE,
        [
            profile(1, "9711AA"),  # Groningen: outside a 100 km radius around Almere
            profile(2, "1315XY"),
            profile(3, "1012AB", KOK),
        ],
    )
    query = parse_query(
        Kind.WERKZOEKENDE,
        {
            **AREA,
            "bemiddelingsberoep": {
                "$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": HEFTRUCK}}]}
            },
        },
    )
    result = engine.rank(query)
    assert [h.record_id for h in result.hits] == ["w2", "w3", "w1"]
    assert result.total == 3
    far = next(e for e in result.hits[-1].explanations if e.criterion == "afstand")
    assert "buiten het zoekgebied" in far.detail
