# SPDX-License-Identifier: EUPL-1.2
"""One real facility process in front of real loopback sources, each faulty in one way: it always answers in time with the good data."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import pytest
from typer.testing import CliRunner

from tests.facility.servers import serve, source_app
from tests.faults.procs import (
    PROFILES,
    QUERY,
    FacilityProcess,
    ResetServer,
    SourceConfig,
    drip_app,
    facility_process,
    huge_app,
    matching_ids,
    mediator_headers,
    metric_samples,
    mixed_app,
    rss_kb,
)
from vum.facility.cli import audit_app
from vum.facility.client import SourceClient, SourceResponse
from vum.facility.fanout import SourceEndpoint, fan_out
from vum.standard import Kind
from vum.store import AuditRow, Store
from vum.synthetic import generate

#: Scaled down from the pilots' 4 s per source and 10 s per query, to keep the suite quick.
SOURCE_TIMEOUT_S = 1.0
DEADLINE_S = 2.5
#: What the facility may add to its deadline: merging, the result set and the audit record
#: (on disk before the answer leaves) on a busy two-core machine.
MARGIN_S = 1.5
#: A source with its own, longer timeout that answers after this: only the deadline stops it.
LATE_BEYOND_DEADLINE_S = 6.0


@dataclass(frozen=True)
class Fault:
    """One faulty source and what the facility must report for it."""

    name: str
    status: str  # answered, timeout, failed, invalid
    invalid: int = 0  # records it drops as schema-invalid


def oin(number: int) -> str:
    return f"0000000500000000{number:04d}"


GOOD = {oin(1): "goed-1", oin(2): "goed-2"}
# fmt: off
FAULTS = {
    oin(10): Fault("hang", "timeout"),  # accepts, never answers
    oin(11): Fault("late", "timeout"),  # answers after the per-source timeout
    oin(12): Fault("late-own-timeout", "timeout"),  # own timeout 10 s, answers after 6 s
    oin(13): Fault("reset", "failed"),  # connection reset (RST) once the request is in
    oin(14): Fault("reset-half", "failed"),  # half an answer, then RST
    oin(15): Fault("error500", "failed"),
    oin(16): Fault("error503", "failed"),
    oin(17): Fault("badjson", "invalid"),
    oin(18): Fault("huge", "invalid"),  # 50 MB, Content-Length declared
    oin(19): Fault("huge-chunked", "invalid"),  # 50 MB, chunked: counted while reading
    oin(20): Fault("drip", "timeout"),  # one byte a second
    oin(21): Fault("drip-steady", "timeout"),  # a byte every 0.1 s: never idle long
    oin(22): Fault("mixed", "answered", invalid=6),  # schema-invalid records among valid ones
}
# fmt: on
BY_NAME = {f.name: o for o, f in FAULTS.items()}


@dataclass
class World:
    """The facility process, its sources and what it was asked so far."""

    facility: FacilityProcess
    expected: set[tuple[str, str]]  # (source OIN, record id) the answers must hold, exactly
    resets: list[ResetServer]
    queries: int = 0
    answers: list[dict[str, Any]] = field(default_factory=list)

    def query(self) -> tuple[httpx.Response, float]:
        """One query with the per-source report; (answer, seconds taken)."""
        headers = mediator_headers(**{"X-OpenVUM-Explain": "bronnen"})
        started = time.monotonic()
        answer = httpx.post(
            f"{self.facility.url}{PROFILES}/matches",
            json={"vraagObject": QUERY},
            headers=headers,
            timeout=60,
        )
        elapsed = time.monotonic() - started
        self.queries += 1
        assert answer.status_code == 200, answer.text
        self.answers.append(answer.json())
        return answer, elapsed

    def check(self, answer: httpx.Response, elapsed: float) -> None:
        """In time, with exactly the good data: every good record, nothing of a faulty source."""
        assert elapsed < DEADLINE_S + MARGIN_S, f"answered after {elapsed:.2f} s"
        body = answer.json()
        codec = self.facility.codec
        found = [codec.decode(m["vumID"]) for m in body["matches"]]
        assert {c.vraag_id for c in found} == {body["vraagID"]}
        pairs = [(c.source, c.record_id) for c in found]
        assert len(pairs) == len(set(pairs))  # nothing twice
        assert set(pairs) == self.expected

    def metrics(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        return metric_samples(httpx.get(f"{self.facility.url}/metrics", timeout=10).text)

    def audit(self) -> list[AuditRow]:
        with Store(self.facility.db) as store:
            return list(store.audit.iter_rows())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    records = list(generate(Kind.WERKZOEKENDE, 60, seed=808))
    good_records = {o: records[i * 15 : (i + 1) * 15] for i, o in enumerate(GOOD)}
    mixed, mixed_ids, mixed_invalid = mixed_app(records[30:45])
    assert FAULTS[BY_NAME["mixed"]].invalid == mixed_invalid
    late_records = records[45:60]  # valid data, but too late: must never show up
    apps = {
        "hang": source_app(Kind.WERKZOEKENDE, late_records, "hang"),
        "late": source_app(Kind.WERKZOEKENDE, late_records, "slow", SOURCE_TIMEOUT_S + 0.6),
        "late-own-timeout": source_app(
            Kind.WERKZOEKENDE, late_records, "slow", LATE_BEYOND_DEADLINE_S
        ),
        "error500": source_app(Kind.WERKZOEKENDE, late_records, "error500"),
        "error503": source_app(Kind.WERKZOEKENDE, late_records, "error503"),
        "badjson": source_app(Kind.WERKZOEKENDE, late_records, "badjson"),
        "huge": huge_app(declared=True),
        "huge-chunked": huge_app(declared=False),
        "drip": source_app(Kind.WERKZOEKENDE, late_records, "drip"),
        "drip-steady": drip_app(0.1),
        "mixed": mixed,
    }
    with ExitStack() as stack:
        configs = [
            SourceConfig(o, name, stack.enter_context(serve(source_app(Kind.WERKZOEKENDE, rs))))
            for (o, name), rs in zip(GOOD.items(), good_records.values(), strict=True)
        ]
        for name, app in apps.items():
            url = stack.enter_context(serve(app))
            # Its own timeout is longer than the deadline: the deadline must cut it off.
            timeout = 10.0 if name == "late-own-timeout" else None
            configs.append(SourceConfig(BY_NAME[name], name, url, timeout))
        resets = []
        for name in ("reset", "reset-half"):
            resets.append(stack.enter_context(ResetServer(half=name == "reset-half")))
            configs.append(SourceConfig(BY_NAME[name], name, resets[-1].url))
        facility = stack.enter_context(
            facility_process(
                tmp_path_factory.mktemp("faults"),
                configs,
                source_timeout_s=SOURCE_TIMEOUT_S,
                deadline_s=DEADLINE_S,
            )
        )
        expected = {(o, i) for o, rs in good_records.items() for i in matching_ids(rs)}
        expected |= {(BY_NAME["mixed"], i) for i in mixed_ids}
        world = World(facility, expected, resets)
        world.check(*world.query())  # also warms the process up for the memory reading
        yield world


@pytest.fixture(scope="module")
def answer(world: World) -> dict[str, Any]:
    """One query that met every fault at once."""
    response, elapsed = world.query()
    world.check(response, elapsed)
    body: dict[str, Any] = response.json()
    return body


def test_every_fault_at_once_the_answer_is_in_time_with_exactly_the_good_data(
    world: World, answer: dict[str, Any]
) -> None:
    report = {s["oin"]: s for s in answer["x-openvum-bronnen"]}
    assert set(report) == set(GOOD) | set(FAULTS)
    for o in GOOD:
        assert report[o]["status"] == "answered"
        assert report[o]["aantal"] == len({i for s, i in world.expected if s == o})
    assert answer["maximumAantalResultatenBereikt"] is False
    assert len(answer["matches"]) == len(world.expected)


@pytest.mark.parametrize("name", [f.name for f in FAULTS.values()])
def test_each_fault_is_reported_counted_and_audited(
    world: World, answer: dict[str, Any], name: str
) -> None:
    source = BY_NAME[name]
    fault = FAULTS[source]
    kept = len({i for s, i in world.expected if s == source})
    # The per-source report of the answer.
    (report,) = [s for s in answer["x-openvum-bronnen"] if s["oin"] == source]
    assert (report["status"], report["aantal"], report["ongeldig"]) == (
        fault.status,
        kept,
        fault.invalid,
    )
    if fault.status == "timeout":
        # Cut off at its own timeout, or at what was left of the deadline.
        limit = DEADLINE_S if name == "late-own-timeout" else SOURCE_TIMEOUT_S
        assert limit - 0.05 <= report["ms"] / 1000 < limit + 1.0

    # /metrics: every query so far met the fault, and it was counted as what it was.
    samples = world.metrics()
    labels = {("source", source), ("kind", "werkzoekende")}
    answers = {
        status: samples.get(
            ("vum_facility_source_answers_total", frozenset({*labels, ("status", status)})), 0
        )
        for status in ("answered", "timeout", "failed", "invalid", "suspended")
    }
    assert answers == {s: (world.queries if s == fault.status else 0) for s in answers}, answers
    invalid = samples.get(("vum_facility_source_invalid_records_total", frozenset(labels)), 0)
    assert invalid == fault.invalid * world.queries

    # The audit log: one record for the query, with this source's outcome in it.
    (record,) = [
        r
        for r in world.audit()
        if r.operation == "matches" and r.details.get("vraagID") == answer["vraagID"]
    ]
    assert record.status == "200" and record.details["results"] == len(world.expected)
    (outcome,) = [s for s in record.details["sources"] if s["oin"] == source]
    assert (outcome["status"], outcome["matches"], outcome["invalidRecords"]) == (
        fault.status,
        kept,
        fault.invalid,
    )


def test_memory_stays_bounded_under_50_mb_answers(world: World, answer: dict[str, Any]) -> None:
    """Two sources send 50 MB per query: the facility reads at most its cap and lets go."""
    assert world.queries >= 2  # warmed up: the first answers built what stays anyway
    pid = world.facility.pid
    before = rss_kb(pid)
    for _ in range(3):
        world.check(*world.query())
    grown_mb = (rss_kb(pid) - before) / 1024
    assert grown_mb < 30, f"the facility grew {grown_mb:.1f} MB over 3 queries"


def test_the_audit_log_holds_every_query_and_its_chain_verifies(world: World) -> None:
    records = [r for r in world.audit() if r.operation == "matches"]
    assert [r.details["vraagID"] for r in records] == [a["vraagID"] for a in world.answers]
    for record in records:
        statuses = {s["oin"]: s["status"] for s in record.details["sources"]}
        assert statuses == {o: "answered" for o in GOOD} | {o: f.status for o, f in FAULTS.items()}
    result = CliRunner().invoke(audit_app, ["verify", "--db", str(world.facility.db)])
    assert result.exit_code == 0, result.output
    assert f"{len(world.audit())} records" in result.output


def test_the_facility_serves_on_after_all_this(world: World) -> None:
    assert world.facility.process is not None and world.facility.process.poll() is None
    assert httpx.get(f"{world.facility.url}/health", timeout=5).status_code == 200
    # The resetting sources were really asked, once per query (no retries of a POST).
    assert [r.connections for r in world.resets] == [world.queries] * 2


class _Silent:
    """A source client whose calls never end on their own (it ignores its timeout)."""

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float
    ) -> SourceResponse:
        await asyncio.sleep(3600)
        raise AssertionError("never answers")


def test_a_source_cut_off_by_the_deadline_is_reported_with_the_time_it_took() -> None:
    """The deadline, not the source's own timeout, ends it: the report still holds its time
    (a latency of 0 would make the slowest source look like the fastest)."""
    source = SourceEndpoint(oin(10), "hang", "http://127.0.0.1:9/api/v3", timeout_s=10.0)
    client = cast(SourceClient, _Silent())
    started = time.monotonic()
    (outcome,) = asyncio.run(
        fan_out(client, Kind.WERKZOEKENDE, QUERY, [source], lambda _: {}, deadline_s=0.3)
    )
    assert time.monotonic() - started < 0.3 + MARGIN_S
    assert outcome.status == "timeout" and not outcome.matches
    assert 0.3 <= outcome.elapsed_ms / 1000 < 0.3 + MARGIN_S


class _Prompt:
    """A source client that answers at once with a valid answer, or never (by URL)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float | None
    ) -> SourceResponse:
        if "never" in url:
            await asyncio.sleep(3600)
        await asyncio.sleep(0.05)
        return SourceResponse(200, self.body)


