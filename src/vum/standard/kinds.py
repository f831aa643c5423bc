# SPDX-License-Identifier: EUPL-1.2
"""The two domains of the standard (profiles and vacancies) and the names each uses on the wire."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """A domain of the standard: job-seeker profiles or vacancies."""

    WERKZOEKENDE = "werkzoekende"
    VACATURE = "vacature"

    @property
    def resource(self) -> str:
        """The path segment of the contracts: ``/api/v3/<resource>/matches``."""
        return "werkzoekendeProfielen" if self is Kind.WERKZOEKENDE else "vacatures"

    @property
    def id_field(self) -> str:
        """The source's own record id (replaced by ``vumID`` on the mediator side)."""
        return "idWerkzoekende" if self is Kind.WERKZOEKENDE else "idVacature"

    @property
    def postcode_path(self) -> tuple[str, str]:
        """Where ``selectiegebied`` looks: the record's postcode."""
        if self is Kind.WERKZOEKENDE:
            return ("mobiliteit", "bemiddelingspostcode")
        return ("adres", "postcode")

    @property
    def detail_member(self) -> str:
        """The member that wraps a detail in the facility's answer: ``{"werkzoekende": ...}``."""
        return self.value

    @property
    def label_nl(self) -> str:
        return "werkzoekende" if self is Kind.WERKZOEKENDE else "vacature"
