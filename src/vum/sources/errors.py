# SPDX-License-Identifier: EUPL-1.2
"""What goes wrong in a hosted source: import problems that name their place, and one exception tree."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an upload, named where a data manager can find it.

    A JSON upload names the record ``index`` (0-based, as ``vum validate`` does) and the JSON
    ``pointer`` in the document; a CSV or Excel upload names the spreadsheet ``row`` (the header
    is row 1) and the ``column`` as the file spells it. Mapping problems name only the column.
    """

    message_nl: str
    message_en: str
    code: str = "invalid"
    index: int | None = None
    pointer: str | None = None
    row: int | None = None
    column: str | None = None
    record_id: str | None = None

    @property
    def where(self) -> str:
        """``rij 7, kolom 'Postcode'``, ``record 3 (/3/mobiliteit)``, ``kolom 'X'`` or ``bestand``."""
        if self.row is not None:
            return f"rij {self.row}, kolom '{self.column}'" if self.column else f"rij {self.row}"
        if self.column is not None:
            return f"kolom '{self.column}'"
        if self.index is not None:
            return (
                f"record {self.index} ({self.pointer})" if self.pointer else f"record {self.index}"
            )
        if self.pointer:
            return self.pointer
        return "bestand"

    @property
    def message(self) -> str:
        return f"{self.message_nl} ({self.message_en})"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"where": self.where, "code": self.code}
        for name in ("index", "pointer", "row", "column", "record_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out["message_nl"] = self.message_nl
        out["message_en"] = self.message_en
        return out


class SourcesError(Exception):
    """Base of every error of the hosted source."""


class InvalidParty(SourcesError, ValueError):
    """Not an OIN (20 digits)."""


class InvalidTokenLabel(SourcesError, ValueError):
    """A token label that is too long or holds control characters."""


class SourceFileError(SourcesError):
    """A file cannot be read at all (missing, unreadable, not JSON/CSV/Excel, broken YAML)."""


class ImportRejected(SourcesError):
    """The upload was refused whole; ``problems`` lists every problem, the live data is untouched."""

    def __init__(
        self, problems: Sequence[ImportProblem], warnings: Sequence[str] = (), *, total: int = 0
    ) -> None:
        self.problems = list(problems)
        self.warnings = list(warnings)
        #: how many records the upload held (0 when it never got that far)
        self.total = total
        records = {p.row if p.row is not None else p.index for p in self.problems} - {None}
        self.records_with_problems = len(records)
        first = str(self.problems[0]) if self.problems else "import geweigerd"
        more = f" (+{len(self.problems) - 1} meer)" if len(self.problems) > 1 else ""
        super().__init__(first + more)

    def summary_nl(self) -> str:
        return (
            f"Import geweigerd: {len(self.problems)} fout(en) in {self.records_with_problems} "
            f"record(s); de live gegevens zijn niet gewijzigd."
        )

    def summary_en(self) -> str:
        return (
            f"Import refused: {len(self.problems)} problem(s) in {self.records_with_problems} "
            f"record(s); the live data is unchanged."
        )


class MappingError(ImportRejected):
    """The column mapping does not fit the standard or the file (problems name the column)."""


class DatasetNotFound(SourcesError, LookupError):
    """The party has no live dataset of this kind."""


class NoPreviousVersion(SourcesError):
    """A rollback needs a previous version, and there is none."""


class DatasetUnavailable(SourcesError):
    """The live data could not be read consistently just now; trying again later may work."""


class ImportConflict(SourcesError):
    """Another import changed the live data while an upsert was being staged."""


_OIN = re.compile(r"[0-9]{20}")


def check_party(party: str) -> str:
    """The OIN, stripped; raise :class:`InvalidParty` unless it is 20 digits."""
    text = party.strip() if isinstance(party, str) else ""
    if not _OIN.fullmatch(text):
        raise InvalidParty(
            f"ongeldig OIN {party!r}: verwacht precies 20 cijfers "
            f"(invalid OIN: expected exactly 20 digits)"
        )
    return text
