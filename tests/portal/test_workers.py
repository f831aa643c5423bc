# SPDX-License-Identifier: EUPL-1.2
"""`vum serve portal --workers 2`: two processes on one store keep sessions and login throttling.

Every request goes over a fresh connection whose accepting worker is looked up in ``/proc`` (the
server side of the connection is a socket in exactly one worker's file table), so the test puts
each request on the worker it wants instead of hoping the kernel spreads them.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from tests.api.http import stop
from tests.conftest import ROOT
from tests.facility.servers import free_port
from tests.portal.world import PARTY_A, PARTY_B, PASSWORD, PORTAL_OIN
from vum.portal.auth import hash_password
from vum.store import Store

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="needs Linux /proc to see which worker accepted"
)

SECRET = "a-session-secret-of-at-least-32-characters"
ANNA, BRAM, CEES = "anna@almere.example", "bram@groningen.example", "cees@almere.example"
COOKIE = "vum_sessie"  # without Secure cookies (loopback): no __Host- prefix
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_SET_COOKIE = re.compile(rf"^{COOKIE}=([^;]*)")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _server_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server_port and (
            int(remote.split(":")[1], 16) == client_port
        ):
            return inode
    return None


def _owner(inode: str, pids: list[int]) -> int | None:
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


@dataclass
class Portal:
    """Two portal workers on one port, and the requests each of them answered."""

    port: int
    workers: list[int]
    served: dict[int, int] = field(default_factory=dict)

    def connect(self, worker: int) -> http.client.HTTPConnection:
        """A fresh connection that ``worker`` accepted (others are closed and tried again)."""
        for _ in range(200):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.connect()
            assert conn.sock is not None
            client_port = conn.sock.getsockname()[1]
            owner = None
            deadline = time.monotonic() + 5
            while owner is None and time.monotonic() < deadline:
                inode = _server_inode(self.port, client_port)
                if inode is not None and inode != "0":
                    owner = _owner(inode, self.workers)
                if owner is None:
                    time.sleep(0.005)
            if owner == worker:
                return conn
            conn.close()
        raise AssertionError(f"worker {worker} accepted none of 200 connections")

    def request(
        self,
        worker: int,
        method: str,
        path: str,
        cookie: str | None = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, str, str | None]:
        """Status, body and the session cookie it set (None: unchanged, "": removed)."""
        conn = self.connect(worker)
        try:
            headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            text = answer.read().decode()
            set_cookie = None
            for value in answer.headers.get_all("set-cookie") or []:
                found = _SET_COOKIE.match(value)
                if found:
                    set_cookie = found.group(1)
            self.served[worker] = self.served.get(worker, 0) + 1
            return answer.status, text, set_cookie
        finally:
            conn.close()

    def login_form(self, worker: int) -> tuple[str, str]:
        """An anonymous session's cookie and its CSRF token, from ``worker``'s login page."""
        status, text, cookie = self.request(worker, "GET", "/inloggen")
        found = _TOKEN.search(text)
        assert status == 200 and cookie and found, text[:300]
        return cookie, found.group(1)

    def login(
        self, worker: int, cookie: str, token: str, email: str, password: str
    ) -> tuple[int, str, str | None]:
        form = {"email": email, "password": password, "csrf_token": token}
        return self.request(worker, "POST", "/inloggen", cookie, form)


@contextmanager
def portal_workers(tmp_path: Path, db: str) -> Iterator[Portal]:
    """`vum serve portal --workers 2` over ``db``, its limits from a config file."""
    config = tmp_path / "vum.toml"
    config.write_text(
        f"""
