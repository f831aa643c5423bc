# SPDX-License-Identifier: EUPL-1.2
"""The search form, the occupation typeahead (htmx, with a plain-form fallback), and running a search.

Without JavaScript every step posts the same form back (no CSRF token ever lands in a URL):
"Zoek beroep" shows the register's suggestions as buttons, each of which adds its occupation;
"verwante beroepen" adds the related ones; "verwijder" drops one. With htmx the same buttons
fetch small fragments instead (GET: the form's token is not sent with them).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.portal.auth import Mediator
from vum.portal.criteria import LANGUAGE_ROWS, LANGUAGES, RADII, SearchForm
from vum.portal.facility import FacilityError
from vum.portal.routes import NavItem
from vum.portal.searching import RELATED_COUNT, related_occupations, run_search
from vum.portal.services import Portal, PortalDep
from vum.portal.templating import render
from vum.standard import codelists as cl
from vum.standard.kinds import Kind

router = APIRouter()
NAV = [NavItem("Zoeken", "/zoeken", ("bemiddelaar",))]
#: Occupation suggestions shown for what was typed.
SUGGESTIONS = 8


def _occupation(portal: Portal, uri: str) -> dict[str, str]:
    found = portal.register.get(uri)
    return {"uri": uri, "label": found.label if found else uri.rsplit("/", 1)[-1]}


def suggest(portal: Portal, text: str, chosen: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Register hits for ``text`` (synonyms, typos), without those already chosen."""
    text = text.strip()[:100]
    if len(text) < 2:
        return []
    return [
        {"uri": h.occupation.uri, "label": h.occupation.label, "matched": h.matched}
        for h in portal.register.search(text, SUGGESTIONS)
        if h.occupation.uri not in chosen
    ]


