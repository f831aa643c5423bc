# SPDX-License-Identifier: EUPL-1.2
"""The matches answer: at most 100, the flag, best first, summaries only, and the opt-in ranking."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import COUNT, OTHER_COUNT
from tests.api.http import OTHER_SOURCE, AsgiClient, vum_headers
from vum.api import RANKING_MEMBER, SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.standard import Kind

NATIONWIDE = {"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": 999}}}
CONTRACT_MEMBERS = {"maximumAantalResultatenBereikt", "matches"}


def _url(kind: Kind) -> str:
    return f"/api/v3/{kind.resource}/matches"


@pytest.mark.parametrize("kind", list(Kind))
def test_at_most_100_and_the_flag_when_there_were_more(client: AsgiClient, kind: Kind) -> None:
    body = client.post(_url(kind), json=NATIONWIDE, headers=vum_headers()).json()
    assert COUNT > 100
    assert len(body["matches"]) == 100
    assert body["maximumAantalResultatenBereikt"] is True
    ids = [m[kind.id_field] for m in body["matches"]]
    assert len(set(ids)) == 100


def test_no_flag_when_everything_was_returned(client: AsgiClient) -> None:
    headers = vum_headers(**{"X-VUM-toParty": OTHER_SOURCE})
    body = client.post(_url(Kind.WERKZOEKENDE), json=NATIONWIDE, headers=headers).json()
    assert len(body["matches"]) == OTHER_COUNT
    assert body["maximumAantalResultatenBereikt"] is False


def test_lower_cap_is_allowed(backend: MemoryBackend) -> None:
    settings = SourceSettings(warm_up=False, max_results=10)
    client = AsgiClient(create_source_app(backend, settings=settings))
    body = client.post(_url(Kind.VACATURE), json=NATIONWIDE, headers=vum_headers()).json()
    assert (len(body["matches"]), body["maximumAantalResultatenBereikt"]) == (10, True)


def test_a_higher_cap_than_100_is_not(backend: MemoryBackend) -> None:
    settings = SourceSettings(warm_up=False, max_results=500)
    client = AsgiClient(create_source_app(backend, settings=settings))
    body = client.post(_url(Kind.VACATURE), json=NATIONWIDE, headers=vum_headers()).json()
    assert len(body["matches"]) == 100


@pytest.mark.parametrize("kind", list(Kind))
def test_without_explain_the_answer_is_exactly_the_contracts(
    client: AsgiClient, kind: Kind
) -> None:
    for headers in (vum_headers(), vum_headers(**{"X-OpenVUM-Explain": "0"})):
        body = client.post(_url(kind), json=NATIONWIDE, headers=headers).json()
        assert set(body) == CONTRACT_MEMBERS


@pytest.mark.parametrize("kind", list(Kind))
def test_explain_adds_a_ranking_aligned_with_the_matches(client: AsgiClient, kind: Kind) -> None:
    plain = client.post(_url(kind), json=NATIONWIDE, headers=vum_headers()).json()
    headers = vum_headers(**{"X-OpenVUM-Explain": "1"})
    body = client.post(_url(kind), json=NATIONWIDE, headers=headers).json()
    assert set(body) == {*CONTRACT_MEMBERS, RANKING_MEMBER}
    # The summaries themselves are untouched: same matches, same order.
    assert body["matches"] == plain["matches"]
    ranking: list[dict[str, Any]] = body[RANKING_MEMBER]
    assert len(ranking) == len(body["matches"]) == 100
    scores = [entry["score"] for entry in ranking]
    assert scores == sorted(scores, reverse=True), "best match first"
    for entry in ranking:
        assert set(entry) == {"score", "afstandKm", "uitleg"}
        assert 0 <= entry["score"] <= 100
        assert entry["afstandKm"] is None or 0 <= entry["afstandKm"] <= 999
        for reason in entry["uitleg"]:
            assert set(reason) == {"criterium", "voldaan", "punten", "toelichting"}
            assert reason["voldaan"] in (True, False, None)


def test_explain_can_be_switched_off(backend: MemoryBackend) -> None:
    client = AsgiClient(
        create_source_app(backend, settings=SourceSettings(warm_up=False, explain=False))
    )
    headers = vum_headers(**{"X-OpenVUM-Explain": "1"})
    body = client.post(_url(Kind.WERKZOEKENDE), json=NATIONWIDE, headers=headers).json()
    assert set(body) == CONTRACT_MEMBERS


# VUM: a summary carries no detail-only members (privacy by design, pilot finding 13).
DETAIL_ONLY = {
    Kind.WERKZOEKENDE: {
        "contactpersoon",
        "emailadres",
        "telefoonnummer",
        "persoonlijkePresentatie",
        "indicatieLdrRegistratie",
        "eisAanWerk",
    },
    Kind.VACATURE: {"nummerVacature"},
}


@pytest.mark.parametrize("kind", list(Kind))
def test_summaries_carry_no_detail_only_members(client: AsgiClient, kind: Kind) -> None:
    body = client.post(_url(kind), json=NATIONWIDE, headers=vum_headers()).json()
    for match in body["matches"]:
        assert not DETAIL_ONLY[kind] & set(match)
        assert match[kind.id_field]


def test_area_is_respected(client: AsgiClient) -> None:
    near = {"vraagObject": {"selectiegebied": {"postcode": "1315AB", "afstand": 10}}}
    headers = vum_headers(**{"X-OpenVUM-Explain": "1"})
    body = client.post(_url(Kind.VACATURE), json=near, headers=headers).json()
    assert len(body["matches"]) < 100
    assert all(e["afstandKm"] <= 10.5 for e in body[RANKING_MEMBER])
