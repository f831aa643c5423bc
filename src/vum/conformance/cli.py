# SPDX-License-Identifier: EUPL-1.2
"""`vum conformance source|facility URL`: check a VUM source or facility against the koppelvlak 3.0.0 contracts."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from vum.conformance.checks import Results
from vum.conformance.procedure import Options
from vum.conformance.report import Meta, render_json, render_text
from vum.conformance.runner import Parties, Runner, Tls
from vum.standard.kinds import Kind

app = typer.Typer(
    help="Conformiteitstoets (conformance kit): toets een bron of uitwisselingsvoorziening "
    "tegen de VUM-contracten (koppelvlak 3.0.0).",
    no_args_is_help=True,
)

#: placeholder OINs for the asking party and its processor when the tester names none
DEFAULT_FROM = "00000001000000000001"
DEFAULT_VIA = "00000001000000000002"


class KindChoice(StrEnum):
    WERKZOEKENDE = "werkzoekende"
    VACATURE = "vacature"
    BOTH = "both"

    def kinds(self) -> tuple[Kind, ...]:
        return tuple(Kind) if self is KindChoice.BOTH else (Kind(self.value),)


@app.callback()
def main() -> None:
    """Conformiteitstoets (conformance kit)."""


KindOption = Annotated[
    KindChoice,
    typer.Option("--kind", help="werkzoekende, vacature of both (welke domeinen; which domains)."),
]
PartyOption = Annotated[
    str,
    typer.Option(
        "--party", help="OIN van het geteste systeem: X-VUM-toParty (the system under test)."
    ),
]
ViaOption = Annotated[
    str | None,
    typer.Option(
        "--via-party",
        help=f"X-VUM-viaParty: de verwerker (the processor); bron: standaard {DEFAULT_VIA}, "
        "voorziening: --from-party",
    ),
]
CertOption = Annotated[
    Path | None, typer.Option("--cert", help="clientcertificaat voor mTLS (PEM)", exists=True)
]
KeyOption = Annotated[
    Path | None, typer.Option("--key", help="sleutel van het clientcertificaat (PEM)", exists=True)
]
CaOption = Annotated[
    Path | None,
    typer.Option("--ca", help="CA-bundel die het servercertificaat controleert (PEM)", exists=True),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="rapport als JSON (machine-readable report)")
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", min=0.1, help="seconden per verzoek voor het opgeven (per request)"),
]
ContractsOption = Annotated[
    Path | None,
    typer.Option(
        "--contracts",
        help="map met de gepubliceerde VUM-*.yaml: antwoorden ook daartegen valideren "
        "(also validate against the published OpenAPI files)",
        exists=True,
        file_okay=False,
    ),
]
MarginOption = Annotated[
    float,
    typer.Option(
        "--distance-margin",
        min=0.0,
        help="km speling voor afstanden (geocodering verschilt; distance tolerance)",
    ),
]
VariantsOption = Annotated[
    int, typer.Option("--variants", min=1, help="zoekvragen per vorm (queries per form)")
]
SeedOption = Annotated[int, typer.Option("--seed", help="seed van de gegenereerde zoekvragen")]


def _finish(
    results: Results, runner: Runner, options: Options, started: float, as_json: bool
) -> None:
    meta = Meta(
        url=runner.base,
        kinds=tuple(k.value for k in options.kinds),
        parties=options.parties,
        budget_s=options.budget_s,
        requests=len(runner.exchanges),
        seconds=time.perf_counter() - started,
    )
    runner.close()
    typer.echo((render_json if as_json else render_text)(results, meta), nl=False)
    raise typer.Exit(0 if results.conform else 1)


def check_contracts(contracts: Path | None) -> Path | None:
    """--contracts needs a JSON Schema validator (jsonschema-rs or jsonschema) installed."""
    if contracts is None:
        return None
    import importlib.util

    if not any(importlib.util.find_spec(m) for m in ("jsonschema_rs", "jsonschema")):
        raise typer.BadParameter(
            "vraagt jsonschema-rs of jsonschema (pip install jsonschema)", param_hint="--contracts"
        )
    return contracts


def load_data(paths: list[Path]) -> dict[Kind, list[dict[str, Any]]]:
    """The --with-data files: JSON arrays of detail records, the kind told by their id member."""
    from vum.standard.validate import iter_validate

    data: dict[Kind, list[dict[str, Any]]] = {}
    for path in paths:
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"{path}: {exc}", param_hint="--with-data") from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise typer.BadParameter(
                f"{path}: geen JSON-array van records (not an array of records)",
                param_hint="--with-data",
            )
        kind = Kind.VACATURE if records and "idVacature" in records[0] else Kind.WERKZOEKENDE
        valid = [records[i] for i, ok, _ in iter_validate(kind, records) if ok is not None]
        if len(valid) < len(records):
            typer.echo(
                f"{path}: {len(records) - len(valid)} ongeldige records genegeerd "
                "(invalid records ignored)",
                err=True,
            )
        data.setdefault(kind, []).extend(valid)
    return data


@app.command("source")
def source(
    url: Annotated[
        str, typer.Argument(help="basis-URL van de bron, bv. https://bron.example/api/v3")
    ],
    party: PartyOption,
    kind: KindOption = KindChoice.BOTH,
    from_party: Annotated[
        str, typer.Option("--from-party", help="X-VUM-fromParty: de vragende partij (the asker)")
    ] = DEFAULT_FROM,
    via_party: ViaOption = None,
    suwi: Annotated[bool, typer.Option("--suwi/--no-suwi", help="X-VUM-SUWIparty")] = True,
    cert: CertOption = None,
    key: KeyOption = None,
    ca: CaOption = None,
    with_data: Annotated[
        list[Path] | None,
        typer.Option(
            "--with-data",
            exists=True,
            dir_okay=False,
            help="JSON-array van detailrecords die de bron bevat: controleer ook volledigheid "
            "(the records the source holds; herhaalbaar per soort)",
        ),
    ] = None,
    budget: Annotated[
        float, typer.Option("--budget", min=0.01, help="tijdsbudget per antwoord in seconden")
    ] = 4.0,
    timeout: TimeoutOption = 30.0,
    contracts: ContractsOption = None,
    distance_margin: MarginOption = 2.0,
    variants: VariantsOption = 2,
    details: Annotated[
        int, typer.Option("--details", min=1, help="detailverzoeken voor teruggegeven ids")
    ] = 5,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Toets een VUM-bron (VUM-Bron-contracten): laadt niets, stuurt alleen zoekvragen.

    Check a source against the VUM-Bron contracts; exit 0 only when all required checks pass.
    """
    from vum.conformance.source import run_source

    options = Options(
        url=url,
        parties=Parties(from_party, party, via_party or DEFAULT_VIA, suwi),
        kinds=kind.kinds(),
        tls=Tls(cert, key, ca),
        budget_s=budget,
        timeout_s=timeout,
        contracts=check_contracts(contracts),
        margin_km=distance_margin,
        variants=variants,
        details=details,
        seed=seed,
        data=load_data(with_data or []),
    )
    started = time.perf_counter()
    results, runner = run_source(options)
    _finish(results, runner, options, started, as_json)


