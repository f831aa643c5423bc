# SPDX-License-Identifier: EUPL-1.2
"""Who is calling the facility (mTLS, a TLS-terminating proxy, or development header-trust) and may they ask.

VUM: system connections use PKIoverheid certificates; the subject's ``serialNumber`` holds the
party's OIN. The processor that carries a call (``X-VUM-viaParty``) must be the party whose
certificate opened the connection. Authorisation then asks the party registry whether the
responsible organisation (``X-VUM-fromParty``) is an active mediator with a signed agreement
that lets this processor act for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import re
import ssl
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, Protocol
from urllib.parse import unquote

from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.requests import HTTPConnection

from vum import KOPPELVLAK_VERSION
from vum.standard.headers import API_VERSION, BERICHT_VERSIE, FROM_PARTY, TO_PARTY, VIA_PARTY

log = logging.getLogger("vum.facility.identity")

#: the roles a party may have: "bemiddelaar", "bron-werkzoekende", "bron-vacature"
MEDIATOR = "bemiddelaar"

# --- the call's headers: who asks (fromParty), through whom (viaParty), whom (toParty) ---

#: open VUM extensions (all optional): explanations, the processing activity, the user.
EXPLAIN = "X-OpenVUM-Explain"
VERWERKING = "X-OpenVUM-Verwerking"
GEBRUIKER = "X-OpenVUM-Gebruiker"

# The contracts type party headers as plain strings (OINs, 20 digits, in practice): visible
# ASCII, but none of the characters that could smuggle markup or quoting (" & ' < > \ `) into
# an answer's headers or the audit log.
PARTY_ID = re.compile(r"[!#-%(-;=?-\[\]-_a-~]{1,100}")
_LABEL = re.compile(r"[ -~]{1,200}")


class ApiError(Exception):
    """A contract error answer: HTTP status, VUM code, Dutch message (English alongside)."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


