# SPDX-License-Identifier: EUPL-1.2
"""Worker processes racing on one store: the detail limit holds, versions are numbered once, one wins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.store import workers
from tests.store.workers import Race
from vum.store import GENESIS, SCHEMA_VERSION, Store, VersionStatus

PARTY = "00000001234567890000"


def test_processes_opening_a_new_store_at_once_create_it_once(store_url: str, race: Race) -> None:
    assert race(workers.open_store, store_url) == [str(SCHEMA_VERSION)] * workers.COUNT
    with Store(store_url) as store:
        head = store.audit.head()
        assert head is not None and (head.last_seq, head.last_hash) == (0, GENESIS)


def test_processes_opening_new_sqlite_files_at_once_never_find_them_locked(
    tmp_path: Path, race: Race
) -> None:
    # Switching a new file to WAL needs it alone, and SQLite refuses at once (no busy wait)
    # when two new connections both want that: it failed in about a third of such races.
    for round_ in range(12):
        url = str(tmp_path / f"round{round_}.db")
        assert race(workers.open_store, url) == [str(SCHEMA_VERSION)] * workers.COUNT


def test_exactly_the_limit_of_details_is_granted_across_processes(store: Store, race: Race) -> None:
    store.result_sets.save("q", "vacature", PARTY, dt.datetime.now(dt.UTC), [{"a": 1}], [])
    granted = race(workers.use_details, store.url, "q", 6, 10)
    # 24 requests from four processes for a limit of 10: each count from 1 to 10 went to exactly
    # one request, and every other request was refused.
    counts = [g for got in granted for g in got]
    assert sorted(g for g in counts if g is not None) == list(range(1, 11))
    assert counts.count(None) == 6 * workers.COUNT - 10
    # A process's own grants rise: the counter never went back.
    assert all(
        [g for g in got if g is not None] == sorted(g for g in got if g is not None)
        for got in granted
    )
    found = store.result_sets.get("q")
    assert found is not None and found.details_used == 10


def test_racing_imports_number_their_versions_once_and_one_promotion_wins(
    store: Store, race: Race
) -> None:
    outcomes = race(workers.stage_and_promote, store.url, PARTY)
    # The dataset row was made once, and each staging version got its own number.
    assert store.datasets.dataset_keys() == [(PARTY, "werkzoekende")]
    assert sorted(number for number, _ in outcomes) == list(range(1, workers.COUNT + 1))
    # Each promotion claimed "no live version yet": only the first can be right.
    (winner,) = [won for _, won in outcomes if won is not None]
    assert store.datasets.live_version_id(PARTY, "werkzoekende") == winner
    statuses = [v.status for v in store.datasets.versions(PARTY, "werkzoekende")]
    assert statuses.count(VersionStatus.LIVE) == 1
    assert statuses.count(VersionStatus.STAGING) == workers.COUNT - 1
