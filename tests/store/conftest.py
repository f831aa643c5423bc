# SPDX-License-Identifier: EUPL-1.2
"""Store fixtures: every store test runs on SQLite and on PostgreSQL; a pool of racing processes."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.store import workers
from vum.store import Store

T = TypeVar("T")

ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@pytest.fixture(params=ENGINES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store: an SQLite file, or a new schema on the session's PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "vum.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def _start_barrier() -> threading.Barrier:
    return multiprocessing.get_context("spawn").Barrier(workers.COUNT)


@pytest.fixture(scope="session")
def process_pool(_start_barrier: threading.Barrier) -> Iterator[ProcessPoolExecutor]:
    """``workers.COUNT`` spawned processes for the whole session: each test races them at once.

    Spawning and importing costs about a second of CPU a process; paying it once, not per test,
    keeps the concurrency tests of both engines to a few seconds.
    """
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers.COUNT, mp_context=ctx, initializer=workers.init, initargs=(_start_barrier,)
    ) as pool:
        # Every task waits for the others at the barrier, so COUNT tasks need COUNT processes.
        assert len(set(pool.map(workers.ready, range(workers.COUNT)))) == workers.COUNT
        yield pool


@pytest.fixture
def race(process_pool: ProcessPoolExecutor, _start_barrier: threading.Barrier) -> workers.Race:
    """``race(fn, *args)``: run ``fn(*args)`` in every pool process at once; their results."""

    def run(fn: Callable[..., T], *args: Any) -> list[T]:
        futures = [process_pool.submit(workers.run, fn, *args) for _ in range(workers.COUNT)]
        wait(futures, timeout=120)
        errors = [f.exception(timeout=0) for f in futures]
        if any(errors):
            # The next test needs a whole barrier again; report the failure, not its echoes.
            _start_barrier.reset()
            raise next(
                (e for e in errors if e and not isinstance(e, threading.BrokenBarrierError)),
                next(e for e in errors if e),
            )
        return [f.result(timeout=0) for f in futures]

    return run
