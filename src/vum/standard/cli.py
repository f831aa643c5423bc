# SPDX-License-Identifier: EUPL-1.2
"""`vum validate`, `vum standard schema` and `vum generate`: the standard from the command line."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from vum.standard.kinds import Kind
from vum.standard.parts import Part, Side

standard_app = typer.Typer(
    help="De gegevensstandaard: JSON Schema's en codelijsten (the data standard).",
    no_args_is_help=True,
)

KindOption = Annotated[Kind, typer.Option("--kind", "-k", help="werkzoekende of vacature")]


def _load_json(path: Path) -> object:
    """Read a JSON file; exit 2 with a message naming the place when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        typer.echo(f"Kan {path} niet lezen: {exc.strerror} (cannot read file)", err=True)
        raise typer.Exit(2) from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        typer.echo(f"{path}: geen UTF-8 op byte {exc.start} (not UTF-8)", err=True)
        raise typer.Exit(2) from None
    except json.JSONDecodeError as exc:
        typer.echo(
            f"{path}:{exc.lineno}:{exc.colno}: geen geldige JSON: {exc.msg} (invalid JSON)",
            err=True,
        )
        raise typer.Exit(2) from None


def validate(
    file: Annotated[Path, typer.Argument(help="JSON-bestand met een array van records")],
    kind: KindOption,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON")] = False,
    max_errors: Annotated[
        int, typer.Option(help="Toon hoogstens zoveel fouten (0 = alle)", min=0)
    ] = 0,
) -> None:
    """Controleer records tegen de standaard (validate records against the standard).

    Exit code 0 when every record is valid, 1 when any is not, 2 when the file cannot be read.
    """
    from vum.standard.validate import DocumentError, validate_document

    data = _load_json(file)
    # The parsed document lives until the end: keep the collector from rescanning it.
    gc.freeze()
    try:
        report = validate_document(kind, data, keep_valid=False)
    except DocumentError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        out = {
            "kind": kind.value,
            "total": report.total,
            "valid": report.valid_count,
            "invalid": len(report.invalid),
            "problems": [
                {"index": r.index, "id": r.record_id, **p.as_dict()}
                for r in report.invalid
                for p in r.problems
            ],
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        shown = 0
        for rec in report.invalid:
            ident = f" ({kind.id_field} {rec.record_id})" if rec.record_id else ""
            for problem in rec.problems:
                if max_errors and shown >= max_errors:
                    break
                typer.echo(f"record {rec.index}{ident} {problem.pointer}: {problem.message}")
                shown += 1
        if max_errors and report.problem_count > shown:
            typer.echo(f"... en nog {report.problem_count - shown} fouten (more problems)")
        typer.echo(report.summary_nl())
        typer.echo(report.summary_en())
    raise typer.Exit(0 if report.ok else 1)


@standard_app.command("schema")
def schema(
    kind: KindOption,
    part: Annotated[Part, typer.Option(help="detail, summary of query")] = Part.DETAIL,
    side: Annotated[
        Side, typer.Option(help="bron (idWerkzoekende/idVacature) of bemiddelaar (vumID)")
    ] = Side.BRON,
) -> None:
    """Print het JSON Schema dat uit de modellen volgt (print the generated JSON Schema)."""
    from vum.standard.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(kind, part, side), ensure_ascii=False, indent=2) + "\n")


@standard_app.command("codelists")
def codelists(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Toon de codelijsten met hun labels (show the code lists)."""
    from vum.standard.codelists import ALL

    if as_json:
        data = {
            name: [{"code": c, "label": lbl} for c, lbl in cl.choices()] for name, cl in ALL.items()
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    for name, cl in ALL.items():
        typer.echo(f"{name}: {cl.description}")
        for code, label in cl.choices():
            typer.echo(f"  {code!s:>4}  {label}")


def generate_command(
    kind: KindOption,
    count: Annotated[int, typer.Option("--count", "-n", min=0, help="Aantal records")] = 100,
    seed: Annotated[int, typer.Option(help="Zelfde seed geeft dezelfde records")] = 1,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Uitvoerbestand (standaard: stdout)")
    ] = None,
    reference_date: Annotated[
        str | None,
        typer.Option(help="Datums relatief aan deze dag (JJJJ-MM-DD); standaard 2026-12-01"),
    ] = None,
) -> None:
    """Maak realistische synthetische records (generate realistic synthetic records)."""
    import datetime as dt

    from vum.synthetic import generate

    try:
        day = dt.date.fromisoformat(reference_date) if reference_date else None
    except ValueError:
        typer.echo(f"Ongeldige datum {reference_date!r} (invalid date, use YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        out.write("[")
        for i, record in enumerate(generate(kind, count, seed, day)):
            out.write(",\n" if i else "\n")
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        out.write("\n]\n")
    finally:
        if output:
            out.close()
    if output:
        typer.echo(f"{count} records ({kind.value}) geschreven naar {output}", err=True)


def register_commands(app: typer.Typer) -> None:
    """Mount the standard's commands on the top-level app."""
    app.command("validate")(validate)
    app.command("generate")(generate_command)
    app.add_typer(standard_app, name="standard")
