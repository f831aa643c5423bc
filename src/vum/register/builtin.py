# SPDX-License-Identifier: EUPL-1.2
"""The built-in register: reading and validating `data/register/occupations/*.csv`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from vum.register.isco import is_valid_unit_group
from vum.register.model import KEY_PATTERN, Occupation, Register, RegisterError, builtin_uri

#: The columns of an occupation file, in this order.
COLUMNS = ("key", "label", "isco", "synonyms", "related", "skills")
#: Separator of the list-valued cells.
LIST_SEPARATOR = "|"


class RegisterDataError(RegisterError):
    """A bad row in an occupation file: names the file, line and column."""

    def __init__(self, file: str, line: int, column: str, nl: str, en: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        super().__init__(
            f"{file}, regel {line}, kolom {column}: {nl} / "
            f"{file}, line {line}, column {column}: {en}"
        )


@dataclass(frozen=True, slots=True)
class _Row:
    occupation: Occupation
    file: str
    line: int


@cache
def load_builtin() -> Register:
    """The register shipped with open VUM (read once per process)."""
    return load_occupation_dir(resources.files("vum").joinpath("data/register/occupations"))


def load_occupation_dir(directory: Traversable | Path) -> Register:
    """Read every `*.csv` in a directory (sorted by name) as one register."""
    if not directory.is_dir():
        return Register(())
    files = sorted(
        (f for f in directory.iterdir() if f.name.endswith(".csv")), key=lambda f: f.name
    )
    return load_occupation_files(files)


def load_occupation_files(files: Iterable[Traversable | Path]) -> Register:
    """Read occupation files as one register; keys must be unique across all of them."""
    rows: list[_Row] = []
    seen: dict[str, _Row] = {}
    for file in files:
        name = _display_name(file)
        for row in _read_rows(file.read_text(encoding="utf-8-sig"), name):
            first = seen.get(row.occupation.key)
            if first is not None:
                raise RegisterDataError(
                    name,
                    row.line,
                    "key",
                    f"dubbele sleutel {row.occupation.key!r}, "
                    f"al gebruikt in {first.file} regel {first.line}",
                    f"duplicate key {row.occupation.key!r}, "
                    f"already used in {first.file} line {first.line}",
                )
            seen[row.occupation.key] = row
            rows.append(row)
    for row in rows:
        for key in row.occupation.related_keys:
            if key not in seen:
                raise RegisterDataError(
                    row.file,
                    row.line,
                    "related",
                    f"onbekende sleutel {key!r} in verwante beroepen",
                    f"unknown key {key!r} among related occupations",
                )
    return Register(row.occupation for row in rows)


def _display_name(file: Traversable | Path) -> str:
    # "occupations/logistiek.csv" reads better in an error than a full site-packages path.
    parent = Path(str(file)).parent.name
    return f"{parent}/{file.name}" if parent else file.name


def _read_rows(text: str, name: str) -> Iterable[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip() for h in header]
    if tuple(header) != COLUMNS:
        raise RegisterDataError(
            name,
            1,
            "header",
            f"kolommen moeten {','.join(COLUMNS)} zijn, gevonden {','.join(header)}",
            f"columns must be {','.join(COLUMNS)}, found {','.join(header)}",
        )
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            column = COLUMNS[len(cells)] if len(cells) < len(COLUMNS) else "skills"
            raise RegisterDataError(
                name,
                start,
                column,
                f"{len(cells)} kolommen in plaats van {len(COLUMNS)}",
                f"{len(cells)} columns instead of {len(COLUMNS)}",
            )
        yield _Row(_parse_row(dict(zip(COLUMNS, cells, strict=True)), name, start), name, start)


def _parse_row(cells: dict[str, str], name: str, line: int) -> Occupation:
    key = cells["key"].strip()
    if not KEY_PATTERN.fullmatch(key):
        raise RegisterDataError(
            name,
            line,
            "key",
            f"ongeldige sleutel {key!r} (alleen a-z, 0-9 en '-')",
            f"invalid key {key!r} (only a-z, 0-9 and '-')",
        )
    label = " ".join(cells["label"].split())
    if not label:
        raise RegisterDataError(name, line, "label", "lege naam", "empty label")
    isco = cells["isco"].strip()
    if not is_valid_unit_group(isco):
        raise RegisterDataError(
            name,
            line,
            "isco",
            f"ongeldige ISCO-08-code {isco!r} (verwacht: bestaande beroepsgroep van 4 cijfers)",
            f"invalid ISCO-08 code {isco!r} (expected an existing 4-digit unit group)",
        )
    related = split_list(cells["related"])
    if key in related:
        raise RegisterDataError(
            name, line, "related", "beroep verwijst naar zichzelf", "occupation refers to itself"
        )
    return Occupation(
        uri=builtin_uri(key),
        key=key,
        label=label,
        isco=isco,
        broader=isco[:3],
        synonyms=split_list(cells["synonyms"], exclude=label),
        skills=split_list(cells["skills"]),
        related_keys=related,
        source="builtin",
    )


def split_list(cell: str, exclude: str = "") -> tuple[str, ...]:
    """A `|`-separated cell as unique, trimmed items (case-insensitive), without `exclude`."""
    if not cell:
        return ()
    seen = {exclude.casefold()} if exclude else set()
    items: list[str] = []
    for raw in cell.split(LIST_SEPARATOR):
        item = raw.strip()
        if "  " in item or "\t" in item or "\n" in item:
            item = " ".join(item.split())
        folded = item.casefold()
        if item and folded not in seen:
            seen.add(folded)
            items.append(item)
    return tuple(items)
