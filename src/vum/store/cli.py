# SPDX-License-Identifier: EUPL-1.2
"""`vum db ...`: the store's schema migrations (Alembic) by hand.

Exit codes: 0 done, 1 refused (a newer database, an unknown shape, a failed step; for
``current --check``: not at the newest revision), 2 unusable arguments or no database.
Alembic is imported only when a command runs: `vum --help` mounts this group too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from vum.store.database import DEFAULT_PATH, ENV_VAR, StoreError, default_target, shown_url
from vum.store.migrations import HEAD

if TYPE_CHECKING:
    from vum.store import Store

app = typer.Typer(
    help="De database van open VUM: schemamigraties (the store's schema migrations).",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        help=f"Database: een SQLite-bestand of een URL (standaard ${ENV_VAR} of ./{DEFAULT_PATH})",
    ),
]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _shown(target: str) -> str:
    return shown_url(target) if "://" in target else target


@contextmanager
def opened_store(db: str, *, create: bool = False) -> Iterator[Store]:
    """The store for a command, closed afterwards; a missing SQLite file is refused unless
    ``create``, and a store that cannot be opened ends the command with its message (exit 2)."""
    if not create:
        _existing(db)
    from vum.store import Store

    try:
        store = Store(db)
    except StoreError as exc:
        _fail(str(exc))
    try:
        yield store
    finally:
        store.close()


def _existing(db: str | None) -> str:
    """The target; a missing SQLite file is refused (looking must not create one)."""
    target = db or default_target()
    if "://" not in target and not Path(target).expanduser().exists():
        _fail(f"database {target} bestaat niet (no such database; set --db or ${ENV_VAR})")
    return target


@app.command("upgrade")
def upgrade_command(
    db: DbOption = None,
    to: Annotated[
        str, typer.Option("--to", help="Tot deze revisie (up to this revision; default: head)")
    ] = "head",
) -> None:
    """Breng de database naar de nieuwste schemarevisie (upgrade the schema to the newest).

    Een lege database krijgt alle tabellen; een database van vóór de migraties wordt herkend
    en bijgewerkt. Alles in één transactie (all steps in one transaction).
    """
    from vum.store.migrate import Revision, upgrade

    target = db or default_target()

    def step(revision: Revision) -> None:
        typer.echo(f"  {revision.id}: {revision.doc}")

    typer.echo(f"Database {_shown(target)}")
    try:
        result = upgrade(target, to, on_step=step)
    except StoreError as exc:
        _fail(str(exc), 1)
    if result.stamped is not None:
        typer.echo(
            f"  van vóór de migraties, herkend als {result.stamped} "
            f"(predates migrations: recognised as {result.stamped})"
        )
    after = ", ".join(result.after) or "-"
    if result.applied:
        before = ", ".join(result.before) or result.stamped or "leeg (empty)"
        typer.echo(f"Bijgewerkt van {before} tot {after} (upgraded)")
    else:
        typer.echo(f"Al bij {after}; niets te doen (already there, nothing to do)")


@app.command("current")
def current_command(
    db: DbOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Exitcode 1 als de database niet bij head is (exit 1 if not)"),
    ] = False,
) -> None:
    """Toon de schemarevisie van de database (show the database's schema revision)."""
    from vum.store.migrate import recognise, state

    target = _existing(db)
    try:
        found = state(target)
    except StoreError as exc:
        _fail(str(exc))
    if found.at_head:
        typer.echo(f"{HEAD} (head)")
        return
    if found.unknown:
        typer.echo(
            f"{', '.join(found.revisions)} (onbekend: nieuwer dan deze software; "
            "unknown: newer than this software)"
        )
    elif found.revisions:
        typer.echo(
            f"{', '.join(found.revisions)} (ouder dan head {HEAD}: voer `vum db upgrade` uit; "
            "older than head: run `vum db upgrade`)"
        )
    elif found.empty:
        typer.echo("geen (lege database; empty database)")
    else:
        shape = recognise(found.tables)
        typer.echo(
            f"geen (van vóór de migraties, herkend als {shape or 'onbekende vorm'}: voer "
            "`vum db upgrade` uit; predates migrations: run `vum db upgrade`)"
        )
    if check:
        raise typer.Exit(1)


@app.command("history")
def history_command() -> None:
    """Toon alle schemarevisies, oudste eerst (list the schema revisions, oldest first)."""
    from vum.store.migrate import history

    for revision in history():
        mark = " (head)" if revision.id == HEAD else ""
        typer.echo(f"{revision.id}{mark}: {revision.doc}")
