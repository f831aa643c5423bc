# SPDX-License-Identifier: EUPL-1.2
"""Publishing for a bronbeheerder: check an upload whole, hold it, publish it, roll back; quality beside the average.

Pilot finding 8: municipalities could not make the JSON the hosted portal wanted. Here they
upload their systems' own CSV or Excel export with a column mapping (or JSON), see every
problem by row and column and a preview of what mediators will see, and publish only a file
that checked clean; the live data stays as it was until then (``vum.sources`` does the work).
Finding 10: the quality report per field sits beside the average over all hosted sources and
the share of mediators' searches that use the field, as suggestions rather than blame.

Everything acts for the logged-in user's own party (``user.party``), never for a party a form
names. Every check, publication, rollback and mapping change is written to the audit log
without personal data (no file names, no values).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import Depends, HTTPException, Request

from vum.portal.present import fields_of, title_of
from vum.portal.services import Portal, PortalDep
from vum.sources import HostedSources, ImportConflict, ImportRejected, SourceFileError
from vum.sources.checking import Locator, check_records
from vum.sources.errors import MappingError
from vum.sources.files import load_file
from vum.sources.mapping import load_mapping
from vum.sources.tabular import CSV_SUFFIXES, EXCEL_SUFFIXES
from vum.standard.attributes import strip_detail_only
from vum.standard.kinds import Kind
from vum.store import AuditEntry, AuditRepository, Store, StoreError, VersionRow
from vum.store.portal import UserRow
from vum.store.publishing import INVALID, PUBLISHED, VALID, UploadRow

log = logging.getLogger("vum.portal.publishing")
#: The page's name of each kind (plural) and of each mode.
KIND_NAMES = {Kind.WERKZOEKENDE: "Werkzoekenden", Kind.VACATURE: "Vacatures"}
MODES = {
    "replace": "Vervangen: dit bestand wordt de hele dataset",
    "upsert": "Bijwerken: records toevoegen of vervangen op id, de rest blijft staan",
}
#: Files accepted, by extension (CSV and Excel need a column mapping).
SUFFIXES = (".json", *sorted(CSV_SUFFIXES), *sorted(EXCEL_SUFFIXES))
#: How long an upload is held between "Controleren" and "Publiceren".
UPLOAD_TTL = dt.timedelta(hours=1)
#: Expired uploads are purged when a publishing page is used, at most this often.
PURGE_EVERY_S = 300.0
#: Problems kept and shown per upload (the count says how many there were in all).
SHOWN_PROBLEMS = 500
PREVIEW_RECORDS = 5
#: The average over all hosted sources and the use of criteria are computed at most this often.
AVERAGE_TTL_S = 60.0
#: Fewer kept searches than this: too few to say what mediators use most.
MIN_SEARCHES = 5
#: A field filled in less than this share gets a suggestion; the most used few are shown.
SUGGEST_BELOW = 0.9
SUGGESTIONS = 5
MAX_MAPPING_NAME = 100
PROCESSING = "publiceren brongegevens"

#: Search form fields (vum.portal.criteria) -> the record's attributes a search on them selects.
CRITERIA: dict[Kind, dict[str, tuple[str, ...]]] = {
    Kind.WERKZOEKENDE: {
        "postcode": ("mobiliteit.bemiddelingspostcode",),
        "occupation": ("bemiddelingsberoep.codeBeroepsnaam",),
        "hours_min": ("werktijden.aantalWerkurenPerWeekMinimaal",),
        "hours_max": ("werktijden.aantalWerkurenPerWeekMaximaal",),
        "licence": ("arbeidsmarktkwalificatie.rijbewijs.codeSoortRijbewijs",),
        "lang": (
            "arbeidsmarktkwalificatie.taalbeheersing.codeTaal",
            "arbeidsmarktkwalificatie.taalbeheersing.codeNiveauTaalbeheersingMondeling",
            "arbeidsmarktkwalificatie.taalbeheersing.codeNiveauTaalbeheersingSchriftelijk",
        ),
        "contract": ("contractvorm.codeTypeArbeidscontract",),
        "irregular": ("flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",),
        "office_hours": ("werktijden.indicatieKantoortijden",),
        "available_by": ("flexibiliteit.datumAanvangBeschikbaarVoorWerk",),
    },
    Kind.VACATURE: {
        "postcode": ("adres.postcode",),
        "occupation": ("beroep.codeBeroepsnaam",),
        "text": ("naamVacature", "omschrijvingVacature"),
        "hours_min": ("werktijden.aantalWerkurenPerWeekMinimaal",),
        "hours_max": ("werktijden.aantalWerkurenPerWeekMaximaal",),
        "licence": ("rijbewijs.codeSoortRijbewijs",),
        "lang": (
            "taalbeheersing.codeTaal",
            "taalbeheersing.codeNiveauTaalbeheersingMondeling",
            "taalbeheersing.codeNiveauTaalbeheersingSchriftelijk",
        ),
        "irregular": ("flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",),
        "starts_from": ("arbeidsVoorwaarden.datumAanvangWerkzaamheden",),
        "level_from": ("codeWerkEnDenkniveauMinimaal",),
    },
}


def kind_of(text: str | None) -> Kind | None:
    try:
        return Kind(str(text or "").strip().lower())
    except ValueError:
        return None


def safe_name(file_name: str) -> str:
    """The file's own name without directories or odd characters (messages name it)."""
    name = Path(file_name.replace("\\", "/")).name.strip() or "bestand"
    return re.sub(r"[^\w .()+-]", "_", name)[:120]


