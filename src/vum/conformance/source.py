# SPDX-License-Identifier: EUPL-1.2
"""`vum conformance source`: the battery against a VUM-Bron source, with the cross-checks and the --with-data completeness."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from pydantic import ValidationError

from vum.conformance import battery
from vum.conformance.checks import Results, Target
from vum.conformance.procedure import (
    MAX_RESULTS,
    Context,
    KindRun,
    Options,
    Unreachable,
    error_code,
)
from vum.conformance.runner import (
    Runner,
)
from vum.conformance.semantics import expected, meets_criteria, placement
from vum.conformance.wire import WireValidator
from vum.standard.headers import (
    API_VERSION,
    BERICHT_VERSIE,
    FROM_PARTY,
    SUWI_PARTY,
    TO_PARTY,
    VIA_PARTY,
)
from vum.standard.kinds import Kind
from vum.standard.summary import summary_of
from vum.standard.types import is_empty
from vum.standard.validate import DETAIL_MODELS


def canonical(value: Any) -> Any:
    """JSON as VUM compares it: empty values left out (they count as absent), arrays sorted (sets)."""
    if isinstance(value, dict):
        pruned = {k: canonical(v) for k, v in sorted(value.items())}
        return {k: v for k, v in pruned.items() if not is_empty(v)}
    if isinstance(value, list):
        items = [v for v in (canonical(v) for v in value) if not is_empty(v)]
        return sorted(items, key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS))
    return value


def summary_from_detail(kind: Kind, detail: Any) -> dict[str, Any] | None:
    """The summary a source should send for ``detail`` (None when it is not a valid detail)."""
    try:
        wire: dict[str, Any] = summary_of(DETAIL_MODELS[kind].model_validate(detail)).to_wire()
    except (ValidationError, ValueError):
        return None
    return wire


class SourceRun(KindRun):
    """The battery of one kind against a source."""

    target = Target.SOURCE
    required_headers = (BERICHT_VERSIE, API_VERSION, FROM_PARTY, TO_PARTY, VIA_PARTY, SUWI_PARTY)

    def __init__(self, context: Context, kind: Kind) -> None:
        super().__init__(context, kind)
        self.id_member = kind.id_field
        self.data = context.options.data.get(kind)

    def invalid_headers(self) -> list[tuple[str, str]]:
        return [*super().invalid_headers(), (SUWI_PARTY, "misschien")]

    def run(self) -> None:
        for probe in battery.area_probes(self.kind):
            self.ask(probe)
        pool: Sequence[Mapping[str, Any]] = self.data or self.seen()
        if not pool:
            self.results.note(
                "matches.semantics",
                self.k,
                "de bron gaf geen enkel record terug: de criteria zijn nauwelijks getoetst",
            )
        probes = battery.forms(
            self.kind, pool, variants=self.options.variants, seed=self.options.seed
        )
        answers = {id(p): self.ask(p) for p in probes}
        base = probes[0]
        self.unknown_members(base, answers[id(base)])
        self.malformed(base)
        self.extra_member(base)
        ids = self.returned_ids()
        self.header_battery(base, ids[0] if ids else None)
        self.details(ids)
        self.flag_crosscheck()
        if self.data is not None:
            self.completeness(self.data)
        self.finish()

    def seen(self) -> list[dict[str, Any]]:
        """Every distinct summary this run received, by id (the latest wins)."""
        out: dict[str, dict[str, Any]] = {}
        for answer in self.answers:
            out.update(zip(answer.ids, answer.summaries, strict=True))
        return list(out.values())

    def returned_ids(self) -> list[str]:
        """Up to ``details`` ids, spread over the answers (round robin)."""
        chosen: list[str] = []
        depth = 0
        while len(chosen) < self.options.details and depth < MAX_RESULTS:
            added = False
            for answer in self.answers:
                if depth < len(answer.ids):
                    added = True
                    if answer.ids[depth] not in chosen:
                        chosen.append(answer.ids[depth])
                    if len(chosen) == self.options.details:
                        break
            if not added:
                break
            depth += 1
        return chosen

    # -- details ---------------------------------------------------------------------------

    def details(self, ids: list[str]) -> None:
        summaries = {s.get(self.id_member): s for s in self.seen()}
        for record_id in ids:
            exchange = self.send(f"detail {record_id}", "GET", self.detail_path(record_id))
            self.timed(exchange)
            ok = exchange.status == 200
            if not self.results.check(
                "detail.status", self.k, ok, f"status {exchange.status}", exchange
            ):
                continue
            try:
                detail = exchange.json()
            except ValueError:
                self.results.check("detail.schema", self.k, False, "geen JSON (not JSON)", exchange)
                continue
            problems = self.ctx.validator.detail_answer(self.kind, detail)
            if isinstance(detail, dict) and detail.get(self.id_member) != record_id:
                problems.append(
                    f"/{self.id_member}: {detail.get(self.id_member)!r}, gevraagd {record_id!r}"
                )
            self.results.check("detail.schema", self.k, not problems, "; ".join(problems), exchange)
            derived = summary_from_detail(self.kind, detail)
            if derived is not None and record_id in summaries:
                self.results.check(
                    "detail.summary-consistent",
                    self.k,
                    canonical(derived) == canonical(summaries[record_id]),
                    f"samenvatting van {record_id} wijkt af van het detail zonder detail-gegevens",
                    exchange,
                )
        unknown = f"conformance-onbekend-{secrets.token_hex(8)}"
        exchange = self.send(
            "detail van een onbekend id (unknown id)", "GET", self.detail_path(unknown)
        )
        self.results.check(
            "detail.unknown-id",
            self.k,
            exchange.status in (400, 404),
            f"status {exchange.status}, verwacht 400 (of 404)",
            exchange,
        )
        self.results.check(
            "detail.unknown-id-status",
            self.k,
            exchange.status == 400,
            f"status {exchange.status}, code {error_code(exchange)!r}",
            exchange,
        )
        self.outside_pattern(
            "detail, id buiten het patroon",
            (("201 tekens", "x" * 201), ("met spaties", "id met spaties")),
        )

    # -- completeness ----------------------------------------------------------------------

    def flag_crosscheck(self) -> None:
        """An answer without the flag claims to be complete: no matching record seen elsewhere may be missing."""
        seen = self.seen()
        for answer in self.answers:
            if answer.flag:
                continue
            returned = set(answer.ids)
            missing = [
                str(s.get(self.id_member))
                for s in seen
                if str(s.get(self.id_member)) not in returned
                and placement(answer.probe.query, s, self.ctx.geo, self.options.margin_km).where
                == "in"
                and meets_criteria(answer.probe.query, s)
            ]
            self.results.check(
                "matches.flag",
                self.k,
                not missing,
                f"maximumAantalResultatenBereikt is false bij {len(answer.ids)} records, maar "
                f"{len(missing)} passende records uit andere antwoorden ontbreken: {missing[:3]}",
                answer.exchange,
            )

    def completeness(self, data: list[dict[str, Any]]) -> None:
        by_id = {str(r[self.id_member]): r for r in data if r.get(self.id_member)}
        items = list(by_id.items())
        summaries: dict[str, Any] = {}
        for answer in self.answers:
            query = answer.probe.query
            exp = expected(query, items, self.ctx.geo, self.options.margin_km)
            returned = set(answer.ids)
            foreign = sorted(returned - by_id.keys())
            self.results.check(
                "data.known",
                self.k,
                not foreign,
                f"{len(foreign)} ids niet in het bestand: {foreign[:3]}",
                answer.exchange,
            )
            n = len(answer.ids)
            uncertain = len(exp.loose - exp.strict - returned)
            if uncertain:
                self.results.note(
                    "data.completeness",
                    self.k,
                    f"{uncertain} record(s) aan de rand van het gebied of met een postcode buiten "
                    "de PC4-tabel niet teruggegeven: niet als fout geteld",
                )
            if len(exp.loose) <= MAX_RESULTS:
                missing = sorted(exp.strict - returned)
                self.results.check(
                    "data.completeness",
                    self.k,
                    not missing,
                    f"{len(exp.strict)} records passen, {len(missing)} ontbreken: {missing[:3]}",
                    answer.exchange,
                )
                self.results.check(
                    "data.flag",
                    self.k,
                    not answer.flag,
                    f"maximumAantalResultatenBereikt is true, maar hoogstens {len(exp.loose)} records passen",
                    answer.exchange,
                )
            elif len(exp.strict) > MAX_RESULTS:
                self.results.check(
                    "data.completeness",
                    self.k,
                    n == MAX_RESULTS,
                    f"{len(exp.strict)} records passen, maar {n} teruggegeven (verwacht {MAX_RESULTS})",
                    answer.exchange,
                )
                self.results.check(
                    "data.flag",
                    self.k,
                    answer.flag,
                    f"{len(exp.strict)} records passen (meer dan {MAX_RESULTS}), maar "
                    "maximumAantalResultatenBereikt is false of ontbreekt",
                    answer.exchange,
                )
            else:
                missing = sorted(exp.strict - returned)
                self.results.check(
                    "data.completeness",
                    self.k,
                    answer.flag or not missing,
                    f"{len(missing)} passende records ontbreken: {missing[:3]}",
                    answer.exchange,
                )
            for record_id, summary in zip(answer.ids, answer.summaries, strict=True):
                if record_id not in by_id:
                    continue
                if record_id not in summaries:
                    summaries[record_id] = canonical(
                        summary_from_detail(self.kind, by_id[record_id])
                    )
                self.results.check(
                    "data.summary-equal",
                    self.k,
                    canonical(summary) == summaries[record_id],
                    f"samenvatting van {record_id} wijkt af van het record in het bestand",
                    answer.exchange,
                )


def run_source(options: Options, *, runner: Runner | None = None) -> tuple[Results, Runner]:
    """Run the whole battery against the source at ``options.url``."""
    results = Results(Target.SOURCE)
    runner = runner or Runner(options.url, tls=options.tls, timeout_s=options.timeout_s)
    context = Context(options, runner, results, WireValidator(Target.SOURCE, options.contracts))
    try:
        for kind in options.kinds:
            SourceRun(context, kind).run()
    except Unreachable:
        pass
    return results, runner
