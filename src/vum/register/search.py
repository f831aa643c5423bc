# SPDX-License-Identifier: EUPL-1.2
"""Free-text occupation search: ranking occupations for what a mediator types.

Every indexed string (label or synonym) is scored by word coverage: how well each query word is
found among the string's words (exactly, in canonical form, with a typo, as a prefix or as part
of a compound; see index.py), weighted by word length, times a precision factor for the words
the query did not ask for. Word order is thus irrelevant and abbreviations ("CE", "IG") count
as words. A query of two or three words is also scored as the one compound word it joins to,
so "vrachtwagen chauffeur" and "vrachtwagenchauffeur" are equal, typos included. The best
string of each occupation represents it; further strings that match nearly as well add a small
bonus, and query words spread over several of its strings ("juf" + "basisschool...") still
count, a little less. Only rapidfuzz and ``str.find`` touch every string.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from rapidfuzz import fuzz

from vum.register.index import WordIndex, fuzzy_cutoff, is_lead
from vum.register.model import Occupation
from vum.register.normalize import canon, tokens

#: At most this many query words are used: a pasted paragraph must not make search slow.
MAX_QUERY_WORDS = 8
#: Function words (and vacancy-text filler) that say nothing about an occupation; ignored in
#: queries unless nothing else is left.
QUERY_STOPWORDS = frozenset(
    "de het een en of van voor met in op te bij aan als om uit naar ons onze wij we "  # noqa: SIM905
    "zoeken zoekt gezocht vacature m v mv".split()
)
#: Queries of up to this many words are also tried as one compound word ("kinder opvang").
MAX_JOINED_WORDS = 3
#: Hits scoring below this are noise, not suggestions.
MIN_SCORE = 40.0
#: Each query word the register does not know at all lowers the score by this factor.
MISSING_WORD_FACTOR = 0.92
MAX_MISSING = 3
#: Strings naming a leading role, when the query names none.
LEAD_FACTOR = 0.97
#: Query words found across several strings of one occupation instead of in one string.
SPREAD_FACTOR = 0.88
#: Each other string of the same occupation within this margin of its best adds the bonus
#: (at most SUPPORT_MAX of them).
SUPPORT_MARGIN = 8.0
SUPPORT_BONUS = 1.0
SUPPORT_MAX = 3
#: A query word occurring this often in the vocabulary ("medewerker") is scored only within the
#: occupations that its rarer companions found, which keeps such queries fast.
FREQUENT = 60
#: A word found in more strings than this is scored last (see `SearchIndex.search`).
BULKY = 150
#: Of a bulky word's strings, this many per requested hit are scored.
BULKY_SAMPLE = 8


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One occupation found: score 0..100, the label or synonym that matched, and why."""

    occupation: Occupation
    score: float
    matched: str
    why: str


@dataclass(slots=True)
class _Query:
    raw: list[str]
    canon: list[str]
    compact: str
    lead: bool


