# SPDX-License-Identifier: EUPL-1.2
"""The tamper-evident audit log: API events mapped onto columns, the chain verified, fail closed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.facility.test_api import MEDIATOR, PROFILES, QUERY, asgi_call, make_app, vum_headers
from vum.facility.audit import StoreAuditLog, entry_of
from vum.facility.cli import audit_app
from vum.store import Store, chain_hash

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def matches_event(n: int = 0) -> dict[str, Any]:
    """An audit event as ``vum.facility.api`` makes it for a query."""
    return {
        "traceId": TRACE,
        "operation": "matches",
        "kind": "werkzoekende",
        "start": "2026-03-01T10:00:00.000+00:00",
        "fromParty": MEDIATOR,
        "viaParty": "00000003333333333333",
        "identity": "mtls",
        "user": "medewerker-17",
        "processingActivity": "re-integratie",
        "vraagObjectSha256": "ab" * 32,
        "vraagID": f"vraag-{n}",
        "results": 12,
        "maximumAantalResultatenBereikt": False,
        "sources": [{"oin": "00000004444444444444", "status": "answered", "matches": 12}],
        "end": "2026-03-01T10:00:00.412+00:00",
        "outcome": {"status": 200, "code": None},
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "vum.db"


@pytest.fixture
def log(db: Path) -> Iterator[StoreAuditLog]:
    with Store(db) as store:
        yield StoreAuditLog(store)


def _sql(db: Path, statement: str) -> None:
    """Change the database behind the application's back, as an intruder or a mistake would."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(statement)


def _verify(db: Path, *args: str) -> Any:
    return CliRunner().invoke(audit_app, ["verify", "--db", str(db), *args])


def test_api_events_map_onto_the_columns_and_keep_the_rest() -> None:
    entry = entry_of(matches_event())
    assert (entry.operation, entry.kind, entry.trace_id) == ("matches", "werkzoekende", TRACE)
    assert (entry.party, entry.processor) == (MEDIATOR, "00000003333333333333")
    assert (entry.user, entry.processing_activity) == ("medewerker-17", "re-integratie")
    assert entry.status == "200" and entry.source is None
    assert entry.started_at == "2026-03-01T10:00:00.000+00:00"
    assert set(entry.details) == {
        "identity",
        "vraagObjectSha256",
        "vraagID",
        "results",
        "maximumAantalResultatenBereikt",
        "sources",
    }
    detail = entry_of(
        {"operation": "detail", "bronID": "00000004444444444444", "refusal": "geen bemiddelaar",
         "outcome": {"status": 429, "code": "429.01"}, "vumIDSha256": "cd" * 32}
    )  # fmt: skip
    assert detail.source == "00000004444444444444" and detail.status == "429"
    assert detail.details == {
        "code": "429.01",
        "refusal": "geen bemiddelaar",
        "vumIDSha256": "cd" * 32,
    }


def test_an_untouched_log_verifies(db: Path, log: StoreAuditLog) -> None:
    assert log.verify().ok and log.verify().checked == 0  # empty is intact
    for n in range(5):
        log.record(matches_event(n))
    result = log.verify()
    assert result.ok and result.checked == 5 and result.head_seq == 5
    assert result.head_hash == log.latest(1)[0].hash
    cli = _verify(db)
    assert cli.exit_code == 0, cli.output
    assert "auditlog intact: 5 records gecontroleerd" in cli.output


def test_an_edited_status_names_the_record(db: Path, log: StoreAuditLog) -> None:
    for n in range(5):
        log.record(matches_event(n))
    _sql(db, "UPDATE audit_log SET status = '403' WHERE seq = 3")
    result = log.verify()
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 3, 2)
    cli = _verify(db)
    assert cli.exit_code == 1
    assert "record 3 is gewijzigd of ontbreekt (record 3 was altered or is missing)" in cli.output


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(db: Path, log: StoreAuditLog) -> None:
    for n in range(4):
        log.record(matches_event(n))
    # A careful intruder fixes the record's own hash too; the next record still points at the old.
    _sql(db, "UPDATE audit_log SET party = '00000009999999999999' WHERE seq = 2")
    with Store(db) as store:
        row = next(r for r in store.audit.iter_rows() if r.seq == 2)
        fixed = chain_hash(row.prev_hash, row.fields())
    _sql(db, f"UPDATE audit_log SET hash = '{fixed}' WHERE seq = 2")
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 3
    assert "prev_hash" in (result.reason or "")


def test_edited_details_text_is_caught_even_when_it_means_the_same(
    db: Path, log: StoreAuditLog
) -> None:
    log.record(matches_event())
    _sql(db, "UPDATE audit_log SET details = ' ' || details WHERE seq = 1")
    assert log.verify().first_broken_seq == 1
    _sql(db, "UPDATE audit_log SET details = 'no json' WHERE seq = 1")
    assert log.verify().first_broken_seq == 1


