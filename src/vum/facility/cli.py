# SPDX-License-Identifier: EUPL-1.2
"""`vum parties ...` and `vum audit ...`: the party registry and the audit log of the facility by hand.

Exit codes: 0 done, 1 refused (unknown party, invalid change, a broken audit chain), 2 unusable
arguments or no database.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer

from vum.facility.audit import StoreAuditLog
from vum.facility.registry import ROLES, RegistryError, StoreRegistry
from vum.store import DEFAULT_PATH, ENV_VAR, AuditRow, PartyRow, PartyStatus, Store
from vum.store.cli import opened_store

parties_app = typer.Typer(
    help="Het partijregister van de uitwisselingsvoorziening: wie vraagt, wie antwoordt "
    "(the facility's party registry: who asks, who answers).",
    no_args_is_help=True,
)
audit_app = typer.Typer(
    help="Het auditlog van de uitwisselingsvoorziening: bekijken en de keten controleren "
    "(the facility's audit log: list records, verify the hash chain).",
    no_args_is_help=True,
)

#: who made a change when ``--by`` is not given: ``$VUM_USER``, else the login name
USER_ENV = "VUM_USER"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        help=f"Database: een SQLite-bestand of een URL (standaard ${ENV_VAR} of ./{DEFAULT_PATH})",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON (output as JSON)")]
OinArgument = Annotated[str, typer.Argument(help="OIN van de partij (20 cijfers)")]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by", help=f"Wie de wijziging doet, voor het auditlog (standaard ${USER_ENV} of login)"
    ),
]
RoleOption = Annotated[
    list[str] | None,
    typer.Option("--role", help=f"Rol, herhaalbaar: {', '.join(ROLES)}"),
]
ProcessorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--processor", help="OIN van een verwerker die namens de partij vraagt; herhaalbaar"
    ),
]
AgreementOption = Annotated[
    str | None,
    typer.Option(
        "--agreement-signed", help="Datum van ondertekening van de afspraken (JJJJ-MM-DD)"
    ),
]
UrlOption = Annotated[
    str | None, typer.Option("--url", help="Basis-URL van de bron, tot en met /api/v3")
]
HostedOption = Annotated[
    bool,
    typer.Option("--hosted", help="De bron is de gehoste bron (--url: die van de gehoste bron)"),
]
TimeoutOption = Annotated[
    float | None, typer.Option("--timeout", help="Seconden voor deze bron (standaard 4)")
]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _by(by: str | None) -> str:
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = ""
    return (by or os.environ.get(USER_ENV) or login or "onbekend").strip()[:200]


@contextmanager
def _store(db: str, *, create: bool = False) -> Iterator[Store]:
    """The store for a command (``opened_store``); a registry refusal ends it with exit 1."""
    with opened_store(db, create=create) as store:
        try:
            yield store
        except RegistryError as exc:
            _fail(str(exc), 1)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--agreement-signed: {value!r} is geen datum JJJJ-MM-DD (not a date YYYY-MM-DD)")


def _show(row: PartyRow) -> None:
    signed = row.agreement_signed.isoformat() if row.agreement_signed else "niet getekend"
    typer.echo(f"OIN            {row.oin}")
    typer.echo(f"naam           {row.name}")
    typer.echo(f"status         {row.status.value}")
    typer.echo(f"rollen         {', '.join(row.roles) or '-'}")
    typer.echo(f"SUWI           {'ja' if row.suwi else 'nee'}")
    typer.echo(f"verwerkers     {', '.join(row.processors) or '-'}")
    typer.echo(f"afspraken      {signed}")
    typer.echo(f"bron           {row.endpoint or '-'} {row.url or ''}".rstrip())
    typer.echo(f"timeout        {f'{row.timeout_s:g} s' if row.timeout_s else 'standaard'}")
    typer.echo(f"aangemaakt     {row.created_at:%Y-%m-%d %H:%M} UTC")
    typer.echo(f"gewijzigd      {row.updated_at:%Y-%m-%d %H:%M} UTC")


def _endpoint(url: str | None, hosted: bool) -> dict[str, Any]:
    if hosted and not url:
        _fail("--hosted heeft --url nodig: de URL van de gehoste bron (--hosted needs --url)")
    if url is None:
        return {}
    return {"url": url, "endpoint": "hosted" if hosted else "api"}


# --- vum parties ---


@parties_app.command("add")
def add_command(
    oin: Annotated[str, typer.Option("--oin", help="OIN van de partij (20 cijfers)")],
    name: Annotated[str, typer.Option("--name", help="Naam van de organisatie")],
    role: RoleOption = None,
    suwi: Annotated[bool, typer.Option("--suwi", help="SUWI-partij")] = False,
    processor: ProcessorOption = None,
    agreement_signed: AgreementOption = None,
    url: UrlOption = None,
    hosted: HostedOption = False,
    timeout: TimeoutOption = None,
    by: ByOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Voeg een partij toe (register a party); actief zodra de afspraken getekend zijn."""
    values: dict[str, Any] = {
        "name": name,
        "roles": role or [],
        "suwi": suwi,
        "processors": processor or [],
        "agreement_signed": _date(agreement_signed),
        "timeout_s": timeout,
        **_endpoint(url, hosted),
    }
    with _store(db, create=True) as store:
        row = StoreRegistry(store).add(oin, values, by=_by(by))
    if as_json:
        _dump(row.as_dict())
        return
    typer.echo(f"Partij {row.oin} ({row.name}) toegevoegd (party added)")
    if row.agreement_signed is None:
        typer.echo(
            "let op: afspraken niet getekend; de partij doet nog niet mee "
            "(agreement not signed: the party does not take part yet)",
            err=True,
        )


