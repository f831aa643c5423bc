# SPDX-License-Identifier: EUPL-1.2
"""Run a server as N forked worker processes on one listening socket, and keep them running.

uvicorn's own ``--workers`` wants the app as an import string and re-imports it in spawned
processes; our apps are built from command-line options, stores and keys. Here the parent binds
the socket once, then forks; every child builds its own app (its own database connections, HTTP
client and event loop: nothing opened before the fork is shared) and serves the inherited socket.
The kernel spreads new connections over the children. The parent restarts a child that dies and
stops them all on SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("vum.workers")

#: A child that dies sooner than this after its start is not restarted again and again.
_MIN_LIFETIME_S = 5.0


def bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket as uvicorn binds it (IPPROTO_TCP: asyncio sets TCP_NODELAY then)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _child(serve: Callable[[socket.socket], None], sock: socket.socket) -> None:
    # The parent handles the signals for the group; a child stops when the parent tells it to.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sock)


def run_workers(serve: Callable[[socket.socket], None], sock: socket.socket, workers: int) -> int:
    """Fork ``workers`` children running ``serve(sock)``; returns when they have all stopped.

    ``serve`` runs in the child after the fork and must build everything it uses there.
    """
    context: Any = multiprocessing.get_context("fork")
    stopping = False
    started: dict[int | None, float] = {}  # pid -> when it started

    def start() -> BaseProcess:
        process: BaseProcess = context.Process(
            target=_child, args=(serve, sock), name="vum-worker", daemon=False
        )
        process.start()
        started[process.pid] = time.monotonic()
        log.info("worker gestart (worker started): pid %s", process.pid)
        return process

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for process in children:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    children = [start() for _ in range(workers)]
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    failed = 0
    try:
        while children:
            time.sleep(0.5)
            running: list[BaseProcess] = []
            for process in children:
                if process.is_alive():
                    running.append(process)
                    continue
                process.join()
                lived = time.monotonic() - started.pop(process.pid, 0.0)
                if stopping:
                    continue
                log.error(
                    "worker %s stopte met code %s na %.0f s (worker exited)",
                    process.pid,
                    process.exitcode,
                    lived,
                )
                if lived < _MIN_LIFETIME_S:
                    # Failing at start (a bad config, a port in use): stop instead of looping.
                    failed = 1
                    stop(signal.SIGTERM, None)
                    continue
                running.append(start())
            children = running
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    return failed
