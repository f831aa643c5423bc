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


def union(arrays: list[IntArray]) -> IntArray:
    if not arrays:
        return np.empty(0, dtype=np.int32)
    if len(arrays) == 1:
        return arrays[0]
    return np.unique(np.concatenate(arrays)).astype(np.int32)
