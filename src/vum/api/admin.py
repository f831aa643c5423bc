# SPDX-License-Identifier: EUPL-1.2
"""The HTTP import ("hybrid" upload): a party's own system replaces or changes its dataset, all or nothing."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from pydantic_core import from_json, to_json

from vum.api.backend import ImportMode, SourceBackend, is_conflict, is_transient
from vum.api.calls import BodyTooLarge, read_body
from vum.api.errors import SourceUnavailable
from vum.openapi import import_operation
from vum.standard.errors import Problem, json_pointer
from vum.standard.kinds import Kind

log = logging.getLogger("vum.api.admin")

#: the path segment may name a kind ("werkzoekende") or its resource ("werkzoekendeProfielen")
KINDS: dict[str, Kind] = {k.value: k for k in Kind} | {k.resource: k for k in Kind}
_SAFE_ID = re.compile(r"[a-zA-Z0-9_.-]{1,200}")
_CHANGE_MEMBERS = ("upsert", "delete")


class _Refused(Exception):
    """An answer other than 200, with a JSON body (the admin API is ours, not the koppelvlak's)."""

    def __init__(self, status: int, nl: str, en: str, **extra: Any) -> None:
        super().__init__(en)
        self.status = status
        self.body = {"message_nl": nl, "message_en": en, **extra}


def _json(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return Response(to_json(body), status, headers=headers, media_type="application/json")


def _index(pointer: str) -> int | None:
    first = pointer.split("/")[1] if pointer.startswith("/") else ""
    return int(first) if first.isdigit() else None


def problem_dicts(problems: Iterable[object]) -> list[dict[str, Any]]:
    """Every problem as ``{index, pointer, message_nl, message_en, ...}``, whatever its shape
    (``vum.standard`` problems, the hosted source's ``ImportProblem``, plain dicts)."""
    out: list[dict[str, Any]] = []
    for p in problems:
        nested = getattr(p, "problems", None)
        if nested is not None and not isinstance(p, Mapping):  # a per-record report
            out.extend(problem_dicts(nested))
            continue
        as_dict = getattr(p, "as_dict", None)
        if callable(as_dict):
            item: dict[str, Any] = dict(as_dict())
        elif isinstance(p, Mapping):
            item = dict(p)
        else:
            item = {"message_nl": str(p), "message_en": str(p)}
        item.setdefault("pointer", None)
        item.setdefault("index", _index(str(item["pointer"] or "")))
        out.append(item)
    return out


def _problem(pointer: list[str | int], nl: str, en: str) -> dict[str, Any]:
    return problem_dicts([Problem(json_pointer(pointer), nl, en, "invalid")])[0]


def _unprocessable(problems: list[dict[str, Any]], warnings: Iterable[object] = ()) -> _Refused:
    extra: dict[str, Any] = {"warnings": [str(w) for w in warnings]} if warnings else {}
    return _Refused(
        422,
        f"Gegevens afgewezen: {len(problems)} fout(en); de bestaande gegevens blijven staan",
        f"Data rejected: {len(problems)} problem(s); the live data stays as it was",
        problems=problems,
        **extra,
    )


def _records(value: Any, at: list[str | int]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _unprocessable(
            [
                _problem(
                    at, "moet een JSON-array van records zijn", "must be a JSON array of records"
                )
            ]
        )
    bad = [
        _problem([*at, i], "moet een object zijn", "must be an object")
        for i, item in enumerate(value)
        if not isinstance(item, dict)
    ]
    if bad:
        raise _unprocessable(bad)
    return value


def _changes(data: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(data, dict):
        raise _unprocessable(
            [_problem([], 'moet een object {"upsert", "delete"} zijn', "must be an object")]
        )
    problems = [
        _problem([key], "onbekend gegeven", "unknown member")
        for key in data
        if key not in _CHANGE_MEMBERS
    ]
    delete = data.get("delete", [])
    if not isinstance(delete, list):
        problems.append(
            _problem(["delete"], "moet een lijst van id's zijn", "must be a list of ids")
        )
        delete = []
    problems += [
        _problem(["delete", i], "ongeldig id", "invalid id")
        for i, value in enumerate(delete)
        if not (isinstance(value, str) and _SAFE_ID.fullmatch(value))
    ]
    if problems:
        raise _unprocessable(problems)
    return _records(data.get("upsert", []), ["upsert"]), delete


def _result_fields(result: object) -> dict[str, Any]:
    """What the backend says it did (e.g. the hosted source's ImportResult), when it says."""
    out: dict[str, Any] = {}
    as_dict = getattr(result, "as_dict", None)
    if callable(as_dict):
        out["result"] = as_dict()
    elif isinstance(result, Mapping):
        out["result"] = dict(result)
    for lang in ("nl", "en"):
        summary = getattr(result, f"summary_{lang}", None)
        if callable(summary):
            out[f"message_{lang}"] = str(summary())
    return out


class _Import:
    """The two import operations over one backend."""

    def __init__(self, backend: SourceBackend, max_body_bytes: int) -> None:
        self.backend = backend
        self.max_body_bytes = max_body_bytes

    async def replace(self, request: Request) -> Response:
        return await self._run(request, "replace")

    async def changes(self, request: Request) -> Response:
        return await self._run(request, "upsert")

    async def _run(self, request: Request, mode: ImportMode) -> Response:
        try:
            kind, party = await self._authorised(request)
            data = await self._read(request)
            delete: list[str] = []
            if mode == "replace":
                records = _records(data, [])
            else:
                records, delete = _changes(data)
            result = await self._import(party, kind, records, mode, delete)
        except _Refused as refused:
            headers = (
                {"WWW-Authenticate": 'Bearer realm="open-vum"'} if refused.status == 401 else None
            )
            return _json(refused.status, refused.body, headers)
        except SourceUnavailable:
            return _json(
                503,
                {
                    "message_nl": "Opslag tijdelijk niet beschikbaar; probeer het later opnieuw",
                    "message_en": "Storage temporarily unavailable; try again later",
                },
            )
        except Exception:
            log.exception("import %s %s failed", request.url.path, mode)
            return _json(
                500,
                {
                    "message_nl": "Interne fout; de bestaande gegevens blijven staan",
                    "message_en": "Internal error; the live data stays as it was",
                },
            )
        body: dict[str, Any] = {
            "party": party,
            "kind": kind.value,
            "mode": mode,
            "received": len(records),
            "deleted": len(delete),
            "message_nl": "Gegevens bijgewerkt",
            "message_en": "Data updated",
        }
        body.update(_result_fields(result))
        log.info(
            "import %s %s %s: %d records, %d deletes",
            party,
            kind.value,
            mode,
            len(records),
            len(delete),
        )
        return _json(200, body)

    async def _authorised(self, request: Request) -> tuple[Kind, str]:
        kind = KINDS.get(request.path_params["kind"])
        if kind is None:
            raise _Refused(
                404, "Onbekende soort gegevens", "Unknown kind of data", kinds=sorted(KINDS)
            )
        party: str = request.path_params["oin"]
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        # Checked before the body is read: an unknown caller cannot make us hold 200 MB.
        if scheme.lower() != "bearer" or not token or not await self._verify(party, token):
            raise _Refused(
                401, "Niet geautoriseerd: ongeldig token", "Not authorised: invalid token"
            )
        return kind, party

    async def _verify(self, party: str, token: str) -> bool:
        try:
            # argon2 verification is slow on purpose: not on the event loop.
            return bool(await anyio.to_thread.run_sync(self.backend.verify_token, party, token))
        except ValueError:
            return False  # not an OIN at all: no token can match it

    async def _read(self, request: Request) -> Any:
        try:
            raw = await read_body(request, self.max_body_bytes)
        except BodyTooLarge as exc:
            raise _Refused(
                413,
                f"Bestand te groot: hoogstens {exc.limit} bytes",
                f"Body too large: at most {exc.limit} bytes",
            ) from None
        try:
            # Parsing hundreds of megabytes takes seconds: not on the event loop.
            return await anyio.to_thread.run_sync(from_json, raw)
        except ValueError as exc:
            raise _Refused(400, "Geen geldige JSON", f"Invalid JSON: {exc}") from None

    async def _import(
        self,
        party: str,
        kind: Kind,
        records: list[dict[str, Any]],
        mode: ImportMode,
        delete: list[str],
    ) -> object:
        call = functools.partial(
            self.backend.import_records, party, kind, records, mode=mode, delete_ids=delete
        )
        try:
            return await anyio.to_thread.run_sync(call)
        except Exception as exc:
            problems = getattr(exc, "problems", None)
            if problems is not None:
                # ImportRejected: nothing was written, every problem goes back at once.
                warnings = getattr(exc, "warnings", None) or ()
                raise _unprocessable(problem_dicts(problems), warnings) from None
            if is_conflict(exc):
                raise _Refused(
                    409,
                    "Tegelijk liep een andere import; probeer het opnieuw",
                    "Another import changed the dataset meanwhile; try again",
                ) from None
            if is_transient(exc):
                raise SourceUnavailable() from exc
            raise


def make_admin_router(backend: SourceBackend, *, max_body_bytes: int) -> APIRouter:
    """``PUT /admin/v1/datasets/{oin}/{kind}`` (replace) and ``POST .../{kind}/changes`` (upsert/delete)."""
    handlers = _Import(backend, max_body_bytes)
    router = APIRouter(prefix="/admin/v1/datasets", tags=["import"])
    router.add_api_route(
        "/{oin}/{kind}",
        handlers.replace,
        methods=["PUT"],
        summary="Vervang de hele dataset (replace the whole dataset)",
        response_class=Response,
        openapi_extra=import_operation("replace", sorted(KINDS)),
    )
    router.add_api_route(
        "/{oin}/{kind}/changes",
        handlers.changes,
        methods=["POST"],
        summary="Wijzig records: upsert en delete (change records)",
        response_class=Response,
        openapi_extra=import_operation("changes", sorted(KINDS)),
    )
    return router
