# SPDX-License-Identifier: EUPL-1.2
"""JSON Schemas generated from the models: detail, summary (source or facility side) and query, per kind."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from vum import KOPPELVLAK_VERSION
from vum.standard.kinds import Kind
from vum.standard.parts import Part, Side
from vum.standard.query import query_model
from vum.standard.vacature import MPVacatureMatch, Vacature, VumVacatureMatch
from vum.standard.werkzoekende import MPWerkzoekendeMatch, VumWerkzoekendeMatch, Werkzoekende

_SUMMARIES: dict[tuple[Kind, Side], type[BaseModel]] = {
    (Kind.WERKZOEKENDE, Side.BRON): MPWerkzoekendeMatch,
    (Kind.WERKZOEKENDE, Side.BEMIDDELAAR): VumWerkzoekendeMatch,
    (Kind.VACATURE, Side.BRON): MPVacatureMatch,
    (Kind.VACATURE, Side.BEMIDDELAAR): VumVacatureMatch,
}
_DETAILS: dict[Kind, type[BaseModel]] = {Kind.WERKZOEKENDE: Werkzoekende, Kind.VACATURE: Vacature}


def model_for(kind: Kind, part: Part, side: Side = Side.BRON) -> type[BaseModel]:
    if part is Part.DETAIL:
        return _DETAILS[kind]
    if part is Part.SUMMARY:
        return _SUMMARIES[(kind, side)]
    return query_model(kind)


def json_schema(kind: Kind, part: Part, side: Side = Side.BRON) -> dict[str, Any]:
    """A JSON Schema (2020-12) for one part of the standard, with its provenance."""
    schema = model_for(kind, part, side).model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault(
        "description",
        f"open VUM — {kind.value} {part.value} (koppelvlak {KOPPELVLAK_VERSION})",
    )
    return schema
