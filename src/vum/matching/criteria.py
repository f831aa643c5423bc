# SPDX-License-Identifier: EUPL-1.2
"""Each criterion of a query as a vectorised test over candidate rows — the same semantics as the reference evaluator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vum.matching.arrays import BoolArray, IntArray, member, member_any
from vum.matching.columns import Columns
from vum.standard import codelists as cl
from vum.standard.query import LanguageRequirement, Query


@dataclass(frozen=True)
class Criterion:
    """One criterion of a query: a short key, a Dutch description and its test."""

    key: str
    description: str
    test: Callable[[IntArray], BoolArray]


def _ordinal(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def _nl_date(text: str) -> str:
    return dt.date.fromisoformat(text).strftime("%d-%m-%Y")


def _language(cols: Columns, req: LanguageRequirement) -> Callable[[IntArray], BoolArray]:
    def test(rows: IntArray) -> BoolArray:
        col = cols.languages.get(req.code)
        if col is None:
            return np.zeros(len(rows), dtype=np.bool_)
        if req.oral is None or req.written is None:
            # One level or none: the best element of the language decides.
            if req.oral is not None:
                return col.best_oral[rows] >= req.oral
            if req.written is not None:
                return col.best_written[rows] >= req.written
            return col.best_oral[rows] >= -1
        ok = np.ones(len(col.rows), dtype=np.bool_)
        # VUM: $elemMatch — both minimum levels must hold for the same language element.
        if req.oral is not None:
            ok &= col.oral >= req.oral
        if req.written is not None:
            ok &= col.written >= req.written
        return member(cols.n, col.rows[ok], rows)

    return test


def _licence_test(cols: Columns, code: str) -> Callable[[IntArray], BoolArray]:
    def test(rows: IntArray) -> BoolArray:
        mask = cols.licences.get(code)
        if mask is None:
            return np.zeros(len(rows), dtype=np.bool_)
        result: BoolArray = mask[rows]
        return result

    return test


def _contract_test(cols: Columns, codes: tuple[str, ...]) -> Callable[[IntArray], BoolArray]:
    def test(rows: IntArray) -> BoolArray:
        result = np.zeros(len(rows), dtype=np.bool_)
        for code in codes:
            mask = cols.contracts.get(code)
            if mask is not None:
                result |= mask[rows]
        return result

    return test


def _known_at_most(values: NDArray[np.integer[Any]], top: int) -> BoolArray:
    """Present (not -1) and at most ``top``, from one gather of the column."""
    result: BoolArray = (values >= 0) & (values <= top)
    return result


def _language_text(req: LanguageRequirement) -> str:
    parts = [req.code]
    if req.oral is not None:
        parts.append(f"mondeling ≥ {cl.NIVEAU_TAALBEHEERSING.label(req.oral).lower()}")
    if req.written is not None:
        parts.append(f"schriftelijk ≥ {cl.NIVEAU_TAALBEHEERSING.label(req.written).lower()}")
    return "taal " + ", ".join(parts)


def criteria(
    cols: Columns, query: Query, extra_occupations: tuple[str, ...] = ()
) -> Iterator[Criterion]:
    """The criteria of ``query`` (without selectiegebied), each testable on any set of rows."""
    # Only the tests read the columns: a lazy Columns explains criteria without building them.
    n = cols.n
    occupations = tuple(dict.fromkeys((*query.occupations, *extra_occupations)))
    if occupations:
        yield Criterion(
            "beroep",
            f"beroep: een van {len(occupations)} gevraagde",
            lambda rows: member_any(
                n, [cols.occupations[u] for u in occupations if u in cols.occupations], rows
            ),
        )
    if query.contract_types:
        names = " of ".join(cl.TYPE_ARBEIDSCONTRACT.label(c).lower() for c in query.contract_types)
        yield Criterion(
            "contractvorm", f"contract {names}", _contract_test(cols, query.contract_types)
        )
    if query.irregular_hours is not None:
        v = query.irregular_hours
        yield Criterion(
            "onregelmatig",
            "onregelmatig werk/ploegendienst: " + cl.INDICATIE.label(v).lower(),
            lambda rows: cols.irregular[rows] == v,
        )
    if query.office_hours is not None:
        o = query.office_hours
        yield Criterion(
            "kantoortijden",
            "kantoortijden: " + cl.INDICATIE.label(o).lower(),
            lambda rows: cols.office[rows] == o,
        )
    for code in query.licences:
        yield Criterion(f"rijbewijs {code}", f"rijbewijs {code}", _licence_test(cols, code))
    for req in query.languages:
        yield Criterion(f"taal {req.code}", _language_text(req), _language(cols, req))
    if query.available_by is not None:
        by = _ordinal(query.available_by)
        yield Criterion(
            "beschikbaar",
            f"beschikbaar uiterlijk {_nl_date(query.available_by)}",
            lambda rows: _known_at_most(cols.day[rows], by),
        )
    if query.starts_from is not None:
        start = _ordinal(query.starts_from)
        yield Criterion(
            "start",
            f"start vanaf {_nl_date(query.starts_from)}",
            lambda rows: cols.day[rows] >= start,
        )
    if query.hours_min is not None:
        lo = query.hours_min
        yield Criterion(
            "uren", f"maximaal aantal uren ≥ {lo}", lambda rows: cols.hours_max[rows] >= lo
        )
    if query.hours_max is not None:
        hi = query.hours_max
        yield Criterion(
            "uren ",
            f"minimaal aantal uren ≤ {hi}",
            lambda rows: _known_at_most(cols.hours_min[rows], hi),
        )
    if query.level_eq is not None:
        eq = int(query.level_eq)
        yield Criterion(
            "niveau", "werk- en denkniveau onbekend", lambda rows: cols.level[rows] == eq
        )
    if query.level_from is not None:
        frm = int(query.level_from)
        yield Criterion(
            "niveau",
            "werk- en denkniveau ≥ " + cl.WERK_EN_DENKNIVEAU.label(frm).lower(),
            lambda rows: cols.level[rows] >= frm,
        )
    if query.level_below is not None:
        below = int(query.level_below)
        yield Criterion(
            "niveau ",
            f"werk- en denkniveau bekend (< {below})",
            lambda rows: _known_at_most(cols.level[rows], below - 1),
        )