def suffix_of(file_name: str) -> str:
    return Path(file_name).suffix.lower()


# -- the service ------------------------------------------------------------------------------


@dataclass
class _Cached:
    expires: float
    value: Any


class Publishing:
    """The hosted source, the audit log and the portal's publishing repository, for one app.

    The hosted source is the portal's own store unless ``source_db`` names another database;
    the audit log is the portal's store (where its other pages read it).
    """

    def __init__(self, portal: Portal, sources: HostedSources, audit: AuditRepository) -> None:
        self.portal = portal
        self.sources = sources
        self.audit = audit
        self.repo = portal.repos.publishing
        self._cache: dict[tuple[str, Kind], _Cached] = {}
        self._lock = threading.Lock()
        self._purged = float("-inf")

    @classmethod
    def open(cls, portal: Portal) -> tuple[Publishing, Store | None]:
        """The service and the store it opened itself (None when it uses the portal's)."""
        db = portal.repos.db
        opened: Store | None = None
        if portal.settings.source_db:
            store = opened = Store(portal.settings.source_db)
        elif isinstance(db, Store):
            store = db
        else:
            store = opened = Store(db.url)
        return cls(portal, HostedSources(store), portal.repos.audit), opened

    # -- audit --------------------------------------------------------------------------------
    def record(
        self,
        operation: str,
        user: UserRow,
        kind: Kind,
        status: str,
        details: Mapping[str, Any],
    ) -> None:
        """One audit record: who (pseudonym), for which party, what; never a value or file name."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        self.audit.append(
            AuditEntry(
                operation=operation,
                party=user.party,
                processor=self.portal.settings.portal_oin or None,
                user=user.pseudonym,
                processing_activity=PROCESSING,
                kind=kind.value,
                status=status,
                started_at=now,
                ended_at=now,
                details=dict(details),
            )
        )

    def cached(self, key: tuple[str, Kind], make: Callable[[], Any]) -> Any:
        """``make()``, remembered for :data:`AVERAGE_TTL_S` seconds under ``key``."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit.expires > now:
                return hit.value
        value = make()
        with self._lock:
            self._cache[key] = _Cached(now + AVERAGE_TTL_S, value)
        return value

    def purge(self, *, every_s: float = PURGE_EVERY_S) -> None:
        """Delete expired uploads (their files and previews), at most every ``every_s`` seconds."""
        now = time.monotonic()
        if now - self._purged < every_s:
            return
        self._purged = now
        cutoff = dt.datetime.fromtimestamp(self.portal.clock(), dt.UTC) - UPLOAD_TTL
        self.repo.purge_uploads(cutoff)

    def forget_averages(self) -> None:
        with self._lock:
            self._cache.clear()


