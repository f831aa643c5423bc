# SPDX-License-Identifier: EUPL-1.2
"""Normalisation: folding, compact forms and the canonical form that equates word variants."""

from __future__ import annotations

import pytest

from vum.register.normalize import canon, compact, fold, tokens


def test_fold_lowercases_and_strips_diacritics() -> None:
    assert fold("Diëtist") == "dietist"
    assert fold("CAISSIÈRE") == "caissiere"
    assert fold("Conciërge") == "concierge"


def test_fold_removes_apostrophes_inside_words() -> None:
    assert fold("PM'er") == "pmer"
    assert fold("VIG’er") == "viger"


def test_fold_turns_punctuation_into_single_spaces() -> None:
    assert fold("  ICT-medewerker / (m/v)  ") == "ict medewerker m v"
    assert tokens("Chef-kok") == ["chef", "kok"]


def test_compact_joins_compounds_written_apart() -> None:
    assert compact("vrachtwagen chauffeur") == compact("Vrachtwagenchauffeur")
    assert compact("CE-chauffeur") == "cechauffeur"


@pytest.mark.parametrize(
    ("female", "male"),
    [
        ("kapster", "kapper"),
        ("schoonmaakster", "schoonmaker"),
        ("verpleegster", "verpleger"),
        ("leidster", "leider"),
        ("verkoopster", "verkoper"),
        ("caissiere", "caissier"),
        ("receptioniste", "receptionist"),
        ("doktersassistente", "doktersassistent"),
        ("psychologe", "psycholoog"),
        ("directrice", "directeur"),
        ("lerares", "leraar"),
        ("secretaresse", "secretaris"),
        ("masseuse", "masseur"),
        ("magazijnmedewerkster", "magazijnmedewerker"),
    ],
)
def test_canon_equates_female_and_male_forms(female: str, male: str) -> None:
    assert canon(female) == canon(male)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("chauffeurs", "chauffeur"), ("verpleegkundigen", "verpleegkundige"), ("leraren", "leraar")],
)
def test_canon_equates_plural_and_singular(plural: str, singular: str) -> None:
    assert canon(plural) == canon(singular)


def test_canon_ignores_doubled_letters() -> None:
    assert canon("chaufeur") == canon("chauffeur")


def test_canon_leaves_words_ending_in_vowel_ster_alone() -> None:
    # meester/zuster/minister are not female forms of "meeer", "zuer" or "minier".
    assert canon("meester") != canon("meer")
    assert canon("zuster") == canon("zusters")


def test_canon_keeps_short_words_and_abbreviations() -> None:
    assert canon("ce") == "ce"
    assert canon("kok") == "kok"
    assert canon("bbl") == "bbl"


def test_programming_languages_keep_their_sign() -> None:
    assert tokens("C# developer, C++ programmeur, 55+") == [
        "c#",
        "developer",
        "c++",
        "programmeur",
        "55",
    ]
