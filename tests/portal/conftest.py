# SPDX-License-Identifier: EUPL-1.2
"""Portal fixtures: the whole system on loopback once per module; the store on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.portal import client
from tests.portal.world import World, world
from tests.store.conftest import store, store_url

__all__ = ["store", "store_url"]


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Two sources, the facility and the portal (about 5 s to start, shared by a module)."""
    with world(tmp_path_factory.mktemp("portal")) as running:
        yield running


@pytest.fixture(autouse=True)
def close_browsers() -> Iterator[None]:
    yield
    while client.OPEN:
        client.OPEN.pop().close()