_OPEN_LOCK = threading.Lock()


def publishing_of(request: Request, portal: PortalDep) -> Publishing:
    """The app's publishing service, made on first use (a route's dependency)."""
    state = request.app.state
    found = getattr(state, "publishing", None)
    if isinstance(found, Publishing):
        return found
    with _OPEN_LOCK:
        found = getattr(state, "publishing", None)
        if not isinstance(found, Publishing):
            try:
                found, opened = Publishing.open(portal)
            except StoreError:
                # An unreachable or not yet upgraded hosted-source database: say so, try later.
                log.exception("the hosted source's database cannot be opened")
                raise HTTPException(503) from None
            if opened is not None:
                weakref.finalize(request.app, opened.close)
            state.publishing = found
    found.purge()
    return found


#: A route's parameter for the publishing service.
PublishingDep = Annotated[Publishing, Depends(publishing_of)]


# -- checking -----------------------------------------------------------------------------------


@dataclass
class UploadForm:
    """What the upload form asked for, after the form's own checks."""

    kind: Kind
    mode: str
    file_name: str
    content: bytes
    mapping_text: str | None = None
    mapping_data: dict[str, Any] | None = None
    mapping_name: str | None = None
    #: save the mapping under ``mapping_name`` when it fits the standard
    save_mapping: bool = False


