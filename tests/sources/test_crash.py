# SPDX-License-Identifier: EUPL-1.2
"""A real import process killed with SIGKILL mid-import never leaves a half-imported dataset live."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest

from vum.sources import HostedSources
from vum.standard.kinds import Kind
from vum.store import Store, VersionStatus
from vum.synthetic import generate

from .conftest import PARTY

# The child imports through the real code path. Its batch writes are slowed a little so that
# the kill lands in the middle of writing on any machine, however fast.
CHILD = textwrap.dedent(
    """
    import sys, time
    import vum.store.datasets as datasets
    from vum.sources import HostedSources
    from vum.standard.kinds import Kind
    from vum.store import Store
    from vum.synthetic import generate

    original = datasets.DatasetRepository.insert_records

    def slow_insert(self, version_id, rows):
        original(self, version_id, rows)
        time.sleep(0.05)

    datasets.DatasetRepository.insert_records = slow_insert
    records = list(generate(Kind.WERKZOEKENDE, 20_000, seed=12))
    sources = HostedSources(Store(sys.argv[1]), batch_size=500)
    sources.import_records(sys.argv[2], Kind.WERKZOEKENDE, records)
    print("klaar")
    """
)


def _staging(db: Path) -> tuple[int, int] | None:
    """(staging version id, records written so far), read as another process would."""
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        row = conn.execute(
            "SELECT v.id, (SELECT count(*) FROM version_records r WHERE r.version_id = v.id) "
            "FROM dataset_versions v WHERE v.status = 'staging'"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


@pytest.mark.slow
def test_a_killed_import_leaves_the_previous_data_live_and_complete(tmp_path: Path) -> None:
    db = tmp_path / "vum.db"
    base = list(generate(Kind.WERKZOEKENDE, 300, seed=11))
    with Store(db) as store:
        HostedSources(store).import_records(PARTY, Kind.WERKZOEKENDE, base)

    log = tmp_path / "child.log"
    with log.open("w") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), PARTY],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            deadline = time.monotonic() + 180
            seen = None
            while time.monotonic() < deadline and child.poll() is None:
                seen = _staging(db)
                if seen is not None and seen[1] >= 2_000:
                    break
                time.sleep(0.01)
            assert child.poll() is None, f"the import ended before the kill: {log.read_text()}"
            assert seen is not None and 0 < seen[1] < 20_000
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    staged_id = seen[0]
    assert _staging(db) is not None  # the half-written version is still there, not live

    with Store(db) as store:
        sources = HostedSources(store)  # "restart"
        assert [v.id for v in sources.recovered] == [staged_id]
        failed = store.datasets.version(staged_id)
        assert failed is not None and failed.status is VersionStatus.FAILED
        assert store.datasets.count_records(staged_id) == 0
        assert store.datasets.versions(statuses=[VersionStatus.STAGING]) == []

        info = sources.dataset(PARTY, Kind.WERKZOEKENDE)
        assert info.live is not None and info.live.number == 1 and info.record_count == 300
        engine = sources.engine(PARTY, Kind.WERKZOEKENDE)
        assert engine is not None and len(engine) == 300
        assert all(engine.detail(r["idWerkzoekende"]) == r for r in base)

        result = sources.import_records(
            PARTY, Kind.WERKZOEKENDE, list(generate(Kind.WERKZOEKENDE, 500, seed=13))
        )
        assert result.records == 500 and result.version.number == 3
        assert len(sources.engine(PARTY, Kind.WERKZOEKENDE) or []) == 500
