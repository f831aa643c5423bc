# SPDX-License-Identifier: EUPL-1.2
"""From a table and a column mapping to records of the standard, remembering which cell filled what.

Every problem names the spreadsheet row and the column: problems of the mapping against the
header, of a cell's value, and — through :class:`TableLocator` — the standard's own validation
problems, whose JSON pointers are traced back to the column that filled them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from vum.sources.errors import ImportProblem, MappingError
from vum.sources.fields import Leaf
from vum.sources.mapping import ColumnMapping, ColumnTarget
from vum.sources.tabular import Table
from vum.sources.values import ValueProblem, convert, is_blank
from vum.standard.errors import json_pointer

_INDEX = re.compile(r"/[0-9]+(?=/|$)")


@dataclass
class Conversion:
    """The records made from a table, their rows, and what went wrong on the way."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    #: per record: JSON pointer (within the record) -> the column whose cell filled it
    origins: list[dict[str, str]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def match_header(table: Table, mapping: ColumnMapping) -> tuple[dict[str, int], list[str]]:
    """Column name -> position for every mapped column; raise MappingError for missing ones.

    A column matches exactly after trimming, else without regard to case when that is unique.
    Returns the positions and warnings (columns of the file that the mapping leaves out).
    """
    problems: list[ImportProblem] = []
    positions: dict[str, int] = {}
    seen: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(table.headers):
        if name:
            seen[name].append(i)
    folded: dict[str, list[str]] = defaultdict(list)
    for name in seen:
        folded[name.casefold()].append(name)
    for target in mapping.columns:
        name = target.column
        if name not in seen and len(folded.get(name.casefold(), [])) == 1:
            name = folded[name.casefold()][0]
        if name not in seen:
            known = ", ".join(f"'{h}'" for h in table.headers if h)
            problems.append(
                ImportProblem(
                    f"kolom uit de mapping staat niet in de kopregel van {table.source}; "
                    f"het bestand heeft: {known}",
                    f"the mapping's column is not in the header of {table.source}",
                    "unknown_column",
                    column=target.column,
                )
            )
            continue
        if len(seen[name]) > 1:
            problems.append(
                ImportProblem(
                    f"kolom komt {len(seen[name])} keer voor in de kopregel; welke bedoeld is, "
                    f"is niet te zeggen",
                    f"the column appears {len(seen[name])} times in the header",
                    "duplicate_column",
                    column=target.column,
                )
            )
            continue
        positions[target.column] = seen[name][0]
    if problems:
        raise MappingError(problems)
    used = set(positions.values())
    warnings = [
        f"kolom '{h}' staat niet in de mapping en wordt overgeslagen (column not mapped; skipped)"
        for i, h in enumerate(table.headers)
        if h and i not in used
    ]
    return positions, warnings


def convert_table(table: Table, mapping: ColumnMapping) -> Conversion:
    """Records from every non-empty row; cells that cannot be read become problems, not guesses."""
    positions, warnings = match_header(table, mapping)
    out = Conversion(warnings=warnings)
    for number, count in table.overflow:
        sep = mapping.delimiter or "het scheidingsteken"
        out.problems.append(
            ImportProblem(
                f"deze rij heeft {count} waarden maar de kopregel {len(table.headers)} kolommen; "
                f"staat er {sep} in een waarde zonder aanhalingstekens?",
                f"this row has {count} values but the header {len(table.headers)} columns",
                "row_overflow",
                row=number,
            )
        )
    for number, cells in table.rows:
        record, origins, problems = _convert_row(number, cells, positions, mapping)
        out.records.append(record)
        out.rows.append(number)
        out.origins.append(origins)
        out.problems.extend(problems)
    return out


def _convert_row(
    number: int, cells: list[Any], positions: dict[str, int], mapping: ColumnMapping
) -> tuple[dict[str, Any], dict[str, str], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    singles: list[tuple[ColumnTarget, Any]] = []
    # Values for array leaves, grouped by the array that spreads them (the innermost one).
    groups: dict[tuple[str, ...], dict[tuple[str, ...], list[tuple[Any, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for target in mapping.columns:
        cell = cells[positions[target.column]]
        if is_blank(cell):
            continue
        leaf = target.leaf
        pieces = _pieces(leaf, cell, mapping.separator)
        values = []
        for piece in pieces:
            try:
                values.append(convert(leaf, piece, mapping))
            except ValueProblem as exc:
                problems.append(
                    ImportProblem(
                        exc.message_nl, exc.message_en, exc.code, row=number, column=target.column
                    )
                )
        if not values:
            continue
        if leaf.in_array:
            spread = _spread_index(leaf)
            head = tuple(s.name for s in leaf.segments[: spread + 1])
            rest = tuple(s.name for s in leaf.segments[spread + 1 :])
            groups[head][rest].extend((v, target.column) for v in values)
        else:
            singles.append((target, values[0]))

    record: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for head, members in groups.items():
        leaf_of_head = _leaf_for(mapping, head)
        container = _navigate(record, leaf_of_head, len(head) - 1)
        items = container.setdefault(head[-1], [])
        pointer_head = _pointer(leaf_of_head, len(head))
        for rest, values in members.items():
            for i, (value, column) in enumerate(values):
                while len(items) <= i:
                    items.append({} if rest else None)
                if rest:
                    node = items[i]
                    for name in rest[:-1]:
                        node = node.setdefault(name, {})
                    node[rest[-1]] = value
                else:
                    items[i] = value
                origins[json_pointer([*pointer_head, i, *rest])] = column
    for target, value in singles:
        leaf = target.leaf
        container = _navigate(record, leaf, len(leaf.segments) - 1)
        container[leaf.segments[-1].name] = value
        origins[json_pointer(_pointer(leaf, len(leaf.segments)))] = target.column
    return record, origins, problems


def _pieces(leaf: Leaf, cell: Any, separator: str) -> list[Any]:
    """Several values in one cell for array leaves; one value otherwise."""
    if leaf.in_array and isinstance(cell, str) and separator in cell:
        return [p.strip() for p in cell.split(separator) if p.strip()]
    return [cell.strip() if isinstance(cell, str) else cell]


def _spread_index(leaf: Leaf) -> int:
    return max(i for i, s in enumerate(leaf.segments) if s.array)


def _leaf_for(mapping: ColumnMapping, head: tuple[str, ...]) -> Leaf:
    for target in mapping.columns:
        names = tuple(s.name for s in target.leaf.segments[: len(head)])
        if names == head:
            return target.leaf
    raise AssertionError(head)


def _navigate(record: dict[str, Any], leaf: Leaf, depth: int) -> dict[str, Any]:
    """The object holding segment ``depth``; arrays before it hold one element (element 0)."""
    node = record
    for segment in leaf.segments[:depth]:
        if segment.array:
            items = node.setdefault(segment.name, [])
            if not items:
                items.append({})
            node = items[0]
        else:
            node = node.setdefault(segment.name, {})
    return node


def _pointer(leaf: Leaf, depth: int) -> list[str | int]:
    parts: list[str | int] = []
    for i, segment in enumerate(leaf.segments[:depth]):
        parts.append(segment.name)
        if segment.array and i < depth - 1:
            parts.append(0)
    return parts


class TableLocator:
    """Traces the standard's problems (record index, JSON pointer) back to row and column."""

    def __init__(self, conversion: Conversion, mapping: ColumnMapping) -> None:
        self._conversion = conversion
        self._mapping = mapping
        # A cell already reported as unreadable is not reported again as missing.
        self._reported = {(p.row, p.column) for p in conversion.problems}

    def column_of(self, index: int, pointer: str) -> str | None:
        origins = self._conversion.origins[index]
        if pointer in origins:
            return origins[pointer]
        # Within what a column filled (a problem deeper than the cell's pointer) ...
        best = max((p for p in origins if pointer.startswith(p + "/")), key=len, default=None)
        if best is not None:
            return origins[best]
        # ... or a whole object or element that a column filled part of ...
        under = sorted(p for p in origins if p.startswith(pointer + "/"))
        if under:
            return origins[under[0]]
        # ... or, for a member that is missing, the column the mapping names for its path.
        path = _INDEX.sub("", pointer).strip("/").replace("/", ".")
        columns = self._mapping.columns_for(path)
        return columns[0] if columns else None

    def locate(
        self,
        index: int,
        pointer: str,
        message_nl: str,
        message_en: str,
        code: str,
        record_id: str | None,
    ) -> ImportProblem | None:
        row = self._conversion.rows[index]
        column = self.column_of(index, pointer)
        if (row, column) in self._reported and code != "duplicate_id":
            return None
        if column is None and pointer:
            path = _INDEX.sub("", pointer).strip("/").replace("/", ".")
            message_nl += f" (geen kolom gekoppeld aan {path})"
            message_en += f" (no column maps to {path})"
        return ImportProblem(
            message_nl,
            message_en,
            code,
            row=row,
            column=column,
            pointer=pointer,
            record_id=record_id,
        )
