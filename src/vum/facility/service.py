# SPDX-License-Identifier: EUPL-1.2
"""The facility's two operations — a query across all sources and a detail request — keeping every VUM rule.

Storage (result sets, audit) and the source directory are passed in as small interfaces, so the
same service runs on SQLite, PostgreSQL or in memory, behind the API, the portal or a benchmark.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, ClassVar, Protocol, TypeVar

import msgspec
import orjson
from pydantic import ValidationError

from vum import KOPPELVLAK_VERSION
from vum.facility.breaker import Breaker, CircuitBreaker
from vum.facility.client import SourceCallError, SourceClient
from vum.facility.fanout import SlowestFirst, SourceEndpoint, SourceOutcome, fan_out
from vum.facility.vumid import InvalidVumId, VumIdCodec
from vum.matching.columns import RankingBase, ranking_base
from vum.matching.engine import ColumnarEngine
from vum.matching.types import Hit
from vum.standard.kinds import Kind
from vum.standard.msgcheck import VUM_ID
from vum.standard.query import Query, QueryError, parse_query
from vum.standard.vacature import Vacature
from vum.standard.werkzoekende import Werkzoekende

T = TypeVar("T")


# Writes a checked Struct or a wire dict as its JSON (a date as YYYY-MM-DD, as it was read).
_ENCODER = msgspec.json.Encoder()
# Explanations may hold numpy numbers.
_NUMPY = orjson.OPT_SERIALIZE_NUMPY
#: Merges up to this many summaries (about 10 ms) run on the event loop, larger ones in a thread.
INLINE_MERGE_SUMMARIES = 1000


@dataclass(frozen=True)
class FacilitySettings:
    """The agreement framework's limits, with the VUM defaults."""

    facility_oin: str = "00000001000000000000"
    source_timeout_s: float = 4.0  # VUM pilots: 4 s per source
    deadline_s: float = 10.0  # VUM: the mediator has the merged answer within 10 s
    max_per_source: int = 100  # VUM: at most 100 results per source
    max_details: int = 10  # VUM: at most 10 detail requests per vraagID
    retention: dt.timedelta = dt.timedelta(days=7)  # VUM: results kept 7 days


@dataclass(frozen=True)
class Caller:
    """Who asks: the responsible organisation (fromParty) and the processor acting for it (viaParty)."""

    from_party: str
    via_party: str
    suwi: bool = False
    user: str | None = None


class FacilityError(Exception):
    """A refusal with the contract's status and error code (400.01, 401, 429.01, 500.1, 500.3)."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass
class ResultSet:
    """One query's answer, kept for the retention period so details can be fetched later."""

    vraag_id: str
    kind: Kind
    party: str
    created_at: dt.datetime
    #: the answer's matches as the JSON array sent (one bytes object, not a tree per match)
    matches_json: bytes = b"[]"
    sources: list[dict[str, Any]] = field(default_factory=list)
    details_used: int = 0

    @property
    def matches(self) -> list[dict[str, Any]]:
        """The matches as wire dicts (read when asked for, not kept)."""
        matches: list[dict[str, Any]] = orjson.loads(self.matches_json)
        return matches


class ResultSets(Protocol):
    """Where result sets live; ``use_detail`` must be atomic across workers."""

    def save(self, result_set: ResultSet) -> None: ...

    def get(self, vraag_id: str) -> ResultSet | None: ...

    def use_detail(self, vraag_id: str, limit: int) -> int | None:
        """Count one detail request; the new count, or None when the limit was already reached."""
        ...

    def purge(self, older_than: dt.datetime) -> int: ...


class SourceDirectory(Protocol):
    """The sources that may answer a kind of query (from the party registry)."""

    def sources_for(self, kind: Kind) -> Sequence[SourceEndpoint]: ...

    def source(self, oin: str) -> SourceEndpoint | None: ...


