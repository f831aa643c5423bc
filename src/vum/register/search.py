# SPDX-License-Identifier: EUPL-1.2
"""Free-text occupation search: a precomputed index over labels and synonyms, scored with rapidfuzz.

Two signals are combined for every indexed string (label or synonym):

* whole-string similarity of the canonical compact forms (typos, compounds written apart or
  together, plural and female forms, diacritics) — ``fuzz.ratio`` over all strings at once;
* word coverage: how well every query word is found among the string's words — exactly, in
  canonical form, with a typo, as the beginning of a word (typeahead) or as part of a compound
  ("chauffeur" in "vrachtwagenchauffeur") — which makes word order irrelevant and lets
  abbreviations ("CE", "IG") count as words of their own.

Only rapidfuzz's C loops touch all strings; Python only visits the strings that matched.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from vum.register.model import Occupation
from vum.register.normalize import canon, tokens

#: At most this many query words are used: a pasted paragraph must not make search slow.
MAX_QUERY_WORDS = 8
#: Hits scoring below this are noise, not suggestions.
MIN_SCORE = 40.0
#: Whole-string similarity below this cannot contribute (it maps to 2F-100 ≤ 40).
FULL_CUTOFF = 70.0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One occupation found: score 0..100, the label or synonym that matched, and why."""

    occupation: Occupation
    score: float
    matched: str
    why: str


@dataclass(frozen=True, slots=True)
class _Entry:
    """One indexed string (a label or a synonym) of one occupation."""

    occupation: int
    text: str
    is_label: bool
    raw_tokens: tuple[str, ...]
    canon_tokens: tuple[str, ...]
    compact: str
    canon_compact: str


class _Forms:
    """Word forms (tokens and compacts) → entries, plus a joined string for substring search."""

    __slots__ = ("entries", "forms", "joined", "position", "starts")

    def __init__(self, mapping: dict[str, list[int]]) -> None:
        self.forms: list[str] = list(mapping)
        self.position: dict[str, int] = {f: k for k, f in enumerate(self.forms)}
        self.entries: list[list[int]] = [mapping[f] for f in self.forms]
        # One newline-separated string lets str.find (C speed) locate a fragment in every form;
        # `starts` maps a position back to its form by bisection.
        self.starts: list[int] = []
        offset = 0
        for form in self.forms:
            self.starts.append(offset)
            offset += len(form) + 1
        self.joined = "\n".join(self.forms)

    def occurrences(self, needle: str) -> Iterator[tuple[int, int]]:
        """(form index, position in form) of every occurrence of `needle`."""
        joined, starts = self.joined, self.starts
        pos = joined.find(needle)
        while pos != -1:
            k = bisect_right(starts, pos) - 1
            yield k, pos - starts[k]
            pos = joined.find(needle, pos + 1)


def _fuzzy_cutoff(length: int) -> float:
    # One wrong letter in a four-letter word is 75; longer words tolerate two.
    return 75.0 if length <= 4 else 72.0 if length <= 6 else 70.0


def _fragment_score(query_len: int, form_len: int, pos: int) -> float:
    """Score of a query word found inside a longer word form, by where it was found."""
    share = query_len / form_len
    if pos == 0:
        return 75.0 + 20.0 * share  # typeahead: the beginning of a word
    if pos + query_len == form_len:
        return 80.0 + 15.0 * share  # the head of a Dutch compound: vrachtwagen|chauffeur
    return 65.0 + 15.0 * share  # somewhere in the middle


