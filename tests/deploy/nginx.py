# SPDX-License-Identifier: EUPL-1.2
"""The shipped nginx config, rendered for loopback and run with Debian's nginx in a scratch directory."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.conftest import ROOT
from tests.facility.certs import Pki

NGINX = Path("/usr/sbin/nginx")
CONF = ROOT / "deploy" / "nginx" / "vum-facility-mtls.conf"
MISSING = f"{NGINX} ontbreekt: `make sysdeps` installeert Debian's nginx (not installed)"
#: what the shipped config names, and what the test puts there (docs at the top of CONF)
TLS_DIR, LOG_DIR = "/etc/nginx/tls/", "/var/log/nginx/"
UPSTREAMS = ("server facility-1:8080 ", "server facility-2:8080 ")
HEALTH_LISTEN = "listen 127.0.0.1:8099;"
_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def render(
    prefix: Path, *, port: int, health_port: int, upstreams: Sequence[str], text: str | None = None
) -> Path:
    """Write ``prefix/nginx.conf``: the shipped config with loopback ports, scratch paths and upstreams.

    Every replacement must find its target, and nothing may still point outside ``prefix``
    afterwards: a change to the shipped file that the test would silently not exercise fails.
    """
    text = CONF.read_text(encoding="utf-8") if text is None else text
    temp = "".join(f"    {d}_temp_path {prefix}/temp/{d};\n" for d in _TEMP_DIRS)
    replacements = [
        # As root the workers would switch to `nginx` (absent on Debian); not as root it is ignored.
        ("user nginx;", "user root;" if os.geteuid() == 0 else ""),
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        (HEALTH_LISTEN, f"listen 127.0.0.1:{health_port};"),
        (UPSTREAMS[0], f"server {upstreams[0]} "),
        (UPSTREAMS[1], f"server {upstreams[1]} "),
        ("\nhttp {\n", "\nhttp {\n" + temp),
        (TLS_DIR, f"{prefix}/tls/"),
        (LOG_DIR, f"{prefix}/logs/"),
    ]
    for old, new in replacements:
        assert old in text, f"{CONF.name}: {old!r} not found; update tests/deploy/nginx.py"
        text = text.replace(old, new)
    directives = "\n".join(line.partition("#")[0] for line in text.splitlines())
    for outside in ("/etc/", "/var/", "facility-1", "facility-2", " 443"):
        assert outside not in directives, f"rendered config still names {outside!r}"
    for directory in ("tls", "logs", *(f"temp/{d}" for d in _TEMP_DIRS)):
        (prefix / directory).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def _command(prefix: Path, conf: Path, *extra: str) -> list[str]:
    return [
        str(NGINX), "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "logs" / "error.log"),
        *extra,
    ]  # fmt: skip


def check(prefix: Path, conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on the rendered config (also loads the certificates and the CRL)."""
    return subprocess.run(
        _command(prefix, conf, "-t", "-g", f"pid {prefix}/nginx.pid;"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@contextmanager
def running(prefix: Path, conf: Path, health_port: int) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground until the block ends; ready once its health endpoint answers."""
    error_log = prefix / "logs" / "error.log"
    # info: nginx logs why it refused a client certificate at that level (shown on failures).
    directives = f"daemon off; pid {prefix}/nginx.pid; error_log {prefix}/logs/info.log info;"
    process = subprocess.Popen(
        _command(prefix, conf, "-g", directives),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, f"nginx stopped: {tail(error_log)}"
            try:
                if httpx.get(f"http://127.0.0.1:{health_port}/healthz", timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"nginx not ready: {tail(error_log)}"
            time.sleep(0.05)
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish open requests, then exit
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for assertion messages."""
    if not path.exists():
        return f"({path} missing)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def crl(pki: Pki, revoked: Path) -> bytes:
    """A CRL of the test CA (PEM) that revokes the certificate in ``revoked``."""
    now = dt.datetime.now(dt.UTC)
    serial = x509.load_pem_x509_certificate(revoked.read_bytes()).serial_number
    entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build()
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=1))
        .add_revoked_certificate(entry)
        .sign(pki.ca_key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.PEM)
