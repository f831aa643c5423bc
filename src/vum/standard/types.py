# SPDX-License-Identifier: EUPL-1.2
"""Primitive wire types of the koppelvlak (String120, Postcode, Date, ...) and the base of every wire model."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError


def is_empty(value: object) -> bool:
    """VUM: empty strings, arrays and objects count as absent (and so does JSON null)."""
    return value is None or value == "" or value == [] or value == {}


def prune_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Drop absent members, and absent items inside arrays, one level deep (models recurse)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = [item for item in value if not is_empty(item)]
        if not is_empty(value):
            out[key] = value
    return out


class WireModel(BaseModel):
    """Base of the data objects: exact JSON names, ``additionalProperties: false``, strict JSON types."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)

    @model_validator(mode="before")
    @classmethod
    def _absent_when_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return prune_empty(data)
        return data

    def to_wire(self) -> dict[str, Any]:
        """The JSON object as the contracts spell it, absent members left out."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


def _check_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "vum_date", "Invalid calendar date {value}; expected YYYY-MM-DD", {"value": value}
        ) from None
    return value


String6 = Annotated[str, StringConstraints(max_length=6)]
String11 = Annotated[str, StringConstraints(max_length=11)]
String14 = Annotated[str, StringConstraints(max_length=14)]
String24 = Annotated[str, StringConstraints(max_length=24)]
String35 = Annotated[str, StringConstraints(max_length=35)]
String70 = Annotated[str, StringConstraints(max_length=70)]
String100 = Annotated[str, StringConstraints(max_length=100)]
String120 = Annotated[str, StringConstraints(max_length=120)]
String200 = Annotated[str, StringConstraints(max_length=200)]
String320 = Annotated[str, StringConstraints(max_length=320)]
String500 = Annotated[str, StringConstraints(max_length=500)]
String2000 = Annotated[str, StringConstraints(max_length=2000)]
StringCode = Annotated[str, StringConstraints(max_length=10)]

Emailadres = String320
Telefoonnummer = String14
URI = String200
URL = Annotated[str, StringConstraints(max_length=1000)]

POSTCODE_PATTERN = r"^[0-9]{4}[a-zA-Z]{2}$"
Postcode = Annotated[str, StringConstraints(pattern=POSTCODE_PATTERN), Field(examples=["1234AB"])]
SAFE_ID_PATTERN = r"^[a-zA-Z0-9_.-]{0,200}$"
SafeIDString = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]
VUM_ID_PATTERN = r"^[a-zA-Z0-9_.-]{0,500}$"
VumID = Annotated[str, StringConstraints(pattern=VUM_ID_PATTERN)]
VraagID = Annotated[str, StringConstraints(max_length=100)]
TaalCode3 = Annotated[str, StringConstraints(pattern=r"^[a-z]{3}$")]
Integer10AsString = Annotated[
    str, StringConstraints(max_length=10, pattern=r"^[0-9]+$"), Field(examples=["9999999999"])
]
Date = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_check_date),
    Field(json_schema_extra={"format": "date"}),
]

Integer2 = Annotated[int, Field(ge=0, le=99)]
Integer5 = Annotated[int, Field(ge=0, le=99999)]
Integer1000 = Annotated[int, Field(ge=0, le=999)]
#: Hours in a query: 1..99 (a record may hold 0).
AantalWerkuren = Annotated[int, Field(ge=1, le=99)]
