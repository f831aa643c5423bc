# SPDX-License-Identifier: EUPL-1.2
"""What a source and a facility run share: options, sending and judging a query, the malformed, unknown-member and header batteries."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vum.conformance import battery
from vum.conformance.battery import Probe
from vum.conformance.checks import Results, Target
from vum.conformance.runner import (
    PARTY_HEADERS,
    Exchange,
    Parties,
    Runner,
    Tls,
)
from vum.conformance.semantics import Geo, failing_criteria, meets_criteria, placement
from vum.conformance.wire import WireValidator
from vum.standard.headers import API_VERSION, BERICHT_VERSIE, FROM_PARTY, TO_PARTY, VIA_PARTY
from vum.standard.kinds import Kind

VERSION = "3.0.0"
#: the agreement framework's limit of summaries per source
MAX_RESULTS = 100


class Unreachable(Exception):
    """The first request of a run got no HTTP answer at all."""


@dataclass
class Options:
    """Everything a run needs to know; the CLI fills it in."""

    url: str
    parties: Parties
    kinds: tuple[Kind, ...] = tuple(Kind)
    tls: Tls = field(default_factory=Tls)
    budget_s: float = 4.0
    timeout_s: float = 30.0
    contracts: Path | None = None
    margin_km: float = 2.0
    variants: int = 2
    details: int = 5
    seed: int = 0
    #: source: the records the tester knows the source holds, per kind
    data: dict[Kind, list[dict[str, Any]]] = field(default_factory=dict)
    #: facility: how many sources answer per kind (for the limit of 100 per source)
    sources: int | None = None
    #: facility: a second party (and its client certificate) that must not see the first's details
    other: Parties | None = None
    other_tls: Tls | None = None


@dataclass
class Answer:
    """A 200 answer to a valid query, as far as it could be read."""

    probe: Probe
    exchange: Exchange
    ids: list[str]
    summaries: list[dict[str, Any]]
    flag: bool


@dataclass
class Context:
    """What the runs of every kind share: the options, the client, the results."""

    options: Options
    runner: Runner
    results: Results
    validator: WireValidator
    geo: Geo = field(default_factory=Geo)


def error_code(exchange: Exchange) -> str | None:
    try:
        data = exchange.json()
    except ValueError:
        return None
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None


def short(record_id: str) -> str:
    """An id as a report shows it: a source's id whole, a long vumID cut."""
    return record_id if len(record_id) <= 40 else record_id[:32] + "…"


def _status(exchange: Exchange) -> str:
    return exchange.error or f"status {exchange.status}"


