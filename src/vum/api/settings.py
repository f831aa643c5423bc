# SPDX-License-Identifier: EUPL-1.2
"""Settings of the hosted source app; defaults follow the VUM agreement framework."""

from __future__ import annotations

from dataclasses import dataclass

from vum.api.matches import MAX_RESULTS

#: default limit of one HTTP import body (a full replace of a large dataset)
DEFAULT_MAX_IMPORT_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class SourceSettings:
    """How the hosted source app behaves."""

    #: an import body larger than this answers 413
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES
    #: a vraagObject larger than this answers 400.01
    max_query_bytes: int = 1 << 20
    #: VUM: at most 100 summaries per source
    max_results: int = MAX_RESULTS
    #: VUM: the mediator sees the merged answer within 10 s; later answers help nobody (503/500.3)
    search_timeout_s: float | None = 10.0
    #: when set, only these X-VUM-viaParty OINs (the exchange facility) may ask; others get 401
    trusted_via_parties: frozenset[str] | None = None
    #: honour X-OpenVUM-Explain: 1 (scores and explanations beside the matches)
    explain: bool = True
    #: build every dataset's engine at start-up; /ready answers 503 until done
    warm_up: bool = True
