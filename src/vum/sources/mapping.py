# SPDX-License-Identifier: EUPL-1.2
"""Column mappings: a YAML file that says which column of a municipality's export fills which path.

See docs/mapping.md. Loading checks the mapping against the standard (every path exists, every
value translation belongs to a mapped path); checking it against a file's header happens when
the file is read (:mod:`vum.sources.convert`).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vum.sources.errors import ImportProblem, MappingError, SourceFileError
from vum.sources.fields import Leaf, PathError, resolve_leaf
from vum.standard.kinds import Kind

DEFAULT_SEPARATOR = "|"
DEFAULT_DATES = ("%Y-%m-%d", "%d-%m-%Y")
_KNOWN_KEYS = {"kind", "columns", "separator", "values", "dates", "sheet", "delimiter", "encoding"}


@dataclass(frozen=True)
class ColumnTarget:
    """One column of the file and the leaf of the standard it fills."""

    column: str
    leaf: Leaf


@dataclass(frozen=True)
class ColumnMapping:
    """A loaded, checked mapping."""

    kind: Kind
    columns: tuple[ColumnTarget, ...]
    separator: str = DEFAULT_SEPARATOR
    #: per leaf path: the municipality's own value (case-folded) -> the standard's value
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    dates: tuple[str, ...] = DEFAULT_DATES
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    source: str = "mapping"

    def columns_for(self, path: str) -> list[str]:
        """The columns that fill a leaf path (dotted, arrays transparent)."""
        return [t.column for t in self.columns if t.leaf.path == path]


def _problem(nl: str, en: str, column: str | None = None, code: str = "mapping") -> ImportProblem:
    return ImportProblem(nl, en, code, column=column)


def load_mapping(
    source: str | Path | MappingABC[str, Any], kind: Kind | str | None = None
) -> ColumnMapping:
    """Read and check a mapping (a YAML file or an already parsed dict).

    ``kind`` comes from the command line or the API; the mapping's own ``kind`` must agree.
    Raises :class:`SourceFileError` when the YAML cannot be read and :class:`MappingError` with
    every problem when it does not fit the standard.
    """
    name = "mapping"
    if isinstance(source, MappingABC):
        data: Any = dict(source)
    else:
        path = Path(source)
        name = path.name
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise SourceFileError(
                f"kan mapping {path} niet lezen: {exc.strerror} (cannot read the mapping)"
            ) from None
        except UnicodeDecodeError:
            raise SourceFileError(
                f"mapping {path} is geen UTF-8-tekst (the mapping is not UTF-8 text)"
            ) from None
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            at = f" op regel {where.line + 1}, kolom {where.column + 1}" if where else ""
            raise SourceFileError(
                f"mapping {path} is geen geldige YAML{at}: {getattr(exc, 'problem', exc)} "
                f"(invalid YAML)"
            ) from None
    if not isinstance(data, dict):
        raise SourceFileError(
            f"mapping {name}: verwacht een YAML-object met 'columns' (expected a YAML mapping "
            f"with 'columns')"
        )
    return _check(data, kind, name)


def _check(data: dict[Any, Any], kind_arg: Kind | str | None, name: str) -> ColumnMapping:
    problems: list[ImportProblem] = []
    for key in data:
        if str(key) not in _KNOWN_KEYS:
            problems.append(
                _problem(
                    f"onbekende sleutel '{key}' in de mapping; bekend: {', '.join(sorted(_KNOWN_KEYS))}",
                    f"unknown key '{key}' in the mapping",
                )
            )
    kind = _kind(data.get("kind"), kind_arg, problems)
    separator = str(data.get("separator", DEFAULT_SEPARATOR))
    if not separator:
        problems.append(_problem("'separator' mag niet leeg zijn", "'separator' must not be empty"))
        separator = DEFAULT_SEPARATOR
    dates = data.get("dates", list(DEFAULT_DATES))
    if isinstance(dates, str):
        dates = [dates]
    if not isinstance(dates, list) or not all(isinstance(d, str) and "%" in d for d in dates):
        problems.append(
            _problem(
                "'dates' moet een lijst datumformaten zijn, zoals [\"%d-%m-%Y\"]",
                "'dates' must be a list of date formats such as [\"%d-%m-%Y\"]",
            )
        )
        dates = list(DEFAULT_DATES)
    columns = _columns(data.get("columns"), kind, problems) if kind else ()
    values = _values(data.get("values"), columns, kind, problems) if kind else {}
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        problems.append(
            _problem("'delimiter' moet één teken zijn", "'delimiter' must be one character")
        )
        delimiter = None
    if problems or kind is None:
        raise MappingError(problems)
    return ColumnMapping(
        kind=kind,
        columns=columns,
        separator=separator,
        values=values,
        dates=tuple(dates),
        sheet=str(data["sheet"]) if data.get("sheet") is not None else None,
        delimiter=delimiter,
        encoding=str(data["encoding"]) if data.get("encoding") else None,
        source=name,
    )


def _kind(own: Any, given: Kind | str | None, problems: list[ImportProblem]) -> Kind | None:
    try:
        mine = Kind(str(own).strip().lower()) if own is not None else None
        theirs = Kind(str(given).strip().lower()) if given is not None else None
    except ValueError:
        problems.append(
            _problem(
                f"onbekende soort '{own if own is not None else given}'; kies werkzoekende of vacature",
                "unknown kind; use werkzoekende or vacature",
            )
        )
        return None
    if mine and theirs and mine is not theirs:
        problems.append(
            _problem(
                f"de mapping is voor '{mine.value}', maar de import is voor '{theirs.value}'",
                f"the mapping is for '{mine.value}' but the import is for '{theirs.value}'",
            )
        )
        return None
    if not (mine or theirs):
        problems.append(
            _problem(
                "zet 'kind: werkzoekende' of 'kind: vacature' in de mapping",
                "put 'kind: werkzoekende' or 'kind: vacature' in the mapping",
            )
        )
    return mine or theirs


def _columns(raw: Any, kind: Kind, problems: list[ImportProblem]) -> tuple[ColumnTarget, ...]:
    if not isinstance(raw, dict) or not raw:
        problems.append(
            _problem(
                "'columns' ontbreekt of is leeg: geef per kolomnaam het pad in de standaard",
                "'columns' is missing or empty: give the standard's path per column name",
            )
        )
        return ()
    out: list[ColumnTarget] = []
    single: dict[str, str] = {}
    for column_raw, target in raw.items():
        column = str(column_raw).strip()
        if not isinstance(target, str) or not target.strip():
            problems.append(
                _problem(
                    "geef een pad in de standaard, zoals mobiliteit.bemiddelingspostcode",
                    "give a path of the standard, such as mobiliteit.bemiddelingspostcode",
                    column,
                )
            )
            continue
        try:
            leaf = resolve_leaf(kind, target)
        except PathError as exc:
            problems.append(_problem(exc.message_nl, exc.message_en, column))
            continue
        if not leaf.in_array:
            # Two columns for one single value: which one wins is a guess, so say so.
            if leaf.path in single:
                problems.append(
                    _problem(
                        f"'{leaf.display}' is al gekoppeld aan kolom '{single[leaf.path]}'; "
                        f"één kolom per enkelvoudig gegeven",
                        f"'{leaf.display}' is already filled by column '{single[leaf.path]}'",
                        column,
                    )
                )
                continue
            single[leaf.path] = column
        out.append(ColumnTarget(column, leaf))
    return tuple(out)


def _values(
    raw: Any, columns: tuple[ColumnTarget, ...], kind: Kind, problems: list[ImportProblem]
) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(
            _problem(
                "'values' moet per pad een vertaaltabel zijn, zoals {vast: O, tijdelijk: B}",
                "'values' must map each path to a translation table",
            )
        )
        return {}
    mapped = {t.leaf.path for t in columns}
    out: dict[str, dict[str, Any]] = {}
    for target, table in raw.items():
        try:
            leaf = resolve_leaf(kind, str(target))
        except PathError as exc:
            problems.append(_problem(f"values: {exc.message_nl}", f"values: {exc.message_en}"))
            continue
        if leaf.path not in mapped:
            problems.append(
                _problem(
                    f"values: '{target}' is aan geen kolom gekoppeld",
                    f"values: '{target}' is not filled by any column",
                )
            )
            continue
        if not isinstance(table, dict):
            problems.append(
                _problem(
                    f"values: '{target}' moet een tabel zijn, zoals {{vast: O, tijdelijk: B}}",
                    f"values: '{target}' must be a table",
                )
            )
            continue
        out[leaf.path] = {key: v for k, v in table.items() for key in _keys(k)}
    return out


# YAML 1.1 reads unquoted yes/no/on/off/true/false as booleans; accept the words people wrote.
_BOOL_WORDS = {True: ("true", "yes", "on"), False: ("false", "no", "off")}


def _keys(value: Any) -> tuple[str, ...]:
    """The case-folded texts a translation-table key stands for."""
    if isinstance(value, bool):
        return _BOOL_WORDS[value]
    return (str(value).strip().casefold(),)
