# SPDX-License-Identifier: EUPL-1.2
"""The columnar engine (placeholder: reference evaluation until the indexes land)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vum.geo import distance_km
from vum.matching.types import Hit, SearchResult
from vum.standard import Kind, Query, matches
from vum.standard.attributes import strip_detail_only


class ColumnarEngine:
    def __init__(self, kind: Kind, records: Sequence[Mapping[str, Any]]) -> None:
        self.kind = kind
        self._records = list(records)
        self._by_id = {str(r[kind.id_field]): r for r in self._records}

    def __len__(self) -> int:
        return len(self._records)

    def search(self, query: Query, limit: int = 100) -> SearchResult:
        found = [r for r in self._records if matches(query, r, distance_km)]
        hits = [
            Hit(str(r[self.kind.id_field]), 50.0, None, strip_detail_only(self.kind, dict(r)))
            for r in found[:limit]
        ]
        return SearchResult(hits, len(found), limit, query.ignored)

    def detail(self, record_id: str) -> Mapping[str, Any] | None:
        return self._by_id.get(record_id)
