# SPDX-License-Identifier: EUPL-1.2
"""Derive the first-answer summary of a detail record, by the attribute flags — never maintained by hand."""

from __future__ import annotations

from typing import overload

from vum.standard.attributes import strip_detail_only
from vum.standard.kinds import Kind
from vum.standard.vacature import MPVacatureMatch, Vacature
from vum.standard.werkzoekende import MPWerkzoekendeMatch, Werkzoekende


@overload
def summary_of(record: Werkzoekende) -> MPWerkzoekendeMatch: ...
@overload
def summary_of(record: Vacature) -> MPVacatureMatch: ...


def summary_of(record: Werkzoekende | Vacature) -> MPWerkzoekendeMatch | MPVacatureMatch:
    """The summary (MPWerkzoekendeMatch / MPVacatureMatch) that a source sends for ``record``.

    Raises ``pydantic.ValidationError`` when the record lacks what a summary requires (its id and
    postcode): such a record cannot be offered to the facility.
    """
    if isinstance(record, Werkzoekende):
        data = strip_detail_only(Kind.WERKZOEKENDE, record.to_wire())
        return MPWerkzoekendeMatch.model_validate(data)
    data = strip_detail_only(Kind.VACATURE, record.to_wire())
    return MPVacatureMatch.model_validate(data)
