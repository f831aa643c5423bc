# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI description of the VUM operations: headers, bodies and answers from the standard's own models.

The routers read raw bodies (the hot path parses with orjson/pydantic-core, not through FastAPI's
request models), so FastAPI cannot see what they take and give. These ``openapi_extra`` parts
describe it instead; they change the document only, never how a call is handled.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from vum import KOPPELVLAK_VERSION
from vum.standard.common import Error
from vum.standard.kinds import Kind
from vum.standard.parts import Side
from vum.standard.query import query_model
from vum.standard.vacature import MPVacatureMatch, Vacature, VumVacatureMatch
from vum.standard.werkzoekende import MPWerkzoekendeMatch, VumWerkzoekendeMatch, Werkzoekende

_DETAIL: dict[Kind, type[BaseModel]] = {Kind.WERKZOEKENDE: Werkzoekende, Kind.VACATURE: Vacature}
_SUMMARY: dict[tuple[Kind, Side], type[BaseModel]] = {
    (Kind.WERKZOEKENDE, Side.BRON): MPWerkzoekendeMatch,
    (Kind.VACATURE, Side.BRON): MPVacatureMatch,
    (Kind.WERKZOEKENDE, Side.BEMIDDELAAR): VumWerkzoekendeMatch,
    (Kind.VACATURE, Side.BEMIDDELAAR): VumVacatureMatch,
}
# VUM: the request body of the profiles contracts is additionalProperties: false; the vacancy
# contracts leave it open.
_CLOSED_BODY = frozenset({Kind.WERKZOEKENDE})
_JSON = "application/json"
_VERSION = {"type": "string", "enum": [KOPPELVLAK_VERSION]}
# What the routers accept as a party id (vum.api.headers, vum.facility.identity).
_PARTY = {"type": "string", "pattern": "^[!#-%(-;=?-\\[\\]-_a-~]{1,100}$"}
#: VUM: SafeIDString and VumID
ID_PATTERN = {
    Side.BRON: "^[a-zA-Z0-9_.-]{1,200}$",
    Side.BEMIDDELAAR: "^[a-zA-Z0-9_.-]{1,500}$",
}


def _models() -> list[type[BaseModel]]:
    return [
        *(query_model(kind) for kind in Kind),
        *_DETAIL.values(),
        *_SUMMARY.values(),
        Error,
    ]


@cache
def _components() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(model, "validation") for model in _models()],
        ref_template="#/components/schemas/{model}",
    )
    return dict(defs["$defs"])


def component_schemas() -> dict[str, Any]:
    """The standard's models as OpenAPI components (``#/components/schemas/<model>``)."""
    return dict(_components())


def source_components() -> dict[str, dict[str, Any]]:
    """What the hosted source's document adds: the models, and the import's bearer token."""
    return {"schemas": component_schemas(), "securitySchemes": dict(PARTY_TOKEN_SCHEME)}


def facility_components() -> dict[str, dict[str, Any]]:
    """What the facility's document adds: the models."""
    return {"schemas": component_schemas()}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _header(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "in": "header",
        "name": name,
        "required": True,
        "schema": schema,
        "description": description,
    }


def vum_headers(side: Side) -> list[dict[str, Any]]:
    """The required VUM headers of a call; a source also takes ``X-VUM-SUWIparty``."""
    headers = [
        _header("X-VUM-berichtVersie", _VERSION, "Versie van het koppelvlak (message version)"),
        _header("API-Version", _VERSION, "Versie van het koppelvlak (API version)"),
        _header("X-VUM-fromParty", _PARTY, "OIN van de vragende organisatie (asking party)"),
        _header("X-VUM-toParty", _PARTY, "OIN van de ontvanger (receiving party)"),
        _header("X-VUM-viaParty", _PARTY, "OIN van de verwerker (processor carrying the call)"),
    ]
    if side is Side.BRON:
        headers.append(
            _header(
                "X-VUM-SUWIparty",
                {"type": "string", "enum": ["true", "false"]},
                "Is de vragende partij een SUWI-partij (SUWI party)",
            )
        )
    return headers


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref(Error)}}}


def _errors(*, detail_limit: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "400": _error("Ongeldige (400.01) of onvolledige (400.02) aanroep (invalid call)"),
        "401": {"description": "Niet geautoriseerd; zonder body (not authorised; no body)"},
        "500": _error("Interne fout, 500.1 (internal error)"),
        "503": _error("Niet beschikbaar, 500.3 (unavailable)"),
    }
    if detail_limit:
        out["429"] = _error("Limiet overschreden, 429.01 (limit exceeded)")
    return out


