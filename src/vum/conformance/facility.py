# SPDX-License-Identifier: EUPL-1.2
"""`vum conformance facility`: the battery against a VUM-Bemiddelaar facility, with the vumID and detail-limit checks."""

from __future__ import annotations

import re

from vum.conformance import battery
from vum.conformance.checks import Results, Target
from vum.conformance.procedure import (
    MAX_RESULTS,
    Answer,
    Context,
    KindRun,
    Options,
    Unreachable,
    error_code,
    short,
)
from vum.conformance.runner import (
    Exchange,
    Runner,
)
from vum.conformance.wire import WireValidator
from vum.standard.headers import API_VERSION, BERICHT_VERSIE, FROM_PARTY, TO_PARTY, VIA_PARTY

VUM_ID = re.compile(r"[a-zA-Z0-9_.-]{1,500}")
#: the agreement framework's limit of detail requests per query
MAX_DETAILS = 10
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def altered(vum_id: str, position: int) -> str:
    """``vum_id`` with the character at ``position`` replaced by one far from it in the alphabet.

    Never the last character: in base64 its low bits may be padding that a decoder ignores, so a
    change there need not change the token at all.
    """
    i = min(position % len(vum_id), max(len(vum_id) - 2, 0))
    old = vum_id[i]
    new = _ALPHABET[(_ALPHABET.find(old) + 17) % len(_ALPHABET)]
    return vum_id[:i] + new + vum_id[i + 1 :]


