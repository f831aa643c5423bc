# SPDX-License-Identifier: EUPL-1.2
"""`vum register ...`: search the occupation register from the command line."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from vum.register.model import Occupation, Register

# Heavy modules (rapidfuzz, the stemmer, rdflib) are imported inside the commands, so `vum`
# starts fast and each command only pays for what it uses.

app = typer.Typer(
    help="Beroepenregister: zoeken en verwante beroepen (occupation register).",
    no_args_is_help=True,
)


class FileFormat(StrEnum):
    """Formats of official occupation lists."""

    esco = "esco"
    skos = "skos"


FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        help="Officiële lijst gebruiken in plaats van de ingebouwde (ESCO-CSV of SKOS).",
        exists=True,
        dir_okay=False,
    ),
]
FormatOption = Annotated[
    FileFormat | None,
    typer.Option("--format", help="Formaat van --file; standaard: .csv = esco, anders skos."),
]
ExtendOption = Annotated[
    bool,
    typer.Option(
        "--extend", help="--file aanvullen op het ingebouwde register in plaats van vervangen."
    ),
]
LimitOption = Annotated[
    int, typer.Option("--limit", "-n", min=1, max=1000, help="Maximaal aantal resultaten.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Fout: {message}", err=True)
    return typer.Exit(code=1)


def _register(file: Path | None, fmt: FileFormat | None, extend: bool) -> Register:
    from vum.register.builtin import load_builtin
    from vum.register.model import RegisterError

    if file is None:
        return load_builtin()
    from vum.register.loaders import load_file

    chosen = fmt.value if fmt else ("esco" if file.suffix.lower() == ".csv" else "skos")
    try:
        official = load_file(file, "esco" if chosen == "esco" else "skos")
        return load_builtin().merged(official, "extend") if extend else official
    except RegisterError as exc:
        raise _fail(str(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"kan {file} niet lezen ({exc}) / cannot read {file} ({exc})") from exc


def _require(register: Register, ref: str) -> Occupation:
    from vum.register.model import UnknownOccupationError

    try:
        return register.require(ref)
    except UnknownOccupationError as exc:
        raise _fail(str(exc)) from exc


def _dump(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command()
def search(
    text: Annotated[
        str, typer.Argument(help="Wat de bemiddelaar intypt, bv. 'heftruck chauffeur'.")
    ],
    limit: LimitOption = 10,
    as_json: JsonOption = False,
    file: FileOption = None,
    fmt: FormatOption = None,
    extend: ExtendOption = False,
) -> None:
    """Beroepen zoeken op vrije tekst (search occupations by free text)."""
    hits = _register(file, fmt, extend).search(text, limit=limit)
    if as_json:
        _dump(
            [
                {
                    "uri": h.occupation.uri,
                    "key": h.occupation.key,
                    "label": h.occupation.label,
                    "isco": h.occupation.isco,
                    "broader": h.occupation.broader,
                    "broader_label": h.occupation.broader_label,
                    "score": h.score,
                    "matched": h.matched,
                    "why": h.why,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        typer.echo(f"Geen beroepen gevonden voor '{text}'.")
        return
    typer.echo(f"{'#':>2}  {'Score':>5}  {'Beroep':<36}  {'ISCO':<4}  Gevonden via")
    for n, h in enumerate(hits, 1):
        via = h.matched if h.matched == h.occupation.label else f"synoniem: {h.matched}"
        typer.echo(
            f"{n:>2}  {h.score:>5.1f}  {_cut(h.occupation.label, 36):<36}  "
            f"{h.occupation.isco:<4}  {via}"
        )


@app.command()
def related(
    uri: Annotated[str, typer.Argument(help="URI (of sleutel) van het beroep.")],
    limit: LimitOption = 10,
    as_json: JsonOption = False,
    file: FileOption = None,
    fmt: FormatOption = None,
    extend: ExtendOption = False,
) -> None:
    """Verwante beroepen tonen (related occupations)."""
    register = _register(file, fmt, extend)
    occ = _require(register, uri)
    found = register.related(occ.uri, limit=limit)
    if as_json:
        _dump(
            [
                {
                    "uri": r.occupation.uri,
                    "key": r.occupation.key,
                    "label": r.occupation.label,
                    "isco": r.occupation.isco,
                    "strength": r.strength,
                    "reason": r.reason,
                }
                for r in found
            ]
        )
        return
    typer.echo(f"Verwant aan {occ.label} (ISCO {occ.isco or '-'}):")
    if not found:
        typer.echo("  geen verwante beroepen gevonden.")
    for r in found:
        typer.echo(
            f"  {r.strength:.2f}  {_cut(r.occupation.label, 36):<36}  "
            f"{r.occupation.isco:<4}  {r.reason}"
        )


@app.command()
def show(
    uri: Annotated[str, typer.Argument(help="URI (of sleutel) van het beroep.")],
    as_json: JsonOption = False,
    file: FileOption = None,
    fmt: FormatOption = None,
    extend: ExtendOption = False,
) -> None:
    """Eén beroep tonen (show one occupation)."""
    register = _register(file, fmt, extend)
    occ = _require(register, uri)
    related_labels = [o.label for o in register.related_to(occ)]
    if as_json:
        _dump(
            {
                "uri": occ.uri,
                "key": occ.key,
                "label": occ.label,
                "isco": occ.isco,
                "broader": occ.broader,
                "broader_label": occ.broader_label,
                "synonyms": list(occ.synonyms),
                "skills": list(occ.skills),
                "related": [o.uri for o in register.related_to(occ)],
                "source": occ.source,
            }
        )
        return
    rows = [
        ("Beroep", occ.label),
        ("URI", occ.uri),
        ("Sleutel", occ.key),
        ("ISCO-08", occ.isco or "-"),
        ("Beroepsklasse", f"{occ.broader} {occ.broader_label}".strip() or "-"),
        ("Synoniemen", ", ".join(occ.synonyms) or "-"),
        ("Vaardigheden", ", ".join(occ.skills) or "-"),
        ("Loopbaanstappen", ", ".join(related_labels) or "-"),
        ("Bron", occ.source),
    ]
    for name, value in rows:
        typer.echo(f"{name + ':':<17}{value}")


@app.command()
def stats(
    as_json: JsonOption = False,
    file: FileOption = None,
    fmt: FormatOption = None,
    extend: ExtendOption = False,
) -> None:
    """Cijfers over het register (register statistics)."""
    from vum.register.isco import isco_label

    register = _register(file, fmt, extend)
    n = len(register)
    synonyms = sum(len(o.synonyms) for o in register)
    majors: dict[str, int] = {}
    sources: dict[str, int] = {}
    for o in register:
        major = o.isco[:1] or "?"
        majors[major] = majors.get(major, 0) + 1
        sources[o.source] = sources.get(o.source, 0) + 1
    data = {
        "occupations": n,
        "synonyms": synonyms,
        "average_synonyms": round(synonyms / n, 2) if n else 0.0,
        "with_skills": sum(1 for o in register if o.skills),
        "curated_links": sum(len(o.related_keys) for o in register),
        "isco_unit_groups": len(register.isco_groups()),
        "per_major_group": {
            code: {
                "label": isco_label(code) if code != "?" else "zonder ISCO",
                "occupations": majors[code],
            }
            for code in sorted(majors)
        },
        "sources": sources,
    }
    if as_json:
        _dump(data)
        return
    typer.echo(f"Beroepen:                 {n}")
    typer.echo(
        f"Synoniemen:               {synonyms} (gemiddeld {data['average_synonyms']} per beroep)"
    )
    typer.echo(f"Met vaardigheden:         {data['with_skills']}")
    typer.echo(f"Loopbaanstappen:          {data['curated_links']}")
    typer.echo(f"ISCO-beroepsgroepen:      {data['isco_unit_groups']}")
    typer.echo("Per ISCO-hoofdgroep:")
    for code in sorted(majors):
        label = isco_label(code) if code != "?" else "zonder ISCO"
        typer.echo(f"  {code}  {majors[code]:>4}  {label}")
