# SPDX-License-Identifier: EUPL-1.2
"""Synthetic records validate, are deterministic, and correlate the way real ones do."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.contract import contracts
from vum.geo import resolve
from vum.register import load_builtin
from vum.standard import Kind, Vacature, summary_of, validate_document
from vum.synthetic import generate


@pytest.fixture(scope="module")
def profiles() -> list[dict[str, Any]]:
    return list(generate(Kind.WERKZOEKENDE, 600, seed=11))


@pytest.fixture(scope="module")
def vacancies() -> list[dict[str, Any]]:
    return list(generate(Kind.VACATURE, 600, seed=11))


def test_generated_records_validate(profiles: list[Any], vacancies: list[Any]) -> None:
    assert validate_document(Kind.WERKZOEKENDE, profiles).ok
    assert validate_document(Kind.VACATURE, vacancies).ok


def test_generated_vacancies_and_their_summaries_satisfy_the_contract(
    koppelvlak_dir: object, vacancies: list[dict[str, Any]]
) -> None:
    for record in vacancies[:150]:
        assert contracts.errors(contracts.BRON_VACATURES, "Vacature", record) == []
        summary = summary_of(Vacature.model_validate(record)).to_wire()
        assert contracts.errors(contracts.BRON_VACATURES, "MPVacatureMatch", summary) == []


def test_same_seed_same_records_other_seed_other_records() -> None:
    first = list(generate(Kind.WERKZOEKENDE, 40, seed=3))
    assert first == list(generate(Kind.WERKZOEKENDE, 40, seed=3))
    assert first != list(generate(Kind.WERKZOEKENDE, 40, seed=4))


def test_occupations_come_from_the_register(profiles: list[Any], vacancies: list[Any]) -> None:
    register = load_builtin()
    uris = {b["codeBeroepsnaam"] for p in profiles for b in p["bemiddelingsberoep"]}
    uris |= {v["beroep"]["codeBeroepsnaam"] for v in vacancies}
    assert uris and all(u in register for u in uris)
    assert len(uris) > 100  # spread over the register, not a handful of jobs


def test_postcodes_are_real(profiles: list[Any], vacancies: list[Any]) -> None:
    codes = [p["mobiliteit"]["bemiddelingspostcode"] for p in profiles]
    codes += [v["adres"]["postcode"] for v in vacancies]
    assert all(not resolve(c).fallback for c in codes)
    assert len({c[:2] for c in codes}) > 40  # the whole country, not one town


def test_truck_drivers_hold_truck_licences() -> None:
    register = load_builtin()
    records = list(generate(Kind.WERKZOEKENDE, 3000, seed=5))
    drivers = [
        r
        for r in records
        if register.require(r["bemiddelingsberoep"][0]["codeBeroepsnaam"]).isco == "8332"
    ]
    assert drivers
    for r in drivers:
        held = {x["codeSoortRijbewijs"] for x in r["arbeidsmarktkwalificatie"]["rijbewijs"]}
        assert {"C", "CE"} <= held


def test_optional_fields_are_sometimes_empty(profiles: list[dict[str, Any]]) -> None:
    present = Counter(key for p in profiles for key in p)
    n = len(profiles)
    for member in ("persoonlijkePresentatie", "werktijden", "eisAanWerk", "webadres"):
        assert 0.05 * n < present[member] < 0.95 * n, member


def test_contact_details_are_the_consultants(profiles: list[dict[str, Any]]) -> None:
    # VUM: the profile's contact is the municipality's consultant, never the job seeker.
    for p in profiles:
        for contact in p.get("contactpersoon", []):
            assert contact["emailadres"].startswith("werkcoach")
