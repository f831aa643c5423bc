# SPDX-License-Identifier: EUPL-1.2
"""The kit's parts without a server: the battery is what it claims, the registry is documented, the verdict rule."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from tests.contract import contracts
from vum.conformance import battery
from vum.conformance.checks import CHECKS, Level, Results, Target
from vum.conformance.facility import VUM_ID, altered
from vum.conformance.runner import api_base
from vum.conformance.semantics import Geo, placement
from vum.conformance.source import canonical
from vum.standard import Kind, QueryError, parse_query
from vum.synthetic import generate

REQUEST_SCHEMA = {
    Kind.WERKZOEKENDE: (contracts.BRON_WERKZOEKENDE, "WerkzoekendeProfielMatchesRequest"),
    Kind.VACATURE: (contracts.BRON_VACATURES, "VacatureMatchesRequest"),
}


def _base(kind: Kind) -> battery.Probe:
    return battery.forms(kind, [], variants=1, seed=0)[0]


@pytest.mark.parametrize("kind", list(Kind))
def test_every_form_of_the_contract_is_asked_and_finds_its_record(kind: Kind) -> None:
    from vum.geo import distance_km
    from vum.standard import matches

    records = list(generate(kind, 200, seed=3))
    probes = battery.forms(kind, records, variants=3, seed=1)
    names = {name for name, kinds, _, _ in battery.FORMS if kind in kinds}
    assert {p.form for p in probes} == names
    asked = {key for p in probes for key in p.wire}
    for member in battery.query_members(kind):
        assert member in asked, member
    # Built around a record that has what the form asks, most queries find at least that one.
    lost = [p.form for p in probes if not any(matches(p.query, r, distance_km) for r in records)]
    assert lost == ["beroep-onbekend"] * 3  # that one finds nothing on purpose


@pytest.mark.parametrize("kind", list(Kind))
def test_without_records_the_forms_still_parse(kind: Kind) -> None:
    assert battery.forms(kind, [], variants=2, seed=0)


@pytest.mark.parametrize("kind", list(Kind))
def test_the_malformed_requests_are_refused_by_the_models(kind: Kind) -> None:
    for bad in battery.malformed(kind, _base(kind)):
        body = bad.body
        if bad.raw is not None or not isinstance(body, dict) or "vraagObject" not in body:
            continue  # not JSON, not an object, no vraagObject: refused before the query
        with pytest.raises(QueryError):
            parse_query(kind, body["vraagObject"])


@pytest.mark.parametrize("kind", list(Kind))
def test_the_malformed_requests_break_the_published_request_schema(
    koppelvlak_dir: Path, kind: Kind
) -> None:
    name, body_name = REQUEST_SCHEMA[kind]
    spec = contracts.contract(name)
    schema = spec["components"]["requestBodies"][body_name]["content"]["application/json"]
    from jsonschema import FormatChecker
    from openapi_schema_validator import OAS30Validator

    validator = OAS30Validator(
        {**schema["schema"], "components": spec["components"]}, format_checker=FormatChecker()
    )
    for bad in battery.malformed(kind, _base(kind)):
        if bad.raw is None:
            assert list(validator.iter_errors(bad.body)), bad.label
    for _, wire in battery.with_unknown_members(_base(kind)):
        assert not list(validator.iter_errors({"vraagObject": wire}))


@pytest.mark.parametrize("kind", list(Kind))
def test_unknown_members_are_kept_and_reported_by_the_parser(kind: Kind) -> None:
    for _, wire in battery.with_unknown_members(_base(kind)):
        assert parse_query(kind, wire).ignored


def test_api_base() -> None:
    assert api_base("http://h:8081") == "http://h:8081/api/v3"
    assert api_base("https://h/api/v3/") == "https://h/api/v3"
    assert api_base("https://h/bron/api/v3") == "https://h/bron/api/v3"


def test_an_altered_vumid_differs_inside_and_keeps_the_pattern() -> None:
    vum_id = "k1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-"
    for position in (len(vum_id) // 2, -1, 10_000):
        changed = altered(vum_id, position)
        assert changed != vum_id and VUM_ID.fullmatch(changed)
        assert changed[-1] == vum_id[-1]  # base64 padding bits: never the last character


def test_records_compare_as_vum_compares_them() -> None:
    a: dict[str, Any] = {"x": [{"b": 1}, {"a": 2}], "leeg": [], "y": {"z": ""}}
    assert canonical(a) == canonical({"x": [{"a": 2}, {"b": 1}]})


def test_a_postcode_the_table_lacks_is_never_certain() -> None:
    query = parse_query(
        Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": "3011AD", "afstand": 25}}
    )
    geo = Geo()
    # 3062 is not in the PC4 table: vum.geo guesses its neighbour, the kit does not rely on that.
    guessed = placement(query, {"mobiliteit": {"bemiddelingspostcode": "3062EK"}}, geo, 2.0)
    assert guessed.where == "unknown"
    known = placement(query, {"mobiliteit": {"bemiddelingspostcode": "3011AD"}}, geo, 2.0)
    assert known.where == "in" and known.km == 0


def test_only_required_failures_decide() -> None:
    results = Results(Target.SOURCE)
    results.check("detail.unknown-id-status", "werkzoekende", False, "404")
    assert CHECKS["detail.unknown-id-status"].source is Level.ADVISORY
    assert results.conform
    results.check("matches.schema", "werkzoekende", False, "kapot")
    assert not results.conform
    with pytest.raises(KeyError):
        results.check("detail.limit", "werkzoekende", True)  # a facility check


def test_every_check_is_documented() -> None:
    text = (ROOT / "docs" / "conformance.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z][a-z.-]*)` \|", text, re.M))
    assert documented == set(CHECKS)


def test_the_group_is_mounted_on_vum() -> None:
    from vum import cli

    assert cli.GROUPS["conformance"] == "vum.conformance.cli"
    result = CliRunner().invoke(cli.mount("conformance"), ["conformance", "source", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--kind", "--party", "--with-data", "--budget", "--json", "--cert", "--key"):
        assert option in result.output
