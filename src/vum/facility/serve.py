# SPDX-License-Identifier: EUPL-1.2
"""`vum serve facility`: run the exchange facility from a small config file, in one of three identity modes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vum.config import (
    CONFIG_ENV,
    ConfigError,
    FacilitySection,
    Settings,
    load_settings,
    parse_vumid_keys,
)
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import (
    DevHeaderTrust,
    Identity,
    InMemoryPartyRegistry,
    InsecureBind,
    MutualTls,
    PartyInfo,
    ProxyTls,
    parse_networks,
)
from vum.facility.service import FacilitySettings
from vum.facility.vumid import VumIdCodec, new_key
from vum.standard.kinds import Kind

if TYPE_CHECKING:
    from fastapi import FastAPI

    from vum.facility.client import SourceClient
    from vum.facility.metrics import AuditSink
    from vum.facility.stats import StatsRecorder
    from vum.store import Store

log = logging.getLogger("vum.facility.serve")

app = typer.Typer(
    help="De uitwisselingsvoorziening van open VUM (open VUM's exchange facility).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

KEYS_ENV = "VUM_VUMID_KEYS"
#: who the audit log names for registry changes that come from the config file
_CONFIG_USER = "config"
_DEFAULTS = FacilitySection()


@dataclass
class FacilityConfig:
    """What the facility runs with: its limits, its sources and the parties (from ``vum.config``)."""

    settings: FacilitySettings = field(default_factory=FacilitySettings)
    sources: list[SourceEndpoint] = field(default_factory=list)
    parties: list[PartyInfo] = field(default_factory=list)
    identity: dict[str, Any] = field(default_factory=dict)
    audit_log: str | None = None
    #: facility -> source transport: the facility's own certificate and the sources' CA bundle
    client_cert: str | None = None
    client_key: str | None = None
    source_ca: str | None = None
    #: suspension of failing sources (SearXNG-style)
    breaker_failures: int = _DEFAULTS.breaker_failures
    breaker_backoff_s: float = _DEFAULTS.breaker_backoff_s
    breaker_max_backoff_s: float = _DEFAULTS.breaker_max_backoff_s
    purge_interval_s: float = _DEFAULTS.purge_interval_s
    #: with a store: how often the metrics history per source is written to it (issue 7)
    stats_interval_s: float = 5.0
    #: SHA-256 (hex) of the admin API's bearer token; the admin API is off without it
    admin_token_sha256: str | None = field(default=None, repr=False)


#: SHA-256 (hex) of the admin API's bearer token; the admin API is off when unset.
ADMIN_TOKEN_ENV = "VUM_ADMIN_TOKEN_SHA256"


def facility_config(settings: Settings) -> FacilityConfig:
    """The facility's part of the settings, as the objects it runs with."""
    fac = settings.facility
    limits = FacilitySettings(
        facility_oin=fac.oin,
        source_timeout_s=fac.source_timeout_s,
        deadline_s=fac.deadline_s,
        max_per_source=fac.max_per_source,
        max_details=fac.max_details,
        retention=dt.timedelta(days=fac.retention_days),
    )
    sources = [
        SourceEndpoint(
            oin=s.oin,
            name=s.name or s.oin,
            base_url=s.url,
            kinds=frozenset(Kind(k) for k in s.kinds),
            timeout_s=s.timeout if s.timeout is not None else fac.source_timeout_s,
            enabled=s.enabled,
        )
        for s in settings.sources
    ]
    parties = [
        PartyInfo(
            oin=p.oin,
            name=p.name or p.oin,
            roles=frozenset(p.roles),
            suwi=p.suwi,
            processors=frozenset(p.processors),
            agreement_signed=p.agreement_signed,
            active=p.active,
        )
        for p in settings.parties
    ]
    token = fac.admin_token_sha256
    return FacilityConfig(
        settings=limits,
        sources=sources,
        parties=parties,
        identity=settings.identity.model_dump(),
        audit_log=settings.audit.file,
        client_cert=fac.client_cert,
        client_key=fac.client_key,
        source_ca=fac.source_ca,
        breaker_failures=fac.breaker_failures,
        breaker_backoff_s=fac.breaker_backoff_s,
        breaker_max_backoff_s=fac.breaker_max_backoff_s,
        purge_interval_s=fac.purge_interval_s,
        admin_token_sha256=token.get_secret_value() if token is not None else None,
    )


