# SPDX-License-Identifier: EUPL-1.2
"""Contract conformance over real HTTP: every query form's answer validates against the published VUM-Bron contracts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

from tests.api.http import live_server, vum_headers
from tests.contract import contracts
from tests.standard.test_query import VACATURE_FORMS, WERKZOEKENDE_FORMS
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.standard import Kind

pytestmark = pytest.mark.shared

CONTRACT = {Kind.WERKZOEKENDE: contracts.BRON_WERKZOEKENDE, Kind.VACATURE: contracts.BRON_VACATURES}
SUMMARY = {Kind.WERKZOEKENDE: "MPWerkzoekendeMatch", Kind.VACATURE: "MPVacatureMatch"}
DETAIL = {Kind.WERKZOEKENDE: "Werkzoekende", Kind.VACATURE: "Vacature"}
FORMS = {Kind.WERKZOEKENDE: WERKZOEKENDE_FORMS, Kind.VACATURE: VACATURE_FORMS}
AREAS = [
    ("25km", {"postcode": "1315AB", "afstand": 25}),
    ("nationwide", {"postcode": "3511AB", "afstand": 999}),
]


def _operation(kind: Kind, path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = contracts.contract(CONTRACT[kind])["paths"][path][method]
    return operation


def _validate(kind: Kind, schema: dict[str, Any], instance: Any) -> list[str]:
    """Errors of ``instance`` against an inline schema of the contract (refs resolve in it)."""
    root = {**schema, "components": contracts.contract(CONTRACT[kind])["components"]}
    validator = OAS30Validator(root, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


@cache
def _component(kind: Kind, schema: str) -> OAS30Validator:
    return contracts.validator(CONTRACT[kind], schema)


def _errors(kind: Kind, schema: str, instance: Any) -> list[str]:
    """``contracts.errors`` with the validator built once per schema (hundreds of matches)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _component(kind, schema).iter_errors(instance)
    ]


def _check_headers(kind: Kind, path: str, method: str, response: httpx.Response) -> None:
    """The answer carries every header the contract lists for its status, with allowed values."""
    spec = _operation(kind, path, method)["responses"][str(response.status_code)]
    components = contracts.contract(CONTRACT[kind])["components"]["headers"]
    for name, ref in spec.get("headers", {}).items():
        assert name in response.headers, f"{name} missing on {response.status_code}"
        schema = components[ref["$ref"].rsplit("/", 1)[1]]["schema"]
        if "enum" in schema:
            assert response.headers[name] in schema["enum"]


@pytest.fixture(scope="module")
def source_url(koppelvlak_dir: object) -> Iterator[str]:
    from vum.synthetic import generate

    backend = MemoryBackend()
    for kind in Kind:
        # 200 per kind: more than 100 match nationwide (the flag), few enough to validate each.
        backend.load("00000001001234567000", kind, generate(kind, 200, seed=5))
    app: FastAPI = create_source_app(backend, settings=SourceSettings())
    with live_server(app, ready_path="/ready") as url:
        yield url


@pytest.fixture(scope="module")
def http(source_url: str) -> Iterator[httpx.Client]:
    """One keep-alive client for the module (a new client costs an SSL context each time)."""
    with httpx.Client(base_url=source_url) as client:
        yield client


def _cases() -> list[Any]:
    return [
        pytest.param(kind, {"selectiegebied": area, **body}, id=f"{kind.value}-{name}-{area_name}")
        for kind in Kind
        for name, body, _ in FORMS[kind]
        for area_name, area in AREAS
    ]


#: summaries and details already validated (many queries return the same records)
_VALID: set[tuple[Kind, str, str]] = set()


def _check_record(kind: Kind, schema: str, record: Any) -> None:
    key = (kind, schema, json.dumps(record, sort_keys=True))
    if key not in _VALID:
        assert _errors(kind, schema, record) == []
        _VALID.add(key)


