# SPDX-License-Identifier: EUPL-1.2
"""`vum geo ...`: postcodes, distances and regions from the command line."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

import typer

from vum.geo.postcode import PostcodeError


class _LazyGeo:
    """vum.geo on first use: `vum --help` and other commands need not load numpy and the tables."""

    def __getattr__(self, name: str) -> Any:
        import vum.geo

        return getattr(vum.geo, name)


geo = _LazyGeo()

app = typer.Typer(
    help="Geografie: postcodes, afstanden, gemeenten en regio's (geography).",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON (output as JSON).")]


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(error: Exception) -> typer.Exit:
    # The library's messages are already Dutch / English; the CLI only adds the exit code.
    typer.echo(str(error), err=True)
    return typer.Exit(code=1)


@app.command("resolve")
def resolve_cmd(
    postcode: Annotated[str, typer.Argument(help="Postcode, bijv. '1012 AB' of '1012'.")],
    as_json: JsonOption = False,
) -> None:
    """Coördinaten, plaats en gemeente van een postcode (coordinates, place and gemeente)."""
    try:
        loc = geo.resolve(postcode)
    except PostcodeError as error:
        raise _fail(error) from None
    if as_json:
        _emit_json(dataclasses.asdict(loc))
        return
    typer.echo(
        f"{loc.postcode}: {loc.place}, gemeente {loc.gemeente} ({loc.gemeente_code}), "
        f"{loc.province} — {loc.lat:.5f}, {loc.lon:.5f}"
    )
    if loc.note:
        typer.echo(f"Let op: {loc.note}")


@app.command("distance")
def distance_cmd(
    a: Annotated[str, typer.Argument(help="Eerste postcode (first postcode).")],
    b: Annotated[str, typer.Argument(help="Tweede postcode (second postcode).")],
    as_json: JsonOption = False,
) -> None:
    """Hemelsbrede afstand tussen twee postcodes in km (straight-line distance)."""
    try:
        la, lb = geo.resolve(a), geo.resolve(b)
        km = geo.distance_km(a, b)
    except PostcodeError as error:
        raise _fail(error) from None
    if as_json:
        _emit_json(
            {
                "a": la.postcode,
                "b": lb.postcode,
                "km": round(km, 3),
                "notes": [n for n in (la.note, lb.note) if n],
            }
        )
        return
    typer.echo(f"{la.postcode} ({la.place}) – {lb.postcode} ({lb.place}): {km:.1f} km hemelsbreed")
    for note in (la.note, lb.note):
        if note:
            typer.echo(f"Let op: {note}")


@app.command("regions")
def regions_cmd(as_json: JsonOption = False) -> None:
    """De 35 arbeidsmarktregio's met hun aantal gemeenten (the labour-market regions)."""
    regios = sorted(geo.arbeidsmarktregios().values(), key=lambda r: r.code)
    if as_json:
        _emit_json(
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "centrumgemeente": r.centrumgemeente,
                    "centrumgemeente_code": r.centrumgemeente_code,
                    "gemeenten": len(r.gemeenten),
                }
                for r in regios
            ]
        )
        return
    width = max(len(r.name) for r in regios)
    for r in regios:
        typer.echo(
            f"{r.code}  {r.name:<{width}}  {len(r.gemeenten):>3} gemeenten  "
            f"(centrumgemeente {r.centrumgemeente})"
        )
    typer.echo(f"{len(regios)} arbeidsmarktregio's, {len(geo.gemeenten())} gemeenten")


@app.command("gemeente")
def gemeente_cmd(
    postcode: Annotated[str, typer.Argument(help="Postcode, bijv. '1012 AB' of '1012'.")],
    as_json: JsonOption = False,
) -> None:
    """Gemeente en arbeidsmarktregio van een postcode (gemeente and labour-market region)."""
    try:
        loc = geo.resolve(postcode)
        gemeente = geo.gemeente_of(postcode)
        regio = geo.regio_of(postcode)
    except PostcodeError as error:
        raise _fail(error) from None
    if as_json:
        _emit_json(
            {
                "postcode": loc.postcode,
                "gemeente_code": gemeente.code,
                "gemeente": gemeente.name,
                "province": gemeente.province,
                "arbeidsmarktregio_code": regio.code,
                "arbeidsmarktregio": regio.name,
                "note": loc.note,
            }
        )
        return
    typer.echo(
        f"{loc.postcode}: gemeente {gemeente.name} ({gemeente.code}, {gemeente.province}), "
        f"arbeidsmarktregio {regio.name} ({regio.code})"
    )
    if loc.note:
        typer.echo(f"Let op: {loc.note}")
