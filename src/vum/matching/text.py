# SPDX-License-Identifier: EUPL-1.2
"""Free text: Dutch tokens (diacritics folded, Snowball-stemmed) and a BM25 inverted index over records."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import Stemmer

from vum.matching.arrays import IntArray

_WORD = re.compile(r"[0-9a-z]+")
# Words too common in Dutch job texts to say anything (Snowball's list, trimmed).
STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "in",
        "op",
        "te",
        "dat",
        "die",
        "voor",
        "met",
        "is",
        "zijn",
        "aan",
        "er",
        "als",
        "bij",
        "of",
        "om",
        "ook",
        "door",
        "naar",
        "je",
        "jij",
        "wij",
        "we",
        "ik",
        "u",
        "uw",
        "jouw",
        "onze",
        "ons",
        "hun",
        "zij",
        "ze",
        "hij",
        "ze",
        "niet",
        "maar",
        "wordt",
        "worden",
        "dan",
        "tot",
        "uit",
        "over",
        "nog",
        "wel",
        "geen",
        "meer",
        "dit",
        "deze",
        "was",
        "heeft",
        "hebben",
        "kan",
        "kunnen",
        "zal",
        "zullen",
        "moet",
        "moeten",
        "ben",
        "bent",
        "the",
        "and",
        "of",
        "to",
        "in",
        "for",
        "with",
        "a",
        "an",
    ]
)
# The classic Snowball Dutch stemmer; PyStemmer 3 renamed it "dutch_porter" and gave "dutch" a
# newer algorithm that also strips "ge" inside words and mangles compounds.
_STEMMER = Stemmer.Stemmer("dutch_porter" if "dutch_porter" in Stemmer.algorithms() else "dutch")


def fold(text: str) -> str:
    """Lowercase without diacritics: "Diëtist" -> "dietist"."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    # Decompose, then drop the combining marks (and anything else outside ASCII) in C.
    return unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stem: str = _STEMMER.stemWord(word)
    return stem


def terms(text: str) -> list[str]:
    """The index terms of a text: folded, split on non-alphanumerics, stopwords out, stemmed."""
    return [_stem(w) for w in _WORD.findall(fold(text)) if w not in STOPWORDS and len(w) > 1]


class TextIndex:
    """Term -> (rows, term frequency) postings with BM25 scoring; built once per dataset."""

    K1 = 1.2
    B = 0.75

    def __init__(self, documents: Sequence[Iterable[str]]) -> None:
        postings: dict[str, dict[int, int]] = {}
        lengths = np.zeros(len(documents), dtype=np.float32)
        for row, texts in enumerate(documents):
            count = 0
            for text in texts:
                for term in terms(text):
                    counts = postings.setdefault(term, {})
                    counts[row] = counts.get(row, 0) + 1
                    count += 1
            lengths[row] = count
        self._n = len(documents)
        self._avg = float(lengths.mean()) if self._n and lengths.sum() else 1.0
        self._lengths = lengths
        self._postings: dict[str, tuple[IntArray, np.ndarray]] = {
            term: (
                np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)),
                np.fromiter(counts.values(), dtype=np.float32, count=len(counts)),
            )
            for term, counts in postings.items()
        }

    def __len__(self) -> int:
        return len(self._postings)

    def scores(self, text: str) -> tuple[np.ndarray, list[str]]:
        """BM25 score of every row for ``text`` (0 where none of its terms occur; Mongo
        ``$text`` matches any term), and the query terms the index knows."""
        dense = np.zeros(self._n, dtype=np.float64)
        known: list[str] = []
        for term in dict.fromkeys(terms(text)):
            posting = self._postings.get(term)
            if posting is None:
                continue
            known.append(term)
            rows, tf = posting
            idf = np.log(1.0 + (self._n - len(rows) + 0.5) / (len(rows) + 0.5))
            norm = self.K1 * (1.0 - self.B + self.B * self._lengths[rows] / self._avg)
            dense[rows] += idf * tf * (self.K1 + 1.0) / (tf + norm)
        return dense, known