def parse_mapping_text(raw: bytes) -> tuple[str, dict[str, Any]]:
    """The YAML text and what it holds; ValueError with a Dutch message when it is unusable."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("Het mapping-bestand is geen UTF-8-tekst.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark else ""
        raise ValueError(f"Het mapping-bestand is geen geldige YAML{where}.") from None
    if not isinstance(data, dict):
        raise ValueError("Het mapping-bestand moet een YAML-object met 'columns' zijn.")
    return text, data


def _row_of(locator: Locator, index: int, kind: Kind) -> int | None:
    """The spreadsheet row of a record (None for JSON), asked of the locator as checking does."""
    probe = locator.locate(index, f"/{kind.id_field}", "", "", "", None)
    return probe.row if probe is not None else None


def _problem(problem: Any, paths: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = problem.as_dict()
    if "pointer" not in out and problem.column in paths:
        # A cell that could not be read names no pointer; the mapping says where it would go.
        out["path"] = paths[problem.column]
    return out


def check(publishing: Publishing, user: UserRow, form: UploadForm) -> dict[str, Any]:
    """Check the file whole as an import would, without writing anything; the outcome as JSON.

    ``problems`` (at most :data:`SHOWN_PROBLEMS`, sorted by row), ``problem_count``,
    ``warnings``, ``error`` (the file could not be read at all), ``records``, ``preview`` (the
    first records as a mediator's result list shows them), ``score`` (completeness of the
    file), ``live`` and ``changes`` (what publishing would change).
    """
    kind = form.kind
    outcome: dict[str, Any] = {
        "records": 0,
        "problems": [],
        "problem_count": 0,
        "rows_with_problems": 0,
        "warnings": [],
        "error": None,
        "preview": [],
        "score": None,
        "live": None,
        "changes": None,
        "mapping_saved": None,
    }
    paths: dict[str, str] = {}
    if form.mapping_data is not None:
        columns = form.mapping_data.get("columns")
        if isinstance(columns, dict):
            paths = {str(k).strip(): str(v) for k, v in columns.items()}
    name = safe_name(form.file_name)
    with tempfile.TemporaryDirectory(prefix="vum-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(form.content)
        try:
            loaded = load_file(kind, path, form.mapping_data)
            outcome["warnings"] = list(loaded.warnings)
            outcome["records"] = len(loaded.records)
            result = check_records(
                kind,
                loaded.records,
                loaded.locator,
                problems=loaded.problems,
                warnings=loaded.warnings,
            )
        except ImportRejected as exc:
            outcome["warnings"] = list(exc.warnings) or outcome["warnings"]
            outcome["records"] = exc.total or outcome["records"]
            outcome["problems"] = [_problem(p, paths) for p in exc.problems[:SHOWN_PROBLEMS]]
            outcome["problem_count"] = len(exc.problems)
            outcome["rows_with_problems"] = exc.records_with_problems
            return outcome
        except SourceFileError as exc:
            outcome["error"] = str(exc)
            return outcome
    if not result.records:
        outcome["error"] = (
            "Het bestand bevat geen records. Een lege dataset publiceren kan niet; de live "
            "gegevens blijven staan."
        )
        return outcome
    register = publishing.portal.register
    for checked in result.records[:PREVIEW_RECORDS]:
        summary = strip_detail_only(kind, json.loads(checked.text))
        outcome["preview"].append(
            {
                "id": checked.record_id,
                "row": _row_of(loaded.locator, checked.index, kind),
                "title": title_of(kind, summary, register),
                "fields": [list(pair) for pair in fields_of(kind, summary, register)],
            }
        )
    if form.mode == "replace":
        outcome["score"] = float(result.quality.report()["score"])
    info = publishing.sources.dataset(user.party, kind)
    ids = {c.record_id for c in result.records}
    live_ids: set[str] = set()
    if info.live is not None:
        live_ids = publishing.sources.store.datasets.record_ids(info.live.id)
        outcome["live"] = {
            "number": info.live.number,
            "records": info.live.record_count,
            "score": info.score,
        }
    outcome["changes"] = {
        "added": len(ids - live_ids),
        "updated": len(ids & live_ids),
        "removed": len(live_ids - ids) if form.mode == "replace" else 0,
    }
    return outcome


def check_upload(publishing: Publishing, user: UserRow, form: UploadForm) -> UploadRow:
    """Check, hold and audit an upload; save its mapping when asked and it fits the standard."""
    repo = publishing.repo
    publishing.purge(every_s=0)
    outcome = check(publishing, user, form)
    if form.save_mapping and form.mapping_name and form.mapping_data is not None:
        outcome["mapping_saved"] = _save_mapping(publishing, user, form)
    valid = not outcome["problems"] and not outcome["error"]
    row = repo.add_upload(
        user.party,
        user.id,
        kind=form.kind.value,
        mode=form.mode,
        file_name=safe_name(form.file_name),
        content=form.content if valid else b"",
        mapping=form.mapping_text,
        mapping_name=form.mapping_name,
        status=VALID if valid else INVALID,
        outcome=outcome,
    )
    publishing.record(
        "portal.upload",
        user,
        form.kind,
        "ok" if valid else "refused",
        {
            "upload": row.id,
            "mode": form.mode,
            "format": suffix_of(form.file_name).lstrip("."),
            "bytes": len(form.content),
            "records": outcome["records"],
            "problems": outcome["problem_count"] + (1 if outcome["error"] else 0),
            "mapping": form.mapping_name,
        },
    )
    return row


def _save_mapping(publishing: Publishing, user: UserRow, form: UploadForm) -> dict[str, Any]:
    assert form.mapping_data is not None and form.mapping_name and form.mapping_text
    try:
        load_mapping(form.mapping_data, form.kind)
    except (MappingError, SourceFileError):
        return {"name": form.mapping_name, "saved": False}
    row, created = publishing.repo.save_mapping(
        user.party, form.kind.value, form.mapping_name, form.mapping_text, user.id
    )
    publishing.record(
        "portal.mapping",
        user,
        form.kind,
        "ok",
        {"action": "created" if created else "replaced", "mapping": row.id, "name": row.name},
    )
    return {"name": row.name, "saved": True, "id": row.id, "created": created}


def expired(publishing: Publishing, upload: UploadRow) -> bool:
    now = dt.datetime.fromtimestamp(publishing.portal.clock(), dt.UTC)
    return upload.created_at < now - UPLOAD_TTL


# -- publishing and rolling back -----------------------------------------------------------------


class PublishRefused(Exception):
    """The upload cannot be published (not valid, expired, or the live data moved on)."""


def publish(publishing: Publishing, user: UserRow, upload_id: str) -> UploadRow:
    """Make a checked upload the live version (atomically, by ``vum.sources``); its outcome."""
    repo = publishing.repo
    claimed = repo.claim(upload_id, user.party, user.id)
    if claimed is None:
        raise PublishRefused("Dit bestand is al gepubliceerd of kan niet worden gepubliceerd.")
    kind = Kind(claimed.kind)
    outcome = dict(claimed.outcome)
    mapping = parse_mapping_text(claimed.mapping.encode())[1] if claimed.mapping else None
    try:
        with tempfile.TemporaryDirectory(prefix="vum-publish-") as tmp:
            path = Path(tmp) / claimed.file_name
            path.write_bytes(claimed.content)
            result = publishing.sources.import_file(
                user.party,
                kind,
                path,
                mapping=mapping,
                mode="upsert" if claimed.mode == "upsert" else "replace",
                source_name=claimed.file_name,
            )
    except ImportRejected as exc:
        outcome["problems"] = [p.as_dict() for p in exc.problems[:SHOWN_PROBLEMS]]
        outcome["problem_count"] = len(exc.problems)
        repo.finish(upload_id, status=INVALID, outcome=outcome, keep_content=False)
        publishing.record(
            "portal.publish",
            user,
            kind,
            "refused",
            {"upload": upload_id, "problems": len(exc.problems)},
        )
        raise PublishRefused(exc.summary_nl()) from exc
    except ImportConflict as exc:
        repo.finish(upload_id, status=VALID, outcome=outcome, keep_content=True)
        raise PublishRefused(
            "Tegelijk is een andere versie gepubliceerd. Controleer het bestand opnieuw en "
            "publiceer dan."
        ) from exc
    except BaseException:
        repo.finish(upload_id, status=VALID, outcome=outcome, keep_content=True)
        raise
    outcome["published"] = {
        "version": result.version.number,
        "records": result.records,
        "added": result.added,
        "updated": result.updated,
        "removed": result.removed,
        "score": result.score,
        "seconds": round(result.seconds, 2),
    }
    outcome["warnings"] = list(result.warnings)
    outcome["preview"] = []  # the records are live now; the held copy of them goes
    repo.finish(upload_id, status=PUBLISHED, outcome=outcome, keep_content=False)
    publishing.forget_averages()
    publishing.record(
        "portal.publish",
        user,
        kind,
        "ok",
        {
            "upload": upload_id,
            "mode": claimed.mode,
            "version": result.version.number,
            "records": result.records,
            "added": result.added,
            "updated": result.updated,
            "removed": result.removed,
        },
    )
    found = repo.upload(upload_id, user.party, user.id)
    assert found is not None
    return found


def rollback(publishing: Publishing, user: UserRow, kind: Kind) -> VersionRow:
    """Make the previous version live again; NoPreviousVersion when there is none."""
    before = publishing.sources.dataset(user.party, kind).live
    info = publishing.sources.rollback(user.party, kind)
    assert info.live is not None
    publishing.forget_averages()
    publishing.record(
        "portal.rollback",
        user,
        kind,
        "ok",
        {
            "version": info.live.number,
            "replaced": before.number if before else None,
            "records": info.live.record_count,
        },
    )
    return info.live


# -- history --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionView:
    """A version as the history shows it."""

    number: int
    status: str
    created_at: dt.datetime
    activated_at: dt.datetime | None
    records: int
    score: float | None
    source_name: str
    who: str
    mode: str


@dataclass(frozen=True)
class Event:
    """One thing done through the portal, from the audit log."""

    when: dt.datetime
    operation: str
    kind: str
    status: str
    who: str
    details: dict[str, Any] = field(default_factory=dict)


STATUS_NAMES = {
    "live": "Live",
    "previous": "Vorige (terug te zetten)",
    "failed": "Mislukt",
    "staging": "Wordt geschreven",
}


def _names(publishing: Publishing, party: str) -> dict[str, str]:
    return {u.pseudonym: u.name or u.email for u in publishing.portal.repos.users.list(party)}


def history(
    publishing: Publishing, user: UserRow, kind: Kind
) -> tuple[list[VersionView], list[Event]]:
    """The dataset's versions (who published each, where the portal did) and recent activity."""
    names = _names(publishing, user.party)
    rows = []
    for operation in ("portal.publish", "portal.rollback", "portal.upload"):
        rows += publishing.audit.latest(50, party=user.party, operation=operation)
    rows = [r for r in rows if r.kind == kind.value]
    rows.sort(key=lambda r: r.seq, reverse=True)
    publisher: dict[int, str] = {}
    for r in rows:
        if r.operation == "portal.publish" and r.status == "ok":
            number = r.details.get("version")
            if isinstance(number, int) and number not in publisher:
                publisher[number] = names.get(r.user or "", "een collega")
    versions = [
        VersionView(
            number=v.number,
            status=v.status.value,
            created_at=v.created_at,
            activated_at=v.activated_at,
            records=v.record_count,
            score=(v.quality or {}).get("score"),
            source_name=v.source_name,
            who=publisher.get(v.number, "buiten het portaal (API of beheer)"),
            mode=v.mode,
        )
        for v in publishing.sources.versions(user.party, kind)
    ]
    events = [
        Event(
            when=dt.datetime.fromisoformat(r.recorded_at),
            operation=r.operation,
            kind=r.kind or "",
            status=r.status or "",
            who=names.get(r.user or "", "een collega"),
            details=r.details,
        )
        for r in rows[:30]
    ]
    return versions, events


