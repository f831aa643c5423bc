# SPDX-License-Identifier: EUPL-1.2
"""The portal's client of the facility's VUM-Bemiddelaar API: it calls as a processor for the user's party.

Headers: ``X-VUM-fromParty`` is the user's organisation (the responsible party), ``X-VUM-viaParty``
the portal's own OIN (a processor that party allows), ``X-OpenVUM-Gebruiker`` the user's
pseudonym and ``X-OpenVUM-Verwerking`` the processing activity, both for the facility's audit
log. In production the connection is mutual TLS with the portal's PKIoverheid certificate.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from vum import KOPPELVLAK_VERSION
from vum.portal.settings import PortalSettings
from vum.standard.kinds import Kind


class FacilityError(Exception):
    """The facility refused or failed: ``status`` 0 when it could not be reached at all."""

    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Caller:
    """For whom the portal asks: the user's party, their pseudonym and why."""

    party: str
    user: str
    activity: str


@dataclass(frozen=True)
class MatchesAnswer:
    """The facility's answer with its explanation extension (``X-OpenVUM-Explain``)."""

    vraag_id: str | None
    more: bool
    matches: list[dict[str, Any]]
    ranking: list[dict[str, Any]]
    sources: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "vraagID": self.vraag_id,
            "meer": self.more,
            "matches": self.matches,
            "ranking": self.ranking,
            "bronnen": self.sources,
        }


def _ssl_context(settings: PortalSettings) -> ssl.SSLContext | bool:
    if not (settings.client_cert or settings.facility_ca):
        return True
    context = ssl.create_default_context(cafile=settings.facility_ca)
    if settings.client_cert:
        context.load_cert_chain(settings.client_cert, settings.client_key)
    return context


class FacilityClient:
    """``matches`` and ``detail`` over HTTP; one connection pool for the portal's life."""

    def __init__(
        self, settings: PortalSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            base_url=settings.facility_url.rstrip("/"),
            timeout=settings.facility_timeout_s,
            verify=_ssl_context(settings),
            transport=transport,
        )

    def _headers(self, caller: Caller, explain: str) -> dict[str, str]:
        headers = {
            "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
            "API-Version": KOPPELVLAK_VERSION,
            "X-VUM-fromParty": caller.party,
            "X-VUM-toParty": self.settings.facility_oin,
            "X-VUM-viaParty": self.settings.portal_oin,
            "X-OpenVUM-Gebruiker": caller.user,
            "X-OpenVUM-Verwerking": caller.activity,
        }
        if explain:
            headers["X-OpenVUM-Explain"] = explain
        return headers

    async def _call(self, method: str, path: str, caller: Caller, **kwargs: Any) -> Any:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise FacilityError(0, None, f"uitwisselingsvoorziening onbereikbaar: {exc}") from None
        if response.status_code != 200:
            code, message = None, f"HTTP {response.status_code}"
            try:
                body = response.json()
                code, message = body.get("code"), body.get("message", message)
            except ValueError:
                pass
            raise FacilityError(response.status_code, code, message)
        try:
            return response.json()
        except ValueError:
            raise FacilityError(502, None, "ongeldig antwoord van de voorziening") from None

    async def matches(
        self, kind: Kind, vraag: dict[str, Any], caller: Caller, *, explain: str = "volledig"
    ) -> MatchesAnswer:
        """Ask every source through the facility; ``explain="bronnen"`` skips the "waarom"."""
        body = await self._call(
            "POST",
            f"/{kind.resource}/matches",
            caller,
            json={"vraagObject": vraag},
            headers=self._headers(caller, explain),
        )
        matches = list(body.get("matches") or [])
        ranking = list(body.get("x-openvum-ranking") or [])
        if len(ranking) != len(matches):  # a facility without the extension
            ranking = [{} for _ in matches]
        return MatchesAnswer(
            vraag_id=body.get("vraagID"),
            more=bool(body.get("maximumAantalResultatenBereikt")),
            matches=matches,
            ranking=ranking,
            sources=list(body.get("x-openvum-bronnen") or []),
        )

    async def detail(self, kind: Kind, vum_id: str, caller: Caller) -> dict[str, Any]:
        """The detail behind a vumID (counts against the query's 10)."""
        found: dict[str, Any] = await self._call(
            "GET", f"/{kind.resource}/{vum_id}", caller, headers=self._headers(caller, "")
        )
        return found

    async def aclose(self) -> None:
        await self._client.aclose()
