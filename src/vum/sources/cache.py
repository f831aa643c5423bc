# SPDX-License-Identifier: EUPL-1.2
"""One engine per live dataset version, built lazily and rebuilt when the live version changes."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vum.matching import Engine, build_engine
from vum.sources.errors import DatasetUnavailable
from vum.standard.kinds import Kind
from vum.store import Store

_log = logging.getLogger(__name__)

EngineFactory = Callable[[Kind, Sequence[Mapping[str, Any]]], Engine]


@dataclass
class _Entry:
    version_id: int | None
    engine: Engine | None
    checked: float


class EngineCache:
    """Engines per (party, kind), checked against the store's live version at most every ``recheck`` s.

    Another process (``vum source import``) may make a new version live; comparing the live
    version id is one indexed lookup, so doing it at most once a second costs nothing. While an
    engine is rebuilt, other threads keep getting the old one instead of waiting.

    With ``background`` the rebuild after a change runs in a thread and every caller, the one
    that noticed the change included, is answered from the previous version until the new
    engine is ready: a query never waits for a big dataset to load (VUM: 4 s per source).
    Without it, the caller that notices a change waits, and then sees the new data at once.
    """

    def __init__(
        self,
        store: Store,
        *,
        factory: EngineFactory = build_engine,
        recheck: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        background: bool = False,
    ) -> None:
        self._store = store
        self._factory = factory
        self._recheck = recheck
        self._clock = clock
        self._background = background
        self._entries: dict[tuple[str, Kind], _Entry] = {}
        self._locks: dict[tuple[str, Kind], threading.Lock] = {}
        self._guard = threading.Lock()
        self._threads: dict[tuple[str, Kind], threading.Thread] = {}

    def _lock(self, key: tuple[str, Kind]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, party: str, kind: Kind) -> Engine | None:
        key = (party, kind)
        entry = self._entries.get(key)
        now = self._clock()
        if entry is not None and now - entry.checked < self._recheck:
            return entry.engine
        if self._background and entry is not None and entry.engine is not None:
            return self._check_in_background(key, entry, now)
        lock = self._lock(key)
        if entry is not None and entry.engine is not None:
            # Someone is already rebuilding: serve the engine we have rather than wait.
            if not lock.acquire(blocking=False):
                return entry.engine
        else:
            lock.acquire()
        try:
            return self._refresh(key, now)
        finally:
            lock.release()

    def _refresh(self, key: tuple[str, Kind], now: float, *, force: bool = False) -> Engine | None:
        entry = self._entries.get(key)
        if not force and entry is not None and now - entry.checked < self._recheck:
            return entry.engine  # refreshed by another thread while we waited for the lock
        party, kind = key
        for _attempt in range(5):
            live = self._store.datasets.live_version_id(party, kind.value)
            if entry is not None and entry.version_id == live:
                entry.checked = now
                return entry.engine
            if live is None:
                self._entries[key] = _Entry(None, None, now)
                return None
            records = self._load(live)
            if records is not None:
                engine = self._factory(kind, records)
                self._entries[key] = _Entry(live, engine, now)
                return engine
            # The version was replaced and pruned while we read it: look again.
        raise DatasetUnavailable(
            f"kan de live gegevens van {party} ({kind.value}) niet consistent lezen "
            f"(cannot read the live data consistently)"
        )

    def _check_in_background(
        self, key: tuple[str, Kind], entry: _Entry, now: float
    ) -> Engine | None:
        entry.checked = now  # first, so that concurrent callers do not all look
        live = self._store.datasets.live_version_id(key[0], key[1].value)
        if live is None:
            self._entries.pop(key, None)
            return None
        if live != entry.version_id:
            self._start(key)
        return entry.engine

    def _start(self, key: tuple[str, Kind]) -> None:
        with self._guard:
            running = self._threads.get(key)
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(
                target=self._rebuild, args=(key,), name=f"vum-engine-{key[0]}-{key[1].value}"
            )
            thread.daemon = True  # a shutdown does not wait for a rebuild nobody will use
            self._threads[key] = thread
        thread.start()

    def _rebuild(self, key: tuple[str, Kind]) -> None:
        try:
            with self._lock(key):
                self._refresh(key, self._clock(), force=True)
        except Exception:
            # The old engine keeps answering; the next check tries again.
            _log.exception("rebuilding the engine of %s (%s) failed", key[0], key[1].value)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for background rebuilds to finish (for tests and orderly shutdowns)."""
        for thread in list(self._threads.values()):
            thread.join(timeout)

    def _load(self, version_id: int) -> list[dict[str, Any]] | None:
        version = self._store.datasets.version(version_id)
        if version is None:
            return None
        records = [json.loads(text) for _, text in self._store.datasets.iter_records(version_id)]
        if len(records) != version.record_count:
            return None
        return records

    def invalidate(self, party: str, kind: Kind) -> None:
        """This process changed the dataset: look at the live version on the next access."""
        entry = self._entries.get((party, kind))
        if entry is None:
            return
        if self._background and entry.engine is not None:
            entry.checked = float("-inf")  # keep serving it until the new one is built
        else:
            self._entries.pop((party, kind), None)

    def loaded(self) -> dict[tuple[str, Kind], int | None]:
        """Which version each cached engine was built over (for monitoring and tests)."""
        return {key: entry.version_id for key, entry in self._entries.items()}
