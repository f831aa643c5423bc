# SPDX-License-Identifier: EUPL-1.2
"""The VUM gegevensstandaard 1.5 / koppelvlak 3.0.0: wire models, code lists, the query and its reference evaluator.

Pure Python (pydantic only): no web framework, no I/O. Names resolve on first access, so a
command that only needs ``Kind`` does not pay for building every model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vum.standard import codelists
    from vum.standard.attributes import ATTRIBUTES, Attribute, strip_detail_only
    from vum.standard.common import Error
    from vum.standard.errors import Problem
    from vum.standard.evaluate import matches
    from vum.standard.kinds import Kind
    from vum.standard.query import (
        LanguageRequirement,
        Query,
        QueryError,
        parse_query,
        query_model,
    )
    from vum.standard.summary import summary_of
    from vum.standard.vacature import MPVacatureMatch, Vacature, VumVacatureMatch
    from vum.standard.validate import DocumentError, DocumentReport, validate_document
    from vum.standard.werkzoekende import (
        MPWerkzoekendeMatch,
        VumWerkzoekendeMatch,
        Werkzoekende,
    )

_EXPORTS = {
    "ATTRIBUTES": "vum.standard.attributes",
    "Attribute": "vum.standard.attributes",
    "strip_detail_only": "vum.standard.attributes",
    "Error": "vum.standard.common",
    "Problem": "vum.standard.errors",
    "matches": "vum.standard.evaluate",
    "Kind": "vum.standard.kinds",
    "LanguageRequirement": "vum.standard.query",
    "Query": "vum.standard.query",
    "QueryError": "vum.standard.query",
    "parse_query": "vum.standard.query",
    "query_model": "vum.standard.query",
    "summary_of": "vum.standard.summary",
    "MPVacatureMatch": "vum.standard.vacature",
    "Vacature": "vum.standard.vacature",
    "VumVacatureMatch": "vum.standard.vacature",
    "DocumentError": "vum.standard.validate",
    "DocumentReport": "vum.standard.validate",
    "validate_document": "vum.standard.validate",
    "MPWerkzoekendeMatch": "vum.standard.werkzoekende",
    "VumWerkzoekendeMatch": "vum.standard.werkzoekende",
    "Werkzoekende": "vum.standard.werkzoekende",
}

__all__ = [
    "ATTRIBUTES",
    "Attribute",
    "DocumentError",
    "DocumentReport",
    "Error",
    "Kind",
    "LanguageRequirement",
    "MPVacatureMatch",
    "MPWerkzoekendeMatch",
    "Problem",
    "Query",
    "QueryError",
    "Vacature",
    "VumVacatureMatch",
    "VumWerkzoekendeMatch",
    "Werkzoekende",
    "codelists",
    "matches",
    "parse_query",
    "query_model",
    "strip_detail_only",
    "summary_of",
    "validate_document",
]


def __getattr__(name: str) -> Any:
    if name == "codelists":
        return importlib.import_module("vum.standard.codelists")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vum.standard' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
