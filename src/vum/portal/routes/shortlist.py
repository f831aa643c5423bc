# SPDX-License-Identifier: EUPL-1.2
"""The shortlist: keep candidates and vacancies with a note and a status, beyond the 7 days; CSV export.

An item keeps what the mediator wrote and a short label; the record itself stays at its source.
While its search is kept, the item links to it; after that, "terugvinden" runs the search that
found it again and looks for the same record (same source, same summary) among the answers.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.portal.auth import Mediator
from vum.portal.criteria import SearchForm
from vum.portal.export import to_csv
from vum.portal.facility import FacilityError
from vum.portal.present import fingerprint, shortlist_label
from vum.portal.routes import NavItem
from vum.portal.routes.results import owned_search
from vum.portal.searching import expired, run_search
from vum.portal.services import Portal, PortalDep
from vum.portal.session import flash
from vum.portal.templating import render
from vum.standard.kinds import Kind
from vum.store.portal import ShortlistItemRow, UserRow

router = APIRouter()
NAV = [NavItem("Shortlist", "/shortlist", ("bemiddelaar",))]
STATUSES = {
    "nieuw": "Nieuw",
    "benaderd": "Benaderd",
    "gesprek": "In gesprek",
    "voorgesteld": "Voorgesteld",
    "geplaatst": "Geplaatst",
    "afgevallen": "Afgevallen",
}
KIND_NAMES = {Kind.WERKZOEKENDE.value: "Werkzoekende", Kind.VACATURE.value: "Vacature"}


def _link(portal: Portal, user: UserRow, item: ShortlistItemRow) -> str | None:
    """The item's detail or result page while its search is kept; None once it is not."""
    if item.search_id is None or item.position is None:
        return None
    search = portal.repos.searches.get(item.search_id, user.party, user.id)
    if search is None or expired(portal, search):
        return None
    return f"/resultaten/{item.search_id}/{item.position}"


@router.get("/shortlist")
def shortlist(request: Request, user: Mediator, portal: PortalDep) -> Response:
    items = portal.repos.shortlists.items(user.party, user.id)
    return render(
        request,
        "shortlist.html",
        {
            "items": [(item, _link(portal, user, item)) for item in items],
            "statuses": STATUSES,
            "kinds": KIND_NAMES,
        },
    )


@router.post("/shortlist")
def keep(
    request: Request,
    search_id: Annotated[str, Form()],
    position: Annotated[int, Form()],
    user: Mediator,
    portal: PortalDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    search = owned_search(portal, search_id, user)
    matches = search.answer.get("matches") or []
    if not 0 <= position < len(matches):
        raise HTTPException(404)
    kind = Kind(search.kind)
    summary = matches[position]
    ranking = search.answer.get("ranking") or []
    source = str((ranking[position] if position < len(ranking) else {}).get("bron") or "")
    _, created = portal.repos.shortlists.add_item(
        user.party,
        user.id,
        kind=kind.value,
        label=shortlist_label(kind, summary, portal.register),
        source=source[:20],
        fingerprint=fingerprint(summary),
        form=search.form,
        search_id=search.id,
        position=position,
        status="nieuw",
        note=note[:5000],
    )
    flash(request, "Op de shortlist gezet." if created else "Stond al op de shortlist.")
    return RedirectResponse(f"/resultaten/{search.id}/{position}", status_code=303)


@router.post("/shortlist/{item_id}")
def update(
    request: Request,
    item_id: int,
    user: Mediator,
    portal: PortalDep,
    note: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "nieuw",
) -> Response:
    if status not in STATUSES:
        raise HTTPException(422)
    if not portal.repos.shortlists.update_item(
        item_id, user.party, user.id, note=note[:5000], status=status
    ):
        raise HTTPException(404)
    flash(request, "Notitie en status bewaard.")
    return RedirectResponse(f"/shortlist#item-{item_id}", status_code=303)


@router.post("/shortlist/{item_id}/verwijderen")
def remove(
    request: Request,
    item_id: int,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    if not portal.repos.shortlists.delete_item(item_id, user.party, user.id):
        raise HTTPException(404)
    flash(request, "Van de shortlist gehaald.")
    return RedirectResponse("/shortlist", status_code=303)


@router.post("/shortlist/{item_id}/terugvinden")
async def refind(
    request: Request,
    item_id: int,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    """Run the item's search again and look for the same record among the answers."""
    shortlists = portal.repos.shortlists
    item = await run_in_threadpool(shortlists.item, item_id, user.party, user.id)
    if item is None:
        raise HTTPException(404)
    try:
        search = await run_search(portal, user, SearchForm.from_dict(item.form))
    except FacilityError:
        flash(
            request, "De uitwisselingsvoorziening is niet bereikbaar. Probeer het later.", "error"
        )
        return RedirectResponse("/shortlist", status_code=303)
    ranking = search.answer.get("ranking") or []
    for position, summary in enumerate(search.answer.get("matches") or []):
        source = (ranking[position] if position < len(ranking) else {}).get("bron")
        if source == item.source and fingerprint(summary) == item.fingerprint:
            relink = partial(shortlists.update_item, search_id=search.id, position=position)
            await run_in_threadpool(relink, item.id, user.party, user.id)
            flash(request, "Teruggevonden met de bewaarde zoekopdracht.")
            return RedirectResponse(f"/resultaten/{search.id}/{position}", status_code=303)
    flash(
        request,
        "Niet teruggevonden: de bron heeft de gegevens gewijzigd of verwijderd. "
        "Hieronder de resultaten van dezelfde zoekopdracht.",
        "error",
    )
    return RedirectResponse(f"/resultaten/{search.id}", status_code=303)


@router.get("/shortlist.csv")
def export(user: Mediator, portal: PortalDep) -> Response:
    items = portal.repos.shortlists.items(user.party, user.id)
    body = to_csv(
        ["soort", "omschrijving", "status", "notitie", "bron", "toegevoegd", "gewijzigd"],
        (
            [
                KIND_NAMES.get(i.kind, i.kind),
                i.label,
                STATUSES.get(i.status, i.status),
                i.note,
                i.source,
                i.created_at.strftime("%Y-%m-%d %H:%M"),
                i.updated_at.strftime("%Y-%m-%d %H:%M"),
            ]
            for i in items
        ),
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="shortlist.csv"'},
    )
