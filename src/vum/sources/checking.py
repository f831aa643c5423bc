# SPDX-License-Identifier: EUPL-1.2
"""Check an upload whole before anything is written: the standard's validation, ids present and unique.

Validation (the standard's pydantic models) is the costliest step of a big import, and CPU-bound;
with ``workers`` > 1 a big upload is checked in parts on a pool of processes. That pool uses
"spawn", which re-imports the program's main module in each worker: a script that calls it
must guard its entry point with ``if __name__ == "__main__":`` (the ``vum`` command does).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from vum.sources.errors import ImportProblem, ImportRejected
from vum.sources.quality import QualityCounter
from vum.standard.errors import Problem
from vum.standard.kinds import Kind
from vum.standard.types import WireModel
from vum.standard.validate import iter_validate

#: Uploads smaller than this are checked in this process (starting workers costs a second or so).
PARALLEL_FROM = 20_000
CHUNK = 5_000


class Locator(Protocol):
    """Turns a problem at (record index, pointer within the record) into a problem a person can find.

    Returns None when the place was already reported (a CSV cell whose value could not be read
    is not reported again as missing).
    """

    def locate(
        self,
        index: int,
        pointer: str,
        message_nl: str,
        message_en: str,
        code: str,
        record_id: str | None,
    ) -> ImportProblem | None: ...


class JsonLocator:
    """Places in a JSON array: the record index and the JSON pointer in the document."""

    def locate(
        self,
        index: int,
        pointer: str,
        message_nl: str,
        message_en: str,
        code: str,
        record_id: str | None,
    ) -> ImportProblem | None:
        return ImportProblem(
            message_nl,
            message_en,
            code,
            index=index,
            pointer=f"/{index}{pointer}",
            record_id=record_id,
        )


@dataclass(frozen=True)
class Checked:
    """A valid record: its id, its position in the upload and its stored JSON text."""

    record_id: str  # "" when the record has none (check_records refuses those)
    index: int
    #: the wire form, absent members left out (pydantic's Rust encoder)
    text: str


@dataclass
class CheckResult:
    """The valid records in upload order, and the quality counts over them."""

    records: list[Checked]
    quality: QualityCounter


@dataclass
class _Part:
    quality: QualityCounter
    valid: list[Checked] = field(default_factory=list)
    #: (index, record id, problems with pointers relative to the record)
    invalid: list[tuple[int, str | None, list[Problem]]] = field(default_factory=list)


def _record_id(kind: Kind, record: Any) -> str:
    value = record.get(kind.id_field) if isinstance(record, dict) else None
    return value if isinstance(value, str) else ""


def _check_part(kind: Kind, start: int, records: list[Any]) -> _Part:
    """Validate one part of an upload (runs in a worker process for big uploads)."""
    part = _Part(QualityCounter(kind))
    for offset, model, report in iter_validate(kind, records):
        index = start + offset
        if report is not None:
            prefix = f"/{offset}"  # the standard's pointers start at the document it was given
            relative = [
                Problem(p.pointer[len(prefix) :], p.message_nl, p.message_en, p.code)
                if p.pointer.startswith(prefix)
                else p
                for p in report.problems
            ]
            part.invalid.append((index, report.record_id, relative))
            continue
        assert isinstance(model, WireModel)
        record = records[offset]
        # Strict validation leaves values as they are, so the id and the quality counts can be
        # read from the input; its empty members count as absent there too.
        text = model.model_dump_json(exclude_none=True, by_alias=True)
        part.valid.append(Checked(_record_id(kind, record), index, text))
        part.quality.add(record)
    return part


def _parts(kind: Kind, records: Sequence[Any], workers: int) -> Iterator[_Part]:
    items = list(records)
    starts = range(0, len(items), CHUNK)
    if workers <= 1 or len(items) < PARALLEL_FROM:
        # The same parts as on a pool, so both ways number records and pointers alike.
        for start in starts:
            yield _check_part(kind, start, items[start : start + CHUNK])
        return
    # "spawn": forking a process that runs threads (a web server) can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(
            _check_part,
            [kind] * len(starts),
            starts,
            [items[s : s + CHUNK] for s in starts],
        )


def available_workers() -> int:
    """A sensible pool size for big uploads: the machine's cores, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def check_records(
    kind: Kind,
    records: Sequence[Any],
    locator: Locator | None = None,
    *,
    problems: Sequence[ImportProblem] = (),
    warnings: Sequence[str] = (),
    workers: int = 1,
) -> CheckResult:
    """Validate every record; return the valid ones in order, or raise :class:`ImportRejected`.

    Every record is checked even after the first problem, so one upload reports every error
    (pilot finding 8). ``problems`` found earlier (e.g. while reading a CSV) join the report.
    ``workers`` > 1 checks uploads of at least :data:`PARALLEL_FROM` records on that many
    processes.
    """
    where = locator or JsonLocator()
    found: list[ImportProblem] = list(problems)
    out: list[Checked] = []
    quality = QualityCounter(kind)
    first_index: dict[str, int] = {}
    for part in _parts(kind, records, workers):
        quality.merge(part.quality)
        for index, record_id, bad in part.invalid:
            for p in bad:
                placed = where.locate(
                    index, p.pointer, p.message_nl, p.message_en, p.code, record_id
                )
                if placed is not None:
                    found.append(placed)
        for checked in part.valid:
            problem = _id_problem(kind, checked, first_index, where)
            if problem is None:
                out.append(checked)
            elif problem is not _SKIP:
                found.append(problem)
    if found:
        # Spreadsheet order: a data manager works through the file from the top.
        found.sort(key=_place_of)
        raise ImportRejected(found, warnings, total=len(records))
    return CheckResult(out, quality)


_SKIP = ImportProblem("", "", "skip")


def _id_problem(
    kind: Kind, checked: Checked, first_index: dict[str, int], where: Locator
) -> ImportProblem | None:
    """A missing or repeated id (each record needs its own, to be updated or deleted later)."""
    field_pointer = f"/{kind.id_field}"
    record_id = checked.record_id
    if not record_id:
        placed = where.locate(
            checked.index,
            field_pointer,
            f"{kind.id_field} ontbreekt: elk record heeft een eigen id nodig om het later "
            f"bij te werken of te verwijderen",
            f"{kind.id_field} is missing: every record needs its own id to be updated or "
            f"deleted later",
            "missing",
            None,
        )
        return placed or _SKIP
    other = first_index.setdefault(record_id, checked.index)
    if other == checked.index:
        return None
    placed = where.locate(
        checked.index,
        field_pointer,
        f"dubbel id {record_id!r}: komt ook voor in {_name(where, other, kind)}",
        f"duplicate id {record_id!r}: also in {_name(where, other, kind, nl=False)}",
        "duplicate_id",
        record_id,
    )
    return placed or _SKIP


def _name(locator: Locator, index: int, kind: Kind, *, nl: bool = True) -> str:
    """How to name another record in a message: its row for a spreadsheet, its index otherwise."""
    probe = locator.locate(index, f"/{kind.id_field}", "", "", "", None)
    if probe is not None and probe.row is not None:
        return f"rij {probe.row}" if nl else f"row {probe.row}"
    return f"record {index}"


def _place_of(problem: ImportProblem) -> int:
    place = problem.row if problem.row is not None else problem.index
    return -1 if place is None else place
