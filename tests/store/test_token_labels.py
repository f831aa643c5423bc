# SPDX-License-Identifier: EUPL-1.2
"""Token labels follow one rule on every database: SQLite would keep what PostgreSQL refuses."""

from __future__ import annotations

import pytest

from vum.sources import InvalidTokenLabel
from vum.sources.tokens import MAX_LABEL, TokenService
from vum.store import Store

PARTY = "00000001002220647000"


@pytest.mark.parametrize("label", ["x" * (MAX_LABEL + 1), "regel\nnieuw", "nul\x00byte"])
def test_a_bad_label_is_refused_with_a_clear_error_on_both_engines(
    store: Store, label: str
) -> None:
    tokens = TokenService(store)
    with pytest.raises(InvalidTokenLabel, match="afdrukbare tekens"):
        tokens.create(PARTY, label)
    assert store.tokens.list(PARTY) == []


def test_the_longest_label_is_kept_whole(store: Store) -> None:
    tokens = TokenService(store)
    tokens.create(PARTY, "é" * MAX_LABEL)
    (row,) = store.tokens.list(PARTY)
    assert row.label == "é" * MAX_LABEL
