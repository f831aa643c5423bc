# SPDX-License-Identifier: EUPL-1.2
"""An in-memory :class:`~vum.api.backend.SourceBackend` for tests, demos and the conformance kit."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vum.api.backend import ImportMode
from vum.api.errors import SourceUnavailable
from vum.matching import Engine, build_engine
from vum.standard.errors import Problem, json_pointer
from vum.standard.kinds import Kind
from vum.standard.validate import iter_validate


class ImportRejected(ValueError):
    """Some records are invalid; nothing was changed. ``problems`` names every one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = list(problems)


class MemoryBackend:
    """Datasets per (party, kind) held in memory, with the same all-or-nothing import rules."""

    def __init__(self, tokens: Mapping[str, str] | None = None) -> None:
        self.tokens = dict(tokens or {})
        #: set to False to make every search answer 503/500.3 (outage drills, tests)
        self.available = True
        self._records: dict[tuple[str, Kind], dict[str, dict[str, Any]]] = {}
        self._engines: dict[tuple[str, Kind], Engine] = {}
        self._lock = threading.Lock()

    def load(
        self,
        party: str,
        kind: Kind,
        records: Iterable[Mapping[str, Any]],
        *,
        engine: Engine | None = None,
    ) -> None:
        """Put records in place without validation (trusted, e.g. synthetic data); ``engine``, when
        given, must be an engine over exactly these records (engines are shared, never changed)."""
        by_id = {str(r[kind.id_field]): dict(r) for r in records}
        engine = engine or build_engine(kind, list(by_id.values()))
        with self._lock:
            self._records[(party, kind)] = by_id
            self._engines[(party, kind)] = engine

    def datasets(self) -> list[tuple[str, Kind]]:
        with self._lock:
            return list(self._records)

    def warm(self) -> int:
        """Engines are built when data arrives; building them for every (party, kind) again
        would only cost time. Returns how many there are."""
        with self._lock:
            return len(self._engines)

    def engine(self, party: str, kind: Kind, /) -> Engine | None:
        if not self.available:
            raise SourceUnavailable()
        return self._engines.get((party, kind))

    def verify_token(self, party: str, token: str, /) -> bool:
        expected = self.tokens.get(party)
        return expected is not None and hmac.compare_digest(expected.encode(), token.encode())

    def import_records(
        self,
        party: str,
        kind: Kind,
        records: list[dict[str, Any]],
        /,
        *,
        mode: ImportMode = "replace",
        delete_ids: Sequence[str] = (),
    ) -> dict[str, int]:
        """Validate every record first; change nothing unless all are valid."""
        problems = _problems(kind, records)
        if problems:
            raise ImportRejected(problems)
        incoming = {str(r[kind.id_field]): r for r in records}
        with self._lock:
            current = {} if mode == "replace" else dict(self._records.get((party, kind), {}))
            current.update(incoming)
            for record_id in delete_ids:
                current.pop(record_id, None)
            engine = build_engine(kind, list(current.values()))
            self._records[(party, kind)] = current
            self._engines[(party, kind)] = engine
        return {"records": len(current)}


def _problems(kind: Kind, records: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, _, report in iter_validate(kind, records):
        if report is not None:
            problems.extend(report.problems)
            continue
        record_id = records[index].get(kind.id_field)
        pointer = json_pointer([index, kind.id_field])
        if not isinstance(record_id, str) or not record_id:
            problems.append(
                Problem(
                    pointer,
                    "id ontbreekt; een bron heeft per record een id nodig",
                    "id missing; a source needs an id per record",
                    "missing",
                )
            )
        elif record_id in seen:
            problems.append(
                Problem(pointer, f"dubbel id {record_id}", f"duplicate id {record_id}", "duplicate")
            )
        else:
            seen.add(record_id)
    return problems