def load_config(path: Path) -> FacilityConfig:
    """Read a TOML (``.toml``) or YAML (``.yaml``/``.yml``) facility config, with the environment.

    Raises :class:`vum.config.ConfigError` naming the setting and where its value came from.
    """
    return facility_config(load_settings(path))


def codec_from_spec(spec: str | None, origin: str = KEYS_ENV) -> VumIdCodec:
    """``k2:<base64>,k1:<base64>`` (current key first); without keys an ephemeral key.

    Rotation: a new key goes first (it becomes current, new vumIDs use it); the old one stays
    behind it until the result sets it served have expired (retention), then it is dropped.
    """
    if not spec or not spec.strip():
        log.warning(
            "%s niet gezet: tijdelijke sleutel; vumID's vervallen bij herstart "
            "(not set: ephemeral key, vumIDs die with the process)",
            origin,
        )
        return VumIdCodec({"tmp": new_key()}, "tmp")
    try:
        keys = parse_vumid_keys(spec)
    except ValueError as exc:
        raise ValueError(f"{origin}: {exc}") from None
    return VumIdCodec(keys, next(iter(keys)))


def codec_from_env(env: Mapping[str, str] = os.environ) -> VumIdCodec:
    """``VUM_VUMID_KEYS=k2:<base64>,k1:<base64>`` (current key first); else an ephemeral key."""
    return codec_from_spec(env.get(KEYS_ENV))


def codec_from_settings(settings: Settings) -> VumIdCodec:
    """The vumID codec of ``facility.vumid_keys`` (``$VUM_VUMID_KEYS`` or ``..._FILE``)."""
    keys = settings.facility.vumid_keys
    return codec_from_spec(
        keys.get_secret_value() if keys is not None else None,
        settings.origin("facility.vumid_keys") if keys is not None else KEYS_ENV,
    )


