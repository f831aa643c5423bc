# SPDX-License-Identifier: EUPL-1.2
"""Running a search through the facility and keeping it; suggestions that widen a search with few results.

Suggestions are real queries (with ``X-OpenVUM-Explain: bronnen``, no "waarom" needed): their
counts are what the mediator will get, and each is logged by the facility like any query.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool

from vum.portal.criteria import RADII, WISHABLE, SearchForm
from vum.portal.facility import Caller, FacilityError, MatchesAnswer
from vum.portal.services import Portal
from vum.store.portal import SearchRow, UserRow

#: How many related occupations one click (and one suggestion) adds.
RELATED_COUNT = 4


def caller_of(portal: Portal, user: UserRow) -> Caller:
    return Caller(user.party, user.pseudonym, portal.settings.processing_activity)


def related_occupations(portal: Portal, uris: tuple[str, ...], count: int) -> list[str]:
    """The strongest related occupations of ``uris`` that are not among them already."""
    found: dict[str, float] = {}
    for uri in uris:
        if portal.register.get(uri) is None:
            continue
        for related in portal.register.related(uri, limit=count * 2):
            other = related.occupation.uri
            if other not in uris:
                found[other] = max(found.get(other, 0.0), related.strength)
    return sorted(found, key=lambda u: -found[u])[:count]


def _suggested_forms(portal: Portal, form: SearchForm) -> list[tuple[str, SearchForm]]:
    out: list[tuple[str, SearchForm]] = []
    wider = [r for r in RADII if r > form.radius][:2]
    for radius in wider:
        out.append((f"Zoek binnen {radius} km", form.replace(radius=radius)))
    related = related_occupations(portal, form.occupations, RELATED_COUNT)
    if related:
        names = ", ".join(
            o.label for o in (portal.register.get(u) for u in related) if o is not None
        )
        out.append(
            (
                f"Voeg verwante beroepen toe: {names}",
                form.replace(occupations=(*form.occupations, *related)),
            )
        )
    musts = [w for w in WISHABLE if w not in form.wishes and _has(form, w)]
    if musts:
        out.append(("Maak alle eisen wensen", form.replace(wishes=frozenset(WISHABLE))))
    return out


def _has(form: SearchForm, criterion: str) -> bool:
    values = {
        "hours": form.hours_min or form.hours_max,
        "licences": form.licences,
        "languages": form.languages,
        "contracts": form.contracts,
        "irregular": form.irregular,
        "office_hours": form.office_hours,
        "available_by": form.available_by,
        "starts_from": form.starts_from,
        "level": form.level_from,
    }
    return bool(values.get(criterion))


async def _count(portal: Portal, user: UserRow, form: SearchForm) -> int | None:
    try:
        answer = await portal.facility.matches(
            form.kind, form.vraag(), caller_of(portal, user), explain="bronnen"
        )
    except FacilityError:
        return None
    return len(answer.matches)


async def suggestions(
    portal: Portal, user: UserRow, form: SearchForm, found: int
) -> list[dict[str, Any]]:
    """Wider searches with their counts, only those that find more than ``found``."""
    options = _suggested_forms(portal, form)
    counts = await asyncio.gather(*(_count(portal, user, f) for _, f in options))
    return [
        {"label": label, "params": wider.params(), "count": count}
        for (label, wider), count in zip(options, counts, strict=True)
        if count is not None and count > found
    ]


async def run_search(portal: Portal, user: UserRow, form: SearchForm) -> SearchRow:
    """Ask the facility, keep the answer (and suggestions when it is small); raises FacilityError."""
    answer: MatchesAnswer = await portal.facility.matches(
        form.kind, form.vraag(), caller_of(portal, user)
    )
    stored = answer.as_dict()
    if len(answer.matches) < portal.settings.few_results:
        stored["suggesties"] = await suggestions(portal, user, form, len(answer.matches))
    return await run_in_threadpool(
        portal.repos.searches.save,
        user.party,
        user.id,
        form.kind.value,
        answer.vraag_id,
        form.to_dict(),
        form.vraag(),
        stored,
    )


def expires_at(portal: Portal, search: SearchRow) -> dt.datetime:
    """Until when the facility keeps the result set (and its details can be opened)."""
    return search.created_at + portal.settings.retention


def expired(portal: Portal, search: SearchRow) -> bool:
    now = dt.datetime.fromtimestamp(portal.clock(), dt.UTC)
    return now >= expires_at(portal, search)
