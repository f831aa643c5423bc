# SPDX-License-Identifier: EUPL-1.2
"""Saved searches: keep a search's form under a name, run it again later, change or drop it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.portal.auth import Mediator
from vum.portal.criteria import SearchForm
from vum.portal.facility import FacilityError
from vum.portal.routes import NavItem
from vum.portal.routes.results import describe, owned_search
from vum.portal.searching import run_search
from vum.portal.services import PortalDep
from vum.portal.session import flash
from vum.portal.templating import render

router = APIRouter()
NAV = [NavItem("Zoekopdrachten", "/zoekopdrachten", ("bemiddelaar",))]


@router.get("/zoekopdrachten")
def saved_searches(request: Request, user: Mediator, portal: PortalDep) -> Response:
    rows = portal.repos.saved.list(user.party, user.id)
    entries = []
    for row in rows:
        form = SearchForm.from_dict(row.form)
        entries.append((row, describe(portal, form), "/zoeken?" + urlencode(form.params())))
    recent = portal.repos.searches.recent(user.party, user.id, limit=10)
    return render(request, "saved.html", {"entries": entries, "recent": recent})


@router.post("/zoekopdrachten")
def save(
    request: Request,
    search_id: Annotated[str, Form()],
    user: Mediator,
    portal: PortalDep,
    name: Annotated[str, Form()] = "",
) -> Response:
    search = owned_search(portal, search_id, user)
    form = SearchForm.from_dict(search.form)
    title = name.strip() or ", ".join(describe(portal, form))
    portal.repos.saved.add(user.party, user.id, title, search.kind, search.form)
    flash(request, f"Zoekopdracht “{title[:80]}” bewaard.")
    return RedirectResponse(f"/resultaten/{search.id}", status_code=303)


@router.post("/zoekopdrachten/{saved_id}/uitvoeren")
async def run(
    request: Request,
    saved_id: int,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    row = await run_in_threadpool(portal.repos.saved.get, saved_id, user.party, user.id)
    if row is None:
        raise HTTPException(404)
    try:
        search = await run_search(portal, user, SearchForm.from_dict(row.form))
    except FacilityError:
        flash(
            request, "De uitwisselingsvoorziening is niet bereikbaar. Probeer het later.", "error"
        )
        return RedirectResponse("/zoekopdrachten", status_code=303)
    await run_in_threadpool(portal.repos.saved.ran, row.id)
    return RedirectResponse(f"/resultaten/{search.id}", status_code=303)


@router.post("/zoekopdrachten/{saved_id}/verwijderen")
def delete(
    request: Request,
    saved_id: int,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    if not portal.repos.saved.delete(saved_id, user.party, user.id):
        raise HTTPException(404)
    flash(request, "Zoekopdracht verwijderd.")
    return RedirectResponse("/zoekopdrachten", status_code=303)
