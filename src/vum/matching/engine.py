# SPDX-License-Identifier: EUPL-1.2
"""The columnar engine: selection at the source in milliseconds, ranked and explained before the cut to 100."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from vum.geo import PostcodeError, haversine_km_array, resolve
from vum.matching.arrays import FloatArray, IntArray, member_any
from vum.matching.columns import Columns
from vum.matching.criteria import criteria
from vum.matching.extensions import Extensions, parse_extensions
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


class ColumnarEngine:
    """Answers queries over one dataset; built once, read by many requests (thread-safe reads)."""

    def __init__(
        self, kind: Kind, records: Sequence[Mapping[str, Any]], *, eager_text: bool = True
    ) -> None:
        self.kind = kind
        self._records = list(records)
        self.cols = Columns(kind, self._records)
        # Summaries are made on first use and kept: popular records are sent again and again.
        self._summaries: list[Mapping[str, Any] | None] = [None] * len(self._records)
        if eager_text:
            # A source builds its text index with the dataset, so no query waits for it; the
            # facility's short-lived engines over merged answers build it only when asked.
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
        self, query: Query, ext: Extensions | None = None
    ) -> tuple[IntArray, FloatArray]:
        """Rows within the selectiegebied (a superset of the answer), and the distance (km) of
        every PC4 cell to its centre.

        A small plan: when the asked occupations hold fewer records than the area, start from
        their posting lists and keep those in reach; otherwise take the area's cells.
        """
        cols = self.cols
        try:
            centre = resolve(query.postcode)
        except PostcodeError:
            # VUM: a selectiegebied that cannot be placed holds no records.
            return np.empty(0, dtype=np.int32), np.empty(0)
        radius = float(query.radius_km)
        occupations = (*query.occupations, *(ext.occupations if ext is not None else ()))
        if occupations:
            seeds = [cols.occupations[u] for u in occupations if u in cols.occupations]
            if sum(len(p) for p in seeds) < len(cols.cell_rows) // 8:
                rows = np.unique(np.concatenate(seeds)) if seeds else np.empty(0, np.int32)
                cell = cols.cell[rows]
                placed = cell >= 0
                rows, cell = rows[placed], cell[placed]
                # Distances only for the cells these few records lie in.
                cell_km = np.full(len(cols.grid_lat), np.inf)
                used = np.unique(cell)
                cell_km[used] = haversine_km_array(
                    cols.grid_lat[used], cols.grid_lon[used], centre.lat, centre.lon
                )
                return rows[cell_km[cell] <= radius].astype(np.int32), cell_km
        cell_km = haversine_km_array(cols.grid_lat, cols.grid_lon, centre.lat, centre.lon)
        inside = cell_km <= radius
        if inside.all():
            # The whole country is in reach: every placed record, without gathering cell by cell.
            return cols.cell_rows, cell_km
        cells = np.flatnonzero(inside)
        starts = cols.cell_offsets[cells]
        lengths = cols.cell_offsets[cells + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=np.int32), cell_km
        # Concatenate the records of every cell in reach without a Python loop.
        shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return cols.cell_rows[shift + np.arange(total)], cell_km

    def select(self, query: Query, ext: Extensions | None = None) -> IntArray:
        """Rows that satisfy every criterion of the query (and the $text extension)."""
        ext = ext if ext is not None else parse_extensions(query)
        rows, _ = self._area(query, ext)
        return self._filter(query, ext, rows, self._text(ext))

    def _text(self, ext: Extensions) -> FloatArray | None:
        return self.cols.text.scores(ext.text)[0] if ext.text else None

    def _filter(
        self, query: Query, ext: Extensions, rows: IntArray, text: FloatArray | None
    ) -> IntArray:
        extra = ext.occupations if query.occupations or ext.occupations else ()
        for criterion in criteria(self.cols, query, extra):
            if len(rows) == 0:
                break
            rows = rows[criterion.test(rows)]
        if text is not None and len(rows):
            rows = rows[text[rows] > 0.0]
        return rows

    # -- ranking -----------------------------------------------------------------------------
    def search(self, query: Query, limit: int = 100) -> SearchResult:
        """Select the records that meet every criterion, rank them, return the best ``limit``."""
        ext = parse_extensions(query)
        rows, cell_km = self._area(query, ext)
        text = self._text(ext)
        rows = self._filter(query, ext, rows, text)
        return self._ranked(query, ext, rows, cell_km, text, limit)

    def rank(self, query: Query, limit: int | None = None) -> SearchResult:
        """Rank every record by how well it meets the query, filtering none out.

        The facility uses this on the merged summaries of all sources: a foreign source's answer
        is ranked with the same scoring, and what a source chose to send is not second-guessed.
        """
        ext = parse_extensions(query)
        try:
            centre = resolve(query.postcode)
            cell_km = haversine_km_array(
                self.cols.grid_lat, self.cols.grid_lon, centre.lat, centre.lon
            )
        except PostcodeError:
            cell_km = np.full(len(self.cols.grid_lat), np.inf)
        # Unplaced records (cell -1) read the extra last slot: infinitely far away.
        cell_km = np.append(cell_km, np.inf)
        rows = np.arange(self.cols.n, dtype=np.int32)
        return self._ranked(
            query, ext, rows, cell_km, self._text(ext), self.cols.n if limit is None else limit
        )

    def _ranked(
        self,
        query: Query,
        ext: Extensions,
        rows: IntArray,
        cell_km: FloatArray,
        text: FloatArray | None,
        limit: int,
    ) -> SearchResult:
        total = len(rows)
        if total == 0 or limit <= 0:
            return SearchResult([], total, limit, query.ignored)
        distance = cell_km[self.cols.cell[rows]]
        parts = self._score_parts(query, ext, rows, distance, text)
        scores = sum(parts.values()) / sum(_MAX[name](query, ext) for name in parts) * 100.0
        top = np.argpartition(-scores, limit - 1)[:limit] if total > limit else np.arange(total)
        # Best first; ties by distance, then by row (stable for a dataset version).
        order = top[np.lexsort((rows[top], distance[top], -np.round(scores[top], 6)))].tolist()
        explainer = _LazyExplainer(self.cols, query, ext, rows[order])
        hits = []
        for pos, i in enumerate(order):
            km = float(distance[i])
            hits.append(
                Hit(
                    self.cols.ids[rows[i]],
                    round(float(scores[i]), 2),
                    round(km, 2) if np.isfinite(km) else None,
                    self._summary(int(rows[i])),
                    explain=partial(explainer.explain, pos, km, parts, i),
                )
            )
        return SearchResult(hits, total, limit, query.ignored)

    def _score_parts(
        self,
        query: Query,
        ext: Extensions,
        rows: IntArray,
        distance: FloatArray,
        text: FloatArray | None,
    ) -> dict[str, FloatArray]:
        cols = self.cols
        radius = max(float(query.radius_km), 1.0)
        parts: dict[str, FloatArray] = {
            "afstand": W_DISTANCE * np.clip(1.0 - distance / radius, 0.0, 1.0),
            "volledigheid": W_COMPLETE * cols.completeness[rows].astype(np.float64),
        }
        if query.hours_min is not None or query.hours_max is not None:
            q_lo = float(query.hours_min or 1)
            q_hi = float(query.hours_max or 99)
            r_lo = np.where(cols.hours_min[rows] >= 0, cols.hours_min[rows], 0).astype(np.float64)
            r_hi = np.where(cols.hours_max[rows] >= 0, cols.hours_max[rows], 99).astype(np.float64)
            overlap = np.clip(np.minimum(q_hi, r_hi) - np.maximum(q_lo, r_lo), 0.0, None)
            parts["uren"] = W_HOURS * np.minimum(1.0, (overlap + 1.0) / (q_hi - q_lo + 1.0))
        if query.languages:
            parts["taal"] = W_LANGUAGE * self._language_margin(query, rows)
        if ext.occupations and query.occupations:
            lists = [cols.occupations[u] for u in query.occupations if u in cols.occupations]
            primary = member_any(cols.n, lists, rows)
            parts["beroep"] = np.where(primary, W_OCCUPATION, W_OCCUPATION / 2)
        if text is not None:
            raw = text[rows]
            parts["tekst"] = W_TEXT * raw / max(float(raw.max()), 1e-9)
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


class _LazyExplainer:
    """Per-criterion explanations for the returned hits, built on first use, once per search."""

    def __init__(self, cols: Columns, query: Query, ext: Extensions, top_rows: IntArray) -> None:
        self._args = (cols, query, ext, top_rows)
        self._ready: _Explainer | None = None

    def explain(
        self, pos: int, distance: float, parts: dict[str, FloatArray], index: int
    ) -> tuple[Explanation, ...]:
        if self._ready is None:
            self._ready = _Explainer(*self._args)
        return self._ready(pos, distance, {k: float(v[index]) for k, v in parts.items()})


class _Explainer:
    """Per-criterion explanations for the returned hits; the criteria are built once per search."""

    def __init__(self, cols: Columns, query: Query, ext: Extensions, top_rows: IntArray) -> None:
        self.cols = cols
        self.query = query
        self.met = [
            Explanation(c.key.strip(), True, 0.0, c.description)
            for c in criteria(cols, query, ext.occupations)
        ]
        self.wishes = [
            (w.description, w.test(top_rows))
            for w in (criteria(cols, ext.wishes, ext.occupations) if ext.wishes is not None else ())
        ]
        self.top_rows = top_rows

    def __call__(
        self, pos: int, distance: float, parts: dict[str, float]
    ) -> tuple[Explanation, ...]:
        q = self.query
        if not np.isfinite(distance):
            where = "afstand onbekend: postcode niet te plaatsen"
        else:
            km = f"{distance:.1f}".replace(".", ",")
            inside = "binnen" if distance <= q.radius_km else "buiten het zoekgebied van"
            where = f"{km} km van {q.postcode} ({inside} {q.radius_km} km)"
        out = [Explanation("afstand", None, parts["afstand"], where), *self.met]
        out += [
            Explanation(name, None, parts[name], _PART_TEXT[name])
            for name in ("uren", "taal", "beroep", "tekst")
            if name in parts
        ]
        for description, met in self.wishes:
            ok = bool(met[pos])
            out.append(
                Explanation(
                    "wens",
                    ok,
                    0.0,
                    ("wens vervuld: " if ok else "wens niet vervuld: ") + description,
                )
            )
        row = int(self.top_rows[pos])
        out.append(
            Explanation(
                "volledigheid",
                None,
                parts["volledigheid"],
                f"{self.cols.completeness[row] * 100:.0f}% van de kerngegevens ingevuld",
            )
        )
        return tuple(out)


_PART_TEXT = {
    "uren": "overlap van de werkuren",
    "taal": "taalniveau boven het gevraagde minimum",
    "beroep": "gevraagd beroep (vol) of extra beroep (half)",
    "tekst": "relevantie van de vrije tekst",
}

_MAX: dict[str, Any] = {
    "afstand": lambda q, e: W_DISTANCE,
    "volledigheid": lambda q, e: W_COMPLETE,
    "uren": lambda q, e: W_HOURS,
    "taal": lambda q, e: W_LANGUAGE,
    "beroep": lambda q, e: W_OCCUPATION,
    "tekst": lambda q, e: W_TEXT,
    "wensen": lambda q, e: W_WISHES,
}