@parties_app.command("update")
def update_command(
    oin: OinArgument,
    name: Annotated[str | None, typer.Option("--name")] = None,
    role: RoleOption = None,
    suwi: Annotated[bool | None, typer.Option("--suwi/--no-suwi", help="SUWI-partij")] = None,
    processor: ProcessorOption = None,
    no_processors: Annotated[
        bool, typer.Option("--no-processors", help="Verwijder alle verwerkers")
    ] = False,
    agreement_signed: AgreementOption = None,
    agreement_withdrawn: Annotated[
        bool, typer.Option("--agreement-withdrawn", help="Afspraken niet (meer) getekend")
    ] = False,
    url: UrlOption = None,
    hosted: HostedOption = False,
    no_endpoint: Annotated[
        bool, typer.Option("--no-endpoint", help="Geen bron-URL meer (no source endpoint)")
    ] = False,
    timeout: TimeoutOption = None,
    by: ByOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Wijzig een partij; alleen de gegeven velden (update only the given fields)."""
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name
    if role:
        values["roles"] = role
    if suwi is not None:
        values["suwi"] = suwi
    if processor or no_processors:
        if processor and no_processors:
            _fail("--processor en --no-processors sluiten elkaar uit (mutually exclusive)")
        values["processors"] = processor or []
    if agreement_signed is not None or agreement_withdrawn:
        if agreement_signed is not None and agreement_withdrawn:
            _fail("--agreement-signed en --agreement-withdrawn sluiten elkaar uit")
        values["agreement_signed"] = _date(agreement_signed)
    if no_endpoint:
        if url is not None or hosted:
            _fail("--no-endpoint en --url/--hosted sluiten elkaar uit (mutually exclusive)")
        values.update(endpoint=None, url=None)
    values.update(_endpoint(url, hosted))
    if timeout is not None:
        values["timeout_s"] = timeout
    if not values:
        _fail("niets te wijzigen: geef een of meer velden (nothing to change)")
    with _store(db) as store:
        registry = StoreRegistry(store)
        before = registry.get(oin)
        row = registry.update(oin, values, by=_by(by))
    if as_json:
        _dump(row.as_dict())
    elif before is not None and before.updated_at == row.updated_at:
        typer.echo(f"Partij {row.oin}: niets gewijzigd (nothing changed)")
    else:
        typer.echo(f"Partij {row.oin} gewijzigd (party updated)")


def _set_status(oin: str, status: PartyStatus, by: str | None, db: str) -> None:
    with _store(db) as store:
        registry = StoreRegistry(store)
        change = {
            PartyStatus.ACTIVE: registry.activate,
            PartyStatus.SUSPENDED: registry.suspend,
            PartyStatus.ENDED: registry.end,
        }[status]
        before = registry.get(oin)
        row = change(oin, by=_by(by))
    if before is not None and before.status is status:
        typer.echo(f"Partij {row.oin} was al {status.value} (already {status.value})")
    else:
        typer.echo(f"Partij {row.oin} is nu {status.value} (party is now {status.value})")


@parties_app.command("suspend")
def suspend_command(oin: OinArgument, by: ByOption = None, db: DbOption = DEFAULT_PATH) -> None:
    """Schors een partij: zij vraagt en antwoordt niet meer (suspend a party)."""
    _set_status(oin, PartyStatus.SUSPENDED, by, db)


@parties_app.command("activate")
def activate_command(oin: OinArgument, by: ByOption = None, db: DbOption = DEFAULT_PATH) -> None:
    """Maak een geschorste of beëindigde partij weer actief (activate a party)."""
    _set_status(oin, PartyStatus.ACTIVE, by, db)


@parties_app.command("end")
def end_command(oin: OinArgument, by: ByOption = None, db: DbOption = DEFAULT_PATH) -> None:
    """Beëindig de deelname; de partij blijft als geschiedenis bewaard (end participation)."""
    _set_status(oin, PartyStatus.ENDED, by, db)


@parties_app.command("list")
def list_command(
    status: Annotated[
        PartyStatus | None, typer.Option("--status", help="Alleen deze status")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Toon alle partijen (list parties)."""
    with _store(db) as store:
        rows = StoreRegistry(store).list_parties(status=status)
    if as_json:
        _dump([r.as_dict() for r in rows])
        return
    if not rows:
        typer.echo("Nog geen partijen (no parties yet).")
        return
    typer.echo(f"{'OIN':<20}  {'status':<9}  {'afspraken':<10}  {'rollen':<45}  naam")
    for r in rows:
        signed = r.agreement_signed.isoformat() if r.agreement_signed else "-"
        typer.echo(
            f"{r.oin:<20}  {r.status.value:<9}  {signed:<10}  {','.join(r.roles):<45}  {r.name}"
        )


@parties_app.command("show")
def show_command(
    oin: OinArgument, as_json: JsonOption = False, db: DbOption = DEFAULT_PATH
) -> None:
    """Toon één partij (show a party)."""
    with _store(db) as store:
        row = StoreRegistry(store).get(oin.strip())
    if row is None:
        _fail(f"partij {oin} niet gevonden (party not found)", 1)
    if as_json:
        _dump(row.as_dict())
    else:
        _show(row)


@parties_app.command("purge-results")
def purge_results_command(
    retention_days: Annotated[
        float, typer.Option("--retention-days", min=0, help="Bewaartermijn in dagen (VUM: 7)")
    ] = 7.0,
    by: ByOption = None,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Verwijder resultaatsets ouder dan de bewaartermijn (purge expired result sets)."""
    # Imported here: it loads the facility service, which the other commands do not need.
    from vum.facility.results import StoreResultSets, purge_expired

    with _store(db) as store:
        count = purge_expired(
            StoreResultSets(store),
            dt.timedelta(days=retention_days),
            audit=StoreAuditLog(store),
            by=_by(by),
        )
    typer.echo(f"{count} resultaatset(s) verwijderd ({count} result set(s) purged)")


# --- vum audit ---


@audit_app.command("verify")
def verify_command(as_json: JsonOption = False, db: DbOption = DEFAULT_PATH) -> None:
    """Controleer de hashketen van het auditlog; exit 1 bij het eerste gebroken record."""
    with _store(db) as store:
        result = StoreAuditLog(store).verify()
    if as_json:
        _dump(result.as_dict())
    else:
        typer.echo(result.message())
        if result.reason:
            typer.echo(f"reden (reason): {result.reason}")
        elif result.head_hash:
            typer.echo(f"kop (head): record {result.head_seq}, hash {result.head_hash}")
    if not result.ok:
        raise typer.Exit(1)


def _line(row: AuditRow) -> str:
    who = row.party or "-"
    via = f" via {row.processor}" if row.processor and row.processor != row.party else ""
    user = f" door {row.user}" if row.user else ""
    what = f"{row.operation} {row.kind or ''}".rstrip()
    return (
        f"{row.seq:>7}  {row.recorded_at[:19]}  {what:<24} {row.status or '-':<5} {who}{via}{user}"
    )


@audit_app.command("list")
def list_audit_command(
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Hoeveel records (nieuwste eerst)")
    ] = 20,
    party: Annotated[str | None, typer.Option("--party", help="Alleen deze partij (OIN)")] = None,
    operation: Annotated[
        str | None, typer.Option("--operation", help="Alleen deze handeling (matches, detail, ...)")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Toon de nieuwste records van het auditlog (list the newest audit records)."""
    with _store(db) as store:
        rows = StoreAuditLog(store).latest(limit, party=party, operation=operation)
    if as_json:
        _dump([r.as_dict() for r in rows])
        return
    if not rows:
        typer.echo("Geen records (no records).")
        return
    for row in rows:
        typer.echo(_line(row))
