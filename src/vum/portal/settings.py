# SPDX-License-Identifier: EUPL-1.2
"""The portal's settings: where the facility is, who the portal is, sessions, throttling, OpenID Connect.

:class:`PortalSettings` is what the portal runs with; :meth:`PortalSettings.from_config` builds it
from the one settings model (``vum.config``: the ``[portal]`` table of the config file,
``VUM_PORTAL__*`` variables, the secrets ``VUM_SESSION_SECRET`` and ``VUM_OIDC_CLIENT_SECRET``).
Its defaults are :class:`vum.config.PortalSection`'s, declared once there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from vum.config import ConfigError, PortalSection, Settings

_DEFAULTS = PortalSection()


@dataclass(frozen=True)
class OidcSettings:
    """An OpenID Connect provider (an eHerkenning broker): users log in there, the claim finds them.

    ``claim`` names the ID-token claim whose value is matched (lower-cased) against the e-mail
    address of a portal account; accounts are still made with ``vum users add``, so a login
    through the broker never creates one and never chooses a party or role.
    """

    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    claim: str = _DEFAULTS.oidc_claim
    scope: str = _DEFAULTS.oidc_scope
    #: the button's text on the login page
    label: str = _DEFAULTS.oidc_label


@dataclass(frozen=True)
class PortalSettings:
    """Everything the portal needs besides its store and register."""

    #: the facility's VUM-Bemiddelaar base URL, up to and including ``/api/v3``
    facility_url: str
    #: the facility's OIN (``X-VUM-toParty``)
    facility_oin: str
    #: the portal's own OIN (``X-VUM-viaParty``): a processor the mediator parties allow
    portal_oin: str
    #: signs session cookies; at least 32 characters
    secret_key: str = field(repr=False)
    #: cookies only over HTTPS (off only for a loopback demo or test)
    cookie_secure: bool = _DEFAULTS.cookie_secure
    session_idle: dt.timedelta = dt.timedelta(minutes=_DEFAULTS.session_timeout_minutes)
    session_absolute: dt.timedelta = dt.timedelta(hours=_DEFAULTS.session_absolute_hours)
    #: failed logins per account / per client address within the window, then a lockout
    login_limit_account: int = _DEFAULTS.login_attempts
    login_limit_address: int = _DEFAULTS.login_attempts_per_address
    login_window: dt.timedelta = dt.timedelta(minutes=_DEFAULTS.login_window_minutes)
    login_lockout: dt.timedelta = dt.timedelta(minutes=_DEFAULTS.login_lockout_minutes)
    #: VUM: result sets are kept 7 days; the portal keeps its searches as long
    retention: dt.timedelta = dt.timedelta(days=_DEFAULTS.retention_days)
    #: VUM: at most 10 detail requests per query
    max_details: int = _DEFAULTS.max_details
    #: the facility answers within 10 s (VUM); a little more for the network
    facility_timeout_s: float = _DEFAULTS.facility_timeout_s
    #: mTLS towards the facility: the portal's PKIoverheid certificate and key, the facility's CA
    client_cert: str | None = None
    client_key: str | None = None
    facility_ca: str | None = None
    #: X-OpenVUM-Verwerking: the processing activity in the facility's audit log
    processing_activity: str = _DEFAULTS.processing_activity
    #: fewer results than this: suggest a wider search
    few_results: int = _DEFAULTS.few_results
    oidc: OidcSettings | None = None
    #: client addresses of reverse proxies whose X-Forwarded-For names the real client
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)
    #: operations page: a source is flagged when its time-out or error rate over the last
    #: ``alert_window_minutes`` reaches ``alert_rate``, after at least ``alert_min_queries`` calls
    alert_rate: float = _DEFAULTS.alert_rate
    alert_min_queries: int = _DEFAULTS.alert_min_queries
    alert_window_minutes: int = _DEFAULTS.alert_window_minutes
    #: the operations dashboard reloads its figures this often (seconds; htmx, 0: never)
    dashboard_refresh_s: int = _DEFAULTS.dashboard_refresh_s
    #: the hosted source's database (file or URL) that bronbeheerders publish into; None: the
    #: portal's own store (one database for both, as in the Compose deployment); a URL may hold a
    #: password, so never in the repr
    source_db: str | None = field(default=None, repr=False)
    #: the largest file a bronbeheerder may upload, in MB
    upload_max_mb: int = _DEFAULTS.upload_max_mb

    def __post_init__(self) -> None:
        if len(self.secret_key) < 32:
            raise ValueError(
                "de sessiesleutel moet minstens 32 tekens zijn (secret key of at least 32 characters)"
            )

    @classmethod
    def from_config(cls, settings: Settings, **overrides: Any) -> PortalSettings:
        """The portal's part of ``settings`` (``[portal]``), ``overrides`` (field names) winning.

        ``secret_key`` comes from ``portal.session_secret`` unless given; without either this
        raises :class:`vum.config.ConfigError` (``vum serve portal`` decides about an ephemeral
        key). ``None`` overrides are left out.
        """
        p = settings.portal
        secret = p.session_secret.get_secret_value() if p.session_secret is not None else None
        oidc = None
        if p.oidc_issuer:
            client_secret = p.oidc_client_secret
            oidc = OidcSettings(
                issuer=p.oidc_issuer,
                client_id=p.oidc_client_id or "",
                client_secret=client_secret.get_secret_value() if client_secret else "",
                claim=p.oidc_claim,
                scope=p.oidc_scope,
                label=p.oidc_label,
            )
        values: dict[str, Any] = {
            "facility_url": p.facility_url,
            "facility_oin": p.facility_oin,
            "portal_oin": p.oin or "",
            "secret_key": secret,
            "cookie_secure": p.cookie_secure,
            "session_idle": dt.timedelta(minutes=p.session_timeout_minutes),
            "session_absolute": dt.timedelta(hours=p.session_absolute_hours),
            "login_limit_account": p.login_attempts,
            "login_limit_address": p.login_attempts_per_address,
            "login_window": dt.timedelta(minutes=p.login_window_minutes),
            "login_lockout": dt.timedelta(minutes=p.login_lockout_minutes),
            "retention": dt.timedelta(days=p.retention_days),
            "max_details": p.max_details,
            "facility_timeout_s": p.facility_timeout_s,
            "client_cert": p.client_cert,
            "client_key": p.client_key,
            "facility_ca": p.facility_ca,
            "processing_activity": p.processing_activity,
            "few_results": p.few_results,
            "oidc": oidc,
            "trusted_proxies": frozenset(p.trusted_proxies),
            "alert_rate": p.alert_rate,
            "alert_min_queries": p.alert_min_queries,
            "alert_window_minutes": p.alert_window_minutes,
            "dashboard_refresh_s": p.dashboard_refresh_s,
            # a PostgreSQL URL without a password gets $VUM_DB_PASSWORD(_FILE) from the store
            "source_db": p.source_db,
            "upload_max_mb": p.upload_max_mb,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["secret_key"] is None:
            raise ConfigError(
                "portal.session_secret is niet gezet: zet $VUM_SESSION_SECRET of "
                "$VUM_SESSION_SECRET_FILE (no session secret)"
            )
        return cls(**values)