class Unauthorized(ApiError):
    """401 without a body; ``reason`` goes to the audit log only, never to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(401, "401", "Niet geautoriseerd (not authorised)")
        self.reason = reason


@dataclass(frozen=True)
class MediatorCall:
    from_party: str
    to_party: str
    via_party: str
    #: ``X-OpenVUM-Explain``: "" (the contract's answer), "bronnen" (only the per-source report)
    #: or "volledig" (``1``/``true``: the per-source report and the ranking with explanations)
    explain: str
    user: str | None
    processing_activity: str | None


_EXPLAIN_MODES = {"1": "volledig", "true": "volledig", "volledig": "volledig", "bronnen": "bronnen"}


def header_value(headers: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str | None:
    value = headers.get(name, "").strip()
    return value if value and pattern.fullmatch(value) else None


def parse_call(headers: Mapping[str, str], facility_oin: str) -> MediatorCall:
    """The checked VUM headers: 400.02 when one is missing or empty, 400.01 when one is invalid."""
    missing = [
        f"header {name}: verplicht, ontbreekt (required, missing)"
        for name in (BERICHT_VERSIE, API_VERSION, FROM_PARTY, TO_PARTY, VIA_PARTY)
        # VUM: empty strings count as absent.
        if not headers.get(name, "").strip()
    ]
    if missing:
        raise ApiError(
            400,
            "400.02",
            "Onvolledige aanroep: verplichte header ontbreekt "
            "(incomplete call: required header missing)",
            "\n".join(missing),
        )
    invalid = [
        f"header {name}: versie niet ondersteund, verwacht {KOPPELVLAK_VERSION} (unsupported)"
        for name in (BERICHT_VERSIE, API_VERSION)
        if headers[name].strip() != KOPPELVLAK_VERSION
    ]
    invalid += [
        f"header {name}: ongeldige partij-aanduiding (invalid party id)"
        for name in (FROM_PARTY, TO_PARTY, VIA_PARTY)
        if header_value(headers, name, PARTY_ID) is None
    ]
    if not invalid and headers[TO_PARTY].strip() != facility_oin:
        invalid.append(
            f"header {TO_PARTY}: niet de OIN van deze uitwisselingsvoorziening "
            f"({facility_oin}) (not this facility's OIN)"
        )
    if invalid:
        raise ApiError(
            400,
            "400.01",
            "Ongeldige aanroep: ongeldige header (invalid header)",
            "\n".join(invalid),
        )
    return MediatorCall(
        from_party=headers[FROM_PARTY].strip(),
        to_party=headers[TO_PARTY].strip(),
        via_party=headers[VIA_PARTY].strip(),
        explain=_EXPLAIN_MODES.get(headers.get(EXPLAIN, "").strip().lower(), ""),
        user=header_value(headers, GEBRUIKER, _LABEL),
        processing_activity=header_value(headers, VERWERKING, _LABEL),
    )


def reply_headers(headers: Mapping[str, str], facility_oin: str) -> dict[str, str]:
    """The answer travels back: from the facility, to the asking party, through the same processor.

    The contracts declare these headers on every answer but do not describe them; open VUM
    reads the answer as the call reversed (as the source API does). Unnamed parties are left out.
    """
    out = {
        BERICHT_VERSIE: KOPPELVLAK_VERSION,
        API_VERSION: KOPPELVLAK_VERSION,
        FROM_PARTY: facility_oin,
    }
    for answer, call in ((TO_PARTY, FROM_PARTY), (VIA_PARTY, VIA_PARTY)):
        value = header_value(headers, call, PARTY_ID)
        if value:
            out[answer] = value
    return out


# --- the party registry (the store-backed one lives elsewhere; this is what the API needs) ---


@dataclass(frozen=True)
class PartyInfo:
    """A party as the agreement framework (afsprakenstelsel) knows it."""

    oin: str
    name: str
    roles: frozenset[str] = frozenset()
    suwi: bool = False
    #: OINs of processors (verwerkers) allowed to act for this party (X-VUM-viaParty)
    processors: frozenset[str] = frozenset()
    agreement_signed: dt.date | None = None
    active: bool = True


class PartyRegistry(Protocol):
    """Looks parties up by OIN; ``None`` for a party the facility does not know."""

    def party(self, oin: str) -> PartyInfo | None: ...


@dataclass
class InMemoryPartyRegistry:
    """Parties from configuration or a test; the store-backed registry replaces it in production."""

    in_memory: ClassVar[bool] = True
    parties: dict[str, PartyInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, parties: Iterable[PartyInfo]) -> InMemoryPartyRegistry:
        return cls({p.oin: p for p in parties})

    def party(self, oin: str) -> PartyInfo | None:
        return self.parties.get(oin)


def may_ask(party: PartyInfo | None, via_party: str, today: dt.date) -> bool:
    """May ``party`` query the facility through processor ``via_party``?

    VUM (afsprakenstelsel): only a connected, active party with a signed agreement and the role
    bemiddelaar asks; it acts itself or through a processor it has named.
    """
    if party is None or not party.active or MEDIATOR not in party.roles:
        return False
    if party.agreement_signed is None or party.agreement_signed > today:
        return False
    return via_party == party.oin or via_party in party.processors


# --- certificates ---


class CertificateError(ValueError):
    """A client certificate that cannot identify a party."""


@lru_cache(maxsize=4096)
def oin_from_pem(pem: str) -> str:
    """The OIN in a PEM certificate's subject ``serialNumber`` (PKIoverheid convention).

    Cached: a connection presents the same certificate on every request.
    """
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateError("geen geldig PEM-certificaat (not a valid PEM certificate)") from exc
    return oin_from_certificate(cert)


def oin_from_certificate(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    # Exactly one serialNumber: two would make the party ambiguous.
    if len(values) != 1:
        raise CertificateError(
            "certificaat zonder (eenduidig) serialNumber met OIN (no single subject serialNumber)"
        )
    oin = str(values[0].value).strip()
    if not oin:
        raise CertificateError("leeg serialNumber (empty subject serialNumber)")
    return oin


# --- the ASGI TLS extension, filled in for uvicorn ---

_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def tls_extension(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> dict[str, Any] | None:
    """``scope["extensions"]["tls"]`` as the ASGI TLS extension defines it, from a TLS connection."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return {
        "server_cert": None,
        "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
        "client_cert_name": x509.load_der_x509_certificate(der).subject.rfc4514_string()
        if der
        else None,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
    }


def with_tls_scope(base: type[asyncio.Protocol]) -> type[asyncio.Protocol]:
    """A uvicorn HTTP/1.1 protocol class that puts the client certificate in every request's scope.

    uvicorn (0.54) does not implement the ASGI TLS extension. Its protocols (h11, httptools,
    zttp) read ``self.app`` for each request, and ``connection_made`` runs after the TLS
    handshake, so the peer certificate is known there: wrap the app once per connection.
    """

    class TlsScopeProtocol(base):  # type: ignore[misc, valid-type]
        app: Any  # the ASGI app uvicorn's protocol calls for each request

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            tls = tls_extension(transport.get_extra_info("ssl_object"))
            if tls is None:
                return
            inner: Any = self.app

            async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
                if scope.get("type") in ("http", "websocket"):
                    scope["extensions"] = {**(scope.get("extensions") or {}), "tls": tls}
                await inner(scope, receive, send)

            self.app = app

    TlsScopeProtocol.__name__ = f"TlsScope{base.__name__}"
    return TlsScopeProtocol


