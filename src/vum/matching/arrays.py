# SPDX-License-Identifier: EUPL-1.2
"""Small numpy helpers and type aliases shared by the indexes: posting lists and masks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int32]
Int16Array = NDArray[np.int16]
Int8Array = NDArray[np.int8]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


def postings(pairs: dict[Any, list[int]]) -> dict[Any, IntArray]:
    """Freeze value -> rows lists (ascending, without repeats) into int32 arrays."""
    return {key: np.array(rows, dtype=np.int32) for key, rows in pairs.items()}


def mask(n: int, rows: list[int]) -> BoolArray:
    """One boolean array of n, true at ``rows``."""
    out = np.zeros(n, dtype=np.bool_)
    out[np.asarray(rows, dtype=np.int32)] = True
    return out


def masks(n: int, pairs: dict[Any, list[int]]) -> dict[Any, BoolArray]:
    """Freeze value -> rows lists into one boolean array of n per value."""
    return {key: mask(n, rows) for key, rows in pairs.items()}


class OnFirstRead(dict[Any, Any]):
    """Keys whose values are made (``make(key, raw)``) when first read by ``[]`` or ``get``.

    For an index ranked once and read at a few keys: the facility's merge of a few hundred
    summaries holds hundreds of occupations, of which a query reads the two it asks for.
    ``in`` and ``len`` answer without making anything; iteration is not for index readers.
    """

    __slots__ = ("_made", "_make")

    def __init__(self, raw: dict[Any, Any], make: Callable[[Any, Any], Any]) -> None:
        super().__init__(raw)
        self._make = make
        self._made: set[Any] = set()

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        if key not in self._made:
            value = self._make(key, value)
            dict.__setitem__(self, key, value)
            self._made.add(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        # Not dict.get: it would hand out the raw value.
        return self[key] if key in self else default  # noqa: SIM401


def union(posting_lists: list[IntArray]) -> IntArray:
    """The sorted, de-duplicated union of sorted posting lists (np.unique is far slower here)."""
    if len(posting_lists) == 1:
        return posting_lists[0]
    if not posting_lists:
        return np.empty(0, dtype=np.int32)
    rows = np.concatenate(posting_lists)
    rows.sort()
    keep = np.empty(len(rows), dtype=np.bool_)
    keep[:1] = True
    np.not_equal(rows[1:], rows[:-1], out=keep[1:])
    result: IntArray = rows[keep]
    return result


def few(n: int, rows: IntArray, candidates: IntArray) -> bool:
    """Is a binary search per candidate cheaper than an n-byte scratch marked at every row?"""
    return len(candidates) * max(len(rows).bit_length(), 1) < len(rows) + n // 16


def _search(rows: IntArray, candidates: IntArray) -> BoolArray:
    at = np.searchsorted(rows, candidates)
    np.minimum(at, len(rows) - 1, out=at)
    result: BoolArray = rows[at] == candidates
    return result


def member(n: int, rows: IntArray, candidates: IntArray) -> BoolArray:
    """For each candidate row: is it among ``rows`` (sorted)?"""
    # A few candidates are looked up in ``rows``; many read an n-byte scratch marked at ``rows``
    # (no sorting of candidates).
    if len(rows) and few(n, rows, candidates):
        return _search(rows, candidates)
    scratch = np.zeros(n, dtype=np.bool_)
    scratch[rows] = True
    result: BoolArray = scratch[candidates]
    return result


def member_any(n: int, posting_lists: list[IntArray], candidates: IntArray) -> BoolArray:
    """For each candidate row: is it in any of the (sorted) lists? (OR without sorting a union.)"""
    lists = [rows for rows in posting_lists if len(rows)]
    if all(few(n, rows, candidates) for rows in lists):
        found = np.zeros(len(candidates), dtype=np.bool_)
        for rows in lists:
            found |= _search(rows, candidates)
        return found
    scratch = np.zeros(n, dtype=np.bool_)
    for rows in lists:
        scratch[rows] = True
    result: BoolArray = scratch[candidates]
    return result


def rounded(values: FloatArray, digits: int) -> list[float]:
    """``[round(v, digits) for v in values]``, vectorised: round costs more than a whole hit."""
    scale = 10.0**digits
    scaled = values * scale
    near = np.rint(scaled)
    # rint(v * 10^d) / 10^d is Python's answer (one correctly rounded division) unless the
    # product rounded across a half; recompute those, the huge and the non-finite, in Python.
    out: list[float] = (near / scale).tolist()
    bound = 1e9 / scale
    if not (max(out, default=0.0) < bound and min(out, default=0.0) > -bound):
        return _recomputed(values, digits, scaled, out)
    # Doubtful: v * 10^d within 1e-6 of a half, where its distance to the nearest integer is
    # 0.5 (squared: one comparison, with ufuncs the caller uses anyway; on a few hundred values
    # a query pays for each kind of numpy call it makes, hardly for the arithmetic).
    off = scaled - near
    off *= off
    sure: list[bool] = (off < _HALF_SQUARED).tolist()
    if False in sure:
        for i, ok in enumerate(sure):
            if not ok:
                out[i] = round(float(values[i]), digits)
    return out


_HALF_SQUARED = (0.5 - 1e-6) ** 2


def _recomputed(
    values: FloatArray, digits: int, scaled: FloatArray, out: list[float]
) -> list[float]:
    """``rounded`` with huge or non-finite values among them."""
    fraction = np.abs(np.modf(scaled)[0])  # (modf, unlike x - floor(x), takes inf quietly)
    doubtful = ~(np.abs(fraction - 0.5) > 1e-6) | ~(np.abs(scaled) < 1e9)
    for i in np.flatnonzero(doubtful).tolist():
        out[i] = round(float(values[i]), digits)
    return out
