# SPDX-License-Identifier: EUPL-1.2
"""`vum users ...` (portal accounts) and `vum serve portal`.

Exit codes: 0 done, 1 refused (unknown or existing account), 2 unusable arguments or no database.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from vum.config_sources import CONFIG_ENV
from vum.store import DEFAULT_PATH, ENV_VAR, Store, StoreError
from vum.store.cli import opened_store

if TYPE_CHECKING:
    from vum.portal.settings import PortalSettings

users_app = typer.Typer(
    help="Accounts van het portaal: bemiddelaars, bronbeheerders, beheerders, privacy officers "
    "(the portal's user accounts).",
    no_args_is_help=True,
)
serve_app = typer.Typer()
log = logging.getLogger("vum.portal")

#: Local passwords: at least this long (NCSC: length over complexity rules).
MIN_PASSWORD = 12

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        help=f"Database: een SQLite-bestand of een URL (standaard ${ENV_VAR} of ./{DEFAULT_PATH})",
    ),
]
EmailArgument = Annotated[str, typer.Argument(help="E-mailadres van het account")]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Lees het wachtwoord uit dit bestand (eerste regel); anders wordt erom gevraagd",
    ),
]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


_store = opened_store


def _password(path: Path | None) -> str:
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            _fail(f"--password-file: {exc}")
        password = lines[0] if lines else ""
    else:
        password = typer.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        _fail(f"het wachtwoord moet minstens {MIN_PASSWORD} tekens zijn (at least {MIN_PASSWORD})")
    return password


@users_app.command("add")
def add_command(
    party: Annotated[str, typer.Option("--party", help="OIN van de organisatie (20 cijfers)")],
    email: Annotated[str, typer.Option("--email", help="E-mailadres (ook de inlognaam)")],
    role: Annotated[
        list[str],
        typer.Option(
            "--role", help="Rol, herhaalbaar: bemiddelaar, bronbeheerder, beheerder, privacy"
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Naam, voor de schermen")] = "",
    office_postcode: Annotated[
        str | None, typer.Option("--office-postcode", help="Postcode van het kantoor (zoekcentrum)")
    ] = None,
    password_file: PasswordFileOption = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Geen lokaal wachtwoord: alleen OpenID Connect")
    ] = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Maak een account (add a user); het wachtwoord wordt als argon2-hash bewaard."""
    from vum.geo import PostcodeError, normalise_postcode
    from vum.portal.auth import ROLES, hash_password
    from vum.store.portal import UserExists

    if not (len(party) == 20 and party.isdigit()):
        _fail("--party: een OIN is 20 cijfers (an OIN is 20 digits)")
    unknown = [r for r in role if r not in ROLES]
    if unknown or not role:
        _fail(f"--role: kies uit {', '.join(ROLES)} (unknown role: {', '.join(unknown) or '-'})")
    if "@" not in email:
        _fail("--email: geen e-mailadres (not an e-mail address)")
    postcode = None
    if office_postcode:
        try:
            postcode = normalise_postcode(office_postcode)
        except PostcodeError:
            _fail("--office-postcode: geen geldige postcode (invalid postcode)")
    hashed = None if no_password else hash_password(_password(password_file))
    with _store(db, create=True) as store:
        try:
            row = store.portal.users.add(
                email, party, role, hashed, name=name, office_postcode=postcode
            )
        except UserExists as exc:
            _fail(str(exc), 1)
    typer.echo(f"Account {row.email} ({', '.join(row.roles)}, organisatie {row.party}) aangemaakt")