# -- quality ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldView:
    """One field of the quality report, beside the average and the mediators' use of it."""

    path: str
    label: str
    entity: str
    share: float
    count: int
    average: float | None
    usage: float | None
    searchable: bool
    profile: str


@dataclass(frozen=True)
class QualityView:
    """The quality page of one party's live dataset of one kind."""

    kind: Kind
    version: VersionRow
    records: int
    score: float
    average_score: float | None
    sources: int
    searches: int
    groups: list[tuple[str, str, list[FieldView]]]
    suggestions: list[str]
    hard_to_find: list[dict[str, Any]]


@dataclass(frozen=True)
class Average:
    sources: int
    score: float | None
    shares: dict[str, float]


def average(publishing: Publishing, kind: Kind) -> Average:
    """The mean completeness per field over every hosted source's live dataset of ``kind``."""

    def make() -> Average:
        reports = [
            info.live.quality
            for info in publishing.sources.datasets()
            if info.kind is kind and info.live is not None and info.live.quality
        ]
        if not reports:
            return Average(0, None, {})
        totals: dict[str, float] = {}
        for report in reports:
            for row in report.get("attributes") or []:
                totals[row["path"]] = totals.get(row["path"], 0.0) + float(row["share"])
        n = len(reports)
        score = sum(float(r.get("score") or 0) for r in reports) / n
        return Average(n, score, {p: t / n for p, t in totals.items()})

    found: Average = publishing.cached(("average", kind), make)
    return found


