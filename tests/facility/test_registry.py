# SPDX-License-Identifier: EUPL-1.2
"""The party registry in the store: who may ask, who answers, config upserts, every change audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vum.facility.audit import StoreAuditLog
from vum.facility.fanout import SourceEndpoint
from vum.facility.identity import PartyInfo, may_ask
from vum.facility.registry import PartyNotFound, RegistryError, StoreRegistry
from vum.standard.kinds import Kind
from vum.store import PartyStatus, Store

MEDIATOR = "00000001111111111111"
PROCESSOR = "00000003333333333333"
SOURCE = "00000004444444444444"
TODAY = dt.date(2026, 3, 1)
SIGNED = dt.date(2025, 1, 1)
URL = "http://127.0.0.1:9/api/v3"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "vum.db") as opened:
        yield opened


@pytest.fixture
def registry(store: Store) -> StoreRegistry:
    return StoreRegistry(store, cache_s=0, today=lambda: TODAY)


def source_values(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Gemeente Almere",
        "roles": ["bron-werkzoekende", "bron-vacature"],
        "agreement_signed": SIGNED,
        "url": URL,
        "endpoint": "api",
        "timeout_s": 2.5,
        **extra,
    }


def test_an_active_signed_source_answers_for_its_kinds(registry: StoreRegistry) -> None:
    registry.add(SOURCE, source_values(roles=["bron-werkzoekende"]), by="beheerder")
    (endpoint,) = registry.sources_for(Kind.WERKZOEKENDE)
    assert endpoint == SourceEndpoint(
        SOURCE, "Gemeente Almere", URL, frozenset({Kind.WERKZOEKENDE}), 2.5, True
    )
    assert registry.sources_for(Kind.VACATURE) == []
    assert registry.source(SOURCE) == endpoint
    assert registry.source(MEDIATOR) is None


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"status": "suspended"}, "suspended"),
        ({"status": "ended"}, "ended"),
        ({"agreement_signed": None}, "not signed"),
        ({"agreement_signed": dt.date(2026, 6, 1)}, "signed only from a later date"),
        ({"roles": ["bemiddelaar"]}, "no source role"),
        ({"url": None, "endpoint": None}, "no endpoint"),
    ],
)
def test_a_party_that_may_not_answer_is_no_source(
    registry: StoreRegistry, change: dict[str, Any], why: str
) -> None:
    registry.add(SOURCE, source_values(**change), by="beheerder")
    assert registry.sources_for(Kind.WERKZOEKENDE) == [], why
    assert registry.source(SOURCE) is None, why


def test_the_default_timeout_applies_when_a_source_has_none(store: Store) -> None:
    registry = StoreRegistry(store, cache_s=0, default_timeout_s=4.0, today=lambda: TODAY)
    registry.add(SOURCE, source_values(timeout_s=None, endpoint="hosted"), by="b")
    (endpoint,) = registry.sources_for(Kind.VACATURE)
    assert endpoint.timeout_s == 4.0 and endpoint.base_url == URL


def test_party_info_decides_who_may_ask(registry: StoreRegistry) -> None:
    registry.add(
        MEDIATOR,
        {
            "name": "Gemeente Utrecht",
            "roles": ["bemiddelaar"],
            "suwi": True,
            "processors": [PROCESSOR],
            "agreement_signed": SIGNED,
        },
        by="b",
    )
    info = registry.party(MEDIATOR)
    assert info == PartyInfo(
        MEDIATOR,
        "Gemeente Utrecht",
        frozenset({"bemiddelaar"}),
        True,
        frozenset({PROCESSOR}),
        SIGNED,
        True,
    )
    assert may_ask(info, PROCESSOR, TODAY) and may_ask(info, MEDIATOR, TODAY)
    assert not may_ask(info, SOURCE, TODAY)  # not a processor it named
    registry.suspend(MEDIATOR, by="b")
    suspended = registry.party(MEDIATOR)
    assert suspended is not None and not suspended.active
    assert not may_ask(suspended, MEDIATOR, TODAY)
    registry.activate(MEDIATOR, by="b")
    registry.update(MEDIATOR, {"agreement_signed": None}, by="b")
    assert not may_ask(registry.party(MEDIATOR), MEDIATOR, TODAY)
    registry.update(MEDIATOR, {"agreement_signed": SIGNED, "roles": ["bron-vacature"]}, by="b")
    assert not may_ask(registry.party(MEDIATOR), MEDIATOR, TODAY)  # no longer a mediator
    assert registry.party(SOURCE) is None


@pytest.mark.parametrize(
    ("oin", "values", "message"),
    [
        ("123", {"name": "x"}, "20 cijfers"),
        (SOURCE, {"name": ""}, "naam"),
        (SOURCE, {"roles": ["bron"]}, "onbekende rol"),
        (SOURCE, {"name": "x", "processors": ["abc"]}, "20 cijfers"),
        (SOURCE, {"name": "x", "url": "ftp://host/api"}, "ongeldige URL"),
        (SOURCE, {"name": "x", "timeout_s": 0}, "timeout"),
        (SOURCE, {"name": "x", "endpoint": "upload"}, "endpoint"),
        (SOURCE, {"name": "x", "agreement_signed": "1 januari"}, "JJJJ-MM-DD"),
    ],
)
def test_invalid_values_are_refused(
    registry: StoreRegistry, oin: str, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(RegistryError, match=message):
        registry.add(oin, values, by="b")
    assert registry.list_parties() == []


def test_unknown_and_duplicate_parties_are_refused(registry: StoreRegistry) -> None:
    with pytest.raises(PartyNotFound):
        registry.suspend(SOURCE, by="b")
    registry.add(SOURCE, {"name": "x"}, by="b")
    with pytest.raises(RegistryError, match="bestaat al"):
        registry.add(SOURCE, {"name": "y"}, by="b")


def test_every_change_is_audited_with_who_made_it(store: Store, registry: StoreRegistry) -> None:
    registry.add(SOURCE, source_values(), by="a.admin")
    registry.update(SOURCE, {"name": "Gemeente Almere (bron)", "timeout_s": 3}, by="b.beheer")
    registry.update(SOURCE, {"timeout_s": 3.0}, by="b.beheer")  # no change: no record
    registry.suspend(SOURCE, by="c.ciso")
    registry.suspend(SOURCE, by="c.ciso")  # already suspended: no record
    registry.activate(SOURCE, by="d.dev")
    registry.end(SOURCE, by="e.eind")
    rows = list(store.audit.iter_rows())
    assert [(r.operation, r.user, r.party) for r in rows] == [
        ("party.add", "a.admin", SOURCE),
        ("party.update", "b.beheer", SOURCE),
        ("party.suspend", "c.ciso", SOURCE),
        ("party.activate", "d.dev", SOURCE),
        ("party.end", "e.eind", SOURCE),
    ]
    assert rows[0].details["new"]["url"] == URL
    assert rows[1].details["changes"] == {
        "name": {"old": "Gemeente Almere", "new": "Gemeente Almere (bron)"},
        "timeout_s": {"old": 2.5, "new": 3.0},
    }
    assert rows[2].details["changes"]["status"] == {"old": "active", "new": "suspended"}
    assert StoreAuditLog(store).verify().ok


def test_a_refused_change_leaves_neither_change_nor_record(
    store: Store, registry: StoreRegistry
) -> None:
    registry.add(SOURCE, source_values(), by="a")
    with pytest.raises(RegistryError):
        registry.update(SOURCE, {"url": "not a url"}, by="a")
    row = registry.get(SOURCE)
    assert row is not None and row.url == URL
    assert store.audit.count() == 1


def test_a_change_and_its_record_commit_together(
    store: Store, registry: StoreRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.add(SOURCE, source_values(), by="a")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    # The record cannot be written: the suspension, already executed, is rolled back with it.
    monkeypatch.setattr(store.audit, "append", broken)
    with pytest.raises(OSError):
        registry.suspend(SOURCE, by="a")
    row = registry.get(SOURCE)
    assert row is not None and row.status is PartyStatus.ACTIVE


def test_reads_are_cached_for_a_moment(store: Store) -> None:
    cached = StoreRegistry(store, cache_s=60, today=lambda: TODAY)
    assert cached.party(SOURCE) is None
    StoreRegistry(store).add(SOURCE, {"name": "x"}, by="elders")  # another process, say
    assert cached.party(SOURCE) is None
    cached.suspend(SOURCE, by="hier")  # own changes are seen at once
    info = cached.party(SOURCE)
    assert info is not None and not info.active


def test_config_parties_and_sources_are_upserted(store: Store, registry: StoreRegistry) -> None:
    parties = [
        PartyInfo(MEDIATOR, "Utrecht", frozenset({"bemiddelaar"}), True, frozenset(), SIGNED),
        PartyInfo(SOURCE, "Almere", frozenset({"bemiddelaar"}), agreement_signed=SIGNED),
    ]
    sources = [SourceEndpoint(SOURCE, "Almere bron", URL, frozenset({Kind.VACATURE}), 2.0)]
    assert registry.apply_config(parties, sources, by="config") == [MEDIATOR, SOURCE]
    almere = registry.get(SOURCE)
    assert almere is not None and almere.name == "Almere"
    assert almere.roles == ("bemiddelaar", "bron-vacature") and almere.timeout_s == 2.0
    assert [s.oin for s in registry.sources_for(Kind.VACATURE)] == [SOURCE]
    # Unchanged config: nothing written. A suspension here survives a restart with the config.
    assert registry.apply_config(parties, sources, by="config") == []
    registry.suspend(SOURCE, by="beheerder")
    assert registry.apply_config(parties, sources, by="config") == []
    assert registry.sources_for(Kind.VACATURE) == []
    # The config may suspend (active = false) and disable a source (enabled = false).
    inactive = [PartyInfo(MEDIATOR, "Utrecht", frozenset({"bemiddelaar"}), True, active=False)]
    disabled = [SourceEndpoint(SOURCE, "Almere", URL, frozenset({Kind.VACATURE}), enabled=False)]
    assert registry.apply_config(inactive, disabled, by="config") == [MEDIATOR, SOURCE]
    utrecht, almere = registry.get(MEDIATOR), registry.get(SOURCE)
    assert utrecht is not None and utrecht.status is PartyStatus.SUSPENDED
    assert utrecht.agreement_signed is None
    assert almere is not None and almere.url is None
    assert {r.user for r in store.audit.iter_rows()} == {"config", "beheerder"}