class SearchIndex:
    """Everything search needs, computed once per register."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self.occupations: tuple[Occupation, ...] = tuple(occupations)
        entries: list[_Entry] = []
        raw_forms: dict[str, list[int]] = {}
        canon_forms: dict[str, list[int]] = {}
        compacts: dict[str, list[int]] = {}
        for i, occ in enumerate(self.occupations):
            seen: set[str] = set()
            for n, text in enumerate(occ.labels):
                raw = tuple(tokens(text))
                if not raw:
                    continue
                can = tuple(canon(t) for t in raw)
                entry = _Entry(i, text, n == 0, raw, can, "".join(raw), "".join(can))
                if entry.compact in seen:
                    continue  # "ICT-medewerker" and "ICT medewerker" are one entry
                seen.add(entry.compact)
                e = len(entries)
                entries.append(entry)
                raw_words = {*raw, entry.compact} if len(raw) > 1 else set(raw)
                canon_words = {*can, entry.canon_compact} if len(can) > 1 else set(can)
                for word in raw_words:
                    raw_forms.setdefault(word, []).append(e)
                for word in canon_words:
                    canon_forms.setdefault(word, []).append(e)
                compacts.setdefault(entry.canon_compact, []).append(e)
        self._entries = entries
        self._raw = _Forms(raw_forms)
        self._canon = _Forms(canon_forms)
        self._compacts = _Forms(compacts)

    def __len__(self) -> int:
        """Number of indexed strings."""
        return len(self._entries)

    # -- scoring -------------------------------------------------------------------------------

    def _word_scores(self, raw: str, can: str) -> dict[int, float]:
        """Best score per entry for one query word (empty when the word occurs nowhere)."""
        best: dict[int, float] = {}

        def credit(forms: _Forms, k: int, score: float) -> None:
            for e in forms.entries[k]:
                if score > best.get(e, 0.0):
                    best[e] = score

        if len(can) <= 3 or len(raw) <= 2:
            # Short words are abbreviations (CE, IG, BBL) or tiny words (kok): exact only.
            for forms, word in ((self._raw, raw), (self._canon, can)):
                k = forms.position.get(word)
                if k is not None:
                    credit(forms, k, 100.0)
        else:
            for _form, score, k in process.extract(
                can,
                self._canon.forms,
                scorer=fuzz.ratio,
                score_cutoff=_fuzzy_cutoff(len(can)),
                limit=None,
            ):
                credit(self._canon, k, float(score))
        if len(raw) >= 3:
            for forms, word in ((self._raw, raw), (self._canon, can)):
                if len(word) < 3:
                    continue
                for k, pos in forms.occurrences(word):
                    form_len = len(forms.forms[k])
                    if form_len == len(word):
                        credit(forms, k, 100.0)
                    elif pos == 0 or pos + len(word) == form_len or len(word) >= 4:
                        credit(forms, k, _fragment_score(len(word), form_len, pos))
        return best

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Occupations for free text, best first; [] for empty text."""
        raw_words = tokens(text)[:MAX_QUERY_WORDS]
        if not raw_words or limit <= 0:
            return []
        canon_words = [canon(w) for w in raw_words]
        q_compact = "".join(raw_words)
        q_canon = "".join(canon_words)

        # Word coverage.
        per_word: list[dict[int, float]] = []
        weights: list[float] = []
        missing = 0
        for raw, can in zip(raw_words, canon_words, strict=True):
            scores = self._word_scores(raw, can)
            if scores:
                per_word.append(scores)
                weights.append(float(min(max(len(raw), 3), 12)))
            else:
                missing += 1  # a word the register does not know ("zzp", "vacature") is noise
        total_weight = sum(weights)
        penalty = 0.92**missing
        candidates: set[int] = set()
        for scores in per_word:
            candidates.update(scores)

        # Whole-string similarity of the canonical compact forms.
        full: dict[int, float] = {}
        for _form, score, k in process.extract(
            q_canon, self._compacts.forms, scorer=fuzz.ratio, score_cutoff=FULL_CUTOFF, limit=None
        ):
            # 2F-100 keeps near-identical strings near 100 but punishes a wrong word hard:
            # "cechauffeur" vs "buschauffeur" is 87 by ratio, too close to a real match.
            value = 2.0 * float(score) - 100.0
            for e in self._compacts.entries[k]:
                full[e] = value
                candidates.add(e)

        q_len = len(q_canon)
        best: dict[int, tuple[float, bool, int]] = {}
        for e in candidates:
            entry = self._entries[e]
            if entry.compact == q_compact:
                score = 100.0
            else:
                cover = 0.0
                if total_weight:
                    cover = (
                        sum(w * s.get(e, 0.0) for w, s in zip(weights, per_word, strict=True))
                        / total_weight
                    )
                precision = min(1.0, q_len / max(len(entry.canon_compact), 1))
                score = min(
                    99.0, max(cover * (0.85 + 0.15 * precision) * penalty, full.get(e, 0.0))
                )
            if score < MIN_SCORE:
                continue
            key = (score, entry.is_label, e)
            current = best.get(entry.occupation)
            if current is None or (score, entry.is_label) > current[:2]:
                best[entry.occupation] = key
        top = heapq.nlargest(limit, best.values(), key=lambda t: (t[0], t[1], -t[2]))
        return [
            self._hit(e, score, raw_words, canon_words, full.get(e, 0.0)) for score, _l, e in top
        ]

    # -- explanation ---------------------------------------------------------------------------

    def _hit(
        self, e: int, score: float, raw_words: list[str], canon_words: list[str], full: float
    ) -> SearchHit:
        entry = self._entries[e]
        kind = "naam" if entry.is_label else "synoniem"
        quoted = f"{kind} '{entry.text}'"
        if score >= 100.0:
            why = f"exact gelijk aan {quoted}"
        elif full >= score:
            why = f"lijkt op {quoted} (spelling, woordvorm of typfout)"
        else:
            parts = [
                f"{w} ({_relation(w, c, entry)})"
                for w, c in zip(raw_words, canon_words, strict=True)
            ]
            why = f"zoekwoorden in {quoted}: " + ", ".join(parts)
        return SearchHit(self.occupations[entry.occupation], round(score, 1), entry.text, why)


def _relation(raw: str, can: str, entry: _Entry) -> str:
    """Dutch description of how one query word relates to an indexed string."""
    words = (*entry.raw_tokens, entry.compact)
    if raw in words:
        return "exact"
    if can in (*entry.canon_tokens, entry.canon_compact):
        return "woordvorm"
    if any(w.startswith(raw) for w in words):
        return "begin van woord"
    if len(raw) >= 3 and any(raw in w for w in words):
        return "deel van samenstelling"
    best = max((fuzz.ratio(can, w) for w in entry.canon_tokens), default=0.0)
    return "typfout" if best >= _fuzzy_cutoff(len(can)) else "niet gevonden"
