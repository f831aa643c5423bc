# SPDX-License-Identifier: EUPL-1.2
"""Read an upload of any accepted form (JSON array, CSV, Excel) into records and a way to name places."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vum.sources.checking import JsonLocator, Locator, check_records
from vum.sources.convert import TableLocator, convert_table
from vum.sources.errors import ImportProblem, SourceFileError
from vum.sources.mapping import ColumnMapping, load_mapping
from vum.sources.tabular import CSV_SUFFIXES, EXCEL_SUFFIXES, read_table
from vum.standard.kinds import Kind

MappingSource = ColumnMapping | str | Path | Mapping[str, Any]


@dataclass
class LoadedFile:
    """Records read from a file, not yet validated, with the problems found while reading."""

    source: str
    records: list[Any]
    locator: Locator
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_json(path: Path) -> list[Any]:
    """A JSON array of records; SourceFileError naming line and column when it is not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(f"kan {path} niet lezen: {exc.strerror} (cannot read file)") from None
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise SourceFileError(f"{path.name}: geen UTF-8 op byte {exc.start} (not UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise SourceFileError(
            f"{path.name}:{exc.lineno}:{exc.colno}: geen geldige JSON: {exc.msg} (invalid JSON)"
        ) from None
    except RecursionError:
        # Thousands of nested arrays or objects: no record of the standard is nested this deep,
        # and the parser must not take the process down with it.
        raise SourceFileError(
            f"{path.name}: te diep geneste JSON (JSON nested too deeply)"
        ) from None
    if not isinstance(data, list):
        raise SourceFileError(
            f"{path.name}: het bestand moet een JSON-array van records zijn "
            f"(the file must hold a JSON array of records)"
        )
    return data


def is_tabular(path: Path) -> bool:
    return path.suffix.lower() in CSV_SUFFIXES | EXCEL_SUFFIXES | {".xls"}


def as_mapping(mapping: MappingSource, kind: Kind) -> ColumnMapping:
    if isinstance(mapping, ColumnMapping):
        if mapping.kind is not kind:
            raise SourceFileError(
                f"de mapping is voor '{mapping.kind.value}', niet voor '{kind.value}' "
                f"(the mapping is for another kind)"
            )
        return mapping
    return load_mapping(mapping, kind)


def load_file(kind: Kind, path: Path, mapping: MappingSource | None = None) -> LoadedFile:
    """Read ``path`` by its extension; CSV and Excel need a mapping, JSON must not have one."""
    path = Path(path)
    if is_tabular(path):
        if mapping is None:
            raise SourceFileError(
                f"{path.name}: voor CSV en Excel is een kolom-mapping nodig (--mapping M.yaml) "
                f"(CSV and Excel need a column mapping)"
            )
        columns = as_mapping(mapping, kind)
        table = read_table(
            path, sheet=columns.sheet, delimiter=columns.delimiter, encoding=columns.encoding
        )
        conversion = convert_table(table, columns)
        return LoadedFile(
            path.name,
            list(conversion.records),
            TableLocator(conversion, columns),
            list(conversion.problems),
            [f"{table.source}: gelezen als {table.detected} (read as)", *conversion.warnings],
        )
    if path.suffix.lower() != ".json":
        raise SourceFileError(
            f"{path.name}: onbekend bestandstype '{path.suffix}'; gebruik .json, .csv of .xlsx "
            f"(unknown file type)"
        )
    if mapping is not None:
        raise SourceFileError(
            f"{path.name}: een JSON-bestand volgt de standaard al; een mapping hoort bij CSV of "
            f"Excel (a JSON file needs no mapping)"
        )
    return LoadedFile(path.name, read_json(path), JsonLocator())


def convert_file(
    kind: Kind | None, path: Path, mapping: MappingSource
) -> tuple[list[dict[str, Any]], list[str]]:
    """Offline conversion (``vum convert``): valid wire records in file order, and warnings.

    Raises ImportRejected with every problem (rows and columns named) when anything is wrong.
    """
    columns = mapping if isinstance(mapping, ColumnMapping) else load_mapping(mapping, kind)
    loaded = load_file(columns.kind, path, columns)
    checked = check_records(
        columns.kind,
        loaded.records,
        loaded.locator,
        problems=loaded.problems,
        warnings=loaded.warnings,
    )
    return [json.loads(c.text) for c in checked.records], loaded.warnings
