# SPDX-License-Identifier: EUPL-1.2
"""Validate a document of records (a JSON array) record by record, losing no error and no valid record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from vum.standard.errors import Problem, json_pointer, problems_from
from vum.standard.kinds import Kind
from vum.standard.vacature import Vacature
from vum.standard.werkzoekende import Werkzoekende

DETAIL_MODELS: dict[Kind, type[Werkzoekende] | type[Vacature]] = {
    Kind.WERKZOEKENDE: Werkzoekende,
    Kind.VACATURE: Vacature,
}


class DocumentError(ValueError):
    """The document as a whole cannot be read as a list of records."""


@dataclass
class RecordReport:
    """The outcome for one record: its position, its own id when it has one, and its problems."""

    index: int
    record_id: str | None
    problems: list[Problem]


@dataclass
class DocumentReport:
    """The outcome for a whole document."""

    kind: Kind
    total: int = 0
    valid: list[BaseModel] = field(default_factory=list)
    invalid: list[RecordReport] = field(default_factory=list)
    valid_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.invalid

    @property
    def problem_count(self) -> int:
        return sum(len(r.problems) for r in self.invalid)

    def summary_nl(self) -> str:
        return (
            f"{self.total} records gecontroleerd: {self.valid_count} geldig, "
            f"{len(self.invalid)} ongeldig ({self.problem_count} fouten)"
        )

    def summary_en(self) -> str:
        return (
            f"{self.total} records checked: {self.valid_count} valid, "
            f"{len(self.invalid)} invalid ({self.problem_count} problems)"
        )


def _record_id(kind: Kind, record: Any) -> str | None:
    if isinstance(record, dict):
        value = record.get(kind.id_field)
        if isinstance(value, str | int) and value != "":
            return str(value)
    return None


def validate_record(kind: Kind, record: Any) -> BaseModel:
    """Validate one record; raises ValidationError (pointers relative to the record)."""
    return DETAIL_MODELS[kind].model_validate(record)


def iter_validate(
    kind: Kind, records: list[Any]
) -> Iterator[tuple[int, BaseModel | None, RecordReport | None]]:
    """Validate records one by one, yielding (index, model or None, report or None)."""
    model = DETAIL_MODELS[kind]
    for index, record in enumerate(records):
        try:
            yield index, model.model_validate(record), None
        except ValidationError as exc:
            problems = problems_from(exc, (index,))
            yield index, None, RecordReport(index, _record_id(kind, record), problems)


def validate_document(kind: Kind, data: Any, *, keep_valid: bool = True) -> DocumentReport:
    """Validate every record of a document (a JSON array of detail records).

    ``keep_valid=False`` counts the valid records without keeping their models (a checker of a
    200,000-record file needs the problems, not two hundred thousand objects).
    """
    if not isinstance(data, list):
        raise DocumentError(
            "het bestand moet een JSON-array van records zijn "
            "(the file must hold a JSON array of records)"
        )
    report = DocumentReport(kind, total=len(data))
    valid_count = 0
    for _, ok, bad in iter_validate(kind, data):
        if ok is not None:
            valid_count += 1
            if keep_valid:
                report.valid.append(ok)
        elif bad is not None:
            report.invalid.append(bad)
    report.valid_count = valid_count
    return report


__all__ = [
    "DETAIL_MODELS",
    "DocumentError",
    "DocumentReport",
    "RecordReport",
    "iter_validate",
    "json_pointer",
    "validate_document",
    "validate_record",
]
