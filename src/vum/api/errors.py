# SPDX-License-Identifier: EUPL-1.2
"""The koppelvlak's error answers (400.01, 400.02, 401, 429.01, 500.1, 500.3) as exceptions and responses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fastapi import Response
from pydantic_core import to_json

from vum.standard.errors import Problem
from vum.standard.kinds import Kind

# VUM: Error.message is a String500, Error.details a String2000, Error.code a StringCode (10).
_MESSAGE_MAX = 500
_DETAILS_MAX = 2000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def details_of(problems: Iterable[Problem]) -> str:
    """One line per problem, starting with its JSON pointer: ``/vraagObject/x: nl (en)``."""
    return _clip("\n".join(f"{p.pointer}: {p.message}" for p in problems), _DETAILS_MAX)


class VumError(Exception):
    """An answer other than 200 that the contracts define; raise it from ``search``/``detail`` too."""

    status = 500
    code = "500.1"
    default_message = "Interne fout in de bron (internal error at the source)"

    def __init__(self, message: str | None = None, details: str | None = None) -> None:
        self.message = _clip(message or self.default_message, _MESSAGE_MAX)
        self.details = _clip(details, _DETAILS_MAX) if details else None
        super().__init__(self.message if not self.details else f"{self.message}: {self.details}")

    def body(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.details:
            out["details"] = self.details
        return out


class BadRequest(VumError):
    """HTTP 400, code 400.01: the call is invalid (bad header value, bad query, unknown id)."""

    status = 400
    code = "400.01"
    default_message = "Ongeldige aanroep (invalid call)"


class IncompleteRequest(VumError):
    """HTTP 400, code 400.02: the call lacks something required (a header, the vraagObject)."""

    status = 400
    code = "400.02"
    default_message = "Onvolledige aanroep (incomplete call)"


class Unauthorized(VumError):
    """HTTP 401: the caller may not ask this source. VUM: a 401 carries no body."""

    status = 401
    code = ""
    default_message = "Niet geautoriseerd (not authorized)"


class TooManyRequests(VumError):
    """HTTP 429, code 429.01: a limit for this query or caller is exceeded (e.g. detail requests)."""

    status = 429
    code = "429.01"
    default_message = "Limiet overschreden voor deze uitvraag (limit exceeded for this query)"


class InternalError(VumError):
    """HTTP 500, code 500.1: the source failed; the caller learns nothing more (no stack traces)."""


class SourceUnavailable(VumError):
    """HTTP 503, code 500.3: the source (its database, its engine) cannot answer right now."""

    status = 503
    code = "500.3"
    default_message = "Bron tijdelijk niet beschikbaar (source temporarily unavailable)"


class UnknownParty(BadRequest):
    """The source holds no dataset of this kind for the party in ``X-VUM-toParty`` (400.01)."""

    def __init__(self, party: str, kind: Kind) -> None:
        super().__init__(
            f"Onbekende X-VUM-toParty: deze bron levert geen {kind.resource} namens {party} "
            f"(unknown X-VUM-toParty: this source serves no {kind.resource} for {party})",
            "header X-VUM-toParty: onbekende partij voor deze bron (unknown party at this source)",
        )
        self.party = party
        self.kind = kind


class UnknownRecord(BadRequest):
    """A detail request for an id the source does not (or no longer) hold (400.01, not 404)."""

    def __init__(self, kind: Kind, record_id: str) -> None:
        super().__init__(
            f"Onbekend {kind.id_field}: {record_id} bestaat niet (meer) bij deze bron "
            f"(unknown {kind.id_field}: not, or no longer, held by this source)",
            f"/{kind.id_field}: onbekend id (unknown id)",
        )
        self.record_id = record_id


def error_response(error: VumError, headers: Mapping[str, str]) -> Response:
    """The answer for ``error``: ``application/json`` ``{code, message, details}``, or no body for 401."""
    if error.status == 401:
        # VUM: "401 not authorized" defines headers only, no content.
        return Response(status_code=401, headers=dict(headers))
    return Response(
        content=to_json(error.body()),
        status_code=error.status,
        headers=dict(headers),
        media_type="application/json",
    )