def usage(publishing: Publishing, kind: Kind) -> tuple[int, dict[str, float]]:
    """How many kept searches of ``kind`` there are, and per field the share that selects on it.

    A field searched by two form fields (minimum and maximum hours) takes the larger share.
    """

    def make() -> tuple[int, dict[str, float]]:
        total, used = publishing.repo.criteria_usage(kind.value)
        shares: dict[str, float] = {}
        if total:
            for name, paths in CRITERIA[kind].items():
                for path in paths:
                    shares[path] = max(shares.get(path, 0.0), used.get(name, 0) / total)
        return total, shares

    found: tuple[int, dict[str, float]] = publishing.cached(("usage", kind), make)
    return found


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _label(row: Mapping[str, Any]) -> str:
    """The workbook's name; where two fields share it, the group it belongs to in brackets."""
    name = str(row.get("attribuut") or row["label"])
    if name == row["label"]:
        return name
    groups = [p for p in str(row["path"]).split(".")[:-1] if p != "arbeidsmarktkwalificatie"]
    return f"{name} ({groups[0]})" if groups else name


def quality(publishing: Publishing, user: UserRow, kind: Kind) -> QualityView | None:
    """The report of the party's live dataset, grouped and with suggestions; None without one."""
    info = publishing.sources.dataset(user.party, kind)
    live = info.live
    if live is None or not live.quality:
        return None
    report = live.quality
    mean = average(publishing, kind)
    searches, used = usage(publishing, kind)
    measured = searches >= MIN_SEARCHES
    rows = [
        FieldView(
            path=r["path"],
            label=_label(r),
            entity=r["entiteit"],
            share=float(r["share"]),
            count=int(r["count"]),
            average=mean.shares.get(r["path"]),
            usage=used.get(r["path"]) if measured else None,
            searchable=bool(r["zoekbaar"]),
            profile=str(r["profiel"]),
        )
        for r in report.get("attributes") or []
        if r["path"] != kind.id_field
    ]
    # Without measurements, the order of the portal's search form stands in for how often
    # mediators use a field (location and occupation first).
    rank = {
        p: i for i, p in enumerate(dict.fromkeys(p for ps in CRITERIA[kind].values() for p in ps))
    }
    if measured:
        most = sorted(
            (f for f in rows if f.usage), key=lambda f: (-(f.usage or 0), rank.get(f.path, 99))
        )
        most_hint = (
            f"Gemeten over de {searches} zoekvragen van de afgelopen 7 dagen in dit portaal."
        )
    else:
        most = sorted(
            (f for f in rows if f.searchable or f.path in rank),
            key=lambda f: rank.get(f.path, len(rank)),
        )
        most_hint = (
            "Hierop selecteren zoekvragen. Zodra er genoeg zoekvragen zijn, staat hier hoe vaak "
            "bemiddelaars elk gegeven gebruiken."
        )
    chosen = {f.path for f in most}
    first = [f for f in rows if f.path not in chosen and f.profile == "zoek"]
    detail = [f for f in rows if f.path not in chosen and f.profile != "zoek"]
    groups = [
        ("Velden die bemiddelaars het meest gebruiken", most_hint, most),
        ("In het eerste antwoord", "Dit zien bemiddelaars in hun resultatenlijst.", first),
        ("Alleen in het detail", "Dit zien bemiddelaars als zij een resultaat openen.", detail),
    ]
    suggestions = []
    for f in most:
        if f.share >= SUGGEST_BELOW:
            continue
        compared = (
            f" (gemiddeld {_pct(f.average)} bij alle bronnen)" if f.average is not None else ""
        )
        if f.usage is not None:
            suggestions.append(
                f"Vul {f.label} aan: gebruikt in {_pct(f.usage)} van de zoekvragen. Nu ingevuld "
                f"bij {_pct(f.share)} van uw records{compared}."
            )
        else:
            suggestions.append(
                f"Vul {f.label} aan: nu ingevuld bij {_pct(f.share)} van uw records{compared}."
            )
    hard = [h for h in report.get("unfindable") or [] if h.get("count")]
    return QualityView(
        kind=kind,
        version=live,
        records=int(report.get("records") or 0),
        score=float(report.get("score") or 0),
        average_score=mean.score,
        sources=mean.sources,
        searches=searches if measured else 0,
        groups=[g for g in groups if g[2]],
        suggestions=suggestions[:SUGGESTIONS],
        hard_to_find=hard,
    )
