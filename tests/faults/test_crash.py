# SPDX-License-Identifier: EUPL-1.2
"""kill -9 of the facility and of the hosted source mid-query, mid-detail and mid-import: nothing committed is lost."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.http import SOURCE as PARTY
from tests.api.http import vum_headers as source_headers
from tests.conftest import ROOT
from tests.facility.servers import free_port, serve
from tests.faults.procs import (
    PROFILES,
    QUERY,
    FacilityProcess,
    SourceConfig,
    child_env,
    controlled_app,
    facility_process,
    mediator_headers,
    run_vum,
    wait_ready,
)
from vum.sources import HostedSources
from vum.standard import Kind
from vum.store import Store, VersionStatus
from vum.synthetic import generate

SOURCE = "00000005000000000001"
DETAIL_LIMIT = 10  # VUM: at most 10 details per vraagID


def _ask(facility: FacilityProcess) -> httpx.Response:
    return httpx.post(
        f"{facility.url}{PROFILES}/matches",
        json={"vraagObject": QUERY},
        headers=mediator_headers(),
        timeout=120,
    )


def _detail(facility: FacilityProcess, vum_id: str) -> httpx.Response:
    return httpx.get(f"{facility.url}{PROFILES}/{vum_id}", headers=mediator_headers(), timeout=120)


def _verify(db: Path) -> None:
    result = run_vum("audit", "verify", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact" in result.stdout


def _until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"waited in vain for {what}"
        time.sleep(0.01)


def _lost(future: Future[httpx.Response]) -> bool:
    """True when the call died with the process (no answer at all)."""
    try:
        future.result(timeout=60)
    except httpx.TransportError:
        return True
    return False


@pytest.mark.slow
def test_kill_9_of_the_facility_mid_query_and_mid_detail(tmp_path: Path) -> None:
    records = list(generate(Kind.WERKZOEKENDE, 20, seed=5))
    by_id = {r["idWerkzoekende"]: r for r in records}
    app, control = controlled_app(records)
    with (
        serve(app) as url,
        facility_process(
            tmp_path, [SourceConfig(SOURCE, "Bron", url)], source_timeout_s=60, deadline_s=60
        ) as facility,
    ):
        first = _ask(facility)
        assert first.status_code == 200, first.text
        vraag_id = first.json()["vraagID"]
        vum_ids = [m["vumID"] for m in first.json()["matches"]]
        assert len(vum_ids) == 20
        for vum_id in vum_ids[:3]:
            detail = _detail(facility, vum_id)
            assert detail.status_code == 200, detail.text
            record = facility.codec.decode(vum_id).record_id
            assert detail.json() == {"bronID": SOURCE, "werkzoekende": by_id[record]}

        # The source holds every call: a query and two detail requests are in flight ...
        control.delay_s.update(matches=3600.0, detail=3600.0)
        arrived = dict(control.arrived)
        with ThreadPoolExecutor(3) as pool:
            calls = [
                pool.submit(_ask, facility),
                pool.submit(_detail, facility, vum_ids[3]),
                pool.submit(_detail, facility, vum_ids[4]),
            ]
            _until(
                lambda: (
                    control.arrived
                    == {"matches": arrived["matches"] + 1, "detail": arrived["detail"] + 2}
                ),
                "the calls to reach the source",
            )
            facility.kill()  # ... when the facility dies.
            assert all(_lost(c) for c in calls)

        # Down: what was committed is there, whole; what was in flight left no half.
        _verify(facility.db)
        with Store(facility.db) as store:
            # The in-flight query saved nothing; the two in-flight details were granted (the
            # count comes before the source is asked), so they count toward the limit.
            assert store.result_sets.count() == 1
            kept = store.result_sets.get(vraag_id)
            assert kept is not None and kept.details_used == 5
            assert [m["vumID"] for m in kept.matches] == vum_ids
            rows = [r for r in store.audit.iter_rows() if r.details.get("vraagID") == vraag_id]
        # Every answer the mediator received has its record: one query, three details.
        assert [(r.operation, r.status) for r in rows] == [("matches", "200")] + [
            ("detail", "200")
        ] * 3

        control.delay_s.update(matches=0.0, detail=0.0)
        facility.start()  # restart on the same store, port and keys
        # A vumID from before the crash still opens, and the limit continues from what was
        # committed: 10 - 5 = 5 more details, then 429.
        again = _detail(facility, vum_ids[0])
        assert again.status_code == 200, again.text
        assert again.json()["werkzoekende"] == by_id[facility.codec.decode(vum_ids[0]).record_id]
        statuses = [_detail(facility, v).status_code for v in vum_ids[5:10]]
        assert statuses == [200] * (DETAIL_LIMIT - 5 - 1) + [429]
        assert _ask(facility).status_code == 200  # and it serves new queries
        facility.stop()
        _verify(facility.db)


@pytest.mark.slow
def test_kill_9_of_the_facility_in_a_burst_of_queries(tmp_path: Path) -> None:
    """Killed while answering and writing the audit log: every answer given is on record."""
    records = list(generate(Kind.WERKZOEKENDE, 12, seed=6))
    app, _ = controlled_app(records)
    with (
        serve(app) as url,
        facility_process(
            tmp_path, [SourceConfig(SOURCE, "Bron", url)], source_timeout_s=30, deadline_s=30
        ) as facility,
    ):
        answered: list[dict[str, Any]] = []
        lock = threading.Lock()

        def burst() -> None:
            while True:
                try:
                    response = _ask(facility)
                except httpx.TransportError:
                    return  # the facility died
                assert response.status_code == 200, response.text
                with lock:
                    answered.append(response.json())

        threads = [threading.Thread(target=burst) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            _until(lambda: len(answered) >= 12, "answers before the kill")
        finally:
            facility.kill()
            for thread in threads:
                thread.join(60)
        _verify(facility.db)
        with Store(facility.db) as store:
            logged = {
                r.details.get("vraagID")
                for r in store.audit.iter_rows()
                if r.operation == "matches" and r.status == "200"
            }
            for body in answered:  # each answer given: its result set and its record
                assert store.result_sets.get(body["vraagID"]) is not None
                assert body["vraagID"] in logged
        facility.start()
        last = answered[-1]["matches"][0]["vumID"]
        assert _detail(facility, last).status_code == 200
        facility.stop()
        _verify(facility.db)


# --- the hosted source -----------------------------------------------------------------------

# `vum serve source` itself, with its batch writes slowed so that the kill lands in the middle
# of writing the new version on any machine, however fast.
SLOW_SERVE = textwrap.dedent(
    """
    import sys, time
    import vum.store.datasets as datasets

    original = datasets.DatasetRepository.insert_records

    def slow_insert(self, version_id, rows):
        original(self, version_id, rows)
        time.sleep(2.0)

    datasets.DatasetRepository.insert_records = slow_insert
    from vum.serve import app
    app(sys.argv[1:], prog_name="vum serve")
    """
)


@contextmanager
def hosted_source(
    db: Path, port: int, log: Path, *, slow: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """``vum serve source --db DB`` as a child process (``slow``: with slowed batch writes)."""
    command = ["source", "--db", str(db), "--port", str(port), "--log-level", "warning"]
    program = ["-c", SLOW_SERVE] if slow else ["-m", "vum.serve"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, *program, *command],
            cwd=ROOT,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(process, f"http://127.0.0.1:{port}", log)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(20)


def _staging(db: Path) -> tuple[int, int] | None:
    """(staging version id, records written so far), read as another process would."""
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        row = conn.execute(
            "SELECT v.id, (SELECT count(*) FROM version_records r WHERE r.version_id = v.id) "
            "FROM dataset_versions v WHERE v.status = 'staging'"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def _ids_answered(base: str) -> set[str]:
    answer = httpx.post(
        f"{base}{PROFILES}/matches", json={"vraagObject": QUERY}, headers=source_headers()
    )
    assert answer.status_code == 200, answer.text
    return {m["idWerkzoekende"] for m in answer.json()["matches"]}


@pytest.mark.slow
def test_kill_9_of_the_hosted_source_mid_http_import(tmp_path: Path) -> None:
    db, log = tmp_path / "vum.db", tmp_path / "source.log"
    base = list(generate(Kind.WERKZOEKENDE, 300, seed=21))
    with Store(db) as store:
        sources = HostedSources(store)
        sources.import_records(PARTY, Kind.WERKZOEKENDE, base)
        token = sources.create_token(PARTY, "upload")
    # A big upload of other records (10,000: two batches of 5,000), never to become live.
    template = list(generate(Kind.WERKZOEKENDE, 500, seed=22))
    upload = [{**template[i % 500], "idWerkzoekende": f"nieuw-{i:05d}"} for i in range(10_000)]
    body = json.dumps(upload).encode()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    put = f"{url}/admin/v1/datasets/{PARTY}/werkzoekende"
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    with hosted_source(db, port, log, slow=True) as server, ThreadPoolExecutor(1) as pool:
        uploading = pool.submit(httpx.put, put, content=body, headers=auth, timeout=120)
        seen: tuple[int, int] | None = None

        def writing() -> bool:
            nonlocal seen
            seen = _staging(db)
            return seen is not None and seen[1] > 0

        _until(writing, "the import to write its first batch", timeout_s=120)
        server.send_signal(signal.SIGKILL)
        server.wait(30)
        assert server.returncode == -signal.SIGKILL
        assert _lost(uploading)
    assert seen is not None and 0 < seen[1] < len(upload)
    staged_id = seen[0]
    assert _staging(db) == seen  # the half-written version is still there, not live

    with hosted_source(db, port, log):  # the restart recovers
        # The previous version answers, whole; nothing of the interrupted one shows.
        base_ids = {r["idWerkzoekende"] for r in base}
        assert _ids_answered(url) <= base_ids
        for record in base[::30]:
            detail = httpx.get(
                f"{url}{PROFILES}/{record['idWerkzoekende']}", headers=source_headers()
            )
            assert detail.status_code == 200 and detail.json() == record
        assert httpx.get(f"{url}{PROFILES}/nieuw-00000", headers=source_headers()).is_error
        with Store(db) as store:
            failed = store.datasets.version(staged_id)
            assert failed is not None and failed.status is VersionStatus.FAILED
            assert store.datasets.count_records(staged_id) == 0
            assert store.datasets.versions(statuses=[VersionStatus.STAGING]) == []
            live = store.datasets.current(PARTY, "werkzoekende", VersionStatus.LIVE)
            assert live is not None and live.number == 1
            assert store.datasets.count_records(live.id) == len(base)

        # And a new upload over HTTP goes through and is served.
        fresh = upload[:150]
        done = httpx.put(put, content=json.dumps(fresh).encode(), headers=auth, timeout=120)
        assert done.status_code == 200, done.text
        assert done.json()["result"]["version"]["number"] == 3
        fresh_ids = {r["idWerkzoekende"] for r in fresh}
        _until(lambda: _ids_answered(url) <= fresh_ids, "the new version to be served", 30)
        assert len(_ids_answered(url)) == 100  # VUM: at most 100 per source
