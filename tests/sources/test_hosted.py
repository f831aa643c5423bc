# SPDX-License-Identifier: EUPL-1.2
"""HostedSources: imports checked whole, versions made live atomically, upsert, rollback, restart, engines."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from vum.sources import (
    DatasetNotFound,
    HostedSources,
    ImportConflict,
    ImportRejected,
    InvalidParty,
    NoPreviousVersion,
)
from vum.sources.cache import EngineCache
from vum.sources.importer import owner_is_gone, owner_tag
from vum.standard.kinds import Kind
from vum.standard.query import parse_query
from vum.store import Store, VersionStatus
from vum.store.schema import dataset_versions

from .conftest import OTHER_PARTY, PARTY


def _query(postcode: str, km: int = 25) -> Any:
    return parse_query(Kind.WERKZOEKENDE, {"selectiegebied": {"postcode": postcode, "afstand": km}})


def _ids(records: list[dict[str, Any]], kind: Kind = Kind.WERKZOEKENDE) -> set[str]:
    return {r[kind.id_field] for r in records}


@pytest.mark.shared
def test_shared_profiles_import_then_a_broken_file_is_refused_and_the_1000_stay_live(
    sources: HostedSources, testdata_profiles: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = sources.import_records(PARTY, Kind.WERKZOEKENDE, testdata_profiles)
    assert result.records == result.added == 1000
    assert result.version.status is VersionStatus.LIVE

    broken = copy.deepcopy(testdata_profiles)
    broken[7]["mobiliteit"]["bemiddelingspostcode"] = "12345"
    path = tmp_path / "profielen.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        sources.import_file(PARTY, Kind.WERKZOEKENDE, path)
    [problem] = refused.value.problems
    assert problem.index == 7
    assert problem.pointer == "/7/mobiliteit/bemiddelingspostcode"
    assert problem.record_id == broken[7]["idWerkzoekende"]
    assert "postcode als 1234AB" in problem.message_nl
    assert str(problem).startswith("record 7 (/7/mobiliteit/bemiddelingspostcode): ")

    info = sources.dataset(PARTY, Kind.WERKZOEKENDE)
    assert info.live is not None and info.live.number == 1 and info.record_count == 1000
    assert [v.status for v in sources.versions(PARTY, "werkzoekende")] == [VersionStatus.LIVE]
    engine = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None and len(engine) == 1000
    first = testdata_profiles[0]
    found = engine.search(_query(first["mobiliteit"]["bemiddelingspostcode"], 5))
    assert first["idWerkzoekende"] in {hit.record_id for hit in found.hits}
    assert engine.detail(first["idWerkzoekende"]) is not None


def test_every_invalid_record_is_reported_not_just_the_first(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    records = copy.deepcopy(profiles[:20])
    records[3]["werktijden"] = {"aantalWerkurenPerWeekMinimaal": "24"}
    records[11]["onbekendVeld"] = 1
    records[15]["idWerkzoekende"] = records[2]["idWerkzoekende"]
    del records[18]["idWerkzoekende"]
    with pytest.raises(ImportRejected) as refused:
        sources.import_records(PARTY, Kind.WERKZOEKENDE, records)
    by_index = {p.index: p for p in refused.value.problems}
    assert set(by_index) == {3, 11, 15, 18}
    assert by_index[3].pointer == "/3/werktijden/aantalWerkurenPerWeekMinimaal"
    assert by_index[11].code == "extra_forbidden"
    assert by_index[15].code == "duplicate_id" and "record 2" in by_index[15].message_nl
    assert by_index[18].pointer == "/18/idWerkzoekende"
    assert sources.dataset(PARTY, Kind.WERKZOEKENDE).live is None
    assert sources.engine(PARTY, Kind.WERKZOEKENDE) is None


def test_an_empty_replace_is_refused_because_it_would_wipe_the_live_data(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:10])
    with pytest.raises(ImportRejected, match="geen records"):
        sources.import_records(PARTY, Kind.WERKZOEKENDE, [])
    assert sources.dataset(PARTY, Kind.WERKZOEKENDE).record_count == 10


def test_upsert_replaces_by_id_adds_new_and_deletes_listed_ids(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:100])
    changed = copy.deepcopy(profiles[0])
    changed["persoonlijkePresentatie"] = "Bijgewerkt profiel."
    gone = [profiles[1]["idWerkzoekende"], profiles[2]["idWerkzoekende"], "bestaat-niet"]

    result = sources.import_records(
        PARTY,
        Kind.WERKZOEKENDE,
        [changed, *profiles[100:105]],
        mode="upsert",
        delete_ids=gone,
    )
    assert (result.added, result.updated, result.removed) == (5, 1, 2)
    assert result.records == 103
    assert any("bestaat-niet" in w for w in result.warnings)

    engine = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None and len(engine) == 103
    detail = engine.detail(changed["idWerkzoekende"])
    assert detail is not None and detail["persoonlijkePresentatie"] == "Bijgewerkt profiel."
    assert engine.detail(gone[0]) is None
    assert engine.detail(profiles[104]["idWerkzoekende"]) is not None


def test_upsert_refuses_an_id_that_is_both_sent_and_deleted(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:5])
    record_id = profiles[0]["idWerkzoekende"]
    with pytest.raises(ImportRejected) as refused:
        sources.import_records(
            PARTY, Kind.WERKZOEKENDE, profiles[:1], mode="upsert", delete_ids=[record_id]
        )
    assert refused.value.problems[0].code == "conflict"
    with pytest.raises(ValueError, match="upsert"):
        sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:1], delete_ids=[record_id])


def test_rollback_swaps_live_and_previous_and_back(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    with pytest.raises(NoPreviousVersion):
        sources.rollback(PARTY, Kind.WERKZOEKENDE)
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:50])
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[50:80])
    assert len(sources.engine(PARTY, Kind.WERKZOEKENDE) or []) == 30

    info = sources.rollback(PARTY, Kind.WERKZOEKENDE)
    assert info.live is not None and info.live.number == 1 and info.record_count == 50
    assert info.previous is not None and info.previous.number == 2
    engine = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None and len(engine) == 50

    again = sources.rollback(PARTY, Kind.WERKZOEKENDE)
    assert again.live is not None and again.live.number == 2


def test_only_one_previous_version_is_kept(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    for start in (0, 10, 20, 30):
        sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[start : start + 10])
    statuses = [(v.number, v.status) for v in sources.versions(PARTY, Kind.WERKZOEKENDE)]
    assert statuses == [(4, VersionStatus.LIVE), (3, VersionStatus.PREVIOUS)]


def test_data_survives_a_restart_on_the_same_file(
    db_path: Path, profiles: list[dict[str, Any]], vacancies: list[dict[str, Any]]
) -> None:
    with Store(db_path) as store:
        first = HostedSources(store)
        first.import_records(PARTY, Kind.WERKZOEKENDE, profiles)
        first.import_records(PARTY, Kind.VACATURE, vacancies)
        first.import_records(OTHER_PARTY, Kind.WERKZOEKENDE, profiles[:10])
    with Store(db_path) as store:
        again = HostedSources(store)
        assert again.recovered == []
        keys = [(d.party, d.kind, d.record_count) for d in again.datasets()]
        assert keys == [
            (PARTY, Kind.VACATURE, 100),
            (PARTY, Kind.WERKZOEKENDE, 200),
            (OTHER_PARTY, Kind.WERKZOEKENDE, 10),
        ]
        engine = again.engine(PARTY, Kind.WERKZOEKENDE)
        assert engine is not None and len(engine) == 200
        assert all(engine.detail(i) is not None for i in _ids(profiles))
        vacancy_engine = again.engine(PARTY, Kind.VACATURE)
        assert vacancy_engine is not None
        assert vacancy_engine.detail(vacancies[0]["idVacature"]) == vacancies[0]


def test_the_engine_follows_an_import_made_by_another_process(
    db_path: Path, profiles: list[dict[str, Any]]
) -> None:
    with Store(db_path) as store_a, Store(db_path) as store_b:
        server = HostedSources(store_a, recheck_seconds=0)
        importer = HostedSources(store_b)
        importer.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:20])
        first = server.engine(PARTY, Kind.WERKZOEKENDE)
        assert first is not None and len(first) == 20
        assert server.engine(PARTY, Kind.WERKZOEKENDE) is first  # same version: same engine
        importer.import_records(PARTY, Kind.WERKZOEKENDE, profiles[20:50])
        second = server.engine(PARTY, Kind.WERKZOEKENDE)
        assert second is not None and second is not first and len(second) == 30


def test_the_live_version_is_checked_at_most_once_per_second(
    store: Store, profiles: list[dict[str, Any]]
) -> None:
    now = [100.0]
    built: list[int] = []

    def factory(kind: Kind, records: Any) -> Any:
        from vum.matching import build_engine

        built.append(len(records))
        return build_engine(kind, records)

    cache = EngineCache(store, factory=factory, clock=lambda: now[0])
    sources = HostedSources(store)
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:5])
    assert cache.get(PARTY, Kind.WERKZOEKENDE) is not None
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:7])
    now[0] += 0.5
    engine = cache.get(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None and len(engine) == 5  # not looked at yet
    now[0] += 0.6
    engine = cache.get(PARTY, Kind.WERKZOEKENDE)
    assert engine is not None and len(engine) == 7
    assert built == [5, 7]


def test_quality_is_stored_with_the_version(
    sources: HostedSources, profiles: list[dict[str, Any]]
) -> None:
    with pytest.raises(DatasetNotFound):
        sources.quality(PARTY, Kind.WERKZOEKENDE)
    result = sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles)
    report = sources.quality(PARTY, Kind.WERKZOEKENDE)
    assert report["records"] == 200 and report["score"] == result.score
    json.dumps(report)


@pytest.mark.parametrize("party", ["123", "0000000123456789000A", " ", "000000012345678900001"])
def test_a_party_must_be_a_20_digit_oin(
    sources: HostedSources, profiles: list[dict[str, Any]], party: str
) -> None:
    with pytest.raises(InvalidParty, match="20 cijfers"):
        sources.import_records(party, Kind.WERKZOEKENDE, profiles[:1])
    with pytest.raises(InvalidParty):
        sources.engine(party, Kind.WERKZOEKENDE)


def test_parties_and_kinds_are_separate_datasets(
    sources: HostedSources, profiles: list[dict[str, Any]], vacancies: list[dict[str, Any]]
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:3])
    sources.import_records(PARTY, "vacature", vacancies[:4])
    sources.import_records(OTHER_PARTY, Kind.WERKZOEKENDE, profiles[3:8])
    sizes = {(d.party, d.kind): d.record_count for d in sources.datasets()}
    assert sizes == {
        (PARTY, Kind.WERKZOEKENDE): 3,
        (PARTY, Kind.VACATURE): 4,
        (OTHER_PARTY, Kind.WERKZOEKENDE): 5,
    }
    assert sources.engine(OTHER_PARTY, Kind.VACATURE) is None


def test_an_upsert_overtaken_by_another_import_is_refused_and_cleaned_up(
    sources: HostedSources, store: Store, profiles: list[dict[str, Any]], monkeypatch: Any
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:10])
    other = HostedSources(store)
    original = store.datasets.copy_records

    def overtaken(source_version_id: int, target_version_id: int) -> int:
        # Another process makes a new version live while this upsert is being staged.
        monkeypatch.setattr(store.datasets, "copy_records", original)
        other.import_records(PARTY, Kind.WERKZOEKENDE, profiles[20:25])
        return original(source_version_id, target_version_id)

    monkeypatch.setattr(store.datasets, "copy_records", overtaken)
    with pytest.raises(ImportConflict, match="andere import"):
        sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[10:12], mode="upsert")
    info = sources.dataset(PARTY, Kind.WERKZOEKENDE)
    assert info.live is not None and info.record_count == 5  # the other import's data
    failed = [v for v in sources.versions(PARTY, Kind.WERKZOEKENDE) if v.status == "failed"]
    assert len(failed) == 1 and store.datasets.count_records(failed[0].id) == 0


def test_records_are_checked_in_parts_and_problems_keep_their_place(
    sources: HostedSources, profiles: list[dict[str, Any]], monkeypatch: Any
) -> None:
    from vum.sources import checking

    monkeypatch.setattr(checking, "CHUNK", 60)
    broken = copy.deepcopy(profiles)
    broken[130]["werktijden"] = {"aantalWerkurenPerWeekMinimaal": 100}
    broken[190]["idWerkzoekende"] = broken[5]["idWerkzoekende"]
    with pytest.raises(ImportRejected) as refused:
        sources.import_records(PARTY, Kind.WERKZOEKENDE, broken)
    assert [(p.index, p.pointer) for p in refused.value.problems] == [
        (130, "/130/werktijden/aantalWerkurenPerWeekMinimaal"),
        (190, "/190/idWerkzoekende"),
    ]
    assert "record 5" in refused.value.problems[1].message_nl


@pytest.mark.slow
def test_big_uploads_can_be_checked_on_a_process_pool(
    profiles: list[dict[str, Any]], monkeypatch: Any
) -> None:
    from vum.sources import checking

    monkeypatch.setattr(checking, "PARALLEL_FROM", 50)
    monkeypatch.setattr(checking, "CHUNK", 60)
    pooled = checking.check_records(Kind.WERKZOEKENDE, profiles, workers=2)
    serial = checking.check_records(Kind.WERKZOEKENDE, profiles, workers=1)
    assert pooled.records == serial.records and len(pooled.records) == 200
    assert pooled.quality.report() == serial.quality.report()


def test_a_staging_version_counts_as_abandoned_only_when_its_process_is_gone() -> None:
    host = socket.gethostname()
    assert owner_tag() == f"{host}:{os.getpid()}"
    assert not owner_is_gone(owner_tag())  # this very process
    assert not owner_is_gone(f"{host}:1")  # init runs
    assert not owner_is_gone("another-host:123")  # only a stale heartbeat tells
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert owner_is_gone(f"{host}:{dead.pid}")


@pytest.mark.parametrize("stored_counts", [True, False])
def test_an_upsert_ends_with_the_quality_and_checksum_of_its_full_content(
    sources: HostedSources, store: Store, profiles: list[dict[str, Any]], stored_counts: bool
) -> None:
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:120])
    if not stored_counts:  # a base version from before the counts were stored: read it whole
        with store.write() as conn:
            conn.execute(dataset_versions.update().values(quality=None, checksum=""))
    changed = copy.deepcopy(profiles[3])
    changed.pop("bemiddelingsberoep", None)
    deleted = [profiles[7]["idWerkzoekende"], profiles[8]["idWerkzoekende"]]
    upsert = sources.import_records(
        PARTY,
        Kind.WERKZOEKENDE,
        [changed, *profiles[120:130]],
        mode="upsert",
        delete_ids=deleted,
    )
    final = [
        changed if p is profiles[3] else p
        for p in profiles[:130]
        if p["idWerkzoekende"] not in deleted
    ]
    whole = sources.import_records(OTHER_PARTY, Kind.WERKZOEKENDE, final)
    assert upsert.records == whole.records == 128
    assert upsert.version.quality == whole.version.quality
    assert upsert.version.checksum == whole.version.checksum


def test_a_background_rebuild_keeps_answering_from_the_previous_version(
    store: Store, profiles: list[dict[str, Any]]
) -> None:
    release = threading.Event()
    built: list[int] = []

    def slow_factory(kind: Kind, records: Any) -> Any:
        from vum.matching import build_engine

        if built:  # the first build (at start) is quick; the rebuild waits for the test
            assert release.wait(30)
        built.append(len(records))
        return build_engine(kind, records)

    sources = HostedSources(store, engine_factory=slow_factory, rebuild_in_background=True)
    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[:10])
    first = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert first is not None and len(first) == 10

    sources.import_records(PARTY, Kind.WERKZOEKENDE, profiles[10:40])
    assert sources.engine(PARTY, Kind.WERKZOEKENDE) is first  # answered at once, from v1
    assert sources.engine(PARTY, Kind.WERKZOEKENDE) is first
    release.set()
    sources.wait_for_rebuilds(30)
    second = sources.engine(PARTY, Kind.WERKZOEKENDE)
    assert second is not None and len(second) == 30
    assert built == [10, 30]