class InMemoryResultSets:
    """Result sets in one process (tests, demos); production uses the store."""

    in_memory: ClassVar[bool] = True

    def __init__(self) -> None:
        self._sets: dict[str, ResultSet] = {}

    def save(self, result_set: ResultSet) -> None:
        self._sets[result_set.vraag_id] = result_set

    def get(self, vraag_id: str) -> ResultSet | None:
        return self._sets.get(vraag_id)

    def use_detail(self, vraag_id: str, limit: int) -> int | None:
        rs = self._sets.get(vraag_id)
        if rs is None or rs.details_used >= limit:
            return None
        rs.details_used += 1
        return rs.details_used

    def purge(self, older_than: dt.datetime) -> int:
        old = [k for k, v in self._sets.items() if v.created_at < older_than]
        for key in old:
            del self._sets[key]
        return len(old)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Call a store off the event loop (it may wait on disk or another worker's lock).

    An in-memory one (``in_memory = True``: tests, demos, the benchmark) is called inline: it
    takes microseconds, and a hop to a worker thread and back costs more, and under load also
    waits for the GIL.
    """
    if getattr(getattr(fn, "__self__", None), "in_memory", False):
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


# Between the summaries of one source written in one call: a NUL byte never occurs in JSON
# written by msgspec (it escapes control characters in strings; nothing else can hold one).
_SPLIT = msgspec.Raw(b"\x00")
_SPLIT_AT = b",\x00,"


def _pieces(summaries: Sequence[Any]) -> list[bytes]:
    """Each summary as its JSON: all of one source written in one call, then split."""
    if not summaries:
        return []
    interleaved: list[Any] = [_SPLIT] * (2 * len(summaries) - 1)
    interleaved[::2] = summaries
    pieces = _ENCODER.encode(interleaved)[1:-1].split(_SPLIT_AT)
    if len(pieces) != len(summaries):  # cannot happen (see _SPLIT); never a wrong answer
        return [_ENCODER.encode(summary) for summary in summaries]
    return pieces


@dataclass
class QueryAnswer:
    """The contract answer plus what the portal and the audit log need to know.

    The matches are kept as each one's JSON, in ranked order: written as each source answered,
    they are joined into the answer without building it as a tree first.
    """

    vraag_id: str
    more: bool
    pieces: list[bytes]
    outcomes: list[SourceOutcome]
    ranked: list[tuple[Hit, str]]
    elapsed_ms: float

    @cached_property
    def matches_json(self) -> bytes:
        """The ``matches`` array as JSON (joined once: the result set stores it, the answer
        sends it)."""
        return b"[" + b",".join(self.pieces) + b"]"

    def to_json(self, extra: Mapping[str, Any] | None = None) -> bytes:
        """The contract answer as JSON, with ``extra`` members (``x-openvum-*``) after it."""
        more = b"true" if self.more else b"false"
        head = b'{"maximumAantalResultatenBereikt":' + more + b',"vraagID":'
        tail = b"}" if not extra else b"," + orjson.dumps(extra, option=_NUMPY)[1:]
        return b"".join(
            (head, orjson.dumps(self.vraag_id), b',"matches":', self.matches_json, tail)
        )

    @cached_property
    def body(self) -> dict[str, Any]:
        """The contract answer as wire dicts (for callers in process; the API writes JSON)."""
        body: dict[str, Any] = orjson.loads(self.to_json())
        return body

    @property
    def ranking(self) -> list[dict[str, Any]]:
        """Score, distance, source and "waarom" per match, aligned with ``body["matches"]``.

        Built only when asked (``X-OpenVUM-Explain``): explanations cost more than ranking.
        Aligned with ``pieces`` too.
        """
        return [
            {
                "score": hit.score,
                "afstandKm": hit.distance_km,
                "bron": source,
                "uitleg": [e.as_dict() for e in hit.explanations],
            }
            for hit, source in self.ranked
        ]


class Facility:
    """Fan-out, merge and rank, vumIDs, detail limits and retention."""

    def __init__(
        self,
        settings: FacilitySettings,
        directory: SourceDirectory,
        results: ResultSets,
        codec: VumIdCodec,
        client: SourceClient,
        breaker: Breaker | None = None,
        clock: Any = _now,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.results = results
        self.codec = codec
        self.client = client
        self.breaker = breaker if breaker is not None else CircuitBreaker()
        self.order = SlowestFirst()
        self._clock = clock

    def _headers(
        self, caller: Caller, source_oin: str, trace_id: str | None = None
    ) -> dict[str, str]:
        # Facility -> source: the asking organisation, the source, and the facility as processor.
        headers = {
            "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
            "API-Version": KOPPELVLAK_VERSION,
            "X-VUM-fromParty": caller.from_party,
            "X-VUM-toParty": source_oin,
            "X-VUM-viaParty": self.settings.facility_oin,
            "X-VUM-SUWIparty": "true" if caller.suwi else "false",
        }
        if trace_id:
            # W3C trace context: the mediator's trace continues at every source, one span each.
            # A span id only has to be unique, not secret: no system entropy per source.
            headers["traceparent"] = f"00-{trace_id}-{random.getrandbits(63) | 1:016x}-01"
        return headers

    async def matches(
        self, kind: Kind, caller: Caller, vraag_object: Any, *, trace_id: str | None = None
    ) -> QueryAnswer:
        started = time.perf_counter()
        try:
            query = parse_query(kind, vraag_object, prefix=("vraagObject",))
        except QueryError as exc:
            raise FacilityError(
                400,
                "400.01",
                "Ongeldige zoekvraag (invalid query)",
                "; ".join(f"{p.pointer}: {p.message}" for p in exc.problems)[:2000],
            ) from None
        sources = self.directory.sources_for(kind)
        # Before the fan-out: each source's summaries get their vumIDs as they arrive.
        vraag_id = secrets.token_urlsafe(24)
        outcomes = await fan_out(
            self.client,
            kind,
            vraag_object,
            sources,
            lambda s: self._headers(caller, s.oin, trace_id),
            deadline_s=self.settings.deadline_s,
            breaker=self.breaker,
            prepare=partial(self._prepare, kind, vraag_id),
            order=self.order,
        )
        if sum(len(o.pieces) for o in outcomes) <= INLINE_MERGE_SUMMARIES:
            # CPU work under the GIL: a worker thread would only add the hops to it and back.
            pieces, ranking = self._merge(kind, query, outcomes)
        else:
            # Large merges in a thread, so that the loop keeps reading other answers meanwhile.
            pieces, ranking = await asyncio.to_thread(self._merge, kind, query, outcomes)
        answer = QueryAnswer(
            vraag_id,
            any(o.more for o in outcomes),
            pieces,
            outcomes,
            ranking,
            0.0,
        )
        # The store may wait on another worker's write lock: never on the event loop.
        await off_loop(
            self.results.save,
            ResultSet(
                vraag_id,
                kind,
                caller.from_party,
                self._clock(),
                answer.matches_json,
                [
                    {
                        "oin": o.source.oin,
                        "naam": o.source.name,
                        "status": o.status,
                        "ms": round(o.elapsed_ms, 1),
                        "aantal": len(o.matches),
                        "ongeldig": o.invalid_records,
                        "meer": o.more,
                        "fout": o.error,
                    }
                    for o in outcomes
                ],
            ),
        )
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        return answer

    def _prepare(
        self, kind: Kind, vraag_id: str, source: SourceEndpoint, summaries: list[Any]
    ) -> tuple[list[bytes], RankingBase]:
        """One source's summaries as the answer's pieces: each with a fresh vumID, as JSON;
        and what the ranking reads of every summary, read now while they are in the caches.

        The summaries are the checker's fresh objects, owned by this query alone: the source's
        record id is replaced by the vumID in place rather than in a copy.
        """
        id_field = kind.id_field
        summaries = summaries[: self.settings.max_per_source]
        tokens = self.codec.encode_many(
            [(source.oin, str(summary[id_field])) for summary in summaries], vraag_id
        )
        unset = msgspec.UNSET
        for summary, token in zip(summaries, tokens, strict=True):
            if type(summary) is dict:
                del summary[id_field]
                summary[VUM_ID] = token
            else:  # a checked Struct: an unset member is left out when written
                setattr(summary, id_field, unset)
                summary.vumID = token
        return _pieces(summaries), ranking_base(kind, summaries)

    def _merge(
        self, kind: Kind, query: Query, outcomes: Sequence[SourceOutcome]
    ) -> tuple[list[bytes], list[tuple[Hit, str]]]:
        """The prepared pieces of all sources, ranked with the shared scoring of their summaries."""
        records: list[Any] = []
        pieces: list[bytes] = []
        origin: list[str] = []
        pc4: list[int] = []
        filled: list[int] = []
        for outcome in outcomes:
            count = len(outcome.pieces)
            if not count:
                continue
            records += outcome.matches[:count]
            pieces += outcome.pieces
            origin += [outcome.source.oin] * count
            part_pc4, part_filled = outcome.prepared
            pc4 += part_pc4
            filled += part_filled
        if not records:
            return [], []
        # The records are summaries already, read for ranking as they arrived; only the
        # columns a query reads are built. Ranked by row: ids of different sources may
        # coincide (and are gone: vumIDs now).
        ranked = ColumnarEngine(
            kind,
            records,
            eager_text=False,
            summaries=True,
            ids=[str(row) for row in range(len(records))],
            base=(pc4, filled),
        ).rank(query)
        rows = [int(hit.record_id) for hit in ranked.hits]
        return [pieces[row] for row in rows], [
            (hit, origin[row]) for hit, row in zip(ranked.hits, rows, strict=True)
        ]

    async def detail(
        self, kind: Kind, caller: Caller, vum_id: str, *, trace_id: str | None = None
    ) -> dict[str, Any]:
        try:
            content = self.codec.decode(vum_id)
        except InvalidVumId:
            raise FacilityError(
                400, "400.01", "Onbekende of ongeldige vumID (invalid vumID)"
            ) from None
        result_set = await off_loop(self.results.get, content.vraag_id)
        # Only the party that asked may see details, and only within the retention period.
        if result_set is None or result_set.party != caller.from_party or result_set.kind != kind:
            raise FacilityError(401, "401", "Niet geautoriseerd (not authorised)")
        if self._clock() - result_set.created_at > self.settings.retention:
            raise FacilityError(401, "401", "Resultaat verlopen (result expired)")
        used = await off_loop(self.results.use_detail, content.vraag_id, self.settings.max_details)
        if used is None:
            raise FacilityError(
                429,
                "429.01",
                f"Maximaal {self.settings.max_details} "
                "detailverzoeken per zoekvraag (detail limit reached)",
            )
        source = self.directory.source(content.source)
        if source is None or not source.enabled:
            raise FacilityError(503, "500.3", "Bron niet beschikbaar (source unavailable)")
        url = f"{source.base_url.rstrip('/')}/{kind.resource}/{content.record_id}"
        try:
            response = await self.client.get(
                url,
                self._headers(caller, source.oin, trace_id),
                self.settings.source_timeout_s,
            )
        except SourceCallError as exc:
            raise FacilityError(
                503, "500.3", "Bron niet bereikbaar (source unreachable)", exc.kind
            ) from None
        if response.status != 200:
            raise FacilityError(503, "500.3", f"Bron antwoordde {response.status}")
        model = Werkzoekende if kind is Kind.WERKZOEKENDE else Vacature
        try:
            record = model.model_validate_json(response.body).to_wire()
        except (ValidationError, ValueError):
            raise FacilityError(
                503, "500.3", "Bron gaf een ongeldig detail (invalid detail)"
            ) from None
        return {"bronID": source.oin, kind.detail_member: record}


def summaries_by_source(answer: QueryAnswer) -> Mapping[str, int]:
    """How many summaries each source contributed (for logs and the portal)."""
    return {o.source.oin: len(o.matches) for o in answer.outcomes}
