# SPDX-License-Identifier: EUPL-1.2
"""What the spawned test processes run: each opens its own Store, waits for the others, then races."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from vum.store import AuditEntry, PromotionError, Store
from vum.store.schema import store_meta

#: Processes racing each other: twice the machine's two cores, so they really interleave.
COUNT = 4
_TIMEOUT = 60.0
_start: Any = None

#: The ``race`` fixture: ``race(fn, *args)`` runs ``fn(*args)`` in all COUNT processes at once.
Race = Callable[..., list[Any]]


def init(start: threading.Barrier) -> None:
    """Pool initializer: keep the barrier every task meets at (inherited, it cannot be pickled)."""
    global _start
    _start = start


def _go() -> None:
    # All COUNT processes leave together, after their (slow) set-up is done.
    _start.wait(_TIMEOUT)


def run(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; when it fails, break the barrier so the others stop waiting at once."""
    try:
        return fn(*args)
    except BaseException:
        _start.abort()
        raise


def ready(_: int) -> int:
    _go()
    return os.getpid()


def open_store(url: str) -> str:
    """Open (and so create) the store, all processes at the same moment; its schema version."""
    _go()
    with Store(url) as store, store.read() as conn:
        return str(conn.execute(sa.select(store_meta.c.value)).scalar_one())


def use_details(url: str, vraag_id: str, calls: int, limit: int) -> list[int | None]:
    """``calls`` detail requests, one after another; what each one got."""
    with Store(url) as store:
        _go()
        return [store.result_sets.use_detail(vraag_id, limit) for _ in range(calls)]


def append_audit(url: str, count: int) -> list[int]:
    """``count`` audit records; their sequence numbers."""
    with Store(url) as store:
        _go()
        who = f"worker-{os.getpid()}"
        return [
            store.audit.append(AuditEntry("matches", party=who, details={"i": i})).seq
            for i in range(count)
        ]


def stage_and_promote(url: str, party: str) -> tuple[int, int | None]:
    """Stage a version of one shared dataset, then try to make it live over "no live version".

    Returns the version's number and, when its promotion won, its id.
    """
    with Store(url) as store:
        _go()
        version = store.datasets.create_staging(
            party, "werkzoekende", mode="upsert", source_name="race", owner=f"w:{os.getpid()}"
        )
        store.datasets.insert_records(version.id, [("id1", "{}")])
        _go()
        try:
            store.datasets.promote(
                version.id, record_count=1, checksum="c", quality={}, check_live=True
            )
        except PromotionError:
            return version.number, None
        return version.number, version.id


def upgrade(url: str) -> tuple[str, ...]:
    """``vum db upgrade``, all processes at the same moment; the revisions this one applied."""
    from vum.store.migrate import upgrade as run_upgrade

    _go()
    return run_upgrade(url).applied


def source_failures(url: str, source: str, per_process: int) -> int:
    """Count ``per_process`` failures of one source, all processes at once; the last count seen."""
    from vum.facility.shared_breaker import SharedCircuitBreaker

    with Store(url) as store:
        breaker = SharedCircuitBreaker(store, threshold=10_000, refresh_s=0.0)
        _go()
        for _ in range(per_process):
            breaker.record(source, False)
        breaker.close()
        return store.source_health.all()[source].failures


def add_party(url: str, oin: str) -> str:
    """Register the same party in every process at once; "added" or the refusal's message."""
    from vum.facility.registry import RegistryError, StoreRegistry

    with Store(url) as store:
        registry = StoreRegistry(store)
        _go()
        try:
            registry.add(oin, {"name": "Gemeente Almere", "roles": ["bemiddelaar"]}, by="test")
        except RegistryError as exc:
            return str(exc)
        return "added"


def apply_config(url: str, oin: str) -> list[str]:
    """Apply the same facility config in every process at once (instances starting together)."""
    from vum.facility.identity import PartyInfo
    from vum.facility.registry import StoreRegistry

    party = PartyInfo(oin=oin, name="Gemeente Almere", roles=frozenset({"bemiddelaar"}))
    with Store(url) as store:
        registry = StoreRegistry(store)
        _go()
        return registry.apply_config([party], [], by="config")
