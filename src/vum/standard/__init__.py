# SPDX-License-Identifier: EUPL-1.2
"""The VUM gegevensstandaard 1.5 / koppelvlak 3.0.0: wire models, code lists, the query and its reference evaluator.

Pure Python (pydantic only): no web framework, no I/O.
"""

from vum.standard import codelists
from vum.standard.attributes import ATTRIBUTES, Attribute, strip_detail_only
from vum.standard.common import Error
from vum.standard.errors import Problem
from vum.standard.evaluate import matches
from vum.standard.kinds import Kind
from vum.standard.query import LanguageRequirement, Query, QueryError, parse_query, query_model
from vum.standard.summary import summary_of
from vum.standard.vacature import MPVacatureMatch, Vacature, VumVacatureMatch
from vum.standard.validate import DocumentError, DocumentReport, validate_document
from vum.standard.werkzoekende import MPWerkzoekendeMatch, VumWerkzoekendeMatch, Werkzoekende

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
