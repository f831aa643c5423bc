# SPDX-License-Identifier: EUPL-1.2
"""One settings model for every open VUM process: defaults, a TOML/YAML file, ``VUM_*`` variables, options."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as _PydanticSettingsError

from vum import config_sources
from vum.config_sources import (
    CONFIG_ENV,
    ENV_DELIMITER,
    ENV_PREFIX,
    MASK,
    ConfigError,
    FileSource,
    FlatEnvSource,
    env_config_path,
    env_name,
    explain,
    flatten,
    mask_url,
    with_password,
)

__all__ = [
    "CONFIG_ENV",
    "ENV_DELIMITER",
    "ENV_PREFIX",
    "MASK",
    "AuditSection",
    "ConfigError",
    "FacilitySection",
    "IdentitySection",
    "LoggingSection",
    "PartyEntry",
    "PortalSection",
    "Settings",
    "SourceEntry",
    "SourceSection",
    "StoreSection",
    "flat_env_names",
    "load_settings",
    "mask_url",
    "parse_vumid_keys",
    "secret_fields",
    "with_password",
]

_KEY_ID = re.compile(r"^[a-zA-Z0-9_-]{1,16}$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def _secret(env: str, help_text: str) -> Any:
    """A secret setting: only from ``$env`` or from the file named by ``${env}_FILE``."""
    return Field(
        default=None, description=help_text, json_schema_extra={"env": env, "secret": True}
    )


def _flat_env(env: str, default: Any, help_text: str) -> Any:
    """A setting that also answers to a flat environment variable (kept from earlier releases)."""
    return Field(default=default, description=help_text, json_schema_extra={"env": env})


def parse_vumid_keys(spec: str) -> dict[str, bytes]:
    """``k2:<base64>,k1:<base64>`` as ``{id: key}``, current key first; errors never show a key."""
    keys: dict[str, bytes] = {}
    for item in spec.split(","):
        key_id, sep, b64 = item.strip().partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ValueError(
                "verwacht <id>:<base64>, gescheiden door komma's; id's zijn [a-zA-Z0-9_-]{1,16} "
                "(expected <id>:<base64>, comma-separated)"
            )
        try:
            key = base64.b64decode(b64.strip() + "=" * (-len(b64.strip()) % 4), altchars=b"-_")
        except binascii.Error:
            raise ValueError(f"sleutel {key_id!r} is geen base64 (key is not base64)") from None
        if len(key) != 32:
            raise ValueError(f"sleutel {key_id!r} is geen 32 bytes (a key is 32 bytes)")
        if key_id in keys:
            raise ValueError(f"sleutel-id {key_id!r} komt twee keer voor (duplicate key id)")
        keys[key_id] = key
    return keys


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class FacilitySection(_Section):
    """The exchange facility (``vum serve facility``): the agreement framework's limits."""

    oin: str = Field(
        "00000001000000000000",
        description="This facility's OIN: the X-VUM-toParty of calls to it, the X-VUM-viaParty "
        "of its calls to sources.",
    )
    host: str = Field("127.0.0.1", description="Listen address (`--host`).")
    port: int = Field(8080, ge=1, le=65535, description="Port (`--port`).")
    workers: int = Field(
        1, ge=1, description="Worker processes on one socket; more than 1 needs a store (`--db`)."
    )
    source_timeout_s: float = Field(
        4.0,
        gt=0,
        description="VUM pilots: 4 s per source, for sources without their own `timeout`.",
    )
    deadline_s: float = Field(
        10.0, gt=0, description="VUM: the mediator has the merged answer within this many seconds."
    )
    max_per_source: int = Field(100, ge=1, description="VUM: at most 100 results per source.")
    max_details: int = Field(10, ge=1, description="VUM: at most 10 detail requests per vraagID.")
    retention_days: float = Field(
        7.0, gt=0, description="VUM: result sets (and their vumIDs) are kept 7 days, then purged."
    )
    purge_interval_s: float = Field(
        3600.0, gt=0, description="Seconds between purges of expired result sets."
    )
    breaker_failures: int = Field(
        3, ge=1, description="Consecutive failures after which a source is suspended."
    )
    breaker_backoff_s: float = Field(
        30.0,
        gt=0,
        description="First suspension of a failing source; then one probe call goes through.",
    )
    breaker_max_backoff_s: float = Field(
        600.0, gt=0, description="The suspension doubles on every failed probe, up to this."
    )
    client_cert: str | None = Field(
        None, description="The facility's own client certificate (PEM) for calls to sources."
    )
    client_key: str | None = Field(None, description="The key file of `client_cert`.")
    source_ca: str | None = Field(
        None, description="CA bundle the sources' server certificates are checked against."
    )
    vumid_keys: SecretStr | None = _secret(
        "VUM_VUMID_KEYS",
        "vumID keys `k2:<base64>,k1:<base64>`, current first (`vum keys new`); without them an "
        "ephemeral key, and vumIDs die with the process.",
    )
    admin_token_sha256: SecretStr | None = _secret(
        "VUM_ADMIN_TOKEN_SHA256",
        "SHA-256 (hex) of the admin API's bearer token; the admin API is off without it.",
    )

    @field_validator("vumid_keys")
    @classmethod
    def _keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            parse_vumid_keys(value.get_secret_value())
        return value

    @field_validator("admin_token_sha256")
    @classmethod
    def _digest(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        digest = value.get_secret_value().strip().lower()
        if not _SHA256_HEX.match(digest):
            raise ValueError("verwacht 64 hexadecimale tekens (expected a SHA-256 in hex)")
        return SecretStr(digest)

    @model_validator(mode="after")
    def _backoff(self) -> FacilitySection:
        if self.breaker_max_backoff_s < self.breaker_backoff_s:
            raise ValueError(
                "breaker_max_backoff_s is kleiner dan breaker_backoff_s "
                "(the maximum back-off is below the first)"
            )
        return self


class SourceSection(_Section):
    """The hosted source (``vum serve source``): VUM-Bron for many parties, and their imports."""

    host: str = Field("127.0.0.1", description="Listen address (`--host`).")
    port: int = Field(8081, ge=1, le=65535, description="Port (`--port`).")
    max_results: int = Field(100, ge=1, description="VUM: at most 100 summaries per source.")
    max_query_bytes: int = Field(
        1 << 20, ge=1024, description="A vraagObject larger than this is refused (400.01)."
    )
    max_import_mb: int = Field(
        200, ge=1, description="Largest import body in MB; larger answers 413 (`--max-import-mb`)."
    )
    search_timeout_s: float = Field(
        10.0,
        ge=0,
        description="Seconds per query, then 503 (`--timeout`); 0: no limit. VUM: the mediator "
        "has the merged answer within 10 s.",
    )
    trusted_via: list[str] = Field(
        default_factory=list,
        description="Only these X-VUM-viaParty OINs (the facility) may ask; empty: anyone "
        "(`--trusted-via`).",
    )
    explain: bool = Field(True, description="Honour `X-OpenVUM-Explain: 1` (scores, reasons).")
    warm_up: bool = Field(
        True, description="Build every dataset's index at start-up; /ready is 503 until done."
    )


class StoreSection(_Section):
    """The store: parties, result sets, the audit log and the hosted datasets."""

    url: str | None = _flat_env(
        "VUM_DB",
        None,
        "An SQLite file or a database URL (`postgresql+psycopg://user@host/vum`), as `--db`. "
        "The hosted source falls back to `./vum.db`; the facility runs without a store.",
    )
    password: SecretStr | None = _secret(
        "VUM_DB_PASSWORD", "Database password, put into a PostgreSQL URL that has none."
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # A URL may carry a password (from $VUM_DB or --db): never in a repr.
        for name, value in super().__repr_args__():
            yield name, mask_url(value) if name == "url" and isinstance(value, str) else value


class IdentitySection(_Section):
    """How the facility knows who calls (docs/mtls.md); `--dev-header-trust` is a flag only."""

    mode: Literal["mtls", "proxy"] | None = Field(
        None,
        description="`proxy`: a TLS proxy passes the client certificate; `mtls`: the facility "
        "terminates TLS itself (needs `tls_cert`, `tls_key`, `client_ca`).",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of the TLS proxy (`--trusted-proxy`).",
    )
    cert_header: str = Field(
        "X-SSL-Client-Cert", description="Header with the client certificate (proxy mode)."
    )
    verify_header: str = Field(
        "X-SSL-Client-Verify",
        description="Header with the proxy's verification result; empty: not required.",
    )
    tls_cert: str | None = Field(None, description="Server certificate (PEM), mTLS mode.")
    tls_key: str | None = Field(None, description="Key of the server certificate, mTLS mode.")
    client_ca: str | None = Field(None, description="CA bundle for client certificates, mTLS.")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for address in value:
            try:
                ipaddress.ip_network(address.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{address!r} is geen adres of netwerk (not an address or network)"
                ) from None
        return value


class AuditSection(_Section):
    """The audit log."""

    file: str | None = Field(
        None,
        description="JSON-lines audit file of a facility without a store (default "
        "`facility-audit.jsonl`); with a store the log is in the database.",
    )


class PortalSection(_Section):
    """The mediators' portal (``vum serve portal``): the facility it asks, sessions, logins."""

    facility_url: str = Field(
        "http://127.0.0.1:8080/api/v3",
        description="The facility's VUM-Bemiddelaar base URL, up to and including `/api/v3` "
        "(`--facility`).",
    )
    facility_oin: str = Field(
        "00000001000000000000",
        description="The facility's OIN: the X-VUM-toParty of the portal's calls "
        "(`--facility-oin`).",
    )
    oin: str | None = Field(
        None,
        description="The portal's own OIN: its X-VUM-viaParty, a processor the mediators' "
        "parties allow (`--oin`); required to serve.",
    )
    host: str = Field("127.0.0.1", description="Listen address (`--host`).")
    port: int = Field(8083, ge=1, le=65535, description="Port (`--port`).")
    workers: int = Field(
        1,
        ge=1,
        description="Worker processes on one socket (`--workers`); more than 1 needs "
        "`session_secret` (every worker signs the cookies with it).",
    )
    cookie_secure: bool = Field(
        True,
        description="Session cookies only over HTTPS; off only on loopback "
        "(`--insecure-cookies`, the demo and tests).",
    )
    session_timeout_minutes: int = Field(
        30, ge=1, description="A session ends after this many minutes without activity."
    )
    session_absolute_hours: float = Field(
        10.0, gt=0, description="A session ends this many hours after the login, active or not."
    )
    login_attempts: int = Field(
        5,
        ge=1,
        description="Failed logins per account within `login_window_minutes`; the one that "
        "reaches it locks the account.",
    )
    login_attempts_per_address: int = Field(
        20,
        ge=1,
        description="Failed logins per client address (any account) within "
        "`login_window_minutes`; the one that reaches it locks the address.",
    )
    login_window_minutes: int = Field(
        15, ge=1, description="The window in which failed logins are counted."
    )
    login_lockout_minutes: int = Field(
        15, ge=1, description="How long a locked account or address is refused."
    )
    retention_days: float = Field(
        7.0,
        gt=0,
        description="VUM: result sets are kept 7 days; the portal keeps its searches (and the "
        "details opened from them) as long.",
    )
    max_details: int = Field(
        10, ge=1, description="VUM: at most 10 detail requests per query (shown to the user)."
    )
    facility_timeout_s: float = Field(
        15.0,
        gt=0,
        description="Seconds the portal waits for the facility (VUM: it answers within 10 s; a "
        "little more for the network).",
    )
    client_cert: str | None = Field(
        None,
        description="The portal's PKIoverheid client certificate (PEM) for mTLS towards the "
        "facility.",
    )
    client_key: str | None = Field(None, description="The key file of `client_cert`.")
    facility_ca: str | None = Field(
        None, description="CA bundle the facility's server certificate is checked against."
    )
    processing_activity: str = Field(
        "bemiddeling naar werk",
        description="The processing activity (X-OpenVUM-Verwerking) in the facility's audit log.",
    )
    few_results: int = Field(
        10, ge=0, description="Fewer results than this: the portal offers wider searches."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (not networks) of reverse proxies whose X-Forwarded-For names "
        "the client, for login throttling per address.",
    )
    alert_rate: float = Field(
        0.2,
        gt=0,
        le=1,
        description="Operations page: a source is flagged when its time-outs or errors reach "
        "this share of its calls within `alert_window_minutes`.",
    )
    alert_min_queries: int = Field(
        10,
        ge=1,
        description="Operations page: a source is flagged only after at least this many calls "
        "within `alert_window_minutes`.",
    )
    alert_window_minutes: int = Field(
        15, ge=1, description="The window of `alert_rate` and `alert_min_queries`."
    )
    dashboard_refresh_s: int = Field(
        30, ge=0, description="The operations dashboard reloads its figures this often; 0: never."
    )
    source_db: str | None = Field(
        None,
        description="The hosted source's database (a file or URL) that bronbeheerders publish "
        "into; default the portal's own store (`store.url`).",
    )
    upload_max_mb: int = Field(
        50, ge=1, description="The largest file a bronbeheerder may upload, in MB."
    )
    oidc_issuer: str | None = Field(
        None,
        description="OpenID Connect provider (an eHerkenning broker) to log in with; its "
        "`/.well-known/openid-configuration` is read. Unset: local passwords only.",
    )
    oidc_client_id: str | None = Field(
        None, description="The portal's client id at that provider (required with the issuer)."
    )
    oidc_claim: str = Field(
        "email",
        description="The ID-token claim whose value (lower-cased) must be the e-mail address of "
        "an active portal account.",
    )
    oidc_scope: str = Field("openid email", description="The scopes the portal asks for.")
    oidc_label: str = Field(
        "Inloggen met eHerkenning", description="The login button's text on the login page."
    )
    session_secret: SecretStr | None = _secret(
        "VUM_SESSION_SECRET",
        "Signs the session cookies; at least 32 characters, the same for every worker. Without "
        "it an ephemeral key (one worker only), and sessions end when the portal restarts.",
    )
    oidc_client_secret: SecretStr | None = _secret(
        "VUM_OIDC_CLIENT_SECRET", "The portal's client secret at the OpenID Connect provider."
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # source_db may be a URL with a password: never in a repr.
        for name, value in super().__repr_args__():
            masked = name == "source_db" and isinstance(value, str)
            yield name, mask_url(value) if masked else value

    @field_validator("session_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError(
                "minstens 32 tekens, bv. `python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
                "(at least 32 characters)"
            )
        return value

    @field_validator("facility_url", "oidc_issuer")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("verwacht een http(s)-URL (expected an http(s) URL)")
        return value.rstrip("/") if value is not None else None

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        found = []
        for address in value:
            try:
                found.append(str(ipaddress.ip_address(address.strip())))
            except ValueError:
                raise ValueError(
                    f"{address!r} is geen IP-adres (not an IP address; networks are not allowed)"
                ) from None
        return found

    @model_validator(mode="after")
    def _oidc(self) -> PortalSection:
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError(
                "oidc_issuer vraagt oidc_client_id (an OpenID Connect issuer needs a client id)"
            )
        return self


class LoggingSection(_Section):
    """Logging."""

    level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        "info", description="Log level (`--log-level`)."
    )

    @field_validator("level", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


KindName = Literal["werkzoekende", "vacature"]
_KINDS: tuple[KindName, ...] = ("werkzoekende", "vacature")


class SourceEntry(_Section):
    """One ``[[sources]]`` entry: a source the facility asks."""

    oin: str = Field(description="The source's OIN (X-VUM-toParty of calls to it).")
    name: str | None = Field(None, description="Its name in answers and logs; default the OIN.")
    url: str = Field(description="Base URL up to and including `/api/v3`.")
    kinds: list[KindName] = Field(
        default_factory=lambda: list(_KINDS),
        description="What it answers: `werkzoekende`, `vacature` or both.",
    )
    timeout: float | None = Field(
        None, gt=0, description="Seconds for this source; default `facility.source_timeout_s`."
    )
    enabled: bool = Field(True, description="Whether the facility asks it at all.")


class PartyEntry(_Section):
    """One ``[[parties]]`` entry: a party of the agreement framework."""

    oin: str = Field(description="The party's OIN.")
    name: str | None = Field(None, description="Its name; default the OIN.")
    roles: list[Literal["bemiddelaar", "bron-werkzoekende", "bron-vacature"]] = Field(
        default_factory=list, description="`bemiddelaar`, `bron-werkzoekende`, `bron-vacature`."
    )
    suwi: bool = Field(False, description="A SUWI party: its calls carry `X-VUM-SUWIparty: true`.")
    processors: list[str] = Field(
        default_factory=list, description="OINs of processors that may ask for it (viaParty)."
    )
    agreement_signed: dt.date | None = Field(
        None, description="When it signed the agreements; without it the party takes no part."
    )
    active: bool = Field(True, description="Not suspended.")


#: the config file of the settings being built (set by :func:`load_settings`)
_CONFIG_FILE: ContextVar[Path | None] = ContextVar("vum_config_file")


class Settings(BaseSettings):
    """Every setting of open VUM, by section; ``[[sources]]`` and ``[[parties]]`` in the file.

    Order, last wins: the defaults (the VUM agreement framework's limits), the config file
    (``--config`` or ``$VUM_CONFIG``), the environment (``VUM_<SECTION>__<SETTING>``, and the flat
    names such as ``VUM_DB``), the command line. Secrets come only from the environment or from
    a file named by ``<NAME>_FILE`` (Docker secrets); one in the config file is refused. This
    module imports no other part of open VUM (only ``vum.config_sources``), so any layer may read
    its defaults; ``docs/configuration.md`` is generated from it (``vum config docs``).
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        env_ignore_empty=True,
        extra="forbid",
        frozen=True,
    )

    facility: FacilitySection = FacilitySection()
    source: SourceSection = SourceSection()
    store: StoreSection = StoreSection()
    identity: IdentitySection = IdentitySection()
    audit: AuditSection = AuditSection()
    portal: PortalSection = PortalSection()
    logging: LoggingSection = LoggingSection()
    sources: list[SourceEntry] = Field(default_factory=list)
    parties: list[PartyEntry] = Field(default_factory=list)

    _origins: dict[str, str] = PrivateAttr(default_factory=dict)
    _config_file: Path | None = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _CONFIG_FILE.get(env_config_path())
        return (
            init_settings,
            FlatEnvSource(settings_cls),
            env_settings,
            FileSource(settings_cls, path),
        )

    def origin(self, key: str) -> str:
        """Where ``key`` (``facility.deadline_s``) got its value: a file, a variable, ``default``."""
        return self._origins.get(key, "default")

    def origins(self) -> dict[str, str]:
        """Every setting not at its default, by dotted name, with where its value came from."""
        return dict(self._origins)

    @property
    def config_file(self) -> Path | None:
        """The config file these settings were read from, if any."""
        return self._config_file

    def masked(self) -> dict[str, Any]:
        """The settings as plain data, secrets shown as ``**********`` (for logs and ``config show``)."""
        data = self.model_dump(mode="json")
        for section, name, _ in secret_fields():
            if data[section][name] is not None:
                data[section][name] = MASK
        url = self.store_url()
        data["store"]["url"] = mask_url(url) if url is not None else None
        source_db = data["portal"]["source_db"]
        data["portal"]["source_db"] = mask_url(source_db) if source_db is not None else None
        return data

    def store_url(self, cli_db: str | None = None) -> str | None:
        """``--db`` or ``store.url``, with ``store.password`` put into a PostgreSQL URL lacking one."""
        url = cli_db or self.store.url
        password = self.store.password
        if url is None or password is None:
            return url
        return with_password(url, password.get_secret_value())


def secret_fields() -> Iterator[tuple[str, str, str]]:
    """``(section, setting, environment variable)`` of every secret."""
    return config_sources.secret_fields(Settings)


def flat_env_names() -> dict[tuple[str, str], str]:
    """The flat environment names (``VUM_DB``, the secrets) by ``(section, setting)``."""
    return config_sources.flat_env_names(Settings)


def load_settings(
    config: Path | str | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """The effective settings: defaults, ``config`` (else ``$VUM_CONFIG``), environment, overrides.

    ``overrides`` are command-line options by dotted name (``{"facility.port": 8080}``); ``None``
    values are left out. Raises :class:`ConfigError` naming the setting and its source.
    """
    path = Path(config) if config is not None else env_config_path()
    nested: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if value is not None:
            section, _, name = key.partition(".")
            nested.setdefault(section, {})[name] = value
    token = _CONFIG_FILE.set(path)
    try:
        flat = FlatEnvSource(Settings)
        layers: list[tuple[dict[str, Any], Any]] = [
            (nested, lambda _key: "command line"),
            (flat(), flat.origins.get),
            (EnvSettingsSource(Settings)(), env_name),
            (FileSource(Settings, path)(), lambda _key: str(path)),
        ]
        origins: dict[str, str] = {}
        for data, origin_of in reversed(layers):
            for key in flatten(data):
                origins[key] = origin_of(key)
        try:
            settings = Settings(**nested)
        except ValidationError as exc:
            raise ConfigError(explain(exc, origins)) from None
        except _PydanticSettingsError as exc:
            raise ConfigError(f"ongeldige instelling (invalid setting): {exc}") from None
    finally:
        _CONFIG_FILE.reset(token)
    settings._origins = origins
    settings._config_file = path
    return settings