def test_a_source_budget_bounds_its_answer_not_the_facility_checking_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A source's own timeout ends the wait for its answer; an answer that is in is checked
    within the query's deadline however long that takes, and counts as answered."""
    from vum.bench.facility_sources import answer_body, canned_summaries
    from vum.facility import fanout

    checked = fanout.validate_answer

    def slow_check(kind: Kind, body: bytes) -> Any:
        time.sleep(0.5)  # in a worker thread: past the source's budget of 0.2 s
        return checked(kind, body)

    monkeypatch.setattr(fanout, "INLINE_VALIDATION_BYTES", 0)
    monkeypatch.setattr(fanout, "validate_answer", slow_check)
    body = answer_body(canned_summaries(Kind.WERKZOEKENDE, 3, 1))
    prompt = SourceEndpoint(oin(30), "prompt", "http://127.0.0.1:9/api/v3", timeout_s=0.2)
    never = SourceEndpoint(oin(31), "never", "http://never.invalid/api/v3", timeout_s=0.2)
    started = time.monotonic()
    answered, silent = asyncio.run(
        fan_out(
            cast(SourceClient, _Prompt(body)),
            Kind.WERKZOEKENDE,
            QUERY,
            [prompt, never],
            lambda _: {},
            deadline_s=3.0,
        )
    )
    took = time.monotonic() - started
    assert answered.status == "answered" and len(answered.matches) == 3
    assert answered.elapsed_ms < 200  # its time ends with its answer, not with the check
    assert silent.status == "timeout" and silent.error == "geen antwoord binnen 0.2 s"
    assert 0.2 <= silent.elapsed_ms / 1000 < 0.2 + MARGIN_S
    assert 0.5 <= took < 3.0  # waited for the check, not for the deadline
