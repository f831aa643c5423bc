# SPDX-License-Identifier: EUPL-1.2
"""The publishing pages' repository on SQLite and PostgreSQL: mappings per party, held uploads per user, criteria use."""

from __future__ import annotations

import datetime as dt

from vum.store import Store
from vum.store.publishing import INVALID, PUBLISHED, PUBLISHING, VALID

A, B = "00000001002220647000", "00000001001589623000"


def test_mappings_are_saved_per_party_and_replaced_by_name(store: Store) -> None:
    repo = store.portal.publishing
    user = store.portal.users.add("bron@a.example", A, ["bronbeheerder"], None)
    first, created = repo.save_mapping(A, "werkzoekende", "Export", "columns: {a: b}", user.id)
    assert created
    again, created = repo.save_mapping(A, "werkzoekende", "Export", "columns: {c: d}", user.id)
    assert not created and again.id == first.id and again.text == "columns: {c: d}"
    repo.save_mapping(A, "vacature", "Export", "columns: {e: f}", None)
    assert [(m.kind, m.name) for m in repo.mappings(A)] == [
        ("vacature", "Export"),
        ("werkzoekende", "Export"),
    ]
    assert [m.kind for m in repo.mappings(A, "werkzoekende")] == ["werkzoekende"]
    assert repo.mappings(B) == []
    assert repo.mapping(first.id, B) is None
    assert not repo.delete_mapping(first.id, B)
    assert repo.delete_mapping(first.id, A)
    assert repo.mapping(first.id, A) is None


def test_an_upload_is_held_for_its_user_claimed_once_and_purged(store: Store) -> None:
    repo = store.portal.publishing
    user = store.portal.users.add("bron@a.example", A, ["bronbeheerder"], None)
    colleague = store.portal.users.add("collega@a.example", A, ["bronbeheerder"], None)
    other = store.portal.users.add("bron@b.example", B, ["bronbeheerder"], None)
    content = bytes(range(256)) * 10
    row = repo.add_upload(
        A,
        user.id,
        kind="werkzoekende",
        mode="replace",
        file_name="export.csv",
        content=content,
        mapping="columns: {}",
        mapping_name="Export",
        status=VALID,
        outcome={"records": 3, "problems": []},
    )
    assert row.content == b"" and row.outcome == {"records": 3, "problems": []}
    held = repo.upload(row.id, A, user.id, content=True)
    assert held is not None and held.content == content
    assert repo.upload(row.id, A, colleague.id) is None
    assert repo.upload(row.id, B, other.id) is None
    assert repo.claim(row.id, B, other.id) is None
    claimed = repo.claim(row.id, A, user.id)
    assert claimed is not None and claimed.status == PUBLISHING and claimed.content == content
    assert repo.claim(row.id, A, user.id) is None  # a second click
    repo.finish(row.id, status=PUBLISHED, outcome={"published": {"version": 1}}, keep_content=False)
    done = repo.upload(row.id, A, user.id, content=True)
    assert done is not None and done.status == PUBLISHED and done.content == b""
    assert done.published_at is not None
    assert [u.id for u in repo.recent_uploads(A, user.id)] == [row.id]
    bad = repo.add_upload(
        A,
        user.id,
        kind="vacature",
        mode="upsert",
        file_name="v.json",
        content=b"",
        mapping=None,
        mapping_name=None,
        status=INVALID,
        outcome={},
    )
    assert repo.claim(bad.id, A, user.id) is None
    assert repo.purge_uploads(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)) == 0
    assert repo.purge_uploads(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 2
    assert repo.upload(row.id, A, user.id) is None


def test_criteria_use_counts_field_names_over_every_partys_searches(store: Store) -> None:
    repo = store.portal.publishing
    anna = store.portal.users.add("anna@a.example", A, ["bemiddelaar"], None)
    bram = store.portal.users.add("bram@b.example", B, ["bemiddelaar"], None)
    forms = [
        (anna, {"postcode": ["1315AB"], "occupation": ["x", "y"], "licence": []}),
        (bram, {"postcode": ["9711AA"], "hours_min": ["24"], "text": [""]}),
        (bram, {"postcode": ["9711AA"], "occupation": ["z"]}),
    ]
    for user, form in forms:
        store.portal.searches.save(user.party, user.id, "werkzoekende", None, form, {}, {})
    store.portal.searches.save(A, anna.id, "vacature", None, {"postcode": ["1"]}, {}, {})
    total, used = repo.criteria_usage("werkzoekende")
    assert total == 3
    assert dict(used) == {"postcode": 3, "occupation": 2, "hours_min": 1}
    assert repo.criteria_usage("werkzoekende", limit=1)[0] == 1
