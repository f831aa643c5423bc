# SPDX-License-Identifier: EUPL-1.2
"""The JSON Schemas generated from the models agree with the published contracts, both ways."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel, ValidationError

from tests.contract import contracts
from tests.contract.strategies import from_schema
from vum.standard import Kind
from vum.standard.schema import Part, Side, json_schema, model_for
from vum.standard.types import is_empty

# (kind, part, side) -> (contract file, schema name in that contract)
PAIRS: list[tuple[Kind, Part, Side, str, str]] = [
    (Kind.WERKZOEKENDE, Part.DETAIL, Side.BRON, contracts.BRON_WERKZOEKENDE, "Werkzoekende"),
    (
        Kind.WERKZOEKENDE,
        Part.SUMMARY,
        Side.BRON,
        contracts.BRON_WERKZOEKENDE,
        "MPWerkzoekendeMatch",
    ),
    (
        Kind.WERKZOEKENDE,
        Part.SUMMARY,
        Side.BEMIDDELAAR,
        contracts.BEMIDDELAAR_WERKZOEKENDE,
        "MPWerkzoekendeMatch",
    ),
    (Kind.VACATURE, Part.DETAIL, Side.BRON, contracts.BRON_VACATURES, "Vacature"),
    (Kind.VACATURE, Part.SUMMARY, Side.BRON, contracts.BRON_VACATURES, "MPVacatureMatch"),
    (
        Kind.VACATURE,
        Part.SUMMARY,
        Side.BEMIDDELAAR,
        contracts.BEMIDDELAAR_VACATURES,
        "MPVacatureMatch",
    ),
]
IDS = [f"{k.value}-{p.value}-{s.value}" for k, p, s, _, _ in PAIRS]


@cache
def _our_validator(kind: Kind, part: Part, side: Side) -> Draft202012Validator:
    return Draft202012Validator(json_schema(kind, part, side), format_checker=FormatChecker())


def test_generated_detail_schema_accepts_every_published_profile(
    testdata_profiles: list[dict[str, Any]],
) -> None:
    validator = _our_validator(Kind.WERKZOEKENDE, Part.DETAIL, Side.BRON)
    for i, record in enumerate(testdata_profiles):
        errors = [e.message for e in validator.iter_errors(record)]
        assert errors == [], f"record {i}: {errors[:3]}"


@pytest.mark.parametrize(("kind", "part", "side", "contract", "name"), PAIRS, ids=IDS)
def test_generated_schema_accepts_the_contract_examples(
    koppelvlak_dir: object, kind: Kind, part: Part, side: Side, contract: str, name: str
) -> None:
    validator = _our_validator(kind, part, side)
    id_member = {Side.BRON: kind.id_field, Side.BEMIDDELAAR: "vumID"}[side]
    where = (
        {"mobiliteit": {"bemiddelingspostcode": "1234AB"}}
        if kind is Kind.WERKZOEKENDE
        else {"adres": {"postcode": "1234AB"}}
    )
    # The contracts' own examples: Postcode 1234AB, Integer10AsString 9999999999.
    example = {id_member: "abc-1", **where}
    if kind is Kind.WERKZOEKENDE:
        example["arbeidsmarktkwalificatie"] = {"opleiding": [{"codeOpleidingsnaam": "9999999999"}]}
    else:
        example["opleiding"] = [{"codeOpleidingsnaam": "9999999999"}]
    assert [e.message for e in validator.iter_errors(example)] == []
    assert contracts.errors(contract, name, example) == []


@cache
def _contract_strategy(contract: str, name: str) -> st.SearchStrategy[Any]:
    schemas = contracts.contract(contract)["components"]["schemas"]

    return from_schema(schemas[name], schemas)


def _check_model_against_contract(
    model: type[BaseModel], contract: str, name: str, instance: Any
) -> None:
    try:
        parsed = model.model_validate(instance)
    except ValidationError:
        return
    wire = parsed.model_dump(mode="json", exclude_none=True, by_alias=True)
    assert contracts.errors(contract, name, wire) == []


@pytest.mark.parametrize(("kind", "part", "side", "contract", "name"), PAIRS, ids=IDS)
def test_what_the_models_accept_the_contract_accepts(
    koppelvlak_dir: object, kind: Kind, part: Part, side: Side, contract: str, name: str
) -> None:
    """Property: records generated from our schema that the models accept serialise to
    JSON that the published contract accepts."""
    model = model_for(kind, part, side)
    ours = from_schema(json_schema(kind, part, side))

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ours)
    def check(instance: Any) -> None:
        _check_model_against_contract(model, contract, name, instance)

    check()


def _at(instance: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        instance = instance[part]
    return instance


@pytest.mark.parametrize(("kind", "part", "side", "contract", "name"), PAIRS, ids=IDS)
def test_what_the_contract_accepts_the_models_accept(
    koppelvlak_dir: object, kind: Kind, part: Part, side: Side, contract: str, name: str
) -> None:
    """Property: records generated from the published contract are accepted by the models."""
    model = model_for(kind, part, side)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_contract_strategy(contract, name))
    def check(instance: Any) -> None:
        try:
            model.model_validate(instance)
        except ValidationError as exc:
            # Where we are stricter on purpose: a date must be a real calendar date, and an
            # empty value counts as absent (so an empty required id is missing).
            for error in exc.errors():
                if error["type"] == "missing":
                    assert is_empty(_at(instance, error["loc"])), exc
                else:
                    assert error["type"] == "vum_date", exc

    check()
