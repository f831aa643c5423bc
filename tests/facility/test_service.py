# SPDX-License-Identifier: EUPL-1.2
"""The facility over real HTTP sources on loopback: deadlines, bad sources, ranking, limits, retention."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from typing import Any

import msgspec
import orjson
import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.facility.servers import serve, source_app
from vum.facility.client import SourceClient
from vum.facility.fanout import SourceEndpoint
from vum.facility.service import (
    Caller,
    Facility,
    FacilityError,
    FacilitySettings,
    InMemoryResultSets,
    _pieces,
)
from vum.facility.vumid import VumIdCodec, new_key
from vum.standard import Kind, VumWerkzoekendeMatch
from vum.standard.werkzoekende import WerkzoekendeProfielMatchesResponse
from vum.synthetic import generate

MEDIATOR = Caller("00000001111111111111", "00000001111111111111")
OTHER = Caller("00000002222222222222", "00000002222222222222")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
QUERY = {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}


class Directory:
    def __init__(self, sources: Sequence[SourceEndpoint]) -> None:
        self._sources = list(sources)

    def sources_for(self, kind: Kind) -> Sequence[SourceEndpoint]:
        return [s for s in self._sources if kind in s.kinds]

    def source(self, oin: str) -> SourceEndpoint | None:
        return next((s for s in self._sources if s.oin == oin), None)


BEHAVIOURS = [
    "ok",
    "ok",
    "ok",
    "slow",
    "error500",
    "error503",
    "badjson",
    "mixed",
    "hang",
    "huge",
    "drip",
]


@pytest.fixture(scope="module")
def sources() -> Iterator[list[SourceEndpoint]]:
    with ExitStack() as stack:
        endpoints = []
        for i, behaviour in enumerate(BEHAVIOURS):
            records = list(generate(Kind.WERKZOEKENDE, 40, seed=100 + i))
            app = source_app(Kind.WERKZOEKENDE, records, behaviour, delay_s=6.0)
            url = stack.enter_context(serve(app))
            endpoints.append(
                SourceEndpoint(f"{i + 1:020d}", f"bron-{behaviour}-{i}", url, timeout_s=1.5)
            )
        yield endpoints


def facility(sources: list[SourceEndpoint], client: SourceClient, **settings: Any) -> Facility:
    return Facility(
        FacilitySettings(deadline_s=3.0, **settings),
        Directory(sources),
        InMemoryResultSets(),
        VumIdCodec({"k1": new_key()}, "k1"),
        client,
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_query_answers_within_the_deadline_with_the_good_sources(
    sources: list[SourceEndpoint],
) -> None:
    async def go() -> Any:
        async with SourceClient() as client:
            started = time.monotonic()
            answer = await facility(sources, client).matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY)
            return answer, time.monotonic() - started

    answer, elapsed = run(go())
    assert elapsed < 3.0 + 0.5
    status = {o.source.name: o.status for o in answer.outcomes}
    assert status["bron-ok-0"] == status["bron-ok-1"] == status["bron-ok-2"] == "answered"
    assert status["bron-slow-3"] == "timeout" and status["bron-hang-8"] == "timeout"
    assert status["bron-drip-10"] == "timeout"
    assert status["bron-error500-4"] == status["bron-error503-5"] == "failed"
    assert status["bron-badjson-6"] == status["bron-huge-9"] == "invalid"
    mixed = next(o for o in answer.outcomes if o.source.name == "bron-mixed-7")
    assert mixed.status == "answered" and mixed.invalid_records == 1 and mixed.matches
    # The answer is a valid contract answer, ranked, with opaque vumIDs.
    body = WerkzoekendeProfielMatchesResponse.model_validate(answer.body)
    assert len(body.matches) == sum(len(o.matches) for o in answer.outcomes)
    scores = [r["score"] for r in answer.ranking]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(m, VumWerkzoekendeMatch) for m in body.matches)


@pytest.fixture(scope="module")
def good() -> Iterator[list[SourceEndpoint]]:
    """Three well-behaved sources of their own, with the VUM default timeouts."""
    with ExitStack() as stack:
        yield [
            SourceEndpoint(
                f"{90 + i:020d}",
                f"bron-{i}",
                stack.enter_context(
                    serve(
                        source_app(
                            Kind.WERKZOEKENDE, list(generate(Kind.WERKZOEKENDE, 40, seed=200 + i))
                        )
                    )
                ),
            )
            for i in range(3)
        ]


def test_detail_limits_parties_and_retention(good: list[SourceEndpoint]) -> None:

    async def go() -> None:
        async with SourceClient() as client:
            clock = [dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)]
            fac = Facility(
                FacilitySettings(),
                Directory(good),
                InMemoryResultSets(),
                VumIdCodec({"k1": new_key()}, "k1"),
                client,
                clock=lambda: clock[0],
            )
            answer = await fac.matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY)
            ids = [m["vumID"] for m in answer.body["matches"]]
            assert len(ids) > 11
            first = await fac.detail(Kind.WERKZOEKENDE, MEDIATOR, ids[0])
            assert set(first) == {"bronID", "werkzoekende"}
            # Another party may not open this result.
            with pytest.raises(FacilityError) as other:
                await fac.detail(Kind.WERKZOEKENDE, OTHER, ids[1])
            assert other.value.status == 401
            # A vumID altered by one character is refused.
            forged = ids[1][:-1] + ("A" if ids[1][-1] != "A" else "B")
            with pytest.raises(FacilityError) as bad:
                await fac.detail(Kind.WERKZOEKENDE, MEDIATOR, forged)
            assert bad.value.code == "400.01"
            for vum_id in ids[1:10]:
                await fac.detail(Kind.WERKZOEKENDE, MEDIATOR, vum_id)
            with pytest.raises(FacilityError) as limit:
                await fac.detail(Kind.WERKZOEKENDE, MEDIATOR, ids[10])
            assert (limit.value.status, limit.value.code) == (429, "429.01")
            # After the retention period the result set is gone.
            answer2 = await fac.matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY)
            clock[0] += dt.timedelta(days=7, minutes=1)
            with pytest.raises(FacilityError) as expired:
                await fac.detail(Kind.WERKZOEKENDE, MEDIATOR, answer2.body["matches"][0]["vumID"])
            assert expired.value.status == 401
            assert fac.results.purge(clock[0] - dt.timedelta(days=7)) == 2

    run(go())


def test_sources_receive_the_vum_headers() -> None:
    app = source_app(Kind.WERKZOEKENDE, list(generate(Kind.WERKZOEKENDE, 20, seed=5)))
    with serve(app) as url:
        source = SourceEndpoint("00000009999999999999", "bron", url)

        async def go() -> None:
            async with SourceClient() as client:
                fac = facility([source], client)
                answer = await fac.matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY, trace_id=TRACE)
                await fac.detail(
                    Kind.WERKZOEKENDE, MEDIATOR, answer.body["matches"][0]["vumID"], trace_id=TRACE
                )

        run(go())
    query_headers, detail_headers = app.state.seen
    for headers in (query_headers, detail_headers):
        assert headers["x-vum-berichtversie"] == headers["api-version"] == "3.0.0"
        assert headers["x-vum-fromparty"] == MEDIATOR.from_party
        assert headers["x-vum-toparty"] == "00000009999999999999"
        assert headers["x-vum-viaparty"] == FacilitySettings().facility_oin
        assert headers["x-vum-suwiparty"] == "false"
        assert headers["traceparent"].startswith(f"00-{TRACE}-")


def test_malformed_query_is_400_with_the_pointer(sources: list[SourceEndpoint]) -> None:
    async def go() -> None:
        async with SourceClient() as client:
            with pytest.raises(FacilityError) as info:
                await facility(sources[:1], client).matches(
                    Kind.WERKZOEKENDE, MEDIATOR, {"selectiegebied": {"postcode": "1"}}
                )
            assert info.value.code == "400.01"
            assert "/vraagObject/selectiegebied/postcode" in (info.value.details or "")

    run(go())


def test_failing_source_is_suspended_then_probed(sources: list[SourceEndpoint]) -> None:
    broken = [s for s in sources if s.name.startswith("bron-error500")]

    async def go() -> list[str]:
        async with SourceClient() as client:
            fac = facility(broken, client)
            statuses = []
            for _ in range(5):
                answer = await fac.matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY)
                statuses.append(answer.outcomes[0].status)
            return statuses

    assert run(go()) == ["failed", "failed", "failed", "suspended", "suspended"]


class _RefusingCodec(VumIdCodec):
    """Cannot mint vumIDs for one source (as for a record id too long for a vumID)."""

    def __init__(self, refused: str) -> None:
        super().__init__({"k1": new_key()}, "k1")
        self.refused = refused

    def encode_many(self, records: Sequence[tuple[str, str]], vraag_id: str) -> list[str]:
        if any(source == self.refused for source, _ in records):
            raise ValueError("record id too long for a vumID")
        return super().encode_many(records, vraag_id)


def test_a_source_whose_summaries_cannot_be_passed_on_is_left_out(
    sources: list[SourceEndpoint],
) -> None:
    good = [s for s in sources if s.name.startswith("bron-ok")]

    async def go() -> Any:
        async with SourceClient() as client:
            fac = facility(good, client)
            fac.codec = _RefusingCodec(good[0].oin)
            return await fac.matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY)

    answer = run(go())
    status = {o.source.oin: o.status for o in answer.outcomes}
    assert status[good[0].oin] == "invalid" and "vumID" in str(answer.outcomes[0].error)
    assert [status[s.oin] for s in good[1:]] == ["answered"] * (len(good) - 1)
    assert len(answer.body["matches"]) == sum(len(o.pieces) for o in answer.outcomes) > 0
    assert all(m["vumID"] for m in answer.body["matches"])


def test_the_slowest_sources_are_asked_first() -> None:
    # Three sources on one server (one event loop sees the requests in the order they came),
    # listed fastest first. The first query asks them in that order; from then on the
    # slowest goes first, so that its clock starts first.
    arrived: list[str] = []
    delays = {"snel": 0.0, "middel": 0.15, "traag": 0.3}
    app = FastAPI()

    @app.post("/{name}/api/v3/werkzoekendeProfielen/matches")
    async def matches(name: str) -> dict[str, Any]:
        arrived.append(name)
        await asyncio.sleep(delays[name])
        return {"maximumAantalResultatenBereikt": False, "matches": []}

    with serve(app) as url:
        root = url.removesuffix("/api/v3")
        endpoints = [
            SourceEndpoint(f"{70 + i:020d}", name, f"{root}/{name}/api/v3")
            for i, name in enumerate(delays)
        ]

        async def go() -> list[list[str]]:
            orders = []
            async with SourceClient() as client:
                fac = facility(endpoints, client)
                for _ in range(3):
                    arrived.clear()
                    answer = await fac.matches(Kind.WERKZOEKENDE, MEDIATOR, QUERY)
                    assert [o.source.name for o in answer.outcomes] == list(delays)
                    assert all(o.status == "answered" for o in answer.outcomes)
                    orders.append(list(arrived))
            return orders

        first, second, third = run(go())
    assert first == ["snel", "middel", "traag"]
    assert second == third == ["traag", "middel", "snel"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=5),
            st.recursive(
                st.none()
                | st.booleans()
                | st.integers()
                # Any character JSON can hold (a lone surrogate cannot be written at all).
                | st.text(alphabet=st.characters(exclude_categories=["Cs"])),
                lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
                max_leaves=6,
            ),
            max_size=4,
        ),
        max_size=12,
    )
)
def test_summaries_written_together_split_into_their_own_json(
    summaries: list[dict[str, Any]],
) -> None:
    # A source's summaries are written in one call, separated by a NUL byte, and split there:
    # the pieces must be exactly each summary's JSON, whatever its strings hold (NULs too).
    encode = msgspec.json.Encoder().encode
    for extra in ([], [{"s": ",\x00,"}], [{"\x00": "\x00,\x00"}]):
        records = summaries + extra
        assert _pieces(records) == [encode(r) for r in records]


def test_checked_summaries_written_together_are_their_own_json() -> None:
    from vum.bench.facility_sources import answer_body, canned_summaries
    from vum.standard.fastcheck import answer_checker

    for kind in Kind:
        structs = answer_checker(kind).check_records(answer_body(canned_summaries(kind, 25, 3)))[0]
        encode = msgspec.json.Encoder().encode
        assert _pieces(structs) == [encode(s) for s in structs]
        assert all(orjson.loads(p)[kind.id_field] for p in _pieces(structs))