class JsonLinesAuditSink:
    """Audit events appended to a file, one JSON object a line, flushed to disk before answering.

    Until the store-backed, tamper-evident log is wired in; a failed write raises, and the
    request is refused (fail closed).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def record(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            self._file.close()


def choose_identity(
    host: str,
    *,
    tls: bool,
    trusted_proxies: list[str],
    dev_header_trust: bool,
    configured: Mapping[str, Any],
) -> Identity:
    """Exactly one of mTLS (``--tls-*``), proxy (``--trusted-proxy``) or ``--dev-header-trust``."""
    proxies = trusted_proxies or list(configured.get("trusted_proxies", []))
    mode = configured.get("mode")
    chosen = [
        name
        for name, on in (
            ("mtls", tls),
            ("proxy", bool(trusted_proxies) or (mode == "proxy" and not tls)),
            ("dev-header-trust", dev_header_trust),
        )
        if on
    ]
    if len(chosen) != 1:
        raise typer.BadParameter(
            "kies precies één identiteitsmodus: --tls-cert/--tls-key/--client-ca (mTLS), "
            "--trusted-proxy (proxy) of --dev-header-trust "
            f"(choose exactly one identity mode; got {chosen or 'none'})"
        )
    if chosen[0] == "mtls":
        return MutualTls()
    if chosen[0] == "proxy":
        verify = configured.get("verify_header", "X-SSL-Client-Verify")
        try:
            return ProxyTls(
                parse_networks(proxies),
                cert_header=str(configured.get("cert_header", "X-SSL-Client-Cert")),
                verify_header=str(verify) if verify else None,
            )
        except ValueError as exc:
            raise typer.BadParameter(f"proxy: {exc}") from None
    return DevHeaderTrust(host)


def _source_client(config: FacilityConfig) -> SourceClient:
    from vum.facility.client import SourceClient

    context: ssl.SSLContext | None = None
    if config.source_ca or config.client_cert:
        # The facility calls sources with its own client certificate (mTLS).
        context = ssl.create_default_context(cafile=config.source_ca)
        if config.client_cert:
            context.load_cert_chain(config.client_cert, config.client_key)
    return SourceClient(ssl_context=context)


def build_app(
    config: FacilityConfig,
    identity: Identity,
    audit: AuditSink,
    codec: VumIdCodec,
    *,
    store: Store | None = None,
) -> FastAPI:
    """The facility app over ``config``; closes its HTTP client and purges old results on its own.

    With a ``store`` the parties, sources and result sets live in the database (shared by every
    worker process); the config's parties and sources are upserted into its registry first.
    Without one, they come from the config and result sets stay in this process.
    """
    from vum.facility.app import StaticDirectory, create_facility_app
    from vum.facility.breaker import CircuitBreaker
    from vum.facility.identity import PartyRegistry
    from vum.facility.metrics import FacilityMetrics
    from vum.facility.results import purge_expired
    from vum.facility.service import Facility, InMemoryResultSets, ResultSets, SourceDirectory

    client = _source_client(config)
    results: ResultSets
    directory: SourceDirectory
    registry: PartyRegistry
    if store is not None:
        from vum.facility.registry import StoreRegistry
        from vum.facility.results import StoreResultSets

        stored = StoreRegistry(store, default_timeout_s=config.settings.source_timeout_s)
        if config.parties or config.sources:
            changed = stored.apply_config(config.parties, config.sources, by=_CONFIG_USER)
            log.info("partijregister bijgewerkt uit de config: %d partij(en)", len(changed))
        results, directory, registry = StoreResultSets(store), stored, stored
        # Suspensions of failing sources hold for every worker on the store, not per process.
        from vum.facility.shared_breaker import SharedCircuitBreaker

        breaker: SharedCircuitBreaker | None = SharedCircuitBreaker(
            store, config.breaker_failures, config.breaker_backoff_s, config.breaker_max_backoff_s
        )
    else:
        results = InMemoryResultSets()
        directory = StaticDirectory(config.sources)
        registry = InMemoryPartyRegistry.of(config.parties)
        breaker = None
    facility = Facility(
        config.settings,
        directory,
        results,
        codec,
        client,
        breaker
        if breaker is not None
        else CircuitBreaker(
            config.breaker_failures, config.breaker_backoff_s, config.breaker_max_backoff_s
        ),
    )
    # The metrics history per source, in the store for the portal's operations pages.
    stats: StatsRecorder | None = None
    if store is not None:
        from vum.facility.stats import StatsRecorder

        stats = StatsRecorder(store, interval_s=config.stats_interval_s)
    metrics = FacilityMetrics(breaker=lambda: facility.breaker, stats=stats)
    # Purges are audited with the store (deleting data is a processing); the JSON-lines file
    # keeps holding API events only, as before.
    purge_audit = audit if store is not None else None

    async def purge_forever() -> None:
        # VUM: results are kept 7 days (configurable), then purged; off the event loop, since
        # the store may wait for another process's write lock.
        while True:
            try:
                await asyncio.to_thread(
                    purge_expired, results, config.settings.retention, audit=purge_audit
                )
            except Exception:
                log.exception("purging expired result sets failed; retrying at the next interval")
            await asyncio.sleep(config.purge_interval_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        purger = asyncio.create_task(purge_forever())
        recorder = asyncio.create_task(stats.run()) if stats is not None else None
        try:
            yield
        finally:
            purger.cancel()
            if recorder is not None and stats is not None:
                recorder.cancel()
                await stats.close()
            await client.aclose()
            if breaker is not None:
                await asyncio.to_thread(breaker.close)

    app = create_facility_app(
        facility, registry, audit, identity, metrics=metrics, lifespan=lifespan
    )
    admin_digest = (config.admin_token_sha256 or "").strip().lower()
    if store is not None and admin_digest:
        from vum.facility.admin import make_admin_router
        from vum.facility.registry import StoreRegistry

        assert isinstance(registry, StoreRegistry)
        app.include_router(make_admin_router(registry, admin_digest))
        log.info("admin-API /admin/v1/parties aan (admin API enabled)")
    return app


@app.callback()
def _servers() -> None:
    """De uitwisselingsvoorziening van open VUM (open VUM's exchange facility)."""


@app.command()
def facility(
    host: Annotated[
        str | None,
        typer.Option(help="adres om op te luisteren (listen address); default 127.0.0.1"),
    ] = None,
    port: Annotated[int | None, typer.Option(help="poort (port); default 8080")] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="TOML/YAML: instellingen, bronnen en partijen (settings, sources, parties); "
            f"default ${CONFIG_ENV}",
        ),
    ] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="servercertificaat (PEM), mTLS")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="sleutel van het servercertificaat")] = None,
    client_ca: Annotated[
        Path | None, typer.Option(help="CA-bundel voor clientcertificaten (client CA bundle)")
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(help="adres/netwerk van de TLS-proxy (trusted proxy address); herhaalbaar"),
    ] = None,
    dev_header_trust: Annotated[
        bool, typer.Option(help="ONVEILIG, alleen ontwikkeling: vertrouw X-VUM-viaParty")
    ] = False,
    audit_log: Annotated[
        Path | None, typer.Option(help="auditlog (JSON lines); default facility-audit.jsonl")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="database voor partijen, resultaatsets en auditlog: bestand of URL "
            "(parties, result sets and the audit log in the store); default store.url of "
            "$VUM_DB; zonder: config en JSON lines",
        ),
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="log level; default info")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="werkprocessen op één socket; meer dan 1 vraagt --db "
            "(worker processes on one socket; more than 1 needs --db); default 1",
        ),
    ] = None,
) -> None:
    """Start de uitwisselingsvoorziening: VUM-Bemiddelaar (/api/v3), /metrics, /health, /ready."""
    try:
        settings = load_settings(
            config,
            {
                "facility.host": host,
                "facility.port": port,
                "facility.workers": workers,
                "store.url": db,
                "audit.file": str(audit_log) if audit_log else None,
                "identity.tls_cert": str(tls_cert) if tls_cert else None,
                "identity.tls_key": str(tls_key) if tls_key else None,
                "identity.client_ca": str(client_ca) if client_ca else None,
                "logging.level": log_level,
            },
        )
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    host, port = settings.facility.host, settings.facility.port
    workers, log_level = settings.facility.workers, settings.logging.level
    store_url = settings.store_url()
    if workers > 1 and store_url is None:
        raise typer.BadParameter(
            "--workers > 1 vraagt --db: resultaatsets, detailtellers en het auditlog moeten "
            "gedeeld zijn (more than one worker needs the shared store)"
        )
    if store_url is not None and audit_log is not None:
        raise typer.BadParameter(
            "--audit-log en --db (of store.url, $VUM_DB) samen: met een database staat het "
            "auditlog daarin (with a store the audit log is in the database)"
        )
    cfg = facility_config(settings)
    ident = settings.identity
    tls_files = [ident.tls_cert, ident.tls_key, ident.client_ca]
    if any(tls_files) and not all(tls_files):
        raise typer.BadParameter("mTLS: --tls-cert, --tls-key en --client-ca samen (all three)")
    cert, key, ca = (Path(f) if f else None for f in tls_files)
    try:
        identity = choose_identity(
            host,
            tls=all(tls_files),
            trusted_proxies=trusted_proxy or [],
            dev_header_trust=dev_header_trust,
            configured=cfg.identity,
        )
    except InsecureBind as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    try:
        codec = codec_from_settings(settings)  # before any fork: every worker holds the same keys
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    from vum.facility.metrics import configure_json_logging

    # Only now: a refused start must not reconfigure the caller's logging.
    configure_json_logging(getattr(logging, log_level.upper(), logging.INFO))
    _log_settings(settings)
    if isinstance(identity, DevHeaderTrust):
        log.warning("ONVEILIG: --dev-header-trust, alleen voor ontwikkeling (INSECURE, dev only)")

    def serve(sock: socket.socket | None) -> None:
        if store_url is None:
            audit = JsonLinesAuditSink(Path(cfg.audit_log or "facility-audit.jsonl"))
            asgi = build_app(cfg, identity, audit, codec)
            _run(asgi, host, port, cert, key, ca, log_level, sock)
            audit.close()
            return
        from vum.facility.audit import StoreAuditLog
        from vum.facility.registry import RegistryError
        from vum.store import Store, StoreError

        try:
            store = Store(store_url)
        except StoreError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        # The audit log's own connections commit with synchronous=FULL: a record is on disk
        # before the answer leaves, as the JSON-lines file was fsynced.
        audit_store = Store(store_url, synchronous="FULL")
        try:
            try:
                asgi = build_app(cfg, identity, StoreAuditLog(audit_store), codec, store=store)
            except RegistryError as exc:
                typer.echo(f"config: {exc}", err=True)
                raise typer.Exit(2) from None
            _run(asgi, host, port, cert, key, ca, log_level, sock)
        finally:
            store.close()
            audit_store.close()

    if workers == 1:
        serve(None)
        return
    from vum.facility.registry import RegistryError, StoreRegistry
    from vum.store import Store, StoreError
    from vum.workers import bind, run_workers

    # Schema and config once, before the fork: workers starting together would race for both.
    try:
        with Store(store_url) as store:
            StoreRegistry(store).apply_config(cfg.parties, cfg.sources, by=_CONFIG_USER)
    except (StoreError, RegistryError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    log.info("%d workers op %s:%d (workers on one socket)", workers, host, port)
    raise typer.Exit(run_workers(serve, bind(host, port), workers))


def _log_settings(settings: Settings) -> None:
    """One line of what was loaded; the effective settings, secrets masked, at DEBUG."""
    log.info(
        "instellingen geladen (settings loaded): config %s, %d bron(nen), %d partij(en)",
        settings.config_file or "-",
        len(settings.sources),
        len(settings.parties),
    )
    log.debug(
        "instellingen (settings): %s; herkomst (origins): %s",
        json.dumps(settings.masked(), default=str),
        json.dumps(settings.origins()),
    )


def _run(
    asgi: FastAPI,
    host: str,
    port: int,
    tls_cert: Path | None,
    tls_key: Path | None,
    client_ca: Path | None,
    log_level: str,
    sock: socket.socket | None = None,
) -> None:
    import uvicorn
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    from vum.facility.identity import with_tls_scope

    options: dict[str, Any] = {}
    if tls_cert and tls_key and client_ca:
        options = {
            "ssl_certfile": str(tls_cert),
            "ssl_keyfile": str(tls_key),
            "ssl_ca_certs": str(client_ca),
            # VUM: mutual TLS; no client certificate, no connection.
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
            "http": with_tls_scope(AutoHTTPProtocol),
        }
    config = uvicorn.Config(
        asgi,
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,  # keep the JSON logging configured above
        access_log=False,  # the API logs one line per request itself, without the vumID path
        proxy_headers=False,  # never let X-Forwarded-For rewrite the peer address
        server_header=False,  # ADR /core/hide-implementation: no server banner in answers
        **options,
    )
    from vum.runtime import tune_gc

    tune_gc()
    uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
