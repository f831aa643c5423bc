# SPDX-License-Identifier: EUPL-1.2
"""Related occupations: curated career steps first and symmetric, then ISCO groups and shared skills."""

from __future__ import annotations

import pytest

from vum.register.model import Occupation, Register, UnknownOccupationError


def uri(key: str) -> str:
    return f"https://data.openvum.nl/id/beroep/{key}"


def test_curated_links_come_first(small_register: Register) -> None:
    related = small_register.related(uri("heftruckchauffeur"))
    assert [r.occupation.key for r in related[:2]] == ["magazijnmedewerker", "orderpicker"]
    assert all(r.reason.startswith("loopbaanstap") for r in related[:2])
    assert related[0].strength > related[2].strength


def test_curated_links_are_symmetric(small_register: Register) -> None:
    # The heftruckchauffeur row lists orderpicker; the orderpicker row lists nothing, yet
    # orderpicker must see heftruckchauffeur as a career step.
    related = small_register.related(uri("orderpicker"))
    assert related[0].occupation.key == "heftruckchauffeur"
    assert related[0].reason.startswith("loopbaanstap")


def test_strengths_are_between_0_and_1_and_descending(small_register: Register) -> None:
    for occ in small_register:
        strengths = [r.strength for r in small_register.related(occ.uri, limit=50)]
        assert strengths == sorted(strengths, reverse=True)
        assert all(0 < s <= 1 for s in strengths)
        assert occ.uri not in {r.occupation.uri for r in small_register.related(occ.uri, limit=50)}


def test_shared_skills_are_named_in_the_reason(small_register: Register) -> None:
    related = {
        r.occupation.key: r for r in small_register.related(uri("heftruckchauffeur"), limit=20)
    }
    assert "gedeelde vaardigheden: heftruck" in related["heftruckmonteur"].reason


def test_same_unit_group_beats_same_minor_group_beats_skills_only() -> None:
    def occ(key: str, isco: str, skills: tuple[str, ...] = ()) -> Occupation:
        return Occupation(uri(key), key, key.title(), isco, isco[:3], skills=skills)

    register = Register(
        [
            occ("a", "8344", ("heftruck", "magazijn")),
            occ("same-unit", "8344"),
            occ("same-minor", "8343"),
            occ("skills", "9333", ("Heftruck", "magazijn")),
            occ("nothing", "2512"),
        ]
    )
    related = register.related(uri("a"))
    assert [r.occupation.key for r in related] == ["same-unit", "same-minor", "skills"]
    assert related[0].reason == "zelfde beroepsgroep (ISCO 8344)"
    assert related[1].reason == "verwante beroepsgroep (ISCO 834)"
    assert related[2].reason == "gedeelde vaardigheden: heftruck, magazijn"
    assert related[2].strength == pytest.approx(0.35)


def test_limit_is_respected(small_register: Register) -> None:
    assert len(small_register.related(uri("heftruckchauffeur"), limit=1)) == 1
    assert small_register.related(uri("heftruckchauffeur"), limit=0) == []


def test_unknown_uri_raises(small_register: Register) -> None:
    with pytest.raises(UnknownOccupationError):
        small_register.related("https://data.openvum.nl/id/beroep/bestaat-niet")
