# SPDX-License-Identifier: EUPL-1.2
"""The VUM-Bron router (the adapter kit): two functions in, every contract rule of koppelvlak 3.0.0 out."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from vum.api.calls import BodyTooLarge, invoke, read_body
from vum.api.errors import (
    BadRequest,
    InternalError,
    Unauthorized,
    UnknownRecord,
    VumError,
    details_of,
    error_response,
)
from vum.api.headers import CURRENT_CALL, VumCall, parse_call, reply_headers
from vum.api.matches import MAX_RESULTS, envelope, parse_matches_body
from vum.matching.types import SearchResult
from vum.openapi import detail_operation, matches_operation
from vum.standard.kinds import Kind
from vum.standard.parts import Side
from vum.standard.query import Query, QueryError
from vum.webapp import ANY_PATH

log = logging.getLogger("vum.api.bron")

#: ``search(kind, party, query, limit)``: the best matches of ``query`` in ``party``'s data, best
#: first, at most ``limit`` (sync functions run in a worker thread; async ones are awaited).
SearchFn = Callable[[Kind, str, Query, int], SearchResult | Awaitable[SearchResult]]
#: ``detail(kind, party, record_id)``: the detail record (wire JSON) or None when unknown.
DetailFn = Callable[
    [Kind, str, str], Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None
]
#: ``authorize(call, request)``: may this caller ask this source? False answers 401 (no body).
AuthorizeFn = Callable[[VumCall, Request], bool | Awaitable[bool]]

ALL_KINDS: tuple[Kind, ...] = (Kind.WERKZOEKENDE, Kind.VACATURE)
# VUM: IDWerkzoekende / IDVacature are SafeIDString: ^[a-zA-Z0-9_.-]{0,200}$
_SAFE_ID = re.compile(r"[a-zA-Z0-9_.-]{0,200}")
_JSON = "application/json"


@dataclass(frozen=True)
class BronOptions:
    """How the router behaves; the defaults are the agreement framework's."""

    #: base path of the contracts' servers (``https://<host>/api/v3``)
    prefix: str = "/api/v3"
    #: VUM: at most 100 summaries per source; a lower cap is allowed, a higher one is not
    max_results: int = MAX_RESULTS
    #: a vraagObject is small; a larger body is refused with 400.01 before it is parsed
    max_query_bytes: int = 1 << 20
    #: past this many seconds a search or detail answers 503/500.3 (None: no deadline)
    timeout_s: float | None = None
    #: honour ``X-OpenVUM-Explain: 1`` (scores and explanations beside the matches)
    explain: bool = True
    #: strip detail-only members from every summary (privacy). Only a search whose summaries
    #: are minimised already (vum.matching engines: ``Hit.summary``) may switch this off.
    minimise: bool = True


