# SPDX-License-Identifier: EUPL-1.2
"""The matches operation on the wire: its body into a :class:`Query`, a :class:`SearchResult` into its answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import from_json

from vum.api.errors import BadRequest, IncompleteRequest, details_of
from vum.matching.types import Hit, SearchResult
from vum.standard.attributes import strip_detail_only
from vum.standard.errors import Problem, json_pointer
from vum.standard.kinds import Kind
from vum.standard.query import Query, QueryError, parse_query
from vum.standard.types import is_empty

#: VUM: a source returns at most 100 summaries per query (agreement framework).
MAX_RESULTS = 100
#: The extra envelope member behind ``X-OpenVUM-Explain: 1``. The contract's response object is
#: open (no additionalProperties: false), so an extra member is allowed; summaries stay untouched.
RANKING_MEMBER = "x-openvum-ranking"


def summary_of_hit(kind: Kind, hit: Hit, *, minimise: bool = True) -> Mapping[str, Any]:
    """The wire summary of a hit: detail-only members removed (privacy), the source id present."""
    summary = hit.summary
    if minimise:
        summary = strip_detail_only(kind, dict(summary))
    if kind.id_field not in summary:
        summary = {**summary, kind.id_field: hit.record_id}
    return summary


def ranking_entry(hit: Hit) -> dict[str, Any]:
    """Why a match ranks where it does: its score, distance and per-criterion explanation."""
    distance = hit.distance_km
    return {
        "score": round(hit.score, 1),
        "afstandKm": round(distance, 1) if distance is not None else None,
        "uitleg": [e.as_dict() for e in hit.explanations],
    }


def envelope(
    kind: Kind,
    result: SearchResult,
    *,
    limit: int = MAX_RESULTS,
    explain: bool = False,
    minimise: bool = True,
) -> Mapping[str, Any]:
    """The body of a 200 to ``POST /<resource>/matches``, best match first."""
    hits = result.hits[:limit]
    body: dict[str, Any] = {
        # VUM: maximumAantalResultatenBereikt is true when the source had more than it returned.
        "maximumAantalResultatenBereikt": result.more or len(result.hits) > limit,
        "matches": [summary_of_hit(kind, hit, minimise=minimise) for hit in hits],
    }
    if explain:
        body[RANKING_MEMBER] = [ranking_entry(hit) for hit in hits]
    return body


VRAAG_OBJECT = "vraagObject"

# VUM-Bron-WerkzoekendeProfielen: the request body has additionalProperties: false. The
# VUM-Bron-Vacatures contract leaves it open, so there an unknown top-level member is ignored.
_CLOSED_BODY = frozenset({Kind.WERKZOEKENDE})


def _invalid(problems: list[Problem]) -> BadRequest:
    return BadRequest(
        "Ongeldige zoekvraag (invalid query): "
        f"{len(problems)} {'fout' if len(problems) == 1 else 'fouten'}",
        details_of(problems),
    )


def _incomplete(problems: list[Problem]) -> IncompleteRequest:
    return IncompleteRequest(
        "Onvolledige zoekvraag: verplicht gegeven ontbreekt (incomplete query: required member missing)",
        details_of(problems),
    )


def parse_matches_body(kind: Kind, raw: bytes) -> Query:
    """The query of a matches call; 400.02 when something required is missing, else 400.01."""
    missing = Problem(
        json_pointer([VRAAG_OBJECT]), "verplicht gegeven ontbreekt", "Field required", "missing"
    )
    if not raw.strip():
        raise _incomplete([missing])
    try:
        data: Any = from_json(raw)
    except ValueError as exc:
        raise _invalid([Problem("", "geen geldige JSON", str(exc), "json_invalid")]) from None
    if not isinstance(data, dict):
        raise _invalid([Problem("", "moet een object zijn", "must be an object", "dict_type")])
    extra = [key for key in data if key != VRAAG_OBJECT]
    if kind in _CLOSED_BODY and extra:
        raise _invalid(
            [
                Problem(
                    json_pointer([key]),
                    "onbekend gegeven; naast vraagObject is niets toegestaan",
                    "unknown member; nothing is allowed beside vraagObject",
                    "extra_forbidden",
                )
                for key in extra
            ]
        )
    vraag = data.get(VRAAG_OBJECT)
    # VUM: empty strings, arrays and objects count as absent.
    if is_empty(vraag):
        raise _incomplete([missing])
    try:
        return parse_query(kind, vraag, prefix=(VRAAG_OBJECT,))
    except QueryError as exc:
        if exc.problems and all(p.code == "missing" for p in exc.problems):
            raise _incomplete(exc.problems) from None
        raise _invalid(exc.problems) from None
