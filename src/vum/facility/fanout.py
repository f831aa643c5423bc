# SPDX-License-Identifier: EUPL-1.2
"""Fan a query out to every eligible source at once; a slow, broken or lying source never fails the query.

Each source gets the smaller of its own timeout (VUM pilots: 4 s) and what is left of the overall
deadline (10 s). Its answer is read with a size cap, checked as an envelope, and then validated
record by record: invalid records are dropped and counted, valid ones kept, at most 100.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from vum.facility.breaker import Breaker
from vum.facility.client import MAX_BODY_BYTES, SourceCallError, SourceClient
from vum.standard.fastcheck import AnswerRefused, answer_checker
from vum.standard.kinds import Kind

# VUM: at most 100 summaries per source.
MAX_PER_SOURCE = 100
#: Answers up to this size (a full answer of 100 summaries, a few milliseconds to check) are
#: validated on the event loop; larger ones in a worker thread.
INLINE_VALIDATION_BYTES = 256 * 1024
__all__ = [
    "MAX_BODY_BYTES",
    "MAX_PER_SOURCE",
    "SlowestFirst",
    "SourceEndpoint",
    "SourceOutcome",
    "fan_out",
]

Status = Literal["answered", "timeout", "failed", "invalid", "suspended"]
#: Turns a source's valid summaries into the answer's pieces as soon as they arrive (the
#: facility: a vumID each, written as JSON), so that little is left for after the last source;
#: and anything else worth reading of them then (the facility: what its ranking needs).
Prepare = Callable[["SourceEndpoint", list[Any]], tuple[list[bytes], Any]]
# A body over the cap is the source's fault (invalid), like a malformed one.
_CALL_STATUS: dict[str, Status] = {"timeout": "timeout", "too_large": "invalid", "failed": "failed"}


@dataclass(frozen=True)
class SourceEndpoint:
    """A connected source as the facility calls it (configured data, not code)."""

    oin: str
    name: str
    base_url: str  # up to and including /api/v3
    kinds: frozenset[Kind] = frozenset(Kind)
    timeout_s: float = 4.0
    enabled: bool = True


@dataclass
class SourceOutcome:
    """What one source did for one query."""

    source: SourceEndpoint
    status: Status
    elapsed_ms: float = 0.0
    #: the valid summaries: wire dicts, or Structs that read alike (``AnswerChecker.check_records``)
    matches: list[Any] = field(default_factory=list)
    more: bool = False
    invalid_records: int = 0
    http_status: int | None = None
    error: str | None = None
    #: what ``prepare`` made of the first ``len(pieces)`` summaries
    pieces: list[bytes] = field(default_factory=list)
    #: and what else it read of them
    prepared: Any = None


class SlowestFirst:
    """Sends a query to the sources that answered slowest lately first.

    A query waits for its slowest source, and every request sent before that source's delays
    its start by what sending one costs (tens of microseconds each, more on a busy facility):
    asked first, the slowest source starts its clock first. Sources not yet heard from count as
    the slowest. Only the order changes, never who is asked.
    """

    def __init__(self, weight: float = 0.2) -> None:
        self.weight = weight
        self._ms: dict[str, float] = {}

    def order(self, sources: Sequence[SourceEndpoint]) -> list[int]:
        """Positions in ``sources``, slowest first (ties keep their order)."""
        ms = self._ms
        return sorted(range(len(sources)), key=lambda i: -ms.get(sources[i].oin, math.inf))

    def record(self, source: str, elapsed_ms: float) -> None:
        """A source's time for one query: an exponentially weighted mean of the recent ones."""
        before = self._ms.get(source)
        self._ms[source] = (
            elapsed_ms if before is None else before + self.weight * (elapsed_ms - before)
        )


class _Refused(Exception):
    def __init__(self, status: Status, error: str, http_status: int | None = None) -> None:
        super().__init__(error)
        self.status: Status = status
        self.error = error
        self.http_status = http_status


def validate_answer(kind: Kind, body: bytes) -> tuple[list[Any], bool, int]:
    """(valid summaries, maximumAantalResultatenBereikt, number of invalid records).

    Record by record with exactly the summary model's rules (``vum.standard.fastcheck``: a clean
    answer is checked in one pass in Rust, anything else falls back to the model per record).
    Raises ``_Refused`` when the envelope itself is not a contract answer.
    """
    try:
        valid, more, invalid = answer_checker(kind).check_records(body)
    except AnswerRefused as exc:
        raise _Refused("invalid", exc.message) from None
    if len(valid) > MAX_PER_SOURCE:
        valid, more = valid[:MAX_PER_SOURCE], True
    return valid, more, invalid


