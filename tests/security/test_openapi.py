# SPDX-License-Identifier: EUPL-1.2
"""The committed OpenAPI documents (docs/openapi/): current, valid, complete, and true to real answers."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.conftest import ROOT
from tests.security.world import PARTY_A, World
from vum.standard import Kind

DOCS = ROOT / "docs" / "openapi"
FILES = {"source": DOCS / "vum-bron.json", "facility": DOCS / "vum-bemiddelaar.json"}


@cache
def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "write_openapi", ROOT / "tools" / "write_openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def committed(app: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FILES[app].read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def served() -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = _tool().documents()
    return documents


@pytest.mark.parametrize("app", list(FILES))
def test_the_committed_document_is_what_the_app_serves(
    served: dict[str, dict[str, Any]], app: str
) -> None:
    rendered = _tool().render(served[app])
    assert FILES[app].read_text(encoding="utf-8") == rendered, (
        f"{FILES[app].relative_to(ROOT)} is stale: run `.venv/bin/python tools/write_openapi.py`"
    )


@pytest.mark.parametrize("app", list(FILES))
def test_the_committed_document_is_valid_openapi(app: str) -> None:
    validate(committed(app))


@pytest.mark.parametrize("app", list(FILES))
def test_every_vum_operation_says_what_it_takes_and_gives(app: str) -> None:
    document = committed(app)
    for kind in Kind:
        base = f"/api/v3/{kind.resource}"
        detail = f"{base}/{{{kind.id_field if app == 'source' else 'vumID'}}}"
        matches = document["paths"][f"{base}/matches"]["post"]
        body = matches["requestBody"]["content"]["application/json"]["schema"]
        assert body["properties"]["vraagObject"]["$ref"].endswith(
            "/MPWerkzoekende" if kind is Kind.WERKZOEKENDE else "/MPVacature"
        )
        for operation in (matches, document["paths"][detail]["get"]):
            assert {"200", "400", "401", "500", "503"} <= set(operation["responses"])
            assert "content" not in operation["responses"]["401"]  # VUM: a 401 has no body
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert {"X-VUM-berichtVersie", "API-Version", "X-VUM-fromParty"} <= headers
        assert "429" in document["paths"][detail]["get"]["responses"]


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for ``schema`` that resolves ``#/components/...`` against ``document``."""
    return Draft202012Validator({**schema, "components": document["components"]})


def _schema(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    answer = document["paths"][path][method]["responses"][status]
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return schema


@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
def test_real_answers_match_the_documents(world: World, kind: Kind) -> None:
    """The summaries and details the servers send are what the documents promise."""
    base = f"/api/v3/{kind.resource}"
    source, facility = committed("source"), committed("facility")
    body = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
    answer = world.http.post(
        f"{world.source_url}{base}/matches", json=body, headers=world.source_headers()
    ).json()
    _validator(source, _schema(source, f"{base}/matches", "post", "200")).validate(answer)
    record_id = answer["matches"][0][kind.id_field]
    detail = world.http.get(
        f"{world.source_url}{base}/{record_id}", headers=world.source_headers()
    ).json()
    _validator(source, _schema(source, f"{base}/{{{kind.id_field}}}", "get", "200")).validate(
        detail
    )
    merged = world.query(kind, PARTY_A)
    _validator(facility, _schema(facility, f"{base}/matches", "post", "200")).validate(merged)
    vum_detail = world.detail(kind, merged["matches"][0]["vumID"]).json()
    _validator(facility, _schema(facility, f"{base}/{{vumID}}", "get", "200")).validate(vum_detail)
    refused = world.http.post(
        f"{world.facility_url}{base}/matches", json={}, headers=world.facility_headers()
    )
    _validator(facility, _schema(facility, f"{base}/matches", "post", "400")).validate(
        refused.json()
    )


def test_the_tool_writes_where_the_test_reads() -> None:
    tool = _tool()
    assert {app: tool.OUTPUT / name for app, name in tool.FILES.items()} == FILES
    assert isinstance(tool.OUTPUT, Path)
