# SPDX-License-Identifier: EUPL-1.2
"""Validate answers against the contract: the project's wire models always, the published OpenAPI schemas when given."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import BaseModel, ValidationError

from vum.conformance.checks import Target
from vum.standard.common import Error
from vum.standard.errors import problems_from
from vum.standard.kinds import Kind
from vum.standard.parts import Part, Side
from vum.standard.schema import model_for
from vum.standard.vacature import (
    BronVacatureMatchesResponse,
    VacatureDetailResponse,
    VacatureMatchesResponse,
)
from vum.standard.werkzoekende import (
    BronWerkzoekendeMatchesResponse,
    WerkzoekendeDetailResponse,
    WerkzoekendeProfielMatchesResponse,
)

CONTRACT_FILES: dict[tuple[Target, Kind], str] = {
    (Target.SOURCE, Kind.WERKZOEKENDE): "VUM-Bron-WerkzoekendeProfielen.yaml",
    (Target.SOURCE, Kind.VACATURE): "VUM-Bron-Vacatures.yaml",
    (Target.FACILITY, Kind.WERKZOEKENDE): "VUM-Bemiddelaar-WerkzoekendeProfielen.yaml",
    (Target.FACILITY, Kind.VACATURE): "VUM-Bemiddelaar-Vacatures.yaml",
}
_ENVELOPES: dict[tuple[Target, Kind], type[BaseModel]] = {
    (Target.SOURCE, Kind.WERKZOEKENDE): BronWerkzoekendeMatchesResponse,
    (Target.SOURCE, Kind.VACATURE): BronVacatureMatchesResponse,
    (Target.FACILITY, Kind.WERKZOEKENDE): WerkzoekendeProfielMatchesResponse,
    (Target.FACILITY, Kind.VACATURE): VacatureMatchesResponse,
}
_FACILITY_DETAILS: dict[Kind, type[BaseModel]] = {
    Kind.WERKZOEKENDE: WerkzoekendeDetailResponse,
    Kind.VACATURE: VacatureDetailResponse,
}
_SUMMARY_NAMES = {Kind.WERKZOEKENDE: "MPWerkzoekendeMatch", Kind.VACATURE: "MPVacatureMatch"}
#: problems reported per document
_MAX_PROBLEMS = 5

Check = Callable[[Any], list[str]]


def _model_problems(model: type[BaseModel], data: Any, prefix: str = "") -> list[str]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [f"{prefix}{p.pointer or '/'}: {p.message}" for p in problems_from(exc)]
    return []


class PublishedContract:
    """Validators for the answers of one published contract file (OpenAPI 3.0)."""

    def __init__(self, path: Path, kind: Kind) -> None:
        spec: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.components = spec["components"]
        resource = f"/{kind.resource}/"
        matches = spec["paths"][f"/{kind.resource}/matches"]["post"]
        (detail_path,) = [
            p for p in spec["paths"] if p.startswith(resource) and p != f"/{kind.resource}/matches"
        ]
        detail = spec["paths"][detail_path]["get"]
        self.envelope = self._validator(_schema_of(matches))
        self.summary = self._validator({"$ref": f"#/components/schemas/{_SUMMARY_NAMES[kind]}"})
        self.detail = self._validator(_schema_of(detail))
        self.error = self._validator({"$ref": "#/components/schemas/Error"})

    def _validator(self, schema: dict[str, Any]) -> Check:
        root = {**schema, "components": self.components}
        try:
            # Rust, ~100 times faster: a run validates thousands of summaries.
            fast = importlib.import_module("jsonschema_rs").Draft4Validator(
                root, validate_formats=True
            )
        except ImportError:
            return self._python_validator(root)

        def check(instance: Any) -> list[str]:
            return [
                _pointer(e.instance_path) + f": {e.message} (gepubliceerd contract)"
                for e in fast.iter_errors(instance)
            ]

        return check

    def _python_validator(self, root: dict[str, Any]) -> Check:
        try:
            module = importlib.import_module("openapi_schema_validator")
            validator = module.OAS30Validator(root, format_checker=_format_checker())
        except ImportError:
            jsonschema = importlib.import_module("jsonschema")
            validator = jsonschema.Draft4Validator(root, format_checker=_format_checker())

        def check(instance: Any) -> list[str]:
            return [
                _pointer(e.absolute_path) + f": {e.message} (gepubliceerd contract)"
                for e in validator.iter_errors(instance)
            ]

        return check


def _pointer(path: Any) -> str:
    return "/" + "/".join(map(str, path))


def _schema_of(operation: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def _format_checker() -> Any:
    return importlib.import_module("jsonschema").FormatChecker()


class WireValidator:
    """Validates envelopes, summaries, details and error bodies; each distinct record only once."""

    def __init__(self, target: Target, contracts: Path | None = None) -> None:
        self.target = target
        self.contracts = contracts
        self._published: dict[Kind, PublishedContract] = {}
        self._seen: dict[tuple[Kind, bytes], list[str]] = {}

    def published(self, kind: Kind) -> PublishedContract | None:
        if self.contracts is None:
            return None
        if kind not in self._published:
            path = self.contracts / CONTRACT_FILES[(self.target, kind)]
            self._published[kind] = PublishedContract(path, kind)
        return self._published[kind]

    def matches_answer(self, kind: Kind, data: Any) -> list[str]:
        """Problems of a matches answer: the envelope, then each summary (``/matches/i/...``)."""
        if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
            problems = _model_problems(_ENVELOPES[(self.target, kind)], data)
            return problems or ["/: geen object met matches (not an object with matches)"]
        envelope = {**data, "matches": []}
        problems = _model_problems(_ENVELOPES[(self.target, kind)], envelope)
        published = self.published(kind)
        if published is not None:
            problems += published.envelope(envelope)
        for i, summary in enumerate(data["matches"]):
            problems += [f"/matches/{i}{p}" for p in self.summary(kind, summary)]
            if len(problems) >= _MAX_PROBLEMS:
                break
        return problems[:_MAX_PROBLEMS]

    def summary(self, kind: Kind, summary: Any) -> list[str]:
        key = (kind, orjson.dumps(summary, option=orjson.OPT_SORT_KEYS))
        if key not in self._seen:
            side = Side.BRON if self.target is Target.SOURCE else Side.BEMIDDELAAR
            problems = _model_problems(model_for(kind, Part.SUMMARY, side), summary)
            published = self.published(kind)
            if published is not None:
                problems += published.summary(summary)
            self._seen[key] = problems
        return self._seen[key]

    def detail_answer(self, kind: Kind, data: Any) -> list[str]:
        """Problems of a detail answer: the record itself (source) or ``{bronID, <kind>}`` (facility)."""
        if self.target is Target.SOURCE:
            problems = _model_problems(model_for(kind, Part.DETAIL), data)
        else:
            problems = _model_problems(_FACILITY_DETAILS[kind], data)
            if not problems and not (isinstance(data, dict) and data.get(kind.detail_member)):
                problems = [f"/{kind.detail_member}: ontbreekt (missing)"]
        published = self.published(kind)
        if published is not None:
            problems += published.detail(data)
        return problems[:_MAX_PROBLEMS]

    def error_body(self, kind: Kind, data: Any) -> list[str]:
        problems = _model_problems(Error, data)
        published = self.published(kind)
        if published is not None:
            problems += published.error(data)
        return problems[:_MAX_PROBLEMS]
