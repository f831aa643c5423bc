# SPDX-License-Identifier: EUPL-1.2
"""The HTTP side of a conformance run: one httpx client (optionally mTLS), every exchange recorded and timed."""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from vum import KOPPELVLAK_VERSION
from vum.standard.headers import (
    API_VERSION,
    BERICHT_VERSIE,
    FROM_PARTY,
    SUWI_PARTY,
    TO_PARTY,
    VIA_PARTY,
)

PARTY_HEADERS = (FROM_PARTY, TO_PARTY, VIA_PARTY)
#: characters of a body shown in a report
SHOWN = 600
_UNSET = object()


@dataclass(frozen=True)
class Parties:
    """Who calls whom through whom: the party headers of every call of the run."""

    from_party: str
    to_party: str
    via_party: str
    #: X-VUM-SUWIparty (facility -> source calls only; None leaves it out)
    suwi: bool | None = None

    def headers(self) -> dict[str, str]:
        out = {
            BERICHT_VERSIE: KOPPELVLAK_VERSION,
            API_VERSION: KOPPELVLAK_VERSION,
            FROM_PARTY: self.from_party,
            TO_PARTY: self.to_party,
            VIA_PARTY: self.via_party,
        }
        if self.suwi is not None:
            out[SUWI_PARTY] = "true" if self.suwi else "false"
        return out


@dataclass(frozen=True)
class Tls:
    """Client certificate and key (mTLS) and the CA bundle that verifies the server."""

    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None

    def verify(self) -> ssl.SSLContext | bool:
        if self.cert is None and self.ca is None:
            return True
        context = ssl.create_default_context(cafile=str(self.ca) if self.ca else None)
        if self.cert is not None:
            context.load_cert_chain(str(self.cert), str(self.key) if self.key else None)
        return context


def api_base(url: str) -> str:
    """The base of the operations: ``url`` itself when it has a path, else ``url`` + ``/api/v3``."""
    url = url.rstrip("/")
    return url if urlsplit(url).path not in ("", "/") else url + "/api/v3"


def _truncate(text: str, limit: int = SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} tekens)"


@dataclass
class Exchange:
    """One request and its answer (or the transport error instead of an answer)."""

    label: str
    method: str
    path: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    seconds: float = 0.0
    error: str | None = None
    _json: Any = field(default=_UNSET, repr=False)

    def header(self, name: str) -> str | None:
        return self.response_headers.get(name.lower())

    def json(self) -> Any:
        """The answer's JSON; raises ValueError when it is not JSON."""
        if self._json is _UNSET:
            self._json = json.loads(self.response_body)
        return self._json

    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def describe(self) -> dict[str, Any]:
        """The exchange for a report: request and answer, bodies truncated."""
        request: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "headers": self.request_headers,
        }
        if self.request_body is not None:
            request["body"] = _truncate(self.request_body.decode("utf-8", "replace"))
        response: dict[str, Any]
        if self.error is not None:
            response = {"error": self.error}
        else:
            response = {
                "status": self.status,
                "headers": {k: v for k, v in self.response_headers.items() if _shown_header(k)},
                "body": _truncate(self.response_body.decode("utf-8", "replace")),
                "ms": round(self.seconds * 1000, 1),
            }
        return {"label": self.label, "request": request, "response": response}


def _shown_header(name: str) -> bool:
    return name.startswith("x-vum") or name in ("api-version", "content-type")


class Runner:
    """Sends the battery's requests one by one and keeps every exchange."""

    def __init__(
        self,
        url: str,
        *,
        tls: Tls | None = None,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base = api_base(url)
        self.tls = tls or Tls()
        self.timeout_s = timeout_s
        self._transport = transport
        self._clients: dict[Tls, httpx.Client] = {}
        self.exchanges: list[Exchange] = []

    def client(self, tls: Tls | None = None) -> httpx.Client:
        tls = tls or self.tls
        if tls not in self._clients:
            self._clients[tls] = httpx.Client(
                verify=tls.verify(),
                timeout=self.timeout_s,
                transport=self._transport,
                follow_redirects=False,
            )
        return self._clients[tls]

    def send(
        self,
        label: str,
        method: str,
        path: str,
        headers: dict[str, str],
        *,
        body: Any = None,
        raw: bytes | None = None,
        tls: Tls | None = None,
    ) -> Exchange:
        """One request: ``body`` is sent as JSON, ``raw`` verbatim (both with application/json)."""
        content = raw if raw is not None else None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode()
        sent = dict(headers)
        if content is not None:
            sent["Content-Type"] = "application/json"
        exchange = Exchange(label, method, path, sent, content)
        started = time.perf_counter()
        try:
            response = self.client(tls).request(
                method, self.base + path, headers=sent, content=content
            )
            exchange.status = response.status_code
            exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
            exchange.response_body = response.content
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
        exchange.seconds = time.perf_counter() - started
        self.exchanges.append(exchange)
        return exchange

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
