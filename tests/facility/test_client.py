# SPDX-License-Identifier: EUPL-1.2
"""SourceClient against hand-written HTTP/1.1 answers on loopback: requests, pooling, bodies, TLS."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from types import TracebackType
from typing import Any, TypeVar

import pytest

from tests.facility.certs import Pki, make_pki
from vum.facility.client import SourceCallError, SourceClient, SourceResponse

T = TypeVar("T")
CAP = 4096  # max_body_bytes for the tests on limits


class Conn:
    """One accepted connection: the requests read from it, and whether the client has left."""

    def __init__(
        self, index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.index = index
        self.reader = reader
        self.writer = writer
        self.requests: list[bytes] = []
        self.left = asyncio.Event()  # the client closed its side

    async def request(self) -> bytes | None:
        """The next request (head and Content-Length body), or None once the client has left."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = sum(
                int(line.partition(b":")[2])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            request = head + await self.reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.left.set()
            return None
        self.requests.append(request)
        return request

    async def send(self, *parts: bytes, pause_s: float = 0.0) -> None:
        """Writes ``parts`` one by one, so the client reads them as separate pieces."""
        for part in parts:
            self.writer.write(part)
            await self.writer.drain()
            if pause_s:
                await asyncio.sleep(pause_s)

    async def rest(self) -> bytes:
        """Everything the client still sends, until it closes the connection."""
        try:
            return await self.reader.read()
        except ConnectionError:
            return b""
        finally:
            self.left.set()


Handler = Callable[[Conn], Awaitable[None]]


class Server:
    """``asyncio.start_server`` on 127.0.0.1 running ``handler`` per connection, and counting."""

    def __init__(self, handler: Handler, context: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.context = context
        self.conns: list[Conn] = []
        self.open = 0
        self.most_open = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"{'https' if self.context else 'http'}://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = Conn(len(self.conns), reader, writer)
        self.conns.append(conn)
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            # Cancelled at the end of a test: a normal end, so asyncio logs no error for it.
            with suppress(ConnectionError, asyncio.CancelledError):
                await self.handler(conn)
        finally:
            self.open -= 1
            writer.close()
            with suppress(Exception):
                await writer.wait_closed()

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.context)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


@asynccontextmanager
async def serving(
    handler: Handler, tls: ssl.SSLContext | None = None, **settings: Any
) -> AsyncIterator[tuple[Server, SourceClient]]:
    """A server running ``handler`` and a client made with ``settings``, closed in that order."""
    async with Server(handler, tls) as server, SourceClient(**settings) as client:
        yield server, client


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def answer(
    body: bytes = b"ok", *headers: str, status: str = "200 OK", framing: str = "length"
) -> bytes:
    """A whole answer; ``framing`` is ``length``, ``chunked`` (1000-byte chunks) or ``eof``."""
    lines = [f"HTTP/1.1 {status}", *headers]
    if framing == "length":
        lines.append(f"Content-Length: {len(body)}")
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def path_of(request: bytes) -> bytes:
    return request.split(b" ", 2)[1]


async def keep_answering(conn: Conn) -> None:
    """Answers every request on the connection with its own path, keeping the connection open."""
    while (request := await conn.request()) is not None:
        await conn.send(answer(path_of(request)))


async def hang(conn: Conn) -> None:
    """Reads the request and never answers."""
    await conn.request()
    await conn.rest()


async def close_unanswered(conn: Conn) -> None:
    """Reads the request and closes the connection without a byte of answer."""
    await conn.request()


def single(data: bytes) -> Handler:
    """Answers one request with ``data`` and then waits for the client to close."""

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(data)
        await conn.rest()

    return handler


def first_conn(handler: Handler, then: Handler = keep_answering) -> Handler:
    """``handler`` on the first connection, ``then`` on every later one."""

    async def dispatch(conn: Conn) -> None:
        await (handler if conn.index == 0 else then)(conn)

    return dispatch


async def refused(call: Awaitable[SourceResponse]) -> SourceCallError:
    with pytest.raises(SourceCallError) as info:
        await call
    return info.value


async def get(client: SourceClient, url: str, timeout_s: float = 5.0) -> SourceResponse:
    return await client.get(url, {}, timeout_s)


