# SPDX-License-Identifier: EUPL-1.2
"""The facility's HTTP client to the sources: kept-alive connections per source, mTLS, capped bodies.

Built on aiohttp rather than httpx: a fan-out sends one request per source per query, and on this
path aiohttp costs about a fifth of the CPU per request (measured with `vum bench facility`:
httpx/httpcore rescans its whole pool for every queued request and goes through anyio on every
read). Each source host gets its own small pool, so connections to a slow source never starve a
fast one and idle connections are kept for the next query.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

import aiohttp

#: A hundred full summaries are well under a megabyte; anything far larger is refused unread.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Connections kept per source host: one per concurrent query to it.
PER_SOURCE_CONNECTIONS = 32
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class SourceResponse:
    """A source's answer: status and the whole body (already capped)."""

    status: int
    body: bytes


class SourceCallError(Exception):
    """A call that produced no answer: ``timeout``, ``failed`` (network, protocol) or ``too_large``."""

    def __init__(self, kind: Literal["timeout", "failed", "too_large"], message: str) -> None:
        super().__init__(message)
        self.kind: Literal["timeout", "failed", "too_large"] = kind
        self.message = message


class SourceClient:
    """Pooled HTTP/1.1 keep-alive calls to sources; one instance per facility process.

    The aiohttp session is made on first use, inside the running event loop that will use it.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        per_source_connections: int = PER_SOURCE_CONNECTIONS,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._per_source = per_source_connections
        self.max_body_bytes = max_body_bytes
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0,  # no overall cap: the per-host cap bounds each source
                limit_per_host=self._per_source,
                ssl=self._ssl,
                keepalive_timeout=30.0,
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Never take proxies or credentials from the environment: sources are configured.
                trust_env=False,
                auto_decompress=True,
                raise_for_status=False,
                # No User-Agent/cookies beyond what the contract needs.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float
    ) -> SourceResponse:
        """POST a JSON body; the answer's status and (capped) body."""
        return await self._call("POST", url, body, headers, timeout_s)

    async def get(self, url: str, headers: Mapping[str, str], timeout_s: float) -> SourceResponse:
        """GET; the answer's status and (capped) body."""
        return await self._call("GET", url, None, headers, timeout_s)

    async def _call(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout_s: float,
    ) -> SourceResponse:
        session = self._open()
        sent = dict(headers)
        if body is not None:
            sent["Content-Type"] = "application/json"
        timeout = aiohttp.ClientTimeout(total=max(timeout_s, 0.001))
        try:
            async with session.request(
                method, url, data=body, headers=sent, timeout=timeout, allow_redirects=False
            ) as response:
                return SourceResponse(response.status, await self._read(response))
        except TimeoutError:
            raise SourceCallError("timeout", f"geen antwoord binnen {timeout_s:.1f} s") from None
        except aiohttp.ClientError as exc:
            raise SourceCallError("failed", f"{type(exc).__name__}: {exc}") from None

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_body_bytes:
            raise SourceCallError("too_large", f"antwoord te groot ({declared} bytes)")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > self.max_body_bytes:
                # Closing (not releasing) drops the connection: the rest is never read.
                response.close()
                raise SourceCallError(
                    "too_large", f"antwoord groter dan {self.max_body_bytes} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            # aiohttp: give the transports a moment to close before the loop does.
            await asyncio.sleep(0)
        self._session = None

    async def __aenter__(self) -> SourceClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
