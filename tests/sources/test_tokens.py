# SPDX-License-Identifier: EUPL-1.2
"""Party API tokens: shown once, stored as argon2 hashes, bound to one party, revocable."""

from __future__ import annotations

import pytest

from vum.sources import HostedSources, InvalidParty
from vum.store import Store

from .conftest import OTHER_PARTY, PARTY


def test_a_token_verifies_for_its_party_only_until_revoked(
    sources: HostedSources, store: Store
) -> None:
    token = sources.create_token(PARTY, "koppeling Suite")
    other = sources.create_token(PARTY, "tweede")
    assert sources.verify_token(PARTY, token)
    assert sources.verify_token(PARTY, other)
    assert not sources.verify_token(OTHER_PARTY, token)
    assert not sources.verify_token(PARTY, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not sources.verify_token(PARTY, "vum_0123456789abcdef_verzonnen")
    assert not sources.verify_token(PARTY, "")
    assert not sources.verify_token("geen-oin", token)

    assert sources.revoke_token(PARTY, label="koppeling Suite") == 1
    assert not sources.verify_token(PARTY, token)
    assert sources.verify_token(PARTY, other)
    assert sources.revoke_token(PARTY, key=other) == 1  # the whole token names its key
    assert not sources.verify_token(PARTY, other)
    assert sources.revoke_token(PARTY, key=other) == 0


def test_the_store_holds_hashes_never_tokens(sources: HostedSources, store: Store) -> None:
    tokens = [sources.create_token(PARTY, f"t{i}") for i in range(3)]
    rows = store.tokens.list(PARTY)
    assert len(rows) == 3
    for token, row in zip(tokens, rows, strict=True):
        assert row.token_hash != token
        assert token not in row.token_hash
        assert row.token_hash.startswith("$argon2")
        assert token.startswith(f"vum_{row.key}_")
        assert "token_hash" not in row.as_dict()
    assert len(set(tokens)) == 3


def test_tokens_need_a_valid_party_and_revocation_a_key_or_label(sources: HostedSources) -> None:
    with pytest.raises(InvalidParty):
        sources.create_token("123", "x")
    with pytest.raises(ValueError):
        sources.revoke_token(PARTY)