def split_request(request: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    """(request line, headers as (name, value), body) of one raw request."""
    head, _, body = request.partition(b"\r\n\r\n")
    line, *fields = head.split(b"\r\n")
    return line, [(name, value) for name, _, value in (f.partition(b": ") for f in fields)], body


# -- the request on the wire and the Content-Length answer -------------------------------------


def test_post_sends_exactly_the_request_line_headers_and_body() -> None:
    seen: list[bytes] = []

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(answer(b'{"matches": []}', "Content-Type: application/json"))
        seen.append(await conn.rest())

    async def go() -> SourceResponse:
        async with serving(handler) as (server, client):
            url = f"{server.url}/api/v3/werkzoekenden/matches?a=1&b=x%20y"
            headers = {"Accept": "application/json", "X-Trace": "4bf92f35"}
            response = await client.post(url, b'{"vraag": 1}', headers, 5.0)
            await client.aclose()
            await asyncio.wait_for(server.conns[0].left.wait(), 2)
            line, fields, body = split_request(server.conns[0].requests[0])
            assert line == b"POST /api/v3/werkzoekenden/matches?a=1&b=x%20y HTTP/1.1"
            assert fields == [
                (b"Host", server.url.removeprefix("http://").encode()),
                (b"Accept", b"application/json"),
                (b"X-Trace", b"4bf92f35"),
                (b"Content-Type", b"application/json"),
                (b"Content-Length", b"12"),
            ]
            assert body == b'{"vraag": 1}'
            return response

    response = run(go())
    assert response == SourceResponse(200, b'{"matches": []}')
    assert seen == [b""]  # nothing after the body


def test_get_sends_no_body_and_no_content_headers() -> None:
    seen: list[bytes] = []

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(answer(b"detail"))
        seen.append(await conn.rest())

    async def go() -> tuple[SourceResponse, bytes, str]:
        async with serving(handler) as (server, client):
            response = await client.get(f"{server.url}/r/1?x=2", {"Accept": "*/*"}, 5.0)
            await client.aclose()
            await asyncio.wait_for(server.conns[0].left.wait(), 2)
            return response, server.conns[0].requests[0], server.url

    response, request, url = run(go())
    assert response == SourceResponse(200, b"detail")
    host = url.removeprefix("http://").encode()
    assert request == b"GET /r/1?x=2 HTTP/1.1\r\nHost: " + host + b"\r\nAccept: */*\r\n\r\n"
    assert seen == [b""]


# -- keep-alive ----------------------------------------------------------------------------------


def test_calls_in_a_row_reuse_one_connection() -> None:
    async def go() -> None:
        async with serving(keep_answering) as (server, client):
            for i in range(3):
                assert (await get(client, f"{server.url}/{i}")).body == f"/{i}".encode()
            assert len(server.conns) == 1
            assert [path_of(r) for r in server.conns[0].requests] == [b"/0", b"/1", b"/2"]

    run(go())


def test_connection_close_answer_makes_the_next_call_open_a_new_connection() -> None:
    async def handler(conn: Conn) -> None:
        if (request := await conn.request()) is not None:
            await conn.send(answer(path_of(request), "Connection: close"))
            await conn.rest()

    async def go() -> None:
        async with serving(handler) as (server, client):
            assert (await get(client, f"{server.url}/a")).body == b"/a"
            assert (await get(client, f"{server.url}/b")).body == b"/b"
            assert len(server.conns) == 2
            assert [len(c.requests) for c in server.conns] == [1, 1]

    run(go())


# -- bodies: chunked, until EOF, compressed ------------------------------------------------------


def test_chunked_answer_is_assembled_and_the_connection_kept() -> None:
    async def handler(conn: Conn) -> None:
        while await conn.request() is not None:
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            chunks = (b"5\r\nhello\r\n", b"6\r\n wor", b"ld\r\n", b"1;ext=1\r\n!\r\n", b"0\r\n\r\n")
            await conn.send(head, *chunks, pause_s=0.01)

    async def go() -> None:
        async with serving(handler) as (server, client):
            for _ in range(2):
                assert await get(client, server.url) == SourceResponse(200, b"hello world!")
            assert len(server.conns) == 1

    run(go())


def test_answer_without_length_is_read_until_the_server_closes() -> None:
    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\n\r\n", b"first part, ", b"second part", pause_s=0.05)

    async def go() -> None:
        async with serving(handler) as (server, client):
            for _ in range(2):
                response = await get(client, server.url)
                assert response == SourceResponse(200, b"first part, second part")
            assert len(server.conns) == 2

    run(go())


BODY = b'{"matches": [' + b'{"naam": "Jansen", "score": 0.5},' * 300 + b"{}]}"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("x-gzip", gzip.compress), ("deflate", zlib.compress)],
)
@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_compressed_answer_is_inflated(
    encoding: str, compress: Callable[[bytes], bytes], framing: str
) -> None:
    compressed = compress(BODY)

    async def handler(conn: Conn) -> None:
        while await conn.request() is not None:
            await conn.send(answer(compressed, f"Content-Encoding: {encoding}", framing=framing))

    async def go() -> None:
        async with serving(handler) as (server, client):
            for _ in range(2):  # the decoder is per answer
                assert await get(client, server.url) == SourceResponse(200, BODY)

    assert len(compressed) < len(BODY) // 10
    run(go())


