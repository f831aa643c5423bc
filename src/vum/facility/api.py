# SPDX-License-Identifier: EUPL-1.2
"""The mediator API (VUM-Bemiddelaar, koppelvlak 3.0.0): matches and details, authorised, audited, measured.

Every call is checked in this order: the VUM headers (400.02/400.01), who opened the connection
and whether that party may ask (401, no body), the request itself (400), then the facility.
Every answer carries the VUM headers; every call leaves exactly one audit event, and when the
audit sink fails the answer is 500.1 (fail closed: no data leaves without a trace).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import inspect
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import orjson
from fastapi import APIRouter, Request, Response
from pydantic_core import from_json

from vum.facility.identity import (
    PARTY_ID,
    ApiError,
    Identity,
    MediatorCall,
    PartyInfo,
    PartyRegistry,
    Unauthorized,
    header_value,
    may_ask,
    parse_call,
    reply_headers,
)
from vum.facility.metrics import AuditSink, FacilityMetrics
from vum.facility.service import Caller, Facility, FacilityError, QueryAnswer, off_loop
from vum.facility.vumid import InvalidVumId
from vum.openapi import detail_operation, matches_operation
from vum.standard.errors import Problem
from vum.standard.headers import FROM_PARTY, VIA_PARTY
from vum.standard.kinds import Kind
from vum.standard.parts import Side
from vum.standard.query import QueryError, parse_query
from vum.standard.types import is_empty
from vum.webapp import ANY_PATH

log = logging.getLogger("vum.facility.api")

TRACEPARENT = "traceparent"

# VUM: VumID is ^[a-zA-Z0-9_.-]{0,500}$
_VUM_ID = re.compile(r"[a-zA-Z0-9_.-]{0,500}")
_TRACE = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
# VUM-Bemiddelaar-WerkzoekendeProfielen: the request body has additionalProperties: false;
# VUM-Bemiddelaar-Vacatures leaves it open, so there an extra top-level member is ignored.
_CLOSED_BODY = frozenset({Kind.WERKZOEKENDE})
MAX_BODY_BYTES = 1 << 20


def to_json(body: Any) -> bytes:
    """A response body as JSON: orjson, a third of pydantic's time on a merged answer."""
    return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)


_JSON = "application/json"


def _details(problems: list[Problem]) -> str:
    return "\n".join(f"{p.pointer}: {p.message}" for p in problems)[:2000]


def parse_body(kind: Kind, raw: bytes) -> dict[str, Any]:
    """The vraagObject of a matches call: 400.02 when something required is missing, else 400.01."""
    missing = ApiError(
        400,
        "400.02",
        "Onvolledige zoekvraag: vraagObject ontbreekt (incomplete query: vraagObject missing)",
        "/vraagObject: verplicht",
    )
    if not raw.strip():
        raise missing
    try:
        data: Any = from_json(raw)
    except ValueError as exc:
        raise ApiError(400, "400.01", "Geen geldige JSON (invalid JSON)", str(exc)[:2000]) from None
    if not isinstance(data, dict):
        raise ApiError(400, "400.01", "Body moet een object zijn (body must be an object)")
    extra = [key for key in data if key != "vraagObject"]
    if kind in _CLOSED_BODY and extra:
        raise ApiError(
            400,
            "400.01",
            "Onbekend gegeven naast vraagObject (unknown member)",
            "\n".join(f"/{k}: niet toegestaan (not allowed)" for k in extra)[:2000],
        )
    vraag = data.get("vraagObject")
    # VUM: empty strings, arrays and objects count as absent.
    if is_empty(vraag):
        raise missing
    try:
        parse_query(kind, vraag, prefix=("vraagObject",))
    except QueryError as exc:
        if exc.problems and all(p.code == "missing" for p in exc.problems):
            raise ApiError(
                400, "400.02", "Onvolledige zoekvraag (incomplete query)", _details(exc.problems)
            ) from None
        raise ApiError(
            400, "400.01", "Ongeldige zoekvraag (invalid query)", _details(exc.problems)
        ) from None
    return cast(dict[str, Any], vraag)


def error_response(
    status: int, code: str, message: str, details: str | None, headers: Mapping[str, str]
) -> Response:
    """``{code, message, details}`` as JSON; VUM: a 401 carries the headers and no body."""
    if status == 401:
        return Response(status_code=401, headers=dict(headers))
    body = {"code": code[:10], "message": message[:500]}
    if details:
        body["details"] = details[:2000]
    return Response(to_json(body), status, headers=dict(headers), media_type=_JSON)


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def trace_of(headers: Mapping[str, str]) -> str:
    """The W3C trace id of ``traceparent``, or a fresh one (an all-zero id is invalid)."""
    match = _TRACE.fullmatch(headers.get(TRACEPARENT, "").strip())
    if match and match.group(1) != "0" * 32:
        return match.group(1)
    return secrets.token_hex(16)