def _matches_body(kind: Kind) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "object",
        "required": ["vraagObject"],
        "properties": {"vraagObject": _ref(query_model(kind))},
    }
    if kind in _CLOSED_BODY:
        body["additionalProperties"] = False
    return {"required": True, "content": {_JSON: {"schema": body}}}


def matches_operation(kind: Kind, side: Side) -> dict[str, Any]:
    """``POST /<resource>/matches``: the vraagObject in, the summaries out."""
    answer: dict[str, Any] = {
        "type": "object",
        "required": ["maximumAantalResultatenBereikt", "matches"],
        "properties": {
            "maximumAantalResultatenBereikt": {"type": "boolean"},
            "matches": {"type": "array", "items": _ref(_SUMMARY[(kind, side)])},
        },
    }
    if side is Side.BEMIDDELAAR:
        answer["required"].insert(1, "vraagID")
        answer["properties"]["vraagID"] = {"type": "string", "maxLength": 100}
    else:
        # VUM: at most 100 summaries per source (the facility merges many sources).
        answer["properties"]["matches"]["maxItems"] = 100
    return {
        "parameters": vum_headers(side),
        "requestBody": _matches_body(kind),
        "responses": {
            "200": {
                "description": "De matches (the matches)",
                "content": {_JSON: {"schema": answer}},
            },
            **_errors(detail_limit=side is Side.BRON),
        },
    }


def detail_operation(kind: Kind, side: Side) -> dict[str, Any]:
    """``GET /<resource>/{id}``: a source's own id (VUM-Bron) or a vumID (VUM-Bemiddelaar)."""
    name = kind.id_field if side is Side.BRON else "vumID"
    path = {
        "in": "path",
        "name": name,
        "required": True,
        "schema": {"type": "string", "pattern": ID_PATTERN[side]},
    }
    detail: dict[str, Any] = _ref(_DETAIL[kind])
    if side is Side.BEMIDDELAAR:
        detail = {
            "type": "object",
            "required": ["bronID", kind.detail_member],
            "properties": {
                "bronID": {"type": "string", "maxLength": 200},
                kind.detail_member: detail,
            },
        }
    return {
        "parameters": [path, *vum_headers(side)],
        "responses": {
            "200": {
                "description": "Het detail (the detail)",
                "content": {_JSON: {"schema": detail}},
            },
            **_errors(),
        },
    }


_IMPORT_ANSWER = {"type": "object", "properties": {"message_nl": {"type": "string"}}}
_RECORDS = {"type": "array", "items": {"type": "object"}}


def import_operation(mode: str, kinds: list[str]) -> dict[str, Any]:
    """The hosted source's HTTP import: ``replace`` (a JSON array) or ``changes`` (upsert/delete)."""
    body: dict[str, Any] = (
        _RECORDS
        if mode == "replace"
        else {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "upsert": _RECORDS,
                "delete": {"type": "array", "items": {"type": "string"}},
            },
        }
    )
    answer = {"content": {_JSON: {"schema": _IMPORT_ANSWER}}}
    return {
        "parameters": [
            {"in": "path", "name": "oin", "required": True, "schema": {"type": "string"}},
            {
                "in": "path",
                "name": "kind",
                "required": True,
                "schema": {"type": "string", "enum": kinds},
            },
        ],
        "security": [{"partyToken": []}],
        "requestBody": {"required": True, "content": {_JSON: {"schema": body}}},
        "responses": {
            "200": {"description": "Gegevens bijgewerkt (data updated)", **answer},
            "400": {"description": "Geen geldige JSON (invalid JSON)", **answer},
            "401": {"description": "Ongeldig token (invalid token)", **answer},
            "404": {"description": "Onbekende soort gegevens (unknown kind)", **answer},
            "409": {"description": "Andere import tegelijk (concurrent import)", **answer},
            "413": {"description": "Te groot (too large)", **answer},
            "422": {"description": "Gegevens afgewezen (data rejected)", **answer},
            "500": {"description": "Interne fout (internal error)", **answer},
            "503": {"description": "Opslag niet beschikbaar (storage unavailable)", **answer},
        },
    }


#: the party upload token of the hosted source's import (docs/source-api.md)
PARTY_TOKEN_SCHEME = {"partyToken": {"type": "http", "scheme": "bearer"}}
