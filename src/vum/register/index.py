# SPDX-License-Identifier: EUPL-1.2
"""The word index behind search: every label and synonym as folded, canonical and compact words.

Each indexed string (a label or synonym of one occupation) is an *entry*. A query word is scored
against the entries it occurs in: exactly (100), in canonical form (plural, female form, stem),
with a typo (``fuzz.ratio``, C speed over the whole vocabulary), as the beginning of a word
(typeahead), as the head of a compound ("chauffeur" in "vrachtwagenchauffeur") or elsewhere
inside one. Substrings are found with ``str.find`` on one joined string of all words. The
compact form of a multi-word entry ("ICT-medewerker" → "ictmedewerker") answers to exact,
prefix and typo matches, so a compound typed as one word still finds the words written apart.
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from itertools import accumulate

from rapidfuzz import fuzz, process

from vum.register.model import Occupation
from vum.register.normalize import canon_many, fold_many

#: A match through the canonical form counts a little less than the word as typed, so
#: "administratief" prefers "administratief" over "administratie".
CANON_FACTOR = 0.96
CANON_EXACT = CANON_FACTOR * 100.0
#: How many query words' scores are kept per index (see `WordIndex.word_scores`).
WORD_CACHE_SIZE = 256
#: Words that make a string name a leading role (matched as word endings).
LEAD_WORDS = (
    "manager",
    "teamleider",
    "teamlead",
    "teamcoach",
    "leidinggevende",
    "coordinator",
    "supervisor",
    "directeur",
    "hoofd",
)

Scores = dict[int, float]


def fuzzy_cutoff(length: int) -> float:
    """Lowest ``fuzz.ratio`` that still counts as a typo of a word of this length."""
    # One wrong letter in a four-letter word is 75; longer words need 80, which still allows
    # two typos in a long word but not a mere shared part ("basisschool" vs "school" is 71).
    return 75.0 if length <= 4 else 80.0


def fragment_score(query_len: int, form_len: int, pos: int) -> float:
    """Score of a query word found inside a longer word, by where it was found."""
    share = query_len / form_len
    if pos == 0:
        return 75.0 + 20.0 * share  # typeahead: the beginning of a word
    if pos + query_len == form_len:
        return 78.0 + 14.0 * share  # the head of a Dutch compound: vrachtwagen|chauffeur
    return 65.0 + 15.0 * share  # somewhere in the middle


def is_lead(word: str) -> bool:
    """True for a folded word naming a leading role (teamleider, locatiemanager, ...)."""
    return word.endswith(LEAD_WORDS)


def _raise(best: Scores, entries: Iterable[int], score: float) -> None:
    for e in entries:
        if score > best.get(e, 0.0):
            best[e] = score


class Words:
    """Words → entries, with one joined string for substring search."""

    __slots__ = ("entries", "forms", "joined", "lengths", "position", "starts")

    def __init__(self, mapping: dict[str, list[int]]) -> None:
        self.forms: list[str] = list(mapping)
        self.entries: list[list[int]] = list(mapping.values())
        self.position: dict[str, int] = dict(zip(self.forms, range(len(self.forms)), strict=True))
        self.lengths: list[int] = [len(f) for f in self.forms]
        # `starts` maps a position in `joined` back to its word by bisection.
        self.joined = "\n".join(self.forms)
        self.starts: list[int] = [0, *accumulate(n + 1 for n in self.lengths)][:-1]

    def credit_fragments(self, word: str, factor: float, best: Scores) -> None:
        """Raise `best[entry]` for every word that contains `word` (the hot loop, inlined)."""
        joined, starts, lengths, entries = self.joined, self.starts, self.lengths, self.entries
        n = len(word)
        get = best.get
        pos = joined.find(word)
        while pos != -1:
            k = bisect_right(starts, pos) - 1
            at, form_len = pos - starts[k], lengths[k]
            if form_len == n:
                score = 100.0 * factor
            elif at == 0 or at + n == form_len or n >= 4:
                score = factor * fragment_score(n, form_len, at)
            else:
                score = 0.0
            for e in entries[k]:
                if score > get(e, 0.0):
                    best[e] = score
            pos = joined.find(word, pos + 1)


class Compacts:
    """Compact forms of multi-word entries → entries, sorted for prefix lookup."""

    __slots__ = ("entries", "forms")

    def __init__(self, mapping: dict[str, list[int]]) -> None:
        self.forms: list[str] = sorted(mapping)
        self.entries: list[list[int]] = [mapping[f] for f in self.forms]

    def credit_prefixes(self, word: str, factor: float, best: Scores) -> None:
        """Raise `best[entry]` for every compact form equal to or starting with `word`."""
        forms, n = self.forms, len(word)
        k = bisect_left(forms, word)
        while k < len(forms) and forms[k].startswith(word):
            form_len = len(forms[k])
            score = 100.0 if form_len == n else fragment_score(n, form_len, 0)
            _raise(best, self.entries[k], factor * score)
            k += 1


def _fragment_in(word: str, form: str) -> float:
    """Best fragment score of `word` inside one word (0 when absent): the restricted twin."""
    n, form_len = len(word), len(form)
    if form_len == n:
        return 100.0 if form == word else 0.0
    score = 0.0
    if form.startswith(word):
        score = fragment_score(n, form_len, 0)
    if form.endswith(word):
        score = max(score, fragment_score(n, form_len, form_len - n))
    if n >= 4 and score == 0.0:
        at = form.find(word, 1)
        if at != -1:
            score = fragment_score(n, form_len, at)
    return score


class WordIndex:
    """Columns per entry and word lookups, computed once per register."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self.occupations: tuple[Occupation, ...] = tuple(occupations)
        texts: list[str] = []
        owners: list[tuple[int, bool]] = []
        for i, occ in enumerate(self.occupations):
            texts.extend(occ.labels)
            owners.extend((i, n == 0) for n in range(len(occ.labels)))
        folded = fold_many(texts)
        canon_of = canon_many(w for words in folded for w in words)

        # Parallel columns per entry, built with comprehensions: much cheaper than objects.
        # An occupation's strings that fold to the same words are one entry ("ICT-medewerker",
        # "ICT medewerker"); empty ones are dropped.
        compacts = ["".join(words) for words in folded]
        seen: set[tuple[int, str]] = set()
        keep: list[int] = []
        for n, ((i, _label), compact) in enumerate(zip(owners, compacts, strict=True)):
            if compact and (i, compact) not in seen:
                seen.add((i, compact))
                keep.append(n)
        self.owner: list[int] = [owners[n][0] for n in keep]
        self.is_label: list[bool] = [owners[n][1] for n in keep]
        self.text: list[str] = [texts[n] for n in keep]
        self.raw_words: list[tuple[str, ...]] = [tuple(folded[n]) for n in keep]
        self.canon_words: list[tuple[str, ...]] = [
            tuple([canon_of[w] for w in words]) for words in self.raw_words
        ]
        self.compact: list[str] = [compacts[n] for n in keep]
        self.canon_compact: list[str] = ["".join(words) for words in self.canon_words]
        self.n_words: list[int] = [len(words) for words in self.raw_words]
        leads = {w for w in canon_of if is_lead(w)}
        self.lead: list[bool] = [not leads.isdisjoint(words) for words in self.raw_words]
        raw_words: dict[str, list[int]] = {}
        canon_words: dict[str, list[int]] = {}
        raw_compacts: dict[str, list[int]] = {}
        canon_compacts: dict[str, list[int]] = {}
        for e, (words, can) in enumerate(zip(self.raw_words, self.canon_words, strict=True)):
            for word in set(words):
                raw_words.setdefault(word, []).append(e)
            for word in set(can):
                canon_words.setdefault(word, []).append(e)
            if len(words) > 1:
                raw_compacts.setdefault(self.compact[e], []).append(e)
                canon_compacts.setdefault(self.canon_compact[e], []).append(e)
        # Entries are added occupation by occupation: occupation o owns the entries from
        # first_entry[o] up to first_entry[o + 1].
        counts = [0] * (len(self.occupations) + 1)
        for o in self.owner:
            counts[o + 1] += 1
        self.first_entry: list[int] = list(accumulate(counts))
        self.raw = Words(raw_words)
        self.canon = Words(canon_words)
        self.raw_compacts = Compacts(raw_compacts)
        self.canon_compacts = Compacts(canon_compacts)
        # Typos are looked for among canonical words and compacts alike.
        # Sorted by length: a typo match needs a similar length (ratio ≥ 80 allows 2/3 to 3/2
        # of the word's length), so each query only hands rapidfuzz that slice.
        pairs = sorted(
            zip(
                self.canon.forms + self.canon_compacts.forms,
                self.canon.entries + self.canon_compacts.entries,
                strict=True,
            ),
            key=lambda pair: len(pair[0]),
        )
        self.fuzzy_forms: list[str] = [form for form, _ in pairs]
        self.fuzzy_entries: list[list[int]] = [entries for _, entries in pairs]
        self.fuzzy_lengths: list[int] = [len(form) for form in self.fuzzy_forms]
        # Frequent words ("medewerker", "chauffeur") and typeahead prefixes recur constantly;
        # their scores depend on nothing but the word, so keep the recent ones.
        self._cache: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self._ranked: dict[tuple[str, str, int], list[int]] = {}
        self._cache_lock = threading.Lock()

    def __len__(self) -> int:
        """Number of indexed strings."""
        return len(self.owner)

    def frequency(self, raw: str, can: str) -> int:
        """How often a query word occurs inside the indexed words: a cheap document frequency."""
        if len(raw) < 3:
            return 0  # matched exactly only: a dictionary lookup, never expensive
        return max(self.raw.joined.count(raw), self.canon.joined.count(can))

    def entries_of(self, occupations: Iterable[int]) -> list[int]:
        """All entries of some occupations."""
        first = self.first_entry
        return [e for o in occupations for e in range(first[o], first[o + 1])]

    def is_cached(self, raw: str, can: str) -> bool:
        """True when `word_scores` for this word costs nothing."""
        return (raw, can) in self._cache

    def word_scores(self, raw: str, can: str) -> Scores:
        """Best score per entry for one query word, over all entries (cached; do not modify)."""
        key = (raw, can)
        with self._cache_lock:
            scores = self._cache.get(key)
            if scores is not None:
                self._cache.move_to_end(key)
                return scores
        scores = self._word_scores(raw, can)
        with self._cache_lock:
            self._cache[key] = scores
            if len(self._cache) > WORD_CACHE_SIZE:
                self._cache.popitem(last=False)
        return scores

    def best_entries(self, raw: str, can: str, count: int, words: int) -> list[int]:
        """The `count` entries where a word ranks best in a query of `words` words (cached)."""
        key = (raw, can, words)
        ranked = self._ranked.get(key)
        if ranked is None or len(ranked) < count:
            scores, n_words = self.word_scores(raw, can), self.n_words
            # The order search ranks these strings in: extra words in a string cost precision.
            ranked = heapq.nlargest(
                count,
                scores,
                key=lambda e: scores[e] * (0.85 + 0.15 * min(1.0, words / n_words[e])),
            )
            with self._cache_lock:
                self._ranked[key] = ranked
                if len(self._ranked) > WORD_CACHE_SIZE:
                    self._ranked.pop(next(iter(self._ranked)))
        return ranked[:count]

    def _word_scores(self, raw: str, can: str) -> Scores:
        best: Scores = {}
        k = self.raw.position.get(raw)
        if k is not None:
            _raise(best, self.raw.entries[k], 100.0)
        # Canonical forms of short words collide too easily (timm/time → "tim"), and short
        # words are mostly abbreviations (CE, IG, BBL) that must match exactly. A longer word
        # may still have a short canonical form (kapsters → "kap").
        k = self.canon.position.get(can)
        if k is not None and len(raw) >= 5:
            _raise(best, self.canon.entries[k], CANON_EXACT)
        if len(can) >= 4 and len(raw) >= 4:
            cutoff = fuzzy_cutoff(len(can))
            # ratio = 2·common / (n + m) ≥ cutoff bounds the other length m given n.
            low = bisect_left(self.fuzzy_lengths, len(can) * cutoff / (200.0 - cutoff))
            high = bisect_right(self.fuzzy_lengths, len(can) * (200.0 - cutoff) / cutoff)
            entries = self.fuzzy_entries
            for _form, score, k in process.extract(
                can,
                self.fuzzy_forms[low:high],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                limit=None,
            ):
                _raise(best, entries[low + k], CANON_FACTOR * float(score))
        if len(raw) >= 3:
            self.raw.credit_fragments(raw, 1.0, best)
            self.raw_compacts.credit_prefixes(raw, 1.0, best)
        if len(can) >= 5:
            self.canon.credit_fragments(can, CANON_FACTOR, best)
            self.canon_compacts.credit_prefixes(can, CANON_FACTOR, best)
        return best

    def word_scores_in(self, raw: str, can: str, entries: Iterable[int]) -> Scores:
        """Like `word_scores`, but only for the given entries (for very frequent words)."""
        best: Scores = {}
        cutoff = fuzzy_cutoff(len(can))
        fuzzy = len(can) >= 4 and len(raw) >= 4
        for e in entries:
            words, compact = self.raw_words[e], self.compact[e]
            if raw in words or raw == compact:
                best[e] = 100.0
                continue
            score = 0.0
            if len(raw) >= 3:
                for form in words:
                    score = max(score, _fragment_in(raw, form))
                if len(words) > 1 and compact.startswith(raw):
                    score = max(score, fragment_score(len(raw), len(compact), 0))
            can_words, can_compact = self.canon_words[e], self.canon_compact[e]
            if len(raw) >= 5 and can in can_words:
                score = max(score, CANON_EXACT)
            if fuzzy:
                for form in (*can_words, can_compact) if len(words) > 1 else can_words:
                    score = max(score, CANON_FACTOR * fuzz.ratio(can, form, score_cutoff=cutoff))
            if len(can) >= 5:
                for form in can_words:
                    score = max(score, CANON_FACTOR * _fragment_in(can, form))
                if len(words) > 1 and can_compact.startswith(can):
                    prefix = fragment_score(len(can), len(can_compact), 0)
                    score = max(score, CANON_FACTOR * (100.0 if can_compact == can else prefix))
            if score > 0.0:
                best[e] = score
        return best