def source_report(answer: QueryAnswer) -> list[dict[str, Any]]:
    """Per source what it did (``x-openvum-bronnen``): no records, no error texts."""
    return [
        {
            "oin": o.source.oin,
            "naam": o.source.name,
            "status": o.status,
            "ms": round(o.elapsed_ms, 1),
            "aantal": len(o.matches),
            "ongeldig": o.invalid_records,
            "meer": o.more,
        }
        for o in answer.outcomes
    ]


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """Await an async function; a sync one (a store) off the event loop, unless in memory."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    return await off_loop(fn, *args)


#: ``work(kind, request, call, party, event, headers)``: the operation, after the checks.
Work = Callable[
    [Kind, Request, MediatorCall, PartyInfo, dict[str, Any], dict[str, str]], Awaitable[Response]
]


class MediatorApi:
    """The four operations over one :class:`Facility`."""

    def __init__(
        self,
        facility: Facility,
        registry: PartyRegistry,
        audit: AuditSink,
        identity: Identity,
        metrics: FacilityMetrics,
        *,
        explain: bool = True,
    ) -> None:
        self.facility = facility
        self.registry = registry
        self.audit = audit
        self.identity = identity
        self.metrics = metrics
        self.explain = explain
        self.oin = facility.settings.facility_oin

    async def _authorise(self, request: Request, call: MediatorCall) -> PartyInfo:
        # VUM: the certificate's OIN is the processor that carries the call (X-VUM-viaParty).
        processor = self.identity.processor(request, call.via_party)
        if processor is None:
            raise Unauthorized("geen (geldig) clientcertificaat")
        if processor != call.via_party:
            raise Unauthorized("certificaat-OIN is niet X-VUM-viaParty")
        party: PartyInfo | None = await _call(self.registry.party, call.from_party)
        if not may_ask(party, call.via_party, dt.date.today()) or party is None:
            raise Unauthorized("geen actieve bemiddelaar met afspraken voor deze verwerker")
        return party

    async def run(self, request: Request, operation: str, kind: Kind, work: Work) -> Response:
        """One call, start to end: headers, identity, work, errors, audit, metrics, log."""
        started = time.perf_counter()
        headers = reply_headers(request.headers, self.oin)
        trace_id = trace_of(request.headers)
        headers[TRACEPARENT] = f"00-{trace_id}-{secrets.token_hex(8)}-01"
        event: dict[str, Any] = {
            "traceId": trace_id,
            "operation": operation,
            "kind": kind.value,
            "start": _now(),
            "fromParty": header_value(request.headers, FROM_PARTY, PARTY_ID),
            "viaParty": header_value(request.headers, VIA_PARTY, PARTY_ID),
            "identity": self.identity.mode,
        }
        code: str | None = None
        try:
            call = parse_call(request.headers, self.oin)
            event.update(user=call.user, processingActivity=call.processing_activity)
            party = await self._authorise(request, call)
            response = await work(kind, request, call, party, event, headers)
        except (ApiError, FacilityError) as exc:
            if isinstance(exc, Unauthorized):
                event["refusal"] = exc.reason
            code = exc.code
            response = error_response(exc.status, exc.code, exc.message, exc.details, headers)
        except Exception:
            # VUM 500.1: the caller learns that the facility failed, not why; the log says why.
            log.exception("%s %s failed (trace %s)", operation, kind.value, trace_id)
            code = "500.1"
            response = error_response(500, code, "Interne fout (internal error)", None, headers)
        event.update(end=_now(), outcome={"status": response.status_code, "code": code})
        try:
            await _call(self.audit.record, event)
        except Exception:
            # Fail closed: without an audit record the answer does not leave the facility.
            log.exception("audit sink failed; refusing the request (trace %s)", trace_id)
            code = "500.1"
            response = error_response(
                500,
                code,
                "Interne fout: auditlog niet beschikbaar (internal error: audit log unavailable)",
                None,
                headers,
            )
        if operation == "detail":
            self.metrics.observe_detail(kind, response.status_code)
        self.metrics.observe_request(
            {
                "traceId": trace_id,
                "operation": operation,
                "kind": kind.value,
                "status": response.status_code,
                "code": code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        return response

    async def answer_matches(
        self,
        kind: Kind,
        request: Request,
        call: MediatorCall,
        party: PartyInfo,
        event: dict[str, Any],
        headers: dict[str, str],
    ) -> Response:
        raw = await _read_capped(request)
        vraag = parse_body(kind, raw)
        # Audit: never the query's values in clear.
        event["vraagObjectSha256"] = _sha256(
            json.dumps(vraag, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        )
        caller = Caller(call.from_party, call.via_party, party.suwi, call.user)
        answer = await self.facility.matches(kind, caller, vraag, trace_id=event["traceId"])
        results = len(answer.pieces)
        self.metrics.observe_query(kind, answer.outcomes, results)
        event.update(
            vraagID=answer.vraag_id,
            results=results,
            maximumAantalResultatenBereikt=answer.more,
            sources=[
                {
                    "oin": o.source.oin,
                    "status": o.status,
                    "ms": round(o.elapsed_ms, 1),
                    "matches": len(o.matches),
                    "invalidRecords": o.invalid_records,
                    "more": o.more,
                }
                for o in answer.outcomes
            ],
        )
        extra: dict[str, Any] | None = None
        if call.explain and self.explain:
            # The envelope is an open object; the summaries are not, so nothing goes into them.
            # The explanations cost more than the ranking itself: only when asked for.
            extra = {"x-openvum-bronnen": source_report(answer)}
            if call.explain == "volledig":
                extra = {"x-openvum-ranking": answer.ranking, **extra}
        response = Response(answer.to_json(extra), 200, headers=headers, media_type=_JSON)
        # Hundreds of summaries are freed after the answer is on its way, not before.
        asyncio.get_running_loop().call_soon(_release, answer)
        return response

    async def answer_detail(
        self,
        kind: Kind,
        request: Request,
        call: MediatorCall,
        party: PartyInfo,
        event: dict[str, Any],
        headers: dict[str, str],
    ) -> Response:
        vum_id = request.path_params["vumID"]
        if not _VUM_ID.fullmatch(vum_id):
            raise ApiError(
                400,
                "400.01",
                "Ongeldige vumID (invalid vumID)",
                "/vumID: hoogstens 500 tekens uit a-z, A-Z, 0-9, _ . - "
                "(at most 500 characters of a-z, A-Z, 0-9, _ . -)",
            )
        event["vumIDSha256"] = _sha256(vum_id)
        try:
            content = self.facility.codec.decode(vum_id)
            event.update(vraagID=content.vraag_id, bronID=content.source)
        except InvalidVumId:
            pass  # the facility answers 400.01 for it
        caller = Caller(call.from_party, call.via_party, party.suwi, call.user)
        detail = await self.facility.detail(kind, caller, vum_id, trace_id=event["traceId"])
        return Response(to_json(detail), 200, headers=headers, media_type=_JSON)


def _release(_: object) -> None:
    """Holds what it is given until the event loop calls it, then lets it go."""


async def _read_capped(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = ApiError(
        400,
        "400.01",
        "Zoekvraag te groot (query too large)",
        f"hoogstens {MAX_BODY_BYTES} bytes (at most {MAX_BODY_BYTES} bytes)",
    )
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def make_mediator_router(api: MediatorApi, prefix: str = "/api/v3") -> APIRouter:
    """``POST {prefix}/{resource}/matches`` and ``GET {prefix}/{resource}/{vumID}`` per kind."""
    router = APIRouter(tags=["bemiddelaar"])
    for kind in (Kind.WERKZOEKENDE, Kind.VACATURE):
        base = f"{prefix.rstrip('/')}/{kind.resource}"
        router.add_api_route(
            f"{base}/matches",
            _endpoint(api, "matches", kind, api.answer_matches),
            methods=["POST"],
            operation_id=f"matches_{kind.resource}",
            response_class=Response,
            summary=f"Zoekopdracht voor {kind.resource} (VUM-Bemiddelaar)",
            # The body is read raw (fast path); the document still says what it takes and gives.
            openapi_extra=matches_operation(kind, Side.BEMIDDELAAR),
        )
        # ANY_PATH: a vumID with an encoded "/" or line break still gets a VUM answer (400.01),
        # not a bare 404.
        router.add_api_route(
            f"{base}/{{vumID:{ANY_PATH}}}",
            _endpoint(api, "detail", kind, api.answer_detail),
            methods=["GET"],
            operation_id=f"detail_{kind.resource}",
            response_class=Response,
            summary=f"Detail bij vumID voor {kind.resource} (VUM-Bemiddelaar)",
            openapi_extra=detail_operation(kind, Side.BEMIDDELAAR),
        )
    return router


def _endpoint(
    api: MediatorApi, operation: str, kind: Kind, work: Work
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await api.run(request, operation, kind, work)

    return endpoint
