# SPDX-License-Identifier: EUPL-1.2
"""The privacy officer's pages: search and export the audit log, and verify its hash chain.

Pilot findings 13 and 14: every query and detail request is logged with who, for which
organisation, why and when, and the log is tamper-evident; a privacy officer must be able to
read it. The log is searched by party (OIN), user (pseudonym, or the e-mail address of a portal
account), operation and period, page by page, and exported as CSV (guarded against formula
injection). Every look at the log, every export and every verification is itself appended to
the log: who looked, with which filter. Verification recomputes the whole chain, so it runs
only when asked for, and says how long it took.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from vum.facility.audit import VerifyResult, verify_chain
from vum.portal.auth import require_role
from vum.portal.export import to_csv
from vum.portal.routes import NavItem
from vum.portal.services import Portal, PortalDep
from vum.portal.session import flash
from vum.portal.templating import render
from vum.store.audit import AuditEntry, AuditFilter, AuditRow
from vum.store.portal import UserRow

router = APIRouter()
NAV = [NavItem("Auditlog", "/auditlog", ("privacy",))]
#: A route's parameter for a logged-in privacy officer (role ``privacy``).
PrivacyOfficer = Annotated[UserRow, Depends(require_role("privacy"))]

PAGE_SIZE = 50
#: An export holds at most this many records; a larger selection is refused (narrow it down).
EXPORT_LIMIT = 100_000
#: The processing activity of the privacy officer's own records in the log.
PROCESSING = "toezicht op de gegevensverwerking (privacy officer)"
VIEWED, EXPORTED, VERIFIED = "auditlog.inzage", "auditlog.export", "auditlog.controle"
_ZONE = ZoneInfo("Europe/Amsterdam")
_FORM_KEYS = frozenset({"partij", "gebruiker", "handeling", "van", "tot", "pagina"})
#: Dutch names of the operations the facility and the portal log.
OPERATIONS = {
    "matches": "Zoekvraag",
    "detail": "Detail opgevraagd",
    "party.add": "Partij toegevoegd",
    "party.update": "Partij gewijzigd",
    "party.suspend": "Partij geschorst",
    "party.activate": "Partij weer actief",
    "party.end": "Deelname beëindigd",
    VIEWED: "Auditlog ingezien",
    EXPORTED: "Auditlog geëxporteerd",
    VERIFIED: "Keten van het auditlog gecontroleerd",
}
CSV_HEADER = [
    "volgnummer",
    "vastgelegd (UTC)",
    "handeling",
    "partij",
    "verwerker",
    "gebruiker",
    "doel",
    "soort",
    "bron",
    "status",
    "begin",
    "einde",
    "details",
    "vorige hash",
    "hash",
]


@dataclass(frozen=True)
class AuditSearch:
    """The search form as the URL carries it (``?partij=&gebruiker=&handeling=&van=&tot=``)."""

    party: str = ""
    user: str = ""
    operation: str = ""
    since: str = ""
    until: str = ""

    def params(self, **extra: object) -> str:
        """The form as a query string (empty fields left out), with ``extra`` parameters."""
        pairs = {
            "partij": self.party,
            "gebruiker": self.user,
            "handeling": self.operation,
            "van": self.since,
            "tot": self.until,
            **{k: str(v) for k, v in extra.items()},
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def selection(
        self, portal: Portal, officer: UserRow
    ) -> tuple[AuditFilter | None, dict[str, str]]:
        """The filter for the store, or None and a Dutch message per field that is wrong.

        An officer of another organisation than the facility's is held to the records that
        concern their own party (see :func:`scope_of`).
        """
        errors: dict[str, str] = {}
        scope = scope_of(portal, officer)
        party = self.party.strip()
        if party and not (len(party) == 20 and party.isdigit()):
            errors["partij"] = "Een OIN is 20 cijfers."
        elif scope is not None and party not in ("", scope):
            errors["partij"] = f"U ziet alleen de records van uw eigen organisatie ({scope})."
        if scope is not None:
            party = scope
        user = self.user.strip()
        if "@" in user:
            # A portal account's e-mail address: its records carry its pseudonym.
            account = portal.repos.users.by_email(user.lower())
            if account is not None and scope is not None and account.party != scope:
                account = None
            if account is None:
                errors["gebruiker"] = "Geen portaalaccount met dit e-mailadres; zoek op pseudoniem."
            else:
                user = account.pseudonym
        dates: dict[str, dt.date] = {}
        for name, text in (("van", self.since), ("tot", self.until)):
            if text.strip():
                try:
                    dates[name] = dt.date.fromisoformat(text.strip())
                except ValueError:
                    errors[name] = "Geen datum; gebruik jjjj-mm-dd."
        if "van" in dates and "tot" in dates and dates["tot"] < dates["van"]:
            errors["tot"] = "De einddatum ligt vóór de begindatum."
        if errors:
            return None, errors
        since = _midnight(dates["van"]) if "van" in dates else None
        until = _midnight(dates["tot"] + dt.timedelta(days=1)) if "tot" in dates else None
        return AuditFilter(party or None, user or None, self.operation or None, since, until), {}


def scope_of(portal: Portal, officer: UserRow) -> str | None:
    """The one party whose records ``officer`` may read; None: every party's.

    The facility's own privacy officer (an account of the facility's OIN) reads the whole log; a
    party's privacy officer reads the records in which that party is the one who asked, the
    processor or the source (its registry changes, its users' queries and details, and the
    detail requests for its records), as :class:`~vum.store.audit.AuditFilter` matches a party.
    """
    return None if officer.party == portal.settings.facility_oin else officer.party


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the Netherlands, in UTC."""
    return dt.datetime.combine(day, dt.time(), _ZONE).astimezone(dt.UTC)


