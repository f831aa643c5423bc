# SPDX-License-Identifier: EUPL-1.2
"""The hosted source: parties' datasets (imports, versions, rollback), column mappings and data quality.

``HostedSources(Store(...))`` is the entry point; ``vum.sources.cli`` is ``vum source`` and
``vum convert``.
"""

from vum.sources.errors import (
    DatasetNotFound,
    DatasetUnavailable,
    ImportConflict,
    ImportProblem,
    ImportRejected,
    InvalidParty,
    InvalidTokenLabel,
    MappingError,
    NoPreviousVersion,
    SourceFileError,
    SourcesError,
    check_party,
)
from vum.sources.files import convert_file, load_file
from vum.sources.hosted import DatasetInfo, HostedSources
from vum.sources.importer import ImportMode, ImportResult
from vum.sources.mapping import ColumnMapping, load_mapping
from vum.sources.quality import quality_report

__all__ = [
    "ColumnMapping",
    "DatasetInfo",
    "DatasetNotFound",
    "DatasetUnavailable",
    "HostedSources",
    "ImportConflict",
    "ImportMode",
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "InvalidParty",
    "InvalidTokenLabel",
    "MappingError",
    "NoPreviousVersion",
    "SourceFileError",
    "SourcesError",
    "check_party",
    "convert_file",
    "load_file",
    "load_mapping",
    "quality_report",
]
