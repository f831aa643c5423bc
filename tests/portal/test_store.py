# SPDX-License-Identifier: EUPL-1.2
"""The portal's tables on SQLite and PostgreSQL: accounts, throttling, searches, saved searches, shortlists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vum.store import Store
from vum.store.portal import UserExists

A, B = "00000001000000000001", "00000001000000000002"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def users(store: Store) -> tuple[int, int, int]:
    add = store.portal.users.add
    anna = add("Anna@Almere.example", A, ["bemiddelaar"], "hash-a", name="Anna")
    ali = add("ali@almere.example", A, ["bemiddelaar"], "hash-b")
    bram = add("bram@groningen.example", B, ["bemiddelaar", "privacy"], None)
    return anna.id, ali.id, bram.id


def test_accounts_by_email_case_blind_unique_and_disabled_with_their_sessions(
    store: Store,
) -> None:
    anna, _, bram = users(store)
    repo = store.portal.users
    found = repo.by_email(" ANNA@almere.example ")
    assert found is not None and found.id == anna and found.email == "anna@almere.example"
    assert found.roles == ("bemiddelaar",) and found.active and found.session_epoch == 0
    assert len(found.pseudonym) == 32 and found.pseudonym != repo.get(bram).pseudonym  # type: ignore[union-attr]
    with pytest.raises(UserExists):
        repo.add("anna@ALMERE.example", B, ["beheerder"], None)
    assert [u.email for u in repo.list(A)] == ["ali@almere.example", "anna@almere.example"]
    assert "hash" not in str(found.as_dict())
    assert repo.set_active("anna@almere.example", False)
    disabled = repo.get(anna)
    assert disabled is not None and not disabled.active and disabled.session_epoch == 1
    repo.end_sessions(anna)
    assert repo.set_password("anna@almere.example", "new-hash")
    again = repo.get(anna)
    assert again is not None and again.session_epoch == 3 and again.password_hash == "new-hash"
    assert not repo.set_active("nobody@x.example", True)


def test_failed_logins_lock_after_the_limit_within_the_window(store: Store) -> None:
    throttle = store.portal.throttle
    rules: dict[str, Any] = {"window": 15 * MINUTE, "lockout": 15 * MINUTE, "limit": 3}
    assert throttle.failure("k", NOW, **rules) is None
    # Past the window the count starts again.
    assert throttle.failure("k", NOW + 16 * MINUTE, **rules) is None
    assert throttle.failure("k", NOW + 17 * MINUTE, **rules) is None
    lock = throttle.failure("k", NOW + 18 * MINUTE, **rules)
    assert lock == NOW + 33 * MINUTE
    assert throttle.locked_until(["other", "k"], NOW + 20 * MINUTE) == lock
    assert throttle.locked_until(["k"], NOW + 34 * MINUTE) is None
    throttle.failure("j", NOW, **rules)
    throttle.clear("j")
    assert throttle.failure("j", NOW, **rules) is None  # counted from zero again


def test_searches_belong_to_their_user_and_party_and_are_purged_with_their_details(
    store: Store,
) -> None:
    anna, ali, bram = users(store)
    searches = store.portal.searches
    answer = {"matches": [{"vumID": "v1"}], "ranking": [{"bron": A}], "bronnen": []}
    old = searches.save(
        A,
        anna,
        "werkzoekende",
        "q1",
        {"kind": ["werkzoekende"]},
        {},
        answer,
        created_at=NOW - dt.timedelta(days=8),
    )
    new = searches.save(A, anna, "vacature", "q2", {}, {}, answer, created_at=NOW)
    assert searches.get(old.id, A, anna) == old
    assert searches.get(old.id, A, ali) is None and searches.get(old.id, B, bram) is None
    assert [s.id for s in searches.recent(A, anna)] == [new.id, old.id]
    searches.save_detail(old.id, 0, anna, {"bronID": A, "werkzoekende": {}})
    searches.save_detail(old.id, 0, anna, {"other": True})  # the first one stays
    assert searches.detail(old.id, 0) == {"bronID": A, "werkzoekende": {}}
    assert searches.opened(old.id) == {0}
    searches.set_details_used(old.id, 3)
    searches.set_details_used(old.id, 2)  # never lowered
    assert searches.get(old.id, A, anna).details_used == 3  # type: ignore[union-attr]
    item, _ = store.portal.shortlists.add_item(
        A,
        anna,
        kind="werkzoekende",
        label="Heftruckchauffeur",
        source=A,
        fingerprint="f" * 64,
        form={},
        search_id=old.id,
        position=0,
        status="nieuw",
    )
    assert searches.purge(NOW - dt.timedelta(days=7)) == 1
    assert searches.get(old.id, A, anna) is None and searches.detail(old.id, 0) is None
    # The shortlist item outlives its search, without the link to it.
    kept = store.portal.shortlists.item(item.id, A, anna)
    assert kept is not None and kept.search_id is None and kept.label == "Heftruckchauffeur"


def test_saved_searches_are_the_users_own(store: Store) -> None:
    anna, ali, _ = users(store)
    saved = store.portal.saved
    row = saved.add(A, anna, "Heftruck Almere", "werkzoekende", {"postcode": ["1315AB"]})
    assert saved.get(row.id, A, anna) == row and saved.get(row.id, A, ali) is None
    assert saved.list(A, ali) == [] and [r.name for r in saved.list(A, anna)] == ["Heftruck Almere"]
    saved.ran(row.id)
    assert saved.get(row.id, A, anna).last_run_at is not None  # type: ignore[union-attr]
    assert not saved.delete(row.id, A, ali)
    assert saved.delete(row.id, A, anna) and saved.list(A, anna) == []


def test_a_shortlist_keeps_a_record_once_and_only_its_owner_changes_it(store: Store) -> None:
    anna, ali, bram = users(store)
    lists = store.portal.shortlists
    common: dict[str, Any] = {
        "kind": "vacature",
        "label": "Heftruckchauffeur · Almere",
        "source": A,
        "form": {"kind": ["vacature"]},
        "search_id": None,
        "position": None,
        "status": "nieuw",
    }
    first, created = lists.add_item(A, anna, fingerprint="a" * 64, note="eerste", **common)
    same, again = lists.add_item(A, anna, fingerprint="a" * 64, note="tweede", **common)
    assert created and not again and same.id == first.id and same.note == "eerste"
    other, _ = lists.add_item(A, ali, fingerprint="a" * 64, **common)
    assert other.id != first.id  # Ali keeps it on his own list
    assert [i.id for i in lists.items(A, anna)] == [first.id]
    assert lists.item(first.id, A, ali) is None and lists.item(first.id, B, bram) is None
    assert not lists.update_item(first.id, B, bram, note="van Bram")
    assert not lists.delete_item(first.id, A, ali)
    assert lists.update_item(first.id, A, anna, note="belt terug", status="benaderd")
    changed = lists.item(first.id, A, anna)
    assert changed is not None and (changed.note, changed.status) == ("belt terug", "benaderd")
    assert lists.delete_item(first.id, A, anna) and lists.items(A, anna) == []
    assert lists.default(A, anna).id == lists.default(A, anna).id
