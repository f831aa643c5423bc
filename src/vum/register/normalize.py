# SPDX-License-Identifier: EUPL-1.2
"""Text normalisation for occupation search: folding, tokens, compact and canonical forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol

#: Apostrophes vanish rather than split ("pm'er" → "pmer", "auto's" → "autos"), because Dutch
#: writes them inside words; every other non-alphanumeric character separates tokens.
_APOSTROPHES = re.compile("['’‘`´]")
#: A word: letters and digits; "#" and "++" stay attached so C#, F# and C++ remain words.
_WORD = re.compile(r"[a-z0-9]+(?:#|\+\+)?")
#: Combining marks left by NFKD decomposition (é → e + U+0301): dropped to strip diacritics.
_COMBINING = re.compile(r"[\u0300-\u036f]")

#: Female (and some irregular) forms mapped onto the male form before stemming, as
#: (pattern, replacement) applied in order to one newline-joined string of words, so the whole
#: vocabulary is handled by a few C-level passes. Each pattern starts with its literal ending
#: (fast to scan for); the lookbehind after it sets the minimum word length.
_GENDER_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.MULTILINE), replacement)
    for pattern, replacement in (
        (r"trice(?<=[a-z0-9]{7})$", "teur"),  # directrice → directeur, redactrice → redacteur
        (r"euse(?<=[a-z0-9]{6})$", "eur"),  # masseuse → masseur, coiffeuse → coiffeur
        (r"iere(?<=[a-z0-9]{6})$", "ier"),  # caissière → caissier, hotelière → hotelier
        (r"aresse(?<=[a-z0-9]{9})$", "aris"),  # secretaresse → secretaris
        (r"ares(?<=[a-z0-9]{6})$", "aar"),  # lerares → leraar, kunstenares → kunstenaar
        (r"eres(?<=[a-z0-9]{7})$", "er"),  # zangeres → zanger, danseres → danser
        # -ster after a consonant is the female agent ending (kapster, schoonmaakster,
        # leidster); after a vowel it belongs to the stem (meester, zuster, minister).
        (r"ster(?<=[a-z0-9]{2}[b-df-hj-np-tv-xz]ster)$", "er"),
        # ... and their plurals: kapsters → kapers, directrices → directeurs.
        (r"sters(?<=[a-z0-9]{2}[b-df-hj-np-tv-xz]sters)$", "ers"),
        (r"trices(?<=[a-z0-9]{8})$", "teurs"),
        (r"euses(?<=[a-z0-9]{7})$", "eurs"),
        (r"ieres(?<=[a-z0-9]{7})$", "iers"),
    )
)
#: Doubled letters, undone by plain replacement (much faster than a back-referencing regex).
_PAIRS = tuple((c + c, c) for c in "abcdefghijklmnopqrstuvwxyz")
#: Whole-word forms the endings cannot express.
_GENDER_WORDS = {
    "boerin": "boer",
    "kokkin": "kok",
    "verpleegster": "verpleger",
    "serveerster": "serveerder",
    "werkster": "werker",
}


class _Stemmer(Protocol):
    def stemWords(self, words: Sequence[str]) -> list[str]: ...  # PyStemmer's name


@lru_cache(maxsize=1)
def _stemmer() -> _Stemmer:
    import Stemmer

    # The classic Snowball Dutch stemmer. PyStemmer 3 renamed it "dutch_porter" and gave the
    # name "dutch" to a Kraaij-Pohlmann variant that also strips "ge" inside words, which
    # mangles the compounds occupation names are made of (bakwagenchauffeur → bakwanchauffeur,
    # basisschoolleraar → basisschooller).
    algorithm = "dutch_porter" if "dutch_porter" in Stemmer.algorithms() else "dutch"
    stemmer: _Stemmer = Stemmer.Stemmer(algorithm)
    return stemmer


def fold_many(texts: Sequence[str]) -> list[list[str]]:
    """The folded words of many texts at once (index building folds thousands of labels)."""
    # Lowercasing and apostrophe removal run once on one joined string; the Unicode
    # decomposition only on the few lines that are not plain ASCII.
    joined = "\n".join(t.replace("\n", " ") for t in texts).lower().replace("ß", "ss")
    joined = _APOSTROPHES.sub("", joined)
    return [
        _WORD.findall(line if line.isascii() else _strip_marks(line)) for line in joined.split("\n")
    ]


def _strip_marks(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def tokens(text: str) -> list[str]:
    """The folded words of a text: lowercase, no diacritics, apostrophes removed ("pm'er" → pmer)."""
    return fold_many([text])[0]


def fold(text: str) -> str:
    """Lowercase without diacritics or apostrophes, other punctuation as single spaces."""
    return " ".join(tokens(text))


def compact(text: str) -> str:
    """Folded text without separators: "vrachtwagen chauffeur" equals "vrachtwagenchauffeur"."""
    return "".join(tokens(text))


def _male_forms(words: list[str]) -> list[str]:
    joined = "\n".join(_GENDER_WORDS.get(w, w) for w in words)
    for pattern, replacement in _GENDER_RULES:
        joined = pattern.sub(replacement, joined)
    return joined.split("\n")


@lru_cache(maxsize=65536)
def canon(word: str) -> str:
    """Canonical form of one folded token, equal across plural, female/male and doubled letters.

    kapster/kapper/kappers → "kap"; schoonmaakster/schoonmaker → "schonmak";
    psychologe/psycholoog → "psycholog". Only for matching: never shown to anyone.
    """
    return canon_many([word])[word]


def canon_many(words: Iterable[str]) -> dict[str, str]:
    """Canonical forms of many folded tokens (batched: the stemmer and regex run once)."""
    unique = list(dict.fromkeys(words))
    todo = [w for w in unique if len(w) > 3 and not w.isdigit()]
    result = {w: w for w in unique}
    if not todo:
        return result
    stems = _stemmer().stemWords(_male_forms(todo))
    # The agent ending -er carries no meaning for matching and differs between the male and
    # female forms (kapp-er / kap-ster), so drop it when enough of the word remains.
    stems = [s[:-2] if len(s) >= 5 and s.endswith("er") else s for s in stems]
    # Doubled letters differ between forms (verpleeg-/verpleg-) and are a common typo.
    joined = "\n".join(stems)
    for pair, single in _PAIRS:
        while pair in joined:  # twice for the rare triple letter
            joined = joined.replace(pair, single)
    undoubled = joined.split("\n")
    result.update(zip(todo, undoubled, strict=True))
    return result


def canon_tokens(text: str) -> list[str]:
    """Canonical forms of the words of a text."""
    return [canon(t) for t in tokens(text)]
