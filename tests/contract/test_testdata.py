# SPDX-License-Identifier: EUPL-1.2
"""The published 1,000 profiles validate; mutated copies are rejected at the right JSON pointer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract import contracts
from vum.standard import Kind, MPWerkzoekendeMatch, Werkzoekende, summary_of, validate_document
from vum.standard.attributes import ATTRIBUTES


def test_every_published_profile_validates(testdata_profiles: list[dict[str, Any]]) -> None:
    report = validate_document(Kind.WERKZOEKENDE, testdata_profiles)
    assert report.total == 1000
    assert report.ok, [(r.index, [p.message for p in r.problems]) for r in report.invalid[:5]]


def test_round_trip_keeps_every_non_empty_member(testdata_profiles: list[dict[str, Any]]) -> None:
    from vum.standard.types import prune_empty

    def pruned(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: pruned(v) for k, v in prune_empty(value).items()}
        if isinstance(value, list):
            return [pruned(v) for v in value]
        return value

    for record in testdata_profiles[:200]:
        assert Werkzoekende.model_validate(record).to_wire() == pruned(record)


def test_summaries_of_published_profiles_satisfy_the_source_contract(
    testdata_profiles: list[dict[str, Any]],
) -> None:
    detail_only = {a.path.split(".")[0] for a in ATTRIBUTES[Kind.WERKZOEKENDE] if a.detail_only}
    for record in testdata_profiles:
        summary = summary_of(Werkzoekende.model_validate(record)).to_wire()
        assert contracts.errors(contracts.BRON_WERKZOEKENDE, "MPWerkzoekendeMatch", summary) == []
        assert not detail_only & summary.keys()  # minimisation: nothing detail-only leaves
        assert isinstance(MPWerkzoekendeMatch.model_validate(summary), MPWerkzoekendeMatch)


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(record: dict[str, Any]) -> None:
        node: Any = record
        for part in path[:-1]:
            if isinstance(part, str) and part not in node:
                node[part] = {} if not isinstance(path[path.index(part) + 1], int) else [{}]
            node = node[part]
        node[path[-1]] = value

    return mutate


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "bad postcode",
        _set(["mobiliteit", "bemiddelingspostcode"], "12AB"),
        "/mobiliteit/bemiddelingspostcode",
        "string_pattern_mismatch",
    ),
    (
        "postcode with space",
        _set(["mobiliteit", "bemiddelingspostcode"], "1234 AB"),
        "/mobiliteit/bemiddelingspostcode",
        "string_pattern_mismatch",
    ),
    ("extra property at top", _set(["naam"], "Jan"), "/naam", "extra_forbidden"),
    (
        "extra property nested",
        _set(["mobiliteit", "woonplaats"], "Almere"),
        "/mobiliteit/woonplaats",
        "extra_forbidden",
    ),
    (
        "wrong enum",
        _set(["indicatieLdrRegistratie"], 3),
        "/indicatieLdrRegistratie",
        "literal_error",
    ),
    (
        "wrong enum in array",
        _set(["contractvorm"], [{"codeTypeArbeidscontract": "X"}]),
        "/contractvorm/0/codeTypeArbeidscontract",
        "literal_error",
    ),
    (
        "wrong enum deep",
        _set(["arbeidsmarktkwalificatie", "rijbewijs"], [{"codeSoortRijbewijs": "Z"}]),
        "/arbeidsmarktkwalificatie/rijbewijs/0/codeSoortRijbewijs",
        "literal_error",
    ),
    (
        "too long",
        _set(["persoonlijkePresentatie"], "x" * 2001),
        "/persoonlijkePresentatie",
        "string_too_long",
    ),
    (
        "too long in array",
        _set(["telefoonnummer"], ["0612345678901234"]),
        "/telefoonnummer/0",
        "string_too_long",
    ),
    (
        "wrong type: string for integer",
        _set(["werktijden"], {"aantalWerkurenPerWeekMaximaal": "40"}),
        "/werktijden/aantalWerkurenPerWeekMaximaal",
        "int_type",
    ),
    (
        "wrong type: boolean for integer",
        _set(["indicatieBeschikbaarheidContactgegevens"], True),
        "/indicatieBeschikbaarheidContactgegevens",
        "int_type",
    ),
    (
        "wrong type: object for array",
        _set(["bemiddelingsberoep"], {"codeBeroepsnaam": "x"}),
        "/bemiddelingsberoep",
        "list_type",
    ),
    (
        "out of range",
        _set(["mobiliteit", "maximaleReisafstand"], 1000),
        "/mobiliteit/maximaleReisafstand",
        "less_than_equal",
    ),
    (
        "impossible date",
        _set(["flexibiliteit"], {"datumAanvangBeschikbaarVoorWerk": "2026-02-30"}),
        "/flexibiliteit/datumAanvangBeschikbaarVoorWerk",
        "vum_date",
    ),
    ("bad id", _set(["idWerkzoekende"], "a b"), "/idWerkzoekende", "string_pattern_mismatch"),
    (
        "bad language code",
        _set(["arbeidsmarktkwalificatie", "taalbeheersing"], [{"codeTaal": "NL"}]),
        "/arbeidsmarktkwalificatie/taalbeheersing/0/codeTaal",
        "string_pattern_mismatch",
    ),
]


@pytest.mark.parametrize(
    ("name", "mutate", "pointer", "code"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_mutated_profile_is_rejected_at_its_path(
    testdata_profiles: list[dict[str, Any]],
    name: str,
    mutate: Callable[[dict[str, Any]], None],
    pointer: str,
    code: str,
) -> None:
    records = copy.deepcopy(testdata_profiles[:3])
    mutate(records[1])
    report = validate_document(Kind.WERKZOEKENDE, records)
    assert len(report.valid) == 2, "the other records stay valid"
    [bad] = report.invalid
    assert bad.index == 1
    assert [(p.pointer, p.code) for p in bad.problems] == [(f"/1{pointer}", code)]
    assert bad.problems[0].message_nl and bad.problems[0].message_en
    # The contract agrees that the mutated record is invalid.
    assert contracts.errors(contracts.BRON_WERKZOEKENDE, "Werkzoekende", records[1])


def test_empty_values_count_as_absent(testdata_profiles: list[dict[str, Any]]) -> None:
    record = copy.deepcopy(testdata_profiles[0])
    record.update(persoonlijkePresentatie="", sector=[], eisAanWerk={}, webadres=[{}])
    model = Werkzoekende.model_validate(record)
    wire = model.to_wire()
    for member in ("persoonlijkePresentatie", "sector", "eisAanWerk", "webadres"):
        assert member not in wire