[portal]
oin = "{PORTAL_OIN}"
facility_url = "http://127.0.0.1:9/api/v3"
login_attempts = 3
login_attempts_per_address = 5
"""
    )
    port = free_port()
    command = [
        sys.executable, "-m", "vum.cli", "serve", "portal", "--config", str(config),
        "--db", db, "--port", str(port), "--workers", "2", "--insecure-cookies",
        "--log-level", "warning",
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "VUM_SESSION_SECRET": SECRET}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while len(workers) < 2 or not _healthy(port, workers):
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"the portal stopped: {output}")
            assert time.monotonic() < deadline, "the portal workers did not start"
            time.sleep(0.2)
            workers = _children(process.pid)
        yield Portal(port, workers)
    finally:
        stop(process)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def _healthy(port: int, workers: list[int]) -> bool:
    """Every worker answers /health (a worker still starting has not bound its handlers yet)."""
    probe = Portal(port, workers)
    try:
        for worker in workers:
            if probe.request(worker, "GET", "/health")[0] != 200:
                return False
    except (OSError, AssertionError):
        return False
    return True


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The workers' shared store, with three accounts: an SQLite file or a PostgreSQL schema."""
    url = str(tmp_path / "portal.db")
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    password = hash_password(PASSWORD)
    with Store(url) as store:
        for email, party in ((ANNA, PARTY_A), (BRAM, PARTY_B), (CEES, PARTY_A)):
            store.portal.users.add(email, party, ["bemiddelaar"], password)
    return url


def test_more_than_one_worker_needs_the_session_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from vum.cli import mount

    monkeypatch.delenv("VUM_SESSION_SECRET", raising=False)
    monkeypatch.delenv("VUM_SESSION_SECRET_FILE", raising=False)
    result = CliRunner().invoke(
        mount("serve"), ["serve", "portal", "--oin", PORTAL_OIN, "--workers", "2"]
    )
    assert result.exit_code == 2
    assert "VUM_SESSION_SECRET" in result.output and "--workers" in result.output


def test_a_session_made_on_one_worker_holds_on_the_other(tmp_path: Path, db: str) -> None:
    with portal_workers(tmp_path, db) as portal:
        one, two = portal.workers
        # The login form on one worker, the login on the other: its CSRF token holds there.
        anonymous, token = portal.login_form(one)
        status, _, session = portal.login(two, anonymous, token, ANNA, PASSWORD)
        assert status == 303 and session
        # Every next request on a fresh connection, on either worker: still logged in.
        for worker in (one, two, one, two):
            status, text, _ = portal.request(worker, "GET", "/account", session)
            assert status == 200 and ANNA in text, (worker, status)
        # Logging out on one worker ends the session on both (the account's epoch, in the store).
        account = portal.request(one, "GET", "/account", session)[1]
        csrf = _TOKEN.search(account)
        assert csrf
        status, _, _ = portal.request(
            one, "POST", "/uitloggen", session, {"csrf_token": csrf.group(1)}
        )
        assert status == 303
        for worker in (two, one):
            status, _, _ = portal.request(worker, "GET", "/account", session)
            assert status == 303, worker
        assert portal.served[one] >= 4 and portal.served[two] >= 4


def test_failed_logins_are_counted_across_workers(tmp_path: Path, db: str) -> None:
    """Limits 3 per account and 5 per address (vum.toml): exact, wherever the attempts land."""
    with portal_workers(tmp_path, db) as portal:
        one, two = portal.workers
        cookie, token = portal.login_form(one)

        def attempt(worker: int, email: str, password: str = "not-the-password") -> int:
            status: int = portal.login(worker, cookie, token, email, password)[0]
            return status

        # Two failures for Anna, one on each worker; the third locks her account ...
        assert [attempt(one, ANNA), attempt(two, ANNA)] == [401, 401]
        assert attempt(one, ANNA) == 429
        # ... on both workers, even with the right password.
        assert attempt(two, ANNA, PASSWORD) == 429
        assert attempt(one, ANNA, PASSWORD) == 429
        # The address has 3 failures (a locked account's refusals do not count): two more for
        # another account, on either worker, lock the address for every account.
        assert attempt(two, BRAM) == 401
        assert attempt(one, BRAM) == 429
        assert attempt(two, CEES, PASSWORD) == 429
        assert attempt(one, CEES, PASSWORD) == 429
