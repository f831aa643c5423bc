# SPDX-License-Identifier: EUPL-1.2
"""The quality report: shares per attribute, weights, a score, and records that queries cannot find."""

from __future__ import annotations

import copy
import json
from typing import Any

from vum.sources.quality import (
    WEIGHT_DETAIL,
    WEIGHT_EERSTE_ANTWOORD,
    WEIGHT_ZOEKBAAR,
    QualityCounter,
    present_paths,
    quality_report,
)
from vum.standard.attributes import ATTRIBUTES
from vum.standard.kinds import Kind


def _minimal(i: int, **extra: Any) -> dict[str, Any]:
    return {"idWerkzoekende": f"wz{i}", **extra}


def test_every_attribute_is_listed_with_its_dutch_name_weight_and_share() -> None:
    records = [
        _minimal(1, mobiliteit={"bemiddelingspostcode": "1012AB"}),
        _minimal(2, mobiliteit={"bemiddelingspostcode": "9711AA", "maximaleReisafstand": 10}),
        _minimal(3),
        _minimal(4, persoonlijkePresentatie=""),  # empty counts as absent
    ]
    report = quality_report(Kind.WERKZOEKENDE, records)
    rows = {r["path"]: r for r in report["attributes"]}
    assert [r["path"] for r in report["attributes"]] == [
        a.path for a in ATTRIBUTES[Kind.WERKZOEKENDE]
    ]
    postcode = rows["mobiliteit.bemiddelingspostcode"]
    assert postcode["share"] == 0.5 and postcode["count"] == 2
    assert postcode["attribuut"] and postcode["entiteit"]
    assert rows["mobiliteit.maximaleReisafstand"]["share"] == 0.25
    assert rows["persoonlijkePresentatie"]["share"] == 0.0
    assert rows["idWerkzoekende"]["weight"] == 0
    assert rows["bemiddelingsberoep.codeBeroepsnaam"]["weight"] == WEIGHT_ZOEKBAAR
    assert rows["persoonlijkePresentatie"]["weight"] == WEIGHT_DETAIL
    assert rows["mobiliteit.maximaleReisafstand"]["weight"] in {
        WEIGHT_EERSTE_ANTWOORD,
        WEIGHT_DETAIL,
    }
    json.dumps(report)


def test_an_array_attribute_counts_when_any_element_has_it() -> None:
    records = [
        _minimal(
            1, contractvorm=[{"codeTypeOvereenkomst": "01"}, {"codeTypeArbeidscontract": "B"}]
        ),
        _minimal(2, contractvorm=[{"codeTypeOvereenkomst": "02"}]),
    ]
    rows = {r["path"]: r for r in quality_report(Kind.WERKZOEKENDE, records)["attributes"]}
    assert rows["contractvorm.codeTypeArbeidscontract"]["count"] == 1
    assert rows["contractvorm.codeTypeOvereenkomst"]["count"] == 2


def test_the_score_weighs_searchable_attributes_most() -> None:
    with_occupation = [
        _minimal(i, bemiddelingsberoep=[{"codeBeroepsnaam": "https://x/beroep"}]) for i in range(4)
    ]
    with_presentation = [_minimal(i, persoonlijkePresentatie="Hallo") for i in range(4)]
    a = quality_report(Kind.WERKZOEKENDE, with_occupation)["score"]
    b = quality_report(Kind.WERKZOEKENDE, with_presentation)["score"]
    assert 0 < b < a < 100
    assert quality_report(Kind.WERKZOEKENDE, [])["score"] == 0.0


def test_records_no_query_can_find_are_counted_with_helpful_advice() -> None:
    records = [
        _minimal(
            1,
            mobiliteit={"bemiddelingspostcode": "1012AB"},
            bemiddelingsberoep=[{"codeBeroepsnaam": "https://x/beroep"}],
            werktijden={"aantalWerkurenPerWeekMaximaal": 32},
        ),
        _minimal(2, mobiliteit={"bemiddelingspostcode": "0999AA"}),  # not a Dutch postcode
        _minimal(3, mobiliteit={"bemiddelingspostcode": "9999ZZ"}),  # placed by a fallback
        _minimal(4),
    ]
    report = quality_report(Kind.WERKZOEKENDE, records)
    hard = {h["code"]: h for h in report["unfindable"]}
    assert hard["no_occupation"]["count"] == 3
    assert hard["no_postcode"]["count"] == 2
    assert hard["no_hours"]["count"] == 3
    assert hard["no_occupation"]["advice_nl"] == (
        "Vul bij voorkeur een beroep in: zonder beroep wordt een profiel alleen gevonden bij "
        "zoekvragen zonder beroep."
    )
    assert report["advice"][0]["records"] >= report["advice"][-1]["records"]
    assert all("advice_nl" in a and "advice_en" in a for a in report["advice"])


def test_vacancies_use_their_own_paths(vacancies: list[dict[str, Any]]) -> None:
    records = copy.deepcopy(vacancies[:10])
    del records[0]["beroep"]
    del records[1]["adres"]
    report = quality_report(Kind.VACATURE, records)
    hard = {h["code"]: h["count"] for h in report["unfindable"]}
    assert hard["no_occupation"] >= 1 and hard["no_postcode"] >= 1
    assert "een vacature" in report["unfindable"][0]["advice_nl"]


def test_counters_of_parts_merge_into_the_whole(profiles: list[dict[str, Any]]) -> None:
    whole = quality_report(Kind.WERKZOEKENDE, profiles)
    first, second = QualityCounter(Kind.WERKZOEKENDE), QualityCounter(Kind.WERKZOEKENDE)
    for record in profiles[:70]:
        first.add(record)
    for record in profiles[70:]:
        second.add(record)
    first.merge(second)
    assert first.report() == whole


def test_the_fast_walk_agrees_with_the_plain_one(profiles: list[dict[str, Any]]) -> None:
    wanted = {a.path for a in ATTRIBUTES[Kind.WERKZOEKENDE]}
    report = quality_report(Kind.WERKZOEKENDE, profiles)
    counts = {r["path"]: r["count"] for r in report["attributes"]}
    plain = dict.fromkeys(wanted, 0)
    for record in profiles:
        for path in present_paths(record) & wanted:
            plain[path] += 1
    assert counts == plain
