# SPDX-License-Identifier: EUPL-1.2
"""Text normalisation for occupation search: folding, tokens, compact and canonical forms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol

#: Apostrophes vanish rather than split ("pm'er" → "pmer", "auto's" → "autos"), because Dutch
#: writes them inside words; every other non-alphanumeric character separates tokens.
_APOSTROPHES = str.maketrans("", "", "'’‘`´")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLES = re.compile(r"(.)\1+")

#: Female (and some irregular) forms mapped onto the male form before stemming. Ordered: the
#: first matching ending wins. Each entry: (ending, replacement, minimum length of the word).
_GENDER_ENDINGS: tuple[tuple[str, str, int], ...] = (
    ("trice", "teur", 7),  # directrice → directeur, redactrice → redacteur
    ("euse", "eur", 6),  # masseuse → masseur, coiffeuse → coiffeur
    ("iere", "ier", 6),  # caissière → caissier, hotelière → hotelier
    ("aresse", "aris", 9),  # secretaresse → secretaris
    ("ares", "aar", 6),  # lerares → leraar, kunstenares → kunstenaar
    ("eres", "er", 7),  # zangeres → zanger, danseres → danser
)
#: Whole-word forms the endings cannot express.
_GENDER_WORDS = {
    "boerin": "boer",
    "kokkin": "kok",
    "verpleegster": "verpleger",
    "serveerster": "serveerder",
    "werkster": "werker",
}
_VOWELS = frozenset("aeiouy")


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # PyStemmer's name


@lru_cache(maxsize=1)
def _stemmer() -> _Stemmer:
    import Stemmer

    stemmer: _Stemmer = Stemmer.Stemmer("dutch")
    return stemmer


def fold(text: str) -> str:
    """Lowercase without diacritics or apostrophes, other punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped).strip()


def tokens(text: str) -> list[str]:
    """The folded words of a text."""
    return fold(text).split()


def compact(text: str) -> str:
    """Folded text without separators: "vrachtwagen chauffeur" equals "vrachtwagenchauffeur"."""
    return fold(text).replace(" ", "")


def _male_form(word: str) -> str:
    mapped = _GENDER_WORDS.get(word)
    if mapped is not None:
        return mapped
    for ending, replacement, min_len in _GENDER_ENDINGS:
        if len(word) >= min_len and word.endswith(ending):
            return word[: -len(ending)] + replacement
    # -ster after a consonant is the female agent ending (kapster, schoonmaakster, leidster);
    # after a vowel it is part of the stem (meester, zuster, minister), so leave those alone.
    if len(word) >= 7 and word.endswith("ster") and word[-5] not in _VOWELS:
        return word[:-4] + "er"
    return word


@lru_cache(maxsize=65536)
def canon(word: str) -> str:
    """Canonical form of one folded token, equal across plural, female/male and doubled letters.

    kapster/kapper/kappers → "kap"; schoonmaakster/schoonmaker → "schonmak";
    psychologe/psycholoog → "psycholog". Only for matching: never shown to anyone.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    stem = _stemmer().stemWord(_male_form(word))
    # The agent ending -er carries no meaning for matching and differs between the male and
    # female forms (kapp-er / kap-ster), so drop it when enough of the word remains.
    if len(stem) >= 5 and stem.endswith("er"):
        stem = stem[:-2]
    # Doubled letters differ between forms (verpleeg-/verpleg-) and are a common typo.
    return _DOUBLES.sub(r"\1", stem)


def canon_tokens(text: str) -> list[str]:
    """Canonical forms of the words of a text."""
    return [canon(t) for t in tokens(text)]
