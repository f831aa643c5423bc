# SPDX-License-Identifier: EUPL-1.2
"""A mediator cannot switch sources off for everyone: queries the sources refuse never trip the circuit breaker."""

from __future__ import annotations

from tests.security.tally import count
from tests.security.world import PARTY_A, PARTY_B, QUERY, World
from vum.standard import Kind

W = Kind.WERKZOEKENDE


def test_queries_the_sources_refuse_do_not_suspend_them(world: World) -> None:
    """The facility passes extensions on; open VUM sources refuse a malformed one with a 400.

    Before the fix the breaker counted each 400 as a failure of the source: three such queries
    from one mediator suspended every source for 30 s, doubling up to 10 minutes, for all.
    """
    bad = {"vraagObject": {**QUERY, "$text": {"$search": 12345}}}
    url = f"{world.facility_url}/api/v3/{W.resource}/matches"
    for _ in range(6):
        response = world.http.post(url, json=bad, headers=world.facility_headers(PARTY_B))
        assert response.status_code == 200 and response.json()["matches"] == []
        count("breaker abuse: queries the sources refuse")
    breaker = world.facility_app.state.facility.breaker
    assert not breaker.suspended(PARTY_A) and not breaker.suspended(PARTY_B)
    assert world.query(W, PARTY_A)["matches"], "another mediator still gets answers"
