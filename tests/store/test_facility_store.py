# SPDX-License-Identifier: EUPL-1.2
"""The facility's tables in the store: parties, result sets counted across processes, the audit chain."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.store import workers
from tests.store.workers import Race
from vum.facility.audit import verify_rows
from vum.store import GENESIS, AuditEntry, PartyStatus, Store, StoreError, chain_hash

OIN = "00000001111111111111"


def run_in_processes(target: Callable[..., None], argsets: list[tuple[Any, ...]]) -> list[Any]:
    """Start one spawned process per argument tuple, release them together, collect their results.

    (The store's own concurrency tests use the session's process pool, see ``conftest.race``.)
    """
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, start, out)) for args in argsets]
    for proc in procs:
        proc.start()
    try:
        start.set()
        results = [out.get(timeout=60) for _ in procs]
    finally:
        for proc in procs:
            proc.join(30)
        out.close()
        out.join_thread()
    assert all(proc.exitcode == 0 for proc in procs)
    return results


def test_party_rows_round_trip_and_update_in_one_transaction(store: Store) -> None:
    with store.write() as conn:
        row = store.parties.insert(
            conn,
            OIN,
            {"name": "Gemeente Utrecht", "roles": ["bron-vacature", "bemiddelaar", "bemiddelaar"]},
        )
    assert row.roles == ("bemiddelaar", "bron-vacature") and row.status is PartyStatus.ACTIVE
    assert row.agreement_signed is None and row.created_at.tzinfo is dt.UTC
    with store.write() as conn:
        updated = store.parties.update(
            conn, OIN, {"agreement_signed": dt.date(2025, 1, 1), "status": "suspended"}
        )
        assert store.parties.update(conn, "0" * 20, {"name": "x"}) is None
    assert updated is not None and updated.status is PartyStatus.SUSPENDED
    assert updated.agreement_signed == dt.date(2025, 1, 1)
    assert [p.oin for p in store.parties.list(status=PartyStatus.SUSPENDED)] == [OIN]
    assert store.parties.list(status=PartyStatus.ACTIVE) == []
    with pytest.raises(ValueError, match="unknown party fields"), store.write() as conn:
        store.parties.update(conn, OIN, {"oin": "x"})


def test_result_sets_count_details_up_to_the_limit_and_purge(store: Store) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    store.result_sets.save("old", "vacature", OIN, old, [{"a": 1}], [{"oin": OIN}])
    store.result_sets.save("new", "vacature", OIN, dt.datetime.now(dt.UTC), [], [])
    row = store.result_sets.get("old")
    assert row is not None and row.matches == [{"a": 1}] and row.created_at == old
    assert row.created_at.tzinfo is dt.UTC
    assert [store.result_sets.use_detail("old", 3) for _ in range(4)] == [1, 2, 3, None]
    assert store.result_sets.use_detail("unknown", 3) is None
    # A local time that is the same moment compares the same.
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).astimezone(
        dt.timezone(dt.timedelta(hours=2))
    )
    assert store.result_sets.purge(cutoff) == 1
    assert store.result_sets.get("old") is None and store.result_sets.count() == 1


def test_audit_records_chain_from_genesis(store: Store) -> None:
    first = store.audit.append(AuditEntry("party.add", party=OIN, details={"n": 1}))
    second = store.audit.append(AuditEntry("matches", party=OIN, kind="werkzoekende"))
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert second.hash == chain_hash(first.hash, second.fields())
    stored = list(store.audit.iter_rows(chunk=1))
    assert [r.hash for r in stored] == [first.hash, second.hash]
    assert stored[0].details == {"n": 1}
    head = store.audit.head()
    assert head is not None and (head.last_seq, head.last_hash) == (2, second.hash)
    assert [r.seq for r in store.audit.latest(5, operation="matches")] == [2]


def test_audit_values_are_cut_to_their_columns_and_made_json(store: Store) -> None:
    row = store.audit.append(AuditEntry("x", user="u" * 500, details={"when": dt.date(2025, 1, 2)}))
    assert row.user == "u" * 200 and row.details == {"when": "2025-01-02"}
    (stored,) = store.audit.iter_rows()
    assert stored.hash == chain_hash(GENESIS, stored.fields())


def test_an_append_that_fails_leaves_no_trace_in_the_chain(store: Store) -> None:
    store.audit.append(AuditEntry("one"))
    with pytest.raises(RuntimeError), store.write() as conn:
        store.audit.append(AuditEntry("two"), conn=conn)
        raise RuntimeError("the change this record belongs to failed")
    third = store.audit.append(AuditEntry("three"))
    assert third.seq == 2 and [r.operation for r in store.audit.iter_rows()] == ["one", "three"]


def test_concurrent_appenders_in_processes_keep_one_chain(store: Store, race: Race) -> None:
    per_worker = 25
    handed_out = race(workers.append_audit, store.url, per_worker)
    total = per_worker * workers.COUNT
    # Every sequence number went to exactly one appender, in order within each: no fork, no gap.
    assert sorted(seq for seqs in handed_out for seq in seqs) == list(range(1, total + 1))
    assert all(seqs == sorted(seqs) for seqs in handed_out)
    rows = list(store.audit.iter_rows())
    assert [r.seq for r in rows] == list(range(1, total + 1))
    prev = GENESIS
    for row in rows:
        assert row.prev_hash == prev and row.hash == chain_hash(prev, row.fields())
        prev = row.hash
    verified = verify_rows(store)
    assert verified.ok and verified.checked == total and verified.head_hash == prev


def test_a_closed_store_refuses_reads_and_writes(store_url: str) -> None:
    store = Store(store_url)
    store.close()
    with pytest.raises(StoreError, match="gesloten"):
        store.audit.append(AuditEntry("matches"))
    with pytest.raises(StoreError, match="gesloten"):
        store.parties.list()


def test_new_tables_exist_beside_the_hosted_source_tables(store: Store) -> None:
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"parties", "result_sets", "audit_log", "audit_head", "datasets"} <= names
