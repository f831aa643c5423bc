# SPDX-License-Identifier: EUPL-1.2
"""`vum source ...` (import, list, rollback, quality, tokens) and `vum convert`: the hosted source by hand.

Exit codes: 0 done, 1 refused (every problem printed; the live data stays), 2 unreadable input
or unusable arguments.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from vum.sources.checking import available_workers
from vum.sources.errors import (
    DatasetNotFound,
    ImportConflict,
    ImportRejected,
    InvalidParty,
    InvalidTokenLabel,
    NoPreviousVersion,
    SourceFileError,
)
from vum.sources.hosted import HostedSources
from vum.standard.kinds import Kind
from vum.store import DEFAULT_PATH, ENV_VAR, Store, StoreError

app = typer.Typer(
    help="De gehoste bron: datasets importeren, terugdraaien en hun kwaliteit zien "
    "(the hosted source: import datasets, roll back, see their quality).",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="API-tokens waarmee een partij via HTTP uploadt (party API tokens).",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")


class Mode(StrEnum):
    REPLACE = "replace"
    UPSERT = "upsert"


DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        help=f"Database: een SQLite-bestand of een URL (standaard ${ENV_VAR} of ./{DEFAULT_PATH})",
    ),
]
PartyOption = Annotated[str, typer.Option("--party", "-p", help="OIN van de partij (20 cijfers)")]
KindOption = Annotated[Kind, typer.Option("--kind", "-k", help="werkzoekende of vacature")]
JsonOption = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON")]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@contextmanager
def _sources(db: str, *, workers: int = 1, create: bool = False) -> Iterator[HostedSources]:
    """Open the store (recovering crashed imports) and close it afterwards; known errors exit.

    Only commands that write (import, token create) create a missing SQLite file; the others
    say it is missing instead of leaving an empty database behind.
    """
    if not create and "://" not in db and not Path(db).expanduser().exists():
        _fail(f"database {db} bestaat niet (no such database; set --db or ${ENV_VAR})")
    try:
        store = Store(db)
    except StoreError as exc:
        _fail(str(exc))
    try:
        sources = HostedSources(store, import_workers=workers)
        for version in sources.recovered:
            typer.echo(
                f"Onderbroken import opgeruimd: versie {version.number} van {version.party} "
                f"({version.kind}) (cleaned up an interrupted import)",
                err=True,
            )
        yield sources
    except (InvalidParty, InvalidTokenLabel) as exc:
        _fail(str(exc))
    except SourceFileError as exc:
        _fail(str(exc))
    except (DatasetNotFound, NoPreviousVersion) as exc:
        _fail(str(exc), 1)
    finally:
        store.close()


def _refused(exc: ImportRejected, *, converting: bool = False) -> NoReturn:
    for warning in exc.warnings:
        typer.echo(f"let op: {warning}", err=True)
    for problem in exc.problems:
        typer.echo(str(problem))
    if converting:
        n, m = len(exc.problems), exc.records_with_problems
        typer.echo(f"Conversie mislukt: {n} fout(en) in {m} rij(en); er is niets geschreven.")
        typer.echo(f"Conversion failed: {n} problem(s) in {m} row(s); nothing was written.")
    else:
        typer.echo(exc.summary_nl())
        typer.echo(exc.summary_en())
    raise typer.Exit(1)


def _read_ids(path: Path) -> list[str]:
    """Ids to delete: a JSON array, or one id a line (blank lines and # comments skipped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"kan {path} niet lezen: {exc} (cannot read the ids file)")
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            _fail(f"{path}:{exc.lineno}:{exc.colno}: geen geldige JSON: {exc.msg} (invalid JSON)")
        if not isinstance(data, list) or not all(isinstance(i, str | int) for i in data):
            _fail(f"{path}: verwacht een JSON-array van ids (expected a JSON array of ids)")
        return [str(i) for i in data]
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="JSON-array, CSV of Excel (.xlsx)")],
    party: PartyOption,
    kind: KindOption,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="Kolom-mapping (YAML) voor CSV/Excel")
    ] = None,
    mode: Annotated[
        Mode, typer.Option(help="replace: dit wordt de dataset; upsert: bijwerken op id")
    ] = Mode.REPLACE,
    delete_ids: Annotated[
        Path | None,
        typer.Option("--delete-ids", help="Bestand met te verwijderen ids (alleen bij upsert)"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Processen die een groot bestand (vanaf 20.000 records) controleren; "
            "0 = alle kernen (hoogstens 8). Loont alleen met vrije kernen.",
        ),
    ] = 1,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Importeer een dataset; bij één fout blijft de live dataset staan (import a dataset)."""
    deletes = _read_ids(delete_ids) if delete_ids else []
    if deletes and mode is not Mode.UPSERT:
        _fail("--delete-ids kan alleen met --mode upsert (--delete-ids needs --mode upsert)")
    with _sources(db, workers=workers or available_workers(), create=True) as sources:
        try:
            result = sources.import_file(
                party, kind, file, mapping=mapping, mode=mode.value, delete_ids=deletes
            )
        except ImportRejected as exc:
            _refused(exc)
        except ImportConflict as exc:
            _fail(str(exc), 1)
    for warning in result.warnings:
        typer.echo(f"let op: {warning}", err=True)
    if as_json:
        _dump(result.as_dict())
    else:
        typer.echo(result.summary_nl())
        typer.echo(result.summary_en())


@app.command("list")
def list_command(as_json: JsonOption = False, db: DbOption = DEFAULT_PATH) -> None:
    """Toon alle datasets met hun live en vorige versie (list datasets)."""
    with _sources(db) as sources:
        infos = sources.datasets()
    if as_json:
        _dump([info.as_dict() for info in infos])
        return
    if not infos:
        typer.echo("Nog geen datasets (no datasets yet).")
        return
    typer.echo(f"{'OIN':<20}  {'soort':<12} {'versie':>6} {'records':>8} {'score':>5}  live sinds")
    for info in infos:
        live = info.live
        since = live.activated_at.strftime("%Y-%m-%d %H:%M") if live and live.activated_at else "-"
        score = f"{info.score:.0f}" if info.score is not None else "-"
        number = str(live.number) if live else "-"
        previous = f"  (vorige: versie {info.previous.number})" if info.previous else ""
        typer.echo(
            f"{info.party:<20}  {info.kind.value:<12} {number:>6} {info.record_count:>8} "
            f"{score:>5}  {since}{previous}"
        )


@app.command("rollback")
def rollback_command(party: PartyOption, kind: KindOption, db: DbOption = DEFAULT_PATH) -> None:
    """Zet de vorige versie terug; de huidige wordt de vorige (roll back to the previous version)."""
    with _sources(db) as sources:
        info = sources.rollback(party, kind)
    assert info.live is not None
    typer.echo(
        f"Versie {info.live.number} ({info.record_count} records) is weer live voor {info.party} "
        f"({info.kind.value}) (rolled back)"
    )


@app.command("quality")
def quality_command(
    party: PartyOption, kind: KindOption, as_json: JsonOption = False, db: DbOption = DEFAULT_PATH
) -> None:
    """Toon de volledigheid van de live dataset per gegeven (show data quality)."""
    with _sources(db) as sources:
        report = sources.quality(party, kind)
    if as_json:
        _dump(report)
        return
    typer.echo(report["summary_nl"])
    if report["advice"]:
        typer.echo("Wat het meeste oplevert (what would help most):")
        for tip in report["advice"]:
            typer.echo(f"- {tip['advice_nl']}")
    typer.echo("")
    typer.echo(f"{'gegeven':<70} {'ingevuld':>8}  zoekbaar")
    for row in report["attributes"]:
        flag = "ja" if row["zoekbaar"] else ""
        typer.echo(f"{row['label'][:70]:<70} {row['share'] * 100:>7.0f}%  {flag}")


@token_app.command("create")
def token_create(
    party: PartyOption,
    label: Annotated[str, typer.Option("--label", "-l", help="Waarvoor het token is")] = "",
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Maak een API-token; het wordt maar één keer getoond (create a token, shown once)."""
    with _sources(db, create=True) as sources:
        token = sources.create_token(party, label)
    typer.echo(token)
    typer.echo(
        "Bewaar dit token nu veilig: het wordt niet opnieuw getoond "
        "(store this token now; it is not shown again).",
        err=True,
    )