# --- the three identity modes ---


class Identity(Protocol):
    """How the facility learns which processor (OIN) opened the connection."""

    @property
    def mode(self) -> str:
        """``mtls``, ``proxy`` or ``dev-header-trust`` (recorded in the audit log)."""
        ...

    def processor(self, conn: HTTPConnection, via_party: str) -> str | None:
        """The authenticated processor's OIN, or ``None`` when the caller is not authenticated."""
        ...


def _client_pem(conn: HTTPConnection) -> str | None:
    tls = (conn.scope.get("extensions") or {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or []
    return str(chain[0]) if chain else None


@dataclass(frozen=True)
class MutualTls:
    """(a) The facility terminates TLS itself and requires a client certificate (CERT_REQUIRED).

    The server's CA bundle decides whom to trust; this reads the verified leaf certificate from
    the ASGI TLS extension (filled in by :func:`with_tls_scope` under uvicorn).
    """

    mode: str = "mtls"

    def processor(self, conn: HTTPConnection, via_party: str) -> str | None:
        pem = _client_pem(conn)
        if pem is None:
            return None
        try:
            return oin_from_pem(pem)
        except CertificateError as exc:
            log.warning("client certificate refused: %s", exc)
            return None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.5`` or ``10.0.0.0/24`` (IPv4 or IPv6) into networks; a bad one raises ValueError."""
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


@dataclass(frozen=True)
class ProxyTls:
    """(b) A TLS-terminating proxy verifies the client certificate and passes it on in a header.

    The header is trusted **only** on connections from ``trusted_proxies``: anyone else could
    simply send it. The proxy must also say that it verified the certificate
    (nginx ``$ssl_client_verify`` = ``SUCCESS``), unless ``verify_header`` is None.
    """

    trusted_proxies: tuple[Network, ...]
    cert_header: str = "X-SSL-Client-Cert"
    verify_header: str | None = "X-SSL-Client-Verify"
    mode: str = "proxy"

    def __post_init__(self) -> None:
        if not self.trusted_proxies:
            raise ValueError("proxy mode needs at least one trusted proxy address")

    def trusted(self, conn: HTTPConnection) -> bool:
        host = conn.client.host if conn.client else ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in net for net in self.trusted_proxies)

    def processor(self, conn: HTTPConnection, via_party: str) -> str | None:
        if not self.trusted(conn):
            log.warning("client certificate header from an untrusted address refused")
            return None
        if self.verify_header and conn.headers.get(self.verify_header, "") != "SUCCESS":
            return None
        raw = conn.headers.get(self.cert_header, "")
        if not raw:
            return None
        # nginx $ssl_client_escaped_cert: URL-encoded PEM.
        pem = unquote(raw)
        try:
            return oin_from_pem(pem)
        except CertificateError as exc:
            log.warning("client certificate from proxy refused: %s", exc)
            return None


class InsecureBind(ValueError):
    """Development header-trust on an address other than loopback."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DevHeaderTrust:
    """(c) Development only: trusts ``X-VUM-viaParty`` as sent. Refuses any non-loopback bind."""

    bind_host: str
    mode: str = "dev-header-trust"

    def __post_init__(self) -> None:
        if not is_loopback(self.bind_host):
            raise InsecureBind(
                f"--dev-header-trust alleen op een loopback-adres, niet {self.bind_host!r} "
                "(development header-trust binds to loopback only)"
            )
        log.warning(
            "ONVEILIG: X-VUM-viaParty wordt zonder certificaat vertrouwd; alleen voor ontwikkeling "
            "(INSECURE: development header-trust, no client certificates checked)"
        )

    def processor(self, conn: HTTPConnection, via_party: str) -> str | None:
        # Also per request: the server may have been bound elsewhere than declared.
        server = conn.scope.get("server")
        if server and not is_loopback(str(server[0])):
            log.error("dev header-trust request on non-loopback address %s refused", server[0])
            return None
        log.warning("ONVEILIG: dev header-trust vertrouwt X-VUM-viaParty (INSECURE dev mode)")
        return via_party
