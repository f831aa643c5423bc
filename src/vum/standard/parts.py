# SPDX-License-Identifier: EUPL-1.2
"""Names for the parts of the standard a schema can be made for, and the two contract sides."""

from __future__ import annotations

from enum import StrEnum


class Part(StrEnum):
    DETAIL = "detail"
    SUMMARY = "summary"
    QUERY = "query"


class Side(StrEnum):
    """Which contract: source (VUM-Bron: idWerkzoekende) or mediator (VUM-Bemiddelaar: vumID)."""

    BRON = "bron"
    BEMIDDELAAR = "bemiddelaar"