@app.command("facility")
def facility(
    url: Annotated[
        str, typer.Argument(help="basis-URL van de voorziening, bv. https://uv.example/api/v3")
    ],
    party: PartyOption,
    from_party: Annotated[
        str,
        typer.Option("--from-party", help="X-VUM-fromParty: de bemiddelaar (the mediator)"),
    ],
    kind: KindOption = KindChoice.BOTH,
    via_party: ViaOption = None,
    cert: CertOption = None,
    key: KeyOption = None,
    ca: CaOption = None,
    other_party: Annotated[
        str | None,
        typer.Option("--other-party", help="een tweede bemiddelaar (a second mediator's OIN)"),
    ] = None,
    other_via: Annotated[
        str | None, typer.Option("--other-via", help="X-VUM-viaParty van de tweede partij")
    ] = None,
    other_cert: Annotated[
        Path | None,
        typer.Option("--other-cert", exists=True, help="mTLS-certificaat tweede partij"),
    ] = None,
    other_key: Annotated[
        Path | None, typer.Option("--other-key", exists=True, help="sleutel tweede partij")
    ] = None,
    sources: Annotated[
        int | None,
        typer.Option("--sources", min=1, help="aantal bronnen per soort (for 100 per source)"),
    ] = None,
    budget: Annotated[
        float, typer.Option("--budget", min=0.01, help="tijdsbudget per antwoord in seconden")
    ] = 10.0,
    timeout: TimeoutOption = 30.0,
    contracts: ContractsOption = None,
    distance_margin: MarginOption = 2.0,
    variants: VariantsOption = 1,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Toets een uitwisselingsvoorziening (VUM-Bemiddelaar-contracten).

    Check a facility against the VUM-Bemiddelaar contracts; exit 0 only when all required pass.
    """
    from vum.conformance.facility import run_facility

    other = None
    if other_party is not None:
        other = Parties(other_party, party, other_via or other_party)
    options = Options(
        url=url,
        parties=Parties(from_party, party, via_party or from_party),
        kinds=kind.kinds(),
        tls=Tls(cert, key, ca),
        budget_s=budget,
        timeout_s=timeout,
        contracts=check_contracts(contracts),
        margin_km=distance_margin,
        variants=variants,
        seed=seed,
        sources=sources,
        other=other,
        other_tls=Tls(other_cert, other_key, ca) if other_cert else None,
    )
    started = time.perf_counter()
    results, runner = run_facility(options)
    _finish(results, runner, options, started, as_json)
