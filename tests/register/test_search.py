# SPDX-License-Identifier: EUPL-1.2
"""Free-text search behaviour on a small register: what a mediator types must find the occupation."""

from __future__ import annotations

import pytest

from vum.register import search
from vum.register.model import Occupation, Register
from vum.register.normalize import canon
from vum.register.search import SearchHit


def top(register: Register, text: str) -> SearchHit:
    hits = register.search(text, limit=5)
    assert hits, f"no hits for {text!r}"
    return hits[0]


def top_key(register: Register, text: str) -> str:
    return top(register, text).occupation.key


def test_exact_label_scores_100_and_reports_the_label(small_register: Register) -> None:
    hit = top(small_register, "Heftruckchauffeur")
    assert (hit.occupation.key, hit.score, hit.matched) == (
        "heftruckchauffeur",
        100.0,
        "Heftruckchauffeur",
    )
    assert "exact" in hit.why


def test_matched_reports_the_synonym_that_matched(small_register: Register) -> None:
    hit = top(small_register, "orderpikker")
    assert hit.occupation.key == "orderpicker"
    assert hit.matched == "orderpikker"
    assert "synoniem" in hit.why


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("heftruk chaufeur", "heftruckchauffeur"),
        ("vrachtwagenchaufeur", "vrachtwagenchauffeur"),
        ("magazijnmederwerker", "magazijnmedewerker"),
        ("sisteembeheerder", "systeembeheerder"),
        ("glazenwaser", "glazenwasser"),
        ("timmermna", "timmerman"),
    ],
)
def test_typos_are_tolerated(small_register: Register, text: str, key: str) -> None:
    assert top_key(small_register, text) == key


@pytest.mark.parametrize(
    "text",
    [
        "vrachtwagen chauffeur",
        "vrachtwagenchauffeur",
        "Vrachtwagen-chauffeur",
        "VRACHTWAGEN CHAUFFEUR",
    ],
)
def test_compounds_written_apart_or_together_are_equal(small_register: Register, text: str) -> None:
    hit = top(small_register, text)
    assert hit.occupation.key == "vrachtwagenchauffeur"
    assert hit.score == 100.0


def test_compound_written_apart_finds_the_compound_label(small_register: Register) -> None:
    hit = top(small_register, "heftruck chauffeur")
    assert hit.occupation.key == "heftruckchauffeur"
    assert "Heftruck" in hit.occupation.label


def test_diacritics_are_ignored_both_ways(small_register: Register) -> None:
    assert top(small_register, "dietist").matched == "Diëtist"
    assert top(small_register, "diëtist").score == 100.0
    assert top_key(small_register, "caissière") == "caissiere"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("verkoopster", "verkoper"),  # no female synonym in the data: the canonical form finds it
        ("psychologe", "psycholoog"),
        ("kapsters", "kapper"),
        ("schoonmaaksters", "schoonmaker"),
        ("magazijnmedewerkers", "magazijnmedewerker"),
        ("vrachtwagenchauffeurs", "vrachtwagenchauffeur"),
    ],
)
def test_gender_and_plural_forms_find_the_occupation(
    small_register: Register, text: str, key: str
) -> None:
    assert top_key(small_register, text) == key


@pytest.mark.parametrize(
    "text", ["chauffeur vrachtwagen", "medewerker magazijn", "kinderopvang pedagogisch medewerker"]
)
def test_word_order_does_not_matter(small_register: Register, text: str) -> None:
    assert top_key(small_register, text) in {
        "vrachtwagenchauffeur",
        "magazijnmedewerker",
        "pedagogisch-medewerker",
    }
    assert top(small_register, text).score >= 80


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ce chauffeur", "vrachtwagenchauffeur"),
        ("verzorgende IG", "verzorgende-ig"),
        ("VIG", "verzorgende-ig"),
        ("kok bbl", "kok"),
    ],
)
def test_abbreviations_count_as_words(small_register: Register, text: str, key: str) -> None:
    assert top_key(small_register, text) == key


def test_abbreviations_do_not_match_inside_words(small_register: Register) -> None:
    # "ce" occurs inside many words (receptioniste, ...); only the token CE may count.
    assert [h.occupation.key for h in small_register.search("ce", limit=3)] == [
        "vrachtwagenchauffeur"
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("heftr", "heftruckchauffeur"),
        ("vrachtwagench", "vrachtwagenchauffeur"),
        ("verpleegk", "verpleegkundige"),
        ("softwareontw", "softwareontwikkelaar"),
        ("pedagogisch med", "pedagogisch-medewerker"),
    ],
)
def test_prefixes_find_the_occupation_while_typing(
    small_register: Register, text: str, key: str
) -> None:
    assert key in [h.occupation.key for h in small_register.search(text, limit=3)]


