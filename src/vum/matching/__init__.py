# SPDX-License-Identifier: EUPL-1.2
"""Matching: indexes over a source's records, the fast engine, ranking and explanations.

Shared by the hosted source (which filters and ranks its own records) and the facility (which
ranks the summaries of foreign sources with the same scoring). No web framework, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vum.matching.types import Engine, Explanation, Hit, SearchResult
from vum.standard.kinds import Kind

__all__ = ["Engine", "Explanation", "Hit", "SearchResult", "build_engine"]


def build_engine(kind: Kind, records: Sequence[Mapping[str, Any]]) -> Engine:
    """The fast engine over ``records`` (valid wire detail dicts of ``kind``, each with its id)."""
    from vum.matching.engine import ColumnarEngine

    return ColumnarEngine(kind, records)
