# SPDX-License-Identifier: EUPL-1.2
"""`vum bench facility` end to end through CliRunner, and its parts: simulated sources, answer checks, queries."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import multiprocessing
import os
import re
import time
from typing import Any

import httpx
import pytest
from pydantic_core import to_json
from typer.testing import CliRunner

from vum.bench.cli import app
from vum.bench.facility import (
    RecentResultSets,
    child,
    mediator_queries,
    read_answer,
)
from vum.bench.facility_sources import (
    CannedSource,
    answer_body,
    canned_summaries,
    run_sources,
    source_delays,
)
from vum.facility.fanout import validate_answer
from vum.facility.service import ResultSet
from vum.standard.kinds import Kind
from vum.standard.query import parse_query

runner = CliRunner()
SMALL = ["--sources", "5", "--mediators", "3", "--seconds", "2", "--results-per-source", "10"]
PATH = "/api/v3/werkzoekendeProfielen/matches"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _assert_no_children(pids: list[int]) -> None:
    assert pids, "the benchmark named no child processes"
    assert all(_gone(pid) for pid in pids), pids
    assert multiprocessing.active_children() == []


def test_facility_bench_prints_figures_without_errors_and_stops_its_servers() -> None:
    result = runner.invoke(app, ["facility", *SMALL])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in (
        "Queries through the mediator API",
        "Where the facility's time goes",
        "The other processes",
    ):
        assert heading in out
    assert "ERRORS" not in out
    header = next(line for line in out.splitlines() if line.startswith("results/source  queries"))
    row = next(line for line in out.splitlines() if line.startswith("10 "))
    columns = dict(zip(re.split(r"\s{2,}", header), row.split(), strict=True))
    assert int(columns["queries"]) > 0
    assert columns["errors"] == "0"
    for figure in ("q/s", "p50", "p95", "p99", "overhead p50", "overhead p95", "facility CPU %"):
        assert float(columns[figure]) > 0, figure
    assert float(columns["RSS MB"]) > 0
    _assert_no_children([int(pid) for pid in re.findall(r"pid (\d+)", result.stderr)])


@pytest.mark.slow
def test_json_has_a_row_per_size_with_both_options_and_no_errors() -> None:
    args = ["facility", *SMALL, "--results-per-source", "20", "--workers", "2"]
    result = runner.invoke(app, [*args, "--no-breaker", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["config"]["breaker"] is False and report["config"]["workers"] == 2
    assert [row["results_per_source"] for row in report["rows"]] == [10, 20]
    for row in report["rows"]:
        assert row["errors"] == 0 and row["warmup_errors"] == 0
        assert row["queries"] > 0 and row["latency"]["p95_ms"] >= row["latency"]["p50_ms"] > 0
        # The slowest source waits 300 ms, so no complete answer comes sooner.
        assert row["latency"]["p50_ms"] >= 300
        assert row["overhead"]["calls"] == row["queries"]
        assert row["phases"]["phases"]["validate"]["calls"] == 5 * row["queries"]
        assert row["phases"]["phases"]["prepare"]["calls"] == 5 * row["queries"]
        assert row["phases"]["phases"]["merge"]["calls"] == row["queries"]
        assert row["phases"]["phases"]["serialise"]["calls"] == row["queries"]
        assert row["source_late_ms"]["answers"] == 5 * row["queries"]
        assert row["facility_cpu_pct"] > 0 and row["facility_rss_mb"] > 0
    assert report["failures"] == []
    _assert_no_children([pid for row in report["rows"] for pid in row["pids"]])


def test_help_names_the_facility_command() -> None:
    result = runner.invoke(app, ["facility", "--help"])
    assert result.exit_code == 0
    for option in ("--sources", "--mediators", "--seconds", "--workers", "--json"):
        assert option in result.stdout, option


def test_delays_spread_evenly_from_5_to_300_ms() -> None:
    delays = source_delays(30)
    assert delays[0] == pytest.approx(0.005) and delays[-1] == pytest.approx(0.300)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(delays)}
    assert steps == {round(0.295 / 29, 9)}
    assert source_delays(1) == [pytest.approx(0.300)]


def test_simulated_sources_answer_valid_summaries_after_their_delay() -> None:
    summaries = canned_summaries(Kind.WERKZOEKENDE, 6, seed=3)
    delays = source_delays(3)
    canned = [
        CannedSource(i, delay, answer_body(summaries[2 * i : 2 * i + 2]), PATH)
        for i, delay in enumerate(delays)
    ]
    with child("test-sources", run_sources, canned) as sources:
        ports = sources.receive()
        with httpx.Client(timeout=10) as client:
            for port, delay in zip(ports, delays, strict=True):
                url = f"http://127.0.0.1:{port}{PATH}"
                client.post(url, json={"vraagObject": {}})  # opens the connection
                started = time.perf_counter()
                response = client.post(url, json={"vraagObject": {"x": 1}})
                elapsed = time.perf_counter() - started
                assert response.status_code == 200
                # Never early; late by at most a loaded machine's scheduling.
                assert delay - 0.002 <= elapsed < delay + 0.25
                valid, more, invalid = validate_answer(Kind.WERKZOEKENDE, response.content)
                assert (len(valid), more, invalid) == (2, False, 0)
            assert client.post(f"http://127.0.0.1:{ports[0]}/elders", json={}).status_code == 404
        stats = sources.call("stats")
        pid = sources.pid
    assert [s["answers"] for s in stats] == [2, 2, 2]
    # uvloop's timers tick in whole milliseconds: an answer may leave up to 1 ms early.
    assert all(late >= -1.0 for s in stats for late in s["late_ms"])
    _assert_no_children([pid])


def _answer(per_source: int, statuses: list[str], vumids: int) -> bytes:
    body: dict[str, Any] = {
        "maximumAantalResultatenBereikt": False,
        "vraagID": "v",
        "matches": [{"vumID": f"k.{i}"} for i in range(vumids)],
        "x-openvum-ranking": [],
        "x-openvum-bronnen": [
            {"oin": str(i), "status": s, "ms": 10.0 * (i + 1), "aantal": per_source, "ongeldig": 0}
            for i, s in enumerate(statuses)
        ],
    }
    return to_json(body)


def test_read_answer_takes_the_slowest_source_and_finds_incomplete_answers() -> None:
    assert read_answer(_answer(2, ["answered"] * 3, 6), 3, 2) == (None, 30.0)
    assert read_answer(_answer(2, ["answered"] * 3, 6), 3, 2, full=True) == (None, 30.0)
    assert read_answer(_answer(2, ["answered", "timeout", "suspended"], 2), 3, 2)[0] == (
        "sources suspended/timeout"
    )
    assert read_answer(_answer(2, ["answered"] * 3, 5), 3, 2)[0] == "merged answer incomplete"
    assert read_answer(_answer(2, ["answered"] * 2, 4), 3, 2)[0] == (
        "answer without a report per source"
    )


def test_mediator_queries_are_valid_and_vary_centre_and_radius() -> None:
    queries = mediator_queries(canned_summaries(Kind.WERKZOEKENDE, 20, seed=1), count=40)
    for query in queries:
        parse_query(Kind.WERKZOEKENDE, query)
    assert len({q["selectiegebied"]["postcode"] for q in queries}) == 20
    assert len({q["selectiegebied"]["afstand"] for q in queries}) == 5
    assert sum("bemiddelingsberoep" in q for q in queries) == 30


def test_recent_result_sets_keep_only_the_last() -> None:
    sets = RecentResultSets(keep=2)
    now = dt.datetime.now(dt.UTC)
    for name in ("a", "b", "c"):
        sets.save(ResultSet(name, Kind.WERKZOEKENDE, "p", now))
    assert sets.get("a") is None and sets.get("c") is not None
    assert sets.use_detail("c", 1) == 1 and sets.use_detail("c", 1) is None
    assert sets.purge(now + dt.timedelta(seconds=1)) == 2


def test_a_mediator_reports_refusals_and_unreachable_facilities_as_errors() -> None:
    # The mediators' HTTP client: what the facility sends, and a facility that is not there.
    import asyncio
    import socket

    from vum.bench.facility import Mediator

    seen: list[bytes] = []

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def main() -> tuple[Any, Any]:
        server = await asyncio.start_server(refuse, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        queries = mediator_queries(canned_summaries(Kind.WERKZOEKENDE, 5, seed=1), count=3)
        mediator = Mediator(0, f"http://127.0.0.1:{port}", queries)
        refused = await mediator.ask(5, 10)
        await mediator.aclose()
        server.close()
        await server.wait_closed()
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            closed_port = free.getsockname()[1]
        gone = Mediator(1, f"http://127.0.0.1:{closed_port}", queries)
        unreachable = await gone.ask(5, 10)
        await gone.aclose()
        return refused, unreachable

    refused, unreachable = asyncio.run(main())
    assert refused.error == "HTTP 503" and refused.slowest_source_ms is None
    head = seen[0].decode("latin-1").lower()
    assert head.startswith("post /api/v3/werkzoekendeprofielen/matches http/1.1")
    assert head.count("content-type: application/json") == 1
    assert "x-vum-fromparty:" in head and "x-openvum-explain: bronnen" in head
    assert unreachable.error is not None and unreachable.error.startswith("failed")