async def ask_source(
    client: SourceClient,
    source: SourceEndpoint,
    kind: Kind,
    body: bytes,
    headers: Mapping[str, str],
    timeout_s: float | None,
    prepare: Prepare | None = None,
    answered: Callable[[], None] | None = None,
) -> SourceOutcome:
    """One source's answer, never raising: every failure becomes an outcome.

    The source's time (``elapsed_ms``, and what the circuit breaker judges) ends with the last
    byte of its answer: validating it is the facility's work, and a busy facility must not make
    a healthy source look slow. ``timeout_s`` None: the caller bounds the call (the fan-out,
    with one timer for all its sources), and is told by ``answered`` when the answer is in.
    """
    started = time.perf_counter()
    url = f"{source.base_url.rstrip('/')}/{kind.resource}/matches"
    try:
        response = await client.post(url, body, headers, timeout_s)
    except SourceCallError as exc:
        outcome = SourceOutcome(source, _CALL_STATUS[exc.kind], error=exc.message)
        outcome.elapsed_ms = (time.perf_counter() - started) * 1000.0
        return outcome
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    if answered is not None:
        answered()
    if response.status != 200:
        return SourceOutcome(
            source,
            "failed",
            elapsed_ms,
            error=f"HTTP {response.status}",
            http_status=response.status,
        )
    try:
        if len(response.body) <= INLINE_VALIDATION_BYTES:
            # A few summaries take less CPU than handing them to a worker thread and back.
            matches, more, invalid = validate_answer(kind, response.body)
        else:
            # Larger answers off the event loop, so other queries keep flowing meanwhile.
            matches, more, invalid = await asyncio.to_thread(validate_answer, kind, response.body)
    except _Refused as exc:
        return SourceOutcome(source, exc.status, elapsed_ms, error=exc.error, http_status=200)
    outcome = SourceOutcome(source, "answered", elapsed_ms, matches, more, invalid, 200)
    if prepare is not None:
        try:
            outcome.pieces, outcome.prepared = prepare(source, matches)
        except (ValueError, KeyError, TypeError) as exc:  # e.g. a record id too long for a vumID
            # The source's answer cannot be passed on; it must not fail the whole query.
            return SourceOutcome(source, "invalid", elapsed_ms, error=str(exc), http_status=200)
    return outcome


async def fan_out(
    client: SourceClient,
    kind: Kind,
    vraag_object: Mapping[str, Any],
    sources: Sequence[SourceEndpoint],
    headers_for: Callable[[SourceEndpoint], Mapping[str, str]],
    *,
    deadline_s: float = 10.0,
    breaker: Breaker | None = None,
    prepare: Prepare | None = None,
    order: SlowestFirst | None = None,
) -> list[SourceOutcome]:
    """Ask every eligible source concurrently; answer within ``deadline_s`` whatever they do.

    ``prepare`` runs on each source's valid summaries as they arrive (see :data:`Prepare`);
    ``order`` sends to the slowest sources first and learns from this query's times. The
    outcomes are in the order of ``sources``.
    """
    started = time.monotonic()
    eligible = [s for s in sources if s.enabled and kind in s.kinds]
    outcomes: dict[int, SourceOutcome] = {}
    calls: dict[asyncio.Task[SourceOutcome], _Call] = {}
    # Serialised once for every source.
    body = json.dumps(
        {"vraagObject": dict(vraag_object)}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    for i in order.order(eligible) if order is not None else range(len(eligible)):
        source = eligible[i]
        if breaker is not None and not breaker.allow(source.oin):
            outcomes[i] = SourceOutcome(
                source, "suspended", error="tijdelijk uitgeschakeld na herhaalde fouten"
            )
            continue
        # VUM: per-source timeout (4 s) bounded by the query's deadline (10 s). Kept here, for
        # all sources at once, not by a timer per call (a tenth of a millisecond each, busy).
        now = time.monotonic()
        budget = max(min(source.timeout_s, deadline_s - (now - started)), 0.001)
        call = _Call(i, now, budget)
        task = asyncio.create_task(
            ask_source(
                client, source, kind, body, headers_for(source), None, prepare, call.mark_answered
            )
        )
        calls[task] = call
    deadline_at = started + deadline_s
    waiting = set(calls)
    while waiting:
        # Until every source answered, or the next source's budget for its answer ends, or the
        # query's deadline: an answer that is in is bounded by the deadline only (checking it
        # is the facility's work).
        now = time.monotonic()
        ends = [c.expires_at for t, c in calls.items() if t in waiting and not c.answered]
        until = min([deadline_at, *ends])
        if until > now:
            _, waiting = await asyncio.wait(waiting, timeout=until - now)
        now = time.monotonic()
        if now >= deadline_at:
            break
        for task in [t for t in waiting if not calls[t].answered and calls[t].expires_at <= now]:
            task.cancel()  # the client drops the connection: its answer would come out of step
            waiting.discard(task)
            call = calls[task]
            outcomes[call.index] = SourceOutcome(
                eligible[call.index],
                "timeout",
                (now - call.started) * 1000.0,
                error=f"geen antwoord binnen {call.budget:.1f} s",
            )
    for task, call in calls.items():
        i = call.index
        if task.done() and not task.cancelled():
            outcomes[i] = task.result()
        elif i not in outcomes:  # the deadline and the source's own budget end together
            task.cancel()
            outcomes[i] = SourceOutcome(
                eligible[i],
                "timeout",
                (time.monotonic() - started) * 1000.0,
                error="deadline van de vraag",
            )
        if order is not None:
            order.record(eligible[i].oin, outcomes[i].elapsed_ms)
        if breaker is not None:
            # A 400 is the source judging the query, not failing: it answered, promptly. Counted
            # as a failure, three bad queries of one mediator would suspend a healthy source for
            # everyone (found by the security suite).
            outcome = outcomes[i]
            breaker.record(
                eligible[i].oin, outcome.status == "answered" or outcome.http_status == 400
            )
    return [outcomes[i] for i in range(len(eligible))]


class _Call:
    """One source's call in a fan-out: when it started, its budget, whether its answer is in."""

    __slots__ = ("answered", "budget", "expires_at", "index", "started")

    def __init__(self, index: int, started: float, budget: float) -> None:
        self.index = index
        self.started = started
        self.budget = budget
        self.expires_at = started + budget
        self.answered = False

    def mark_answered(self) -> None:
        self.answered = True