def form_page(
    request: Request,
    portal: Portal,
    form: SearchForm,
    *,
    errors: dict[str, str] | None = None,
    occupation_text: str = "",
    suggestions: list[dict[str, str]] | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    """The search form, filled in with ``form``."""
    languages = list(form.languages) + [None] * (LANGUAGE_ROWS - len(form.languages))
    return render(
        request,
        "search.html",
        {
            "form": form,
            "kind": form.kind.value,
            "profiles": form.kind is Kind.WERKZOEKENDE,
            "errors": errors or {},
            "occupations": [_occupation(portal, u) for u in form.occupations],
            "occupation_text": occupation_text,
            "suggestions": suggestions,
            "problem": problem,
            "radii": RADII,
            "languages": LANGUAGES,
            "language_rows": languages[: max(LANGUAGE_ROWS, len(form.languages))],
            "language_levels": cl.QUERY_NIVEAU_TAALBEHEERSING.choices(),
            "licences": cl.SOORT_RIJBEWIJS.choices(),
            "contracts": cl.TYPE_ARBEIDSCONTRACT.choices(),
            "levels": cl.QUERY_WERK_EN_DENKNIVEAU_VANAF.choices(),
        },
        status_code=status_code,
    )


@router.get("/zoeken")
def search_form(request: Request, user: Mediator, portal: PortalDep) -> Response:
    """The form, filled in from the query string (links that edit or widen a search)."""
    query = request.query_params
    data = {key: query.getlist(key) for key in query}
    if "postcode" not in data and user.office_postcode:
        data["postcode"] = [user.office_postcode]
    form, _ = SearchForm.parse(data)
    return form_page(request, portal, form)


def _step(
    portal: Portal, form: SearchForm, data: dict[str, list[str]]
) -> tuple[SearchForm, list[dict[str, str]] | None] | None:
    """A form step without JavaScript (pick, add related, remove, look up); None: search."""
    occupations = form.occupations
    if data.get("kies"):
        picked = tuple(u for u in data["kies"] if u in portal.register)
        return form.replace(occupations=tuple(dict.fromkeys((*occupations, *picked)))), None
    if data.get("verwant"):
        related = related_occupations(portal, (*data["verwant"], *occupations), RELATED_COUNT)
        return form.replace(occupations=(*occupations, *related)), None
    if data.get("verwijder"):
        removed = set(data["verwijder"])
        return form.replace(occupations=tuple(u for u in occupations if u not in removed)), None
    if (data.get("actie") or [""])[0] == "beroep":
        text = (data.get("occupation_text") or [""])[0]
        return form, suggest(portal, text, occupations)
    return None


@router.post("/zoeken")
async def search(request: Request, user: Mediator, portal: PortalDep) -> Response:
    """Run the search (303 to its results), or take one step of the form without JavaScript."""
    posted = await request.form()
    data = {key: [str(v) for v in posted.getlist(key)] for key in posted}
    form, errors = SearchForm.parse(data)
    text = str(posted.get("occupation_text") or "").strip()
    step = await run_in_threadpool(_step, portal, form, data)
    if step is not None:
        form, suggestions = step
        kept_text = text if suggestions is not None else ""
        return form_page(request, portal, form, occupation_text=kept_text, suggestions=suggestions)
    if text and not errors:
        # Typed but never picked (no JavaScript, or Enter pressed at once): take the register's
        # best match only when it is clear, else ask.
        hits = await run_in_threadpool(portal.register.search, text, 2)
        clear = (
            hits and hits[0].score >= 85 and (len(hits) == 1 or hits[1].score < hits[0].score - 5)
        )
        if clear:
            form = form.replace(
                occupations=tuple(dict.fromkeys((*form.occupations, hits[0].occupation.uri)))
            )
        else:
            errors["occupation_text"] = "Kies een beroep uit de suggesties, of maak het veld leeg."
            suggestions = await run_in_threadpool(suggest, portal, text, form.occupations)
            return form_page(
                request,
                portal,
                form,
                errors=errors,
                occupation_text=text,
                suggestions=suggestions,
                status_code=422,
            )
    if errors:
        return form_page(
            request, portal, form, errors=errors, occupation_text=text, status_code=422
        )
    try:
        found = await run_search(portal, user, form)
    except FacilityError as exc:
        problem = (
            "De uitwisselingsvoorziening is niet bereikbaar. Probeer het later opnieuw."
            if exc.status == 0
            else f"De uitwisselingsvoorziening weigerde de zoekvraag ({exc.code or exc.status})."
        )
        return form_page(request, portal, form, problem=problem, status_code=502)
    return RedirectResponse(f"/resultaten/{found.id}", status_code=303)


# --- the typeahead's fragments (htmx) ---


@router.get("/beroepen")
def occupation_suggestions(
    request: Request,
    user: Mediator,
    portal: PortalDep,
    occupation_text: str = "",
) -> Response:
    chosen = tuple(request.query_params.getlist("occupation"))
    return render(
        request,
        "fragments/occupation_suggestions.html",
        {
            "suggestions": suggest(portal, occupation_text, chosen),
            "occupation_text": occupation_text,
        },
    )


@router.get("/beroepen/kies")
def pick_occupation(
    request: Request,
    kies: str,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    chosen = request.query_params.getlist("occupation")
    picked = [_occupation(portal, kies)] if kies not in chosen and kies in portal.register else []
    return render(
        request, "fragments/occupation_chips.html", {"occupations": picked, "clear": True}
    )


@router.get("/beroepen/verwant")
def add_related(
    request: Request,
    verwant: str,
    user: Mediator,
    portal: PortalDep,
) -> Response:
    chosen = tuple(request.query_params.getlist("occupation"))
    related = related_occupations(portal, (verwant, *chosen), RELATED_COUNT)
    return render(
        request,
        "fragments/occupation_chips.html",
        {"occupations": [_occupation(portal, u) for u in related], "clear": False},
    )


@router.get("/beroepen/weg")
def remove_occupation(user: Mediator) -> Response:
    """An empty answer: htmx swaps the chip out with it."""
    return Response("", media_type="text/html")
