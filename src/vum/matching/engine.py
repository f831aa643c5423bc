# SPDX-License-Identifier: EUPL-1.2
"""The columnar engine: selection at the source in milliseconds, ranked and explained before the cut to 100."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vum.geo import PostcodeError, resolve
from vum.matching.arrays import FloatArray, IntArray, member_any, rounded, union
from vum.matching.columns import Columns, RankingBase
from vum.matching.criteria import criteria
from vum.matching.extensions import Extensions, parse_extensions
from vum.matching.text import TextMatch
from vum.matching.types import Explanation, Hit, SearchResult
from vum.standard.attributes import strip_detail_only
from vum.standard.kinds import Kind
from vum.standard.query import Query

# The most points each part of the score can give; a query's score is scaled over the parts
# it uses, so 100 means "as good as this query can be met".
W_DISTANCE = 30.0
W_HOURS = 15.0
W_LANGUAGE = 10.0
W_COMPLETE = 10.0
W_TEXT = 25.0
W_WISHES = 30.0
W_OCCUPATION = 10.0

# A query starts from posting lists (occupations, $text terms) when they hold fewer than
# 1/SMALL_PLAN_SHARE of the placed records, and from the cells in reach otherwise.
SMALL_PLAN_SHARE = 8
# Up to this many matches are sorted whole; more are first cut to the best ``limit`` (_best).
SORT_ALL = 1024


def _best(scores: FloatArray, distance: FloatArray, rows: IntArray, limit: int) -> NDArray[np.intp]:
    """Positions of the ``limit`` best scores; at the cut, ties go by distance, then by row.

    ``argpartition`` alone would pick among records tied at the cut arbitrarily, so which of
    them made the 100 could change between runs and sources.
    """
    top = np.argpartition(-scores, limit - 1)[:limit]
    # Scores count as equal when they agree to 6 decimals (as the order below); the cut's
    # candidates are found with one comparison, then only they are rounded.
    kth = float(np.round(scores[top].min(), 6))
    near = np.flatnonzero(scores >= kth - 1e-6)
    if len(near) == limit:
        return top
    rounded_near = np.round(scores[near], 6)
    above = near[rounded_near > kth]
    tied = near[rounded_near == kth]
    tied = tied[np.lexsort((rows[tied], distance[tied]))[: limit - len(above)]]
    return np.concatenate((above, tied))


def _order(
    scores: FloatArray, distance: FloatArray, rows: IntArray, limit: int
) -> NDArray[np.intp]:
    """Positions of the ``limit`` best, best first: by score to 6 decimals, distance, row."""
    # -round(score, 6) as numpy rounds (rint(score * 1e6) / 1e6) orders and ties as
    # rint(score * -1e6) does, without the division and the negation.
    if len(scores) <= max(SORT_ALL, limit):
        # Few: sorting them all and keeping the first ``limit`` is the same cut as ``_best``
        # and costs fewer numpy calls, which dominate a query on a few hundred records.
        key = scores * -1e6
        order: NDArray[np.intp] = np.lexsort((rows, distance, np.rint(key, out=key)))
        return order[:limit]
    top = _best(scores, distance, rows, limit)
    key = scores[top] * -1e6
    ranked: NDArray[np.intp] = top[np.lexsort((rows[top], distance[top], np.rint(key, out=key)))]
    return ranked


class ColumnarEngine:
    """Answers queries over one dataset; built once, read by many requests (thread-safe reads)."""

    def __init__(
        self,
        kind: Kind,
        records: Sequence[Mapping[str, Any]],
        *,
        eager_text: bool = True,
        summaries: bool = False,
        ids: list[str] | None = None,
        base: RankingBase | None = None,
    ) -> None:
        """``eager_text=False``: short-lived (build indexes and summaries on first use);
        ``summaries``: the records are summaries already (no stripping); ``ids`` and ``base``:
        as :class:`Columns` takes them."""
        self.kind = kind
        self._records = list(records)
        # A source builds every index with the dataset, so no query waits for one. The
        # facility's short-lived engines over merged answers build the text index and the
        # criteria columns only when a query reads them: ranking needs placement and
        # completeness only.
        self.cols = Columns(kind, self._records, lazy=not eager_text, ids=ids, base=base)
        # Records that are summaries already (the facility's merge) are their own summary. A
        # source makes every summary with the dataset: a query answers with up to 100, mostly
        # of records it has not sent before, and making one then costs several times what it
        # costs here (the record is cold in the CPU caches). Short-lived engines make them on
        # first use and keep them.
        self._summaries: list[Mapping[str, Any] | None]
        if summaries:
            self._summaries = list(self._records)
        elif eager_text:
            self._summaries = [strip_detail_only(kind, r) for r in self._records]
        else:
            self._summaries = [None] * len(self._records)
        self._all_summaries = summaries or eager_text
        # The completeness part of a score per count of filled members (as W_COMPLETE times
        # the completeness in float64 per row, with one small gather).
        self._complete_points = W_COMPLETE * self.cols.completeness_levels.astype(np.float64)
        if eager_text:
            _ = self.cols.text

    def __len__(self) -> int:
        return self.cols.n

    def _summary(self, row: int) -> Mapping[str, Any]:
        summary = self._summaries[row]
        if summary is None:
            summary = self._summaries[row] = strip_detail_only(self.kind, self._records[row])
        return summary

    def detail(self, record_id: str) -> Mapping[str, Any] | None:
        row = self.cols.row_of.get(record_id)
        return None if row is None else self._records[row]

    # -- selection ---------------------------------------------------------------------------
    def _area(
        self, query: Query, ext: Extensions, text: TextMatch | None = None
    ) -> tuple[IntArray, FloatArray, bool, FloatArray | None]:
        """Rows in the selectiegebied, km per cell, from occupations' lists?, their text scores."""
        # The rows are a superset of the answer; the distance of a PC4 cell to the centre is
        # exact for every cell in reach. A small plan: when the asked occupations, or else the
        # records holding a $text term, are few, start from their posting lists and keep the
        # rows in reach (those of the occupations all meet the occupation criterion: "seeded";
        # those of the text come with their scores); otherwise take the cells in reach.
        cols = self.cols
        centre = _centre(query.postcode)
        if centre is None:
            # VUM: a selectiegebied that cannot be placed holds no records.
            return _NO_ROWS, _NO_KM, False, None
        radius = float(query.radius_km)
        reach = cols.grid.reach(centre[0], centre[1], radius)
        cell_km = reach.km
        small = len(cols.cell_rows) // SMALL_PLAN_SHARE
        asked = (*query.occupations, *ext.occupations)
        known = [u for u in asked if u in cols.occupations]
        if asked and sum(len(cols.occupations[u]) for u in known) < small:
            # Each list filtered by distance first (its cells are stored beside it): the union
            # then sorts only the records in reach. Unplaced records (cell -1) read the extra
            # last slot of ``inside``: never in reach.
            inside = reach.inside
            near = [cols.occupations[u][inside.take(cols.occupation_cells[u])] for u in known]
            return union(near), cell_km, True, None
        if text is not None and text.size < small:
            rows, points = text.within(cell_km, radius)
            # In the order the area's cells give them (by cell, then row), so that ties at the
            # cut to ``limit`` fall as they do for the area plan.
            order = np.argsort(cols.cell[rows], kind="stable")
            return rows[order], cell_km, False, points[order]
        cells = reach.cells
        if len(cells) == len(cols.grid):
            # The whole country is in reach: every placed record, without gathering cell by cell.
            return cols.cell_rows, cell_km, False, None
        starts = cols.cell_offsets[cells]
        lengths = cols.cell_offsets[cells + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return _NO_ROWS, cell_km, False, None
        # Concatenate the records of every cell in reach without a Python loop.
        shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return cols.cell_rows[shift + np.arange(total)], cell_km, False, None

    def select(self, query: Query, ext: Extensions | None = None) -> IntArray:
        """Rows that satisfy every criterion of the query (and the $text extension)."""
        ext = ext if ext is not None else parse_extensions(query)
        text = self._text(ext)
        rows, _, seeded, points = self._area(query, ext, text)
        return self._filter(query, ext, rows, text, seeded, points)[0]

    def _text(self, ext: Extensions) -> TextMatch | None:
        return self.cols.text.match(ext.text) if ext.text else None

    def _filter(
        self,
        query: Query,
        ext: Extensions,
        rows: IntArray,
        text: TextMatch | None,
        seeded: bool = False,
        points: FloatArray | None = None,  # the text scores of ``rows`` when known already
    ) -> tuple[IntArray, FloatArray | None]:
        """The rows that meet every criterion and, with ``$text``, their text scores."""
        for criterion in criteria(self.cols, query, ext.occupations):
            if len(rows) == 0:
                break
            if seeded and criterion.key == "beroep":
                continue  # the rows are the union of these occupations' posting lists
            met = criterion.test(rows)
            rows = rows[met]
            if points is not None:
                points = points[met]
        if text is None:
            return rows, None
        if points is None:
            points = text.of(rows)
        found = points > 0.0
        return rows[found], points[found]

    # -- ranking -----------------------------------------------------------------------------
    def search(self, query: Query, limit: int = 100) -> SearchResult:
        """Select the records that meet every criterion, rank them, return the best ``limit``."""
        ext = parse_extensions(query)
        text = self._text(ext)
        rows, cell_km, seeded, points = self._area(query, ext, text)
        rows, points = self._filter(query, ext, rows, text, seeded, points)
        return self._ranked(query, ext, rows, cell_km, points, limit, in_reach=True)

    def rank(self, query: Query, limit: int | None = None) -> SearchResult:
        """Rank every record by how well it meets the query, filtering none out.

        The facility uses this on the merged summaries of all sources: a foreign source's answer
        is ranked with the same scoring, and what a source chose to send is not second-guessed.
        """
        ext = parse_extensions(query)
        centre = _centre(query.postcode)
        grid = self.cols.grid
        # Every cell exact: records outside the radius are ranked (and explained) too.
        cell_km = grid.cell_km(*centre) if centre is not None else np.full(len(grid) + 1, np.inf)
        rows = np.arange(self.cols.n, dtype=np.int32)
        text = self._text(ext)
        return self._ranked(
            query,
            ext,
            rows,
            cell_km,
            None if text is None else text.of(rows),
            self.cols.n if limit is None else limit,
            in_reach=False,
        )

    def _ranked(
        self,
        query: Query,
        ext: Extensions,
        rows: IntArray,
        cell_km: FloatArray,
        text_points: FloatArray | None,
        limit: int,
        *,
        in_reach: bool,
    ) -> SearchResult:
        """The best ``limit`` of ``rows``; ``in_reach``: all are within the query's radius."""
        total = len(rows)
        if total == 0 or limit <= 0:
            return SearchResult([], total, limit, query.ignored)
        distance = cell_km[self.cols.cell[rows]]
        parts = self._score_parts(query, ext, rows, distance, text_points, in_reach)
        scores = _scores(parts)
        order = _order(scores, distance, rows, limit)
        top_rows = rows[order]
        count = len(order)
        # The scores and km of the hits side by side, rounded in one go (mode="clip": the
        # positions are valid; it only spares numpy a buffered copy).
        picked = np.empty(2 * count)
        scores.take(order, out=picked[:count], mode="clip")
        km = distance.take(order, out=picked[count:], mode="clip")
        explainer = _LazyExplainer(self.cols, query, ext, top_rows, parts, order, km)
        # Plain Python numbers from here: a numpy scalar costs more per use than the hit itself.
        shown = rounded(picked, 2)
        row_list = top_rows.tolist()
        ids = self.cols.ids
        hit_ids: Sequence[str]
        hit_summaries: Sequence[Mapping[str, Any]]
        if self._all_summaries and count > 1:
            # Gathered in one C loop each: the ids and summaries of a query's hits lie all over
            # the heap, and there their cache misses overlap instead of coming one per hit.
            got = itemgetter(*row_list)
            hit_ids, hit_summaries = got(ids), got(self._summaries)
        else:
            hit_ids = [ids[row] for row in row_list]
            hit_summaries = [self._summary(row) for row in row_list]
        hits: list[Hit] = [
            _RankedHit(
                record_id,
                score,
                shown_km if math.isfinite(shown_km) else None,
                summary,
                explainer,
                pos,
            )
            for pos, (record_id, score, shown_km, summary) in enumerate(
                zip(hit_ids, shown[:count], shown[count:], hit_summaries, strict=True)
            )
        ]
        return SearchResult(hits, total, limit, query.ignored)

    def _score_parts(
        self,
        query: Query,
        ext: Extensions,
        rows: IntArray,
        distance: FloatArray,
        text_points: FloatArray | None,
        in_reach: bool,
    ) -> dict[str, FloatArray]:
        cols = self.cols
        radius = max(float(query.radius_km), 1.0)
        # W_DISTANCE * clip(1 - distance / radius, 0, 1), in place: each numpy call costs more
        # than its arithmetic on a few hundred rows. Rows in reach need no clip: their
        # distance is at most the radius, so 1 - distance / radius is in [0, 1] already.
        near = distance / radius
        np.subtract(1.0, near, out=near)
        if not in_reach:
            np.maximum(near, 0.0, out=near)
            np.minimum(near, 1.0, out=near)
        near *= W_DISTANCE
        parts: dict[str, FloatArray] = {
            "afstand": near,
            "volledigheid": self._complete_points[cols.filled[rows]],
        }
        if query.hours_min is not None or query.hours_max is not None:
            q_lo = float(query.hours_min or 1)
            q_hi = float(query.hours_max or 99)
            low, high = cols.hours_min[rows], cols.hours_max[rows]
            r_lo = np.where(low >= 0, low, 0).astype(np.float64)
            r_hi = np.where(high >= 0, high, 99).astype(np.float64)
            overlap = np.clip(np.minimum(q_hi, r_hi) - np.maximum(q_lo, r_lo), 0.0, None)
            parts["uren"] = W_HOURS * np.minimum(1.0, (overlap + 1.0) / (q_hi - q_lo + 1.0))
        if query.languages:
            parts["taal"] = W_LANGUAGE * self._language_margin(query, rows)
        if ext.occupations and query.occupations:
            lists = [cols.occupations[u] for u in query.occupations if u in cols.occupations]
            primary = member_any(cols.n, lists, rows)
            parts["beroep"] = np.where(primary, W_OCCUPATION, W_OCCUPATION / 2)
        if text_points is not None:
            best = max(float(text_points.max()), 1e-9)
            parts["tekst"] = W_TEXT * text_points / best
        if ext.wishes is not None:
            wishes = list(criteria(cols, ext.wishes, ext.occupations))
            if wishes:
                met = np.zeros(len(rows), dtype=np.float64)
                for wish in wishes:
                    met += wish.test(rows)
                parts["wensen"] = W_WISHES * met / len(wishes)
        return parts

    def _language_margin(self, query: Query, rows: IntArray) -> FloatArray:
        """How far each asked language goes above the asked minimum levels (0..1)."""
        total = np.zeros(len(rows), dtype=np.float64)
        for req in query.languages:
            col = self.cols.languages.get(req.code)
            if col is None:
                continue
            for best, minimum in ((col.best_oral, req.oral), (col.best_written, req.written)):
                floor = minimum if minimum is not None else 2
                total += np.clip((best[rows] - floor) / max(4 - floor, 1), 0.0, 1.0) / 2
        result: FloatArray = total / len(query.languages)
        return result


def _scores(parts: dict[str, FloatArray]) -> FloatArray:
    """The parts summed in their order and scaled to 0..100 over the parts the query uses."""
    # As sum(parts.values()) / maximum * 100 did, in place (0 + the first part is that part:
    # no part is -0.0).
    values = iter(parts.values())
    scores = next(values) + next(values)
    for part in values:
        scores += part
    scores /= sum(_MAX[name] for name in parts)
    scores *= 100.0
    return scores


class _LazyExplainer:
    """Per-criterion explanations for the returned hits, built on first use, once per search."""

    def __init__(
        self,
        cols: Columns,
        query: Query,
        ext: Extensions,
        top_rows: IntArray,
        parts: dict[str, FloatArray],
        order: NDArray[np.intp],
        distances: FloatArray,
    ) -> None:
        self._args = (cols, query, ext, top_rows, parts, order)
        self._km = distances
        self._distances: list[float] = []
        self._ready: _Explainer | None = None

    def explain(self, pos: int) -> tuple[Explanation, ...]:
        if self._ready is None:
            # (The distances first: another thread takes a ready explainer as the sign.)
            self._distances = self._km.tolist()
            self._ready = _Explainer(*self._args)
        return self._ready(pos, self._distances[pos])


class _RankedHit(Hit):
    """A hit of a search, explained on first access by the search's explainer."""

    # One object per hit rather than a hit and a bound callable: a search makes up to 100.
    __slots__ = ("_explainer", "_pos")

    def __init__(
        self,
        record_id: str,
        score: float,
        distance_km: float | None,
        summary: Mapping[str, Any],
        explainer: _LazyExplainer,
        pos: int,
    ) -> None:
        self.record_id = record_id
        self.score = score
        self.distance_km = distance_km
        self.summary = summary
        self._explainer: _LazyExplainer | None = explainer
        self._pos = pos

    @property
    def explanations(self) -> tuple[Explanation, ...]:
        if self._explainer is not None:
            self._explanations, self._explainer = self._explainer.explain(self._pos), None
        return self._explanations


class _Explainer:
    """Per-criterion explanations for the returned hits; the criteria are built once per search."""

    def __init__(
        self,
        cols: Columns,
        query: Query,
        ext: Extensions,
        top_rows: IntArray,
        parts: dict[str, FloatArray],
        order: NDArray[np.intp],
    ) -> None:
        self.query = query
        self.met = [
            Explanation(c.key.strip(), True, 0.0, c.description)
            for c in criteria(cols, query, ext.occupations)
        ]
        # Per hit (in answer order) as plain Python values, gathered once for all hits.
        self.wishes = [
            (
                w.test(top_rows).tolist(),
                Explanation("wens", False, 0.0, "wens niet vervuld: " + w.description),
                Explanation("wens", True, 0.0, "wens vervuld: " + w.description),
            )
            for w in (criteria(cols, ext.wishes, ext.occupations) if ext.wishes is not None else ())
        ]
        self.parts = {name: values[order].tolist() for name, values in parts.items()}
        self.extra = [name for name in ("uren", "taal", "beroep", "tekst") if name in parts]
        # float32 * 100 as before, so the percentage prints alike.
        self.complete = (cols.completeness[top_rows] * 100).tolist()
        # Explanations are immutable and hits share values (a cell's distance, a completeness,
        # an hour overlap): each is made once per value.
        self.made: dict[tuple[str, float], Explanation] = {}

    def __call__(self, pos: int, distance: float) -> tuple[Explanation, ...]:
        parts, made = self.parts, self.made
        where = made.get(("afstand", distance))
        if where is None:
            where = made["afstand", distance] = self._distance(distance, parts["afstand"][pos])
        out = [where, *self.met]
        for name in self.extra:
            points = parts[name][pos]
            part = made.get((name, points))
            if part is None:
                part = Explanation(name, None, points, _PART_TEXT[name])
                if points:  # (a zero may be -0.0, which a key would not tell from 0.0)
                    made[name, points] = part
            out.append(part)
        out += [(unmet, met)[flags[pos]] for flags, unmet, met in self.wishes]
        complete = self.complete[pos]
        filled = made.get(("volledigheid", complete))
        if filled is None:
            filled = made["volledigheid", complete] = Explanation(
                "volledigheid",
                None,
                parts["volledigheid"][pos],
                f"{complete:.0f}% van de kerngegevens ingevuld",
            )
        out.append(filled)
        return tuple(out)

    def _distance(self, distance: float, points: float) -> Explanation:
        q = self.query
        if not math.isfinite(distance):
            where = "afstand onbekend: postcode niet te plaatsen"
        else:
            km = f"{distance:.1f}".replace(".", ",")
            inside = "binnen" if distance <= q.radius_km else "buiten het zoekgebied van"
            where = f"{km} km van {q.postcode} ({inside} {q.radius_km} km)"
        return Explanation("afstand", None, points, where)


_PART_TEXT = {
    "uren": "overlap van de werkuren",
    "taal": "taalniveau boven het gevraagde minimum",
    "beroep": "gevraagd beroep (vol) of extra beroep (half)",
    "tekst": "relevantie van de vrije tekst",
}

_MAX: dict[str, float] = {
    "afstand": W_DISTANCE,
    "volledigheid": W_COMPLETE,
    "uren": W_HOURS,
    "taal": W_LANGUAGE,
    "beroep": W_OCCUPATION,
    "tekst": W_TEXT,
    "wensen": W_WISHES,
}
_NO_ROWS: IntArray = np.empty(0, dtype=np.int32)
_NO_KM: FloatArray = np.empty(0)


@lru_cache(maxsize=4096)
def _centre(postcode: str) -> tuple[float, float] | None:
    """(lat, lon) of a selectiegebied's postcode, None when it cannot be placed; centres repeat."""
    try:
        location = resolve(postcode)
    except PostcodeError:
        return None
    return location.lat, location.lon
