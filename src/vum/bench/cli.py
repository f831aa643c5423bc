# SPDX-License-Identifier: EUPL-1.2
"""`vum bench ...`: performance figures of a source (engine in process, over HTTP, PostgreSQL peer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from vum.bench.report import render
from vum.bench.run import BenchConfig, run_bench
from vum.standard.kinds import Kind

app = typer.Typer(
    help="Prestatiemetingen (benchmarks): de bron in het proces, over HTTP en tegen PostgreSQL.",
    no_args_is_help=True,
)


@app.callback()
def main() -> None:
    """Prestatiemetingen (benchmarks)."""


@app.command("source")
def source(
    records: Annotated[
        int, typer.Option("--records", min=1, help="Records per soort (records of the kind).")
    ] = 200_000,
    kind: Annotated[
        Kind, typer.Option("--kind", help="werkzoekende (profiles) of vacature (vacancies).")
    ] = Kind.WERKZOEKENDE,
    queries_per_form: Annotated[
        int,
        typer.Option(
            "--queries-per-form", min=1, help="Gemeten vragen per vorm (measured queries per form)."
        ),
    ] = 50,
    warmup: Annotated[
        int,
        typer.Option("--warmup", min=0, help="Opwarmvragen per vorm (warm-up queries per form)."),
    ] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Seed van de synthetische data.")] = 1,
    as_json: Annotated[
        bool, typer.Option("--json", help="Uitvoer als JSON (output as JSON).")
    ] = False,
    no_peer: Annotated[
        bool, typer.Option("--no-peer", help="Zonder PostgreSQL-vergelijking (skip the peer).")
    ] = False,
    no_http: Annotated[bool, typer.Option("--no-http", help="Zonder HTTP (skip HTTP).")] = False,
    no_import: Annotated[
        bool, typer.Option("--no-import", help="Zonder SQLite-import (skip the hosted import).")
    ] = False,
) -> None:
    """Meet een bron: laden, zoeken in het proces, over HTTP en met PostgreSQL als peer.

    Measure a source: load times and memory, then a fixed query mix (every form of the
    contract and $text) against the engine, over HTTP and against a PostgreSQL peer.
    """
    config = BenchConfig(
        records=records,
        kind=kind,
        queries_per_form=queries_per_form,
        seed=seed,
        warmup=warmup,
        hosted_import=not no_import,
        http=not no_http,
        peer=not no_peer,
    )
    report = run_bench(config, progress=lambda message: typer.echo(f"... {message}", err=True))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(report))
    if report.failures:
        typer.echo("; ".join(report.failures), err=True)
        raise typer.Exit(code=1)


@app.command("facility")
def facility(
    sources: Annotated[
        int, typer.Option("--sources", min=1, help="Gesimuleerde bronnen (simulated sources).")
    ] = 30,
    mediators: Annotated[
        int,
        typer.Option(
            "--mediators", min=1, help="Gelijktijdige bemiddelaars (concurrent mediators)."
        ),
    ] = 20,
    seconds: Annotated[
        float,
        typer.Option("--seconds", min=0.1, help="Meettijd per rij (measured seconds per row)."),
    ] = 30.0,
    results_per_source: Annotated[
        list[int] | None,
        typer.Option(
            "--results-per-source",
            min=1,
            max=100,
            help="Resultaten per bron; herhaalbaar, standaard 10 en 100 "
            "(results per source; repeatable, default 10 and 100).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed van de synthetische data.")] = 1,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Werkprocessen van de voorziening op één poort "
            "(facility worker processes on one port, as vum serve facility --workers).",
        ),
    ] = 1,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Vraag ook de uitleg per resultaat (X-OpenVUM-Explain: volledig), zoals het "
            "portaal (ask for the ranking's explanations too, as the portal does).",
        ),
    ] = False,
    breaker: Annotated[
        bool,
        typer.Option(
            "--breaker/--no-breaker",
            help="Met --no-breaker schorst de voorziening geen bronnen "
            "(--no-breaker: the circuit breaker never opens).",
        ),
    ] = True,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="cProfile van de event loop van de voorziening, per rij naar <naam>-<n>.pstats "
            "(profile the facility's event loop thread, one file per row).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Uitvoer als JSON (output as JSON).")
    ] = False,
) -> None:
    """Meet de uitwisselingsvoorziening: bemiddelaars tegelijk, bronnen van 5 tot 300 ms.

    Measure the exchange facility: concurrent mediators query it through the mediator API while
    it fans out to simulated sources answering after 5–300 ms; reports latency, the facility's
    overhead over the slowest source, throughput, errors, and the facility's CPU and memory.
    """
    from vum.bench.facility import FacilityBenchConfig, render_facility, run_facility_bench

    config = FacilityBenchConfig(
        sources=sources,
        mediators=mediators,
        seconds=seconds,
        results_per_source=tuple(results_per_source or (10, 100)),
        seed=seed,
        workers=workers,
        explain=explain,
        breaker=breaker,
        profile=profile,
    )
    report = run_facility_bench(
        config, progress=lambda message: typer.echo(f"... {message}", err=True)
    )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_facility(report))
    if report.failures:
        typer.echo("; ".join(report.failures), err=True)
        raise typer.Exit(code=1)


@app.command("load")
def load(
    mediators: Annotated[
        int,
        typer.Option("--mediators", min=1, help="Bemiddelaars tegelijk (concurrent mediators)."),
    ] = 100,
    seconds: Annotated[
        float, typer.Option("--seconds", min=1, help="Duur van de meting (measured seconds).")
    ] = 60.0,
    data: Annotated[
        Path,
        typer.Option(
            "--data", help="Map voor de gegevens, eenmalig gemaakt (data directory, made once)."
        ),
    ] = Path("bench-data/load"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Uitvoer als JSON (output as JSON).")
    ] = False,
) -> None:
    """Belast de demo-opstelling: bemiddelaars tegelijk, latentie, fouten, CPU en geheugen.

    Load the demo topology (hosted source, UWV stand-in, facility; ports 8080-8082 must be free):
    concurrent mediators send queries of every form back to back and open details; reports
    p50/p95/p99, errors (exit code 1 when there are any), and CPU and memory per server.
    """
    from vum.bench.demo_load import render_load, run_load

    data.mkdir(parents=True, exist_ok=True)
    report = run_load(
        mediators, seconds, data, progress=lambda message: typer.echo(f"... {message}", err=True)
    )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_load(report))
    if report.errors:
        typer.echo(f"{report.errors} fouten (errors)", err=True)
        raise typer.Exit(code=1)
