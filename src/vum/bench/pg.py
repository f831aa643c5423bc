# SPDX-License-Identifier: EUPL-1.2
"""A throwaway PostgreSQL server in a temporary directory, reachable only over its own unix socket."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

#: where the Debian server package puts its binaries; ``$VUM_PG_BIN`` overrides it
DEFAULT_BIN_DIR = Path("/usr/lib/postgresql/15/bin")
ENV_BIN_DIR = "VUM_PG_BIN"
#: initdb refuses to run as root; as root the server runs as this system user
SERVER_USER = "postgres"
PORT = 5432
_TOOLS = ("initdb", "postgres", "pg_ctl")

#: a scratch server: durability off (the data dies with the directory), no JIT latency spikes
FAST_SETTINGS: Mapping[str, str] = {
    "listen_addresses": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "jit": "off",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "1h",
    "autovacuum": "off",
}


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries are missing, or the server could not be started."""


def bin_dir(path: str | Path | None = None) -> Path:
    """The directory of the server binaries: ``path``, else ``$VUM_PG_BIN``, else Debian's."""
    return Path(path or os.environ.get(ENV_BIN_DIR) or DEFAULT_BIN_DIR)


def missing_binaries(path: str | Path | None = None) -> str | None:
    """Why a throwaway server cannot be started here, or None when it can."""
    where = bin_dir(path)
    absent = [t for t in _TOOLS if not os.access(where / t, os.X_OK)]
    if absent:
        return f"PostgreSQL binaries not found in {where} (missing: {', '.join(absent)})"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root, and there is no {SERVER_USER!r} user to run the server"
    return None


@dataclass(frozen=True)
class _Owner:
    """Who runs initdb and the server: ``postgres`` when we are root, else ourselves."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def for_server(cls) -> _Owner:
        if os.geteuid() != 0:
            return cls()
        entry = pwd.getpwnam(SERVER_USER)
        return cls(entry.pw_uid, entry.pw_gid)

    def chown(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)


def _run(owner: _Owner, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, user=owner.uid, group=owner.gid, capture_output=True, text=True, check=False
    )


def conninfo(socket_dir: Path, dbname: str = "postgres") -> str:
    """The libpq connection string of a server listening in ``socket_dir``."""
    return f"host={socket_dir} port={PORT} user={SERVER_USER} dbname={dbname}"


@contextmanager
def throwaway_postgres(
    settings: Mapping[str, str] | None = None,
    *,
    binaries: str | Path | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[str]:
    """Start a fresh PostgreSQL server in a temporary directory; yield its connection string.

    The server listens on a unix socket in that directory only (no TCP), trusts local
    connections, runs as ``postgres`` when we are root (initdb refuses root), and is always
    stopped (``pg_ctl stop -m immediate``) and its directory removed on exit. ``settings`` add to
    or override :data:`FAST_SETTINGS` (``-c name=value``).
    """
    reason = missing_binaries(binaries)
    if reason is not None:
        raise PostgresUnavailable(reason)
    tools = bin_dir(binaries)
    owner = _Owner.for_server()
    root = Path(tempfile.mkdtemp(prefix="vum-pg-"))
    data = root / "data"
    log_path = root / "server.log"
    server: subprocess.Popen[bytes] | None = None
    try:
        owner.chown(root)
        init = _run(
            owner,
            [
                str(tools / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                SERVER_USER,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            root,
        )
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-2000:]}")
        options = {**FAST_SETTINGS, **(settings or {})}
        args = [str(tools / "postgres"), "-D", str(data), "-k", str(root), "-p", str(PORT)]
        for name, value in options.items():
            args += ["-c", f"{name}={value}"]
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                args,
                cwd=root,
                user=owner.uid,
                group=owner.gid,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        _wait_until_ready(server, conninfo(root), log_path, startup_timeout)
        yield conninfo(root)
    finally:
        if server is not None:
            _stop(tools, data, root, owner, server)
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_ready(
    server: subprocess.Popen[bytes], dsn: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise PostgresUnavailable(f"the server exited at start-up: {_tail(log_path)}")
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise PostgresUnavailable(
                    f"the server did not accept connections within {timeout:.0f} s: "
                    f"{_tail(log_path)}"
                ) from None
            time.sleep(0.1)


def _stop(
    tools: Path, data: Path, root: Path, owner: _Owner, server: subprocess.Popen[bytes]
) -> None:
    """Stop at once (the data is thrown away); the postmaster reaps its backends before it exits."""
    if server.poll() is None:
        _run(
            owner,
            [str(tools / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w", "-t", "30"],
            root,
        )
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace").strip()[-chars:]
    except OSError:
        return "(no server log)"
