# SPDX-License-Identifier: EUPL-1.2
"""Operations (beheerder): traffic per source over the last hour and day, with charts and alerts; the parties.

Pilot finding 11: an outage of the big source, and a release that made every result unusable,
went unnoticed until a user called. The figures come from the metrics history that every
facility worker adds to in the shared store (``source_stats``), the suspensions from the
circuit breaker's state (``source_health``) and the parties from the registry. A source is
flagged at the top when its time-out, error or invalid-record rate over the last minutes
(settings ``alert_*``) reaches the threshold, or when the breaker has suspended it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.portal.auth import require_role
from vum.portal.charts import Chart, Series, duration, lines, stacked_bars
from vum.portal.routes import NavItem
from vum.portal.services import Portal, PortalDep
from vum.portal.templating import render
from vum.store.parties import PartyRow
from vum.store.portal import UserRow
from vum.store.source_stats import StatsCounts, minute_of

router = APIRouter()
NAV = [
    NavItem("Verkeer", "/verkeer", ("beheerder",)),
    NavItem("Partijen", "/partijen", ("beheerder",)),
]
#: A route's parameter for a logged-in operator (role ``beheerder``).
Operator = Annotated[UserRow, Depends(require_role("beheerder"))]

_ZONE = ZoneInfo("Europe/Amsterdam")
#: The stacked bars of queries by outcome; colours with at least 3:1 against white (WCAG 1.4.11).
OUTCOMES = [
    Series("Beantwoord", "#1d5e2e"),
    Series("Time-out", "#a34400"),
    Series("Fout of ongeldig antwoord", "#8f1d13"),
    Series("Overgeslagen (geschorst)", "#5c6b7a"),
]
#: The latency lines; p95 also dashed, so the two differ without colour.
LATENCY = [Series("p50", "#006fb3"), Series("p95", "#8f1d13", "6 3")]
ROLE_NAMES = {
    "bemiddelaar": "Bemiddelaar",
    "bron-werkzoekende": "Bron werkzoekenden",
    "bron-vacature": "Bron vacatures",
}
PARTY_STATUS = {"active": "Actief", "suspended": "Geschorst", "ended": "Beëindigd"}


@dataclass(frozen=True)
class Window:
    """A span of the dashboard: the last ``minutes``, in steps of ``step`` minutes."""

    key: str
    title: str
    minutes: int
    step: int
    per: str


WINDOWS = (
    Window("uur", "Laatste uur", 60, 1, "per minuut"),
    Window("dag", "Laatste 24 uur", 1440, 15, "per kwartier"),
)


@dataclass(frozen=True)
class Slot:
    """One step of a window: its start (local time) and what the source did in it."""

    label: str
    counts: StatsCounts


@dataclass
class SourceTraffic:
    """One source on the dashboard: totals, steps and charts per window, and its suspension."""

    oin: str
    name: str
    totals: dict[str, StatsCounts] = field(default_factory=dict)
    slots: dict[str, list[Slot]] = field(default_factory=dict)
    charts: dict[str, list[Chart]] = field(default_factory=dict)
    suspended_until: dt.datetime | None = None
    failures: int = 0


@dataclass(frozen=True)
class Alert:
    """A source that needs attention, in a sentence."""

    oin: str
    name: str
    reason: str
    text: str


def _local(minute: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(minute * 60, dt.UTC).astimezone(_ZONE)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "0 %"


def _slots(
    points: dict[int, StatsCounts], since: int, until: int, step: int
) -> list[tuple[int, StatsCounts]]:
    first = since - since % step
    return [(m, points.get(m, StatsCounts())) for m in range(first, until, step)]


def _charts(source: SourceTraffic, window: Window, slots: list[Slot]) -> list[Chart]:
    labels = [s.label for s in slots]
    total = source.totals[window.key]
    busiest = max(slots, key=lambda s: s.counts.queries, default=None)
    peak = (
        f"; het meeste verkeer om {busiest.label} ({busiest.counts.queries} vragen)"
        if busiest is not None and busiest.counts.queries
        else ""
    )
    ident = f"grafiek-{source.oin}-{window.key}"
    bars = stacked_bars(
        f"{ident}-vragen",
        f"Vragen aan {source.name}, {window.title.lower()} {window.per}",
        f"{total.queries} vragen: {total.answered} beantwoord, {total.timeout} time-outs, "
        f"{total.errors} fouten of ongeldige antwoorden, {total.suspended} overgeslagen{peak}.",
        labels,
        OUTCOMES,
        [[s.counts.answered, s.counts.timeout, s.counts.errors, s.counts.suspended] for s in slots],
    )
    p50, p95 = total.percentile_ms(0.5), total.percentile_ms(0.95)
    summary = (
        f"Over het geheel: p50 {duration(p50)}, p95 {duration(p95)}."
        if p50 is not None and p95 is not None
        else "Geen gemeten antwoorden."
    )
    latency = lines(
        f"{ident}-tijd",
        f"Antwoordtijd van {source.name} (p50 en p95), {window.title.lower()} {window.per}",
        summary,
        labels,
        LATENCY,
        [[s.counts.percentile_ms(0.5), s.counts.percentile_ms(0.95)] for s in slots],
    )
    return [bars, latency]


def _alerts(
    portal: Portal, sources: list[SourceTraffic], window: dict[str, StatsCounts]
) -> list[Alert]:
    settings = portal.settings
    rate, least, minutes = (
        settings.alert_rate,
        settings.alert_min_queries,
        settings.alert_window_minutes,
    )
    found: list[Alert] = []
    for source in sources:
        who = f"{source.name} ({source.oin})"
        if source.suspended_until is not None:
            found.append(
                Alert(
                    source.oin,
                    source.name,
                    "geschorst",
                    f"{who} is geschorst tot {source.suspended_until:%H:%M} na "
                    f"{source.failures} mislukte vragen op rij; de voorziening slaat deze bron "
                    "over en probeert het daarna opnieuw.",
                )
            )
        counts = window.get(source.oin)
        if counts is None or counts.asked < least:
            continue
        asked = counts.asked
        if counts.timeout / asked >= rate:
            found.append(
                Alert(
                    source.oin,
                    source.name,
                    "time-out",
                    f"{who}: {counts.timeout} van {asked} vragen "
                    f"({_percent(counts.timeout, asked)}) kregen geen antwoord binnen de tijd "
                    f"(time-out) in de laatste {minutes} minuten.",
                )
            )
        if counts.errors / asked >= rate:
            found.append(
                Alert(
                    source.oin,
                    source.name,
                    "fouten",
                    f"{who}: {counts.errors} van {asked} vragen "
                    f"({_percent(counts.errors, asked)}) mislukten of kregen een ongeldig "
                    f"antwoord in de laatste {minutes} minuten.",
                )
            )
        share = counts.invalid_share
        if share is not None and share >= rate:
            sent = counts.records + counts.invalid_records
            found.append(
                Alert(
                    source.oin,
                    source.name,
                    "ongeldig",
                    f"{who}: {counts.invalid_records} van de {sent} records "
                    f"({_percent(counts.invalid_records, sent)}) waren ongeldig en zijn "
                    f"weggelaten in de laatste {minutes} minuten.",
                )
            )
    return found


def dashboard(portal: Portal) -> dict[str, Any]:
    """Everything the traffic page shows, read from the store at this moment (blocking)."""
    repos = portal.repos
    now = portal.clock()
    until = minute_of(now) + 1
    parties = {p.oin: p for p in repos.parties.list()}
    health = repos.source_health.all()
    oins = {oin for oin, p in parties.items() if any(r.startswith("bron-") for r in p.roles)}
    per_window: dict[str, dict[str, dict[int, StatsCounts]]] = {}
    totals: dict[str, dict[str, StatsCounts]] = {}
    for window in WINDOWS:
        since = until - window.minutes
        points: dict[str, dict[int, StatsCounts]] = {}
        for point in repos.source_stats.series(since, until, window.step):
            points.setdefault(point.source, {})[point.start] = point.counts
        per_window[window.key] = points
        totals[window.key] = repos.source_stats.totals(since, until)
        oins |= set(points)
    recent = repos.source_stats.totals(until - portal.settings.alert_window_minutes, until)
    sources: list[SourceTraffic] = []
    for oin in sorted(oins, key=lambda o: (parties[o].name if o in parties else o, o)):
        source = SourceTraffic(oin, parties[oin].name if oin in parties else oin)
        state = health.get(oin)
        if state is not None and state.suspended_until > now:
            source.suspended_until = dt.datetime.fromtimestamp(state.suspended_until, _ZONE)
            source.failures = state.failures
        for window in WINDOWS:
            source.totals[window.key] = totals[window.key].get(oin, StatsCounts())
            steps = _slots(
                per_window[window.key].get(oin, {}), until - window.minutes, until, window.step
            )
            slots = [Slot(f"{_local(m):%H:%M}", counts) for m, counts in steps]
            source.slots[window.key] = slots
            source.charts[window.key] = _charts(source, window, slots)
        sources.append(source)
    return {
        "sources": sources,
        "windows": WINDOWS,
        "alerts": _alerts(portal, sources, recent),
        "updated": dt.datetime.fromtimestamp(now, _ZONE),
        "settings": portal.settings,
        "outcomes": OUTCOMES,
        "latency": LATENCY,
        "duration": duration,
        "percent": _percent,
    }


@router.get("/verkeer")
async def traffic(
    request: Request, user: Operator, portal: PortalDep, vernieuwen: str = "aan"
) -> Response:
    context = await run_in_threadpool(dashboard, portal)
    refresh = portal.settings.dashboard_refresh_s if vernieuwen != "uit" else 0
    return render(request, "operations/traffic.html", {**context, "refresh": refresh})


@router.get("/verkeer/cijfers")
async def traffic_fragment(request: Request, user: Operator, portal: PortalDep) -> Response:
    """The dashboard alone, for htmx to swap in every few seconds (a browser gets the page)."""
    if not request.headers.get("hx-request"):
        return RedirectResponse("/verkeer", status_code=303)
    context = await run_in_threadpool(dashboard, portal)
    refresh = portal.settings.dashboard_refresh_s
    return render(request, "operations/_dashboard.html", {**context, "refresh": refresh})


def _endpoint(party: PartyRow) -> str:
    if party.endpoint == "hosted":
        return "Gehoste bron (upload)"
    if party.endpoint == "api":
        return f"API: {party.url or 'geen adres'}"
    return "Geen bron"


@router.get("/partijen")
async def parties(request: Request, user: Operator, portal: PortalDep) -> Response:
    repos = portal.repos
    rows = await run_in_threadpool(repos.parties.list)
    health = await run_in_threadpool(repos.source_health.all)
    now = portal.clock()
    suspended = {
        oin: dt.datetime.fromtimestamp(state.suspended_until, _ZONE)
        for oin, state in health.items()
        if state.suspended_until > now
    }
    return render(
        request,
        "operations/parties.html",
        {
            "parties": sorted(rows, key=lambda p: (p.name.lower(), p.oin)),
            "role_names": ROLE_NAMES,
            "statuses": PARTY_STATUS,
            "endpoint": _endpoint,
            "suspended": suspended,
        },
    )
