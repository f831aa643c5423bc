# SPDX-License-Identifier: EUPL-1.2
"""A search's results (ranked, with the "waarom" and the per-source report) and its details.

Opening a detail is a POST: it spends one of the query's ten detail requests (VUM), so it is a
deliberate, CSRF-checked action, never a link a browser might prefetch. An opened detail is kept
with its search, so looking at it again costs nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.portal.auth import Mediator
from vum.portal.criteria import SearchForm
from vum.portal.facility import FacilityError
from vum.portal.present import detail_sections, fingerprint, results, title_of
from vum.portal.routes import NavItem
from vum.portal.searching import caller_of, expired, expires_at
from vum.portal.services import Portal, PortalDep
from vum.portal.session import flash
from vum.portal.templating import render
from vum.standard.kinds import Kind
from vum.store.portal import SearchRow, UserRow

router = APIRouter()
NAV: list[NavItem] = []
PAGE = 25
#: The per-source statuses of the facility's report, in Dutch.
SOURCE_STATUS = {
    "answered": "Geantwoord",
    "timeout": "Te laat (time-out)",
    "failed": "Mislukt",
    "invalid": "Ongeldig antwoord",
    "suspended": "Tijdelijk uitgeschakeld",
}


def owned_search(portal: Portal, search_id: str, user: UserRow) -> SearchRow:
    """The user's own search; 404 for any other (another party's looks like no search at all)."""
    found = portal.repos.searches.get(search_id[:32], user.party, user.id)
    if found is None:
        raise HTTPException(404)
    return found


def describe(portal: Portal, form: SearchForm) -> list[str]:
    """The search in a few words, for the results page's heading."""
    parts = [f"binnen {form.radius} km van {form.postcode}"]
    names = [o.label for o in (portal.register.get(u) for u in form.occupations) if o]
    if names:
        parts.insert(0, " of ".join(names))
    if form.text:
        parts.append(f"met de woorden “{form.text}”")
    return parts


@router.get("/resultaten/{search_id}")
def results_page(
    request: Request,
    search_id: str,
    user: Mediator,
    portal: PortalDep,
    pagina: int = 1,
) -> Response:
    search = owned_search(portal, search_id, user)
    kind = Kind(search.kind)
    form = SearchForm.from_dict(search.form)
    total = len(search.answer.get("matches") or [])
    pages = max(1, -(-total // PAGE))
    page = min(max(pagina, 1), pages)
    return render(
        request,
        "results.html",
        {
            "search": search,
            "form": form,
            "kind": kind,
            "profiles": kind is Kind.WERKZOEKENDE,
            "about": describe(portal, form),
            "results": results(
                kind, search.answer, portal.register, start=(page - 1) * PAGE, count=PAGE
            ),
            "total": total,
            "page": page,
            "pages": pages,
            "sources": search.answer.get("bronnen") or [],
            "source_status": SOURCE_STATUS,
            "more": bool(search.answer.get("meer")),
            "suggestions": search.answer.get("suggesties") or [],
            "opened": portal.repos.searches.opened(search.id),
            "details_left": max(0, portal.settings.max_details - search.details_used),
            "max_details": portal.settings.max_details,
            "expires_at": expires_at(portal, search),
            "expired": expired(portal, search),
        },
    )


def _match(search: SearchRow, position: int) -> dict[str, object]:
    matches = search.answer.get("matches") or []
    if not 0 <= position < len(matches):
        raise HTTPException(404)
    found: dict[str, object] = matches[position]
    return found


@router.get("/resultaten/{search_id}/{position}")
def detail_page(
    request: Request,
    search_id: str,
    position: int,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    search = owned_search(portal, search_id, user)
    summary = _match(search, position)
    kind = Kind(search.kind)
    detail = portal.repos.searches.detail(search.id, position)
    record = detail.get(kind.detail_member) if detail else None
    view = results(kind, search.answer, portal.register, start=position, count=1)[0]
    on_list = {
        (i.source, i.fingerprint) for i in portal.repos.shortlists.items(user.party, user.id)
    }
    return render(
        request,
        "detail.html",
        {
            "search": search,
            "kind": kind,
            "position": position,
            "view": view,
            "title": title_of(kind, summary, portal.register),
            "sections": detail_sections(kind, record, portal.register) if record else None,
            "details_left": max(0, portal.settings.max_details - search.details_used),
            "max_details": portal.settings.max_details,
            "expires_at": expires_at(portal, search),
            "expired": expired(portal, search),
            "kept": (view.source, fingerprint(summary)) in on_list,
        },
    )


@router.post("/resultaten/{search_id}/{position}/openen")
async def open_detail(
    request: Request,
    search_id: str,
    position: int,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    search = await run_in_threadpool(owned_search, portal, search_id, user)
    summary = _match(search, position)
    target = f"/resultaten/{search.id}/{position}"
    searches = portal.repos.searches
    if await run_in_threadpool(searches.detail, search.id, position) is not None:
        return RedirectResponse(target, status_code=303)
    if expired(portal, search):
        flash(request, "Deze resultaten zijn verlopen; zoek opnieuw om details te openen.", "error")
        return RedirectResponse(target, status_code=303)
    kind = Kind(search.kind)
    try:
        detail = await portal.facility.detail(kind, str(summary["vumID"]), caller_of(portal, user))
    except FacilityError as exc:
        if exc.status == 429:
            await run_in_threadpool(
                searches.set_details_used, search.id, portal.settings.max_details
            )
            flash(
                request,
                f"U hebt de {portal.settings.max_details} details van deze zoekopdracht gebruikt.",
                "error",
            )
        elif exc.status == 503:
            await run_in_threadpool(searches.set_details_used, search.id, search.details_used + 1)
            flash(
                request,
                "De bron van dit resultaat is nu niet bereikbaar. Probeer het later opnieuw.",
                "error",
            )
        else:
            flash(request, "Het detail kon niet worden opgehaald.", "error")
        return RedirectResponse(target, status_code=303)
    await run_in_threadpool(searches.save_detail, search.id, position, user.id, detail)
    await run_in_threadpool(searches.set_details_used, search.id, search.details_used + 1)
    return RedirectResponse(target, status_code=303)
