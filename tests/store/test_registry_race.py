# SPDX-License-Identifier: EUPL-1.2
"""Registering one party from racing processes: added once, audited once, the others refused clearly."""

from __future__ import annotations

from tests.store import workers
from tests.store.workers import Race
from vum.store import Store


def test_a_party_added_by_racing_processes_is_added_once(store_url: str, race: Race) -> None:
    # On PostgreSQL both transactions pass the "not there yet" check; the losers must get the
    # registry's error, not the driver's duplicate-key error.
    oin = "00000001002220647000"
    Store(store_url).close()
    outcomes = race(workers.add_party, store_url, oin)
    assert sorted(outcomes) == ["added"] + [
        f"partij {oin} bestaat al (party already registered)"
    ] * (workers.COUNT - 1)
    with Store(store_url) as store:
        assert [r.operation for r in store.audit.iter_rows()].count("party.add") == 1


def test_instances_applying_one_config_at_once_all_start(store_url: str, race: Race) -> None:
    # Two facility instances starting together on an empty registry: neither may exit.
    oin = "00000001002220647000"
    Store(store_url).close()
    changed = race(workers.apply_config, store_url, oin)
    assert changed.count([oin]) >= 1 and all(c in ([oin], []) for c in changed)
    with Store(store_url) as store:
        assert [r.operation for r in store.audit.iter_rows()].count("party.add") == 1
        assert store.parties.get(oin) is not None
