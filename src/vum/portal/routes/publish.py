# SPDX-License-Identifier: EUPL-1.2
"""Publishing data (bronbeheerder): upload, check with every error by row and column, publish, history, rollback, quality.

Two steps: "Controleren" checks the whole file and holds it (nothing is published), then
"Publiceren" makes exactly that file the live version. Every page and action is for the
logged-in user's own party; ids of uploads and mappings of another party are simply not found.
The logic is in :mod:`vum.portal.publishing`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from vum.portal.auth import require_role
from vum.portal.publishing import (
    KIND_NAMES,
    MAX_MAPPING_NAME,
    MODES,
    STATUS_NAMES,
    SUFFIXES,
    UPLOAD_TTL,
    PublishingDep,
    PublishRefused,
    UploadForm,
    check_upload,
    expired,
    history,
    kind_of,
    parse_mapping_text,
    publish,
    quality,
    rollback,
    safe_name,
    suffix_of,
)
from vum.portal.routes import NavItem
from vum.portal.session import flash
from vum.portal.templating import render
from vum.sources import NoPreviousVersion
from vum.standard.kinds import Kind
from vum.store.portal import UserRow

router = APIRouter()
NAV = [NavItem("Publiceren", "/publiceren", ("bronbeheerder",))]

#: A route's parameter for a logged-in bronbeheerder (their party is ``user.party``).
SourceManager = Annotated[UserRow, Depends(require_role("bronbeheerder"))]
MAX_MAPPING_BYTES = 1 << 20
_MB = 1 << 20


def _kind(soort: str) -> Kind:
    kind = kind_of(soort)
    if kind is None:
        raise HTTPException(404)
    return kind


def _common(kind: Kind | None = None) -> dict[str, Any]:
    return {"kinds": KIND_NAMES, "kind": kind or Kind.WERKZOEKENDE, "modes": MODES}


def _form_page(
    request: Request,
    publishing: PublishingDep,
    user: UserRow,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    sources = publishing.sources
    datasets = [(kind, sources.dataset(user.party, kind)) for kind in Kind]
    return render(
        request,
        "publish/upload.html",
        {
            **_common(kind_of(values.get("soort"))),
            "tab": "upload",
            "datasets": datasets,
            "mappings": publishing.repo.mappings(user.party),
            "uploads": publishing.repo.recent_uploads(user.party, user.id, limit=5),
            "values": values,
            "errors": errors or {},
            "suffixes": ", ".join(SUFFIXES),
            "max_mb": publishing.portal.settings.upload_max_mb,
            "ttl_minutes": int(UPLOAD_TTL.total_seconds() // 60),
        },
        status_code=status_code,
    )


@router.get("/publiceren")
def overview(
    request: Request,
    user: SourceManager,
    publishing: PublishingDep,
    soort: str = "werkzoekende",
) -> Response:
    """The party's datasets and the upload form."""
    kind = kind_of(soort) or Kind.WERKZOEKENDE
    values = {"soort": kind.value, "modus": "replace", "mapping": "", "mapping_naam": ""}
    return _form_page(request, publishing, user, values)


async def _read_file(value: Any, limit: int) -> tuple[UploadFile | None, bytes]:
    if not isinstance(value, UploadFile) or not value.filename:
        return None, b""
    return value, await value.read(limit + 1)


