# SPDX-License-Identifier: EUPL-1.2
"""Validators for the published contracts in ../shared (OpenAPI 3.0 schemas), for tests only."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

from tests.conftest import SHARED

BRON_WERKZOEKENDE = "VUM-Bron-WerkzoekendeProfielen.yaml"
BRON_VACATURES = "VUM-Bron-Vacatures.yaml"
BEMIDDELAAR_WERKZOEKENDE = "VUM-Bemiddelaar-WerkzoekendeProfielen.yaml"
BEMIDDELAAR_VACATURES = "VUM-Bemiddelaar-Vacatures.yaml"


@cache
def contract(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load((Path(SHARED) / name).read_text(encoding="utf-8"))
    return spec


def validator(name: str, schema: str) -> OAS30Validator:
    """A validator for ``#/components/schemas/<schema>`` of contract ``name``."""
    spec = contract(name)
    root = {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]}
    return OAS30Validator(root, format_checker=FormatChecker())


def errors(name: str, schema: str, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name, schema).iter_errors(instance)
    ]