class FacilityRun(KindRun):
    """The battery of one kind against a facility."""

    target = Target.FACILITY
    id_member = "vumID"
    required_headers = (BERICHT_VERSIE, API_VERSION, FROM_PARTY, TO_PARTY, VIA_PARTY)

    def check_limit(self, answer: Answer) -> None:
        sources = self.options.sources
        if sources is None:
            self.results.skip(
                "matches.limit",
                self.k,
                "geef --sources N (het aantal bronnen) om 100 per bron te controleren",
            )
            return
        n = len(answer.summaries)
        self.results.check(
            "matches.limit",
            self.k,
            n <= MAX_RESULTS * sources,
            f"{n} samenvattingen van {sources} bron(nen), hoogstens {MAX_RESULTS} per bron",
            answer.exchange,
        )

    def on_answer(self, answer: Answer) -> None:
        bad = [v for v in answer.ids if not VUM_ID.fullmatch(v)]
        self.results.check(
            "vumid.format",
            self.k,
            not bad,
            f"{len(bad)} vumID's buiten [a-zA-Z0-9_.-]{{1,500}}: {[short(v) for v in bad[:3]]}",
            answer.exchange,
        )

    def same_answer(self, base: Answer, answer: Answer) -> None:
        # vumIDs differ per query by design: compare how many records came back.
        self.results.check(
            "query.unknown-members-same",
            self.k,
            len(base.ids) == len(answer.ids),
            f"{len(base.ids)} records zonder, {len(answer.ids)} met onbekende gegevens",
            answer.exchange,
        )

    def run(self) -> None:
        for probe in battery.area_probes(self.kind):
            self.ask(probe)
        seen = [s for a in self.answers for s in a.summaries]
        probes = battery.forms(
            self.kind, seen, variants=self.options.variants, seed=self.options.seed
        )
        answers = {id(p): self.ask(p) for p in probes}
        base = probes[0]
        base_answer = answers[id(base)]
        self.unknown_members(base, base_answer)
        self.malformed(base)
        self.extra_member(base)
        spare = base_answer.ids[0] if base_answer and base_answer.ids else None
        self.header_battery(base, spare)
        nationwide = battery.area_probes(self.kind)[0]
        first = self.ask(nationwide, "zoekvraag voor de detailgrens (detail limit)")
        second = self.ask(nationwide, "dezelfde zoekvraag nog eens (same query again)")
        self.fresh(first, second)
        if first is not None:
            self.details(first)
        if second is not None and second.ids:
            self.altered(second.ids[0])
            self.other_party(second.ids[-1])
        self.invalid_ids()
        self.results.skip(
            "retention",
            self.k,
            "niet te controleren in één run: vraag na 7 dagen een detail op; "
            "dan hoort 401 (verlopen) terug te komen",
        )
        self.finish()

    def fresh(self, first: Answer | None, second: Answer | None) -> None:
        if first is None or second is None or not first.ids:
            self.results.skip("vumid.fresh", self.k, "geen twee antwoorden met matches")
            return
        common = set(first.ids) & set(second.ids)
        vraag = [a.exchange.json().get("vraagID") for a in (first, second)]
        self.results.check(
            "vumid.fresh",
            self.k,
            not common and vraag[0] != vraag[1],
            f"{len(common)} vumID's gelijk in twee gelijke zoekvragen; vraagID's {vraag}",
            second.exchange,
        )

    def details(self, answer: Answer) -> None:
        ids = answer.ids
        if not ids:
            self.results.skip("detail.limit", self.k, "de zoekvraag gaf geen matches")
            return
        for i in range(MAX_DETAILS):
            vum_id = ids[i % len(ids)]
            exchange = self.send(
                f"detail {i + 1} van {MAX_DETAILS}", "GET", self.detail_path(vum_id)
            )
            self.timed(exchange)
            self.detail(exchange, vum_id)
        if len(ids) <= MAX_DETAILS:
            self.results.note(
                "detail.limit",
                self.k,
                f"maar {len(ids)} matches: vumID's zijn herhaald voor de 11 verzoeken",
            )
        eleventh = ids[MAX_DETAILS % len(ids)]
        exchange = self.send("detail 11 (boven de grens)", "GET", self.detail_path(eleventh))
        code = error_code(exchange)
        self.results.check(
            "detail.limit",
            self.k,
            exchange.status == 429 and code == "429.01",
            f"status {exchange.status}, code {code!r}; verwacht 429 met 429.01",
            exchange,
        )

    def detail(self, exchange: Exchange, vum_id: str) -> None:
        if not self.results.check(
            "detail.status", self.k, exchange.status == 200, f"status {exchange.status}", exchange
        ):
            return
        try:
            data = exchange.json()
        except ValueError:
            self.results.check("detail.schema", self.k, False, "geen JSON (not JSON)", exchange)
            return
        problems = self.ctx.validator.detail_answer(self.kind, data)
        self.results.check("detail.schema", self.k, not problems, "; ".join(problems), exchange)
        if not isinstance(data, dict) or not isinstance(data.get(self.kind.detail_member), dict):
            return
        record_id = data[self.kind.detail_member].get(self.kind.id_field)
        revealed = [
            str(v)
            for v in (record_id, data.get("bronID"))
            if isinstance(v, str) and len(v) >= 6 and v.lower() in vum_id.lower()
        ]
        self.results.check(
            "vumid.opaque",
            self.k,
            not revealed,
            f"de vumID bevat leesbaar {revealed}",
            exchange,
        )

    def altered(self, vum_id: str) -> None:
        positions = (
            ("middelste teken", len(vum_id) // 2),
            ("teken op driekwart", len(vum_id) * 3 // 4),
        )
        for label, position in positions:
            changed = altered(vum_id, position)
            exchange = self.send(f"gewijzigde vumID ({label})", "GET", self.detail_path(changed))
            status = exchange.status or 0
            self.results.check(
                "vumid.altered",
                self.k,
                400 <= status < 500,
                f"status {exchange.status}, verwacht 400 (of 401)",
                exchange,
            )

    def invalid_ids(self) -> None:
        self.outside_pattern(
            "vumID buiten het patroon",
            (("501 tekens", "a" * 501), ("teken buiten het patroon", "vum!id")),
        )

    def other_party(self, vum_id: str) -> None:
        other = self.options.other
        if other is None:
            self.results.skip(
                "detail.other-party",
                self.k,
                "geef --other-party (en zo nodig --other-cert/--other-key) om dit te controleren",
            )
            return
        exchange = self.send(
            f"detail door een andere partij ({other.from_party})",
            "GET",
            self.detail_path(vum_id),
            self.headers(other),
            tls=self.options.other_tls,
        )
        status = exchange.status or 0
        self.results.check(
            "detail.other-party",
            self.k,
            400 <= status < 500,
            f"status {exchange.status}, verwacht 401",
            exchange,
        )


def run_facility(options: Options, *, runner: Runner | None = None) -> tuple[Results, Runner]:
    """Run the whole battery against the facility at ``options.url``."""
    results = Results(Target.FACILITY)
    runner = runner or Runner(options.url, tls=options.tls, timeout_s=options.timeout_s)
    context = Context(options, runner, results, WireValidator(Target.FACILITY, options.contracts))
    try:
        for kind in options.kinds:
            FacilityRun(context, kind).run()
    except Unreachable:
        pass
    return results, runner
