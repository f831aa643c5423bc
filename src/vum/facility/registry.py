# SPDX-License-Identifier: EUPL-1.2
"""The party registry in the store: who may ask, who answers, and every change to it audited.

VUM (afsprakenstelsel): a party takes part only while it is **active** and has **signed the
agreement**; it asks as ``bemiddelaar`` and answers as ``bron-werkzoekende`` or
``bron-vacature``. :class:`StoreRegistry` is both the API's :class:`PartyRegistry` and the
facility's :class:`SourceDirectory`, so one table decides both. Every change is written to the
audit log in the same transaction, with who made it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import MEDIATOR, PartyInfo
from vum.standard.kinds import Kind
from vum.store import AuditEntry, PartyRow, PartyStatus, Store
from vum.store.parties import PartyExists

#: The roles of the agreement framework.
ROLES = (MEDIATOR, *(f"bron-{k.value}" for k in Kind))
ENDPOINTS = ("api", "hosted")
_OIN = re.compile(r"[0-9]{20}")
#: How long a read of the parties table is reused: a suspension takes effect within this time.
DEFAULT_CACHE_S = 2.0


class RegistryError(ValueError):
    """A change the registry refuses (invalid value, unknown party, OIN already taken)."""


class PartyAlreadyRegistered(RegistryError):
    """``add`` for an OIN that is registered already (perhaps a moment ago, by another process)."""


class PartyNotFound(RegistryError):
    """No party with this OIN."""


def check_oin(oin: str) -> str:
    """The OIN, stripped; refused unless it is exactly 20 digits."""
    text = oin.strip()
    if not _OIN.fullmatch(text):
        raise RegistryError(
            f"ongeldig OIN {oin!r}: verwacht precies 20 cijfers (invalid OIN: expected 20 digits)"
        )
    return text


def source_role(kind: Kind) -> str:
    return f"bron-{kind.value}"


def _check(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise the fields a change sets."""
    out = dict(values)
    if "name" in out:
        out["name"] = str(out["name"]).strip()
        if not out["name"] or len(out["name"]) > 200:
            raise RegistryError("naam: 1 tot 200 tekens (name: 1 to 200 characters)")
    if "roles" in out:
        roles = sorted(set(out["roles"]))
        wrong = [r for r in roles if r not in ROLES]
        if wrong:
            raise RegistryError(
                f"onbekende rol {', '.join(wrong)}; kies uit {', '.join(ROLES)} "
                f"(unknown role; choose from the roles listed)"
            )
        out["roles"] = roles
    if "processors" in out:
        out["processors"] = sorted({check_oin(p) for p in out["processors"]})
    if "endpoint" in out and out["endpoint"] not in (None, *ENDPOINTS):
        raise RegistryError("endpoint: 'api' of 'hosted' (endpoint: 'api' or 'hosted')")
    if out.get("url") is not None:
        url = str(out["url"]).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            raise RegistryError(
                f"ongeldige URL {url!r}: verwacht http(s)://host/... (invalid source URL)"
            )
        out["url"] = url
    if out.get("timeout_s") is not None:
        timeout = float(out["timeout_s"])
        if not 0 < timeout <= 60:
            raise RegistryError("timeout: meer dan 0 en hoogstens 60 s (timeout: 0 < s <= 60)")
        out["timeout_s"] = timeout
    if "agreement_signed" in out and isinstance(out["agreement_signed"], str):
        try:
            out["agreement_signed"] = dt.date.fromisoformat(out["agreement_signed"])
        except ValueError:
            raise RegistryError(
                "agreement_signed: een datum JJJJ-MM-DD (a date YYYY-MM-DD)"
            ) from None
    if "status" in out:
        out["status"] = PartyStatus(out["status"])
    return out


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: (
            v.isoformat()
            if isinstance(v, dt.date)
            else v.value
            if isinstance(v, PartyStatus)
            else v
        )
        for k, v in values.items()
    }