def _local(recorded_at: str) -> str:
    try:
        when = dt.datetime.fromisoformat(recorded_at)
    except ValueError:
        return recorded_at
    return when.astimezone(_ZONE).strftime("%d-%m-%Y %H:%M:%S")


def _record(portal: Portal, user: UserRow, operation: str, status: str, **details: Any) -> None:
    """Append the privacy officer's own action to the log it reads."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    portal.repos.audit.append(
        AuditEntry(
            operation=operation,
            party=user.party,
            processor=portal.settings.portal_oin or None,
            user=user.pseudonym,
            processing_activity=PROCESSING,
            status=status,
            started_at=now,
            ended_at=now,
            details=details,
        )
    )


def _search(portal: Portal, user: UserRow, form: AuditSearch, page: int) -> dict[str, Any]:
    """The page's data: one page of records and what the page needs to show them (blocking)."""
    repos = portal.repos
    selection, errors = form.selection(portal, user)
    rows: list[AuditRow] = []
    total = 0
    if selection is not None:
        total = repos.audit.count_matching(selection)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = repos.audit.search(selection, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        _record(portal, user, VIEWED, "ok", filter=selection.as_dict(), pagina=page, gevonden=total)
    scope = scope_of(portal, user)
    # Pseudonyms are shown with the e-mail address of the account behind them, within the scope.
    accounts = {u.pseudonym: u.email for u in repos.users.list(scope)}
    parties = {p.oin: p.name for p in repos.parties.list()}
    last = repos.audit.search(AuditFilter(operation=VERIFIED), limit=1)
    return {
        "form": form,
        "errors": errors,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "operations": sorted(set(repos.audit.operations()) | set(OPERATIONS)),
        "operation_names": OPERATIONS,
        "accounts": accounts,
        "parties": parties,
        "last_check": last[0] if last else None,
        "scope": scope,
        "local": _local,
        "pretty": lambda row: json.dumps(
            {
                k: v
                for k, v in {
                    "soort": row.kind,
                    "bron": row.source,
                    "begin": row.started_at,
                    "einde": row.ended_at,
                    **row.details,
                }.items()
                if v is not None
            },
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        ),
    }


@router.get("/auditlog")
async def audit_log(
    request: Request,
    user: PrivacyOfficer,
    portal: PortalDep,
    partij: str = "",
    gebruiker: str = "",
    handeling: str = "",
    van: str = "",
    tot: str = "",
    pagina: int = 1,
) -> Response:
    form = AuditSearch(partij, gebruiker, handeling, van, tot)
    context = await run_in_threadpool(_search, portal, user, form, pagina)
    return render(request, "privacy/audit.html", context)


@router.get("/auditlog.csv")
async def export(
    request: Request,
    user: PrivacyOfficer,
    portal: PortalDep,
    partij: str = "",
    gebruiker: str = "",
    handeling: str = "",
    van: str = "",
    tot: str = "",
) -> Response:
    form = AuditSearch(partij, gebruiker, handeling, van, tot)
    back = RedirectResponse(f"/auditlog?{form.params()}", status_code=303)
    selection, errors = await run_in_threadpool(form.selection, portal, user)
    if selection is None:
        flash(request, "Het filter klopt niet: " + " ".join(errors.values()), "error")
        return back
    audit = portal.repos.audit
    total = await run_in_threadpool(audit.count_matching, selection)
    if total > EXPORT_LIMIT:
        flash(
            request,
            f"Te veel records om te exporteren ({total}; hoogstens {EXPORT_LIMIT}). "
            "Kies een kortere periode of een partij.",
            "error",
        )
        return back

    def rows() -> list[list[object]]:
        return [
            [
                r.seq,
                r.recorded_at,
                r.operation,
                r.party,
                r.processor,
                r.user,
                r.processing_activity,
                r.kind,
                r.source,
                r.status,
                r.started_at,
                r.ended_at,
                r.details_text,
                r.prev_hash,
                r.hash,
            ]
            for r in audit.iter_matching(selection)
        ]

    found = await run_in_threadpool(rows)
    await run_in_threadpool(
        _record, portal, user, EXPORTED, "ok", filter=selection.as_dict(), records=len(found)
    )
    stamp = dt.datetime.fromtimestamp(portal.clock(), _ZONE).strftime("%Y%m%d-%H%M")
    return Response(
        to_csv(CSV_HEADER, found),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="auditlog-{stamp}.csv"'},
    )


def verify_message(result: VerifyResult, seconds: float) -> str:
    """The outcome of a verification for a person, in Dutch, with the time it took."""
    took = f"{seconds:.2f} s".replace(".", ",")
    if result.ok and not result.checked:
        return f"Het auditlog is leeg; er is niets te controleren ({took})."
    if result.ok:
        return (
            f"De keten is intact: {result.checked} records gecontroleerd, tot en met record "
            f"{result.head_seq} ({took})."
        )
    last_good = (result.first_broken_seq or 1) - 1
    return (
        f"De keten is verbroken bij record {result.first_broken_seq}: {result.reason}. "
        f"Intact tot en met record {last_good} ({took}). Het log is gewijzigd buiten de "
        "voorziening om: meld dit bij de functionaris gegevensbescherming."
    )


@router.post("/auditlog/controle")
async def verify(
    request: Request,
    user: PrivacyOfficer,
    portal: PortalDep,
    terug: Annotated[str, Form()] = "",
) -> Response:
    """Recompute the whole chain now; the outcome is shown and appended to the log itself."""
    started = time.perf_counter()
    result = await run_in_threadpool(verify_chain, portal.repos.audit)
    seconds = time.perf_counter() - started
    await run_in_threadpool(
        _record,
        portal,
        user,
        VERIFIED,
        "intact" if result.ok else "verbroken",
        gecontroleerd=result.checked,
        totEnMet=result.head_seq if result.ok else (result.first_broken_seq or 1) - 1,
        eersteFout=result.first_broken_seq,
        reden=result.reason,
        seconden=round(seconds, 3),
        melding=verify_message(result, seconds),
    )
    flash(request, verify_message(result, seconds), "ok" if result.ok else "error")
    # Back to the same selection: only the form's own parameters, encoded again.
    kept = [(k, v) for k, v in parse_qsl(terug) if k in _FORM_KEYS]
    return RedirectResponse("/auditlog" + (f"?{urlencode(kept)}" if kept else ""), status_code=303)
