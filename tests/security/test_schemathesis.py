# SPDX-License-Identifier: EUPL-1.2
"""Schemathesis against the project's own OpenAPI documents: no 5xx, and answers as documented.

Each operation of both apps is fuzzed from its committed document (docs/openapi/) against the
running servers, in two ways: with the VUM headers of an allowed caller fixed (so the bodies and
path parameters reach the parsers and the engines) and with every header generated too (so the
header checks are fuzzed). Examples per operation are bounded to keep the suite quick.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import ROOT
from tests.security.tally import count
from tests.security.world import ADMIN_TOKEN, World

DOCS = {
    "source": ROOT / "docs" / "openapi" / "vum-bron.json",
    "facility": ROOT / "docs" / "openapi" / "vum-bemiddelaar.json",
}
#: examples per operation: with fixed allowed headers, and with everything generated
DEEP, SHALLOW = 20, 8


def _operations() -> list[tuple[str, str, str]]:
    found = []
    for app, path in DOCS.items():
        document = json.loads(path.read_text(encoding="utf-8"))
        for route, methods in document["paths"].items():
            found += [(app, method.upper(), route) for method in methods]
    return found


#: the fuzzed uploads go to a party of their own, never to the datasets other tests read
FUZZ_PARTY = "00000001000000000096"


@pytest.fixture(scope="module")
def fuzz_token(world: World) -> str:
    return world.hosted.create_token(FUZZ_PARTY, "schemathesis")


def _fixed_headers(world: World, app: str, route: str, fuzz_token: str) -> dict[str, str]:
    """The headers of a caller the operation lets in."""
    if route.startswith("/api/v3/"):
        return world.source_headers() if app == "source" else world.facility_headers()
    if route.startswith("/admin/v1/parties"):
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    if route.startswith("/admin/v1/datasets"):
        return {"Authorization": f"Bearer {fuzz_token}"}
    return {}


OPERATIONS = _operations()


@pytest.mark.parametrize(
    ("app", "method", "route"), OPERATIONS, ids=[f"{a} {m} {r}" for a, m, r in OPERATIONS]
)
@pytest.mark.parametrize("mode", ["allowed-caller", "generated-headers"])
def test_operation_fuzzed_from_its_document(
    world: World, fuzz_token: str, app: str, method: str, route: str, mode: str
) -> None:
    url = world.source_url if app == "source" else world.facility_url
    schema = schemathesis.openapi.from_dict(json.loads(DOCS[app].read_text(encoding="utf-8")))
    operation = schema[route][method]
    fixed = _fixed_headers(world, app, route, fuzz_token) if mode == "allowed-caller" else None
    strategy = operation.as_strategy(headers=fixed) if fixed else operation.as_strategy()
    tried = 0

    @settings(
        max_examples=DEEP if fixed else SHALLOW,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        nonlocal tried
        if fixed and route.startswith("/admin/v1/datasets"):
            case.path_parameters = {**(case.path_parameters or {}), "oin": FUZZ_PARTY}
        response = case.call(base_url=url, timeout=30)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        tried += 1

    fuzz()
    count("schemathesis: generated calls (no 5xx, answers as documented)", tried)
