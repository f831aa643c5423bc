# SPDX-License-Identifier: EUPL-1.2
"""Small numpy helpers and type aliases shared by the indexes: posting lists and masks."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int32]
Int16Array = NDArray[np.int16]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


def postings(pairs: dict[Any, list[int]]) -> dict[Any, IntArray]:
    """Freeze value -> rows lists into sorted, de-duplicated int32 arrays."""
    return {key: np.unique(np.asarray(rows, dtype=np.int32)) for key, rows in pairs.items()}


def member(n: int, rows: IntArray, candidates: IntArray) -> BoolArray:
    """For each candidate row: is it among ``rows``? O(n) scratch, no sorting of candidates."""
    scratch = np.zeros(n, dtype=np.bool_)
    scratch[rows] = True
    result: BoolArray = scratch[candidates]
    return result


def member_any(n: int, posting_lists: list[IntArray], candidates: IntArray) -> BoolArray:
    """For each candidate row: is it in any of the lists? (OR without sorting a union.)"""
    scratch = np.zeros(n, dtype=np.bool_)
    for rows in posting_lists:
        scratch[rows] = True
    result: BoolArray = scratch[candidates]
    return result