@pytest.mark.parametrize(("kind", "vraag"), _cases())
def test_answers_validate_against_the_contract(
    http: httpx.Client, kind: Kind, vraag: dict[str, Any]
) -> None:
    path = f"/{kind.resource}/matches"
    api = "/api/v3"
    operation = _operation(kind, path, "post")
    body = {"vraagObject": vraag}
    ref = operation["requestBody"]["$ref"].rsplit("/", 1)[1]
    components = contracts.contract(CONTRACT[kind])["components"]
    request_schema = components["requestBodies"][ref]["content"]["application/json"]["schema"]
    assert _validate(kind, request_schema, body) == []

    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    members = {"maximumAantalResultatenBereikt", "matches"}
    answers = []
    for explain in (False, True):
        headers = vum_headers(**({"X-OpenVUM-Explain": "1"} if explain else {}))
        response = http.post(api + path, json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        _check_headers(kind, path, "post", response)
        answer = response.json()
        assert set(answer) == (members | {"x-openvum-ranking"} if explain else members)
        # The envelope (its matches checked one by one below, each schema compiled once).
        assert _validate(kind, schema, {**answer, "matches": []}) == []
        answers.append(answer)
    plain, explained = answers
    assert explained["matches"] == plain["matches"]
    assert len(plain["matches"]) <= 100
    for match in plain["matches"]:
        _check_record(kind, SUMMARY[kind], match)
    for match in plain["matches"][:3]:
        detail = http.get(f"{api}/{kind.resource}/{match[kind.id_field]}", headers=vum_headers())
        assert detail.status_code == 200
        _check_headers(kind, f"/{kind.resource}/{{{kind.id_field}}}", "get", detail)
        _check_record(kind, DETAIL[kind], detail.json())


def test_one_whole_answer_validates_with_the_inline_schema(http: httpx.Client) -> None:
    # Once without shortcuts: the contract's inline response schema over a full answer.
    for kind in Kind:
        path = f"/{kind.resource}/matches"
        body = {"vraagObject": {"selectiegebied": AREAS[0][1]}}
        answer = http.post("/api/v3" + path, json=body, headers=vum_headers()).json()
        schema = _operation(kind, path, "post")["responses"]["200"]["content"]["application/json"][
            "schema"
        ]
        assert answer["matches"]
        assert _validate(kind, schema, answer) == []


def test_nationwide_answer_is_full(http: httpx.Client) -> None:
    # Guard against a vacuous conformance run: the forms above do return matches.
    for kind in Kind:
        body = {"vraagObject": {"selectiegebied": AREAS[1][1]}}
        answer = http.post(
            f"/api/v3/{kind.resource}/matches", json=body, headers=vum_headers()
        ).json()
        assert len(answer["matches"]) == 100
        assert answer["maximumAantalResultatenBereikt"] is True


ERROR_CALLS: list[tuple[str, str, dict[str, Any], Any, int]] = [
    ("post", "matches", vum_headers(**{"API-Version": None}), {"vraagObject": {}}, 400),
    ("post", "matches", vum_headers(**{"X-VUM-berichtVersie": "2.0"}), {"vraagObject": {}}, 400),
    (
        "post",
        "matches",
        vum_headers(),
        {"vraagObject": {"selectiegebied": {"postcode": "x", "afstand": 1}}},
        400,
    ),
    ("post", "matches", vum_headers(), {"vraagObject": {}}, 400),
    (
        "post",
        "matches",
        vum_headers(**{"X-VUM-toParty": "00000009999999999999"}),
        {"vraagObject": {"selectiegebied": {"postcode": "1315AB", "afstand": 5}}},
        400,
    ),
    ("get", "onbekend", vum_headers(), None, 400),
    ("get", "x" * 201, vum_headers(), None, 400),
]


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize(("method", "tail", "headers", "body", "status"), ERROR_CALLS)
def test_error_answers_validate_against_the_contract(
    http: httpx.Client,
    kind: Kind,
    method: str,
    tail: str,
    headers: dict[str, str],
    body: Any,
    status: int,
) -> None:
    url = f"/api/v3/{kind.resource}/{tail}"
    response = http.request(method.upper(), url, json=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    template = (
        f"/{kind.resource}/matches"
        if tail == "matches"
        else f"/{kind.resource}/{{{kind.id_field}}}"
    )
    _check_headers(kind, template, method, response)
    assert contracts.errors(CONTRACT[kind], "Error", response.json()) == []
    assert response.json()["code"] in {"400.01", "400.02"}


def test_401_has_no_body_over_http(koppelvlak_dir: object) -> None:
    settings = SourceSettings(
        warm_up=False, trusted_via_parties=frozenset({"00000001000000000001"})
    )
    with live_server(create_source_app(MemoryBackend(), settings=settings)) as url:
        response = httpx.post(
            url + "/api/v3/vacatures/matches", json={"vraagObject": {}}, headers=vum_headers()
        )
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["content-length"] == "0"
    _check_headers(Kind.VACATURE, "/vacatures/matches", "post", response)