def test_every_prefix_of_heftruckchauffeur_from_three_letters_ranks_it_in_the_top_three(
    small_register: Register,
) -> None:
    word = "heftruckchauffeur"
    for n in range(3, len(word) + 1):
        keys = [h.occupation.key for h in small_register.search(word[:n], limit=3)]
        assert "heftruckchauffeur" in keys, word[:n]


def test_colloquial_synonyms_are_found(small_register: Register) -> None:
    assert top_key(small_register, "juf") == "leraar-basisonderwijs"
    assert top_key(small_register, "PM'er") == "pedagogisch-medewerker"
    assert top_key(small_register, "developer") == "softwareontwikkelaar"


def test_unknown_words_do_not_spoil_a_good_match(small_register: Register) -> None:
    hit = top(small_register, "zzp timmerman")
    assert hit.occupation.key == "timmerman"
    assert hit.score < 100


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "-", "'"])
def test_empty_or_whitespace_text_returns_nothing(small_register: Register, text: str) -> None:
    assert small_register.search(text) == []


def test_limit_caps_hits_and_each_occupation_appears_once(small_register: Register) -> None:
    hits = small_register.search("chauffeur", limit=3)
    assert len(hits) == 3
    assert len({h.occupation.uri for h in hits}) == 3
    assert small_register.search("chauffeur", limit=0) == []


def test_scores_are_between_0_and_100_and_sorted(small_register: Register) -> None:
    hits = small_register.search("medewerker", limit=20)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_nonsense_finds_nothing(small_register: Register) -> None:
    assert small_register.search("xqzwv") == []


def test_preferred_label_beats_a_synonym_on_ties() -> None:
    a = Occupation("urn:a", "a", "Monteur", "7233", "723", synonyms=("storingsmonteur",))
    b = Occupation("urn:b", "b", "Storingsmonteur", "7412", "741", synonyms=("monteur",))
    register = Register([a, b])
    assert top(register, "monteur").occupation.key == "a"
    assert top(register, "storingsmonteur").occupation.key == "b"
    hit = Register([Occupation("urn:c", "c", "Kok", "5120", "512", synonyms=("kok",))]).search(
        "kok"
    )[0]
    assert hit.matched == "Kok"


def test_search_index_is_built_once_per_register(small_register: Register) -> None:
    assert small_register.search_index() is small_register.search_index()


WORDS = [
    "medewerker",
    "medewerkster",
    "chauffeur",
    "chaufeur",
    "heftr",
    "kok",
    "ce",
    "kapsters",
    "verpleegkundige",
    "ictmedewerker",
    "kinderopvang",
    "wer",
    "timm",
    "vig",
    "magazijnm",
]


@pytest.mark.parametrize("word", WORDS)
def test_restricted_word_scoring_equals_full_scoring(small_register: Register, word: str) -> None:
    # Frequent words are scored only within some strings; that shortcut must agree exactly
    # with scoring the word against every string.
    index = small_register.search_index()
    can = canon(word)
    assert index.word_scores_in(word, can, range(len(index))) == index.word_scores(word, can)


@pytest.mark.parametrize(
    "text",
    ["medewerker magazijn", "medewerker k", "chauffeur ce", "pedagogisch medewerker", "medewerker"],
)
def test_shortcuts_for_frequent_words_do_not_change_the_ranking(
    small_register: Register, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ranking() -> list[tuple[str, float]]:
        fresh = Register(list(small_register))  # a new index: no cached word scores
        return [(h.occupation.key, h.score) for h in fresh.search(text, limit=5)]

    exhaustive = ranking()
    # Every word frequent and bulky: restricted scoring and sampling kick in everywhere. Weak
    # hits that only share the frequent word ("medewerker") may drop off; good ones may not.
    monkeypatch.setattr(search, "BULKY", 2)
    monkeypatch.setattr(search, "FREQUENT", 1)
    shortcut = ranking()
    assert [h for h in shortcut if h[1] >= 70] == [h for h in exhaustive if h[1] >= 70]
    assert shortcut == exhaustive[: len(shortcut)]


def test_function_words_and_vacancy_filler_are_ignored(small_register: Register) -> None:
    assert top_key(small_register, "wij zoeken een timmerman (m/v)") == "timmerman"
    assert top(small_register, "chef-kok").score == top(small_register, "chef kok").score == 100.0


def test_a_query_of_only_function_words_still_searches() -> None:
    register = Register([Occupation("urn:c", "c", "Chef de partie", "3434", "343")])
    assert [h.occupation.key for h in register.search("de")] == ["c"]