class KindRun:
    """The checks of one kind against one target; subclasses add what is particular to it."""

    target: Target
    #: the member that identifies a summary: the source's own id or the facility's vumID
    id_member: str
    #: the headers a call must carry
    required_headers: tuple[str, ...]

    def __init__(self, context: Context, kind: Kind) -> None:
        self.ctx = context
        self.options = context.options
        self.results = context.results
        self.kind = kind
        self.k = kind.value
        self.exchanges: list[Exchange] = []
        self.answers: list[Answer] = []
        self.timings: list[float] = []

    # -- sending ---------------------------------------------------------------------------

    def headers(self, parties: Parties | None = None) -> dict[str, str]:
        return (parties or self.options.parties).headers()

    @property
    def matches_path(self) -> str:
        return f"/{self.kind.resource}/matches"

    def detail_path(self, record_id: str) -> str:
        from urllib.parse import quote

        return f"/{self.kind.resource}/{quote(record_id, safe='')}"

    def send(
        self,
        label: str,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        *,
        body: Any = None,
        raw: bytes | None = None,
        tls: Tls | None = None,
    ) -> Exchange:
        exchange = self.ctx.runner.send(
            f"[{self.k}] {label}",
            method,
            path,
            self.headers() if headers is None else headers,
            body=body,
            raw=raw,
            tls=tls,
        )
        self.exchanges.append(exchange)
        reached = any(e.error is None for e in self.ctx.runner.exchanges)
        self.results.check("connection", None, exchange.error is None, _status(exchange), exchange)
        if exchange.error is not None and not reached:
            raise Unreachable(exchange.error)
        return exchange

    def timed(self, exchange: Exchange) -> None:
        """Count an answer to a valid request against the latency budget."""
        if exchange.error is not None:
            return
        self.timings.append(exchange.seconds)
        budget = self.options.budget_s
        self.results.check(
            "latency.budget",
            self.k,
            exchange.seconds <= budget,
            f"{exchange.seconds * 1000:.0f} ms, budget {budget * 1000:.0f} ms",
            exchange,
        )

    # -- one query -------------------------------------------------------------------------

    def ask(self, probe: Probe, label: str | None = None) -> Answer | None:
        """Send a valid query and judge the answer: status, schema, limit, ids, semantics."""
        exchange = self.send(
            label or f"zoekvraag {probe.form}",
            "POST",
            self.matches_path,
            body={"vraagObject": probe.wire},
        )
        self.timed(exchange)
        ok = exchange.status == 200
        if not self.results.check("matches.status", self.k, ok, _status(exchange), exchange):
            return None
        try:
            data = exchange.json()
        except ValueError:
            self.results.check("matches.schema", self.k, False, "geen JSON (not JSON)", exchange)
            return None
        problems = self.ctx.validator.matches_answer(self.kind, data)
        self.results.check("matches.schema", self.k, not problems, "; ".join(problems), exchange)
        if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
            return None
        summaries = [m for m in data["matches"] if isinstance(m, dict)]
        ids = [str(m.get(self.id_member)) for m in summaries]
        answer = Answer(
            probe, exchange, ids, summaries, data.get("maximumAantalResultatenBereikt") is True
        )
        self.check_limit(answer)
        twice = [i for i, n in Counter(ids).items() if n > 1]
        self.results.check(
            "matches.unique", self.k, not twice, f"dubbel (duplicates): {twice[:3]}", exchange
        )
        self.check_semantics(answer)
        self.on_answer(answer)
        self.answers.append(answer)
        return answer

    def outside_pattern(self, what: str, cases: Sequence[tuple[str, str]]) -> None:
        """Detail requests for ids outside the contract's pattern: each must get a 4xx."""
        for label, bad in cases:
            exchange = self.send(f"{what} ({label})", "GET", self.detail_path(bad))
            status = exchange.status or 0
            self.results.check(
                "detail.invalid-id",
                self.k,
                400 <= status < 500,
                f"status {exchange.status}, verwacht 400",
                exchange,
            )

    def check_limit(self, answer: Answer) -> None:
        n = len(answer.summaries)
        self.results.check(
            "matches.limit",
            self.k,
            n <= MAX_RESULTS,
            f"{n} samenvattingen, hoogstens {MAX_RESULTS}",
            answer.exchange,
        )

    def on_answer(self, answer: Answer) -> None:
        """A hook for the target's own checks of every answer."""

    def check_semantics(self, answer: Answer) -> None:
        query = answer.probe.query
        wrong: list[str] = []
        far: list[str] = []
        for record_id, summary in zip(answer.ids, answer.summaries, strict=True):
            if not meets_criteria(query, summary):
                criteria = ", ".join(failing_criteria(query, summary)) or "?"
                wrong.append(f"{short(record_id)} (voldoet niet aan {criteria})")
            where = placement(query, summary, self.ctx.geo, self.options.margin_km)
            if where.where == "out":
                km = f"{where.km:.1f} km" if where.km is not None else "geen postcode"
                far.append(f"{short(record_id)} ({km} > {query.radius_km} km)")
            elif where.where == "edge":
                self.results.note(
                    "matches.distance",
                    self.k,
                    f"{short(record_id)}: {where.km:.1f} km bij een afstand van {query.radius_km} km "
                    "(binnen de marge)",
                )
            elif where.where == "unknown":
                self.results.note(
                    "matches.distance", self.k, f"{short(record_id)}: postcode niet te plaatsen"
                )
        self.results.check(
            "matches.semantics",
            self.k,
            not wrong,
            f"{len(wrong)} van {len(answer.ids)} records voldoen niet: " + "; ".join(wrong[:3]),
            answer.exchange,
        )
        self.results.check(
            "matches.distance",
            self.k,
            not far,
            f"{len(far)} records buiten de afstand (marge {self.options.margin_km:g} km): "
            + "; ".join(far[:3]),
            answer.exchange,
        )

    # -- batteries that test rules ---------------------------------------------------------

    def unknown_members(self, base: Probe, base_answer: Answer | None) -> None:
        for label, wire in battery.with_unknown_members(base):
            exchange_count = len(self.exchanges)
            answer = self.ask(battery.probe(self.kind, "onbekend", wire), f"onbekend: {label}")
            exchange = self.exchanges[exchange_count]
            self.results.check(
                "query.unknown-members", self.k, exchange.status == 200, _status(exchange), exchange
            )
            if answer is None or base_answer is None:
                continue
            if base_answer.flag or answer.flag:
                self.results.note(
                    "query.unknown-members-same",
                    self.k,
                    "vergeleken alleen bij antwoorden zonder maximumAantalResultatenBereikt",
                )
                continue
            self.same_answer(base_answer, answer)

    def same_answer(self, base: Answer, answer: Answer) -> None:
        missing = set(base.ids) ^ set(answer.ids)
        self.results.check(
            "query.unknown-members-same",
            self.k,
            not missing,
            f"ander antwoord dan zonder onbekende gegevens: {len(base.ids)} vs "
            f"{len(answer.ids)} records",
            answer.exchange,
        )

    def malformed(self, base: Probe) -> None:
        for bad in battery.malformed(self.kind, base):
            exchange = self.send(
                f"ongeldig: {bad.label}", "POST", self.matches_path, body=bad.body, raw=bad.raw
            )
            self.results.check(
                "query.malformed",
                self.k,
                exchange.status == 400,
                f"{_status(exchange)}, verwacht 400",
                exchange,
            )
            code = error_code(exchange)
            self.results.check(
                "query.malformed-code",
                self.k,
                code in ("400.01", "400.02"),
                f"code {code!r}",
                exchange,
            )

    def extra_member(self, base: Probe) -> None:
        exchange = self.send(
            "gegeven naast vraagObject (member beside vraagObject)",
            "POST",
            self.matches_path,
            body=battery.extra_member(base),
        )
        expected = 400 if self.kind is Kind.WERKZOEKENDE else 200
        self.results.check(
            "request.extra-member",
            self.k,
            exchange.status == expected,
            f"{_status(exchange)}, verwacht {expected}",
            exchange,
        )

    def invalid_headers(self) -> list[tuple[str, str]]:
        return [(BERICHT_VERSIE, "2.0.0"), (API_VERSION, "9.9.9")]

    def header_battery(self, base: Probe, detail_id: str | None) -> None:
        body = {"vraagObject": base.wire}
        full = self.headers()
        for name in self.required_headers:
            headers = {k: v for k, v in full.items() if k != name}
            exchange = self.send(
                f"header {name} weggelaten", "POST", self.matches_path, headers, body=body
            )
            self._missing(exchange)
        if detail_id is not None:
            headers = {k: v for k, v in full.items() if k != BERICHT_VERSIE}
            path = self.detail_path(detail_id)
            self._missing(
                self.send(f"detail: header {BERICHT_VERSIE} weggelaten", "GET", path, headers)
            )
        for name, value in self.invalid_headers():
            exchange = self.send(
                f"header {name}: {value}",
                "POST",
                self.matches_path,
                {**full, name: value},
                body=body,
            )
            self.results.check(
                "headers.invalid",
                self.k,
                exchange.status == 400,
                f"{_status(exchange)}, verwacht 400",
                exchange,
            )

    def _missing(self, exchange: Exchange) -> None:
        self.results.check(
            "headers.missing",
            self.k,
            exchange.status in (400, 401),
            f"{_status(exchange)}, verwacht 400 (of 401)",
            exchange,
        )
        code = error_code(exchange)
        self.results.check(
            "headers.missing-code",
            self.k,
            exchange.status == 400 and code == "400.02",
            f"{_status(exchange)}, code {code!r}",
            exchange,
        )

    # -- over every exchange ---------------------------------------------------------------

    def finish(self) -> None:
        """Checks that every answer of this kind must pass: content type, error body, headers."""
        for exchange in self.exchanges:
            if exchange.status is None:
                continue
            if exchange.response_body and exchange.status != 401:
                self.results.check(
                    "response.content-type",
                    self.k,
                    exchange.content_type() == "application/json",
                    f"Content-Type {exchange.header('content-type')!r}",
                    exchange,
                )
            if exchange.status in (400, 404, 429, 500, 503):
                self._error_body(exchange)
            versions = [exchange.header(h) for h in (BERICHT_VERSIE, API_VERSION)]
            self.results.check(
                "headers.version",
                self.k,
                versions == [VERSION, VERSION],
                f"{BERICHT_VERSIE}={versions[0]!r}, {API_VERSION}={versions[1]!r}",
                exchange,
            )
            self._parties(exchange)
        if self.timings:
            ordered = sorted(self.timings)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            self.results.note(
                "latency.budget",
                self.k,
                f"{len(ordered)} antwoorden: mediaan {statistics.median(ordered) * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms "
                f"(budget {self.options.budget_s:g} s)",
            )

    def _error_body(self, exchange: Exchange) -> None:
        try:
            problems = self.ctx.validator.error_body(self.kind, exchange.json())
        except ValueError:
            problems = ["geen JSON (not JSON)"]
        self.results.check("errors.body", self.k, not problems, "; ".join(problems), exchange)

    def _parties(self, exchange: Exchange) -> None:
        sent = exchange.request_headers
        if not all(sent.get(h) for h in PARTY_HEADERS):
            return
        got = {h: exchange.header(h) for h in PARTY_HEADERS}
        called = {sent[FROM_PARTY], sent[TO_PARTY]}
        ok = (
            got[FROM_PARTY] in called
            and got[TO_PARTY] in called
            and got[VIA_PARTY] == sent[VIA_PARTY]
        )
        shown = ", ".join(f"{h}={v!r}" for h, v in got.items())
        self.results.check("headers.parties", self.k, ok, shown, exchange)
        back = got[FROM_PARTY] == sent[TO_PARTY] and got[TO_PARTY] == sent[FROM_PARTY]
        self.results.check(
            "headers.parties-direction",
            self.k,
            ok and back,
            f"{shown} (verwacht omgekeerd)",
            exchange,
        )
