# SPDX-License-Identifier: EUPL-1.2
"""What the spawned test processes run for the metrics history: many adds to the same minutes at once."""

from __future__ import annotations

from tests.store import workers
from vum.store import Store
from vum.store.source_stats import VALUE_COLUMNS

#: One add: a query answered in 7.5 ms (the 10 ms bucket) with two invalid records dropped.
ONE = [0.0] * len(VALUE_COLUMNS)
for _name, _value in {
    "queries": 1,
    "answered": 1,
    "invalid_records": 2,
    "latency_sum_ms": 7.5,
    "le_10ms": 1,
}.items():
    ONE[VALUE_COLUMNS.index(_name)] = _value
#: The minutes, sources and kinds every process adds to (the same rows, so they conflict).
KEYS = [
    (1000, "00000001000000000001", "vacature"),
    (1000, "00000001000000000002", "vacature"),
    (1000, "00000001000000000001", "werkzoekende"),
    (1001, "00000001000000000001", "vacature"),
]


def add_stats(url: str, rounds: int) -> int:
    """``rounds`` adds of :data:`ONE` to every row of :data:`KEYS` (handed over in varying orders)."""
    with Store(url) as store:
        workers._go()
        for i in range(rounds):
            keys = KEYS[i % len(KEYS) :] + KEYS[: i % len(KEYS)]
            store.source_stats.add({key: ONE for key in keys})
    return rounds