class SearchIndex(WordIndex):
    """The word index plus ranking; built once per register (`Register.search_index`)."""

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Occupations for free text, best first; [] for empty text."""
        typed = tokens(text)
        raw = [w for w in typed if w not in QUERY_STOPWORDS][:MAX_QUERY_WORDS] or typed[:1]
        if not raw or limit <= 0:
            return []
        # The compact form keeps the function words: "chef de partie" is "chefdepartie".
        compact = "".join(typed[: len(raw) + MAX_QUERY_WORDS])
        query = _Query(raw, [canon(w) for w in raw], compact, any(is_lead(w) for w in raw))
        words, weights, missing = self._score_words(query)
        penalty = MISSING_WORD_FACTOR ** min(missing, MAX_MISSING)
        joined: dict[int, float] = {}
        if 1 < len(typed) <= MAX_JOINED_WORDS:
            # A compound typed apart ("kinder opvang") also counts as the word it joins to.
            joined = self.word_scores(query.compact, canon(query.compact))

        per_occ = self._candidates(query, words, weights, penalty, joined, limit)
        spread = self._spread_scores(per_occ, words, weights, penalty) if len(words) > 1 else {}
        ranked: list[tuple[float, bool, int, bool]] = []
        for o, hits in per_occ.items():
            hits.sort(reverse=True)
            score, label_hit, e = hits[0]
            if score < 100.0:
                # More strings that match nearly as well: more evidence for this occupation.
                support = sum(
                    1 for h in hits[1 : 1 + SUPPORT_MAX] if h[0] >= score - SUPPORT_MARGIN
                )
                score = min(99.0, score + SUPPORT_BONUS * support)
            spread_score = spread.get(o, 0.0)
            if spread_score > score:
                ranked.append((spread_score, label_hit, e, True))
            else:
                ranked.append((score, label_hit, e, False))
        # Best first; on equal scores a preferred label before a synonym.
        top = heapq.nlargest(limit, ranked, key=lambda t: (t[0], t[1], -t[2]))
        return [
            self._spread_hit(e, score, words) if split else self._hit(e, score, query)
            for score, _label, e, split in top
        ]

    # -- scoring steps -------------------------------------------------------------------------

    def _score_words(
        self, query: _Query
    ) -> tuple[dict[str, dict[int, float]], dict[str, float], int]:
        """Scores per entry for each query word the register knows; weights; unknown count."""
        # Rarest first; short words (exact lookups) last, as they narrow nothing down.
        order = sorted(
            (len(raw) < 3, self.frequency(raw, can), raw, can)
            for raw, can in zip(query.raw, query.canon, strict=True)
        )
        words: dict[str, dict[int, float]] = {}
        weights: dict[str, float] = {}
        missing = 0
        found_occupations: set[int] = set()
        for _short, frequency, raw, can in order:
            if raw in words:
                continue
            scores = None
            if frequency > FREQUENT and found_occupations and not self.is_cached(raw, can):
                entries = self.entries_of(found_occupations)
                if len(entries) < frequency:
                    scores = self.word_scores_in(raw, can, entries)
            if scores is None:
                scores = self.word_scores(raw, can)
            if not scores:
                missing += 1  # a word the register does not know ("zzp", "vacature") is noise
                continue
            words[raw] = scores
            weights[raw] = float(min(max(len(raw), 3), 12))
            if len(raw) >= 3:  # "en", "ce": exact and cheap, but found in too many strings
                found_occupations.update(self.owner[e] for e in scores)
        return words, weights, missing

    def _candidates(
        self,
        query: _Query,
        words: dict[str, dict[int, float]],
        weights: dict[str, float],
        penalty: float,
        joined: dict[int, float],
        limit: int,
    ) -> dict[int, list[tuple[float, bool, int]]]:
        """Scored candidate strings per occupation.

        Words found in very many strings ("medewerker") would make every such string a
        candidate. The strings the other words found are scored first; of the rest only those
        where the bulky words score best, and only when they could still reach the list.
        """
        bulky = {w for w, sc in words.items() if len(sc) > BULKY}
        if len(joined) > BULKY:  # "medewerker s" joins to "medewerkers"
            strong = set(
                self.best_entries(query.compact, canon(query.compact), BULKY_SAMPLE * limit, 1)
            )
        else:
            strong = set(joined)
        for word, scores in words.items():
            if word not in bulky:
                strong.update(scores)
        score_args = (query, words, weights, penalty, joined)
        per_occ = self._entry_scores(strong, *score_args)
        if bulky:
            rest: set[int] = set()
            for word in bulky:
                rest.update(self.best_entries(word, canon(word), BULKY_SAMPLE * limit, len(words)))
            rest -= strong
            bound = penalty * 100.0 * sum(weights[w] for w in bulky) / sum(weights.values())
            best = sorted((max(h)[0] for h in per_occ.values()), reverse=True)
            # Within SUPPORT_MARGIN they could still add support to an occupation in the list.
            if len(best) < limit or bound + SUPPORT_MARGIN >= best[limit - 1]:
                for o, hits in self._entry_scores(rest, *score_args).items():
                    per_occ.setdefault(o, []).extend(hits)
        return per_occ

    def _entry_scores(
        self,
        candidates: set[int],
        query: _Query,
        words: dict[str, dict[int, float]],
        weights: dict[str, float],
        penalty: float,
        joined: dict[int, float],
    ) -> dict[int, list[tuple[float, bool, int]]]:
        """Score of each candidate entry, grouped by occupation."""
        owner, is_label, lead, n_words, compact = (
            self.owner,
            self.is_label,
            self.lead,
            self.n_words,
            self.compact,
        )
        pairs = [(weights[w], scores) for w, scores in words.items()]
        total = sum(weights.values())
        found = len(pairs)
        per_occ: dict[int, list[tuple[float, bool, int]]] = {}
        for e in candidates:
            if compact[e] == query.compact:
                score = 100.0
            else:
                cover = 0.0
                for w, s in pairs:
                    cover += w * s.get(e, 0.0)
                cover = cover / total if total else 0.0
                # Precision counts words, not letters: every extra word in a string is one
                # more thing the mediator did not ask for, however long or short it is.
                precision = min(1.0, found / n_words[e])
                score = cover * (0.85 + 0.15 * precision) * penalty
                if e in joined:
                    score = max(score, joined[e] * (0.85 + 0.15 / n_words[e]))
                if lead[e] and not query.lead:
                    # Without a word like "teamleider" or "manager" a mediator means the job
                    # itself: "callcenter" is the agent before the callcenter's team leader.
                    score *= LEAD_FACTOR
                score = min(score, 99.0)
            if score >= MIN_SCORE:
                per_occ.setdefault(owner[e], []).append((score, is_label[e], e))
        return per_occ

    def _spread_scores(
        self,
        per_occ: dict[int, list[tuple[float, bool, int]]],
        words: dict[str, dict[int, float]],
        weights: dict[str, float],
        penalty: float,
    ) -> dict[int, float]:
        """Occupation-level coverage: each word's best string of the occupation, discounted."""
        first = self.first_entry
        pairs = [(weights[w], scores) for w, scores in words.items()]
        factor = SPREAD_FACTOR * penalty / sum(weights.values())
        spread: dict[int, float] = {}
        for o in per_occ:
            entries = range(first[o], first[o + 1])
            total = 0.0
            for w, scores in pairs:
                total += w * max(scores.get(e, 0.0) for e in entries)
            spread[o] = total * factor
        return spread

    # -- explanation ---------------------------------------------------------------------------

    def _hit(self, e: int, score: float, query: _Query) -> SearchHit:
        text = self.text[e]
        quoted = f"{'naam' if self.is_label[e] else 'synoniem'} '{text}'"
        if score >= 100.0:
            why = f"exact gelijk aan {quoted}"
        else:
            forms = (*self.raw_words[e], self.compact[e])
            canon_forms = (*self.canon_words[e], self.canon_compact[e])
            parts = [
                f"{w} ({_relation(w, c, forms, canon_forms)})"
                for w, c in zip(query.raw, query.canon, strict=True)
            ]
            why = f"zoekwoorden in {quoted}: " + ", ".join(parts)
        return SearchHit(self.occupations[self.owner[e]], round(score, 1), text, why)

    def _spread_hit(self, e: int, score: float, words: dict[str, dict[int, float]]) -> SearchHit:
        o = self.owner[e]
        entries = range(self.first_entry[o], self.first_entry[o + 1])
        parts = []
        for word, scores in words.items():
            where = max(entries, key=lambda x: scores.get(x, 0.0))
            if scores.get(where, 0.0) > 0.0:
                parts.append(f"{word} → '{self.text[where]}'")
        why = "zoekwoorden verspreid over naam en synoniemen: " + ", ".join(parts)
        return SearchHit(self.occupations[o], round(score, 1), self.text[e], why)


def _relation(raw: str, can: str, forms: tuple[str, ...], canon_forms: tuple[str, ...]) -> str:
    """Dutch description of how one query word relates to the words of an indexed string."""
    if raw in forms:
        return "exact"
    if can in canon_forms:
        return "woordvorm"
    if any(w.startswith(raw) for w in forms):
        return "begin van woord"
    if len(raw) >= 3 and any(raw in w for w in forms):
        return "deel van samenstelling"
    best = max((fuzz.ratio(can, w) for w in canon_forms), default=0.0)
    return "typfout" if best >= fuzzy_cutoff(len(can)) else "niet gevonden"