@pytest.mark.parametrize(("size", "kind"), [(CAP, None), (CAP + 1, "too_large")])
def test_inflated_size_counts_against_the_cap(size: int, kind: str | None) -> None:
    compressed = gzip.compress(b"0" * size)

    async def go() -> None:
        handler = first_conn(single(answer(compressed, "Content-Encoding: gzip")))
        async with serving(handler, max_body_bytes=CAP) as (server, client):
            if kind is None:
                assert await get(client, server.url) == SourceResponse(200, b"0" * size)
            else:
                assert (await refused(get(client, server.url))).kind == kind

    assert len(compressed) < CAP // 10
    run(go())


def test_gzip_bomb_is_too_large_without_being_inflated_whole() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)

    async def go() -> int:
        handler = first_conn(single(answer(bomb, "Content-Encoding: gzip")))
        async with serving(handler, max_body_bytes=100_000) as (server, client):
            tracemalloc.start()
            try:
                assert (await refused(get(client, server.url))).kind == "too_large"
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert (await get(client, f"{server.url}/next")).body == b"/next"
            return peak

    assert len(bomb) < 100_000
    assert run(go()) < 5_000_000  # the 50 MB never exist in memory


@pytest.mark.parametrize(
    "header", ["Content-Encoding: br", "Content-Encoding: gzip, br", "Content-Encoding: zstd"]
)
def test_unknown_content_encoding_fails(header: str) -> None:
    async def go() -> None:
        async with serving(first_conn(single(answer(BODY, header)))) as (server, client):
            assert (await refused(get(client, server.url))).kind == "failed"
            assert (await get(client, f"{server.url}/next")).body == b"/next"

    run(go())


def test_corrupt_gzip_fails() -> None:
    broken = b"\x1f\x8b\x08\x00garbage-not-deflate-data"

    async def go() -> None:
        handler = first_conn(single(answer(broken, "Content-Encoding: gzip")))
        async with serving(handler) as (server, client):
            assert (await refused(get(client, server.url))).kind == "failed"

    run(go())


# -- the body cap --------------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["length", "chunked", "eof"])
@pytest.mark.parametrize(("size", "kind"), [(CAP, None), (CAP + 1, "too_large")])
def test_body_cap_is_exact(framing: str, size: int, kind: str | None) -> None:
    body = b"x" * size

    async def handler(conn: Conn) -> None:
        await conn.request()
        await conn.send(answer(body, framing=framing))
        if framing != "eof":
            await conn.rest()

    async def go() -> None:
        async with serving(handler, max_body_bytes=CAP) as (server, client):
            if kind is None:
                assert await get(client, server.url) == SourceResponse(200, body)
            else:
                assert (await refused(get(client, server.url))).kind == kind

    run(go())


def test_content_length_above_the_cap_is_refused_without_reading_the_body() -> None:
    async def go() -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n"
        async with serving(first_conn(single(head)), max_body_bytes=CAP) as (server, client):
            # The body never comes: waiting for it would end in a timeout instead.
            assert (await refused(get(client, server.url, 3.0))).kind == "too_large"
            await asyncio.wait_for(server.conns[0].left.wait(), 2)  # dropped, not read
            assert (await get(client, f"{server.url}/next")).body == b"/next"
            assert len(server.conns) == 2

    run(go())