class _Endpoints:
    """The two operations of one kind; small, so the router stays a list of routes."""

    def __init__(
        self,
        kind: Kind,
        search: SearchFn,
        detail: DetailFn,
        authorize: AuthorizeFn | None,
        options: BronOptions,
    ) -> None:
        self.kind = kind
        self.search_fn = search
        self.detail_fn = detail
        self.authorize = authorize
        self.options = options
        self.limit = max(0, min(options.max_results, MAX_RESULTS))

    async def matches(self, request: Request) -> Response:
        return await self._answer(request, self._matches)

    async def detail(self, request: Request) -> Response:
        return await self._answer(request, self._detail)

    async def _matches(self, request: Request, call: VumCall) -> bytes:
        try:
            raw = await read_body(request, self.options.max_query_bytes)
        except BodyTooLarge as exc:
            raise BadRequest(
                "Zoekvraag te groot (query too large)", f"hoogstens {exc.limit} bytes"
            ) from None
        query = parse_matches_body(self.kind, raw)
        result: SearchResult = await invoke(
            self.search_fn,
            self.kind,
            call.to_party,
            query,
            self.limit,
            timeout_s=self.options.timeout_s,
        )
        explain = call.explain and self.options.explain
        body = envelope(
            self.kind, result, limit=self.limit, explain=explain, minimise=self.options.minimise
        )
        # orjson: about a third of pydantic's time for a hundred summaries.
        return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)

    async def _detail(self, request: Request, call: VumCall) -> bytes:
        record_id = request.path_params[self.kind.id_field]
        if not _SAFE_ID.fullmatch(record_id):
            raise BadRequest(
                f"Ongeldig {self.kind.id_field} (invalid {self.kind.id_field})",
                f"/{self.kind.id_field}: hoogstens 200 tekens uit a-z, A-Z, 0-9, _ . - "
                "(at most 200 characters of a-z, A-Z, 0-9, _ . -)",
            )
        record: Mapping[str, Any] | None = await invoke(
            self.detail_fn,
            self.kind,
            call.to_party,
            record_id,
            timeout_s=self.options.timeout_s,
        )
        if record is None:
            # The contract has no 404; an id the source does not hold is an invalid call.
            raise UnknownRecord(self.kind, record_id)
        return orjson.dumps(dict(record), option=orjson.OPT_SERIALIZE_NUMPY)

    async def _answer(
        self, request: Request, handle: Callable[[Request, VumCall], Awaitable[bytes]]
    ) -> Response:
        """Run one operation; every answer, also an error, carries the VUM headers."""
        started = time.perf_counter()
        headers = reply_headers(request.headers)
        try:
            call = parse_call(request.headers)
            if self.authorize is not None and not await invoke(self.authorize, call, request):
                raise Unauthorized()
            token = CURRENT_CALL.set(call)
            try:
                content = await handle(request, call)
            finally:
                CURRENT_CALL.reset(token)
            response = Response(content, 200, headers=headers, media_type=_JSON)
        except QueryError as exc:  # raised by an engine that checks the query again
            response = error_response(
                BadRequest("Ongeldige zoekvraag (invalid query)", details_of(exc.problems)),
                headers,
            )
        except VumError as exc:
            response = error_response(exc, headers)
        except Exception:
            # VUM 500.1: the caller learns that the source failed, not why; the log says why.
            log.exception("%s %s failed", request.method, request.url.path)
            response = error_response(InternalError(), headers)
        log.debug(
            "%s %s -> %d in %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response


def make_bron_router(
    search: SearchFn,
    detail: DetailFn,
    *,
    kinds: Collection[Kind] = ALL_KINDS,
    authorize: AuthorizeFn | None = None,
    options: BronOptions | None = None,
) -> APIRouter:
    """The VUM-Bron operations for ``kinds``, ready to ``app.include_router(...)``.

    - ``POST {prefix}/{werkzoekendeProfielen|vacatures}/matches`` with ``{"vraagObject": {...}}``;
    - ``GET {prefix}/werkzoekendeProfielen/{idWerkzoekende}`` and ``.../vacatures/{idVacature}``.

    ``search``/``detail`` receive the party of ``X-VUM-toParty``; they may raise any
    :class:`~vum.api.errors.VumError` (e.g. ``UnknownParty``, ``SourceUnavailable``,
    ``TooManyRequests``); any other exception answers 500.1.
    """
    opts = options or BronOptions()
    router = APIRouter()
    for kind in kinds:
        endpoints = _Endpoints(kind, search, detail, authorize, opts)
        base = f"{opts.prefix.rstrip('/')}/{kind.resource}"
        router.add_api_route(
            f"{base}/matches",
            endpoints.matches,
            methods=["POST"],
            summary=f"Zoekopdracht voor {kind.resource} (VUM-Bron)",
            operation_id=f"bron_matches_{kind.resource}",
            response_class=Response,
            # The body is read raw (fast path); the document still says what it takes and gives.
            openapi_extra=matches_operation(kind, Side.BRON),
        )
        router.add_api_route(
            # ANY_PATH: an id with an encoded "/" or line break still gets a VUM answer (400.01),
            # not a bare 404.
            f"{base}/{{{kind.id_field}:{ANY_PATH}}}",
            endpoints.detail,
            methods=["GET"],
            summary=f"Detail bij {kind.id_field} (VUM-Bron)",
            operation_id=f"bron_detail_{kind.resource}",
            response_class=Response,
            openapi_extra=detail_operation(kind, Side.BRON),
        )
    return router