@token_app.command("revoke")
def token_revoke(
    party: PartyOption,
    label: Annotated[str | None, typer.Option("--label", "-l")] = None,
    key: Annotated[str | None, typer.Option("--key", help="Sleutel (of het hele token)")] = None,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Trek tokens in op label of sleutel (revoke tokens by label or key)."""
    if label is None and key is None:
        _fail("geef --label of --key (give --label or --key)")
    with _sources(db) as sources:
        count = sources.revoke_token(party, key=key, label=label)
    typer.echo(f"{count} token(s) ingetrokken ({count} revoked)")
    if not count:
        raise typer.Exit(1)


@token_app.command("list")
def token_list(
    party: Annotated[str | None, typer.Option("--party", "-p")] = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Toon tokens (zonder geheimen) (list tokens, without secrets)."""
    with _sources(db) as sources:
        rows = sources.tokens(party)
    if as_json:
        _dump([r.as_dict() for r in rows])
        return
    for r in rows:
        state = f"ingetrokken {r.revoked_at:%Y-%m-%d}" if r.revoked_at else "actief"
        typer.echo(f"{r.party}  {r.key}  {r.created_at:%Y-%m-%d}  {state:<22} {r.label}")


def convert_command(
    file: Annotated[Path, typer.Argument(help="CSV of Excel (.xlsx) van het eigen systeem")],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="Kolom-mapping (YAML)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSON-uitvoer (standaard: stdout)")
    ] = None,
    kind: Annotated[
        Kind | None, typer.Option("--kind", "-k", help="Als de mapping geen 'kind' heeft")
    ] = None,
) -> None:
    """Zet een CSV/Excel-export om naar JSON van de standaard (convert an export to JSON).

    Exit code 0 when every row converts and validates, 1 with every problem (row and column
    named), 2 when the file or the mapping cannot be read.
    """
    from vum.sources.files import convert_file

    try:
        records, warnings = convert_file(kind, file, mapping)
    except ImportRejected as exc:
        _refused(exc, converting=True)
    except SourceFileError as exc:
        _fail(str(exc))
    for warning in warnings:
        typer.echo(f"let op: {warning}", err=True)
    text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"kan {output} niet schrijven: {exc.strerror} (cannot write)")
    typer.echo(
        f"{len(records)} records geconverteerd naar {output} ({len(records)} records converted)",
        err=True,
    )
