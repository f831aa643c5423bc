# SPDX-License-Identifier: EUPL-1.2
"""`vum serve`: run open VUM's servers; `vum serve source` is the hosted source (VUM-Bron + import)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from vum.api.backend import SourceBackend

app = typer.Typer(
    help="Servers van open VUM (open VUM's servers).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_MB = 1024 * 1024
# Web modules load only when a server starts: `vum` mounts this app, and `vum --help` stays fast.
_DEFAULT_IMPORT_MB = 200


def default_db() -> str:
    """``$VUM_DB``, else ``./vum.db`` (as ``vum.store`` decides)."""
    return os.environ.get("VUM_DB") or "vum.db"


@app.callback()
def _servers() -> None:
    """Servers van open VUM (open VUM's servers)."""


@app.command()
def source(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="database met de datasets: bestand of URL (default: store.url, $VUM_DB of "
            "./vum.db)",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="TOML/YAML-instellingen (settings file); default $VUM_CONFIG"
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="adres om op te luisteren (listen address); default 127.0.0.1"),
    ] = None,
    port: Annotated[int | None, typer.Option(help="poort (port); default 8081")] = None,
    max_import_mb: Annotated[
        int | None,
        typer.Option(
            help=f"grootste import-body in MB (largest import body); default {_DEFAULT_IMPORT_MB}"
        ),
    ] = None,
    trusted_via: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-via",
            help="alleen deze X-VUM-viaParty-OIN's mogen vragen (only these may ask); herhaalbaar",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="seconden per zoekvraag, daarna 503 (seconds per query); default 10"),
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="uvicorn log level; default info")] = None,
) -> None:
    """Start de gehoste bron: VUM-Bron (/api/v3), import (/admin/v1), /health en /ready."""
    from vum.config import ConfigError, load_settings, mask_url

    try:
        settings = load_settings(
            config,
            {
                "store.url": db,
                "source.host": host,
                "source.port": port,
                "source.max_import_mb": max_import_mb,
                "source.trusted_via": trusted_via or None,
                "source.search_timeout_s": timeout,
                "logging.level": log_level,
            },
        )
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    import uvicorn

    from vum.api.app import create_source_app
    from vum.api.settings import SourceSettings
    from vum.store import StoreError

    section = settings.source
    target = settings.store_url() or "vum.db"
    try:
        backend = _hosted_sources(target)
    except StoreError as exc:  # cannot open it, or its schema needs `vum db upgrade`
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    source_settings = SourceSettings(
        max_import_bytes=section.max_import_mb * _MB,
        max_query_bytes=section.max_query_bytes,
        max_results=section.max_results,
        search_timeout_s=section.search_timeout_s if section.search_timeout_s > 0 else None,
        trusted_via_parties=frozenset(section.trusted_via) if section.trusted_via else None,
        explain=section.explain,
        warm_up=section.warm_up,
    )
    typer.echo(
        f"open VUM gehoste bron op http://{section.host}:{section.port}/api/v3 "
        f"(database {mask_url(target)})"
    )
    from vum.runtime import tune_gc

    tune_gc()
    uvicorn.run(
        create_source_app(backend, settings=source_settings),
        host=section.host,
        port=section.port,
        log_level=settings.logging.level,
        server_header=False,  # ADR /core/hide-implementation: no server banner in answers
        # uvicorn's access log writes every path, and a detail path holds a record id (a
        # pseudonym of a person): as the facility, no access log of paths.
        access_log=False,
    )


def _hosted_sources(target: str) -> SourceBackend:
    """``HostedSources`` over the store at ``target`` (imported here: ``vum serve --help`` stays fast)."""
    from vum.sources.hosted import HostedSources
    from vum.store import Store

    return HostedSources(Store(target))


if __name__ == "__main__":  # pragma: no cover
    app()