def info_of(row: PartyRow) -> PartyInfo:
    return PartyInfo(
        oin=row.oin,
        name=row.name,
        roles=frozenset(row.roles),
        suwi=row.suwi,
        processors=frozenset(row.processors),
        agreement_signed=row.agreement_signed,
        active=row.status is PartyStatus.ACTIVE,
    )


@dataclass(frozen=True)
class _Snapshot:
    taken: float
    rows: dict[str, PartyRow]


class StoreRegistry:
    """Parties in the store: the API's ``PartyRegistry`` and the facility's ``SourceDirectory``.

    Reads come from a snapshot of the (small) parties table that is at most ``cache_s`` old,
    because ``sources_for`` runs on every query; ``cache_s=0`` reads every time.
    """

    def __init__(
        self,
        store: Store,
        *,
        default_timeout_s: float = 4.0,
        cache_s: float = DEFAULT_CACHE_S,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.store = store
        self.default_timeout_s = default_timeout_s
        self.cache_s = cache_s
        self._today = today
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    # -- reading (PartyRegistry, SourceDirectory) -------------------------------------------------
    def _rows(self) -> dict[str, PartyRow]:
        with self._lock:
            snap = self._snapshot
            if snap is None or time.monotonic() - snap.taken >= self.cache_s:
                snap = _Snapshot(time.monotonic(), {r.oin: r for r in self.store.parties.list()})
                self._snapshot = snap
            return snap.rows

    def _forget(self) -> None:
        with self._lock:
            self._snapshot = None

    def party(self, oin: str) -> PartyInfo | None:
        row = self._rows().get(oin)
        return info_of(row) if row is not None else None

    def _endpoint(self, row: PartyRow) -> SourceEndpoint | None:
        """The row as a source, if it may answer at all: active, signed, a source role, a URL."""
        signed = row.agreement_signed
        if row.status is not PartyStatus.ACTIVE or signed is None or signed > self._today():
            return None
        kinds = frozenset(k for k in Kind if source_role(k) in row.roles)
        if not kinds or not row.url:
            return None
        return SourceEndpoint(
            oin=row.oin,
            name=row.name,
            base_url=row.url,
            kinds=kinds,
            timeout_s=row.timeout_s if row.timeout_s is not None else self.default_timeout_s,
        )

    def sources_for(self, kind: Kind) -> Sequence[SourceEndpoint]:
        out = []
        for row in self._rows().values():
            endpoint = self._endpoint(row)
            if endpoint is not None and kind in endpoint.kinds:
                out.append(endpoint)
        return out

    def source(self, oin: str) -> SourceEndpoint | None:
        row = self._rows().get(oin)
        return self._endpoint(row) if row is not None else None

    def get(self, oin: str) -> PartyRow | None:
        """The stored row, fresh from the store (for management, not for every request)."""
        return self.store.parties.get(oin)

    def list_parties(self, *, status: PartyStatus | None = None) -> list[PartyRow]:
        return self.store.parties.list(status=status)

    # -- changing (each change audited in the same transaction) -----------------------------------
    def add(self, oin: str, values: Mapping[str, Any], *, by: str) -> PartyRow:
        """Register a new party (status ``active`` unless ``values`` says otherwise)."""
        oin = check_oin(oin)
        checked = _check(values)
        if "name" not in checked:
            raise RegistryError("naam verplicht (name required)")
        exists = PartyAlreadyRegistered(f"partij {oin} bestaat al (party already registered)")
        try:
            with self.store.write() as conn:
                if self.store.parties.get(oin, conn) is not None:
                    raise exists
                row = self.store.parties.insert(conn, oin, checked)
                change = _change("party.add", oin, by, {"new": row.values()})
                self.store.audit.append(change, conn=conn)
        except PartyExists:
            # Another process registered the same OIN after our check; its transaction won,
            # ours (with its audit record) rolled back whole.
            raise exists from None
        self._forget()
        return row

    def update(self, oin: str, values: Mapping[str, Any], *, by: str) -> PartyRow:
        """Change fields; nothing is written (or audited) when nothing changes."""
        return self._change(oin, _check(values), by, "party.update")

    def suspend(self, oin: str, *, by: str) -> PartyRow:
        return self._change(oin, {"status": PartyStatus.SUSPENDED}, by, "party.suspend")

    def activate(self, oin: str, *, by: str) -> PartyRow:
        return self._change(oin, {"status": PartyStatus.ACTIVE}, by, "party.activate")

    def end(self, oin: str, *, by: str) -> PartyRow:
        """End the party's participation; it stays in the registry (and the audit log) as history."""
        return self._change(oin, {"status": PartyStatus.ENDED}, by, "party.end")

    def _change(self, oin: str, values: dict[str, Any], by: str, operation: str) -> PartyRow:
        oin = check_oin(oin)
        with self.store.write() as conn:
            old = self.store.parties.get(oin, conn)
            if old is None:
                raise PartyNotFound(f"partij {oin} niet gevonden (party not found)")
            before = old.values()
            changes = {
                k: {"old": before[k], "new": v} for k, v in _json(values).items() if before[k] != v
            }
            if not changes:
                return old
            row = self.store.parties.update(conn, oin, values)
            assert row is not None
            self.store.audit.append(_change(operation, oin, by, {"changes": changes}), conn=conn)
        self._forget()
        return row

    # -- configuration ----------------------------------------------------------------------------
    def apply_config(
        self, parties: Iterable[PartyInfo], sources: Iterable[SourceEndpoint], *, by: str
    ) -> list[str]:
        """Upsert the parties and sources of a facility config; returns the OINs that changed.

        A ``[[sources]]`` entry gives the party its endpoint, timeout and the source roles of its
        kinds; a ``[[parties]]`` entry its name, roles, SUWI status, processors and agreement. A
        config may suspend a party (``active = false``) but never re-activates one that was
        suspended or ended here: that stays a deliberate act (``vum parties activate``). A
        disabled source (``enabled = false``) loses its endpoint.
        """
        wanted: dict[str, dict[str, Any]] = {}
        for p in parties:
            entry = wanted.setdefault(check_oin(p.oin), {"roles": set()})
            entry.update(
                name=p.name,
                suwi=p.suwi,
                processors=sorted(p.processors),
                agreement_signed=p.agreement_signed,
            )
            entry["roles"] |= set(p.roles)
            if not p.active:
                entry["status"] = PartyStatus.SUSPENDED
        for s in sources:
            entry = wanted.setdefault(check_oin(s.oin), {"roles": set()})
            entry.setdefault("name", s.name)
            entry["roles"] |= {source_role(k) for k in s.kinds}
            entry.update(
                endpoint="api" if s.enabled else None,
                url=s.base_url if s.enabled else None,
                timeout_s=s.timeout_s,
            )
        changed = []
        for oin, values in wanted.items():
            values["roles"] = sorted(values["roles"])
            existing = self.get(oin)
            if existing is None:
                try:
                    self.add(oin, values, by=by)
                    changed.append(oin)
                    continue
                except PartyAlreadyRegistered:
                    # Another instance, starting at the same moment, registered it first:
                    # from here on this is an update like any other.
                    existing = self.get(oin)
                    assert existing is not None
            if existing.endpoint == "hosted" and "endpoint" in values and values["endpoint"]:
                values["endpoint"] = "hosted"  # the same URL, still the hosted source
            if existing.updated_at != self.update(oin, values, by=by).updated_at:
                changed.append(oin)
        return changed


def _change(operation: str, oin: str, by: str, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        operation=operation,
        party=oin,
        user=by,
        processing_activity="beheer partijregister (party registry management)",
        status="ok",
        details=details,
    )
