# SPDX-License-Identifier: EUPL-1.2
"""`vum serve`: run open VUM's servers; `vum serve source` is the hosted source (VUM-Bron + import)."""

from __future__ import annotations

import os
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
            help="database met de datasets: bestand of URL (default: $VUM_DB of ./vum.db)",
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="adres om op te luisteren (listen address)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="poort (port)")] = 8081,
    max_import_mb: Annotated[
        int, typer.Option(help="grootste import-body in MB (largest import body)")
    ] = _DEFAULT_IMPORT_MB,
    trusted_via: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-via",
            help="alleen deze X-VUM-viaParty-OIN's mogen vragen (only these may ask); herhaalbaar",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="seconden per zoekvraag, daarna 503 (seconds per query)")
    ] = 10.0,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Start de gehoste bron: VUM-Bron (/api/v3), import (/admin/v1), /health en /ready."""
    import uvicorn

    from vum.api.app import create_source_app
    from vum.api.settings import SourceSettings
    from vum.store import StoreError

    target = db or default_db()
    try:
        backend = _hosted_sources(target)
    except StoreError as exc:  # cannot open it, or its schema needs `vum db upgrade`
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    settings = SourceSettings(
        max_import_bytes=max_import_mb * _MB,
        search_timeout_s=timeout if timeout > 0 else None,
        trusted_via_parties=frozenset(trusted_via) if trusted_via else None,
    )
    typer.echo(f"open VUM gehoste bron op http://{host}:{port}/api/v3 (database {target})")
    from vum.runtime import tune_gc

    tune_gc()
    uvicorn.run(
        create_source_app(backend, settings=settings), host=host, port=port, log_level=log_level
    )


def _hosted_sources(target: str) -> SourceBackend:
    """``HostedSources`` over the store at ``target`` (imported here: ``vum serve --help`` stays fast)."""
    from vum.sources.hosted import HostedSources
    from vum.store import Store

    return HostedSources(Store(target))


if __name__ == "__main__":  # pragma: no cover
    app()