def test_chunked_body_growing_beyond_the_cap_is_too_large() -> None:
    sent: list[int] = []

    async def endless(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(1000):
            await conn.send(b"400\r\n" + b"y" * 1024 + b"\r\n", pause_s=0.001)
            sent.append(i)

    async def go() -> None:
        async with serving(first_conn(endless), max_body_bytes=CAP) as (server, client):
            assert (await refused(get(client, server.url))).kind == "too_large"
            assert (await get(client, f"{server.url}/next")).body == b"/next"
            assert len(server.conns) == 2

    run(go())
    assert len(sent) < 1000  # the client stopped reading; the server could not finish


# -- connections closed by the source ------------------------------------------------------------


def test_idle_connection_closed_by_the_source_is_not_used_again() -> None:
    async def answer_then_close(conn: Conn) -> None:
        if (request := await conn.request()) is not None:
            await conn.send(answer(path_of(request)))
            await asyncio.sleep(0.05)

    async def go() -> None:
        async with serving(answer_then_close) as (server, client):
            assert (await get(client, f"{server.url}/a")).body == b"/a"
            await asyncio.sleep(0.3)  # the source has closed the idle connection by now
            assert (await get(client, f"{server.url}/b")).body == b"/b"
            assert len(server.conns) == 2
            assert [len(c.requests) for c in server.conns] == [1, 1]

    run(go())


def reused_then(second: Handler) -> Handler:
    """Answers the first request on a connection, then hands the connection to ``second``."""

    async def handler(conn: Conn) -> None:
        if (request := await conn.request()) is not None:
            await conn.send(answer(path_of(request)))
            await second(conn)

    return handler


def test_reused_connection_closed_before_the_answer_is_retried_once_on_a_fresh_one() -> None:
    async def go() -> None:
        async with serving(first_conn(reused_then(close_unanswered))) as (server, client):
            assert (await get(client, f"{server.url}/a")).body == b"/a"
            assert (await client.post(f"{server.url}/b", b"{}", {}, 5.0)).body == b"/b"
            assert len(server.conns) == 2
            assert [path_of(r) for r in server.conns[0].requests] == [b"/a", b"/b"]
            assert [path_of(r) for r in server.conns[1].requests] == [b"/b"]

    run(go())


def test_retry_that_is_closed_again_fails_without_another_retry() -> None:
    async def go() -> None:
        handler = first_conn(reused_then(close_unanswered), close_unanswered)
        async with serving(handler) as (server, client):
            assert (await get(client, f"{server.url}/a")).body == b"/a"
            assert (await refused(get(client, f"{server.url}/b"))).kind == "failed"
            await asyncio.sleep(0.1)
            assert len(server.conns) == 2
            assert [len(c.requests) for c in server.conns] == [2, 1]

    run(go())


def test_fresh_connection_closed_without_answer_fails_without_retry() -> None:
    async def go() -> None:
        async with serving(close_unanswered) as (server, client):
            assert (await refused(get(client, server.url))).kind == "failed"
            await asyncio.sleep(0.1)
            assert len(server.conns) == 1
            assert len(server.conns[0].requests) == 1

    run(go())


def test_reused_connection_closed_after_part_of_the_answer_is_not_retried() -> None:
    async def partial_then_close(conn: Conn) -> None:
        await conn.request()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")

    async def go() -> None:
        async with serving(reused_then(partial_then_close)) as (server, client):
            assert (await get(client, f"{server.url}/a")).body == b"/a"
            assert (await refused(get(client, f"{server.url}/b"))).kind == "failed"
            await asyncio.sleep(0.1)
            assert len(server.conns) == 1

    run(go())


# -- timeouts ------------------------------------------------------------------------------------


def test_source_that_never_answers_times_out_and_its_connection_is_not_reused() -> None:
    async def go() -> float:
        async with serving(first_conn(hang)) as (server, client):
            started = time.monotonic()
            error = await refused(get(client, f"{server.url}/slow", 0.5))
            elapsed = time.monotonic() - started
            assert error.kind == "timeout"
            assert (await get(client, f"{server.url}/next")).body == b"/next"
            assert len(server.conns) == 2
            assert [len(c.requests) for c in server.conns] == [1, 1]
            return elapsed

    elapsed = run(go())
    assert 0.4 <= elapsed < 0.9


def test_timed_out_call_closes_its_connection_and_frees_its_slot() -> None:
    async def go() -> None:
        async with serving(first_conn(hang), per_source_connections=1) as (server, client):
            assert (await refused(get(client, server.url, 0.3))).kind == "timeout"
            await asyncio.wait_for(server.conns[0].left.wait(), 1)
            assert (await get(client, f"{server.url}/next", 1.0)).body == b"/next"

    run(go())


# -- per-source connection limit -----------------------------------------------------------------


def test_concurrent_calls_share_at_most_the_allowed_connections() -> None:
    async def slow_answers(conn: Conn) -> None:
        while (request := await conn.request()) is not None:
            await asyncio.sleep(0.05)
            await conn.send(answer(path_of(request)))

    async def go() -> None:
        async with serving(slow_answers, per_source_connections=2) as (server, client):
            urls = [f"{server.url}/{i}" for i in range(8)]
            responses = await asyncio.gather(*(get(client, u) for u in urls))
            assert [r.body for r in responses] == [f"/{i}".encode() for i in range(8)]
            assert server.most_open == 2
            assert len(server.conns) == 2
            assert sum(len(c.requests) for c in server.conns) == 8

    run(go())


def test_waiting_calls_go_ahead_when_a_connection_is_closed() -> None:
    async def close_after_answer(conn: Conn) -> None:
        if (request := await conn.request()) is not None:
            await asyncio.sleep(0.02)
            await conn.send(answer(path_of(request), "Connection: close"))

    async def go() -> None:
        async with serving(close_after_answer, per_source_connections=2) as (server, client):
            urls = [f"{server.url}/{i}" for i in range(6)]
            responses = await asyncio.gather(*(get(client, u, 3.0) for u in urls))
            assert [r.body for r in responses] == [f"/{i}".encode() for i in range(6)]
            assert len(server.conns) == 6

    run(go())


# -- refused requests and bad answers ------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Trace": "a\r\nX-Injected: 1"},
        {"X-Trace": "a\nX-Injected: 1"},
        {"X-Trace": "a\rX-Injected: 1"},
        {"X-Trace\r\nX-Injected": "1"},
        {"X-Injected: 1\r\nX-Trace": "a"},
    ],
)
def test_header_with_a_line_break_is_refused_and_nothing_is_sent(headers: dict[str, str]) -> None:
    async def go() -> None:
        async with serving(keep_answering) as (server, client):
            error = await refused(client.post(server.url, b"{}", headers, 5.0))
            assert error.kind == "failed"
            await asyncio.sleep(0.05)
            assert server.conns == []

    run(go())


