# SPDX-License-Identifier: EUPL-1.2
"""HTTP for sources: the VUM-Bron router (adapter kit), the hosted source app and its HTTP import."""

# make_bron_router: any system becomes a VUM source with a ``search`` and a ``detail``.
# create_source_app: one process answers for many hosted parties (X-VUM-toParty picks the dataset).

from vum.api.app import create_source_app, trusted_via
from vum.api.backend import ImportMode, SourceBackend, Warmable, backend_functions
from vum.api.bron import ALL_KINDS, AuthorizeFn, BronOptions, DetailFn, SearchFn, make_bron_router
from vum.api.errors import (
    BadRequest,
    IncompleteRequest,
    InternalError,
    SourceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnknownParty,
    UnknownRecord,
    VumError,
)
from vum.api.headers import EXPLAIN, VumCall, current_call
from vum.api.matches import MAX_RESULTS, RANKING_MEMBER
from vum.api.settings import SourceSettings

__all__ = [
    "ALL_KINDS",
    "EXPLAIN",
    "MAX_RESULTS",
    "RANKING_MEMBER",
    "AuthorizeFn",
    "BadRequest",
    "BronOptions",
    "DetailFn",
    "ImportMode",
    "IncompleteRequest",
    "InternalError",
    "SearchFn",
    "SourceBackend",
    "SourceSettings",
    "SourceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnknownParty",
    "UnknownRecord",
    "VumCall",
    "VumError",
    "Warmable",
    "backend_functions",
    "create_source_app",
    "current_call",
    "make_bron_router",
    "trusted_via",
]
