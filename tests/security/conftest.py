# SPDX-License-Identifier: EUPL-1.2
"""Fixtures of the security suite (the running system) and its closing summary of what was tried."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.tally import COUNTS
from tests.security.world import World, running_world


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The hosted source and the facility, shared by the tests that only read or add."""
    with running_world(tmp_path_factory.mktemp("security-world")) as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS:
        return
    terminalreporter.section("open VUM security suite: what was tried")
    for what, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{n:>7}  {what}")