async def _read_form(
    posted: FormData, publishing: PublishingDep, user: UserRow
) -> tuple[UploadForm | None, dict[str, str], dict[str, str]]:
    """The upload form, errors by field (in the form's order) and the values to fill in again."""
    errors: dict[str, str] = {}
    limit = publishing.portal.settings.upload_max_mb * _MB
    values = {
        "soort": str(posted.get("soort") or ""),
        "modus": str(posted.get("modus") or "replace"),
        "mapping": str(posted.get("mapping") or ""),
        "mapping_naam": str(posted.get("mapping_naam") or "").strip(),
    }
    upload, content = await _read_file(posted.get("bestand"), limit)
    suffix = suffix_of(upload.filename or "") if upload is not None else ""
    if upload is None:
        errors["bestand"] = "Kies een bestand: JSON, CSV of Excel (.xlsx)."
    elif suffix == ".xls":
        errors["bestand"] = (
            "Het oude Excel-formaat .xls kan niet. Sla het bestand op als .xlsx of als CSV."
        )
    elif suffix not in SUFFIXES:
        errors["bestand"] = "Kies een .json-, .csv- of .xlsx-bestand."
    elif len(content) > limit:
        errors["bestand"] = f"Het bestand is groter dan {limit // _MB} MB."
    elif not content:
        errors["bestand"] = "Het bestand is leeg."
    kind = kind_of(values["soort"])
    if kind is None:
        errors["soort"] = "Kies werkzoekenden of vacatures."
    if values["modus"] not in MODES:
        errors["modus"] = "Kies vervangen of bijwerken."
    tabular = suffix not in ("", ".json")

    text: str | None = None
    data: dict[str, Any] | None = None
    name: str | None = None
    save = False
    choice = values["mapping"]
    mapping_file, raw = await _read_file(posted.get("mapping_bestand"), MAX_MAPPING_BYTES)
    if mapping_file is not None and choice == "":
        choice = values["mapping"] = "nieuw"
    if choice == "nieuw":
        if mapping_file is None:
            errors["mapping_bestand"] = "Kies een mapping-bestand (YAML)."
        elif len(raw) > MAX_MAPPING_BYTES:
            errors["mapping_bestand"] = "Het mapping-bestand is groter dan 1 MB."
        else:
            try:
                text, data = parse_mapping_text(raw)
            except ValueError as exc:
                errors["mapping_bestand"] = str(exc)
        if len(values["mapping_naam"]) > MAX_MAPPING_NAME:
            errors["mapping_naam"] = f"Gebruik hoogstens {MAX_MAPPING_NAME} tekens."
        name = values["mapping_naam"] or None
        save = bool(name)
    elif mapping_file is not None:
        errors["mapping_bestand"] = (
            "U koos een opgeslagen mapping én een mapping-bestand; kies er één."
        )
    elif choice.startswith("id:"):
        number = choice.removeprefix("id:")
        saved = publishing.repo.mapping(int(number), user.party) if number.isdigit() else None
        if saved is None:
            errors["mapping"] = "Deze mapping bestaat niet (meer). Kies een andere."
        elif kind is not None and saved.kind != kind.value:
            errors["mapping"] = (
                f"De mapping '{saved.name}' is voor {KIND_NAMES[Kind(saved.kind)].lower()}; "
                f"kies een mapping voor {KIND_NAMES[kind].lower()}."
            )
        else:
            text, data = parse_mapping_text(saved.text.encode())
            name = saved.name
    elif choice.startswith("upload:"):
        earlier = publishing.repo.upload(choice.removeprefix("upload:"), user.party, user.id)
        if earlier is None or earlier.mapping is None:
            errors["mapping"] = "De mapping van de vorige upload is er niet meer. Kies een andere."
        else:
            text, data = parse_mapping_text(earlier.mapping.encode())
            name = earlier.mapping_name
    elif choice:
        errors["mapping"] = "Kies een mapping uit de lijst."
    if upload is not None and "bestand" not in errors and "mapping" not in errors:
        if tabular and data is None and "mapping_bestand" not in errors:
            errors["mapping"] = (
                "Een CSV- of Excel-bestand heeft een mapping nodig: kies een opgeslagen mapping "
                "of upload een mapping-bestand (YAML)."
            )
        elif not tabular and data is not None:
            errors["mapping"] = (
                "Een JSON-bestand volgt de standaard al en heeft geen mapping nodig: kies "
                "'Geen mapping'."
            )
    if errors or upload is None or kind is None:
        return None, errors, values
    form = UploadForm(
        kind=kind,
        mode=values["modus"],
        file_name=safe_name(upload.filename or "bestand"),
        content=content,
        mapping_text=text,
        mapping_data=data,
        mapping_name=name,
        save_mapping=save,
    )
    return form, errors, values


@router.post("/publiceren")
async def check(
    request: Request,
    user: SourceManager,
    publishing: PublishingDep,
    soort: Annotated[str, Form()] = "",
) -> Response:
    """Step 1, "Controleren": check the whole file and hold it; nothing is published.

    A form parameter (``soort``) makes FastAPI read the form before the CSRF and role checks
    and close its spooled files after the answer, also when one of those checks refuses it.
    """
    limit = publishing.portal.settings.upload_max_mb * _MB
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + MAX_MAPPING_BYTES + 64 * 1024:
        return render(request, "error.html", {"status": 413, "reason": ""}, status_code=413)
    posted = await request.form()
    form, errors, values = await _read_form(posted, publishing, user)
    values["soort"] = soort or values["soort"]
    if form is None:
        return _form_page(request, publishing, user, values, errors, status_code=422)
    row = await run_in_threadpool(check_upload, publishing, user, form)
    saved = row.outcome.get("mapping_saved")
    if saved and saved.get("saved"):
        flash(request, f"Mapping '{saved['name']}' bewaard voor de volgende keer.", "ok")
    elif saved:
        flash(
            request,
            f"Mapping '{saved['name']}' is niet bewaard: ze past niet bij de standaard.",
            "error",
        )
    return RedirectResponse(f"/publiceren/uploads/{row.id}", status_code=303)


