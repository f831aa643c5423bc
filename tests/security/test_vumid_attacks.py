# SPDX-License-Identifier: EUPL-1.2
"""vumIDs under attack: used by another party, altered, used on the other kind, forged, replayed, and past retention."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.tally import count
from tests.security.world import PARTY_A, PARTY_B, PROCESSOR, World, running_world
from vum.facility.results import StoreResultSets, purge_expired
from vum.facility.vumid import VumIdCodec, VumIdContent, new_key
from vum.standard import Kind

ALPHABET = string.ascii_letters + string.digits + "_.-"
PROFILE = Kind.WERKZOEKENDE


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A world of this module's own: its result sets are purged here."""
    with running_world(Path(tmp_path_factory.mktemp("vumid-world"))) as running:
        yield running


def _refused_400(world: World, kind: Kind, vum_id: str, from_party: str = PARTY_A) -> None:
    response = world.detail(kind, vum_id, from_party)
    assert response.status_code == 400, (vum_id, response.status_code, response.text)
    assert response.json()["code"] == "400.01"


def _refused_401(world: World, kind: Kind, vum_id: str, from_party: str = PARTY_A) -> None:
    response = world.detail(kind, vum_id, from_party)
    assert response.status_code == 401, (vum_id, response.status_code, response.text)
    assert response.content == b""


def test_a_vumid_of_a_is_refused_to_b_and_still_serves_a(world: World) -> None:
    vum_id = world.query(PROFILE)["matches"][0]["vumID"]
    _refused_401(world, PROFILE, vum_id, from_party=PARTY_B)
    # B's processor cannot use it either; A's own processor can (it acts for A).
    assert world.detail(PROFILE, vum_id, PARTY_A, via=PROCESSOR).status_code == 200
    assert world.detail(PROFILE, vum_id).status_code == 200
    count("vumID attacks: cross-party uses", 1)


def test_every_altered_character_is_refused(world: World) -> None:
    answer = world.query(PROFILE)
    vum_id = answer["matches"][0]["vumID"]
    tries = 0
    for position, char in enumerate(vum_id):
        other = ALPHABET[(ALPHABET.index(char) + 1) % len(ALPHABET)]
        _refused_400(world, PROFILE, vum_id[:position] + other + vum_id[position + 1 :])
        tries += 1
    for altered in (vum_id[:-1], vum_id + "A", vum_id[::-1], "k1." + vum_id.partition(".")[2][:40]):
        _refused_400(world, PROFILE, altered)
        tries += 1
    count("vumID attacks: altered vumIDs (every position, cut, extended)", tries)
    # None of them used up one of the query's ten details.
    rows = world.store.result_sets.get(answer["vraagID"])
    assert rows is not None and rows.details_used == 0


def test_a_vumid_of_one_kind_is_refused_on_the_other(world: World) -> None:
    for kind, other in ((Kind.WERKZOEKENDE, Kind.VACATURE), (Kind.VACATURE, Kind.WERKZOEKENDE)):
        vum_id = world.query(kind)["matches"][0]["vumID"]
        _refused_401(world, other, vum_id)
        assert world.detail(kind, vum_id).status_code == 200
    count("vumID attacks: used on the other kind", 2)


def test_a_vumid_made_with_another_facilitys_key_is_refused(world: World) -> None:
    answer = world.query(PROFILE)
    content = world.codec.decode(answer["matches"][0]["vumID"])
    for key_id in ("k1", "k2"):  # the same key id as the real key, and another
        forger = VumIdCodec({key_id: new_key()}, key_id)
        _refused_400(world, PROFILE, forger.encode(content))
    # Content the facility never issued, under its own key, opens no other result set.
    stranger = VumIdContent(content.source, content.record_id, secrets.token_urlsafe(24))
    _refused_401(world, PROFILE, world.codec.encode(stranger))
    count("vumID attacks: forged vumIDs", 3)


def test_replay_beyond_the_ten_details_of_a_query_is_429(world: World) -> None:
    matches = world.query(PROFILE)["matches"]
    vum_id = matches[0]["vumID"]
    for _ in range(10):
        assert world.detail(PROFILE, vum_id).status_code == 200
    for replay in (vum_id, matches[1]["vumID"]):  # the same vumID, or another of the query
        response = world.detail(PROFILE, replay)
        assert response.status_code == 429
        assert response.json()["code"] == "429.01"
    count("vumID attacks: replays past the 10-detail limit", 2)


def test_a_result_set_past_retention_is_refused_before_any_purge(world: World) -> None:
    answer = world.query(PROFILE)
    content = world.codec.decode(answer["matches"][0]["vumID"])
    original = world.store.result_sets.get(answer["vraagID"])
    assert original is not None
    now = dt.datetime.now(dt.UTC)
    for age_days, status in ((6, 200), (8, 401)):  # VUM: result sets are kept 7 days
        vraag_id = secrets.token_urlsafe(24)
        world.store.result_sets.save(
            vraag_id,
            PROFILE.value,
            PARTY_A,
            now - dt.timedelta(days=age_days),
            original.matches,
            original.sources,
            0,
        )
        vum_id = world.codec.encode(VumIdContent(content.source, content.record_id, vraag_id))
        assert world.detail(PROFILE, vum_id).status_code == status, age_days
    count("vumID attacks: result sets past retention", 1)


def test_a_vumid_after_its_result_set_is_purged_is_refused(world: World) -> None:
    vum_id = world.query(PROFILE)["matches"][0]["vumID"]
    assert world.detail(PROFILE, vum_id).status_code == 200
    # The hourly purge job with a cut-off of now: every result set made before is gone.
    assert purge_expired(StoreResultSets(world.store), dt.timedelta(0)) >= 1
    _refused_401(world, PROFILE, vum_id)
    count("vumID attacks: used after the purge", 1)