def test_a_deleted_record_is_named(db: Path, log: StoreAuditLog) -> None:
    for n in range(5):
        log.record(matches_event(n))
    _sql(db, "DELETE FROM audit_log WHERE seq = 2")
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, 2)
    assert "ontbreekt" in (result.reason or "")
    cli = _verify(db, "--json")
    assert cli.exit_code == 1
    assert '"first_broken_seq": 2' in cli.output


def test_deleted_first_and_last_records_are_named(db: Path, log: StoreAuditLog) -> None:
    for n in range(4):
        log.record(matches_event(n))
    _sql(db, "DELETE FROM audit_log WHERE seq = 4")
    assert log.verify().first_broken_seq == 4  # the head still says 4
    _sql(db, "DELETE FROM audit_log WHERE seq = 1")
    assert log.verify().first_broken_seq == 1


def test_an_emptied_log_or_a_deleted_head_is_caught(db: Path, log: StoreAuditLog) -> None:
    for n in range(2):
        log.record(matches_event(n))
    _sql(db, "DELETE FROM audit_head")
    assert log.verify().reason == "kop van de keten ontbreekt (chain head missing)"
    log.record(matches_event(2))  # the facility goes on (and warns); the chain stays whole
    assert log.verify().ok and log.verify().checked == 3
    _sql(db, "DELETE FROM audit_log")
    assert log.verify().first_broken_seq == 1


def test_appending_after_a_deleted_record_does_not_hide_it(db: Path, log: StoreAuditLog) -> None:
    for n in range(3):
        log.record(matches_event(n))
    _sql(db, "DELETE FROM audit_log WHERE seq = 3")
    log.record(matches_event(9))  # seq 4: a sequence number is never reused
    assert [r.seq for r in log.latest(5)] == [4, 2, 1]
    assert log.verify().first_broken_seq == 3


def test_verify_while_the_facility_keeps_appending(db: Path, log: StoreAuditLog) -> None:
    def append() -> None:
        with Store(db) as other:
            writer = StoreAuditLog(other)
            for n in range(150):
                writer.record(matches_event(n))

    thread = threading.Thread(target=append)
    thread.start()
    results = []
    while thread.is_alive():
        results.append(log.verify())
    thread.join()
    assert results and all(r.ok for r in results), [r for r in results if not r.ok][:1]
    assert log.verify().checked == 150


def test_a_closed_store_makes_record_raise(db: Path) -> None:
    store = Store(db)
    log = StoreAuditLog(store)
    log.record(matches_event())
    store.close()
    with pytest.raises(Exception, match="gesloten"):
        log.record(matches_event())


def test_a_read_only_store_makes_record_raise(db: Path, log: StoreAuditLog) -> None:
    log.record(matches_event())
    # The database turns read-only under the running facility (a full or remounted disk).
    sa.event.listen(
        log.store.engine,
        "connect",
        lambda dbapi, _record: dbapi.execute("PRAGMA query_only = ON"),
    )
    log.store.engine.dispose()
    with pytest.raises(sa.exc.OperationalError):
        log.record(matches_event(1))
    assert log.verify().checked == 1


def test_the_api_fails_closed_when_the_audit_log_cannot_be_written(db: Path) -> None:
    store = Store(db)
    app = make_app([], audit=StoreAuditLog(store))
    store.close()
    response = asgi_call(app, "POST", f"{PROFILES}/matches", vum_headers(), {"vraagObject": QUERY})
    assert response.status_code == 500
    assert response.json()["code"] == "500.1"
    assert "vraagID" not in response.text


def test_audit_list_shows_the_newest_first(db: Path, log: StoreAuditLog) -> None:
    for n in range(3):
        log.record(matches_event(n))
    log.record({**matches_event(), "operation": "detail", "fromParty": "00000002222222222222"})
    runner = CliRunner()
    text = runner.invoke(audit_app, ["list", "--db", str(db), "--limit", "2"])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert len(lines) == 2 and lines[0].split()[0] == "4" and "detail" in lines[0]
    assert "medewerker-17" in lines[0]
    as_json = runner.invoke(audit_app, ["list", "--db", str(db), "--json", "--party", MEDIATOR])
    assert as_json.exit_code == 0
    assert '"seq": 3' in as_json.output and '"seq": 4' not in as_json.output
    assert '"vraagObjectSha256"' in as_json.output


def test_audit_commands_refuse_a_missing_database(tmp_path: Path) -> None:
    result = _verify(tmp_path / "nope.db")
    assert result.exit_code == 2 and "bestaat niet" in result.output
    assert not (tmp_path / "nope.db").exists()