@router.get("/publiceren/uploads/{upload_id}")
def upload_page(
    request: Request, upload_id: str, user: SourceManager, publishing: PublishingDep
) -> Response:
    """The check's outcome: every problem, or the preview and the "Publiceren" button."""
    row = publishing.repo.upload(upload_id, user.party, user.id)
    if row is None:
        raise HTTPException(404)
    kind = Kind(row.kind)
    return render(
        request,
        "publish/check.html",
        {
            **_common(kind),
            "tab": "upload",
            "upload": row,
            "outcome": row.outcome,
            "expired": expired(publishing, row),
        },
    )


@router.post("/publiceren/uploads/{upload_id}/publiceren")
async def publish_upload(
    request: Request, upload_id: str, user: SourceManager, publishing: PublishingDep
) -> Response:
    """Step 2, "Publiceren": the checked file becomes the live version, in one transaction."""
    row = await run_in_threadpool(publishing.repo.upload, upload_id, user.party, user.id)
    if row is None:
        raise HTTPException(404)
    if expired(publishing, row):
        flash(request, "Deze upload is verlopen. Upload het bestand opnieuw.", "error")
        return RedirectResponse("/publiceren", status_code=303)
    try:
        done = await run_in_threadpool(publish, publishing, user, upload_id)
    except PublishRefused as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(f"/publiceren/uploads/{upload_id}", status_code=303)
    published = done.outcome["published"]
    flash(
        request,
        f"Gepubliceerd: versie {published['version']} is live met {published['records']} records.",
        "ok",
    )
    return RedirectResponse(f"/publiceren/uploads/{upload_id}", status_code=303)


@router.get("/publiceren/versies")
def versions(
    request: Request,
    user: SourceManager,
    publishing: PublishingDep,
    soort: str = "werkzoekende",
) -> Response:
    """The versions of one dataset (who, when, how many records) and recent activity."""
    kind = _kind(soort)
    rows, events = history(publishing, user, kind)
    info = publishing.sources.dataset(user.party, kind)
    return render(
        request,
        "publish/history.html",
        {
            **_common(kind),
            "tab": "history",
            "versions": rows,
            "events": events,
            "info": info,
            "status_names": STATUS_NAMES,
        },
    )


@router.get("/publiceren/terugdraaien")
def rollback_confirm(
    request: Request,
    user: SourceManager,
    publishing: PublishingDep,
    soort: str = "werkzoekende",
) -> Response:
    """Ask before the previous version is put back."""
    kind = _kind(soort)
    info = publishing.sources.dataset(user.party, kind)
    return render(
        request, "publish/rollback.html", {**_common(kind), "tab": "history", "info": info}
    )


@router.post("/publiceren/terugdraaien")
def rollback_now(
    request: Request,
    user: SourceManager,
    publishing: PublishingDep,
    soort: Annotated[str, Form()] = "",
) -> Response:
    kind = _kind(soort)
    try:
        live = rollback(publishing, user, kind)
    except NoPreviousVersion:
        flash(request, "Er is geen vorige versie om terug te zetten.", "error")
    else:
        flash(
            request,
            f"Versie {live.number} ({live.record_count} records) is weer live.",
            "ok",
        )
    return RedirectResponse(f"/publiceren/versies?soort={kind.value}", status_code=303)


@router.get("/publiceren/kwaliteit")
def quality_page(
    request: Request,
    user: SourceManager,
    publishing: PublishingDep,
    soort: str = "werkzoekende",
) -> Response:
    """How complete the live data is per field, beside the average over all hosted sources."""
    kind = _kind(soort)
    view = quality(publishing, user, kind)
    return render(
        request, "publish/quality.html", {**_common(kind), "tab": "quality", "view": view}
    )


@router.get("/publiceren/mappings")
def mappings(request: Request, user: SourceManager, publishing: PublishingDep) -> Response:
    return render(
        request,
        "publish/mappings.html",
        {**_common(), "tab": "mappings", "mappings": publishing.repo.mappings(user.party)},
    )


@router.get("/publiceren/mappings/{mapping_id}/yaml")
def mapping_file(mapping_id: int, user: SourceManager, publishing: PublishingDep) -> Response:
    row = publishing.repo.mapping(mapping_id, user.party)
    if row is None:
        raise HTTPException(404)
    name = safe_name(row.name).replace(" ", "_").replace('"', "") or "mapping"
    return Response(
        row.text,
        media_type="application/yaml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.yaml"'},
    )


@router.post("/publiceren/mappings/{mapping_id}/verwijderen")
def delete_mapping(
    request: Request, mapping_id: int, user: SourceManager, publishing: PublishingDep
) -> Response:
    row = publishing.repo.mapping(mapping_id, user.party)
    if row is None or not publishing.repo.delete_mapping(mapping_id, user.party):
        raise HTTPException(404)
    publishing.record(
        "portal.mapping",
        user,
        Kind(row.kind),
        "ok",
        {"action": "deleted", "mapping": row.id, "name": row.name},
    )
    flash(request, f"Mapping '{row.name}' verwijderd.", "ok")
    return RedirectResponse("/publiceren/mappings", status_code=303)
