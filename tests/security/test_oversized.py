# SPDX-License-Identifier: EUPL-1.2
"""Oversized and deeply nested bodies: refused within the limits, read no further than the limit, never a 500.

A streamed body (``Transfer-Encoding: chunked``, no length to check up front) is sent over a raw
socket chunk by chunk: the server must answer while the client is still sending, long before
100 MB have gone over the wire.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.api.http import live_server
from tests.security.tally import count
from tests.security.world import PARTY_A, QUERY, World
from vum.api import SourceSettings, create_source_app
from vum.sources.errors import SourcesError
from vum.standard import Kind

MiB = 1 << 20
STREAM_TOTAL = 100 * MiB
W = Kind.WERKZOEKENDE


def stream_until_answered(
    url: str, path: str, headers: dict[str, str], total: int = STREAM_TOTAL
) -> tuple[int, int]:
    """POST/PUT a chunked body of ``total`` bytes; (HTTP status, bytes sent when it came)."""
    parts = urlsplit(url)
    method = "PUT" if path.startswith("/admin/v1/datasets") else "POST"
    head = f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTransfer-Encoding: chunked\r\n"
    head += "Content-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    payload = b"[" + b'"aaaaaaaaaaaaaa",' * 4096  # ~70 KB of a JSON array that never closes
    frame = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode())
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(payload)
        answer = b""
        deadline = time.monotonic() + 15
        while b"\r\n" not in answer and time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 "), (sent, answer[:200])
    return int(answer.split(b" ", 2)[1]), sent


def test_a_streamed_query_is_cut_at_1_mib_by_the_facility(world: World) -> None:
    status, sent = stream_until_answered(
        world.facility_url, f"/api/v3/{W.resource}/matches", world.facility_headers()
    )
    count("oversized: streamed 100 MB bodies")
    assert status == 400
    assert sent < 16 * MiB, f"the facility let {sent} bytes in before answering"


def test_a_streamed_query_is_cut_at_1_mib_by_the_source(world: World) -> None:
    status, sent = stream_until_answered(
        world.source_url, f"/api/v3/{W.resource}/matches", world.source_headers()
    )
    count("oversized: streamed 100 MB bodies")
    assert status == 400
    assert sent < 16 * MiB, f"the source let {sent} bytes in before answering"


@pytest.fixture(scope="module")
def small_import_url(world: World) -> Iterator[str]:
    """The hosted source with a 2 MiB import limit (the default 200 MB is too much to stream)."""
    app = create_source_app(
        world.hosted,
        settings=SourceSettings(max_import_bytes=2 * MiB, warm_up=False),
    )
    with live_server(app) as url:
        yield url


def test_a_streamed_import_is_cut_at_its_limit(world: World, small_import_url: str) -> None:
    headers = {"Authorization": f"Bearer {world.tokens['A']}"}
    before = world.live_version(PARTY_A, W)
    status, sent = stream_until_answered(
        small_import_url, f"/admin/v1/datasets/{PARTY_A}/{W.value}", headers
    )
    count("oversized: streamed 100 MB bodies")
    assert status == 413
    assert sent < 16 * MiB
    assert world.live_version(PARTY_A, W) == before


def test_an_anonymous_import_is_refused_before_its_body_is_read(
    world: World, small_import_url: str
) -> None:
    status, sent = stream_until_answered(
        small_import_url, f"/admin/v1/datasets/{PARTY_A}/{W.value}", {}
    )
    count("oversized: streamed 100 MB bodies")
    assert status == 401 and sent < 16 * MiB


@pytest.mark.parametrize("app", ["source", "facility"])
def test_a_declared_length_over_the_limit_is_refused_unread(world: World, app: str) -> None:
    url, headers = (
        (world.source_url, world.source_headers())
        if app == "source"
        else (world.facility_url, world.facility_headers())
    )
    body = json.dumps({"vraagObject": {**QUERY, "x": "a" * (MiB + 10)}}).encode()
    response = world.http.post(f"{url}/api/v3/{W.resource}/matches", content=body, headers=headers)
    count("oversized: bodies just over the limit")
    assert response.status_code == 400
    assert response.json()["code"] == "400.01" and "te groot" in response.json()["message"]


def _nested(depth: int, leaf: str = "1") -> str:
    return '{"a": ' * depth + leaf + "}" * depth


NESTINGS = {
    "body-array": "[" * 10_000 + "]" * 10_000,
    "body-object": _nested(10_000),
    "vraagObject": '{"vraagObject": ' + _nested(10_000) + "}",
    "unknown-member": '{"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 5}, '
    '"x": ' + _nested(10_000) + "}}",
    "text-search": '{"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 5}, '
    '"$text": {"$search": ' + "[" * 10_000 + "]" * 10_000 + "}}}",
    # just under the JSON parser's own limit: reaches the query parser and the fan-out
    "unknown-member-150": '{"vraagObject": {"selectiegebied": {"postcode": "3511AB", '
    '"afstand": 5}, "x": ' + _nested(150) + "}}",
    "or-150": '{"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 5}, '
    '"contractvorm": ' + '{"$elemMatch": {"$or": [' * 70 + "1" + "]}}" * 70 + "}}",
}


@pytest.mark.parametrize("app", ["source", "facility"])
@pytest.mark.parametrize("name", list(NESTINGS))
def test_deeply_nested_json_is_a_400_or_ignored(world: World, app: str, name: str) -> None:
    url, headers = (
        (world.source_url, world.source_headers())
        if app == "source"
        else (world.facility_url, world.facility_headers())
    )
    response = world.http.post(
        f"{url}/api/v3/{W.resource}/matches",
        content=NESTINGS[name].encode(),
        headers=headers | {"Content-Type": "application/json"},
    )
    count("oversized: deeply nested bodies (x2 apps)")
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 400:
        assert response.json()["code"] in ("400.01", "400.02")
    else:
        assert name.startswith("unknown-member")  # an unknown member is ignored (forward compat.)


def test_a_deeply_nested_import_is_refused(world: World) -> None:
    for body in (NESTINGS["body-array"], "[" + NESTINGS["body-object"] + "]"):
        response = world.http.put(
            f"{world.source_url}/admin/v1/datasets/{PARTY_A}/{W.value}",
            content=body.encode(),
            headers={"Authorization": f"Bearer {world.tokens['A']}"},
        )
        count("oversized: deeply nested imports")
        assert response.status_code in (400, 422), response.text[:300]


@pytest.mark.parametrize("depth", [150, 2_000, 100_000])
def test_a_deeply_nested_json_file_is_refused_clearly(
    world: World, tmp_path: Path, depth: int
) -> None:
    """HostedSources.import_file (CLI, portal): a SourcesError, not a RecursionError."""
    path = tmp_path / "diep.json"
    path.write_text('[{"idVacature": "v1", "x": ' + "[" * depth + "]" * depth + "}]")
    with pytest.raises(SourcesError) as raised:
        world.hosted.import_file("00000001000000000098", Kind.VACATURE, path)
    count("oversized: deeply nested JSON files")
    assert "diep" in str(raised.value) or "/0/x" in str(raised.value)


@pytest.mark.parametrize("app", ["source", "facility"])
@pytest.mark.parametrize("size", [1_000, 20_000])
def test_huge_arrays_in_all_and_or(world: World, app: str, size: int) -> None:
    """As many elements as fit in 1 MiB: answered (or refused) within the deadline, no 500."""
    licences = [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}] * size
    occupations = [
        {"beroep.codeBeroepsnaam": {"$eq": f"https://x.example/{i}"}} for i in range(size)
    ]
    queries = [
        {**QUERY, "arbeidsmarktkwalificatie.rijbewijs": {"$all": licences}},
        {**QUERY, "bemiddelingsberoep": {"$elemMatch": {"$or": occupations}}},
        {**QUERY, "contractvorm": {"$in": ["B"] * size}},
        {**QUERY, "x-openvum": {"beroepen": [f"https://x.example/{i}" for i in range(size)]}},
    ]
    url, headers = (
        (world.source_url, world.source_headers())
        if app == "source"
        else (world.facility_url, world.facility_headers())
    )
    for query in queries:
        started = time.monotonic()
        response = world.http.post(
            f"{url}/api/v3/{W.resource}/matches", json={"vraagObject": query}, headers=headers
        )
        count("oversized: huge arrays in $all/$or/$in (x2 apps)")
        assert response.status_code in (200, 400), response.text[:300]
        assert time.monotonic() - started < 10  # VUM: an answer within 10 s
