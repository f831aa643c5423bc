# SPDX-License-Identifier: EUPL-1.2
"""Result sets in the store: the ResultSets protocol, ten details across processes, purge after retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tests.store.test_facility_store import run_in_processes
from vum.facility.audit import StoreAuditLog
from vum.facility.cli import parties_app
from vum.facility.results import StoreResultSets, purge_expired
from vum.facility.service import InMemoryResultSets, ResultSet, ResultSets
from vum.standard.kinds import Kind
from vum.store import Store

PARTY = "00000001111111111111"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "vum.db") as opened:
        yield opened


def result_set(vraag_id: str, age: dt.timedelta = dt.timedelta(0)) -> ResultSet:
    return ResultSet(
        vraag_id,
        Kind.VACATURE,
        PARTY,
        dt.datetime.now(dt.UTC) - age,
        orjson.dumps([{"vumID": "k1.abc", "functie": {"naam": "Lasser"}}]),
        [{"oin": "00000004444444444444", "status": "answered", "aantal": 1}],
    )


def _details(path: str, vraag_id: str, calls: int, start: Any, out: Any) -> None:
    """One worker process making ``calls`` concurrent detail requests; reports how many got one."""
    results = StoreResultSets(Store(path))
    start.wait(30)
    with ThreadPoolExecutor(calls) as pool:
        granted = list(pool.map(lambda _: results.use_detail(vraag_id, 10), range(calls)))
    results.store.close()
    out.put(sorted(g for g in granted if g is not None))


def test_store_result_sets_behave_like_the_in_memory_ones(store: Store) -> None:
    implementations: list[ResultSets] = [InMemoryResultSets(), StoreResultSets(store)]
    for results in implementations:
        saved = result_set("q1")
        results.save(saved)
        found = results.get("q1")
        assert found == saved, type(results).__name__
        assert results.get("nope") is None
        assert [results.use_detail("q1", 2) for _ in range(3)] == [1, 2, None]
        assert results.use_detail("nope", 2) is None
        found = results.get("q1")
        assert found is not None and found.details_used == 2


def test_ten_details_in_total_across_two_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "vum.db")
    with Store(path) as store:
        StoreResultSets(store).save(result_set("q"))
    granted = run_in_processes(_details, [(path, "q", 10), (path, "q", 10)])
    # 20 concurrent requests from two worker processes, limit 10: exactly 10 succeed, and each
    # count from 1 to 10 was handed out once.
    assert sorted(granted[0] + granted[1]) == list(range(1, 11))
    with Store(path) as store:
        found = StoreResultSets(store).get("q")
        assert found is not None and found.details_used == 10


def test_purge_after_retention_is_audited(store: Store) -> None:
    results, audit = StoreResultSets(store), StoreAuditLog(store)
    results.save(result_set("old", dt.timedelta(days=7, minutes=1)))
    results.save(result_set("young", dt.timedelta(days=6, hours=23)))
    assert purge_expired(results, dt.timedelta(days=7), audit=audit, by="facility") == 1
    assert results.get("old") is None and results.get("young") is not None
    assert purge_expired(results, dt.timedelta(days=7), audit=audit) == 0  # nothing: no record
    (record,) = audit.latest(5)
    assert (record.operation, record.user, record.status) == ("results.purge", "facility", "ok")
    assert record.details["purged"] == 1 and record.details["retentionDays"] == 7


def test_purge_results_command(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    with Store(db) as store:
        results = StoreResultSets(store)
        results.save(result_set("a", dt.timedelta(days=3)))
        results.save(result_set("b", dt.timedelta(days=1)))
    runner = CliRunner()
    default = runner.invoke(parties_app, ["purge-results", "--db", str(db)])
    assert default.exit_code == 0 and "0 resultaatset(s) verwijderd" in default.output
    shorter = runner.invoke(
        parties_app, ["purge-results", "--retention-days", "2", "--by", "ops", "--db", str(db)]
    )
    assert shorter.exit_code == 0 and "1 resultaatset(s) verwijderd" in shorter.output
    with Store(db) as store:
        assert store.result_sets.count() == 1
        (record,) = store.audit.iter_rows()
        assert record.user == "ops"
