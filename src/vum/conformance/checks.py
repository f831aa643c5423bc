# SPDX-License-Identifier: EUPL-1.2
"""The registry of conformance checks (name, level per target, contract reference) and the results of one run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vum.conformance.runner import Exchange


class Level(StrEnum):
    """Required checks decide the verdict; advisory ones are reported but never fail the run."""

    REQUIRED = "verplicht"
    ADVISORY = "advies"


class Target(StrEnum):
    SOURCE = "source"
    FACILITY = "facility"


R, A = Level.REQUIRED, Level.ADVISORY
_BRON = "VUM-Bron-*.yaml"
_BEM = "VUM-Bemiddelaar-*.yaml"
_BOTH = "VUM-Bron-*.yaml / VUM-Bemiddelaar-*.yaml"


@dataclass(frozen=True)
class CheckSpec:
    """One check: what it verifies (Dutch), where the contract says so, its level per target."""

    name: str
    title: str
    contract: str
    source: Level | None
    facility: Level | None

    def level(self, target: Target) -> Level | None:
        return self.source if target is Target.SOURCE else self.facility


_SPECS = (
    CheckSpec("connection", "de dienst is bereikbaar over HTTP(S), ook met mTLS", "servers", R, R),
    CheckSpec("matches.status", "geldige zoekvragen krijgen 200", f"{_BOTH}: POST /{{resource}}/matches responses.200", R, R),
    CheckSpec("matches.schema", "het antwoord en elke samenvatting voldoen aan het contract (datamodel; met --contracts ook de gepubliceerde schema's)", f"{_BOTH}: responses.200 schema, MPWerkzoekendeMatch/MPVacatureMatch (additionalProperties: false)", R, R),
    CheckSpec("matches.limit", "ten hoogste 100 samenvattingen per bron", "afsprakenkader; beschrijving maximumAantalResultatenBereikt ('standaard 100')", R, R),
    CheckSpec("matches.unique", "geen record (id of vumID) twee keer in één antwoord", f"{_BOTH}: arrays zijn verzamelingen", R, R),
    CheckSpec("matches.semantics", "elke samenvatting voldoet aan de criteria van de zoekvraag (referentie-evaluator)", "README 'selectie aan de bron'; MPWerkzoekende/MPVacature", R, A),
    CheckSpec("matches.distance", "de postcode van elke samenvatting ligt binnen 'afstand' km (plus marge)", "selectiegebied_selectie", R, A),
    CheckSpec("matches.flag", "maximumAantalResultatenBereikt is true als de bron meer matches heeft dan ze teruggaf (kruiscontrole tussen antwoorden)", f"{_BRON}: maximumAantalResultatenBereikt", R, None),
    CheckSpec("latency.budget", "elk antwoord op een geldige vraag binnen het tijdsbudget (bron 4 s, voorziening 10 s)", "afsprakenkader (pilots: 4 s per bron, 10 s per zoekvraag)", R, R),
    CheckSpec("response.content-type", "JSON-antwoorden hebben Content-Type application/json", f"{_BOTH}: content application/json", R, R),
    CheckSpec("errors.body", "elk 400/429/500/503-antwoord heeft de Error-body {code, message, details}", f"{_BOTH}: components.schemas.Error", R, R),
    CheckSpec("query.malformed", "een ongeldige zoekvraag krijgt 400", f"{_BOTH}: requestBody schema, responses.400", R, R),
    CheckSpec("query.malformed-code", "de foutcode van een ongeldige zoekvraag is 400.01 of 400.02", "README: bekende codes 400.01, 400.02", A, A),
    CheckSpec("query.unknown-members", "onbekende gegevens in vraagObject worden genegeerd, niet geweigerd", "README: 'a source ignores criteria it does not know'", R, R),
    CheckSpec("query.unknown-members-same", "met onbekende gegevens hetzelfde antwoord als zonder", "README: forward compatibility", R, A),
    CheckSpec("request.extra-member", "een gegeven naast vraagObject: 400 bij profielen (additionalProperties: false), genegeerd bij vacatures", "requestBodies (WerkzoekendeProfielMatchesRequest: additionalProperties false)", A, A),
    CheckSpec("detail.status", "een detailverzoek voor een teruggegeven record krijgt 200", f"{_BOTH}: GET /{{resource}}/{{id}} responses.200", R, R),
    CheckSpec("detail.schema", "het detail voldoet aan het contract en hoort bij het gevraagde record", f"{_BRON}: Werkzoekende/Vacature; {_BEM}: {{bronID, werkzoekende|vacature}}", R, R),
    CheckSpec("detail.summary-consistent", "de samenvatting is het detail zonder de detail-gegevens", "waardelijsten: eerste antwoord of alleen detail", A, None),
    CheckSpec("detail.unknown-id", "een onbekend id krijgt een foutantwoord (400 of 404) met Error-body, nooit 200", f"{_BRON}: GET responses", R, None),
    CheckSpec("detail.unknown-id-status", "een onbekend id krijgt 400 (het contract kent geen 404)", f"{_BRON}: GET responses (200/400/401/429/500/503)", A, None),
    CheckSpec("detail.invalid-id", "een id of vumID buiten het patroon wordt geweigerd (4xx)", "SafeIDString ^[a-zA-Z0-9_.-]{0,200}$, VumID ^[a-zA-Z0-9_.-]{0,500}$", R, R),
    CheckSpec("detail.limit", "het 11e detailverzoek voor één zoekvraag krijgt 429 met code 429.01", f"{_BEM}: responses.429; afsprakenkader (10 details per zoekvraag)", None, R),
    CheckSpec("detail.other-party", "een andere partij krijgt het detail van dezelfde vumID niet", f"{_BEM}: responses.401", None, R),
    CheckSpec("vumid.format", "elke vumID voldoet aan [a-zA-Z0-9_.-]{1,500}", f"{_BEM}: VumID", None, R),
    CheckSpec("vumid.fresh", "twee gelijke zoekvragen geven andere vumID's en een andere vraagID", "README: vumID is een pseudoniem", None, R),
    CheckSpec("vumid.opaque", "een vumID bevat het id van de bron en het record niet leesbaar", "README: 'reveals neither'", None, A),
    CheckSpec("vumid.altered", "een gewijzigde vumID wordt geweigerd", f"{_BEM}: responses.400", None, R),
    CheckSpec("retention", "resultaten blijven 7 dagen opvraagbaar (niet te controleren in één run)", "afsprakenkader (bewaartermijn 7 dagen)", None, A),
    CheckSpec("headers.missing", "elke verplichte header weggelaten: 400 (of 401), nooit 200", f"{_BOTH}: parameters (required: true)", R, R),
    CheckSpec("headers.missing-code", "een ontbrekende header geeft 400 met code 400.02", "README: 400.02 onvolledige aanroep", A, A),
    CheckSpec("headers.invalid", "een verkeerde versie (of X-VUM-SUWIparty geen boolean) geeft 400", f"{_BOTH}: parameters (enum 3.0.0; boolean)", R, R),
    CheckSpec("headers.version", "elk antwoord heeft X-VUM-berichtVersie en API-Version 3.0.0", f"{_BOTH}: responses.*.headers", R, R),
    CheckSpec("headers.parties", "elk antwoord heeft de partij-headers die de aanroep noemde, met waarden uit de aanroep", f"{_BOTH}: responses.*.headers (X-VUM-fromParty/toParty/viaParty)", R, R),
    CheckSpec("headers.parties-direction", "het antwoord reist terug: fromParty en toParty verwisseld, viaParty gelijk", "docs/source-api.md (het contract beschrijft de waarden niet)", A, A),
    CheckSpec("data.known", "elk teruggegeven id staat in het --with-data-bestand", "--with-data", R, None),
    CheckSpec("data.completeness", "elk passend record uit het bestand komt terug (tot 100)", "README 'selectie aan de bron'; afsprakenkader", R, None),
    CheckSpec("data.flag", "maximumAantalResultatenBereikt is true precies als meer dan 100 records passen", f"{_BRON}: maximumAantalResultatenBereikt", R, None),
    CheckSpec("data.summary-equal", "de samenvatting is de samenvatting van het record in het bestand", "waardelijsten: eerste antwoord of alleen detail", A, None),
)  # fmt: skip

CHECKS: dict[str, CheckSpec] = {spec.name: spec for spec in _SPECS}

#: failures kept per check (the rest is counted)
MAX_EXAMPLES = 5


@dataclass
class Failure:
    """One failed observation, with the exchange that shows it (when there is one)."""

    note: str
    exchange: Exchange | None = None


@dataclass
class CheckResult:
    """The outcome of one check for one kind (or none) in one run."""

    spec: CheckSpec
    level: Level
    kind: str | None
    tested: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def status(self) -> str:
        """``pass``, ``fail`` or ``skip`` (nothing tested)."""
        if self.failed:
            return "fail"
        if self.tested == 0:
            return "skip"
        return "pass"


class Results:
    """Every check's result in one run, in registry order per kind."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._results: dict[tuple[str, str | None], CheckResult] = {}

    def result(self, name: str, kind: str | None) -> CheckResult:
        key = (name, kind)
        if key not in self._results:
            spec = CHECKS[name]
            level = spec.level(self.target)
            if level is None:
                raise KeyError(f"check {name} does not apply to a {self.target.value}")
            self._results[key] = CheckResult(spec, level, kind)
        return self._results[key]

    def check(
        self,
        name: str,
        kind: str | None,
        ok: bool,
        note: str = "",
        exchange: Exchange | None = None,
    ) -> bool:
        """Count one observation; keep the first failures with their exchange. Returns ``ok``."""
        result = self.result(name, kind)
        result.tested += 1
        if not ok:
            result.failed += 1
            if len(result.failures) < MAX_EXAMPLES:
                result.failures.append(Failure(note, exchange))
        return ok

    def note(self, name: str, kind: str | None, text: str) -> None:
        """A remark on a check (a measurement, a limitation) that does not change its outcome."""
        notes = self.result(name, kind).notes
        if text not in notes and len(notes) < MAX_EXAMPLES:
            notes.append(text)

    def skip(self, name: str, kind: str | None, reason: str) -> None:
        result = self.result(name, kind)
        result.skipped = reason

    def __iter__(self) -> Iterator[CheckResult]:
        order = {name: i for i, name in enumerate(CHECKS)}
        return iter(
            sorted(
                self._results.values(),
                key=lambda r: (r.kind or "", order[r.spec.name]),
            )
        )

    @property
    def conform(self) -> bool:
        """True when no required check failed."""
        return not any(r.failed for r in self if r.level is Level.REQUIRED)