@pytest.mark.parametrize(
    "garbage",
    [b"SSH-2.0-OpenSSH_9.6\r\n", b"<html>hallo</html>\r\n\r\n", b"HTTP/1.1 abc\r\n\r\n"],
)
def test_garbage_answer_fails(garbage: bytes) -> None:
    async def go() -> None:
        async with serving(first_conn(single(garbage))) as (server, client):
            assert (await refused(get(client, server.url))).kind == "failed"
            await asyncio.wait_for(server.conns[0].left.wait(), 2)
            assert (await get(client, f"{server.url}/next")).body == b"/next"

    run(go())


def test_error_status_is_an_answer_not_an_exception() -> None:
    async def go() -> None:
        data = answer(b'{"code": "500.1"}', status="500 Internal Server Error")
        async with serving(single(data)) as (server, client):
            assert await get(client, server.url) == SourceResponse(500, b'{"code": "500.1"}')

    run(go())


def test_unrequested_bytes_after_an_answer_do_not_leak_into_the_next_answer() -> None:
    async def answer_with_tail(conn: Conn) -> None:
        await conn.request()
        # One write: the answer plus the start of an answer nobody asked for.
        await conn.send(answer(b"first") + b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")
        await keep_answering(conn)

    async def go() -> None:
        async with serving(first_conn(answer_with_tail)) as (server, client):
            assert (await get(client, f"{server.url}/a")).body == b"first"
            assert (await get(client, f"{server.url}/b", 2.0)).body == b"/b"

    run(go())


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"), "bron")


@pytest.fixture(scope="module")
def rogue(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("rogue"), "rogue")


def server_context(pki: Pki) -> ssl.SSLContext:
    cert, key = pki.server()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_https_call_to_a_trusted_source(pki: Pki) -> None:
    async def go() -> None:
        tls, trust = server_context(pki), pki.client_context()
        async with serving(keep_answering, tls, ssl_context=trust) as (server, client):
            assert server.url.startswith("https://")
            assert (await get(client, f"{server.url}/a")).body == b"/a"
            assert (await client.post(f"{server.url}/b", b"{}", {}, 5.0)).body == b"/b"
            assert len(server.conns) == 1

    run(go())


def test_https_call_to_an_untrusted_source_fails(pki: Pki, rogue: Pki) -> None:
    async def go() -> None:
        tls, trust = server_context(pki), rogue.client_context()
        async with serving(keep_answering, tls, ssl_context=trust) as (server, client):
            assert (await refused(get(client, server.url))).kind == "failed"
            assert server.conns == []

    run(go())
