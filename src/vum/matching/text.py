# SPDX-License-Identifier: EUPL-1.2
"""Free text: Dutch tokens (diacritics folded, Snowball-stemmed) and a BM25 inverted index over records."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import Stemmer

from vum.matching.arrays import FloatArray, Int16Array, IntArray, few, union

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


class Posting(NamedTuple):
    """The documents holding one term (ascending), its BM25 points in each, and their cells."""

    rows: IntArray
    points: FloatArray
    cells: Int16Array


class TextIndex:
    """Term -> posting (rows, BM25 points, cells); built once per dataset."""

    # ``cells``: every document's PC4 cell (-1: unplaced), kept beside each posting so that a
    # radius keeps a term's documents without gathering from the dataset's whole cell column.

    K1 = 1.2
    B = 0.75

    def __init__(self, documents: Sequence[Iterable[str]], cells: Int16Array) -> None:
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
        self._n = n = len(documents)
        avg = float(lengths.mean()) if n and lengths.sum() else 1.0
        # A term's BM25 points in a document depend on the dataset alone: computed here once
        # (for every term, ~40 ms per million postings), a query only adds them up.
        self._postings: dict[str, Posting] = {}
        for term, counts in postings.items():
            # Rows ascending: documents are numbered in order.
            rows = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            idf = np.log(1.0 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            norm = self.K1 * (1.0 - self.B + self.B * lengths[rows] / avg)
            points = idf * tf * (self.K1 + 1.0) / (tf + norm)
            self._postings[term] = Posting(rows, points, cells[rows])

    def __len__(self) -> int:
        return len(self._postings)

    def match(self, text: str) -> TextMatch:
        """The postings of the known terms of ``text`` (Mongo ``$text`` matches any term)."""
        known = [t for t in dict.fromkeys(terms(text)) if t in self._postings]
        return TextMatch(self._n, [self._postings[t] for t in known], known)

    def scores(self, text: str) -> tuple[FloatArray, list[str]]:
        """BM25 score of every row for ``text`` (0: none of its terms), and the known terms."""
        found = self.match(text)
        return found.dense(), found.terms


class TextMatch:
    """The postings of a query's known terms; scores rows on demand."""

    # Every way of scoring adds the terms' points in query order, as a dense sum over the
    # dataset would (adding 0.0 for a term a row lacks changes nothing): all give the same bits.

    def __init__(self, n: int, postings: list[Posting], known: list[str]) -> None:
        self.n = n
        self.postings = postings
        self.terms = known
        #: at most this many rows hold a term (the sum of the postings' lengths)
        self.size = sum(len(p.rows) for p in postings)
        self._dense: FloatArray | None = None

    def dense(self) -> FloatArray:
        """The score of every row of the dataset (0 where no term occurs), made once."""
        if self._dense is None:
            self._dense = np.zeros(self.n, dtype=np.float64)
            for p in self.postings:
                self._dense[p.rows] += p.points
        return self._dense

    def of(self, candidates: IntArray) -> FloatArray:
        """The score of each candidate row (0 where no term occurs)."""
        if self._dense is not None or not all(
            few(self.n, p.rows, candidates) for p in self.postings
        ):
            return self.dense()[candidates]
        total = np.zeros(len(candidates), dtype=np.float64)
        for p in self.postings:
            at = np.searchsorted(p.rows, candidates)
            np.minimum(at, len(p.rows) - 1, out=at)
            total += np.where(p.rows[at] == candidates, p.points[at], 0.0)
        return total

    def within(self, cell_km: FloatArray, radius_km: float) -> tuple[IntArray, FloatArray]:
        """The rows holding a term within ``radius_km`` (ascending) and their scores."""
        # cell_km: the distance of every cell, and inf in the last slot (cell -1: unplaced).
        near = []
        for p in self.postings:
            keep = cell_km[p.cells] <= radius_km
            near.append((p.rows[keep], p.points[keep]))
        if len(near) == 1:
            return near[0]
        rows = union([r for r, _ in near])
        scores = np.zeros(len(rows), dtype=np.float64)
        for r, points in near:
            scores[np.searchsorted(rows, r)] += points
        return rows, scores
