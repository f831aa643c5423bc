# SPDX-License-Identifier: EUPL-1.2
"""The admin API of the party registry: the afsprakenstelsel in data, changed over HTTP and audited.

``/admin/v1/parties`` lists, adds and changes parties; every change goes through
:class:`~vum.facility.registry.StoreRegistry`, which writes it to the hash-chained audit log in
the same transaction. Callers authenticate with ``Authorization: Bearer <admin token>``; the
token's SHA-256 is configured (never the token itself), and the caller's name for the audit log
comes from ``X-OpenVUM-Gebruiker``.
"""

# No `from __future__ import annotations`: FastAPI must see the local dependency types.
import datetime as dt
import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from vum.facility.registry import PartyNotFound, RegistryError, StoreRegistry

ADMIN_PREFIX = "/admin/v1/parties"


class PartyFields(BaseModel):
    """The fields an operator may set; all optional on an update."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    roles: list[str] | None = None
    suwi: bool | None = None
    processors: list[str] | None = None
    agreement_signed: dt.date | None = None
    endpoint: str | None = None
    url: str | None = None
    timeout_s: float | None = Field(None, gt=0, le=60)

    @field_validator("name", "roles", "suwi", "processors")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Optional to leave out on an update, never to clear: an explicit null is refused (422)
        # rather than reaching the registry as a name "None" or a missing list.
        if value is None:
            raise ValueError("mag niet null zijn (must not be null)")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class NewParty(PartyFields):
    oin: str = Field(pattern=r"^[0-9]{20}$")
    name: str = Field(min_length=1, max_length=200)


def token_digest(token: str) -> str:
    """What to configure for a token: its SHA-256, hex (`vum parties admin-token` prints one)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def make_admin_router(registry: StoreRegistry, token_sha256: str) -> APIRouter:
    """The router; refuses every call when no token digest is configured."""
    router = APIRouter(prefix=ADMIN_PREFIX)

    def operator(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        x_openvum_gebruiker: Annotated[str | None, Header()] = None,
    ) -> str:
        given = (authorization or "").removeprefix("Bearer ").strip()
        # Constant-time comparison of digests: the token never sits in memory to compare with.
        if (
            not token_sha256
            or not given
            or not hmac.compare_digest(token_digest(given), token_sha256)
        ):
            raise HTTPException(401)
        return (x_openvum_gebruiker or "admin-api")[:100]

    Operator = Annotated[str, Depends(operator)]

    def _fail(exc: RegistryError) -> HTTPException:
        status = 404 if isinstance(exc, PartyNotFound) else 400
        return HTTPException(
            status, {"code": "400.01" if status == 400 else "404", "message": str(exc)}
        )

    @router.get("")
    async def list_parties(_: Operator) -> list[dict[str, Any]]:
        rows = await run_in_threadpool(registry.list_parties)
        return [row.as_dict() for row in rows]

    @router.get("/{oin}")
    async def show(oin: str, _: Operator) -> dict[str, Any]:
        row = await run_in_threadpool(registry.get, oin)
        if row is None:
            raise HTTPException(404, {"code": "404", "message": f"onbekende partij {oin}"})
        return row.as_dict()

    @router.post("", status_code=201)
    async def add(party: NewParty, by: Operator) -> dict[str, Any]:
        values = party.changes()
        values.pop("oin", None)
        try:
            row = await run_in_threadpool(lambda: registry.add(party.oin, values, by=by))
        except RegistryError as exc:
            raise _fail(exc) from None
        return row.as_dict()

    @router.patch("/{oin}")
    async def update(oin: str, fields: PartyFields, by: Operator) -> dict[str, Any]:
        try:
            row = await run_in_threadpool(lambda: registry.update(oin, fields.changes(), by=by))
        except RegistryError as exc:
            raise _fail(exc) from None
        return row.as_dict()

    def status_change(action: str) -> Any:
        # The action is bound here, not as a parameter with a default: FastAPI would make such
        # a parameter a query parameter, and a caller could name any registry method with it.
        async def change(oin: str, by: Operator) -> dict[str, Any]:
            try:
                row = await run_in_threadpool(lambda: getattr(registry, action)(oin, by=by))
            except RegistryError as exc:
                raise _fail(exc) from None
            return dict(row.as_dict())

        return change

    for action in ("suspend", "activate", "end"):
        router.add_api_route(
            f"/{{oin}}/{action}", status_change(action), methods=["POST"], name=action
        )

    return router