@users_app.command("list")
def list_command(
    party: Annotated[str | None, typer.Option("--party", help="Alleen deze organisatie")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON")] = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Toon de accounts (list users); nooit wachtwoord-hashes."""
    with _store(db) as store:
        rows = store.portal.users.list(party)
    if as_json:
        sys.stdout.write(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
        return
    if not rows:
        typer.echo("Nog geen accounts (no users yet).")
        return
    typer.echo(f"{'e-mail':<36}  {'organisatie':<20}  {'actief':<6}  rollen")
    for r in rows:
        typer.echo(
            f"{r.email:<36}  {r.party:<20}  {'ja' if r.active else 'nee':<6}  {','.join(r.roles)}"
        )


@users_app.command("disable")
def disable_command(email: EmailArgument, db: DbOption = DEFAULT_PATH) -> None:
    """Zet een account uit; lopende sessies vervallen meteen (disable a user)."""
    with _store(db) as store:
        if not store.portal.users.set_active(email, False):
            _fail(f"account {email} niet gevonden (no such user)", 1)
    typer.echo(f"Account {email} uitgezet (disabled)")


@users_app.command("enable")
def enable_command(email: EmailArgument, db: DbOption = DEFAULT_PATH) -> None:
    """Zet een uitgezet account weer aan (enable a user)."""
    with _store(db) as store:
        if not store.portal.users.set_active(email, True):
            _fail(f"account {email} niet gevonden (no such user)", 1)
    typer.echo(f"Account {email} aangezet (enabled)")


@users_app.command("password")
def password_command(
    email: EmailArgument, password_file: PasswordFileOption = None, db: DbOption = DEFAULT_PATH
) -> None:
    """Geef een account een nieuw wachtwoord; lopende sessies vervallen (set a password)."""
    from vum.portal.auth import hash_password

    hashed = hash_password(_password(password_file))
    with _store(db) as store:
        if not store.portal.users.set_password(email, hashed):
            _fail(f"account {email} niet gevonden (no such user)", 1)
    typer.echo(f"Wachtwoord van {email} gewijzigd (password set)")


@serve_app.command("portal")
def portal_command(
    facility: Annotated[
        str | None,
        typer.Option(
            "--facility",
            help="URL van de voorziening tot en met /api/v3 (facility URL); default "
            "portal.facility_url",
        ),
    ] = None,
    facility_oin: Annotated[
        str | None,
        typer.Option("--facility-oin", help="OIN van de voorziening (X-VUM-toParty)"),
    ] = None,
    oin: Annotated[
        str | None, typer.Option("--oin", help="OIN van het portaal als verwerker (X-VUM-viaParty)")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database met accounts en shortlists: bestand of URL; default store.url of "
            f"${ENV_VAR}, anders ./{DEFAULT_PATH}",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help=f"TOML/YAML-instellingen met een [portal]-tabel (settings); default ${CONFIG_ENV}",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="adres om op te luisteren (listen address); default 127.0.0.1"),
    ] = None,
    port: Annotated[int | None, typer.Option(help="poort (port); default 8083")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="werkprocessen op één socket; meer dan 1 vraagt $VUM_SESSION_SECRET "
            "(worker processes on one socket; more than 1 needs the session secret); default 1",
        ),
    ] = None,
    insecure_cookies: Annotated[
        bool,
        typer.Option(help="ONVEILIG, alleen loopback: cookies ook over http (demo, tests)"),
    ] = False,
    log_level: Annotated[str | None, typer.Option(help="log level; default info")] = None,
) -> None:
    """Start het portaal: zoeken, details, shortlist en bewaarde zoekopdrachten (web UI)."""
    from vum.config import ConfigError, load_settings
    from vum.facility.identity import is_loopback
    from vum.portal.settings import PortalSettings

    try:
        settings = load_settings(
            config,
            {
                "portal.facility_url": facility,
                "portal.facility_oin": facility_oin,
                "portal.oin": oin,
                "portal.host": host,
                "portal.port": port,
                "portal.workers": workers,
                "portal.cookie_secure": False if insecure_cookies else None,
                "store.url": db,
                "logging.level": log_level,
            },
        )
    except ConfigError as exc:
        _fail(str(exc))
    section = settings.portal
    if not section.cookie_secure and not is_loopback(section.host):
        _fail(
            "--insecure-cookies (portal.cookie_secure = false) alleen op een loopback-adres "
            "(loopback only)"
        )
    if not section.oin:
        _fail("--oin: de OIN van het portaal is nodig (X-VUM-viaParty; portal.oin)")
    ephemeral: str | None = None
    if section.session_secret is None:
        if section.workers > 1:
            _fail(
                "--workers > 1 vraagt $VUM_SESSION_SECRET (of $VUM_SESSION_SECRET_FILE): elk "
                "werkproces zou cookies met een eigen sleutel tekenen (more than one worker "
                "needs the session secret: each would sign cookies with a key of its own)"
            )
        ephemeral = secrets.token_urlsafe(48)
        typer.echo(
            "LET OP: $VUM_SESSION_SECRET niet gezet; een tijdelijke sleutel, sessies vervallen bij "
            "herstart (WARNING: no session secret set: ephemeral key, sessions end when the "
            "portal restarts)",
            err=True,
        )
    try:
        portal_settings = PortalSettings.from_config(settings, secret_key=ephemeral)
    except (TypeError, ValueError) as exc:  # ConfigError is a ValueError
        _fail(f"instellingen (settings): {exc}")
    target = settings.store_url() or DEFAULT_PATH
    log_level = settings.logging.level
    _serve(portal_settings, target, section.host, section.port, section.workers, log_level)


def _serve(
    settings: PortalSettings, db: str, host: str, port: int, workers: int, log_level: str
) -> None:
    """Serve the portal over ``db``; with ``workers`` > 1 as forked processes on one socket."""
    import socket

    import uvicorn

    from vum.portal.app import create_portal_app
    from vum.register import load_builtin

    # Once, before any fork: the schema (workers starting together would race to create it) and
    # the register with its index (the children share its memory until they write to it).
    for url in dict.fromkeys(u for u in (db, settings.source_db) if u):
        try:
            Store(url).close()
        except StoreError as exc:
            _fail(str(exc))
    register = load_builtin()
    register.search("warm", 1)
    typer.echo(
        f"open VUM portaal op http://{host}:{port}/ (voorziening {settings.facility_url}, "
        f"{workers} werkproces(sen) / worker(s))"
    )

    def serve(sock: socket.socket | None) -> None:
        # In a worker, after the fork: its own connections, HTTP client and event loop.
        try:
            store = Store(db)
        except StoreError as exc:
            _fail(str(exc))
        try:
            config = uvicorn.Config(
                create_portal_app(settings, store.portal, register),
                host=host,
                port=port,
                log_level=log_level,
                proxy_headers=False,  # the portal reads X-Forwarded-For only from trusted proxies
                server_header=False,
            )
            uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
        finally:
            store.close()

    if workers == 1:
        serve(None)
        return
    from vum.workers import bind, run_workers

    log.info("%d workers op %s:%d (workers on one socket)", workers, host, port)
    raise typer.Exit(run_workers(serve, bind(host, port), workers))
