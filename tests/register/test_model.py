# SPDX-License-Identifier: EUPL-1.2
"""The register model: lookups, ISCO groups and their Dutch names, merging registers."""

from __future__ import annotations

from dataclasses import replace

import pytest

import vum.register
from vum.register.isco import is_valid_unit_group, isco_groups, isco_label
from vum.register.model import Occupation, Register, RegisterError, UnknownOccupationError


def occ(
    key: str, isco: str = "8344", label: str = "", source: str = "builtin", **kw: tuple[str, ...]
) -> Occupation:
    return Occupation(
        f"urn:{source}:{key}", key, label or key.title(), isco, isco[:3], source=source, **kw
    )


def test_lookup_by_uri_and_key(small_register: Register) -> None:
    uri = "https://data.openvum.nl/id/beroep/kok"
    kok = small_register.get(uri)
    assert kok is not None and kok.label == "Kok"
    assert small_register.by_key("kok") is kok
    assert small_register.require("kok") is kok
    assert small_register.get("urn:nope") is None
    assert uri in small_register


def test_require_unknown_raises_a_dutch_and_english_error(small_register: Register) -> None:
    with pytest.raises(UnknownOccupationError, match=r"Onbekend beroep.*unknown occupation"):
        small_register.require("urn:nope")


def test_len_and_iteration_keep_file_order(small_register: Register) -> None:
    assert len(small_register) == len(list(small_register)) == 28
    assert next(iter(small_register)).key == "heftruckchauffeur"


def test_isco_groups_are_ordered_by_code() -> None:
    register = Register([occ("b", "9112"), occ("a", "8344"), occ("c", "8344"), occ("d", "")])
    groups = register.isco_groups()
    assert list(groups) == ["8344", "9112"]
    assert [o.key for o in groups["8344"]] == ["a", "c"]


def test_isco_table_names_every_major_sub_major_and_minor_group() -> None:
    groups = isco_groups()
    assert [len([c for c in groups if len(c) == n]) for n in (1, 2, 3)] == [10, 43, 130]
    assert all(label.strip() for label in groups.values())
    assert isco_label("834") == "Bedieners van mobiele machines"
    assert isco_label("8344") == isco_label("834")  # a unit group is named by its minor group
    assert is_valid_unit_group("8344") and not is_valid_unit_group("8394")


def test_occupation_knows_its_broader_group_name(small_register: Register) -> None:
    heftruck = small_register.require("heftruckchauffeur")
    assert heftruck.broader == "834"
    assert heftruck.broader_label == "Bedieners van mobiele machines"


def test_duplicate_uri_or_key_is_refused() -> None:
    with pytest.raises(RegisterError):
        Register([occ("a"), occ("a")])


def test_merge_replace_uses_the_other_register_only() -> None:
    mine, official = Register([occ("a")]), Register([occ("x", source="esco")])
    assert [o.key for o in mine.merged(official, mode="replace")] == ["x"]


def test_merge_extend_adds_new_and_unites_synonyms_of_shared_uris() -> None:
    a = occ("a", synonyms=("een",))
    a_official = Occupation(
        a.uri, "a", "Ander label", "8344", "834", synonyms=("twee", "EEN"), source="esco"
    )
    b = occ("b", source="esco")
    clash = occ("c", source="skos", related_keys=("b",))  # same key as one of mine, other URI
    b = replace(b, related_keys=("c",))  # means the incoming "c", which gets renamed
    merged = Register([a, occ("c")]).merged(Register([a_official, b, clash]), mode="extend")
    assert [o.key for o in merged] == ["a", "c", "b", "skos-c"]
    assert merged.require("b").related_keys == ("skos-c",)
    assert merged.require("skos-c").related_keys == ("b",)
    first = merged.require("a")
    assert first.label == "A" and first.synonyms == ("een", "twee")
    assert merged.require("skos-c").uri == "urn:skos:c"


def test_merge_with_unknown_mode_fails() -> None:
    with pytest.raises(RegisterError):
        Register([]).merged(Register([]), mode="mix")  # type: ignore[arg-type]


def test_package_exports_the_public_api() -> None:
    for name in (
        "Occupation",
        "Register",
        "SearchHit",
        "Related",
        "load_builtin",
        "load_esco_csv",
        "load_skos",
    ):
        assert getattr(vum.register, name) is not None
    with pytest.raises(AttributeError):
        _ = vum.register.nope
